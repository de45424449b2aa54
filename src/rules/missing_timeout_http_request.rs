//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct MissingTimeoutHttpRequest;

impl Rule for MissingTimeoutHttpRequest {
    const ID: &'static str = "missing-timeout-http-request";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
