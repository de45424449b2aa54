//! `haplint tune` as users run it: five deployment profiles as snapshots,
//! the incident tuned and checked again (and by the real haproxy when it is
//! installed), invalid facts.

// Test helpers may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::{haplint, needs_tool, oracle};

use std::path::Path;
use std::process::{Command, Output};

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn profiles() {
    let small_vm = haplint(&[
        "tune",
        "--no-config",
        "tests/fixtures/tune/web.cfg",
        "--cores",
        "1",
        "--memory",
        "1G",
    ]);
    insta::assert_snapshot!("small_vm", stdout(&small_vm));
    let large_vm = haplint(&[
        "tune",
        "--no-config",
        "tests/fixtures/tune/web.cfg",
        "--cores",
        "16",
        "--memory",
        "64G",
        "--peak-connections",
        "100000",
        "--request-rate",
        "20000",
    ]);
    insta::assert_snapshot!("large_vm", stdout(&large_vm));
    let alb = haplint(&[
        "tune",
        "--no-config",
        "examples/alb-chain.cfg",
        "--cores",
        "2",
        "--memory",
        "4G",
        "--peak-connections",
        "8000",
        "--upstream",
        "alb.domain.com=aws-alb",
    ]);
    insta::assert_snapshot!("alb", stdout(&alb));
    let nginx = haplint(&[
        "tune",
        "--no-config",
        "tests/fixtures/tune/nginx.cfg",
        "--cores",
        "4",
        "--memory",
        "8G",
        "--peak-connections",
        "3000",
        "--upstream",
        "web1.internal=nginx",
        "--upstream",
        "web2.internal=nginx",
        "--snippets",
    ]);
    insta::assert_snapshot!("nginx_pool", stdout(&nginx));
    let tcp = haplint(&[
        "tune",
        "--no-config",
        "tests/fixtures/tune/tcp.cfg",
        "--cores",
        "2",
        "--memory",
        "2G",
        "--peak-connections",
        "400",
        "--snippets",
    ]);
    let tcp = stdout(&tcp);
    assert!(
        !tcp.contains("http-reuse") && !tcp.contains("http-buffer-request"),
        "{tcp}"
    );
    insta::assert_snapshot!("tcp", tcp);
}

