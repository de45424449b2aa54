//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct LogFormatOverride;

impl Rule for LogFormatOverride {
    const ID: &'static str = "log-format-override";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
