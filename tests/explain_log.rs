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
    let json_line = concat!(
        r#"<134>Sep  3 15:20:31 lb haproxy[77]: {"client":"10.1.2.3","backend":"app","#,
        r#""server":"a","tr":1250,"tw":0,"tc":1,"tt":1300,"status":200,"req":"GET /x"}"#
    );
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
            "Feb  6 12:14:14 lb haproxy[1]: 10.0.1.2:3331{} [06/Feb/2009:12:14:14.655] www app/s{} \
                10/0/30/{}/{} 200 2750 - - ---- 1/1/1/1/0 0/0 {{}} {{}} \"GET /i/{i} HTTP/1.1\"\n",
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

fn temp_file(name: &str, data: &[u8]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("haplint-logs-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, data).unwrap();
    path
}

fn stdout_of(args: &[&str]) -> String {
    let output = haplint(args);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn the_incident_as_a_file_is_explained_matched_and_aggregated() {
    let lines = format!(
        "{}\n{}\n",
        text("tests/fixtures/logs/incident-haproxy.log"),
        text("tests/fixtures/logs/incident-alb.log")
    );
    let log = temp_file("incident.log", lines.as_bytes());
    let out = stdout_of(&[
        "explain-log",
        "--config",
        "examples/alb-chain.cfg",
        "--file",
        log.to_str().unwrap(),
    ]);
    for expected in [
        "Ti     1736",
        "Tr     7662",
        "ALB request processing      7655 ms",
        "`timeout http-request 5s` (examples/alb-chain.cfg:24)",
        "ALB entry: line 2 — HAProxy's local time read at UTC",
        "waterfall (9400 ms",
        "── aggregate ──",
        "2 lines: 1 HAProxy, 1 ALB, 0 unreadable",
        "apielb_backend/api-elb3: 1 requests",
        "ALB target group ecs-prod-fg-locationserver → target 172.31.80.84:80: 1 requests",
    ] {
        assert!(out.contains(expected), "missing `{expected}` in:\n{out}");
    }
    // The slowest list shows the request line, not a piece of it.
    assert!(
        out.contains("9400 ms  POST https://domain.com/ls/apiLocation/location HTTP/2.0"),
        "{out}"
    );
}

/// The incident's HAProxy line as a host on Paris summer time logs it.
fn incident_in_paris() -> String {
    text("tests/fixtures/logs/incident-haproxy.log")
        .replace("Sep 3 15:20:31", "Sep 3 17:20:31")
        .replace("03/Sep/2024:15:20:22.467", "03/Sep/2024:17:20:22.467")
}

#[test]
fn time_zones_given_guessed_or_wrong() {
    let haproxy = incident_in_paris();
    let alb = text("tests/fixtures/logs/incident-alb.log");
    let run = |extra: &[&str]| {
        let mut args = vec![
            "explain-log",
            "--config",
            "examples/alb-chain.cfg",
            "--format",
            "json",
        ];
        args.extend_from_slice(extra);
        args.push(&haproxy);
        args.push(&alb);
        let json: serde_json::Value = serde_json::from_str(&stdout_of(&args)).unwrap();
        json[0]["alb_entry"].clone()
    };
    let guessed = run(&[]);
    assert_eq!(guessed["line"], 2, "{guessed}");
    assert!(
        guessed["how"].as_str().unwrap().contains("UTC+02:00"),
        "{guessed}"
    );
    let given = run(&["--tz", "Europe/Paris"]);
    assert!(
        given["how"]
            .as_str()
            .unwrap()
            .contains("in Europe/Paris (given)"),
        "{given}"
    );
    let offset = run(&["--tz", "+02:00"]);
    assert_eq!(offset["line"], 2, "{offset}");
    let wrong = run(&["--tz", "UTC"]);
    let why = wrong["unmatched"].as_str().unwrap();
    assert!(
        why.contains("none within 2 s") && why.contains("7200.0 s apart"),
        "{why}"
    );
    // The same clock time on another day is another request.
    let next_day = haproxy.replace("03/Sep/2024", "04/Sep/2024");
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&[
        "explain-log",
        "--config",
        "examples/alb-chain.cfg",
        "--format",
        "json",
        &next_day,
        &alb,
    ]))
    .unwrap();
    assert!(json[0]["alb_entry"]["unmatched"].is_string(), "{}", json[0]);
    assert_eq!(json[1]["matched"], false, "{}", json[1]);
    let bad = haplint(&["explain-log", "--tz", "Mars/Olympus", &haproxy]);
    assert_eq!(bad.status.code(), Some(2));
}

