//! The CI and editor formats: SARIF validated against the official SARIF
//! 2.1.0 schema, GitHub annotations, Checkstyle, concise lines, `-o` pairs,
//! `--quiet` and `--statistics`.

// Test helpers may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{haplint, needs_tool, stdout};

use serde_json::Value;
use std::path::PathBuf;
use std::process::{Command, Output};

const INCIDENT: &str = "examples/alb-chain.cfg";

fn sarif_of(path: &str) -> Value {
    let output = haplint(&[
        "check",
        "--no-config",
        "--select",
        "ALL",
        "--format",
        "sarif",
        path,
    ]);
    serde_json::from_slice(&output.stdout).unwrap()
}

/// The SARIF 2.1.0 schema file (2.1.0-rtm.5), which `.ci/run` takes from
/// Microsoft's `@microsoft/jest-sarif` npm package (MIT, 23 kB);
/// `HAPLINT_SARIF_SCHEMA` may point elsewhere.
fn schema_path() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("HAPLINT_SARIF_SCHEMA").map(PathBuf::from),
        Some(PathBuf::from("target/sarif/sarif-2.1.0.json")),
    ];
    candidates.into_iter().flatten().find(|p| p.is_file())
}

const VALIDATE: &str = r#"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
document = json.load(open(sys.argv[2]))
errors = list(jsonschema.Draft202012Validator(schema).iter_errors(document))
for error in errors[:10]:
    print(error.message[:300], list(error.absolute_path))
sys.exit(1 if errors else 0)
"#;

fn validate(schema: &PathBuf, document: &Value) -> Output {
    let file = tempfile::Builder::new()
        .prefix("haplint-sarif-")
        .suffix(".json")
        .tempfile()
        .unwrap();
    std::fs::write(file.path(), document.to_string()).unwrap();
    Command::new("python3")
        .args(["-c", VALIDATE])
        .arg(schema)
        .arg(file.path())
        .output()
        .unwrap()
}

