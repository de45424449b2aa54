//! Property tests for the fixer (the stable-toolchain stand-in for a fuzz
//! target): on configurations assembled from realistic, rule-triggering
//! fragments, applying every fix converges, never adds a syntax error,
//! changes no line that an applied edit does not span (checked round by
//! round with a line diff, no kind of statement exempt), and a second run
//! changes nothing.

// Test helpers may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use haplint::finding::Severity;
use haplint::source::SourceSet;
use haplint::{Options, check, fix_text};
use proptest::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

fn section_header() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("global".to_string()),
        Just("defaults".to_string()),
        "frontend f[0-2]".prop_map(|s| s),
        "backend b[0-2]".prop_map(|s| s),
        "listen l[0-2]".prop_map(|s| s),
    ]
}

fn statement() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("mode http".to_string()),
        Just("mode tcp".to_string()),
        Just("option http-server-close".to_string()),
        Just("option httpclose".to_string()),
        Just("option splice-auto".to_string()),
        Just("option httplog".to_string()),
        Just("log-format \"%ci %ST\"".to_string()),
        Just("timeout server 1h".to_string()),
        Just("timeout client 30s".to_string()),
        Just("timeout connect 5s".to_string()),
        Just("maxconn 100".to_string()),
        Just("maxconn 90000".to_string()),
        Just("http-reuse never".to_string()),
        Just("retry-on all-retryable-errors".to_string()),
        Just("bind :443 ssl crt /x.pem".to_string()),
        Just("bind :80".to_string()),
        Just("default_backend b0".to_string()),
        Just("use_backend bx if { path /x }".to_string()),
        Just("default-server inter 3s rise 1 fall 3".to_string()),
        Just(
            "server s1 a.example.com:443 ssl verify none check port 443 resolvers dns".to_string()
        ),
        Just("server s2 10.0.0.1:80 check".to_string()),
        Just("server-template t 3 lb-1.us-east-1.elb.amazonaws.com:443 ssl".to_string()),
        Just("stick-table type ip size 1k store http_req_rate(10s)".to_string()),
        Just("stats uri /stats".to_string()),
        Just("ssl-default-bind-options ssl-min-ver TLSv1.0".to_string()),
        Just("# haplint: disable=ssl-verify-none".to_string()),
    ]
}

fn line_end() -> impl Strategy<Value = &'static str> {
    prop_oneof![Just("\n"), Just("\r\n"), Just(" # note\n")]
}

fn config() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (
            section_header(),
            prop::collection::vec(
                (
                    prop_oneof![Just("    "), Just("\t")],
                    statement(),
                    line_end(),
                ),
                0..6,
            ),
        ),
        1..6,
    )
    .prop_map(|sections| {
        let mut text = String::new();
        for (header, body) in sections {
            text.push_str(&header);
            text.push('\n');
            for (indent, line, end) in body {
                text.push_str(indent);
                text.push_str(&line);
                text.push_str(end);
            }
        }
        text
    })
}

/// Apply every fix round by round as `fix_text` does, and check each round
/// with a line diff: every line that does not survive it byte for byte (line
/// end included) is a line one of the applied edits spans. An insertion at a
/// line start touches no line; anywhere else it touches its line.
fn untouched_lines_survive(text: &str) -> Result<(), String> {
    let options = Options::default();
    let mut current = text.to_string();
    for round in 0..haplint::MAX_FIX_ROUNDS {
        let mut sources = SourceSet::new();
        let id = sources.add("p.cfg", None, current.as_str());
        let report = check(sources, &options);
        let fixes: Vec<&haplint::finding::Fix> = report
            .active()
            .filter_map(|f| f.finding.fix.as_ref())
            .filter(|fix| haplint::fix::allowed(fix, true))
            .collect();
        let texts = BTreeMap::from([(id, current.clone())]);
        let pass = haplint::fix::apply_all(&texts, &fixes);
        if pass.applied.is_empty() {
            return Ok(());
        }
        let lines = report.sources.get(id).unwrap().lines();
        let mut touched = BTreeSet::new();
        for &index in &pass.applied {
            for edit in &fixes[index].edits {
                let (start, end) = (edit.span.start, edit.span.end);
                if start < end {
                    touched.extend(lines.line_of(start)..=lines.line_of(end - 1));
                } else if lines.line_start(lines.line_of(start)) != start {
                    touched.insert(lines.line_of(start));
                }
            }
        }
        let next = pass
            .changed
            .get(&id)
            .cloned()
            .unwrap_or_else(|| current.clone());
        let diff = similar::TextDiff::from_lines(&current, &next);
        for change in diff.iter_all_changes() {
            if change.tag() == similar::ChangeTag::Delete {
                let line = change.old_index().unwrap();
                if !touched.contains(&line) {
                    return Err(format!(
                        "round {round}: line {} {:?}, which no applied edit spans, \
                            changed:\n{next}",
                        line + 1,
                        change.value()
                    ));
                }
            }
        }
        current = next;
    }
    Ok(())
}

