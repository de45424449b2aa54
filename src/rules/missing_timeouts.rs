//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct MissingTimeouts;

impl Rule for MissingTimeouts {
    const ID: &'static str = "missing-timeouts";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
