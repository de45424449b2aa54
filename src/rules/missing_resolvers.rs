//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct MissingResolvers;

impl Rule for MissingResolvers {
    const ID: &'static str = "missing-resolvers";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
