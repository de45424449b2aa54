//! Helpers the integration tests share: running the binary as users do.

// Not every test file uses every helper.
#![allow(dead_code)]

use std::process::{Command, Output};

/// Run the built `haplint` with `args` and collect its output.
pub fn haplint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_haplint"))
        .args(args)
        .output()
        .expect("run haplint")
}

/// What the run printed on standard output.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}
