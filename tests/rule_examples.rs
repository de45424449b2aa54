//! Every rule's documentation is executed: each `bad` example must trigger the
//! rule, each `good` example must not, and fixes must apply cleanly, converge,
//! and make the finding go away when the doc says they always can.
//! The rendered findings and fix diff of each rule are snapshots to review.

// Test helpers may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use haplint::finding::Severity;
use haplint::rules::catalog::{self, Availability, RuleDoc};
use haplint::rules::{self, BUILTIN_IDS, RULE_IDS};
use haplint::source::SourceSet;
use haplint::{Options, Report, check};
use std::collections::BTreeSet;

fn run(id: &str, config: &str) -> Report {
    let mut sources = SourceSet::new();
    sources.add("example.cfg", None, config);
    check(sources, &options_for(id))
}

/// The rule alone, for the release its examples are about (see `RuleDoc::example_target`).
fn options_for(id: &str) -> Options {
    let target = catalog::docs()
        .iter()
        .find(|doc| doc.id == id)
        .map_or(haplint::version::Version::LATEST, |doc| {
            doc.example_target()
        });
    Options {
        select: Some(vec![id.to_string()]),
        target,
        ..Options::default()
    }
}

fn count(report: &Report, id: &str) -> usize {
    report.active().filter(|f| f.finding.rule == id).count()
}

fn syntax_errors(report: &Report) -> Vec<String> {
    report
        .active()
        .filter(|f| f.finding.rule == "syntax" && f.severity == Severity::Error)
        .map(|f| f.finding.message.clone())
        .collect()
}

#[test]
fn catalog_loads() {
    assert!(
        catalog::load_errors().is_empty(),
        "{:#?}",
        catalog::load_errors()
    );
}

#[test]
fn every_rule_has_a_doc_and_every_doc_a_rule() {
    let documented: BTreeSet<&str> = catalog::ids().collect();
    for id in RULE_IDS.iter().chain(BUILTIN_IDS) {
        assert!(
            documented.contains(id),
            "rule `{id}` has no doc: add rules/{id}.yaml (see rules/README.md)"
        );
    }
    for id in &documented {
        assert!(
            RULE_IDS.contains(id) || BUILTIN_IDS.contains(id),
            "rules/{id}.yaml has no registered rule: add `{}::<Type>` to `rules!` in \
            src/rules/mod.rs",
            id.replace('-', "_")
        );
    }
}

fn check_doc(doc: &RuleDoc, stem: &str) -> Vec<String> {
    let mut problems = Vec::new();
    if doc.id != stem {
        problems.push(format!("id `{}` differs from the file name", doc.id));
    }
    if doc.summary.contains('\n') || doc.summary.ends_with('.') || doc.summary.trim().is_empty() {
        problems.push("summary must be one line without a trailing period".to_string());
    }
    if doc.why.trim().len() < 80 {
        problems.push("why must explain the effect in a few sentences".to_string());
    }
    if doc.examples.bad.is_empty() || doc.examples.good.is_empty() {
        problems.push("needs at least one bad and one good example".to_string());
    }
    if (doc.fix.availability == Availability::Never) != doc.fix.applicability.is_none() {
        problems.push(
            "fix.applicability must be set exactly when fix.availability is not never".to_string(),
        );
    }
    if haplint::version::VersionRange::parse(&doc.versions).is_none() {
        problems.push(format!(
            "versions `{}` is not like `>=2.4` or `>=2.4, <3.0`",
            doc.versions
        ));
    }
    problems
}

