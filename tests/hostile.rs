//! Hostile inputs: each ends in ordinary diagnostics or a clear exit-2 error
//! naming the input, never a panic, a hang or unbounded memory.

// Test helpers may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::needs_tool;

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

fn scratch(tag: &str) -> PathBuf {
    tempfile::Builder::new()
        .prefix(&format!("haplint-hostile-{tag}-"))
        .tempdir()
        .unwrap()
        .keep()
}

/// Run haplint with a generous deadline: a hang is a failure, not a stuck CI.
/// The output is read while the process runs, so a large report cannot fill
/// the pipe and stall it.
fn run(args: &[&str], stdin: Stdio) -> Output {
    let child = Command::new(env!("CARGO_BIN_EXE_haplint"))
        .args(args)
        .stdin(stdin)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let (sender, receiver) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = sender.send(child.wait_with_output());
    });
    match receiver.recv_timeout(Duration::from_secs(120)) {
        Ok(output) => output.unwrap(),
        Err(_) => {
            let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            panic!("haplint {args:?} did not finish within 120 s");
        }
    }
}

fn check_file(path: &std::path::Path) -> Output {
    run(
        &[
            "check",
            "--no-config",
            "--format",
            "json",
            path.to_str().unwrap(),
        ],
        Stdio::null(),
    )
}

fn assert_no_panic(output: &Output) {
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!stderr.contains("panicked"), "{stderr}");
    assert!(
        matches!(output.status.code(), Some(0..=2)),
        "exit {:?}: {stderr}",
        output.status
    );
}

#[test]
fn empty_file_is_fine() {
    let dir = scratch("empty");
    let path = dir.join("empty.cfg");
    fs::write(&path, "").unwrap();
    let output = check_file(&path);
    assert_eq!(output.status.code(), Some(0));
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn binary_content_gives_diagnostics() {
    let dir = scratch("binary");
    let path = dir.join("binary.cfg");
    let mut bytes = b"global\n  daemon\0\0\x01\x02\n".to_vec();
    bytes.extend((0u8..128).collect::<Vec<_>>());
    bytes.push(b'\n');
    fs::write(&path, bytes).unwrap();
    let output = check_file(&path);
    assert_no_panic(&output);
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("NUL"));
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn invalid_utf8_in_a_comment_and_in_a_keyword_exit_2() {
    let dir = scratch("utf8");
    for (name, bytes) in [
        ("comment.cfg", &b"global # caf\xe9\n"[..]),
        ("keyword.cfg", &b"glob\xffal\n"[..]),
    ] {
        let path = dir.join(name);
        fs::write(&path, bytes).unwrap();
        let output = check_file(&path);
        assert_eq!(output.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&output.stderr).contains(name));
    }
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_single_50_mb_line_and_a_million_blank_lines() {
    let dir = scratch("big");
    let long = dir.join("long.cfg");
    let mut text = String::from("global\n    log-format ");
    text.push_str(&"\"%ci \" ".repeat(50 * 1024 * 1024 / 7));
    text.push('\n');
    fs::write(&long, text).unwrap();
    let output = check_file(&long);
    assert_no_panic(&output);
    assert!(String::from_utf8_lossy(&output.stdout).contains("too long to check"));
    let blank = dir.join("blank.cfg");
    fs::write(
        &blank,
        format!("global\n{}    daemon\n", "\n".repeat(1_000_000)),
    )
    .unwrap();
    let output = check_file(&blank);
    assert_eq!(output.status.code(), Some(0));
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn ten_thousand_nested_conditions() {
    let dir = scratch("nested");
    let path = dir.join("nested.cfg");
    let text = format!(
        "global\n{}    daemon\n{}",
        ".if defined(X)\n".repeat(10_000),
        ".endif\n".repeat(10_000)
    );
    fs::write(&path, text).unwrap();
    let output = check_file(&path);
    assert_no_panic(&output);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(
        json["summary"]["error"], 1,
        "one finding for the nesting limit, not one per level"
    );
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn unterminated_quotes_and_variables() {
    let dir = scratch("unterminated");
    let path = dir.join("open.cfg");
    fs::write(
        &path,
        "global\n    setenv A \"${B\n    setenv C '\n    setenv D \"${\"\n",
    )
    .unwrap();
    let output = check_file(&path);
    assert_no_panic(&output);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert!(json["summary"]["error"].as_u64().unwrap() >= 3);
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_directory_with_ten_thousand_files() {
    let dir = scratch("many");
    for i in 0..10_000 {
        fs::write(
            dir.join(format!("{i:05}.cfg")),
            format!("backend b{i}\n    server s 10.0.0.1:80\n"),
        )
        .unwrap();
    }
    let output = check_file(&dir);
    assert_no_panic(&output);
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["summary"]["files"], 10_000);
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn fifo_and_devices_are_refused_without_hanging() {
    let dir = scratch("fifo");
    let fifo = dir.join("pipe.cfg");
    let made = Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if made {
        let output = check_file(&fifo);
        assert_eq!(output.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&output.stderr).contains("pipe.cfg"));
    }
    let output = check_file(std::path::Path::new("/dev/zero"));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("/dev/zero"));
    fs::remove_dir_all(&dir).ok();
}

#[test]
fn endless_standard_input_is_cut_off() {
    let zero = fs::File::open("/dev/zero").unwrap();
    let output = run(&["check", "--no-config", "-"], Stdio::from(zero));
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("larger than"));
}

#[test]
fn dangling_symlink_and_unreadable_file() {
    let dir = scratch("links");
    let link = dir.join("dangling.cfg");
    std::os::unix::fs::symlink(dir.join("missing.cfg"), &link).unwrap();
    let output = check_file(&link);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("dangling.cfg"));
    let locked = dir.join("locked.cfg");
    fs::write(&locked, "global\n").unwrap();
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(&locked, fs::Permissions::from_mode(0o000)).unwrap();
    let output = check_file(&locked);
    // root reads it anyway; everyone else gets a clear error.
    if output.status.code() == Some(2) {
        assert!(String::from_utf8_lossy(&output.stderr).contains("locked.cfg"));
    } else {
        assert_eq!(output.status.code(), Some(0));
    }
    fs::remove_dir_all(&dir).ok();
}

/// haplint runs no program and opens no socket unless `--verify` asks for
/// haproxy, and reads no file a configuration names (certificates, maps).
#[test]
fn no_network_no_programs_no_named_files() {
    if Command::new("strace").arg("-V").output().is_err() {
        return needs_tool("no_network_no_programs_no_named_files", "strace");
    }
    let dir = scratch("strace");
    let trace = dir.join("trace");
    let output = Command::new("strace")
        .args(["-f", "-e", "trace=network,execve,open,openat", "-o"])
        .arg(&trace)
        .arg(env!("CARGO_BIN_EXE_haplint"))
        .args([
            "check",
            "--no-config",
            "--format",
            "json",
            "examples/alb-chain.cfg",
        ])
        .output()
        .unwrap();
    assert!(
        output.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let calls = fs::read_to_string(&trace).unwrap();
    let execs = calls.lines().filter(|l| l.contains("execve(")).count();
    assert_eq!(execs, 1, "only haplint itself may be executed:\n{calls}");
    for forbidden in ["socket(", "connect(", "sendto(", "bind("] {
        assert!(!calls.contains(forbidden), "{forbidden} seen:\n{calls}");
    }
    assert!(
        !calls.contains("crt-list.txt"),
        "a file named by the config was opened:\n{calls}"
    );
    fs::remove_dir_all(&dir).ok();
}
