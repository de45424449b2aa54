//! `haplint explain-log`: the incident's two lines explained against its
//! configuration (snapshot), custom log formats, aggregation with bad lines.

// Test helpers may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;
use common::haplint;

fn text(path: &str) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .trim_end()
        .to_string()
}

#[test]
fn the_incident_lines_explained() {
    let haproxy = text("tests/fixtures/logs/incident-haproxy.log");
    let alb = text("tests/fixtures/logs/incident-alb.log");
    let output = haplint(&[
        "explain-log",
        "--config",
        "examples/alb-chain.cfg",
        &haproxy,
        &alb,
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let out = String::from_utf8_lossy(&output.stdout).into_owned();
    for expected in [
        "Tr     7662",
        "Ti     1736",
        "Tt     9400",
        "ALB request processing      7655 ms",
        "option http-buffer-request` is not set",
        "`timeout http-request 5s` (examples/alb-chain.cfg:24)",
        "server-close-defeats-reuse at examples/alb-chain.cfg:13",
    ] {
        assert!(out.contains(expected), "missing `{expected}` in:\n{out}");
    }
    insta::assert_snapshot!("incident", out);
}

#[test]
fn custom_formats_from_the_configuration() {
    let json_line = r#"<134>Sep  3 15:20:31 lb haproxy[77]: {"client":"10.1.2.3","backend":"app","server":"a","tr":1250,"tw":0,"tc":1,"tt":1300,"status":200,"req":"GET /x"}"#;
    let tab_line =
        "03/Sep/2024:15:20:22.467 10.1.2.3 tabs app a 3 850 2 40 900 503 sQ-- 42 tenant-7";
    let output = haplint(&[
        "explain-log",
        "--config",
        "tests/fixtures/logs/custom.cfg",
        "--format",
        "json",
        json_line,
        tab_line,
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json[0]["fields"]["Tr"], "1250");
    assert_eq!(json[0]["fields"]["s"], "a");
    assert_eq!(json[1]["fields"]["Tw"], "850");
    assert_eq!(json[1]["fields"]["tsc"], "sQ--");
    assert_eq!(json[1]["fields"]["[var(txn.tenant)]"], "tenant-7");
    let explained = json[1]["explanation"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect::<Vec<_>>()
        .join("\n");
    assert!(explained.contains("Tw 850 ms in the queue"), "{explained}");
    assert!(
        explained.contains("while waiting in the queue"),
        "{explained}"
    );
}

#[test]
fn many_lines_are_aggregated_and_bad_lines_named() {
    let dir = std::env::temp_dir().join(format!("haplint-logs-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let log = dir.join("haproxy.log");
    let mut lines = String::new();
    for i in 0..50 {
        lines.push_str(&format!(
            "Feb  6 12:14:14 lb haproxy[1]: 10.0.1.2:3331{} [06/Feb/2009:12:14:14.655] www app/s{} 10/0/30/{}/{} 200 2750 - - ---- 1/1/1/1/0 0/0 {{}} {{}} \"GET /i/{i} HTTP/1.1\"\n",
            i % 10,
            i % 2,
            i * 10,
            i * 10 + 40
        ));
    }
    lines.push_str("this is not a log line\n");
    lines.push_str(
        "Feb  6 12:14:14 lb haproxy[1]: 10.0.1.2:1 [06/Feb/2009:12:14:14.655] www app/s0 10/0/30\n",
    );
    std::fs::write(&log, lines).unwrap();
    let output = haplint(&[
        "explain-log",
        "--file",
        log.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(output.status.code(), Some(0));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["lines"], 52);
    let groups = json["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2);
    assert_eq!(groups[0]["requests"], 25);
    // s0 has Tr 0, 20, …, 480: p50 is the 13th value.
    assert_eq!(groups[0]["timers"]["Tr"]["p50"], 240);
    assert_eq!(groups[0]["timers"]["Tr"]["max"], 480);
    assert_eq!(groups[0]["slowest"][0]["request"], "GET /i/48 HTTP/1.1");
    let errors = json["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 2);
    assert_eq!(errors[0]["line"], 51);
    assert_eq!(errors[1]["line"], 52);
    assert!(
        errors[1]["error"].as_str().unwrap().contains("column"),
        "{}",
        errors[1]
    );
}
