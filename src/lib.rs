//! haplint: a HAProxy configuration linter and tuner.
//!
//! Data flows one way: `source` bytes → `syntax` (lossless tree) → `model`
//! (sections, effective settings, references) → `rules` (findings with fixes)
//! → `report` (human / JSON). [`check`] runs the whole pipeline.

pub mod baseline;
pub mod config;
pub mod error;
pub mod finding;
pub mod fix;
pub mod load;
pub mod logs;
pub mod lsp;
pub mod model;
pub mod project;
pub mod report;
pub mod rules;
pub mod source;
pub mod syntax;
pub mod template;
pub mod text;
pub mod tune;
pub mod version;
pub mod yaml;

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
    /// Whether rule `id` runs for this check. `syntax` always does. Without
    /// `select`, the rules of the `default` tier run; `select`/`extend-select`
    /// take rule ids and the sets `ALL` (every rule, also `all`), `default`
    /// and `opt-in`.
    pub fn enabled(&self, id: &str) -> bool {
        if id == syntax::SYNTAX {
            return true;
        }
        let tier = rules::catalog::tier(id);
        let selected = match &self.select {
            None => tier == rules::catalog::Tier::Default,
            Some(select) => select.iter().any(|s| names_rule(s, id, tier)),
        } || self.extend_select.iter().any(|s| names_rule(s, id, tier));
        let applies =
            rules::catalog::version_range(id).is_none_or(|range| range.contains(self.target));
        selected
            && applies
            && !self.ignore.iter().any(|s| s == id)
            && !matches!(self.severity.get(id), Some(None))
    }

    /// Whether the user asked for rule `id` (by its id, `ALL` or the `opt-in`
    /// set) rather than getting it from the default tier: a rule whose advice
    /// is certain only in some contexts says everything it knows when asked.
    pub fn asked_for(&self, id: &str) -> bool {
        let tier = rules::catalog::tier(id);
        let named = |s: &String| s != "default" && names_rule(s, id, tier);
        self.select.iter().flatten().any(named) || self.extend_select.iter().any(named)
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

/// Whether a `select` entry names rule `id` (of tier `tier`): its id, or a set.
pub fn names_rule(entry: &str, id: &str, tier: rules::catalog::Tier) -> bool {
    use rules::catalog::Tier;
    match entry {
        "ALL" | "all" => true,
        "default" => tier == Tier::Default,
        "opt-in" => tier == Tier::OptIn,
        _ => entry == id,
    }
}

/// The names `select`, `extend-select` take beside rule ids.
pub const RULE_SETS: [&str; 4] = ["ALL", "all", "default", "opt-in"];

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
    /// The configuration as understood, for consumers that need more than findings.
    pub model: Model,
    /// Findings in file and position order; suppressed ones carry their suppression.
    pub findings: Vec<Reported>,
    /// The haproxy release the configuration was judged for (manual links follow it).
    pub target: version::Version,
}

impl Report {
    pub fn active(&self) -> impl Iterator<Item = &Reported> {
        self.findings.iter().filter(|f| f.suppressed.is_none())
    }

    pub fn count(&self, severity: Severity) -> usize {
        self.active().filter(|f| f.severity == severity).count()
    }

    /// Whether a rule failed (an `internal-error` finding): exit 2.
    pub fn has_internal_error(&self) -> bool {
        self.findings
            .iter()
            .any(|f| f.finding.rule == rules::INTERNAL_ERROR)
    }

    /// Whether any active finding is at or above `threshold`.
    pub fn fails(&self, threshold: Severity) -> bool {
        self.active().any(|f| f.severity >= threshold)
    }
}

/// Parse and model the sources, run the enabled rules, apply suppressions.
pub fn check(sources: SourceSet, options: &Options) -> Report {
    let started = std::time::Instant::now();
    let trees = sources.files().iter().map(syntax::parse).collect();
    stage("parse", started);
    let (model, mut findings) = analyze(&sources, trees, options);
    hide_templates(&sources, &mut findings, options);
    let findings = findings
        .into_iter()
        .map(|(finding, suppressed)| Reported {
            severity: options.severity_of(&finding),
            finding,
            suppressed,
        })
        .collect();
    Report {
        sources,
        model,
        findings,
        target: options.target,
    }
}

