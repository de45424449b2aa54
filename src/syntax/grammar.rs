//! The pest parser generated from `grammar/haproxy.pest`. Its pairs never leave
//! `src/syntax/`: `mod.rs` converts them into the tree at once.

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/haproxy.pest"]
pub(crate) struct LineParser;