#[test]
fn facts_come_from_a_profile_file_and_flags_win() {
    let dir = tempfile::Builder::new()
        .prefix("haplint-tune-profile-")
        .tempdir()
        .unwrap()
        .keep();
    let profile = dir.join("profile.yaml");
    std::fs::write(&profile, "cores: 8\nmemory: 16G\npeak-connections: 1000\n").unwrap();
    // `nbthread` is only rewritten where the configuration sets one.
    let web = std::fs::read_to_string("tests/fixtures/tune/web.cfg").unwrap();
    let pinned = dir.join("web.cfg");
    std::fs::write(
        &pinned,
        web.replacen("global\n", "global\n    nbthread 1\n", 1),
    )
    .unwrap();
    let from_file = stdout(&haplint(&[
        "tune",
        "--no-config",
        pinned.to_str().unwrap(),
        "--profile",
        profile.to_str().unwrap(),
        "--snippets",
    ]));
    assert!(
        from_file.contains("nbthread 8") && from_file.contains("maxconn 1300"),
        "{from_file}"
    );
    let overridden = stdout(&haplint(&[
        "tune",
        "--no-config",
        pinned.to_str().unwrap(),
        "--profile",
        profile.to_str().unwrap(),
        "--cores",
        "4",
        "--snippets",
    ]));
    assert!(overridden.contains("nbthread 4"), "{overridden}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn invalid_facts_are_named() {
    for (args, field) in [
        (vec!["--cores", "2", "--memory", "-4G"], "memory"),
        (vec!["--cores", "0", "--memory", "4G"], "cores"),
        (vec!["--cores", "2"], "memory"),
        (
            vec![
                "--cores",
                "2",
                "--memory",
                "4G",
                "--upstream",
                "a.example=quantum-lb",
            ],
            "quantum-lb",
        ),
    ] {
        let mut all = vec!["tune", "--no-config", "tests/fixtures/tune/web.cfg"];
        all.extend(args);
        let output = haplint(&all);
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(field), "{stderr}");
    }
    let dir = tempfile::Builder::new()
        .prefix("haplint-tune-idle-")
        .tempdir()
        .unwrap()
        .keep();
    std::fs::write(
        dir.join(".haplint.yaml"),
        "upstreams:\n  alb.domain.com: { kind: aws-alb, idle-timeout: 0s }\n",
    )
    .unwrap();
    std::fs::copy("examples/alb-chain.cfg", dir.join("haproxy.cfg")).unwrap();
    let output = haplint(&[
        "tune",
        dir.join("haproxy.cfg").to_str().unwrap(),
        "--cores",
        "2",
        "--memory",
        "4G",
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("idle-timeout"));
}

/// The incident, tuned with its facts: the rules about connection reuse and
/// server limits stop firing, and haproxy finds nothing new to reject.
#[test]
fn the_incident_tuned() {
    let dir = tempfile::Builder::new()
        .prefix("haplint-tune-incident-")
        .tempdir()
        .unwrap()
        .keep();
    let config = dir.join("alb-chain.cfg");
    // A resolvers section, which the incident refers to but lacks, so that
    // haproxy can judge the rest.
    let mut text = std::fs::read_to_string("examples/alb-chain.cfg").unwrap();
    text.push_str("\nresolvers aws\n    nameserver vpc 169.254.169.253:53\n");
    std::fs::write(&config, &text).unwrap();
    std::fs::copy("examples/.haplint.yaml", dir.join(".haplint.yaml")).unwrap();
    let config = config.to_str().unwrap();
    let rules = |path: &str| {
        let output = haplint(&["check", "--format", "json", path]);
        let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        json["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["rule"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    let before = rules(config);
    for rule in [
        "server-close-defeats-reuse",
        "missing-http-reuse",
        "missing-server-maxconn",
    ] {
        assert!(
            before.iter().any(|r| r == rule),
            "{rule} fires before tuning: {before:?}"
        );
    }
    let mut args = vec![
        "tune",
        config,
        "--cores",
        "2",
        "--memory",
        "4G",
        "--peak-connections",
        "8000",
        "--write",
    ];
    let haproxy = oracle("3.2");
    let haproxy_arg = haproxy.as_ref().map(|p| p.to_str().unwrap().to_string());
    match &haproxy_arg {
        Some(path) => args.extend(["--verify", "--haproxy", path.as_str()]),
        None => needs_tool(
            "the_incident_tuned",
            "the haproxy 3.2 oracle (run tools/oracle/install)",
        ),
    }
    let output = haplint(&args);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let after = rules(config);
    for rule in [
        "server-close-defeats-reuse",
        "missing-http-reuse",
        "missing-server-maxconn",
    ] {
        assert!(
            !after.iter().any(|r| r == rule),
            "{rule} still fires after tuning: {after:?}"
        );
    }
    if haproxy.is_some() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            !stderr.contains("rejects the original"),
            "with the resolvers section haproxy accepts the original: {stderr}"
        );
    }
    let tuned = std::fs::read_to_string(config).unwrap();
    assert!(tuned.contains("maxconn 10000  # haplint tune:"), "{tuned}");
    let _ = std::fs::remove_dir_all(Path::new(&dir));
}

/// `tune --write` goes through the same atomic writer as `--fix`: a failed
/// write or rename, or a crash between them, leaves the original intact.
#[test]
fn a_failed_tune_write_leaves_the_original_intact() {
    for fault in ["write", "rename", "abort-before-rename"] {
        let dir = tempfile::Builder::new()
            .prefix(&format!("haplint-tune-fault-{fault}-"))
            .tempdir()
            .unwrap()
            .keep();
        let config = dir.join("haproxy.cfg");
        let original = std::fs::read_to_string("tests/fixtures/tune/web.cfg").unwrap();
        std::fs::write(&config, &original).unwrap();
        let output = Command::new(env!("CARGO_BIN_EXE_haplint"))
            .args([
                "tune",
                "--no-config",
                config.to_str().unwrap(),
                "--cores",
                "2",
                "--memory",
                "2G",
                "--write",
            ])
            .env("HAPLINT_FAULT", fault)
            .output()
            .unwrap();
        assert!(!output.status.success(), "{fault}");
        assert_eq!(
            std::fs::read_to_string(&config).unwrap(),
            original,
            "{fault}"
        );
        if fault != "abort-before-rename" {
            assert!(
                String::from_utf8_lossy(&output.stderr).contains("haproxy.cfg"),
                "{fault}: the error names the file"
            );
        }
        let _ = std::fs::remove_dir_all(&dir);
    }
}
