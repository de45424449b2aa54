//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct MissingHttpReuse;

impl Rule for MissingHttpReuse {
    const ID: &'static str = "missing-http-reuse";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