/// A template file's findings are about its markup: they give way to one
/// `template` finding, unless the user turned that rule off.
fn hide_templates(
    sources: &SourceSet,
    findings: &mut Vec<(Finding, Option<Suppression>)>,
    options: &Options,
) {
    if !options.enabled(template::TEMPLATE) {
        return;
    }
    let templates = template::templates(sources.files().iter());
    if templates.is_empty() {
        return;
    }
    for (id, marker) in &templates {
        let Some(file) = sources.get(*id) else {
            continue;
        };
        let hidden = findings
            .iter()
            .filter(|(f, _)| f.primary.span.file == *id)
            .count();
        findings.retain(|(f, _)| f.primary.span.file != *id);
        findings.push((template::finding(file, marker, hidden), None));
    }
    findings.sort_by(|(a, _), (b, _)| {
        (a.primary.span.file, a.primary.span.start, a.rule).cmp(&(
            b.primary.span.file,
            b.primary.span.start,
            b.rule,
        ))
    });
}

/// A line with a syntax error is not read the way a rule assumed (an
/// unclosed quote swallows whatever a fix appends), so no fix may edit it:
/// the finding stays, its fix goes, and the syntax error is fixed first.
fn withhold_fixes_on_broken_lines(sources: &SourceSet, findings: &mut [Finding]) {
    let broken: std::collections::HashSet<(source::FileId, usize)> = findings
        .iter()
        .filter(|f| f.rule == syntax::SYNTAX && f.severity.is_none_or(|s| s == Severity::Error))
        .filter_map(|f| {
            let file = sources.get(f.primary.span.file)?;
            Some((file.id, file.lines().line_of(f.primary.span.start)))
        })
        .collect();
    if broken.is_empty() {
        return;
    }
    for finding in findings.iter_mut() {
        let touches = finding.fix.as_ref().is_some_and(|fix| {
            fix.edits.iter().any(|edit| {
                sources.get(edit.span.file).is_some_and(|file| {
                    let first = file.lines().line_of(edit.span.start);
                    let last = file
                        .lines()
                        .line_of(edit.span.end.saturating_sub(1).max(edit.span.start));
                    // An insertion at a line start belongs to the line before it as well.
                    let before = if edit.span.is_empty() {
                        first.saturating_sub(1)
                    } else {
                        first
                    };
                    (before..=last).any(|line| broken.contains(&(file.id, line)))
                })
            })
        });
        if touches {
            finding.fix = None;
        }
    }
}

/// `first()` on this thread and `second()` on another, both results. The
/// helper cannot panic on input (no panicking code paths); should it
/// anyway, its work is done again here rather than lost. Only for work that
/// can be done again: the rule queue catches a panic per rule instead
/// (`run_rule`), as its shared counter is consumed.
pub(crate) fn in_parallel<A, B: Send>(
    first: impl FnOnce() -> A,
    second: impl Fn() -> B + Sync,
) -> (A, B) {
    std::thread::scope(|scope| {
        let helper = scope.spawn(&second);
        let first = first();
        let second = helper.join().unwrap_or_else(|_| second());
        (first, second)
    })
}

/// With `HAPLINT_TIMINGS` set, print how long a stage took (for the benchmark).
pub(crate) fn stage(name: &str, started: std::time::Instant) {
    if std::env::var_os("HAPLINT_TIMINGS").is_some() {
        eprintln!(
            "haplint timing: {name} {:.3}s, ends at {:.3}s, resident {} MB",
            started.elapsed().as_secs_f64(),
            PROCESS_START
                .get_or_init(std::time::Instant::now)
                .elapsed()
                .as_secs_f64(),
            resident_megabytes().map_or_else(|| "?".to_string(), |mb| mb.to_string())
        );
    }
}

/// When the command line was first looked at (for the timings).
pub(crate) static PROCESS_START: std::sync::OnceLock<std::time::Instant> =
    std::sync::OnceLock::new();

