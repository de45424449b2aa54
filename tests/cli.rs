//! The binary as users run it: exit codes, formats, inputs.

// Test helpers may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{haplint, stdout};

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn haplint_stdin(args: &[&str], input: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_haplint"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn haplint");
    child.stdin.take().unwrap().write_all(input).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn clean_config_exits_0() {
    let output = haplint(&["check", "--no-config", "examples/web.cfg"]);
    assert_eq!(output.status.code(), Some(0), "{}", stdout(&output));
}

#[test]
fn human_report_of_a_broken_config() {
    let output = haplint(&[
        "check",
        "--no-config",
        "--color",
        "never",
        "tests/fixtures/cli/broken.cfg",
    ]);
    assert_eq!(output.status.code(), Some(1));
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn json_report_is_the_documented_contract() {
    let output = haplint(&[
        "check",
        "--no-config",
        "--format",
        "json",
        "tests/fixtures/cli/broken.cfg",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["version"], 1);
    let first = json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["rule"] == "syntax")
        .unwrap();
    for key in [
        "rule",
        "severity",
        "message",
        "file",
        "line",
        "column",
        "end_line",
        "end_column",
    ] {
        assert!(!first[key].is_null(), "missing {key} in {first}");
    }
    assert_eq!(first["rule"], "syntax");
    assert_eq!(first["line"], 5);
    assert_eq!(first["column"], 36);
    assert_eq!(json["summary"]["error"], 1);
    insta::assert_snapshot!(stdout(&output));
}

#[test]
fn fail_on_error_ignores_warnings() {
    let input = b"global\n    daemon # haplint: disable=no-such-rule\n";
    let strict = haplint_stdin(&["check", "--no-config", "-"], input);
    assert_eq!(strict.status.code(), Some(1));
    let lenient = haplint_stdin(&["check", "--no-config", "--fail-on", "error", "-"], input);
    assert_eq!(lenient.status.code(), Some(0));
}

#[test]
fn stdin_uses_the_given_name() {
    let output = haplint_stdin(
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            "--stdin-filename",
            "conf/haproxy.cfg",
            "-",
        ],
        b"global\n  daemon",
    );
    assert_eq!(output.status.code(), Some(1));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["diagnostics"][0]["file"], "conf/haproxy.cfg");
    assert_eq!(json["diagnostics"][0]["line"], 2);
}

#[test]
fn missing_file_exits_2_naming_it() {
    let output = haplint(&["check", "--no-config", "does/not/exist.cfg"]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("does/not/exist.cfg"));
}

#[test]
fn invalid_utf8_exits_2_with_byte_offset() {
    let dir = std::env::temp_dir().join(format!("haplint-utf8-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("latin1.cfg");
    std::fs::write(&path, b"global\n    # caf\xe9\n").unwrap();
    let output = haplint(&["check", "--no-config", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("latin1.cfg") && stderr.contains("byte offset 16"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn directory_reads_cfg_files_in_byte_order_and_sections_span_files() {
    let dir = std::env::temp_dir().join(format!("haplint-dir-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("10-backend.cfg"),
        "backend app\n    server a 10.0.0.1:80\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("00-front.cfg"),
        "frontend web\n    bind :80\n    default_backend app\n",
    )
    .unwrap();
    std::fs::write(dir.join(".hidden.cfg"), "garbage\n").unwrap();
    std::fs::write(dir.join("notes.txt"), "garbage\n").unwrap();
    let output = haplint(&[
        "check",
        "--no-config",
        "--format",
        "json",
        dir.to_str().unwrap(),
    ]);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["summary"]["files"], 2, "{json}");
    assert_eq!(json["summary"]["error"], 0, "{json}");
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn unknown_rule_in_select_is_a_usage_error_with_suggestion() {
    let output = haplint(&[
        "check",
        "--no-config",
        "--select",
        "ssl-verfy-none",
        "examples/web.cfg",
    ]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("unknown rule id `ssl-verfy-none`"),
        "{stderr}"
    );
}

#[test]
fn no_input_is_a_usage_error() {
    let output = haplint(&["check", "--no-config"]);
    assert_eq!(output.status.code(), Some(2));
}

#[test]
fn human_report_puts_errors_first_groups_repeats_and_counts_per_rule() {
    let output = haplint(&[
        "check",
        "--no-config",
        "--select",
        "ALL",
        "--color",
        "never",
        "tests/fixtures/cli/repeats.cfg",
    ]);
    assert_eq!(output.status.code(), Some(1));
    let text = stdout(&output);
    let error = text.find("× undefined-reference").unwrap();
    let warning = text.find("⚠ weak-tls-version").unwrap();
    let info = text.find("tcp-check-on-http-backend:").unwrap();
    assert!(error < warning && warning < info, "{text}");
    assert_eq!(text.matches("⚠ weak-tls-version").count(), 1, "{text}");
    insta::assert_snapshot!(text);
}

#[test]
fn machine_formats_keep_one_record_per_finding_in_file_order() {
    let output = haplint(&[
        "check",
        "--no-config",
        "--select",
        "ALL",
        "--format",
        "concise",
        "-q",
        "tests/fixtures/cli/repeats.cfg",
    ]);
    let text = stdout(&output);
    let lines: Vec<u32> = text
        .lines()
        .map(|l| l.split(':').nth(1).unwrap().parse().unwrap())
        .collect();
    assert_eq!(lines.len(), 31, "{text}");
    assert!(lines.windows(2).all(|w| w[0] <= w[1]), "{text}");
    let json = stdout(&haplint(&[
        "check",
        "--no-config",
        "--select",
        "ALL",
        "--format",
        "json",
        "tests/fixtures/cli/repeats.cfg",
    ]));
    assert_eq!(json.matches("\"rule\": \"weak-tls-version\"").count(), 22);
}

/// Releases before 2.4 are refused with a reason, not checked with 2.4's
/// keyword tables (which said `global` "appeared in 2.4").
#[test]
fn versions_before_2_4_are_refused_clearly() {
    let out = haplint(&[
        "check",
        "--haproxy-version",
        "2.2",
        "examples/alb-chain.cfg",
    ]);
    assert_eq!(out.status.code(), Some(2));
    let text = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("HAProxy 2.2 is older than 2.4"), "{text}");
    assert!(!stdout(&out).contains("appeared in 2.4"));
    let out = haplint(&[
        "check",
        "--haproxy-version",
        "2.4",
        "examples/alb-chain.cfg",
    ]);
    assert_eq!(out.status.code(), Some(1));
}
