//! The pre-commit hooks of `.pre-commit-hooks.yaml`, run for real by
//! pre-commit (from PyPI) in a scratch git repository: the `haplint` hook
//! fails on a bad config with haplint's finding, `haplint-fix` repairs it,
//! and the `haplint` hook then passes.
//!
//! pre-commit installs the hook from this repository at its HEAD commit,
//! so what is tested is what is committed. Without `pre-commit` or `git` the
//! test says so and passes, unless HAPLINT_REQUIRE_TOOLS is set (CI sets it).

// Test helpers may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::needs_tool;

use std::path::Path;
use std::process::{Command, Output};

fn available(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run(dir: &Path, program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("PRE_COMMIT_HOME", dir.join(".cache"))
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
        // Share the compiled dependencies with this build: the hook's
        // `cargo install` then only compiles haplint itself.
        .env(
            "CARGO_TARGET_DIR",
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/pre-commit"),
        )
        .output()
        .unwrap_or_else(|e| panic!("run {program}: {e}"))
}

fn text(output: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    )
}

const BAD: &str = "global
    maxconn 1000

defaults
    mode http
    timeout connect 5s
    timeout client 30s
    timeout server 30s
    timeout http-request 10s
    timeout queue 10s

frontend www
    bind :80
    default_backend app

backend app
    option httpchk GET /health
    server a1 10.0.0.1:8080 check port 8080 maxconn 100
";

#[test]
fn hooks_fail_on_a_bad_config_and_pass_after_the_fix() {
    const TEST: &str = "hooks_fail_on_a_bad_config_and_pass_after_the_fix";
    for program in ["pre-commit", "git"] {
        if !available(program) {
            return needs_tool(TEST, program);
        }
    }
    let this_repo = env!("CARGO_MANIFEST_DIR");
    let head = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(this_repo)
        .output()
        .unwrap();
    if !head.status.success() {
        return needs_tool(TEST, "a git checkout with a HEAD commit");
    }
    let rev = String::from_utf8_lossy(&head.stdout).trim().to_string();
    let scratch = tempdir();
    let dir = scratch.as_path();
    std::fs::create_dir_all(dir.join("haproxy")).unwrap();
    std::fs::write(dir.join("haproxy/haproxy.cfg"), BAD).unwrap();
    std::fs::write(dir.join("notes.cfg"), "not a haproxy file, not matched\n").unwrap();
    let config = format!(
        "repos:\n  - repo: {this_repo}\n    rev: {rev}\n    hooks:\
            \n      - id: haplint\n        args: [--fail-on, info, --extend-select, \
            redundant-check-port]\
            \n      - id: haplint-fix\n        args: [--fail-on, info, --extend-select, \
            redundant-check-port]\
            \n        stages: [manual]\n"
    );
    std::fs::write(dir.join(".pre-commit-config.yaml"), config).unwrap();
    assert!(run(dir, "git", &["init", "-q"]).status.success());
    assert!(run(dir, "git", &["add", "."]).status.success());

    let failing = run(dir, "pre-commit", &["run", "haplint", "--all-files"]);
    let out = text(&failing);
    assert!(!failing.status.success(), "{out}");
    assert!(out.contains("redundant-check-port"), "{out}");
    assert!(out.contains("haproxy/haproxy.cfg"), "{out}");
    assert!(!out.contains("notes.cfg"), "{out}");

    let fixing = run(
        dir,
        "pre-commit",
        &[
            "run",
            "haplint-fix",
            "--all-files",
            "--hook-stage",
            "manual",
        ],
    );
    let fixed = std::fs::read_to_string(dir.join("haproxy/haproxy.cfg")).unwrap();
    assert!(!fixed.contains("port 8080"), "{}\n{fixed}", text(&fixing));
    assert!(
        fixed.contains("server a1 10.0.0.1:8080 check maxconn 100"),
        "{fixed}"
    );

    assert!(run(dir, "git", &["add", "."]).status.success());
    let passing = run(dir, "pre-commit", &["run", "haplint", "--all-files"]);
    assert!(passing.status.success(), "{}", text(&passing));
}

/// A fresh directory under the target folder, removed when dropped.
struct TempDir(std::path::PathBuf);

impl TempDir {
    fn as_path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn tempdir() -> TempDir {
    let base = tempfile::Builder::new()
        .prefix("haplint-pre-commit-")
        .tempdir()
        .unwrap()
        .keep();
    TempDir(base)
}
