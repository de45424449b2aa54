//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct TcpCheckOnHttpBackend;

impl Rule for TcpCheckOnHttpBackend {
    const ID: &'static str = "tcp-check-on-http-backend";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
