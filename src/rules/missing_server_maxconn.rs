//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct MissingServerMaxconn;

impl Rule for MissingServerMaxconn {
    const ID: &'static str = "missing-server-maxconn";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