/// Resident memory of this process now (Linux: /proc/self/statm, in pages of 4 KiB).
fn resident_megabytes() -> Option<u64> {
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096 / 1_000_000)
}

/// Run the rules; on large configurations two threads take the next rule
/// from a shared counter, so a slow rule does not leave the other thread idle.
/// With `HAPLINT_TIMINGS=rules`, print each rule's time.
fn run_rules(
    cx: &rules::Context<'_>,
    enabled: &[Box<dyn rules::DynRule>],
    parallel: bool,
) -> Vec<Finding> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let per_rule = std::env::var_os("HAPLINT_TIMINGS").is_some_and(|v| v == "rules");
    let next = AtomicUsize::new(0);
    let work = || {
        let mut found = Vec::new();
        while let Some(rule) = enabled.get(next.fetch_add(1, Ordering::Relaxed)) {
            let started = std::time::Instant::now();
            run_rule(cx, rule.as_ref(), &mut found);
            if per_rule {
                eprintln!(
                    "haplint timing: rule {} {:.3}s",
                    rule.id(),
                    started.elapsed().as_secs_f64()
                );
            }
        }
        found
    };
    if !parallel || enabled.len() < 2 {
        return work();
    }
    let (mut found, more) = in_parallel(work, work);
    found.extend(more);
    found
}

/// Run one rule so that a panic inside it loses nothing: what it reported
/// before stays, and an `internal-error` finding (severity error, exit 2)
/// names the rule, what went wrong and how far into the input it got (its
/// last finding, else the start of the first file).
fn run_rule(cx: &rules::Context<'_>, rule: &dyn rules::DynRule, found: &mut Vec<Finding>) {
    let before = found.len();
    let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        rule.run(cx, found);
        #[cfg(debug_assertions)]
        panic_on_purpose(rule.id());
    }));
    let Err(payload) = outcome else {
        return;
    };
    let what = payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".to_string());
    let reached = found.get(before..).and_then(|own| own.last());
    let span = reached.map_or(source::Span::new(source::FileId(0), 0, 0), |f| {
        f.primary.span
    });
    let position = cx
        .sources
        .get(span.file)
        .map(|file| {
            let line = file.lines().line_of(span.start);
            let column = span.start - file.lines().line_start(line) + 1;
            format!("{}:{}:{column}", file.name, line + 1)
        })
        .unwrap_or_else(|| "the start of the input".to_string());
    let progress = if reached.is_some() {
        format!("after its finding at {position}")
    } else {
        format!("before any finding (from {position})")
    };
    let mut finding = Finding::new(
        rules::INTERNAL_ERROR,
        span,
        format!("internal error in rule `{}` {progress}: {what}", rule.id()),
    );
    finding.severity = Some(Severity::Error);
    finding.note = Some(format!(
        "findings of `{}` past this point may be missing; this is a haplint bug, please report it",
        rule.id()
    ));
    found.push(finding);
}

