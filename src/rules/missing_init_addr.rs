//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct MissingInitAddr;

impl Rule for MissingInitAddr {
    const ID: &'static str = "missing-init-addr";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
