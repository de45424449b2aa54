//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct RetryOnReplaysNonIdempotent;

impl Rule for RetryOnReplaysNonIdempotent {
    const ID: &'static str = "retry-on-replays-non-idempotent";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
