//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct RedundantCheckPort;

impl Rule for RedundantCheckPort {
    const ID: &'static str = "redundant-check-port";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
