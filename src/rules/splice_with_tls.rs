//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct SpliceWithTls;

impl Rule for SpliceWithTls {
    const ID: &'static str = "splice-with-tls";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
