//! Placeholder: being written (issue 3).

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct ServerCloseDefeatsReuse;

impl Rule for ServerCloseDefeatsReuse {
    const ID: &'static str = "server-close-defeats-reuse";

    fn check(&self, _cx: &Context<'_>, _out: &mut Vec<Finding>) {}
}