/// Debug builds only (the tests' binary): `HAPLINT_TEST_PANIC_RULE=<id>`
/// makes that rule panic after it has reported, to prove nothing is lost.
#[cfg(debug_assertions)]
#[allow(clippy::panic)]
fn panic_on_purpose(id: &str) {
    if std::env::var_os("HAPLINT_TEST_PANIC_RULE").is_some_and(|v| v == id) {
        panic!("{id} panicked on purpose (HAPLINT_TEST_PANIC_RULE)");
    }
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
    let started = std::time::Instant::now();
    let model = Model::build(trees);
    stage("model", started);
    let started = std::time::Instant::now();
    let activity: Vec<Vec<syntax::Activity>> = model
        .trees()
        .iter()
        .map(|tree| syntax::line_activity(tree, options.target))
        .collect();
    // Structural findings (a keyword outside any section…) only count on
    // lines the target version reads: `.if version_atleast(3.1)` may hold a
    // section kind an older haproxy never sees.
    raw.extend(
        model
            .findings
            .iter()
            .filter(|finding| {
                let span = finding.primary.span;
                let line = sources
                    .get(span.file)
                    .map(|file| file.lines().line_of(span.start));
                line.and_then(|line| activity.get(span.file.0 as usize)?.get(line).copied())
                    .is_none_or(|state| state == syntax::Activity::Active)
            })
            .cloned(),
    );
    let cx = rules::Context {
        activity: &activity,
        model: &model,
        sources,
        target: options.target,
        facts: &options.facts,
        keyword_notes: std::sync::OnceLock::new(),
        known_upstreams: std::sync::OnceLock::new(),
        options,
    };
    // Rules are independent readers of the model: on large configurations two
    // threads halve their time, on small ones the second thread is not started.
    let enabled: Vec<Box<dyn rules::DynRule>> = rules::registry()
        .into_iter()
        .filter(|r| options.enabled(r.id()))
        .collect();
    if enabled
        .iter()
        .any(|r| rules::keyword_lines::RULES.contains(&r.id()))
    {
        let _ = cx.keyword_notes.set(rules::keyword_lines::note_lines(&cx));
    }
    raw.extend(run_rules(&cx, &enabled, model.is_large()));
    stage("rules", started);
    withhold_fixes_on_broken_lines(sources, &mut raw);
    let mut suppressions = Suppressions::collect(&model);
    let mut findings: Vec<(Finding, Option<Suppression>)> = raw
        .into_iter()
        .map(|finding| {
            // A rule that failed cannot be silenced by a comment.
            let suppressed = if finding.rule == rules::INTERNAL_ERROR {
                None
            } else {
                suppressions.suppress(&finding)
            };
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
    stage("suppressions", started);
    (model, findings)
}
pub mod cli;

/// The outcome of applying fixes until none applies any more.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FixOutcome {
    /// Final text of every file that changed.
    pub texts: BTreeMap<source::FileId, String>,
    pub applied: usize,
    /// Fixes that overlapped another one and had to wait for a later pass.
    pub deferred: usize,
    /// Fixes applied, per rule.
    pub by_rule: BTreeMap<&'static str, usize>,
    pub rounds: usize,
    /// False when fixes still applied after the last allowed round.
    pub converged: bool,
}

/// haplint never loops forever on fixes that keep producing new fixes.
pub const MAX_FIX_ROUNDS: usize = 10;

/// A copy of `sources` with some texts replaced.
pub fn with_texts(sources: &SourceSet, texts: &BTreeMap<source::FileId, String>) -> SourceSet {
    let mut next = SourceSet::new();
    for file in sources.files() {
        let text: std::sync::Arc<str> = match texts.get(&file.id) {
            Some(text) => text.as_str().into(),
            None => file.text.clone(),
        };
        next.add(file.name.clone(), file.path.clone(), text);
    }
    next
}

/// Apply the fixes `accept` lets through, re-linting after each pass, until
/// none applies. Sources are not touched: the new texts come back.
pub fn fix_sources(
    sources: &SourceSet,
    options: &Options,
    accept: &mut dyn FnMut(&Reported) -> bool,
) -> FixOutcome {
    let mut outcome = FixOutcome::default();
    for round in 0..MAX_FIX_ROUNDS {
        let current = with_texts(sources, &outcome.texts);
        let report = check(current, options);
        let chosen: Vec<&Reported> = report
            .active()
            .filter(|f| f.finding.fix.is_some())
            .filter(|f| accept(f))
            .collect();
        let fixes: Vec<&finding::Fix> = chosen
            .iter()
            .filter_map(|f| f.finding.fix.as_ref())
            .collect();
        let texts: BTreeMap<source::FileId, String> = report
            .sources
            .files()
            .iter()
            .map(|f| (f.id, f.text.to_string()))
            .collect();
        let pass = fix::apply_all(&texts, &fixes);
        if pass.applied.is_empty() {
            outcome.rounds = round;
            outcome.converged = true;
            return outcome;
        }
        for &index in &pass.applied {
            if let Some(reported) = chosen.get(index) {
                *outcome.by_rule.entry(reported.finding.rule).or_default() += 1;
            }
        }
        outcome.applied += pass.applied.len();
        outcome.deferred += pass.deferred;
        let changed = pass.changed;
        outcome.texts.extend(changed);
    }
    outcome.rounds = MAX_FIX_ROUNDS;
    outcome.converged = false;
    outcome
}

/// The outcome of fixing one text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fixed {
    pub text: String,
    pub applied: usize,
    pub rounds: usize,
    pub converged: bool,
}

