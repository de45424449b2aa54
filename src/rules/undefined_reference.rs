//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct UndefinedReference;

impl Rule for UndefinedReference {
    const ID: &'static str = "undefined-reference";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
