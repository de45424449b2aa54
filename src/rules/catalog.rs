//! Rule documentation: `rules/<id>.yaml`, embedded at build time, parsed on
//! first use. The same data drives `haplint rules`, `haplint explain` and the
//! default severity of every rule.

use crate::finding::{Applicability, Severity};
use crate::version::VersionRange;
use serde::Deserialize;
use std::sync::OnceLock;

include!(concat!(env!("OUT_DIR"), "/rule_docs.rs"));

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Category {
    Correctness,
    Performance,
    Reliability,
    Security,
    Deprecation,
    Style,
}

impl Category {
    pub fn as_str(self) -> &'static str {
        match self {
            Category::Correctness => "correctness",
            Category::Performance => "performance",
            Category::Reliability => "reliability",
            Category::Security => "security",
            Category::Deprecation => "deprecation",
            Category::Style => "style",
        }
    }
}

/// Whether a rule runs without being asked for.
///
/// `default`: what haproxy refuses or warns about, and advice whose labelled
/// findings on real-world configurations are right at least 95% of the time
/// (`tests/labels/`). `opt-in`: advice that depends on facts haplint does not
/// have; it runs when named in `select`/`extend-select`, through the `opt-in`
/// set, or with `select: [ALL]`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Tier {
    Default,
    OptIn,
}

impl Tier {
    pub fn as_str(self) -> &'static str {
        match self {
            Tier::Default => "default",
            Tier::OptIn => "opt-in",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Availability {
    Always,
    Sometimes,
    Never,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FixDoc {
    pub availability: Availability,
    pub applicability: Option<Applicability>,
    pub description: Option<String>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Example {
    pub title: Option<String>,
    pub config: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Examples {
    pub bad: Vec<Example>,
    pub good: Vec<Example>,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionDoc {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    pub default: crate::yaml::Value,
    pub meaning: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleDoc {
    pub id: String,
    pub category: Category,
    pub severity: Severity,
    pub tier: Tier,
    pub summary: String,
    pub versions: String,
    #[serde(default)]
    pub manual: Vec<String>,
    pub why: String,
    pub fix: FixDoc,
    #[serde(default)]
    pub haproxy_says: Option<String>,
    #[serde(default)]
    pub options: Vec<OptionDoc>,
    pub examples: Examples,
    /// How the claim is shown against the real haproxy (see rules/README.md).
    #[serde(default)]
    pub proof: Option<ProofDoc>,
}

/// What kind of demonstration backs a rule's claim.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProofKind {
    /// `haproxy -c` on the bad and the good examples, per version.
    OracleCheck,
    /// A loopback experiment in `tests/proofs.rs`, named by `experiment`.
    Experiment,
    /// Not demonstrable here: `citation` says what the manual states.
    Manual,
}

/// What `haproxy -c` does with an example.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// An ALERT: haproxy refuses to start.
    Rejected,
    /// Loads, with a WARNING the good example does not have.
    Warned,
    /// Loads (other warnings allowed unless the bad example is `warned`).
    Accepted,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Rejected => "rejected",
            Verdict::Warned => "warned about",
            Verdict::Accepted => "accepted",
        }
    }
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProofDoc {
    pub kind: ProofKind,
    /// haproxy series the proof runs on; empty = every oracle series.
    #[serde(default)]
    pub versions: Vec<String>,
    #[serde(default)]
    pub bad: Option<Verdict>,
    #[serde(default)]
    pub good: Option<Verdict>,
    /// Words haproxy's output on the bad example must contain.
    #[serde(default)]
    pub says: Option<String>,
    /// The experiment's name in `tests/proofs.rs`.
    #[serde(default)]
    pub experiment: Option<String>,
    /// What is being shown, or (manual) what the manual says, with section and version.
    #[serde(default)]
    pub claim: Option<String>,
    /// The figures of the last run, as the test prints them; the test re-checks them.
    #[serde(default)]
    pub result: Option<String>,
}

impl RuleDoc {
    pub fn version_range(&self) -> VersionRange {
        VersionRange::parse(&self.versions).unwrap_or_default()
    }

    /// The release the examples are checked for: the default target, or the
    /// newest known release the rule applies to when the default is outside
    /// its `versions` (a rule about 2.6 only, say).
    pub fn example_target(&self) -> crate::version::Version {
        use crate::version::Version;
        let range = self.version_range();
        if range.contains(Version::LATEST) {
            return Version::LATEST;
        }
        Version::KNOWN
            .iter()
            .rev()
            .copied()
            .find(|v| range.contains(*v))
            .unwrap_or(Version::LATEST)
    }
}

/// Every rule doc, sorted by id; docs that fail to parse are reported by
/// [`load_errors`] (and the catalog test) instead of crashing the tool.
pub fn docs() -> &'static [RuleDoc] {
    &loaded().0
}

pub fn load_errors() -> &'static [String] {
    &loaded().1
}

pub fn doc(id: &str) -> Option<&'static RuleDoc> {
    docs().iter().find(|d| d.id == id)
}

/// Ids of every documented rule.
pub fn ids() -> impl Iterator<Item = &'static str> {
    RULE_DOCS.iter().map(|(stem, _)| *stem)
}

fn loaded() -> &'static (Vec<RuleDoc>, Vec<String>) {
    static DOCS: OnceLock<(Vec<RuleDoc>, Vec<String>)> = OnceLock::new();
    DOCS.get_or_init(|| {
        let mut docs = Vec::new();
        let mut errors = Vec::new();
        for (stem, text) in RULE_DOCS {
            match crate::yaml::from_str::<RuleDoc>(text) {
                Ok(doc) => docs.push(doc),
                Err(error) => errors.push(format!("rules/{stem}.yaml: {error}")),
            }
        }
        (docs, errors)
    })
}

/// The default severity of a rule, from its doc.
pub fn default_severity(id: &str) -> Severity {
    facts(id).map_or(Severity::Warning, |(severity, _)| severity)
}

/// The tier of a rule, from its doc (rules without a doc are opt-in).
pub fn tier(id: &str) -> Tier {
    match RULE_FACTS.iter().find(|(rule, ..)| *rule == id) {
        Some((_, _, _, "default")) => Tier::Default,
        _ => Tier::OptIn,
    }
}

/// The releases a rule applies to, from its doc.
pub fn version_range(id: &str) -> Option<VersionRange> {
    facts(id).map(|(_, versions)| versions)
}

/// Severity and versions of a rule, as the build read them from its doc.
fn facts(id: &str) -> Option<(Severity, VersionRange)> {
    let &(_, severity, versions, _) = RULE_FACTS.iter().find(|(rule, ..)| *rule == id)?;
    let severity = match severity {
        "error" => Severity::Error,
        "info" => Severity::Info,
        _ => Severity::Warning,
    };
    Some((severity, VersionRange::parse(versions).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn facts_read_at_build_time_match_the_parsed_docs() {
        assert!(load_errors().is_empty(), "{:?}", load_errors());
        assert_eq!(RULE_FACTS.len(), docs().len());
        for doc in docs() {
            assert_eq!(default_severity(&doc.id), doc.severity, "{}", doc.id);
            assert_eq!(tier(&doc.id), doc.tier, "{}", doc.id);
            assert_eq!(
                version_range(&doc.id),
                Some(doc.version_range()),
                "{}",
                doc.id
            );
        }
    }
}
