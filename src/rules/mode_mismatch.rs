//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct ModeMismatch;

impl Rule for ModeMismatch {
    const ID: &'static str = "mode-mismatch";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
