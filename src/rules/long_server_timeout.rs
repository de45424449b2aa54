//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct LongServerTimeout;

impl Rule for LongServerTimeout {
    const ID: &'static str = "long-server-timeout";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
