//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct MissingHttpBufferRequest;

impl Rule for MissingHttpBufferRequest {
    const ID: &'static str = "missing-http-buffer-request";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