/// Apply fixes to one file's text until none applies.
pub fn fix_text(name: &str, text: &str, options: &Options, include_unsafe: bool) -> Fixed {
    let mut sources = SourceSet::new();
    let id = sources.add(name, None, text);
    let outcome = fix_sources(&sources, options, &mut |f| {
        f.finding
            .fix
            .as_ref()
            .is_some_and(|fix| fix::allowed(fix, include_unsafe))
    });
    Fixed {
        text: outcome
            .texts
            .get(&id)
            .cloned()
            .unwrap_or_else(|| text.to_string()),
        applied: outcome.applied,
        rounds: outcome.rounds,
        converged: outcome.converged,
    }
}

#[cfg(test)]
mod rule_panics {
    use super::*;

    /// Reports on the first line, then panics.
    #[derive(Default)]
    struct Panics;

    impl rules::Rule for Panics {
        const ID: &'static str = "test-panics";
        #[allow(clippy::panic)]
        fn check(&self, cx: &rules::Context<'_>, out: &mut Vec<Finding>) {
            let file = cx
                .sources
                .files()
                .first()
                .map_or(source::FileId(0), |f| f.id);
            out.push(Finding::new(
                Self::ID,
                source::Span::new(file, 0, 8),
                "seen",
            ));
            panic!("on purpose");
        }
    }

    /// The rule queue on two threads (as for large configurations): a rule
    /// that panics, first in the queue, loses no finding of the rules after
    /// it nor its own, and adds one `internal-error` naming it and its last
    /// finding's position.
    #[test]
    fn a_panicking_rule_loses_nothing_on_two_threads() {
        let mut sources = SourceSet::new();
        sources.add(
            "t.cfg",
            None,
            "frontend f\n  bind :80\n  retires 3\n  default_backend b\
                \nbackend b\n  server s 10.0.0.1:443 ssl verify none\n",
        );
        let trees = sources.files().iter().map(syntax::parse).collect();
        let model = Model::build(trees);
        let activity: Vec<Vec<syntax::Activity>> = model
            .trees()
            .iter()
            .map(|tree| syntax::line_activity(tree, Version::LATEST))
            .collect();
        let facts = Facts::default();
        let options = Options::default();
        let cx = rules::Context {
            activity: &activity,
            model: &model,
            sources: &sources,
            target: Version::LATEST,
            facts: &facts,
            options: &options,
            keyword_notes: std::sync::OnceLock::new(),
            known_upstreams: std::sync::OnceLock::new(),
        };
        let _ = cx.keyword_notes.set(rules::keyword_lines::note_lines(&cx));
        let key = |f: &Finding| (f.rule, f.primary.span.start, f.message.clone());
        let normal: std::collections::BTreeSet<_> = run_rules(&cx, &rules::registry(), false)
            .iter()
            .map(key)
            .collect();
        assert!(normal.len() >= 2, "{normal:?}");
        let mut enabled: Vec<Box<dyn rules::DynRule>> = vec![Box::new(Panics)];
        enabled.extend(rules::registry());
        let failed = run_rules(&cx, &enabled, true);
        let keys: std::collections::BTreeSet<_> = failed.iter().map(key).collect();
        assert!(
            keys.is_superset(&normal),
            "lost: {:?}",
            normal.difference(&keys)
        );
        assert!(keys.iter().any(|k| k.0 == "test-panics"));
        let internal: Vec<&Finding> = failed
            .iter()
            .filter(|f| f.rule == rules::INTERNAL_ERROR)
            .collect();
        assert_eq!(internal.len(), 1);
        assert_eq!(internal[0].severity, Some(Severity::Error));
        assert!(
            internal[0]
                .message
                .contains("rule `test-panics` after its finding at t.cfg:1:1: on purpose"),
            "{}",
            internal[0].message
        );
    }
}
