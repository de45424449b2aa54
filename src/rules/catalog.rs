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
    pub default: serde_yaml::Value,
    pub meaning: String,
}

#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct RuleDoc {
    pub id: String,
    pub category: Category,
    pub severity: Severity,
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
            match serde_yaml::from_str::<RuleDoc>(text) {
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

/// The releases a rule applies to, from its doc.
pub fn version_range(id: &str) -> Option<VersionRange> {
    facts(id).map(|(_, versions)| versions)
}

/// Severity and versions of a rule, as the build read them from its doc.
fn facts(id: &str) -> Option<(Severity, VersionRange)> {
    let &(_, severity, versions) = RULE_FACTS.iter().find(|(rule, _, _)| *rule == id)?;
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
            assert_eq!(
                version_range(&doc.id),
                Some(doc.version_range()),
                "{}",
                doc.id
            );
        }
    }
}