fn syntax_errors(text: &str) -> usize {
    let mut sources = SourceSet::new();
    sources.add("p.cfg", None, text);
    check(sources, &Options::default())
        .active()
        .filter(|f| f.finding.rule == "syntax" && f.severity == Severity::Error)
        .count()
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 300,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x4a11),
        ..ProptestConfig::default()
    })]

    #[test]
    fn fixes_converge_stay_valid_and_are_idempotent(text in config()) {
        let options = Options::default();
        let fixed = fix_text("p.cfg", &text, &options, true);
        prop_assert!(fixed.converged, "fixes did not converge on:\n{text}");
        prop_assert!(
            syntax_errors(&fixed.text) <= syntax_errors(&text),
            "fixes added a syntax error:\n{text}\n---\n{}",
            fixed.text
        );
        let again = fix_text("p.cfg", &fixed.text, &options, true);
        prop_assert_eq!(again.applied, 0, "second run still fixes:\n{}", fixed.text);
        // Lines no edit touched keep their exact bytes, line ends included.
        if let Err(message) = untouched_lines_survive(&text) {
            prop_assert!(false, "{message}\n--- on:\n{text}");
        }
    }
}

/// The property above must not be vacuous: the generated configurations do
/// get fixes applied.
#[test]
fn generated_configurations_get_fixed() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, RngSeed, TestRunner};
    let mut runner = TestRunner::new(Config {
        rng_seed: RngSeed::Fixed(0x4a11),
        ..Config::default()
    });
    let strategy = config();
    let mut applied = 0;
    for _ in 0..50 {
        let text = strategy.new_tree(&mut runner).unwrap().current();
        applied += fix_text("p.cfg", &text, &Options::default(), true).applied;
    }
    assert!(
        applied > 20,
        "only {applied} fixes applied on 50 generated configurations"
    );
    println!("{applied} fixes applied on 50 generated configurations");
}

/// Inputs the fuzzers found, kept as regressions: each must satisfy the fixer
/// property. (`fix-renamed-negated-acl.cfg`: a "did you mean" rename of
/// `!name` dropped the `!`, and proposed a name holding NUL bytes;
/// `fix-zero-timeout-override.cfg`: a proxy's own `timeout connect 0s` made
/// `missing-timeouts` add lines to the defaults forever;
/// `fix-append-after-unclosed-quote.cfg`: words appended to a line whose
/// unclosed quote swallowed them, again and again (lines with a syntax error
/// now get no fix); `fix-rename-to-the-same-text.cfg`: a rename whose
/// replacement was the text already there, applied forever (edits that change
/// nothing are no longer applied); `fix-server-maxconn-zero.cfg`: a server's
/// own `maxconn 0` overrode the `default-server` line the fix kept extending;
/// `fix-server-maxconn-without-value.cfg`: the same with a `maxconn` whose
/// value is missing; `fix-rename-inside-quotes.cfg`: a rename of a quoted
/// `default_backend "…"` wrote a quoted name inside the old quotes (a quoted
/// word is now replaced whole).)
#[test]
fn fuzz_regressions_hold_the_fixer_property() {
    let mut checked = 0;
    for entry in std::fs::read_dir("tests/fixtures/fuzz").unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let options = Options::default();
        let fixed = fix_text("f.cfg", &text, &options, true);
        assert!(fixed.converged, "{}", path.display());
        assert!(
            syntax_errors(&fixed.text) <= syntax_errors(&text),
            "{}: fixes added a syntax error",
            path.display()
        );
        assert_eq!(
            fix_text("f.cfg", &fixed.text, &options, true).applied,
            0,
            "{}",
            path.display()
        );
        checked += 1;
    }
    assert!(checked > 0);
}