#[test]
fn docs_are_well_formed() {
    let mut problems = Vec::new();
    for doc in catalog::docs() {
        for problem in check_doc(doc, &doc.id) {
            problems.push(format!("rules/{}.yaml: {problem}", doc.id));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn bad_examples_fire_and_good_examples_do_not() {
    let mut problems = Vec::new();
    for doc in catalog::docs() {
        let id = doc.id.as_str();
        for (i, bad) in doc.examples.bad.iter().enumerate() {
            let report = run(id, &bad.config);
            if count(&report, id) == 0 {
                problems.push(format!(
                    "{id}: bad example {} does not trigger the rule",
                    i + 1
                ));
            }
            let errors = syntax_errors(&report);
            if id != "syntax" && !errors.is_empty() {
                problems.push(format!(
                    "{id}: bad example {} has syntax errors: {errors:?}",
                    i + 1
                ));
            }
        }
        for (i, good) in doc.examples.good.iter().enumerate() {
            let report = run(id, &good.config);
            let found: Vec<_> = report
                .active()
                .filter(|f| f.finding.rule == id)
                .map(|f| f.finding.message.clone())
                .collect();
            if !found.is_empty() {
                problems.push(format!(
                    "{id}: good example {} triggers the rule: {found:?}",
                    i + 1
                ));
            }
            let errors = syntax_errors(&report);
            if !errors.is_empty() {
                problems.push(format!(
                    "{id}: good example {} has syntax errors: {errors:?}",
                    i + 1
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn fixes_match_the_doc_converge_and_stay_valid() {
    let mut problems = Vec::new();
    for doc in catalog::docs() {
        let id = doc.id.as_str();
        for (i, bad) in doc.examples.bad.iter().enumerate() {
            let report = run(id, &bad.config);
            for reported in report.active().filter(|f| f.finding.rule == id) {
                match (
                    &reported.finding.fix,
                    doc.fix.availability,
                    doc.fix.applicability,
                ) {
                    (Some(_), Availability::Never, _) => problems.push(format!(
                        "{id}: the doc says fix.availability: never, but the rule produced a fix"
                    )),
                    (Some(fix), _, Some(declared)) if fix.applicability != declared => problems
                        .push(format!(
                            "{id}: fix is {:?} but the doc declares {declared:?}: change \
                            fix.applicability in rules/{id}.yaml or the rule",
                            fix.applicability
                        )),
                    (Some(fix), _, _) if fix.title.trim().is_empty() => {
                        problems.push(format!("{id}: a fix has no title"))
                    }
                    (None, Availability::Always, _) => problems.push(format!(
                        "{id}: the doc says fix.availability: always, but bad example {} \
                        produced no fix",
                        i + 1
                    )),
                    _ => {}
                }
            }
            let fixed = haplint::fix_text("example.cfg", &bad.config, &options_for(id), true);
            if !fixed.converged {
                problems.push(format!(
                    "{id}: fixes on bad example {} do not converge in {} rounds",
                    i + 1,
                    haplint::MAX_FIX_ROUNDS
                ));
            }
            let after = run(id, &fixed.text);
            let before_errors = syntax_errors(&report).len();
            if syntax_errors(&after).len() > before_errors {
                problems.push(format!(
                    "{id}: fixing bad example {} introduces syntax errors: {:?}\n{}",
                    i + 1,
                    syntax_errors(&after),
                    fixed.text
                ));
            }
            if doc.fix.availability == Availability::Always && count(&after, id) > 0 {
                problems.push(format!(
                    "{id}: the rule still fires after its fixes on bad example {}",
                    i + 1
                ));
            }
            let again = haplint::fix_text("example.cfg", &fixed.text, &options_for(id), true);
            if again.applied != 0 {
                problems.push(format!(
                    "{id}: a second fix run on bad example {} still changes the file",
                    i + 1
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The rendered findings on every bad example, then the diff of all fixes:
/// the reviewed voice of each rule.
#[test]
fn rendered_findings_and_fixes() {
    for doc in catalog::docs() {
        let id = doc.id.as_str();
        let mut text = String::new();
        for (i, bad) in doc.examples.bad.iter().enumerate() {
            text.push_str(&format!(
                "=== bad example {}: {}\n",
                i + 1,
                bad.title.as_deref().unwrap_or("")
            ));
            let report = run(id, &bad.config);
            text.push_str(&haplint::report::human::render(
                &report,
                haplint::report::human::Style::default(),
            ));
            let fixed = haplint::fix_text("example.cfg", &bad.config, &options_for(id), true);
            if fixed.applied > 0 {
                text.push_str("--- after all fixes (unsafe included):\n");
                text.push_str(&haplint::fix::diff::unified(
                    "example.cfg",
                    &bad.config,
                    &fixed.text,
                ));
            }
        }
        insta::assert_snapshot!(id, text);
    }
}

#[test]
fn explain_works_for_every_rule() {
    for doc in catalog::docs() {
        let text = haplint::report::explain::render(doc);
        assert!(text.starts_with(&doc.id), "{text}");
        assert!(text.contains("Why it matters"));
        if rules::is_known(&doc.id) && doc.id != "syntax" {
            assert!(
                text.contains(&format!("[{}]", doc.id)),
                "explain {} shows no live finding:\n{text}",
                doc.id
            );
        }
    }
}
