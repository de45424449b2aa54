//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct StatsWithoutAuth;

impl Rule for StatsWithoutAuth {
    const ID: &'static str = "stats-without-auth";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
