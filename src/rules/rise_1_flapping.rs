//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct Rise1Flapping;

impl Rule for Rise1Flapping {
    const ID: &'static str = "rise-1-flapping";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
