//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct IdleTimeoutExceedsUpstream;

impl Rule for IdleTimeoutExceedsUpstream {
    const ID: &'static str = "idle-timeout-exceeds-upstream";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
