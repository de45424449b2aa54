//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct MissingServerSni;

impl Rule for MissingServerSni {
    const ID: &'static str = "missing-server-sni";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