/// ALB entries as AWS writes them: two target groups, one entry never sent
/// to a target (`-1`).
fn alb_log() -> String {
    let mut log = String::new();
    for i in 0..30 {
        let (group, target, processing) = if i % 3 == 0 {
            ("api", "10.0.0.7:8080", format!("0.{:03}", i * 10))
        } else {
            ("web", "10.0.1.9:80", format!("0.{:03}", i))
        };
        log.push_str(&format!(
            "https 2024-09-03T15:20:{:02}.000000Z app/lb/1 1.2.3.4:5 {target} 0.001 {processing} \
                0.000 200 200 100 200 \"GET https://x.example.com:443/p/{i} HTTP/1.1\" \"ua\" c \
                TLSv1.2 arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/{group}/abc \
                \"Root=1-{i}\" \"x.example.com\" \"-\" 0 2024-09-03T15:20:{:02}.000000Z \
                \"forward\" \"-\" \"-\" \"{target}\" \"200\" \"-\" \"-\"\n",
            i, i
        ));
    }
    log.push_str(
        "https 2024-09-03T15:21:00.000000Z app/lb/1 1.2.3.4:5 - -1 -1 -1 503 - 100 0 \
        \"GET https://x.example.com:443/down HTTP/1.1\" \"ua\" c TLSv1.2 \
        arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/abc \"Root=1-z\" \
        \"x.example.com\" \"-\" 0 2024-09-03T15:21:00.000000Z \"forward\" \"-\" \"-\" \"-\" \"-\" \
        \"-\" \"-\"\n",
    );
    log
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut out = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3];
    out.extend(miniz_oxide::deflate::compress_to_vec(data, 6));
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out
}

#[test]
fn alb_logs_are_aggregated_per_target_group_and_target_plain_or_gzip() {
    let log = alb_log();
    for (name, data) in [
        ("alb.log", log.clone().into_bytes()),
        ("alb.log.gz", gzip(log.as_bytes())),
    ] {
        let path = temp_file(name, &data);
        let json: serde_json::Value = serde_json::from_str(&stdout_of(&[
            "explain-log",
            "--file",
            path.to_str().unwrap(),
            "--format",
            "json",
        ]))
        .unwrap();
        assert_eq!(json["lines"], 31, "{name}");
        assert_eq!(json["alb_entries"], 31, "{name}");
        assert_eq!(json["unreadable"], 0, "{name}: {}", json["errors"]);
        let groups = json["alb_groups"].as_array().unwrap();
        let names: Vec<String> = groups
            .iter()
            .map(|g| {
                format!(
                    "{} {}",
                    g["target_group"].as_str().unwrap(),
                    g["target"].as_str().unwrap()
                )
            })
            .collect();
        assert_eq!(
            names,
            ["api 10.0.0.7:8080", "web -", "web 10.0.1.9:80"],
            "{name}"
        );
        let api = &groups[0];
        assert_eq!(api["requests"], 10);
        // target_processing 0, 30, …, 270 ms: p50 is the 5th value, 120 ms,
        // within the histogram's 0.8 %.
        let p50 = api["timers"]["target_processing"]["p50"].as_f64().unwrap();
        assert!((p50 - 120.0).abs() <= 120.0 * 0.008, "{api}");
        assert_eq!(api["timers"]["target_processing"]["max"], 270.0);
        assert_eq!(api["elb_status"]["200"], 10);
        assert!(
            api["slowest"][0]["request"]
                .as_str()
                .unwrap()
                .contains("GET https://x.example.com:443/p/27 HTTP/1.1"),
            "{api}"
        );
        let down = &groups[1];
        assert_eq!(down["elb_status"]["503"], 1);
        assert_eq!(down["target_status"]["-"], 1);
        assert!(down["timers"].as_object().unwrap().is_empty(), "{down}");
    }
}

