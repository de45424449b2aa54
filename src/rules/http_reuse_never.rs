//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct HttpReuseNever;

impl Rule for HttpReuseNever {
    const ID: &'static str = "http-reuse-never";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
