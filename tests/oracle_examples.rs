//! The four oracles judge the examples of the rules that stand for one of
//! haproxy's own warnings or refusals (issue 15): on every bad and good
//! example, for each series, haproxy's verdict is the expectation.
//!
//! For each example and series, haproxy's messages about the example are
//! read (environment-only ones and the generic "missing timeouts" notice
//! left out). The rule must then report something exactly when haproxy
//! does, at error severity when haproxy refuses (an ALERT, or exit status 1)
//! and warning severity when it only warns, and on every line haproxy names (haproxy 2.6 names
//! the wrong line for `option httplog` in a TCP proxy: that one is allowed).

// Test helpers may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::messages::{Level, Message, environment_patterns, parse_messages};
use haplint::finding::Severity;
use haplint::source::SourceSet;
use haplint::version::{Version, VersionRange};
use std::path::Path;
use std::process::Command;

/// The rules judged here: each one stands for haproxy messages.
const RULES: &[&str] = &[
    "misplaced-rule",
    "timeout-without-unit",
    "http-only-in-tcp-mode",
    "httpchk-headers-in-version",
    "invalid-header-name",
    "frontend-without-bind",
    "external-check-setup",
    "duplicate-name",
    "program-section",
    "ring-size",
];

/// Messages that are not about the example's point (each has its own rule).
const UNRELATED: &[&str] = &[
    "missing timeouts for",
    "log format ignored for",
    "Error(s) found in configuration file",
    "Fatal errors found in configuration",
];

/// The examples of a rule, and the releases it applies to (`versions:`).
fn examples(rule: &str) -> (Vec<(String, String)>, Option<VersionRange>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("rules/{rule}.yaml"));
    let doc: serde_yaml::Value =
        serde_yaml::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let versions = doc["versions"]
        .as_str()
        .filter(|v| *v != "all")
        .map(|v| VersionRange::parse(v).unwrap());
    let mut out = Vec::new();
    for kind in ["bad", "good"] {
        for (i, example) in doc["examples"][kind]
            .as_sequence()
            .into_iter()
            .flatten()
            .enumerate()
        {
            let config = example["config"].as_str().unwrap().to_string();
            out.push((format!("{rule} {kind} example {}", i + 1), config));
        }
    }
    (out, versions)
}

fn haplint(config: &str, rule: &str, series: &str) -> Vec<(u32, Severity)> {
    let mut sources = SourceSet::new();
    sources.add("example.cfg", None, config);
    let options = haplint::Options {
        target: Version::parse(series).unwrap(),
        select: Some(vec![rule.to_string()]),
        ..Default::default()
    };
    let report = haplint::check(sources, &options);
    report
        .active()
        .map(|f| (common::line_of(&report, f), f.severity))
        .collect()
}

#[test]
fn oracles_judge_the_rule_examples() {
    let oracles = common::oracles("oracle_examples");
    if oracles.len() < common::ORACLE_SERIES.len() {
        return;
    }
    let env = environment_patterns();
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("oracle-examples");
    std::fs::create_dir_all(&scratch).unwrap();
    let mut failures = Vec::new();
    let mut judged = 0;
    let mut spoken = 0;
    for rule in RULES {
        let (examples, versions) = examples(rule);
        for (name, config) in examples {
            let file = scratch.join("example.cfg");
            std::fs::write(&file, &config).unwrap();
            for (series, oracle) in &oracles {
                // Outside the releases a rule is about, other rules speak
                // (`unknown-keyword` for a section a release lacks, say).
                if versions
                    .as_ref()
                    .is_some_and(|range| !range.contains(Version::parse(series).unwrap()))
                {
                    continue;
                }
                let output = Command::new("timeout")
                    .args(["20"])
                    .arg(oracle)
                    .args(["-c", "-f"])
                    .arg(&file)
                    .current_dir(&scratch)
                    .output()
                    .unwrap();
                let messages: Vec<Message> =
                    parse_messages(&String::from_utf8_lossy(&output.stderr), &file)
                        .into_iter()
                        .filter(|m| {
                            !env.iter().any(|p| p.matches(m))
                                && !UNRELATED.iter().any(|u| m.text.contains(u))
                        })
                        .collect();
                let found = haplint(&config, rule, series);
                judged += 1;
                spoken += usize::from(!messages.is_empty());
                // Exit 1 is a refusal even when the only message is a warning (2.6 on
                // a small ring, 3.2 on a `program` section).
                let refused = output.status.code() == Some(1)
                    || messages.iter().any(|m| m.level == Level::Alert);
                let said = |what: &str| {
                    format!(
                        "{name}, haproxy {series}: {what}\n    haproxy: {messages:?}\n    haplint: \
                        {found:?}"
                    )
                };
                if messages.is_empty() != found.is_empty() {
                    failures.push(said(
                        "haplint and haproxy disagree on whether there is anything to say",
                    ));
                    continue;
                }
                let severity = if refused {
                    Severity::Error
                } else {
                    Severity::Warning
                };
                if !found.is_empty() && !found.iter().any(|f| f.1 == severity) {
                    failures.push(said(&format!(
                        "haplint has no finding at {severity:?} severity"
                    )));
                }
                let mislocated_httplog = *series == "2.6" && *rule == "http-only-in-tcp-mode";
                for m in &messages {
                    if let Some(line) = m.line
                        && !mislocated_httplog
                        && !found.iter().any(|f| f.0 == line)
                    {
                        failures.push(said(&format!("haplint says nothing on line {line}")));
                    }
                }
            }
        }
    }
    println!("{judged} verdicts compared, {spoken} with something from haproxy");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Every bad example draws a message from at least one series, most from all four.
    assert!(
        spoken >= 30,
        "only {spoken} verdicts where haproxy said anything"
    );
}
