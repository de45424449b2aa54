//! A rule that panics loses nothing: its findings so far and every other
//! rule's stay, an `internal-error` finding names the rule and how far it
//! got, and the exit code is 2. The panic is injected by
//! `HAPLINT_TEST_PANIC_RULE`, which only debug builds (the tests') read.

// Test helpers may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::collections::BTreeSet;
use std::process::Command;

/// A finding as (rule, line, column, message).
type Found = (String, u64, u64, String);

/// Exit code and findings.
fn run(path: &str, panic_rule: Option<&str>) -> (Option<i32>, BTreeSet<Found>) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_haplint"));
    command.args(["check", "--no-config", "--format", "json", path]);
    if let Some(rule) = panic_rule {
        command.env("HAPLINT_TEST_PANIC_RULE", rule);
    }
    let output = command.output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)));
    let findings = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap(),
                d["column"].as_u64().unwrap(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (output.status.code(), findings)
}

fn assert_nothing_lost(path: &str, rule: &str, reached: &str) {
    let (code, normal) = run(path, None);
    assert_eq!(code, Some(1), "{path} has findings");
    assert!(normal.iter().any(|f| f.0 == rule), "{rule} fires on {path}");
    let (code, failed) = run(path, Some(rule));
    assert_eq!(code, Some(2), "a rule that panicked exits 2");
    let missing: Vec<_> = normal.difference(&failed).collect();
    assert!(missing.is_empty(), "findings lost: {missing:?}");
    let extra: Vec<_> = failed.difference(&normal).collect();
    assert_eq!(extra.len(), 1, "{extra:?}");
    let (id, _, _, message) = extra[0];
    assert_eq!(id, "internal-error");
    assert!(
        message.contains(&format!("rule `{rule}`")) && message.contains(reached),
        "{message}"
    );
}

#[test]
fn a_panicking_rule_becomes_an_internal_error_finding() {
    // ssl-verify-none's last finding in the incident is on line 41.
    assert_nothing_lost(
        "examples/alb-chain.cfg",
        "ssl-verify-none",
        "alb-chain.cfg:41:",
    );
}
