//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct WeakTlsCiphers;

impl Rule for WeakTlsCiphers {
    const ID: &'static str = "weak-tls-ciphers";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