#[test]
fn sarif_validates_against_the_sarif_2_1_0_schema() {
    const TEST: &str = "sarif_validates_against_the_sarif_2_1_0_schema";
    let has_jsonschema = Command::new("python3")
        .args(["-c", "import jsonschema"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_jsonschema {
        return needs_tool(TEST, "python3 with jsonschema (.ci/run installs it)");
    }
    let Some(schema) = schema_path() else {
        return needs_tool(TEST, "the SARIF 2.1.0 schema file (.ci/run fetches it)");
    };
    // A suppressed finding, a finding with a fix, one with related locations.
    let mut sarif = sarif_of(INCIDENT);
    let output = validate(&schema, &sarif);
    assert!(output.status.success(), "{}", stdout(&output));
    let suppressed = sarif_of("tests/fixtures/cli/suppressed.cfg");
    let output = validate(&schema, &suppressed);
    assert!(output.status.success(), "{}", stdout(&output));

    // The validator does reject what the schema forbids.
    sarif["runs"][0]["results"][0]["level"] = Value::from("fatal");
    assert!(!validate(&schema, &sarif).status.success());
}

#[test]
fn every_sarif_result_points_at_its_rule() {
    let sarif = sarif_of(INCIDENT);
    let run = &sarif["runs"][0];
    let rules = run["tool"]["driver"]["rules"].as_array().unwrap();
    assert!(rules.iter().any(|r| r["id"] == "internal-error"));
    assert!(rules.iter().any(|r| r["id"] == "syntax"));
    let results = run["results"].as_array().unwrap();
    assert!(results.len() >= 10);
    for result in results {
        let index = result["ruleIndex"].as_u64().unwrap() as usize;
        assert_eq!(rules[index]["id"], result["ruleId"]);
        assert!(
            rules[index]["helpUri"]
                .as_str()
                .unwrap()
                .starts_with("https://")
        );
        assert!(
            result["locations"][0]["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .unwrap()
                >= 1
        );
    }
    assert!(results.iter().any(|r| r.get("fixes").is_some()));
}

#[test]
fn sarif_fingerprints_survive_lines_moving() {
    let text = std::fs::read_to_string(INCIDENT).unwrap();
    let dir = tempfile::Builder::new()
        .prefix("haplint-fp-")
        .tempdir()
        .unwrap()
        .keep();
    let moved = dir.join("alb-chain.cfg");
    std::fs::write(&moved, format!("# a comment added on top\n\n{text}")).unwrap();
    let original = std::fs::read_to_string(INCIDENT).unwrap();
    let same_name = dir.join("orig");
    std::fs::create_dir_all(&same_name).unwrap();
    std::fs::write(same_name.join("alb-chain.cfg"), original).unwrap();
    // Same file name relative to the working directory, so only the lines differ.
    let run = |cwd: &PathBuf| {
        let output = Command::new(env!("CARGO_BIN_EXE_haplint"))
            .args([
                "check",
                "--no-config",
                "--select",
                "ALL",
                "--format",
                "sarif",
                "alb-chain.cfg",
            ])
            .current_dir(cwd)
            .output()
            .unwrap();
        let sarif: Value = serde_json::from_slice(&output.stdout).unwrap();
        sarif["runs"][0]["results"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    r["partialFingerprints"]["haplint/v1"]
                        .as_str()
                        .unwrap()
                        .to_string(),
                    r["locations"][0]["physicalLocation"]["region"]["startLine"]
                        .as_u64()
                        .unwrap(),
                )
            })
            .collect::<Vec<_>>()
    };
    let before = run(&same_name);
    let after = run(&dir);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(before.len(), after.len());
    for ((fp_before, line_before), (fp_after, line_after)) in before.iter().zip(&after) {
        assert_eq!(fp_before, fp_after);
        assert_eq!(line_before + 2, *line_after);
    }
    let mut unique: Vec<_> = before.iter().map(|(fp, _)| fp).collect();
    unique.sort();
    unique.dedup();
    assert_eq!(
        unique.len(),
        before.len(),
        "fingerprints tell findings apart"
    );
}

#[test]
fn line_formats() {
    let concise = stdout(&haplint(&[
        "check",
        "--no-config",
        "--select",
        "ALL",
        "--format",
        "concise",
        "-q",
        INCIDENT,
    ]));
    let github = stdout(&haplint(&[
        "check",
        "--no-config",
        "--select",
        "ALL",
        "--format",
        "github",
        INCIDENT,
    ]));
    let checkstyle = stdout(&haplint(&[
        "check",
        "--no-config",
        "--select",
        "ALL",
        "--format",
        "checkstyle",
        INCIDENT,
    ]));
    insta::assert_snapshot!("concise", concise);
    insta::assert_snapshot!("github", github);
    insta::assert_snapshot!("checkstyle", checkstyle);
    for line in concise.lines() {
        let parts: Vec<&str> = line.splitn(4, ':').collect();
        assert_eq!(parts[0], INCIDENT, "{line}");
        assert!(
            parts[1].parse::<u32>().is_ok() && parts[2].parse::<u32>().is_ok(),
            "{line}"
        );
        assert!(line.ends_with(']'), "{line}");
    }
    for line in github.lines() {
        assert!(
            line.starts_with("::warning file=")
                || line.starts_with("::error file=")
                || line.starts_with("::notice file="),
            "{line}"
        );
    }
}

#[test]
fn several_formats_in_one_run() {
    let dir = tempfile::Builder::new()
        .prefix("haplint-out-")
        .tempdir()
        .unwrap()
        .keep();
    let sarif = dir.join("out.sarif");
    let json = dir.join("out.json");
    let output = haplint(&[
        "check",
        "--no-config",
        "--select",
        "ALL",
        "--format",
        "concise",
        "--format",
        "sarif",
        "-o",
        sarif.to_str().unwrap(),
        "--format",
        "json",
        "-o",
        json.to_str().unwrap(),
        "--statistics",
        INCIDENT,
    ]);
    assert_eq!(output.status.code(), Some(1));
    let printed = stdout(&output);
    assert!(
        printed.contains("[server-close-defeats-reuse]"),
        "{printed}"
    );
    assert!(
        printed.contains("  server-close-defeats-reuse"),
        "statistics: {printed}"
    );
    let sarif: Value = serde_json::from_str(&std::fs::read_to_string(&sarif).unwrap()).unwrap();
    let json: Value = serde_json::from_str(&std::fs::read_to_string(&json).unwrap()).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(sarif["version"], "2.1.0");
    assert_eq!(
        sarif["runs"][0]["results"].as_array().unwrap().len(),
        json["diagnostics"].as_array().unwrap().len()
    );

    let two_to_stdout = haplint(&[
        "check",
        "--no-config",
        "--select",
        "ALL",
        "--format",
        "json",
        "--format",
        "sarif",
        INCIDENT,
    ]);
    assert_eq!(two_to_stdout.status.code(), Some(2));
}

#[test]
fn quiet_prints_only_findings() {
    let quiet = stdout(&haplint(&[
        "check",
        "--no-config",
        "--select",
        "ALL",
        "-q",
        "--color",
        "never",
        INCIDENT,
    ]));
    let full = stdout(&haplint(&[
        "check",
        "--no-config",
        "--select",
        "ALL",
        "--color",
        "never",
        INCIDENT,
    ]));
    assert!(full.contains(" warnings, "));
    assert!(!quiet.contains(" warnings, "));
    assert!(quiet.contains("server-close-defeats-reuse"));
}

#[test]
fn completions_and_man_page() {
    for shell in ["bash", "zsh", "fish"] {
        let output = haplint(&["completions", shell]);
        assert!(output.status.success());
        assert!(stdout(&output).contains("explain"), "{shell}");
    }
    let man = stdout(&haplint(&["man"]));
    assert!(man.contains(".TH HAPLINT"), "{man}");
    assert!(man.contains("check"));
}
