//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct MissingStickTableExpire;

impl Rule for MissingStickTableExpire {
    const ID: &'static str = "missing-stick-table-expire";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
