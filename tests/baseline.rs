//! `check --write-baseline` / `--baseline`: the round trip a team goes through.

#![allow(clippy::unwrap_used)] // test helpers outside #[test] functions

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("haplint-baseline-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_haplint"))
        .current_dir(dir)
        .args(["check", "--no-config"])
        .args(args)
        .output()
        .unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

const CONFIG: &str = concat!(
    "defaults\n",
    "    mode http\n",
    "    timeout connect 5s\n",
    "    timeout client 30s\n",
    "    timeout server 30s\n",
    "\n",
    "frontend www\n",
    "    bind :80\n",
    "    default_backend app\n",
    "\n",
    "backend app\n",
    "    server a 10.0.0.1:443 ssl verify none\n",
    "    server b 10.0.0.2:443 ssl verify none\n"
);

#[test]
fn write_then_unchanged_passes_new_fails_fixed_is_stale() {
    let dir = scratch("roundtrip");
    std::fs::write(dir.join("haproxy.cfg"), CONFIG).unwrap();
    let before = run(&dir, &["haproxy.cfg"]);
    assert_eq!(before.status.code(), Some(1), "{}", text(&before.stdout));

    // Write: today's findings recorded, the check passes.
    let wrote = run(&dir, &["--write-baseline", "baseline.json", "haproxy.cfg"]);
    assert_eq!(wrote.status.code(), Some(0), "{}", text(&wrote.stdout));
    assert!(
        text(&wrote.stderr).contains("wrote 2 findings"),
        "{}",
        text(&wrote.stderr)
    );
    let recorded = std::fs::read_to_string(dir.join("baseline.json")).unwrap();
    assert!(
        recorded.contains("server a 10.0.0.1:443 ssl verify none"),
        "{recorded}"
    );

    // Unchanged, and with the lines moved down: still passes, in every format.
    for format in ["human", "json", "sarif", "github", "checkstyle", "concise"] {
        let same = run(
            &dir,
            &[
                "--baseline",
                "./baseline.json",
                "--format",
                format,
                "haproxy.cfg",
            ],
        );
        assert_eq!(
            same.status.code(),
            Some(0),
            "{format}: {}",
            text(&same.stdout)
        );
        let out = text(&same.stdout);
        for trace in [
            "\"rule\": \"ssl-verify-none\"",
            "\"ruleId\": \"ssl-verify-none\"",
            "[ssl-verify-none]",
            "title=ssl-verify-none",
            "source=\"haplint.ssl-verify-none\"",
            "ssl-verify-none:",
        ] {
            assert!(!out.contains(trace), "{format}: {out}");
        }
    }
    std::fs::write(dir.join("haproxy.cfg"), format!("# moved\n\n{CONFIG}")).unwrap();
    let moved = run(&dir, &["--baseline", "baseline.json", "haproxy.cfg"]);
    assert_eq!(moved.status.code(), Some(0), "{}", text(&moved.stdout));
    assert!(
        text(&moved.stderr).contains("2 findings already in the baseline"),
        "{}",
        text(&moved.stderr)
    );

    // A new finding fails, and only it is reported.
    let added = format!("# moved\n\n{CONFIG}    server c 10.0.0.3:443 ssl verify none\n");
    std::fs::write(dir.join("haproxy.cfg"), &added).unwrap();
    let new = run(
        &dir,
        &[
            "--baseline",
            "baseline.json",
            "--format",
            "concise",
            "haproxy.cfg",
        ],
    );
    assert_eq!(new.status.code(), Some(1));
    let out = text(&new.stdout);
    assert!(out.contains("haproxy.cfg:16:"), "{out}");
    assert_eq!(out.matches("[ssl-verify-none]").count(), 1, "{out}");

    // A fixed finding: the check passes and the entry is reported stale.
    let fixed = CONFIG.replace(
        "server b 10.0.0.2:443 ssl verify none",
        "server b 10.0.0.2:443 ssl verify required ca-file ca.pem",
    );
    std::fs::write(dir.join("haproxy.cfg"), fixed).unwrap();
    let stale = run(&dir, &["--baseline", "baseline.json", "haproxy.cfg"]);
    assert_eq!(stale.status.code(), Some(0), "{}", text(&stale.stdout));
    let err = text(&stale.stderr);
    assert!(err.contains("1 baseline entry is no longer found"), "{err}");
    assert!(
        err.contains("haproxy.cfg: server b 10.0.0.2:443 ssl verify none [ssl-verify-none]"),
        "{err}"
    );

    // Writing again shrinks the baseline.
    let rewrote = run(&dir, &["--write-baseline", "baseline.json", "haproxy.cfg"]);
    assert_eq!(rewrote.status.code(), Some(0));
    let recorded = std::fs::read_to_string(dir.join("baseline.json")).unwrap();
    assert!(!recorded.contains("server b"), "{recorded}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn entries_of_files_not_checked_are_not_stale_and_a_bad_baseline_is_a_usage_error() {
    let dir = scratch("files");
    std::fs::write(dir.join("a.cfg"), CONFIG).unwrap();
    std::fs::write(
        dir.join("b.cfg"),
        CONFIG
            .replace("backend app", "backend app2")
            .replace("default_backend app", "default_backend app2"),
    )
    .unwrap();
    let wrote = run(&dir, &["--write-baseline", "baseline.json", "a.cfg"]);
    assert_eq!(wrote.status.code(), Some(0));
    let other = run(&dir, &["--baseline", "baseline.json", "b.cfg"]);
    assert_eq!(other.status.code(), Some(1));
    assert!(
        !text(&other.stderr).contains("no longer found"),
        "{}",
        text(&other.stderr)
    );
    std::fs::write(dir.join("bad.json"), "{\"entries\": 3}").unwrap();
    let bad = run(&dir, &["--baseline", "bad.json", "a.cfg"]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        text(&bad.stderr).contains("not a haplint baseline"),
        "{}",
        text(&bad.stderr)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
