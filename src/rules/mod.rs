//! The rule engine: every rule is one file here with a uniform shape, its
//! documentation in `rules/<id>.yaml`, and one line in `rules!` below.

pub mod catalog;
pub mod suppress;

use crate::finding::Finding;
use crate::model::Model;
use crate::source::SourceSet;
use crate::version::Version;

pub use crate::config::Facts;

/// What a rule sees.
pub struct Context<'a> {
    pub model: &'a Model,
    pub sources: &'a SourceSet,
    /// The HAProxy version the configuration will run on.
    pub target: Version,
    /// What the user told haplint about the deployment (upstreams…).
    pub facts: &'a Facts,
}

/// One check. `ID` equals the file stem of `rules/<id>.yaml`; the rule never
/// decides severity or rendering.
pub trait Rule: Send + Sync + 'static {
    const ID: &'static str;
    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>);
}

/// Object-safe face of [`Rule`] for the registry.
pub trait DynRule: Send + Sync {
    fn id(&self) -> &'static str;
    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>);
}

impl<R: Rule> DynRule for R {
    fn id(&self) -> &'static str {
        R::ID
    }

    fn run(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        self.check(cx, out)
    }
}

/// Findings that come from the engine itself rather than from a rule module.
pub const BUILTIN_IDS: &[&str] = &[crate::syntax::SYNTAX, suppress::UNUSED_SUPPRESSION];

macro_rules! rules {
    ($($module:ident :: $rule:ident),* $(,)?) => {
        $(mod $module;)*

        /// Every registered rule, in registration order.
        pub fn registry() -> Vec<Box<dyn DynRule>> {
            vec![$(Box::new($module::$rule::default())),*]
        }

        /// Ids of every registered rule module.
        pub const RULE_IDS: &[&str] = &[$(<$module::$rule as Rule>::ID),*];
    };
}

rules! {
    ssl_verify_none::SslVerifyNone,
}

/// Every id a user may name: registered rules and built-in ones.
pub fn all_ids() -> impl Iterator<Item = &'static str> {
    BUILTIN_IDS.iter().chain(RULE_IDS.iter()).copied()
}

pub fn is_known(id: &str) -> bool {
    all_ids().any(|known| known == id)
}

/// The closest known id to a misspelled one, for "did you mean".
pub fn suggest(id: &str) -> Option<&'static str> {
    all_ids()
        .map(|known| (crate::text::edit_distance(id, known), known))
        .filter(|(distance, known)| *distance <= (known.len() / 3).max(2))
        .min()
        .map(|(_, known)| known)
}
