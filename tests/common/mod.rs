//! Helpers the integration tests share: running the binary as users do.

// Not every test file uses every helper.
#![allow(dead_code)]

pub mod messages;

use std::process::{Command, Output};

/// Run the built `haplint` with `args` and collect its output.
pub fn haplint(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_haplint"))
        .args(args)
        .output()
        .expect("run haplint")
}

/// What the run printed on standard output.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The haproxy series the project checks against: each has an oracle binary
/// installed by `tools/oracle/install`.
pub const ORACLE_SERIES: [&str; 4] = ["2.6", "3.0", "3.2", "3.4"];

/// Whether missing tools must fail the test instead of skipping it (CI sets
/// `HAPLINT_REQUIRE_TOOLS`).
pub fn tools_required() -> bool {
    std::env::var_os("HAPLINT_REQUIRE_TOOLS").is_some()
}

/// Say that `test` needs `what`, which is missing: a failure when tools are
/// required, otherwise a visible skip (the caller returns after it).
pub fn needs_tool(test: &str, what: &str) {
    if tools_required() {
        panic!("{test} needs {what}, which is missing (HAPLINT_REQUIRE_TOOLS is set)");
    }
    eprintln!("SKIPPED {test}: needs {what}");
}

/// Whether a program answers `PROGRAM ARG` (e.g. `--version`).
pub fn tool_runs(program: &str, arg: &str) -> bool {
    Command::new(program)
        .arg(arg)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok()
}

/// The oracle wrapper for one haproxy series (`target/oracle/bin/haproxy-3.2`),
/// if `tools/oracle/install` has installed it. `HAPLINT_ORACLE_DIR` points
/// elsewhere when the oracles live outside this checkout's `target/`.
pub fn oracle(series: &str) -> Option<std::path::PathBuf> {
    let dir = std::env::var_os("HAPLINT_ORACLE_DIR")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| {
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("target/oracle/bin")
        });
    let path = dir.join(format!("haproxy-{series}"));
    path.is_file().then_some(path)
}

/// The full version an oracle reports (`3.2.26-1`), read from `haproxy -v`.
pub fn oracle_version(path: &std::path::Path) -> String {
    let out = Command::new(path).arg("-v").output().expect("run oracle");
    let text = String::from_utf8_lossy(&out.stdout);
    text.split_whitespace().nth(2).unwrap_or("?").to_string()
}

/// Every oracle, or a failure (tools required) / skip naming the missing ones.
/// The series of each returned oracle is checked against its own `-v`, so a
/// wrong binary behind a wrapper cannot pass for another version.
pub fn oracles(test: &str) -> Vec<(&'static str, std::path::PathBuf)> {
    let mut found = Vec::new();
    let mut missing = Vec::new();
    for series in ORACLE_SERIES {
        match oracle(series) {
            Some(path) => {
                let version = oracle_version(&path);
                assert!(
                    version.starts_with(&format!("{series}.")),
                    "oracle haproxy-{series} reports version {version}"
                );
                found.push((series, path));
            }
            None => missing.push(series),
        }
    }
    if !missing.is_empty() {
        needs_tool(
            test,
            &format!(
                "haproxy oracles {} (run tools/oracle/install)",
                missing.join(", ")
            ),
        );
    }
    found
}

/// Run a shell `command` in a terminal (`script` gives it one) and type
/// `answers` at it; returns what the terminal showed.
pub fn in_terminal(command: &str, answers: &[u8]) -> String {
    use std::io::Write;
    let mut child = Command::new("script")
        .args(["-qec", command, "/dev/null"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("run script");
    let mut stdin = child.stdin.take().expect("script's stdin");
    stdin.write_all(answers).expect("type the answers");
    drop(stdin);
    let output = child.wait_with_output().expect("wait for script");
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// The line a finding of `report` starts on (1-based; 0 if its file is unknown).
pub fn line_of(report: &haplint::Report, reported: &haplint::Reported) -> u32 {
    let span = reported.finding.primary.span;
    report
        .sources
        .get(span.file)
        .map_or(0, |file| file.position(span.start).line)
}
