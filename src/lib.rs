//! haplint: a HAProxy configuration linter and tuner.
//!
//! Data flows one way: `source` bytes → `syntax` (lossless tree) → `model`
//! (sections, effective settings, references) → `rules` (findings with fixes)
//! → `report` (human / JSON). [`check`] runs the whole pipeline.

pub mod config;
pub mod error;
pub mod finding;
pub mod fix;
pub mod load;
pub mod model;
pub mod report;
pub mod rules;
pub mod source;
pub mod syntax;
pub mod text;
pub mod version;

use config::Facts;
use finding::{Finding, Severity};
use model::Model;
use rules::suppress::{Suppression, Suppressions};
use source::SourceSet;
use std::collections::BTreeMap;
use version::Version;

/// Which rules run, how severe they are, and what haplint knows of the deployment.
#[derive(Clone, Debug)]
pub struct Options {
    pub target: Version,
    /// Run only these rules (all when `None`).
    pub select: Option<Vec<String>>,
    pub extend_select: Vec<String>,
    pub ignore: Vec<String>,
    /// Per-rule severity; `None` turns the rule off.
    pub severity: BTreeMap<String, Option<Severity>>,
    pub facts: Facts,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            target: Version::LATEST,
            select: None,
            extend_select: Vec::new(),
            ignore: Vec::new(),
            severity: BTreeMap::new(),
            facts: Facts::default(),
        }
    }
}

impl Options {
    /// Whether rule `id` runs for this check. `syntax` always does.
    pub fn enabled(&self, id: &str) -> bool {
        if id == syntax::SYNTAX {
            return true;
        }
        let selected = match &self.select {
            None => true,
            Some(select) => select.iter().any(|s| s == id || s == "all"),
        } || self.extend_select.iter().any(|s| s == id);
        let applies =
            rules::catalog::doc(id).is_none_or(|doc| doc.version_range().contains(self.target));
        selected
            && applies
            && !self.ignore.iter().any(|s| s == id)
            && !matches!(self.severity.get(id), Some(None))
    }

    pub fn severity_of(&self, finding: &Finding) -> Severity {
        match self.severity.get(finding.rule) {
            Some(Some(severity)) => *severity,
            _ => finding
                .severity
                .unwrap_or_else(|| rules::catalog::default_severity(finding.rule)),
        }
    }
}

/// A finding as reported: with its severity, and the suppression that hid it if any.
#[derive(Clone, Debug)]
pub struct Reported {
    pub finding: Finding,
    pub severity: Severity,
    pub suppressed: Option<Suppression>,
}

/// The outcome of a check.
pub struct Report {
    pub sources: SourceSet,
    /// Findings in file and position order; suppressed ones carry their suppression.
    pub findings: Vec<Reported>,
}

impl Report {
    pub fn active(&self) -> impl Iterator<Item = &Reported> {
        self.findings.iter().filter(|f| f.suppressed.is_none())
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.active().filter(|f| f.severity == severity).count()
    }

    /// Whether any active finding is at or above `threshold`.
    pub fn fails(&self, threshold: Severity) -> bool {
        self.active().any(|f| f.severity >= threshold)
    }
}

/// Parse and model the sources, run the enabled rules, apply suppressions.
pub fn check(sources: SourceSet, options: &Options) -> Report {
    let trees = sources.files().iter().map(syntax::parse).collect();
    let (model, findings) = analyze(&sources, trees, options);
    let findings = findings
        .into_iter()
        .map(|(finding, suppressed)| Reported {
            severity: options.severity_of(&finding),
            finding,
            suppressed,
        })
        .collect();
    drop(model);
    Report { sources, findings }
}

/// The findings of every stage for already-parsed trees, with suppressions
/// resolved, sorted by position.
pub fn analyze(
    sources: &SourceSet,
    trees: Vec<syntax::SyntaxTree>,
    options: &Options,
) -> (Model, Vec<(Finding, Option<Suppression>)>) {
    let mut raw: Vec<Finding> = Vec::new();
    for tree in &trees {
        raw.extend(tree.findings.iter().cloned());
    }
    let model = Model::build(trees);
    raw.extend(model.findings.iter().cloned());
    let cx = rules::Context {
        model: &model,
        sources,
        target: options.target,
        facts: &options.facts,
    };
    for rule in rules::registry() {
        if options.enabled(rule.id()) {
            rule.run(&cx, &mut raw);
        }
    }
    let mut suppressions = Suppressions::collect(&model);
    let mut findings: Vec<(Finding, Option<Suppression>)> = raw
        .into_iter()
        .map(|finding| {
            let suppressed = suppressions.suppress(&finding);
            (finding, suppressed)
        })
        .collect();
    if options.enabled(rules::suppress::UNUSED_SUPPRESSION) {
        let enabled = |id: &str| options.enabled(id);
        findings.extend(
            suppressions
                .unused(&model, &enabled)
                .into_iter()
                .map(|f| (f, None)),
        );
    }
    findings.sort_by(|(a, _), (b, _)| {
        (a.primary.span.file, a.primary.span.start, a.rule).cmp(&(
            b.primary.span.file,
            b.primary.span.start,
            b.rule,
        ))
    });
    (model, findings)
}
pub mod cli;

/// The outcome of fixing one file until no fix applies any more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fixed {
    pub text: String,
    pub applied: usize,
    pub rounds: usize,
    /// False when fixes still applied after the last allowed round.
    pub converged: bool,
}

/// haplint never loops forever on fixes that keep producing new fixes.
pub const MAX_FIX_ROUNDS: usize = 10;

/// Apply fixes to one file's text, re-linting after each pass, until none applies.
pub fn fix_text(name: &str, text: &str, options: &Options, include_unsafe: bool) -> Fixed {
    let mut current = text.to_string();
    let mut applied = 0;
    for round in 0..MAX_FIX_ROUNDS {
        let mut sources = SourceSet::new();
        let file = sources.add(name, None, current.as_str());
        let report = check(sources, options);
        let fixes: Vec<&finding::Fix> = report
            .active()
            .filter_map(|f| f.finding.fix.as_ref())
            .filter(|fix| fix::allowed(fix, include_unsafe))
            .collect();
        let pass = fix::apply(&current, file, &fixes);
        if pass.applied == 0 {
            return Fixed {
                text: current,
                applied,
                rounds: round,
                converged: true,
            };
        }
        applied += pass.applied;
        current = pass.text;
    }
    Fixed {
        text: current,
        applied,
        rounds: MAX_FIX_ROUNDS,
        converged: false,
    }
}