#[test]
fn httplog_without_captures_shows_the_request_line() {
    let mut log = String::new();
    for i in 0..40 {
        log.push_str(&format!(
            "Sep 13 15:20:31 lb haproxy[1]: 10.0.0.1:{i} [13/Sep/2024:15:20:22.467] www~ be/s1 \
                1/0/2/{}/{} 200 10 - - ---- 1/1/1/1/0 0/0 \"GET /items/{i}?q=1 HTTP/1.1\"\n",
            i * 10,
            i * 10 + 3
        ));
    }
    let path = temp_file("httplog.log", log.as_bytes());
    let out = stdout_of(&["explain-log", "--file", path.to_str().unwrap()]);
    assert!(out.contains("be/s1: 40 requests"), "{out}");
    assert!(out.contains("393 ms  GET /items/39?q=1 HTTP/1.1"), "{out}");
    assert!(
        !out.contains("── aggregate ──"),
        "40 lines are not explained one by one"
    );
}

/// `hh:mm:ss.mmm` of `ms` after midnight.
fn clock(ms: u64) -> String {
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

/// A HAProxy log of 3,000 requests on a host on Paris summer time (no zone
/// in the lines), then the ALB's log of the same requests (UTC), and ten ALB
/// entries no HAProxy line has: five of a path HAProxy never saw, five an
/// hour away from their request.
fn mixed_log() -> String {
    let mut haproxy = String::new();
    let mut alb = String::new();
    for i in 0..3000u64 {
        // 17:00 local, one request every 1.2 s; paths repeat every 97 (no
        // quarter hour apart has the same path, so only +02:00 fits).
        let accepted = 17 * 3_600_000 + i * 1200;
        let (tr, ta) = (20 + i % 300, 25 + i % 300);
        haproxy.push_str(&format!(
            "Sep  3 {} lb haproxy[1]: 10.0.0.1:{} [03/Sep/2024:{}] www be/s{} \
             0/0/1/{tr}/{ta} 200 10 - - ---- 1/1/1/1/0 0/0 \"GET /p/{} HTTP/1.1\"\n",
            &clock(accepted)[..8],
            1024 + i,
            clock(accepted),
            i % 2,
            i % 97
        ));
        // The ALB sees the request 3 ms after HAProxy sent it, in UTC.
        let created = accepted + 1 + 3 - 2 * 3_600_000;
        let done = accepted + ta - 2 * 3_600_000 + 1;
        alb.push_str(&alb_entry(done, created, &format!("/p/{}", i % 97)));
    }
    for i in 0..5u64 {
        alb.push_str(&alb_entry(15 * 3_600_000 + i, 15 * 3_600_000, "/nowhere"));
        let late = 15 * 3_600_000 + 3_600_000 + 50_000 + i;
        alb.push_str(&alb_entry(late, late, &format!("/p/{i}")));
    }
    haproxy + &alb
}

fn alb_entry(done: u64, created: u64, path: &str) -> String {
    format!(
        "https 2024-09-03T{}000Z app/lb/1 1.2.3.4:5 10.0.1.9:80 0.001 0.020 0.000 200 200 100 \
         200 \"GET https://x.example.com:443{path} HTTP/1.1\" \"ua\" c TLSv1.2 \
         arn:aws:elasticloadbalancing:us-east-1:1:targetgroup/web/abc \"Root=1-x\" \
         \"x.example.com\" \"-\" 0 2024-09-03T{}000Z \"forward\" \"-\" \"-\" \
         \"10.0.1.9:80\" \"200\" \"-\" \"-\"\n",
        clock(done),
        clock(created)
    )
}

/// Run haplint in `dir`.
fn haplint_in(dir: &std::path::Path, args: &[&str]) -> String {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_haplint"))
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).into_owned()
}

