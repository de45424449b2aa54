//! Applying fixes through the binary: exact edits, idempotence, atomic and
//! verified writes, interactive review.

// Test helpers may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::needs_tool;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

fn haplint(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_haplint"));
    command.args(args).stdin(Stdio::null());
    for (k, v) in env {
        command.env(k, v);
    }
    command.output().unwrap()
}

fn scratch(tag: &str) -> PathBuf {
    tempfile::Builder::new()
        .prefix(&format!("haplint-fix-{tag}-"))
        .tempdir()
        .unwrap()
        .keep()
}

fn copy_fixture(dir: &Path) -> PathBuf {
    let path = dir.join("haproxy.cfg");
    fs::copy("tests/fixtures/fix/crlf-tabs.cfg", &path).unwrap();
    path
}

const SELECT: &str = "server-close-defeats-reuse,ssl-verify-none";

#[test]
fn diff_writes_nothing_and_exits_1() {
    let dir = scratch("diff");
    let path = copy_fixture(&dir);
    let before = fs::read(&path).unwrap();
    let output = haplint(
        &[
            "check",
            "--no-config",
            "--select",
            SELECT,
            "--diff",
            "--unsafe-fixes",
            path.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(fs::read(&path).unwrap(), before);
    let diff = String::from_utf8(output.stdout).unwrap();
    assert!(
        diff.contains("-\toption http-server-close # legacy\r\n"),
        "{diff}"
    );
    assert!(
        diff.contains(
            "+\tserver a app.example.com:443 ssl verify required ca-file \
        @system-ca sni str(app.example.com)  # \"quoted\" stays\r\n"
        ),
        "{diff}"
    );
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn safe_only_by_default_and_fix_touches_only_the_fix_spans() {
    let dir = scratch("exact");
    let path = copy_fixture(&dir);
    let original = fs::read_to_string(&path).unwrap();
    let safe_only = haplint(
        &[
            "check",
            "--no-config",
            "--select",
            SELECT,
            "--fix",
            path.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(
        fs::read_to_string(&path).unwrap(),
        original,
        "unsafe fixes applied without --unsafe-fixes"
    );
    assert!(String::from_utf8_lossy(&safe_only.stderr).contains("--unsafe-fixes"));
    haplint(
        &[
            "check",
            "--no-config",
            "--select",
            SELECT,
            "--fix",
            "--unsafe-fixes",
            path.to_str().unwrap(),
        ],
        &[],
    );
    let fixed = fs::read_to_string(&path).unwrap();
    let expected = original
        .replace("\toption http-server-close # legacy\r\n", "")
        .replace(
            "ssl verify none",
            "ssl verify required ca-file @system-ca sni str(app.example.com)",
        );
    assert_eq!(fixed, expected);
    // A second run has nothing left to do.
    let again = haplint(
        &[
            "check",
            "--no-config",
            "--select",
            SELECT,
            "--fix",
            "--unsafe-fixes",
            path.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(fs::read_to_string(&path).unwrap(), fixed);
    assert!(String::from_utf8_lossy(&again.stderr).contains("no fix to apply"));
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_failed_write_leaves_the_original_intact() {
    for fault in ["write", "rename"] {
        let dir = scratch(&format!("fault-{fault}"));
        let path = copy_fixture(&dir);
        let original = fs::read(&path).unwrap();
        let output = haplint(
            &[
                "check",
                "--no-config",
                "--select",
                SELECT,
                "--fix",
                "--unsafe-fixes",
                path.to_str().unwrap(),
            ],
            &[("HAPLINT_FAULT", fault)],
        );
        assert_eq!(output.status.code(), Some(2), "{fault}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("haproxy.cfg"),
            "{fault}: error must name the file"
        );
        assert_eq!(fs::read(&path).unwrap(), original, "{fault}");
        assert_eq!(
            fs::read_dir(&dir).unwrap().count(),
            1,
            "{fault}: temporary file left behind"
        );
        fs::remove_dir_all(&dir).ok();
    }
}

#[test]
fn a_process_killed_before_the_rename_leaves_the_original_intact() {
    let dir = scratch("kill");
    let path = copy_fixture(&dir);
    let original = fs::read(&path).unwrap();
    let output = haplint(
        &[
            "check",
            "--no-config",
            "--select",
            SELECT,
            "--fix",
            "--unsafe-fixes",
            path.to_str().unwrap(),
        ],
        &[("HAPLINT_FAULT", "abort-before-rename")],
    );
    assert!(!output.status.success());
    assert_eq!(fs::read(&path).unwrap(), original);
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn interactive_refuses_without_a_terminal() {
    let output = haplint(&["fix", "-i", "--no-config", "examples/alb-chain.cfg"], &[]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("needs a terminal"));
}

#[test]
fn interactive_applies_and_skips_as_answered() {
    if Command::new("script").arg("--version").output().is_err() {
        return needs_tool(
            "interactive_applies_and_skips_as_answered",
            "`script` (util-linux)",
        );
    }
    let dir = scratch("interactive");
    let path = copy_fixture(&dir);
    let original = fs::read_to_string(&path).unwrap();
    // `script` gives haplint a terminal and feeds it our answers: skip the first fix, apply the
    // second.
    let command = format!(
        "{} fix -i --no-config --unsafe-fixes --select {SELECT} {}",
        env!("CARGO_BIN_EXE_haplint"),
        path.display()
    );
    let screen = common::in_terminal(&command, b"s\na\n");
    assert!(screen.contains("apply this fix"), "{screen}");
    let fixed = fs::read_to_string(&path).unwrap();
    assert!(
        fixed.contains("option http-server-close"),
        "skipped fix was applied:\n{fixed}"
    );
    assert_eq!(
        fixed,
        original.replace(
            "ssl verify none",
            "ssl verify required ca-file @system-ca sni str(app.example.com)"
        ),
        "{screen}"
    );
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn verify_without_haproxy_exits_2() {
    let output = haplint(
        &[
            "check",
            "--no-config",
            "--fix",
            "--verify",
            "--haproxy",
            "/nonexistent/haproxy",
            "examples/web.cfg",
        ],
        &[],
    );
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("haproxy not found"));
}

/// A stand-in haproxy that rejects any configuration using `@system-ca`, so
/// the rejection path is tested on every machine.
#[test]
fn verify_refuses_to_write_a_fix_haproxy_rejects_and_names_it() {
    let dir = scratch("verify");
    let path = copy_fixture(&dir);
    let original = fs::read(&path).unwrap();
    let fake = dir.join("fake-haproxy");
    fs::write(
        &fake,
        "#!/bin/sh\nfor a in \"$@\"; do case $a in *.cfg) f=$a;; \
            esac; done\nline=$(grep -n '@system-ca' \"$f\" | cut -d: \
            -f1)\nif [ -n \"$line\" ]; then echo \"[ALERT]    (1) : \
            config : parsing [$f:$line] : unable to load @system-ca\" \
            >&2; exit 1; fi\necho 'Configuration file is valid'\n",
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&fake, fs::Permissions::from_mode(0o755)).unwrap();
    let output = haplint(
        &[
            "check",
            "--no-config",
            "--select",
            SELECT,
            "--fix",
            "--unsafe-fixes",
            "--verify",
            "--haproxy",
            fake.to_str().unwrap(),
            path.to_str().unwrap(),
        ],
        &[],
    );
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("ssl-verify-none"), "{stderr}");
    // The server line is line 9 of the fixed file (one line above it was deleted).
    assert!(
        stderr.contains("haproxy.cfg:9: unable to load @system-ca"),
        "{stderr}"
    );
    assert_eq!(fs::read(&path).unwrap(), original);
    let _ = fs::remove_file(&fake);
    fs::remove_dir_all(&dir).ok();
}
