//! Configurations as projects, through the real pre-commit: the
//! `haplint-system` hook of `.pre-commit-hooks.yaml` (this repository at
//! HEAD) with the haplint of this build on PATH, in scratch git repositories:
//! a configuration split over two files, two unrelated configurations, and
//! one file in two configurations. pre-commit passes only the changed files.
//!
//! Without `pre-commit` or `git` the tests say so and pass, unless
//! HAPLINT_REQUIRE_TOOLS is set (CI sets it).

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn available(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .output()
        .is_ok_and(|o| o.status.success())
}

fn run(dir: &Path, program: &str, args: &[&str]) -> Output {
    let bin = Path::new(env!("CARGO_BIN_EXE_haplint")).parent().unwrap();
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .env("PATH", path)
        .env("PRE_COMMIT_HOME", dir.join(".cache"))
        .env("GIT_AUTHOR_NAME", "t")
        .env("GIT_AUTHOR_EMAIL", "t@example.com")
        .env("GIT_COMMITTER_NAME", "t")
        .env("GIT_COMMITTER_EMAIL", "t@example.com")
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

/// A scratch git repository with the `haplint-system` hook, or `None` when
/// the tools are missing (a failure when they are required).
fn repository(name: &str, files: &[(&str, &str)]) -> Option<PathBuf> {
    let required = std::env::var_os("HAPLINT_REQUIRE_TOOLS").is_some();
    if !available("pre-commit") || !available("git") {
        assert!(
            !required,
            "pre-commit and git are required (HAPLINT_REQUIRE_TOOLS is set)"
        );
        eprintln!("skipped: pre-commit or git is not installed");
        return None;
    }
    let this_repo = env!("CARGO_MANIFEST_DIR");
    let head = Command::new("git")
        .args(["rev-parse", "HEAD"])
        .current_dir(this_repo)
        .output()
        .unwrap();
    if !head.status.success() {
        assert!(!required, "this checkout has no git HEAD");
        eprintln!("skipped: this checkout is not a git repository");
        return None;
    }
    let rev = String::from_utf8_lossy(&head.stdout).trim().to_string();
    let dir = std::env::temp_dir().join(format!("haplint-projects-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, content) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }
    let config = format!(
        "repos:\n  - repo: {this_repo}\n    rev: {rev}\n    hooks:\n      - id: \
        haplint-system\n        files: '\\.cfg$'\n"
    );
    std::fs::write(dir.join(".pre-commit-config.yaml"), config).unwrap();
    assert!(run(&dir, "git", &["init", "-q"]).status.success());
    assert!(run(&dir, "git", &["add", "."]).status.success());
    assert!(
        run(&dir, "git", &["commit", "-qm", "start"])
            .status
            .success()
    );
    Some(dir)
}

/// Change `file` (append a comment), stage it, and run the hook on what changed.
fn change_and_run(dir: &Path, file: &str) -> Output {
    let path = dir.join(file);
    let mut content = std::fs::read_to_string(&path).unwrap();
    content.push_str("# changed\n");
    std::fs::write(&path, content).unwrap();
    assert!(run(dir, "git", &["add", file]).status.success());
    run(dir, "pre-commit", &["run", "haplint-system"])
}

const DEFAULTS: &str = concat!(
    "defaults\n",
    "    mode http\n",
    "    timeout connect 5s\n",
    "    timeout client 30s\n",
    "    timeout server 30s\n"
);

#[test]
fn a_split_configuration_is_checked_whole() {
    let frontends = format!(
        "global\n    maxconn 1000\n\n{DEFAULTS}\nfrontend www\n    bind :80\n    default_backend \
        app\n"
    );
    let backends = "backend app\n    server a 10.0.0.1:80\n";
    let Some(dir) = repository(
        "split",
        &[
            ("haproxy/conf.d/10-frontends.cfg", &frontends),
            ("haproxy/conf.d/20-backends.cfg", backends),
        ],
    ) else {
        return;
    };
    // Without a declaration, the changed file alone: a false undefined-reference.
    let alone = change_and_run(&dir, "haproxy/conf.d/10-frontends.cfg");
    assert!(!alone.status.success(), "{}", text(&alone));
    assert!(
        text(&alone).contains("undefined-reference"),
        "{}",
        text(&alone)
    );
    assert!(
        run(&dir, "git", &["commit", "-qm", "x", "--no-verify"])
            .status
            .success()
    );

    std::fs::write(
        dir.join(".haplint.yaml"),
        "configurations:\n  edge: [haproxy/conf.d/]\n",
    )
    .unwrap();
    assert!(run(&dir, "git", &["add", ".haplint.yaml"]).status.success());
    for file in [
        "haproxy/conf.d/10-frontends.cfg",
        "haproxy/conf.d/20-backends.cfg",
    ] {
        let whole = change_and_run(&dir, file);
        assert!(whole.status.success(), "{file}: {}", text(&whole));
    }
    // A real problem in the other file is not reported for this one; it is
    // when that file changes.
    std::fs::write(
        dir.join("haproxy/conf.d/20-backends.cfg"),
        "backend app\n    server a 10.0.0.1:80\n    use-server b if TRUE\n    server a \
        10.0.0.2:80\n",
    )
    .unwrap();
    assert!(run(&dir, "git", &["add", "."]).status.success());
    let other = change_and_run(&dir, "haproxy/conf.d/10-frontends.cfg");
    // Both files are staged now; only the backends file has the problem.
    let out = text(&other);
    assert!(!other.status.success(), "{out}");
    assert!(
        out.contains("20-backends.cfg") && out.contains("duplicate-name"),
        "{out}"
    );
    assert!(!out.contains("10-frontends.cfg:"), "{out}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn two_unrelated_configurations_do_not_meet() {
    let config = |port: u16| {
        format!(
            "{DEFAULTS}\nfrontend www\n    bind :{port}\n    default_backend app\n\nbackend \
            app\n    server a 10.0.0.1:80\n"
        )
    };
    let (a, b) = (config(80), config(81));
    let Some(dir) = repository(
        "unrelated",
        &[("edge/haproxy.cfg", &a), ("internal/haproxy.cfg", &b)],
    ) else {
        return;
    };
    // Both changed, no declaration: checked as one configuration, false duplicates.
    let path = |f: &str| dir.join(f);
    for f in ["edge/haproxy.cfg", "internal/haproxy.cfg"] {
        let mut t = std::fs::read_to_string(path(f)).unwrap();
        t.push_str("# changed\n");
        std::fs::write(path(f), t).unwrap();
    }
    assert!(run(&dir, "git", &["add", "."]).status.success());
    let together = run(&dir, "pre-commit", &["run", "haplint-system"]);
    assert!(
        text(&together).contains("duplicate-name"),
        "{}",
        text(&together)
    );

    std::fs::write(
        dir.join(".haplint.yaml"),
        "configurations:\n  edge: [edge/haproxy.cfg]\n  internal: [\"internal/*.cfg\"]\n",
    )
    .unwrap();
    assert!(run(&dir, "git", &["add", "."]).status.success());
    let apart = run(&dir, "pre-commit", &["run", "haplint-system"]);
    assert!(apart.status.success(), "{}", text(&apart));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn one_file_in_two_configurations_is_checked_in_both() {
    // shared/backends.cfg serves two configurations; `use_backend api` in its
    // `listen` needs a backend only the edge configuration defines.
    let shared = concat!(
        "listen health\n",
        "    bind :8404\n",
        "    mode http\n",
        "    use_backend api if { path_beg /api }\n",
        "    server h 10.0.0.9:80\n"
    );
    let edge = format!("{DEFAULTS}\nbackend api\n    server a 10.0.0.1:80\n");
    let internal = DEFAULTS.to_string();
    let Some(dir) = repository(
        "shared",
        &[
            ("shared/backends.cfg", shared),
            ("edge/main.cfg", &edge),
            ("internal/main.cfg", &internal),
            (
                ".haplint.yaml",
                "configurations:\n  edge: [edge/main.cfg, shared/backends.cfg]\n  internal: \
                [internal/main.cfg, shared/backends.cfg]\n",
            ),
        ],
    ) else {
        return;
    };
    let out = change_and_run(&dir, "shared/backends.cfg");
    let printed = text(&out);
    assert!(!out.status.success(), "{printed}");
    // Found in the internal configuration, where `api` does not exist; once.
    assert_eq!(
        printed.matches("backend `api` is not defined").count(),
        1,
        "{printed}"
    );
    // The edge configuration alone is fine when its own file changes.
    let edge_only = change_and_run(&dir, "edge/main.cfg");
    assert!(
        !text(&edge_only).contains("edge/main.cfg:"),
        "{}",
        text(&edge_only)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_editor_buffer_is_checked_with_its_siblings() {
    let dir = std::env::temp_dir().join(format!("haplint-projects-doc-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("conf.d")).unwrap();
    std::fs::write(
        dir.join(".haplint.yaml"),
        "configurations:\n  edge: [\"conf.d/*.cfg\"]\n",
    )
    .unwrap();
    let front = dir.join("conf.d/10-frontends.cfg");
    std::fs::write(&front, format!("{DEFAULTS}\nfrontend www\n    bind :80\n")).unwrap();
    std::fs::write(
        dir.join("conf.d/20-backends.cfg"),
        "backend app\n    server a 10.0.0.1:80\n    server a 10.0.0.2:80\n",
    )
    .unwrap();
    // The unsaved buffer routes to `app`, defined in the sibling file.
    let buffer = format!(
        "{DEFAULTS}\nfrontend www\n    bind :80\n    default_backend app\n    default_backend \
        nope\n"
    );
    let report =
        haplint::project::check_document(&front, &buffer, &haplint::Options::default()).unwrap();
    let found: Vec<(&str, String)> = report
        .active()
        .map(|f| {
            let file = report.sources.get(f.finding.primary.span.file).unwrap();
            (f.finding.rule, file.name.clone())
        })
        .collect();
    // `nope` is undefined; `app` is not; the sibling's duplicate is not this buffer's.
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0].0, "undefined-reference");
    assert!(found[0].1.ends_with("10-frontends.cfg"), "{found:?}");
    // A file in no configuration: nothing to say here (the caller checks it alone).
    let loose = dir.join("other.cfg");
    std::fs::write(&loose, DEFAULTS).unwrap();
    assert!(
        haplint::project::check_document(&loose, DEFAULTS, &haplint::Options::default()).is_none()
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_hook_takes_a_baseline() {
    let config = format!(
        "{DEFAULTS}\nfrontend www\n    bind :80\n    default_backend app\n\nbackend app\n    \
        server a 10.0.0.1:443 ssl verify none\n"
    );
    let Some(dir) = repository("baseline", &[("haproxy/haproxy.cfg", &config)]) else {
        return;
    };
    let wrote = run(
        &dir,
        env!("CARGO_BIN_EXE_haplint"),
        &[
            "check",
            "--write-baseline",
            "haplint-baseline.json",
            "haproxy/haproxy.cfg",
        ],
    );
    assert!(wrote.status.success(), "{}", text(&wrote));
    let hooks = std::fs::read_to_string(dir.join(".pre-commit-config.yaml")).unwrap();
    std::fs::write(
        dir.join(".pre-commit-config.yaml"),
        hooks.replace(
            "        files:",
            "        args: [--baseline, haplint-baseline.json]\n        files:",
        ),
    )
    .unwrap();
    assert!(run(&dir, "git", &["add", "."]).status.success());
    let known = change_and_run(&dir, "haproxy/haproxy.cfg");
    assert!(known.status.success(), "{}", text(&known));
    std::fs::write(
        dir.join("haproxy/haproxy.cfg"),
        format!("{config}    server b 10.0.0.2:443 ssl verify none\n"),
    )
    .unwrap();
    let new = change_and_run(&dir, "haproxy/haproxy.cfg");
    assert!(!new.status.success(), "{}", text(&new));
    assert_eq!(
        text(&new).matches("ssl-verify-none:").count(),
        1,
        "{}",
        text(&new)
    );
    let _ = std::fs::remove_dir_all(&dir);
}