#[test]
fn a_big_mixed_file_matches_alb_entries_to_their_haproxy_lines() {
    let path = temp_file("mixed.log", mixed_log().as_bytes());
    let file = path.to_str().unwrap();
    let json: serde_json::Value = serde_json::from_str(&stdout_of(&[
        "explain-log",
        "--file",
        file,
        "--format",
        "json",
    ]))
    .unwrap();
    assert_eq!(json["lines"], 6010);
    assert_eq!(json["alb_entries"], 3010);
    let matching = &json["alb_matching"];
    assert_eq!(matching["alb_entries"], 3010, "{matching}");
    assert_eq!(matching["matched"], 3000, "{matching}");
    assert_eq!(matching["haproxy_lines_matched"], 3000, "{matching}");
    let zone = matching["zone"].as_str().unwrap();
    assert!(zone.contains("at UTC+02:00 (no zone given"), "{zone}");
    let unmatched = matching["unmatched"].as_array().unwrap();
    assert_eq!(unmatched.len(), 10);
    let why = |line: u64| {
        unmatched
            .iter()
            .find(|u| u["line"] == line)
            .map(|u| u["why"].as_str().unwrap().to_string())
            .unwrap()
    };
    assert_eq!(why(6001), "no HAProxy line has its method and path");
    assert_eq!(
        why(6002),
        "no HAProxy line with its method and path within 2 s"
    );
    // The slowest ALB entries name their HAProxy line: entry 3000 + n is
    // request n.
    let slowest = &json["alb_groups"][0]["slowest"];
    for slow in slowest.as_array().unwrap() {
        let line = slow["line"].as_u64().unwrap();
        assert_eq!(slow["haproxy_line"], line - 3000, "{slow}");
    }
    // The zone from `.haplint.yaml` in the working folder (no --config):
    // given, so no guess; a wrong one matches nothing.
    let dir = path.parent().unwrap();
    for (tz, matched, how) in [
        ("Europe/Paris", 3000, "in Europe/Paris (given)"),
        ("UTC", 0, "in UTC (given)"),
    ] {
        std::fs::write(dir.join(".haplint.yaml"), format!("tz: {tz}\n")).unwrap();
        let out = haplint_in(dir, &["explain-log", "--file", "mixed.log"]);
        let expected = format!("ALB entries matched to a HAProxy line: {matched} of 3010 (");
        assert!(out.contains(&expected), "{out}");
        assert!(out.contains(how), "{out}");
    }
    // --tz wins over the file.
    let out = haplint_in(
        dir,
        &["explain-log", "--tz", "+02:00", "--file", "mixed.log"],
    );
    assert!(out.contains("3000 of 3010"), "{out}");
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_zone_of_haplint_yaml_above_the_working_folder_is_used_without_config() {
    let dir = std::env::temp_dir().join(format!("haplint-logs-{}-tz", std::process::id()));
    let sub = dir.join("logs");
    std::fs::create_dir_all(&sub).unwrap();
    std::fs::write(dir.join(".haplint.yaml"), "tz: Europe/Paris\n").unwrap();
    // The incident's request as `option httplog` logs it on a host on
    // Paris summer time.
    let haproxy = "Sep  3 17:20:31 lb haproxy[1]: 10.0.0.1:1 [03/Sep/2024:17:20:22.467] www~ \
                   be/s1 1736/0/2/7662/9400 200 143 - - ---- 1/1/1/1/0 0/0 \
                   \"POST https://domain.com/ls/apiLocation/location HTTP/2.0\"";
    let alb = text("tests/fixtures/logs/incident-alb.log");
    let out = haplint_in(&sub, &["explain-log", haproxy, &alb]);
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        out.contains("HAProxy's local time read in Europe/Paris (given)"),
        "{out}"
    );
}
