//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct FrontendMaxconnAboveGlobal;

impl Rule for FrontendMaxconnAboveGlobal {
    const ID: &'static str = "frontend-maxconn-above-global";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
