//! The incident that motivates haplint (examples/alb-chain.cfg): the findings
//! that explain it, and what fixing them leaves.

// Test helpers may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::collections::BTreeSet;
use std::fs;
use std::process::Command;

const SEVEN: &[(&str, u32)] = &[
    ("splice-with-tls", 11),
    ("log-format-override", 29),
    ("server-close-defeats-reuse", 13),
    ("missing-http-reuse", 39),
    ("missing-server-maxconn", 41),
    ("ssl-verify-none", 41),
    ("undefined-reference", 41),
];

fn findings(path: &str) -> Vec<(String, u32)> {
    let output = Command::new(env!("CARGO_BIN_EXE_haplint"))
        .args(["check", "--format", "json", path])
        .output()
        .unwrap();
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["rule"].as_str().unwrap().to_string(),
                d["line"].as_u64().unwrap() as u32,
            )
        })
        .collect()
}

#[test]
fn the_seven_incident_rules_fire_on_their_lines() {
    let found = findings("examples/alb-chain.cfg");
    for (rule, line) in SEVEN {
        assert!(
            found.contains(&(rule.to_string(), *line)),
            "{rule} not reported on line {line}: {found:?}"
        );
    }
}

#[test]
fn fixing_everything_leaves_only_what_needs_a_decision() {
    let dir = tempfile::Builder::new()
        .prefix("haplint-incident-")
        .tempdir()
        .unwrap()
        .keep();
    fs::copy("examples/alb-chain.cfg", dir.join("alb-chain.cfg")).unwrap();
    fs::copy("examples/.haplint.yaml", dir.join(".haplint.yaml")).unwrap();
    let path = dir.join("alb-chain.cfg");
    let status = Command::new(env!("CARGO_BIN_EXE_haplint"))
        .args([
            "check",
            "--fix",
            "--unsafe-fixes",
            "--format",
            "json",
            path.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert_eq!(
        status.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let left: BTreeSet<String> = findings(path.to_str().unwrap())
        .into_iter()
        .map(|(rule, _)| rule)
        .collect();
    // `resolvers aws` must be written by a person (the finding says so); the
    // health-check endpoint is the application's choice; so are the host's
    // account, chroot and the HSTS policy (opt-in advice the example asks for).
    let expected: BTreeSet<String> = [
        "undefined-reference",
        "tcp-check-on-http-backend",
        "missing-hsts",
        "no-chroot",
        "no-privilege-drop",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    assert_eq!(left, expected);

    // With the resolvers section the operator has to add, the real haproxy accepts the result.
    if let Some(haproxy) = common::oracle("2.6") {
        let mut text = fs::read_to_string(&path).unwrap();
        text.push_str("resolvers aws\n    nameserver vpc 127.0.0.1:53\n");
        let verdict =
            haplint::fix::verify::check(&haproxy, &[("alb-chain.cfg".to_string(), text)], &dir)
                .unwrap();
        assert!(verdict.accepted, "{}", verdict.output);
        assert!(verdict.placeholders.iter().any(|p| p.contains("crt-list")));
    } else {
        common::needs_tool(
            "fixing_everything_leaves_only_what_needs_a_decision",
            "the haproxy 2.6 oracle (run tools/oracle/install)",
        );
    }
    fs::remove_dir_all(&dir).ok();
}
