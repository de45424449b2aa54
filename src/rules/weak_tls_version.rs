//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct WeakTlsVersion;

impl Rule for WeakTlsVersion {
    const ID: &'static str = "weak-tls-version";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
