//! Every rule's claim, shown against the real haproxy (issue 17).
//!
//! Each `rules/<id>.yaml` ends with a `proof:` block (schema in rules/README.md):
//! - `oracle-check`: `haproxy -c` of every oracle series concerned on the bad and
//!   the good examples must give the declared verdicts;
//! - `experiment`: a loopback experiment below (haproxy in front of a tiny HTTP
//!   server on 127.0.0.1), whose figures must equal the recorded `result`;
//! - `manual`: the claim cannot be demonstrated here; the doc states what the
//!   manual says, and the rule may not be an error.
//!
//! Versions run in parallel, every experiment is bounded in time.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use haplint::rules::catalog::{self, ProofDoc, ProofKind, RuleDoc, Verdict};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------- declarations

const EXPERIMENTS: &[&str] = &[
    "server-connections",
    "body-buffering",
    "check-port-on-ssl",
    "tls-name-check",
    "server-queueing",
    "server-loop",
    "timeout-unit",
    "forwarded-for",
    "redispatch",
    "l7-retry",
    "body-fetch",
    "stats-page",
    "userlist-auth",
    "runtime-api",
    "https-redirect",
    "tls-versions",
    "server-sni",
    "server-ciphers",
    "experimental-keyword",
    "dh-param",
    "tls-port-plain",
    "slow-header",
    "health-check",
    "global-maxconn",
    "stick-table-expire",
    "derived-maxconn",
    "process-identity",
    "fork-guard",
    "stalled-requests",
    "flapping",
    "hsts",
    "reuse-modes",
    "rate-limit",
    "unused-acl",
    "unused-backend",
    "shared-certificate",
];

#[test]
fn every_rule_has_a_proof_or_a_citation() {
    let mut problems = Vec::new();
    for doc in catalog::docs() {
        let Some(proof) = &doc.proof else {
            problems.push(format!("{}: no `proof:` block", doc.id));
            continue;
        };
        for series in &proof.versions {
            if !common::ORACLE_SERIES.contains(&series.as_str()) {
                problems.push(format!("{}: no oracle for haproxy {series}", doc.id));
            }
        }
        match proof.kind {
            ProofKind::OracleCheck => {
                if proof.bad.is_none() && proof.good.is_none() {
                    problems.push(format!(
                        "{}: an oracle-check says nothing about the examples (set `bad:` and/or \
                         `good:`)",
                        doc.id
                    ));
                }
            }
            ProofKind::Experiment => {
                let known = proof
                    .experiment
                    .as_deref()
                    .is_some_and(|e| EXPERIMENTS.contains(&e));
                if !known || proof.result.is_none() || proof.claim.is_none() {
                    problems.push(format!(
                        "{}: an experiment needs `experiment:` (one of {EXPERIMENTS:?}), `claim:` \
                         and `result:`",
                        doc.id
                    ));
                }
            }
            ProofKind::Manual => {
                if proof
                    .claim
                    .as_deref()
                    .is_none_or(|c| !c.contains("configuration.txt"))
                {
                    problems.push(format!(
                        "{}: a manual proof needs a `claim:` naming the configuration.txt section \
                         and version",
                        doc.id
                    ));
                }
                if doc.severity == haplint::finding::Severity::Error {
                    problems.push(format!(
                        "{}: a claim only the manual supports is at most a warning",
                        doc.id
                    ));
                }
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The series a proof runs on, with their oracles; `None` when the oracles are missing
/// (a failure in CI, a visible skip elsewhere).
fn oracles_for(test: &str, proof: &ProofDoc) -> Option<Vec<(String, PathBuf)>> {
    let all = common::oracles(test);
    if all.len() < common::ORACLE_SERIES.len() {
        return None;
    }
    Some(
        all.into_iter()
            .filter(|(series, _)| {
                proof.versions.is_empty() || proof.versions.iter().any(|v| v == series)
            })
            .map(|(series, path)| (series.to_string(), path))
            .collect(),
    )
}

// ---------------------------------------------------------------- haproxy -c

/// What `haproxy -c` made of a configuration.
struct Checked {
    verdict: Verdict,
    alerts: Vec<String>,
    warnings: Vec<String>,
}

/// A line without haproxy's pid and without file:line references, so the
/// outputs of two examples compare.
fn normalize(line: &str) -> String {
    let line = line.split_once(") : ").map_or(line, |(_, rest)| rest);
    let line = line.strip_prefix("config : ").unwrap_or(line);
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find('[') {
        out.push_str(&rest[..start]);
        match rest[start..].find(']') {
            Some(end) if rest[start..start + end].contains(".cfg") => {
                rest = &rest[start + end + 1..]
            }
            _ => {
                out.push('[');
                rest = &rest[start + 1..];
            }
        }
    }
    out.push_str(rest);
    out.trim().to_string()
}

/// Examples name hosts that do not resolve on a test machine; only names in the
/// reserved `.invalid` domain (which never resolves) are meant to fail, so the
/// other resolution alerts are set aside.
fn environmental(alert: &str) -> bool {
    (alert.contains("could not resolve address") && !alert.contains(".invalid'"))
        || alert.contains("Failed to initialize server(s) addr")
        || alert.contains("Error(s) found in configuration file")
        || alert.contains("Fatal errors found in configuration")
}

fn haproxy_check(oracle: &Path, config: &str, tag: &str) -> Checked {
    let (code, text) = run_check(oracle, config, tag);
    let alerts: Vec<String> = text
        .lines()
        .filter(|l| l.contains("[ALERT]"))
        .map(normalize)
        .collect();
    let resolution_refused = alerts
        .iter()
        .any(|a| a.contains("could not resolve address") && a.contains(".invalid'"));
    // A refusal may come from the environment of the test machine (a missing
    // certificate, a name that does not resolve); those are set aside.
    let environment_failed = alerts
        .iter()
        .any(|a| environmental(a) && !a.contains("Error(s) found") && !a.contains("Fatal errors"));
    let alerts: Vec<String> = alerts
        .into_iter()
        .filter(|a| resolution_refused || !environmental(a))
        .collect();
    let alerts: Vec<String> = alerts
        .into_iter()
        .filter(|a| !a.contains("Error(s) found") && !a.contains("Fatal errors"))
        .collect();
    let warnings: Vec<String> = text
        .lines()
        .filter(|l| l.contains("[WARNING]"))
        .map(normalize)
        .collect();
    // Some refusals are only a located WARNING followed by "Error(s) found"
    // and exit 1 (2.6's ring `size 1M`, 3.2's `program` section): the exit
    // status decides when the environment is not the cause.
    let refused = code == Some(1) && (resolution_refused || !environment_failed);
    let verdict = if !alerts.is_empty() || refused {
        Verdict::Rejected
    } else if warnings.is_empty() {
        Verdict::Accepted
    } else {
        Verdict::Warned
    };
    Checked {
        verdict,
        alerts,
        warnings,
    }
}

/// Compare one rule's examples with its declared verdicts on one oracle; the
/// problems found, in words.
fn check_rule(doc: &RuleDoc, proof: &ProofDoc, series: &str, oracle: &Path) -> Vec<String> {
    let mut problems = Vec::new();
    let good: Vec<Checked> = doc
        .examples
        .good
        .iter()
        .enumerate()
        .map(|(i, ex)| haproxy_check(oracle, &ex.config, &format!("{}-{series}-good{i}", doc.id)))
        .collect();
    let good_warnings: Vec<&String> = good.iter().flat_map(|c| &c.warnings).collect();
    if let Some(want) = proof.bad {
        for (i, ex) in doc.examples.bad.iter().enumerate() {
            let got = haproxy_check(oracle, &ex.config, &format!("{}-{series}-bad{i}", doc.id));
            let said: Vec<&String> = match want {
                Verdict::Rejected => got.alerts.iter().collect(),
                _ => got
                    .warnings
                    .iter()
                    .filter(|w| !good_warnings.contains(w))
                    .collect(),
            };
            let ok = match want {
                Verdict::Rejected => got.verdict == Verdict::Rejected,
                Verdict::Warned => got.verdict != Verdict::Rejected && !said.is_empty(),
                Verdict::Accepted => got.verdict != Verdict::Rejected,
            };
            let says_ok = proof
                .says
                .as_deref()
                .is_none_or(|s| said.iter().any(|l| l.contains(s)));
            if !ok || !says_ok {
                problems.push(format!(
                    "{} on haproxy {series}: bad example {} should be {}{} but got {:?}; alerts \
                     {:?}; new warnings {:?}",
                    doc.id,
                    i + 1,
                    want.as_str(),
                    proof
                        .says
                        .as_deref()
                        .map(|s| format!(" saying \"{s}\""))
                        .unwrap_or_default(),
                    got.verdict,
                    got.alerts,
                    said
                ));
            }
        }
    }
    if let Some(want) = proof.good {
        for (i, got) in good.iter().enumerate() {
            let ok = match want {
                Verdict::Rejected => got.verdict == Verdict::Rejected,
                Verdict::Warned => got.verdict == Verdict::Warned,
                Verdict::Accepted => {
                    got.verdict != Verdict::Rejected
                        && proof
                            .says
                            .as_deref()
                            .is_none_or(|s| !got.warnings.iter().any(|w| w.contains(s)))
                }
            };
            if !ok {
                problems.push(format!(
                    "{} on haproxy {series}: good example {} should be {} but got {:?}; alerts \
                     {:?}; warnings {:?}",
                    doc.id,
                    i + 1,
                    want.as_str(),
                    got.verdict,
                    got.alerts,
                    got.warnings
                ));
            }
        }
    }
    problems
}

#[test]
fn configuration_claims_hold_on_every_oracle() {
    let docs: Vec<&RuleDoc> = catalog::docs()
        .iter()
        .filter(|d| {
            d.proof
                .as_ref()
                .is_some_and(|p| p.kind == ProofKind::OracleCheck)
        })
        .collect();
    let Some(all) = oracles_for(
        "configuration_claims_hold_on_every_oracle",
        &ProofDoc::any(),
    ) else {
        return;
    };
    let problems = Arc::new(Mutex::new(Vec::new()));
    std::thread::scope(|scope| {
        for (series, oracle) in &all {
            let docs = &docs;
            let problems = Arc::clone(&problems);
            scope.spawn(move || {
                for doc in docs {
                    let proof = doc.proof.as_ref().unwrap();
                    if !proof.versions.is_empty() && !proof.versions.contains(series) {
                        continue;
                    }
                    let found = check_rule(doc, proof, series, oracle);
                    problems.lock().unwrap().extend(found);
                }
            });
        }
    });
    let problems = problems.lock().unwrap();
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

trait Any {
    fn any() -> Self;
}

impl Any for ProofDoc {
    fn any() -> Self {
        ProofDoc {
            kind: ProofKind::OracleCheck,
            versions: Vec::new(),
            bad: None,
            good: None,
            says: None,
            experiment: None,
            claim: None,
            result: None,
        }
    }
}

// ---------------------------------------------------------------- loopback servers

/// A port nobody listens on right now (haproxy binds it next). Each port is
/// handed out once per test process, from a range chosen by its pid: with
/// experiments running side by side, two of them asking the kernel for a free
/// port at the same moment could get the same one, and the second haproxy
/// would fail to bind while the test talked to the first.
fn free_port() -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let base = 10_000 + u16::try_from(std::process::id() % 40).unwrap() * 500;
    loop {
        let offset = NEXT.fetch_add(1, Ordering::Relaxed);
        assert!(offset < 500, "the proofs ran out of test ports");
        if TcpListener::bind(("127.0.0.1", base + offset)).is_ok() {
            return base + offset;
        }
    }
}

/// What the test's upstream server saw.
#[derive(Default)]
struct Seen {
    connections: usize,
    /// Seconds after `start` at which each request's headers arrived.
    headers_at: Vec<f64>,
    /// The first byte of each connection (0x16 = a TLS handshake).
    first_bytes: Vec<u8>,
    /// The head of each request, lowercase.
    heads: Vec<String>,
}

/// A tiny HTTP/1.1 server: answers every request `200 ok`, keeps connections
/// open, counts them. Bodies are read by Content-Length.
fn upstream(start: Instant) -> (u16, Arc<Mutex<Seen>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Seen::default()));
    let shared = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { return };
            let seen = Arc::clone(&shared);
            std::thread::spawn(move || serve(stream, &seen, start));
        }
    });
    (port, seen)
}

fn serve(mut stream: TcpStream, seen: &Mutex<Seen>, start: Instant) {
    seen.lock().unwrap().connections += 1;
    let _ = stream.set_read_timeout(Some(Duration::from_secs(10)));
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let mut first = true;
    // Whether the headers of the request at the front of `buf` were noted.
    let mut noted = false;
    loop {
        let Ok(n) = stream.read(&mut chunk) else {
            return;
        };
        if n == 0 {
            return;
        }
        if first {
            seen.lock().unwrap().first_bytes.push(chunk[0]);
            first = false;
        }
        buf.extend_from_slice(&chunk[..n]);
        while let Some(end) = find(&buf, b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).to_ascii_lowercase();
            if !noted && !head.starts_with("options") {
                let mut seen = seen.lock().unwrap();
                seen.headers_at.push(start.elapsed().as_secs_f64());
                seen.heads.push(head.clone());
            }
            noted = true;
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0);
            if buf.len() < end + 4 + length {
                break;
            }
            buf.drain(..end + 4 + length);
            noted = false;
            if stream
                .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                .is_err()
            {
                return;
            }
        }
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// A running haproxy, killed when dropped.
struct Haproxy {
    child: Child,
    dir: PathBuf,
}

impl Drop for Haproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Start `oracle` in the foreground on `config`; wait until `port` accepts.
fn start_haproxy(oracle: &Path, config: &str, port: u16, tag: &str) -> Haproxy {
    start_haproxy_limited(oracle, config, port, tag, None)
}

/// `start_haproxy`, with the file-descriptor limit (soft and hard) set to
/// `nofile` when given.
fn start_haproxy_limited(
    oracle: &Path,
    config: &str,
    port: u16,
    tag: &str,
    nofile: Option<u32>,
) -> Haproxy {
    let dir = std::env::temp_dir().join(format!("haplint-proof-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("haproxy.cfg");
    std::fs::write(&file, config).unwrap();
    let mut command = match nofile {
        Some(n) => {
            let mut sh = Command::new("sh");
            sh.arg("-c")
                .arg(format!("ulimit -n {n} && exec \"$0\" \"$@\""))
                .arg(oracle);
            sh
        }
        None => Command::new(oracle),
    };
    let child = command
        .arg("-db")
        .arg("-f")
        .arg(&file)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start haproxy");
    let proc = Haproxy { child, dir };
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "haproxy ({tag}) did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    proc
}

/// Read one HTTP response (headers + Content-Length body); its status.
fn read_response(stream: &mut TcpStream) -> Option<u16> {
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while find(&buf, b"\r\n\r\n").is_none() {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).to_ascii_lowercase();
    let status = head.split_whitespace().nth(1)?.parse().ok()?;
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).ok()?;
    Some(status)
}

const GLOBAL: &str = concat!(
    "global\n",
    "    maxconn 200\n",
    "defaults\n",
    "    mode http\n",
    "    timeout connect 2s\n",
    "    timeout client 10s\n",
    "    timeout server 10s\n",
);

// ---------------------------------------------------------------- experiments

/// 100 requests on one client connection; how many connections the upstream saw.
fn connections_for(oracle: &Path, backend_options: &str, tag: &str) -> usize {
    let start = Instant::now();
    let (up, seen) = upstream(start);
    let port = free_port();
    let config = format!(
        "{GLOBAL}frontend www\n    bind 127.0.0.1:{port}\n    default_backend app\n\
         backend app\n{backend_options}    server s1 127.0.0.1:{up}\n"
    );
    let _haproxy = start_haproxy(oracle, &config, port, tag);
    let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    for _ in 0..100 {
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
            .unwrap();
        assert_eq!(read_response(&mut client), Some(200), "{tag}");
    }
    drop(client);
    let connections = seen.lock().unwrap().connections;
    drop(seen);
    connections
}

fn server_connections(series: &str, oracle: &Path) -> String {
    let bad = connections_for(
        oracle,
        "    option http-server-close\n",
        &format!("close-{series}"),
    );
    let good = connections_for(oracle, "    http-reuse safe\n", &format!("reuse-{series}"));
    format!(
        "100 requests → {bad} server connections; with keep-alive and `http-reuse safe`: {good}"
    )
}

/// A client sends a POST's headers, then its 5-byte body after `delay`;
/// when the upstream sees the request, or what the client gets back.
fn slow_body(
    oracle: &Path,
    options: &str,
    delay: Duration,
    tag: &str,
) -> (Option<f64>, Option<(u16, f64)>) {
    let start = Instant::now();
    let (up, seen) = upstream(start);
    let port = free_port();
    let config = format!(
        "{GLOBAL}frontend www\n    bind 127.0.0.1:{port}\n{options}    default_backend app\n\
         backend app\n    server s1 127.0.0.1:{up}\n"
    );
    let _haproxy = start_haproxy(oracle, &config, port, tag);
    let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    let t0 = start.elapsed().as_secs_f64();
    client
        .write_all(b"POST /upload HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\r\n")
        .unwrap();
    // Watch for an early answer (a 408) while the body is held back.
    client.set_read_timeout(Some(delay)).unwrap();
    let mut early = None;
    let mut peek = [0u8; 1];
    if let Ok(n) = client.peek(&mut peek)
        && n > 0
    {
        let at = start.elapsed().as_secs_f64() - t0;
        client
            .set_read_timeout(Some(Duration::from_secs(2)))
            .unwrap();
        early = read_response(&mut client).map(|status| (status, at));
    }
    if early.is_none() {
        let _ = client.write_all(b"hello");
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let _ = read_response(&mut client);
    }
    let headers_at = seen.lock().unwrap().headers_at.first().map(|t| t - t0);
    (headers_at, early)
}

fn body_buffering(series: &str, oracle: &Path) -> String {
    let delay = Duration::from_millis(1500);
    let (plain, _) = slow_body(oracle, "", delay, &format!("plain-{series}"));
    let (buffered, _) = slow_body(
        oracle,
        "    option http-buffer-request\n",
        delay,
        &format!("buffer-{series}"),
    );
    let (_, cut) = slow_body(
        oracle,
        "    option http-buffer-request\n    timeout http-request 1s\n",
        delay,
        &format!("cut-{series}"),
    );
    // In words a loaded machine reproduces: the body is only sent after
    // `delay`, so anything seen earlier came before it. The 408 must come from
    // the 1 s timeout: not before it, and before the body was sent.
    let body_at = delay.as_secs_f64();
    let seen = |t: Option<f64>| match t {
        None => "never".to_string(),
        Some(t) if t < body_at => "before the body was sent".to_string(),
        Some(_) => "once the body arrived".to_string(),
    };
    let cut = cut.map_or("no early answer".to_string(), |(status, at)| {
        assert!(
            at >= 0.9,
            "haproxy {series}: an answer at {at:.2} s, before `timeout http-request 1s` could \
             expire"
        );
        format!("a {status} at the 1 s timeout, before sending the body")
    });
    format!(
        "body 1.5 s after the headers: without `option http-buffer-request` the server gets the \
         request {}, with it {}; with it and `timeout http-request 1s` the client gets {cut}",
        seen(plain),
        seen(buffered),
    )
}

/// An `ssl` server with `check`, with and without `port`: the first byte of
/// the check connections tells TLS (0x16) from plain HTTP.
fn check_port_on_ssl(series: &str, oracle: &Path) -> String {
    let probe = |extra: &str, tag: &str| {
        let start = Instant::now();
        let (up, seen) = upstream(start);
        let port = free_port();
        let config = format!(
            "{GLOBAL}frontend www\n    bind 127.0.0.1:{port}\n    default_backend app\n\
             backend app\n    option httpchk\n    server s1 127.0.0.1:{up} ssl verify none \
             check inter 100ms{}\n",
            extra.replace("PORT", &up.to_string())
        );
        let _haproxy = start_haproxy(oracle, &config, port, tag);
        let deadline = Instant::now() + Duration::from_secs(5);
        while seen.lock().unwrap().first_bytes.is_empty() && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        let first = seen.lock().unwrap().first_bytes.first().copied();
        match first {
            Some(0x16) => "TLS",
            Some(_) => "plain HTTP",
            None => "nothing",
        }
    };
    let without = probe("", &format!("tls-{series}"));
    let with = probe(" port PORT", &format!("port-{series}"));
    format!(
        "`ssl ... check` sends {without} checks; adding `port <the same port>` sends {with} checks"
    )
}

/// A TLS server (`openssl s_server`) whose certificate, its own CA, names
/// `other.example`; haproxy verifies it with `verify required ca-file` alone,
/// then with `sni` naming the host the server is supposed to be.
fn tls_name_check(series: &str, oracle: &Path) -> String {
    let dir =
        std::env::temp_dir().join(format!("haplint-proof-{}-tls-{series}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",
            "-subj",
            "/CN=other.example",
            "-addext",
            "subjectAltName=DNS:other.example",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run openssl req");
    assert!(made.success(), "openssl req failed");
    let tls_port = free_port();
    let mut server = Command::new("openssl")
        .args(["s_server", "-quiet", "-www", "-accept"])
        .arg(format!("127.0.0.1:{tls_port}"))
        .arg("-cert")
        .arg(&cert)
        .arg("-key")
        .arg(&key)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start openssl s_server");
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", tls_port)).is_err() {
        assert!(Instant::now() < deadline, "openssl s_server did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    let status = |extra: &str, tag: &str| {
        let port = free_port();
        let config = format!(
            "{GLOBAL}frontend www\n    bind 127.0.0.1:{port}\n    default_backend app\n\
             backend app\n    server s1 127.0.0.1:{tls_port} ssl verify required \
             ca-file {}{extra}\n",
            cert.display()
        );
        let _haproxy = start_haproxy(oracle, &config, port, tag);
        let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: api.example\r\n\r\n")
            .unwrap();
        read_response(&mut client).map_or("no answer".to_string(), |s| s.to_string())
    };
    let alone = status("", &format!("tls-alone-{series}"));
    let named = status(" sni str(api.example)", &format!("tls-sni-{series}"));
    let _ = server.kill();
    let _ = server.wait();
    let _ = std::fs::remove_dir_all(&dir);
    format!(
        "certificate for other.example, server expected to be api.example: \
         `verify required ca-file` alone → {alone}; with `sni str(api.example)` → {named}"
    )
}

/// An upstream that holds every request 500 ms and records how many it had in
/// flight at once; 10 clients send one request each at the same moment.
fn burst(oracle: &Path, server_options: &str, backend_options: &str, tag: &str) -> (usize, usize) {
    burst_in(oracle, 200, "", server_options, backend_options, tag)
}

/// `burst` with a global `maxconn` and frontend options of one's own.
fn burst_in(
    oracle: &Path,
    global_maxconn: u32,
    frontend_options: &str,
    server_options: &str,
    backend_options: &str,
    tag: &str,
) -> (usize, usize) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let up = listener.local_addr().unwrap().port();
    let now = Arc::new(Mutex::new((0usize, 0usize)));
    let shared = Arc::clone(&now);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let now = Arc::clone(&shared);
            std::thread::spawn(move || {
                let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                let mut buf = Vec::new();
                let mut chunk = [0u8; 1024];
                loop {
                    while find(&buf, b"\r\n\r\n").is_none() {
                        match stream.read(&mut chunk) {
                            Ok(0) | Err(_) => return,
                            Ok(n) => buf.extend_from_slice(&chunk[..n]),
                        }
                    }
                    let end = find(&buf, b"\r\n\r\n").unwrap_or(0);
                    buf.drain(..end + 4);
                    {
                        let mut n = now.lock().unwrap();
                        n.0 += 1;
                        n.1 = n.1.max(n.0);
                    }
                    std::thread::sleep(Duration::from_millis(500));
                    now.lock().unwrap().0 -= 1;
                    if stream
                        .write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
                        .is_err()
                    {
                        return;
                    }
                }
            });
        }
    });
    let port = free_port();
    let config = format!(
        "{}frontend www\n    bind 127.0.0.1:{port}\n{frontend_options}    default_backend app\n\
         backend app\n{backend_options}    server s1 127.0.0.1:{up}{server_options}\n",
        GLOBAL.replace("maxconn 200", &format!("maxconn {global_maxconn}"))
    );
    let _haproxy = start_haproxy(oracle, &config, port, tag);
    let clients: Vec<_> = (0..10)
        .map(|_| {
            std::thread::spawn(move || {
                let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
                client
                    .set_read_timeout(Some(Duration::from_secs(10)))
                    .unwrap();
                client
                    .write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                    .unwrap();
                read_response(&mut client)
            })
        })
        .collect();
    let statuses: Vec<Option<u16>> = clients.into_iter().map(|c| c.join().unwrap()).collect();
    let refused = statuses.iter().filter(|s| **s == Some(503)).count();
    let peak = now.lock().unwrap().1;
    (peak, refused)
}

fn server_queueing(series: &str, oracle: &Path) -> String {
    let (open, _) = burst(oracle, "", "", &format!("burst-open-{series}"));
    let (limited, _) = burst(
        oracle,
        " maxconn 2",
        "    timeout queue 5s\n",
        &format!("burst-queue-{series}"),
    );
    let (_, refused) = burst(
        oracle,
        " maxconn 2",
        "    timeout queue 100ms\n",
        &format!("burst-short-{series}"),
    );
    format!(
        "10 simultaneous requests, 500 ms each: without server `maxconn` the server had {open} in \
         flight at once; with `maxconn 2` {limited} (the rest queued in haproxy); with `maxconn 2` \
         and `timeout queue 100ms` {refused} got a 503"
    )
}

// ---------------------------------------------------------------- more loopback tools

const OK: &[u8] = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok";

/// An upstream whose connections `handle` serves, each with its number (from 0).
fn scripted<F>(handle: F) -> u16
where
    F: Fn(usize, TcpStream) + Send + Sync + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = Arc::new(handle);
    std::thread::spawn(move || {
        for (i, stream) in listener.incoming().enumerate() {
            let Ok(stream) = stream else { return };
            let handle = Arc::clone(&handle);
            std::thread::spawn(move || handle(i, stream));
        }
    });
    port
}

/// One request read from `stream`: its head, lowercase (the body, by
/// Content-Length, is read and dropped).
fn read_request(stream: &mut TcpStream) -> Option<String> {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut buf = Vec::new();
    let mut byte = [0u8; 1];
    while find(&buf, b"\r\n\r\n").is_none() {
        if stream.read(&mut byte).ok()? == 0 {
            return None;
        }
        buf.push(byte[0]);
    }
    let head = String::from_utf8_lossy(&buf).to_ascii_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(0);
    let mut body = vec![0u8; length];
    stream.read_exact(&mut body).ok()?;
    Some(head)
}

/// A GET with `Connection: close` (haproxy closes after the answer).
fn get(path: &str, headers: &str) -> String {
    format!("GET {path} HTTP/1.1\r\nHost: t\r\n{headers}Connection: close\r\n\r\n")
}

/// `raw` sent on a new connection to `port`, read until the peer closes:
/// the status and the whole answer.
fn exchange(port: u16, raw: &str) -> (Option<u16>, String) {
    let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
    client
        .set_read_timeout(Some(Duration::from_secs(5)))
        .unwrap();
    client.write_all(raw.as_bytes()).unwrap();
    let mut out = Vec::new();
    let _ = client.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok());
    (status, text)
}

fn shown(status: Option<u16>) -> String {
    status.map_or("no answer".to_string(), |s| s.to_string())
}

/// Field `field` of the `proxy,name,` line of haproxy's CSV statistics.
fn csv_field(csv: &str, proxy: &str, name: &str, field: usize) -> String {
    let prefix = format!("{proxy},{name},");
    csv.lines()
        .find(|l| l.starts_with(&prefix))
        .and_then(|l| l.split(',').nth(field))
        .unwrap_or("?")
        .to_string()
}

/// The CSV fields `smax` (peak sessions), `status`, `check_status` and `chkdown`
/// (transitions to DOWN).
const SMAX: usize = 5;
const STATUS: usize = 17;
const CHECK_STATUS: usize = 36;
const CHKDOWN: usize = 22;

/// The directory of `shared_pem`.
fn shared_dir() -> PathBuf {
    std::env::temp_dir().join(format!("haplint-proof-{}-certs", std::process::id()))
}

/// One self-signed RSA certificate with its key, in one PEM file, for every
/// TLS experiment of this test process (removed by the runtime test).
fn shared_pem() -> &'static Path {
    static PEM: OnceLock<PathBuf> = OnceLock::new();
    PEM.get_or_init(|| self_signed(&shared_dir(), "localhost"))
}

/// A self-signed RSA certificate and its key in one PEM file under `dir`.
fn self_signed(dir: &Path, name: &str) -> PathBuf {
    std::fs::create_dir_all(dir).unwrap();
    let (cert, key) = (dir.join("cert.pem"), dir.join("key.pem"));
    let made = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .arg("-subj")
        .arg(format!("/CN={name}"))
        .arg("-addext")
        .arg(format!("subjectAltName=DNS:{name}"))
        .arg("-keyout")
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .expect("run openssl req");
    assert!(made.success(), "openssl req failed");
    let pem = dir.join("site.pem");
    let both = [std::fs::read(&cert).unwrap(), std::fs::read(&key).unwrap()].concat();
    std::fs::write(&pem, both).unwrap();
    pem
}

/// `openssl s_client` to 127.0.0.1:`port` with `args`, `input` on its stdin,
/// killed after 5 s; what it printed (stdout and stderr).
fn s_client(port: u16, args: &[&str], input: &str) -> String {
    let dir = std::env::temp_dir().join(format!(
        "haplint-proof-{}-sclient-{port}-{}",
        std::process::id(),
        args.join("").replace(['@', '=', ':', '-'], "")
    ));
    std::fs::create_dir_all(&dir).unwrap();
    let (out, err) = (dir.join("out"), dir.join("err"));
    let mut child = Command::new("openssl")
        .args(["s_client", "-connect"])
        .arg(format!("127.0.0.1:{port}"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(std::fs::File::create(&out).unwrap())
        .stderr(std::fs::File::create(&err).unwrap())
        .spawn()
        .expect("run openssl s_client");
    let mut stdin = child.stdin.take().unwrap();
    let _ = stdin.write_all(input.as_bytes());
    drop(stdin);
    let deadline = Instant::now() + Duration::from_secs(5);
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let text = format!(
        "{}{}",
        std::fs::read_to_string(&out).unwrap_or_default(),
        std::fs::read_to_string(&err).unwrap_or_default()
    );
    let _ = std::fs::remove_dir_all(&dir);
    text
}

/// What a TLS client offered in its ClientHello.
struct Hello {
    ciphers: Vec<u16>,
    server_name: Option<String>,
}

/// Read one ClientHello from `stream` (a connection haproxy opened to an
/// `ssl` server) and parse its cipher suites and server name.
fn client_hello(stream: &mut TcpStream) -> Option<Hello> {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
    let mut header = [0u8; 5];
    stream.read_exact(&mut header).ok()?;
    if header[0] != 0x16 {
        return None;
    }
    let mut record = vec![0u8; usize::from(u16::from_be_bytes([header[3], header[4]]))];
    stream.read_exact(&mut record).ok()?;
    let u16_at = |at: usize| {
        Some(usize::from(u16::from_be_bytes([
            *record.get(at)?,
            *record.get(at + 1)?,
        ])))
    };
    // type (1), length (3), version (2), random (32), session id.
    let mut at = 4 + 2 + 32;
    at += 1 + usize::from(*record.get(at)?);
    let suites = u16_at(at)?;
    let ciphers = record
        .get(at + 2..at + 2 + suites)?
        .chunks(2)
        .map(|c| u16::from_be_bytes([c[0], c[1]]))
        .collect();
    at += 2 + suites;
    at += 1 + usize::from(*record.get(at)?);
    let end = (at + 2 + u16_at(at)?).min(record.len());
    at += 2;
    let mut server_name = None;
    while at + 4 <= end {
        let (kind, length) = (u16_at(at)?, u16_at(at + 2)?);
        if kind == 0 {
            // list length (2), name type (1), name length (2), name.
            let name = record.get(at + 9..at + 9 + u16_at(at + 7)?)?;
            server_name = Some(String::from_utf8_lossy(name).into_owned());
        }
        at += 4 + length;
    }
    Some(Hello {
        ciphers,
        server_name,
    })
}

// ---------------------------------------------------------------- security and sanity experiments

/// A backend whose server is its frontend's own address (frontend `maxconn 10`,
/// `timeout server 1s`): one request, then the frontend's peak sessions.
fn server_loop(series: &str, oracle: &Path) -> String {
    let (up, _) = upstream(Instant::now());
    let run = |server: Option<u16>, tag: &str| {
        let (port, stats) = (free_port(), free_port());
        let target = server.unwrap_or(port);
        let config = format!(
            "{GLOBAL}frontend www\n    bind 127.0.0.1:{port}\n    maxconn 10\n\
             \x20   default_backend app\nbackend app\n    timeout server 1s\n\
             \x20   server a 127.0.0.1:{target}\nlisten stats\n    bind 127.0.0.1:{stats}\n\
             \x20   stats uri /\n"
        );
        let _haproxy = start_haproxy(oracle, &config, port, tag);
        let t0 = Instant::now();
        let (status, _) = exchange(port, &get("/", ""));
        let took = t0.elapsed().as_secs_f64();
        let (_, csv) = exchange(stats, &get("/;csv", ""));
        (status, took, csv_field(&csv, "www", "FRONTEND", SMAX))
    };
    let (bad, took, peak) = run(None, &format!("loop-{series}"));
    let (good, _, _) = run(Some(up), &format!("noloop-{series}"));
    assert!(
        bad != Some(504) || took >= 0.9,
        "haproxy {series}: a 504 after {took:.2} s, before `timeout server 1s`"
    );
    format!(
        "one request to a frontend (maxconn 10) whose backend's server is its own address: the \
         frontend peaked at {peak} sessions and the client got {} (timeout server 1s); with the \
         server at the application's port: {}",
        shown(bad),
        shown(good)
    )
}

/// A server answering after 1 s, behind `timeout server 300` and `300s`.
fn timeout_unit(series: &str, oracle: &Path) -> String {
    let slow = scripted(|_, mut stream| {
        while read_request(&mut stream).is_some() {
            std::thread::sleep(Duration::from_secs(1));
            if stream.write_all(OK).is_err() {
                return;
            }
        }
    });
    let run = |timeout: &str, tag: &str| {
        let port = free_port();
        let config = format!(
            "{GLOBAL}frontend www\n    bind 127.0.0.1:{port}\n    default_backend app\n\
             backend app\n    timeout server {timeout}\n    server s1 127.0.0.1:{slow}\n"
        );
        let _haproxy = start_haproxy(oracle, &config, port, tag);
        let t0 = Instant::now();
        let (status, _) = exchange(port, &get("/", ""));
        (status, t0.elapsed().as_secs_f64())
    };
    let (bad, at) = run("300", &format!("unitless-{series}"));
    let (short, at_short) = run("500ms", &format!("short-{series}"));
    let (good, _) = run("300s", &format!("seconds-{series}"));
    let when = |at: f64, timeout: f64| {
        if (timeout - 0.05..0.95).contains(&at) {
            format!("after {timeout} s, before the server answered")
        } else {
            format!("at {at:.2} s, not just after {timeout} s")
        }
    };
    format!(
        "a server answering in 1 s: `timeout server 300` → {} {}; `timeout server 500ms` → {} {}; \
         `timeout server 300s` → {}",
        shown(bad),
        when(at, 0.3),
        shown(short),
        when(at_short, 0.5),
        shown(good)
    )
}

/// A load balancer in front relays, for a client at 192.0.2.7 that wrote
/// `X-Forwarded-For: 10.1.2.3` itself, `X-Forwarded-For: 10.1.2.3, 192.0.2.7`;
/// haproxy allows /admin to 10.0.0.0/8 by that header.
fn forwarded_for(series: &str, oracle: &Path) -> String {
    let run = |occurrence: &str, tag: &str| {
        let (up, seen) = upstream(Instant::now());
        let port = free_port();
        let config = format!(
            "{GLOBAL}frontend www\n    bind 127.0.0.1:{port}\n    option forwardfor\n\
             \x20   acl office req.hdr_ip(X-Forwarded-For{occurrence}) 10.0.0.0/8\n\
             \x20   http-request deny if {{ path_beg /admin }} !office\n\
             \x20   default_backend app\nbackend app\n    server s1 127.0.0.1:{up}\n"
        );
        let _haproxy = start_haproxy(oracle, &config, port, tag);
        let relayed = "X-Forwarded-For: 10.1.2.3, 192.0.2.7\r\n";
        let (status, _) = exchange(port, &get("/admin", relayed));
        let header: Vec<String> = seen
            .lock()
            .unwrap()
            .heads
            .first()
            .map(|h| {
                h.lines()
                    .filter_map(|l| l.strip_prefix("x-forwarded-for:"))
                    .map(|v| v.trim().to_string())
                    .collect()
            })
            .unwrap_or_default();
        (status, header.join(" | "))
    };
    let (bad, header) = run("", &format!("xff-any-{series}"));
    let (good, _) = run(",-1", &format!("xff-last-{series}"));
    format!(
        "`X-Forwarded-For: 10.1.2.3, 192.0.2.7` (10.1.2.3 written by the client) to /admin, \
         allowed for 10.0.0.0/8: an ACL on every occurrence → {}, and the server got \
         X-Forwarded-For `{header}`; on the last occurrence (`,-1`) → {}",
        shown(bad),
        shown(good)
    )
}

/// Server a refuses connections, server b answers; four requests in round robin.
fn redispatch(series: &str, oracle: &Path) -> String {
    let (up, _) = upstream(Instant::now());
    let dead = free_port();
    let run = |retries: u32, tag: &str| {
        let port = free_port();
        let config = format!(
            "{GLOBAL}frontend www\n    bind 127.0.0.1:{port}\n    default_backend app\n\
             backend app\n    balance roundrobin\n    retries {retries}\n\
             \x20   option redispatch\n    server a 127.0.0.1:{dead}\n\
             \x20   server b 127.0.0.1:{up}\n"
        );
        let _haproxy = start_haproxy(oracle, &config, port, tag);
        (0..4)
            .filter(|_| exchange(port, &get("/", "")).0 == Some(503))
            .count()
    };
    let bad = run(0, &format!("retries0-{series}"));
    let good = run(1, &format!("retries1-{series}"));
    format!(
        "server a refuses connections, server b answers, 4 requests in round robin with `option \
         redispatch`: `retries 0` → {bad} got a 503; `retries 1` → {good}"
    )
}

/// A POST whose first server connection closes without an answer.
fn l7_retry(series: &str, oracle: &Path) -> String {
    let run = |rule: &str, tag: &str| {
        let posts = Arc::new(Mutex::new(0usize));
        let counted = Arc::clone(&posts);
        let up = scripted(move |i, mut stream| {
            while let Some(head) = read_request(&mut stream) {
                if head.starts_with("post") {
                    *counted.lock().unwrap() += 1;
                }
                if i == 0 || stream.write_all(OK).is_err() {
                    return;
                }
            }
        });
        let port = free_port();
        let config = format!(
            "{GLOBAL}frontend www\n    bind 127.0.0.1:{port}\n    default_backend app\n\
             backend app\n    retry-on all-retryable-errors\n{rule}\
             \x20   server s1 127.0.0.1:{up}\n"
        );
        let _haproxy = start_haproxy(oracle, &config, port, tag);
        let post = "POST /orders HTTP/1.1\r\nHost: t\r\nContent-Length: 5\r\n\
                    Connection: close\r\n\r\nhello";
        let (status, _) = exchange(port, post);
        let posts = *posts.lock().unwrap();
        (status, posts)
    };
    let (bad, bad_posts) = run("", &format!("l7retry-{series}"));
    let (good, good_posts) = run(
        "    http-request disable-l7-retry unless METH_GET || METH_HEAD || METH_OPTIONS\n",
        &format!("l7keep-{series}"),
    );
    format!(
        "a POST whose first server connection closes unanswered: with `retry-on \
         all-retryable-errors` the server received it {bad_posts} time(s), client {}; with \
         `disable-l7-retry` for other methods than GET/HEAD/OPTIONS: {good_posts}, client {}",
        shown(bad),
        shown(good)
    )
}

/// `deny if { req.body -m sub <script> }`, the body `<script>` sent 0.3 s
/// after the headers.
fn body_fetch(series: &str, oracle: &Path) -> String {
    let run = |option: &str, tag: &str| {
        let (up, _) = upstream(Instant::now());
        let port = free_port();
        let config = format!(
            "{GLOBAL}frontend www\n    bind 127.0.0.1:{port}\n{option}\
             \x20   http-request deny if {{ req.body -m sub <script> }}\n\
             \x20   default_backend app\nbackend app\n    server s1 127.0.0.1:{up}\n"
        );
        let _haproxy = start_haproxy(oracle, &config, port, tag);
        let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        client
            .write_all(
                b"POST /comments HTTP/1.1\r\nHost: t\r\nContent-Length: 8\r\n\
                  Connection: close\r\n\r\n",
            )
            .unwrap();
        std::thread::sleep(Duration::from_millis(300));
        let _ = client.write_all(b"<script>");
        let mut out = Vec::new();
        let _ = client.read_to_end(&mut out);
        let text = String::from_utf8_lossy(&out).into_owned();
        text.split_whitespace().nth(1).and_then(|s| s.parse().ok())
    };
    let bad = run("", &format!("body-{series}"));
    let good = run(
        "    option http-buffer-request\n",
        &format!("body-wait-{series}"),
    );
    format!(
        "`deny if {{ req.body -m sub <script> }}`, the body `<script>` 0.3 s after the headers: \
         without `option http-buffer-request` → {}; with it → {}",
        shown(bad),
        shown(good)
    )
}

/// `admin:admin` and `alice:alice` in HTTP basic authentication.
const ADMIN_ADMIN: &str = "Authorization: Basic YWRtaW46YWRtaW4=\r\n";
const ALICE_ALICE: &str = "Authorization: Basic YWxpY2U6YWxpY2U=\r\n";

/// The statistics page without and with `stats auth admin:admin`, and its
/// admin action with `stats admin if TRUE` and `if { src 10.0.0.0/8 }`.
fn stats_page(series: &str, oracle: &Path) -> String {
    let (up, _) = upstream(Instant::now());
    let page = |lines: &str, tag: &str| {
        let port = free_port();
        let config = format!(
            "{GLOBAL}listen stats\n    bind 127.0.0.1:{port}\n    stats uri /\n{lines}\
             backend app\n    server s1 127.0.0.1:{up}\n"
        );
        (start_haproxy(oracle, &config, port, tag), port)
    };
    let open = {
        let (_haproxy, port) = page("", &format!("stats-open-{series}"));
        shown(exchange(port, &get("/", "")).0)
    };
    let (anonymous, weak) = {
        let (_haproxy, port) = page(
            "    stats auth admin:admin\n",
            &format!("stats-auth-{series}"),
        );
        (
            shown(exchange(port, &get("/", "")).0),
            shown(exchange(port, &get("/", ADMIN_ADMIN)).0),
        )
    };
    let maint = |condition: &str, tag: &str| {
        let lines = format!("    stats auth admin:admin\n    stats admin if {condition}\n");
        let (_haproxy, port) = page(&lines, tag);
        let form = "b=app&s=s1&action=maint";
        let post = format!(
            "POST / HTTP/1.1\r\nHost: t\r\n{ADMIN_ADMIN}Content-Type: \
             application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
             Connection: close\r\n\r\n{form}",
            form.len()
        );
        let _ = exchange(port, &post);
        let (_, csv) = exchange(port, &get("/;csv", ADMIN_ADMIN));
        csv_field(&csv, "app", "s1", STATUS)
    };
    let admin = maint("TRUE", &format!("stats-admin-{series}"));
    let limited = maint("{ src 10.0.0.0/8 }", &format!("stats-admin-src-{series}"));
    format!(
        "stats page without `stats auth` → {open}; with `stats auth admin:admin` over plain HTTP: \
         no credentials → {anonymous}, `admin:admin` → {weak}; a POST `action=maint` for s1 \
         with `stats admin if TRUE` → s1 {admin}, with `stats admin if {{ src 10.0.0.0/8 }}` \
         from 127.0.0.1 → s1 {limited}"
    )
}

/// A userlist with `insecure-password alice` guarding a frontend.
fn userlist_auth(series: &str, oracle: &Path) -> String {
    let port = free_port();
    let config = format!(
        "{GLOBAL}userlist ops\n    user alice insecure-password alice\n\
         frontend www\n    bind 127.0.0.1:{port}\n\
         \x20   http-request auth unless {{ http_auth(ops) }}\n\
         \x20   http-request return status 200\n"
    );
    let _haproxy = start_haproxy(oracle, &config, port, &format!("userlist-{series}"));
    let anonymous = shown(exchange(port, &get("/", "")).0);
    let guessed = shown(exchange(port, &get("/", ALICE_ALICE)).0);
    format!(
        "`http_auth` on `user alice insecure-password alice`: no credentials → {anonymous}; \
         `alice:alice` → {guessed}"
    )
}

/// The runtime API on `ipv4@127.0.0.1` with `level admin`, used without any
/// credential.
fn runtime_api(series: &str, oracle: &Path) -> String {
    let (up, _) = upstream(Instant::now());
    let (api, port) = (free_port(), free_port());
    let config = format!(
        "global\n    stats socket ipv4@127.0.0.1:{api} level admin\n{}\
         frontend www\n    bind 127.0.0.1:{port}\n    default_backend app\n\
         backend app\n    server s1 127.0.0.1:{up}\n",
        GLOBAL.strip_prefix("global\n").unwrap()
    );
    let _haproxy = start_haproxy(oracle, &config, port, &format!("api-{series}"));
    let say = |command: &str| {
        let mut api = TcpStream::connect(("127.0.0.1", api)).unwrap();
        api.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        api.write_all(format!("{command}\n").as_bytes()).unwrap();
        let mut out = String::new();
        let _ = api.read_to_string(&mut out);
        out
    };
    let info = say("show info");
    let name = info
        .lines()
        .find_map(|l| l.strip_prefix("Name: "))
        .unwrap_or("no answer")
        .to_string();
    let _ = say("disable server app/s1");
    let state = csv_field(&say("show stat"), "app", "s1", STATUS);
    format!(
        "a TCP connection to `stats socket ipv4@127.0.0.1:<port> level admin`, no credential: \
         `show info` → Name: {name}; `disable server app/s1` → s1 {state}"
    )
}

/// A TLS frontend (self-signed certificate) with an unconditional
/// `redirect scheme https`, then with `unless { ssl_fc }`.
fn https_redirect(series: &str, oracle: &Path) -> String {
    let pem = shared_pem();
    let (up, _) = upstream(Instant::now());
    let run = |condition: &str, tag: &str| {
        let port = free_port();
        let config = format!(
            "{GLOBAL}frontend www\n    bind 127.0.0.1:{port} ssl crt {}\n\
             \x20   http-request redirect scheme https{condition}\n    default_backend app\n\
             backend app\n    server s1 127.0.0.1:{up}\n",
            pem.display()
        );
        let _haproxy = start_haproxy(oracle, &config, port, tag);
        let request = "GET /cart HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n";
        let answer = |_| {
            let text = s_client(port, &["-quiet", "-servername", "shop.example"], request);
            let status = text
                .lines()
                .find(|l| l.starts_with("HTTP/"))
                .and_then(|l| l.split_whitespace().nth(1))
                .unwrap_or("no answer")
                .to_string();
            let location = text.lines().find_map(|l| {
                l.to_ascii_lowercase()
                    .strip_prefix("location: ")
                    .map(str::to_string)
            });
            match location {
                Some(to) => format!("{status} to {}", to.trim()),
                None => status,
            }
        };
        (0..2).map(answer).collect::<Vec<_>>().join(", then ")
    };
    let bad = run("", &format!("redirect-{series}"));
    let good = run(" unless { ssl_fc }", &format!("redirect-plain-{series}"));
    format!(
        "https://shop.example/cart requested twice on a TLS-only frontend: `redirect scheme \
         https` → {bad}; with `unless {{ ssl_fc }}` → {good}"
    )
}

/// Which protocol a TLS 1.0 client (that itself allows any security level)
/// gets from a TLS frontend, by its configuration.
fn tls_versions(series: &str, oracle: &Path) -> String {
    let pem = shared_pem();
    let run = |global: &str, tag: &str| {
        let port = free_port();
        let config = format!(
            "global\n{global}{}frontend www\n    bind 127.0.0.1:{port} ssl crt {}\n\
             \x20   http-request return status 200\n",
            GLOBAL.strip_prefix("global\n").unwrap(),
            pem.display()
        );
        let _haproxy = start_haproxy(oracle, &config, port, tag);
        let text = s_client(port, &["-tls1", "-cipher", "DEFAULT@SECLEVEL=0"], "");
        // `New, TLSv1.0, Cipher is …`, or `Cipher is (NONE)` when refused.
        let session = text
            .lines()
            .find(|l| l.starts_with("New, "))
            .unwrap_or("no session");
        match session.split(", ").nth(1) {
            Some(protocol) if !session.contains("(NONE)") => format!("{protocol} accepted"),
            _ => "refused".to_string(),
        }
    };
    let default = run("", &format!("tls-default-{series}"));
    let lowered = run(
        "    ssl-default-bind-options ssl-min-ver TLSv1.0\n",
        &format!("tls-min10-{series}"),
    );
    let level0 = run(
        "    ssl-default-bind-ciphers DEFAULT@SECLEVEL=0\n",
        &format!("tls-level0-{series}"),
    );
    let opened = run(
        "    ssl-default-bind-options ssl-min-ver TLSv1.0\n\
         \x20   ssl-default-bind-ciphers DEFAULT@SECLEVEL=0\n",
        &format!("tls-seclevel0-{series}"),
    );
    format!(
        "a TLS 1.0 handshake (client at security level 0): default settings → {default}; \
         `ssl-min-ver TLSv1.0` → {lowered}; ciphers `DEFAULT@SECLEVEL=0` → {level0}; both → \
         {opened}"
    )
}

/// The first ClientHello haproxy sends to `server s1 localhost:<port> ssl {server}`
/// when a request comes in.
fn offered(oracle: &Path, series: &str, server: &str, tag: &str) -> Hello {
    let hellos = Arc::new(Mutex::new(Vec::new()));
    let shared = Arc::clone(&hellos);
    let tls = scripted(move |_, mut stream| {
        if let Some(hello) = client_hello(&mut stream) {
            shared.lock().unwrap().push(hello);
        }
    });
    let port = free_port();
    let config = format!(
        "{GLOBAL}frontend www\n    bind 127.0.0.1:{port}\n    default_backend app\n\
         backend app\n    retries 0\n    server s1 localhost:{tls} ssl {server}\n"
    );
    let _haproxy = start_haproxy(oracle, &config, port, tag);
    let _ = exchange(port, &get("/", ""));
    let mut hellos = hellos.lock().unwrap();
    assert!(
        !hellos.is_empty(),
        "haproxy {series} ({tag}): no ClientHello"
    );
    hellos.swap_remove(0)
}

/// The server name in haproxy's ClientHello, without and with `sni`.
fn server_sni(series: &str, oracle: &Path) -> String {
    let name = |hello: Hello| {
        hello
            .server_name
            .map_or("no server name".to_string(), |n| format!("server name {n}"))
    };
    let verify = "verify required ca-file @system-ca";
    let bare = offered(oracle, series, verify, &format!("hello-bare-{series}"));
    let sni = offered(
        oracle,
        series,
        &format!("{verify} sni str(api.example)"),
        &format!("hello-sni-{series}"),
    );
    format!(
        "ClientHello for a request with `Host: t` to `server s1 localhost:<port> ssl {verify}`: \
         {}; with `sni str(api.example)`: {}",
        name(bare),
        name(sni)
    )
}

/// Whether a server cipher list naming RC4-SHA and DES-CBC3-SHA offers them.
fn server_ciphers(series: &str, oracle: &Path) -> String {
    // RC4-SHA is 0x0005, DES-CBC3-SHA 0x000a, ECDHE-RSA-AES128-GCM-SHA256 0xc02f.
    let suites = |hello: Hello| {
        let has = |code: u16| hello.ciphers.contains(&code);
        let named = [
            (0xc02f, "ECDHE-RSA-AES128-GCM-SHA256"),
            (0x0005, "RC4-SHA"),
            (0x000a, "DES-CBC3-SHA"),
        ];
        let (yes, no): (Vec<_>, Vec<_>) = named.iter().partition(|(code, _)| has(*code));
        let list = |v: Vec<&(u16, &str)>, and: &str| {
            let names: Vec<&str> = v.iter().map(|(_, n)| *n).collect();
            if names.is_empty() {
                "none".to_string()
            } else {
                names.join(and)
            }
        };
        format!("offers {}; not {}", list(yes, " and "), list(no, " nor "))
    };
    let list = "ECDHE-RSA-AES128-GCM-SHA256:RC4-SHA:DES-CBC3-SHA";
    let listed = offered(
        oracle,
        series,
        &format!("verify none ssl-max-ver TLSv1.2 ciphers {list}"),
        &format!("hello-ciphers-{series}"),
    );
    let lowered = offered(
        oracle,
        series,
        &format!("verify none ssl-max-ver TLSv1.2 ciphers {list}@SECLEVEL=0"),
        &format!("hello-seclevel0-{series}"),
    );
    format!(
        "ClientHello to a server with `ssl-max-ver TLSv1.2 ciphers {list}`: {}; with \
         `@SECLEVEL=0` appended: {}",
        suites(listed),
        suites(lowered)
    )
}

/// The whole output of `haproxy -c` on `config` (multi-line messages included).
fn check_text(oracle: &Path, config: &str, tag: &str) -> String {
    run_check(oracle, config, tag).1
}

/// The exit code and the whole output of `haproxy -c` on `config`.
fn run_check(oracle: &Path, config: &str, tag: &str) -> (Option<i32>, String) {
    let dir = std::env::temp_dir().join(format!("haplint-proof-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("haproxy.cfg");
    std::fs::write(&file, config).unwrap();
    let out = Command::new(oracle)
        .arg("-c")
        .arg("-f")
        .arg(&file)
        .output()
        .expect("run haproxy -c");
    let _ = std::fs::remove_dir_all(&dir);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.code(), text)
}

/// An experimental keyword with and without `expose-experimental-directives`,
/// and the option alone.
fn experimental_keyword(series: &str, oracle: &Path) -> String {
    let verdict = |config: &str, tag: &str| {
        let text = check_text(oracle, config, tag);
        if text.contains("directive is experimental") {
            "refused: the directive is experimental".to_string()
        } else if text.contains("[ALERT]") {
            "refused".to_string()
        } else if text.contains("no longer used") {
            "a warning that the option is set but not used".to_string()
        } else if text.contains("[WARNING]") {
            "a warning".to_string()
        } else {
            "accepted".to_string()
        }
    };
    let keyword = "    tune.fd.edge-triggered on\n";
    let option = "    expose-experimental-directives\n";
    let without = verdict(
        &format!("global\n{keyword}"),
        &format!("exp-without-{series}"),
    );
    let with = verdict(
        &format!("global\n{option}{keyword}"),
        &format!("exp-with-{series}"),
    );
    let alone = verdict(&format!("global\n{option}"), &format!("exp-alone-{series}"));
    format!(
        "`haproxy -c`: the experimental `tune.fd.edge-triggered on` without the option → \
         {without}; with `expose-experimental-directives` → {with}; the option alone → {alone}"
    )
}

/// A TLS frontend whose cipher list has only DHE-RSA-AES128-GCM-SHA256, by
/// `tune.ssl.default-dh-param`: what a TLS 1.2 client asking for that suite gets.
fn dh_param(series: &str, oracle: &Path) -> String {
    let pem = shared_pem();
    let suite = "DHE-RSA-AES128-GCM-SHA256@SECLEVEL=0";
    let run = |global: &str, tag: &str| {
        let port = free_port();
        let config = format!(
            "global\n{global}{}frontend www\n    bind 127.0.0.1:{port} ssl crt {} \
             ssl-max-ver TLSv1.2 ciphers {suite}\n    http-request return status 200\n",
            GLOBAL.strip_prefix("global\n").unwrap(),
            pem.display()
        );
        let warned = check_text(oracle, &config, &format!("{tag}-c")).contains("DH parameter");
        let _haproxy = start_haproxy(oracle, &config, port, tag);
        let text = s_client(port, &["-tls1_2", "-cipher", suite], "");
        let key = text
            .lines()
            .find_map(|l| l.strip_prefix("Server Temp Key: "))
            .map(str::to_string);
        let handshake = key.map_or("no DHE handshake".to_string(), |k| format!("DHE with {k}"));
        if warned {
            format!("{handshake}, haproxy warning that it cannot load the DH parameter")
        } else {
            handshake
        }
    };
    let weak = run(
        "    tune.ssl.default-dh-param 1024\n",
        &format!("dh1024-{series}"),
    );
    let strong = run(
        "    tune.ssl.default-dh-param 2048\n",
        &format!("dh2048-{series}"),
    );
    format!(
        "a client asking for DHE only: `tune.ssl.default-dh-param 1024` → {weak}; 2048 → \
         {strong}"
    )
}

/// Plain HTTP and TLS to `openssl s_server -www`, and TLS checks (`check-ssl`)
/// on a server line without `ssl`.
fn tls_port_plain(series: &str, oracle: &Path) -> String {
    let pem = shared_pem();
    let tls = free_port();
    let mut server = Command::new("openssl")
        .args(["s_server", "-quiet", "-www", "-accept"])
        .arg(format!("127.0.0.1:{tls}"))
        .arg("-cert")
        .arg(pem)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start openssl s_server");
    let deadline = Instant::now() + Duration::from_secs(10);
    while TcpStream::connect(("127.0.0.1", tls)).is_err() {
        assert!(Instant::now() < deadline, "openssl s_server did not listen");
        std::thread::sleep(Duration::from_millis(20));
    }
    let run = |options: &str, tag: &str| {
        let (port, stats) = (free_port(), free_port());
        let config = format!(
            "{GLOBAL}frontend www\n    bind 127.0.0.1:{port}\n    default_backend app\n\
             backend app\n    timeout check 1s\n    server s1 127.0.0.1:{tls}{options}\n\
             listen stats\n    bind 127.0.0.1:{stats}\n    stats uri /\n"
        );
        let _haproxy = start_haproxy(oracle, &config, port, tag);
        if options.contains("check") {
            std::thread::sleep(Duration::from_millis(800));
        }
        let status = shown(exchange(port, &get("/", "")).0);
        let (_, csv) = exchange(stats, &get("/;csv", ""));
        // `UP 2/3` (a check failed, two more to go down) is still UP.
        let state = csv_field(&csv, "app", "s1", STATUS);
        (status, state.split(' ').next().unwrap_or("?").to_string())
    };
    let (plain, _) = run("", &format!("plain-{series}"));
    let (ciphered, _) = run(" ssl verify none", &format!("ciphered-{series}"));
    let (checked, state) = run(
        " check check-ssl verify none inter 100ms",
        &format!("chk-{series}"),
    );
    let _ = server.kill();
    let _ = server.wait();
    format!(
        "a TLS server (openssl s_server): `server s1 <its address>` → {plain}; with `ssl` → \
         {ciphered}; with `check check-ssl` and no `ssl`: the server is {state} and a request \
         gets {checked}"
    )
}

/// A client sending its header one byte every 0.5 s for 3 s, with
/// `timeout client 1s`, without and with `timeout http-request 1s`.
fn slow_header(series: &str, oracle: &Path) -> String {
    let run = |option: &str, tag: &str| {
        let (up, _) = upstream(Instant::now());
        let port = free_port();
        let config = format!(
            "{GLOBAL}frontend www\n    bind 127.0.0.1:{port}\n    timeout client 1s\n\
             {option}    default_backend app\nbackend app\n    server s1 127.0.0.1:{up}\n"
        );
        let _haproxy = start_haproxy(oracle, &config, port, tag);
        let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
        let t0 = Instant::now();
        client
            .write_all(b"GET / HTTP/1.1\r\nHost: t\r\nX-Slow: ")
            .unwrap();
        for _ in 0..6 {
            std::thread::sleep(Duration::from_millis(500));
            let mut buf = [0u8; 64];
            client.set_nonblocking(true).unwrap();
            let read = client.read(&mut buf);
            client.set_nonblocking(false).unwrap();
            let at = t0.elapsed().as_secs_f64();
            let when = if (0.9..2.0).contains(&at) {
                "at the 1 s timeout"
            } else {
                "outside 0.9-2 s"
            };
            match read {
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {}
                Ok(0) | Err(_) => return format!("closed {when}"),
                Ok(n) => {
                    let text = String::from_utf8_lossy(&buf[..n]).into_owned();
                    let status = text.split_whitespace().nth(1).unwrap_or("?").to_string();
                    return format!("a {status} {when}");
                }
            }
            if client.write_all(b"x").is_err() {
                return format!("closed {when}");
            }
        }
        "still open after 3 s".to_string()
    };
    let bad = run("", &format!("slow-{series}"));
    let good = run(
        "    timeout http-request 1s\n",
        &format!("slow-cut-{series}"),
    );
    format!(
        "a header sent one byte every 0.5 s, `timeout client 1s`: without `timeout \
         http-request` → {bad}; with `timeout http-request 1s` → {good}"
    )
}

/// A server answering 503 to every request, checked every 100 ms (answers
/// awaited up to 1 s): its state after 0.8 s, or as soon as it is DOWN (3 s at
/// most).
fn health_check(series: &str, oracle: &Path) -> String {
    let failing = scripted(|_, mut stream| {
        while read_request(&mut stream).is_some() {
            let answer = b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";
            if stream.write_all(answer).is_err() {
                return;
            }
        }
    });
    let run = |options: &str, tag: &str| {
        let (port, stats) = (free_port(), free_port());
        let config = format!(
            "{GLOBAL}frontend www\n    bind 127.0.0.1:{port}\n    default_backend app\n\
             backend app\n    timeout check 1s\n{options}\
             \x20   server s1 127.0.0.1:{failing} check inter 100ms\n\
             listen stats\n    bind 127.0.0.1:{stats}\n    stats uri /\n"
        );
        let _haproxy = start_haproxy(oracle, &config, port, tag);
        let (start, mut state) = (Instant::now(), String::new());
        while start.elapsed() < Duration::from_secs(3) {
            std::thread::sleep(Duration::from_millis(100));
            let (_, csv) = exchange(stats, &get("/;csv", ""));
            state = format!(
                "{} ({})",
                csv_field(&csv, "app", "s1", STATUS)
                    .split(' ')
                    .next()
                    .unwrap_or("?"),
                // 3.4 marks a check in progress with `* `.
                csv_field(&csv, "app", "s1", CHECK_STATUS).trim_start_matches("* ")
            );
            if state.starts_with("DOWN") || start.elapsed() > Duration::from_millis(800) {
                break;
            }
        }
        state
    };
    let bad = run("", &format!("tcpchk-{series}"));
    let good = run("    option httpchk\n", &format!("httpchk-{series}"));
    format!(
        "a server answering 503 to everything, `check inter 100ms`: plain `check` → {bad} after \
         0.8 s; with `option httpchk` → {good}"
    )
}

/// 10 simultaneous requests through a frontend with `maxconn 100` under a
/// global `maxconn 3`, then under a global `maxconn 200`.
fn global_maxconn(series: &str, oracle: &Path) -> String {
    let frontend = "    maxconn 100\n";
    let (capped, _) = burst_in(oracle, 3, frontend, "", "", &format!("gmax3-{series}"));
    let (open, _) = burst_in(oracle, 200, frontend, "", "", &format!("gmax200-{series}"));
    format!(
        "10 simultaneous requests, 500 ms each, frontend `maxconn 100`: under global `maxconn 3` \
         the server had {capped} in flight at once; under global `maxconn 200`, {open}"
    )
}

/// A stick table of 3 entries keyed by a request header, fed 5 keys, then
/// left alone 1.5 s; without and with `expire 1s`.
fn stick_table_expire(series: &str, oracle: &Path) -> String {
    let run = |expire: &str, tag: &str| {
        let (api, port) = (free_port(), free_port());
        let config = format!(
            "global\n    stats socket ipv4@127.0.0.1:{api} level admin\n{}\
             frontend www\n    bind 127.0.0.1:{port}\n\
             \x20   stick-table type string len 8 size 3{expire} store http_req_cnt\n\
             \x20   http-request track-sc0 req.hdr(x-client)\n\
             \x20   http-request return status 200\n",
            GLOBAL.strip_prefix("global\n").unwrap()
        );
        let _haproxy = start_haproxy(oracle, &config, port, tag);
        for key in ["a", "b", "c", "d", "e"] {
            let _ = exchange(port, &get("/", &format!("X-Client: {key}\r\n")));
        }
        let keys = || {
            let mut api = TcpStream::connect(("127.0.0.1", api)).unwrap();
            api.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            api.write_all(b"show table www\n").unwrap();
            let mut out = String::new();
            let _ = api.read_to_string(&mut out);
            let mut keys: Vec<String> = out
                .lines()
                .filter_map(|l| l.split_whitespace().find_map(|w| w.strip_prefix("key=")))
                .map(str::to_string)
                .collect();
            keys.sort();
            keys
        };
        let after = keys();
        std::thread::sleep(Duration::from_millis(1500));
        (after, keys())
    };
    // Which keys stay, and how many (2 or 3 on 3.2), differs from run to run on
    // some versions (eviction is not strictly by age); that some do, within the
    // size, and stay, does not.
    let (full, kept) = run("", &format!("table-{series}"));
    let (_, expired) = run(" expire 1s", &format!("table-expire-{series}"));
    let later = if kept == full {
        "the same entries"
    } else {
        "other entries"
    };
    let held = match full.len() {
        1..=3 => "between 1 and 3 entries (its size)".to_string(),
        n => format!("{n} entries"),
    };
    format!(
        "keys a to e into a table of size 3: without `expire` it holds {held}, and 1.5 s later \
         {later}; with `expire 1s`, 1.5 s later: {} entries",
        expired.len()
    )
}

/// `show info` of a process without a global `maxconn`, then with `maxconn 300`,
/// both started with a file-descriptor limit of 1024.
fn derived_maxconn(series: &str, oracle: &Path) -> String {
    let run = |global: &str, tag: &str| {
        let (api, port) = (free_port(), free_port());
        let config = format!(
            "global\n    stats socket ipv4@127.0.0.1:{api} level admin\n{global}defaults\n\
             \x20   mode http\n    timeout connect 2s\n    timeout client 10s\n\
             \x20   timeout server 10s\nfrontend www\n    bind 127.0.0.1:{port}\n\
             \x20   http-request return status 200\n"
        );
        let _haproxy = start_haproxy_limited(oracle, &config, port, tag, Some(1024));
        let mut api = TcpStream::connect(("127.0.0.1", api)).unwrap();
        api.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        api.write_all(b"show info\n").unwrap();
        let mut out = String::new();
        let _ = api.read_to_string(&mut out);
        let field = |name: &str| -> f64 {
            out.lines()
                .find_map(|l| l.strip_prefix(name))
                .and_then(|v| v.trim().parse().ok())
                .unwrap_or(0.0)
        };
        (field("Maxconn:"), field("Ulimit-n:"))
    };
    let (derived, ulimit) = run("", &format!("maxconn-unset-{series}"));
    let (set, _) = run("    maxconn 300\n", &format!("maxconn-set-{series}"));
    format!(
        "`show info` under `ulimit -n 1024`: without a global `maxconn`, Maxconn {derived} \
         (Ulimit-n {ulimit}); with `maxconn 300`, Maxconn {set}"
    )
}

/// The effective uid of process `pid` (`self` for the test).
fn effective_uid(pid: &str) -> String {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("Uid:"))
        .and_then(|ids| ids.split_whitespace().nth(1))
        .unwrap_or("?")
        .to_string()
}

/// haproxy started by root with `user root`, with no `user`, and with
/// `uid 65534` and a `chroot` to an empty directory: the uid and root
/// directory of the running process.
fn process_identity(series: &str, oracle: &Path) -> String {
    assert_eq!(
        effective_uid("self"),
        "0",
        "the process-identity experiment starts haproxy as root: run the proofs as root (CI does)"
    );
    let empty = std::env::temp_dir().join(format!(
        "haplint-proof-{}-chroot-{series}",
        std::process::id()
    ));
    std::fs::create_dir_all(&empty).unwrap();
    let run = |global: &str, tag: &str| {
        let port = free_port();
        let config = format!(
            "global\n{global}{}frontend www\n    bind 127.0.0.1:{port}\n\
             \x20   http-request return status 200\n",
            GLOBAL.strip_prefix("global\n").unwrap()
        );
        let haproxy = start_haproxy(oracle, &config, port, tag);
        // A served request: the process has dropped what it drops by now.
        let _ = exchange(port, &get("/", ""));
        let pid = haproxy.child.id().to_string();
        let root = std::fs::read_link(format!("/proc/{pid}/root"))
            .map_or("?".to_string(), |p| p.display().to_string());
        let root = if Path::new(&root) == empty {
            "the empty directory".to_string()
        } else {
            root
        };
        (effective_uid(&pid), root)
    };
    let (named_root, _) = run("    user root\n", &format!("id-root-{series}"));
    let (unnamed, unrooted) = run("", &format!("id-none-{series}"));
    let (dropped, jailed) = run(
        &format!("    uid 65534\n    chroot {}\n", empty.display()),
        &format!("id-drop-{series}"),
    );
    let _ = std::fs::remove_dir_all(&empty);
    format!(
        "haproxy started by root: with `user root` it serves as uid {named_root}; with no `user`, \
         as uid {unnamed} with root directory {unrooted}; with `uid 65534` and `chroot` to an \
         empty directory, as uid {dropped} with root directory {jailed}"
    )
}

/// `option external-check` running /bin/true on a server, without and with
/// `insecure-fork-wanted`: the `haproxy -c` warning and the server's state.
fn fork_guard(series: &str, oracle: &Path) -> String {
    assert_eq!(
        effective_uid("self"),
        "0",
        "the fork-guard experiment starts haproxy as root: run the proofs as root (CI does)"
    );
    let (up, _) = upstream(Instant::now());
    let run = |global: &str, tag: &str| {
        let (port, stats) = (free_port(), free_port());
        let config = format!(
            "global\n    external-check\n{global}{}frontend www\n    bind 127.0.0.1:{port}\n\
             \x20   default_backend app\nbackend app\n    option external-check\n\
             \x20   timeout check 2s\n    external-check command /bin/true\n\
             \x20   server s1 127.0.0.1:{up} check inter 500ms\n\
             listen stats\n    bind 127.0.0.1:{stats}\n    stats uri /\n",
            GLOBAL.strip_prefix("global\n").unwrap()
        );
        let warned = check_text(oracle, &config, &format!("{tag}-c")).contains("will likely fail");
        let _haproxy = start_haproxy(oracle, &config, port, tag);
        // DOWN (with the check's status) as soon as it is, else UP after 2 s:
        // three failed checks would have taken it down by then.
        let (start, mut state) = (Instant::now(), String::new());
        while start.elapsed() < Duration::from_secs(2) {
            std::thread::sleep(Duration::from_millis(100));
            let (_, csv) = exchange(stats, &get("/;csv", ""));
            let status = csv_field(&csv, "app", "s1", STATUS);
            state = status.split(' ').next().unwrap_or("?").to_string();
            if state == "DOWN" {
                let check = csv_field(&csv, "app", "s1", CHECK_STATUS);
                state = format!("DOWN ({})", check.trim_start_matches("* "));
                break;
            }
        }
        (warned, state)
    };
    let (warned, bad) = run("    uid 65534\n", &format!("fork-uid-{series}"));
    let (_, good) = run(
        "    uid 65534\n    insecure-fork-wanted\n",
        &format!("fork-ok-{series}"),
    );
    let (_, root) = run("", &format!("fork-root-{series}"));
    let warning = if warned {
        "warns that the check will likely fail"
    } else {
        "says nothing"
    };
    format!(
        "`option external-check` running /bin/true every 500 ms: without \
         `insecure-fork-wanted`, `haproxy -c` {warning}; under `uid 65534` the server is then \
         {bad}, and with the option {good}; running as root without the option: {root}"
    )
}

/// A server that never answers /slow and answers the rest at once, behind a
/// frontend with `maxconn 3`: three /slow requests, then one /fast.
fn stalled_requests(series: &str, oracle: &Path) -> String {
    let up = scripted(|_, mut stream| {
        while let Some(head) = read_request(&mut stream) {
            if head.starts_with("get /slow") {
                std::thread::sleep(Duration::from_secs(5));
                return;
            }
            if stream.write_all(OK).is_err() {
                return;
            }
        }
    });
    let run = |timeout: &str, tag: &str| {
        let port = free_port();
        let config = format!(
            "{GLOBAL}frontend www\n    bind 127.0.0.1:{port}\n    maxconn 3\n\
             \x20   default_backend app\nbackend app\n    timeout server {timeout}\n\
             \x20   server s1 127.0.0.1:{up}\n"
        );
        let mut haproxy = Some(start_haproxy(oracle, &config, port, tag));
        // Let the start-up probe connection go before taking the 3 slots.
        std::thread::sleep(Duration::from_millis(100));
        let slow: Vec<_> = (0..3)
            .map(|_| std::thread::spawn(move || exchange(port, &get("/slow", "")).0))
            .collect();
        std::thread::sleep(Duration::from_millis(200));
        let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
        client
            .set_read_timeout(Some(Duration::from_millis(1500)))
            .unwrap();
        client.write_all(get("/fast", "").as_bytes()).unwrap();
        let fast = read_response(&mut client);
        drop(client);
        if timeout == "1h" {
            // Stopping haproxy ends the requests it still holds.
            haproxy.take();
        }
        let fast = fast.map_or("nothing within 1.5 s".to_string(), |s| s.to_string());
        let slow: Vec<String> = slow.into_iter().map(|t| shown(t.join().unwrap())).collect();
        drop(haproxy);
        (fast, slow.join("/"))
    };
    let (held, _) = run("1h", &format!("stall-long-{series}"));
    let (served, cut) = run("500ms", &format!("stall-short-{series}"));
    format!(
        "frontend `maxconn 3`, 3 requests the server never answers, then a normal one: with \
         `timeout server 1h` the normal one gets {held}; with `timeout server 500ms` the three \
         get {cut} and the normal one {served}"
    )
}

/// A server that passes one health check in four (`option httpchk`, every
/// 100 ms, `fall 3`), watched for 1.5 s: how often it went DOWN.
fn flapping(series: &str, oracle: &Path) -> String {
    let run = |rise: u32, tag: &str| {
        let checks = Arc::new(Mutex::new(0usize));
        let counted = Arc::clone(&checks);
        let up = scripted(move |_, mut stream| {
            while read_request(&mut stream).is_some() {
                let n = {
                    let mut n = counted.lock().unwrap();
                    *n += 1;
                    *n
                };
                let answer: &[u8] = if n % 4 == 0 {
                    OK
                } else {
                    b"HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
                };
                if stream.write_all(answer).is_err() {
                    return;
                }
            }
        });
        let (port, stats) = (free_port(), free_port());
        let config = format!(
            "{GLOBAL}frontend www\n    bind 127.0.0.1:{port}\n    default_backend app\n\
             backend app\n    option httpchk\n    timeout check 1s\n\
             \x20   server s1 127.0.0.1:{up} check inter 100ms rise {rise} fall 3\n\
             listen stats\n    bind 127.0.0.1:{stats}\n    stats uri /\n"
        );
        let _haproxy = start_haproxy(oracle, &config, port, tag);
        std::thread::sleep(Duration::from_millis(1500));
        let (_, csv) = exchange(stats, &get("/;csv", ""));
        let downs: usize = csv_field(&csv, "app", "s1", CHKDOWN).parse().unwrap_or(0);
        match downs {
            0 => "never went DOWN".to_string(),
            1 => "went DOWN once and stayed DOWN".to_string(),
            _ => "went DOWN again after each passing check brought it back".to_string(),
        }
    };
    let bad = run(1, &format!("rise1-{series}"));
    let good = run(2, &format!("rise2-{series}"));
    format!(
        "a server passing one health check in four, checked every 100 ms with `fall 3`, for \
         1.5 s: with `rise 1` it {bad}; with `rise 2` it {good}"
    )
}

/// A TLS frontend's response headers, without and with an
/// `http-response set-header Strict-Transport-Security`.
fn hsts(series: &str, oracle: &Path) -> String {
    let pem = shared_pem();
    let (up, _) = upstream(Instant::now());
    let run = |rule: &str, tag: &str| {
        let port = free_port();
        let config = format!(
            "{GLOBAL}frontend www\n    bind 127.0.0.1:{port} ssl crt {}\n{rule}\
             \x20   default_backend app\nbackend app\n    server s1 127.0.0.1:{up}\n",
            pem.display()
        );
        let _haproxy = start_haproxy(oracle, &config, port, tag);
        let request = "GET / HTTP/1.1\r\nHost: shop.example\r\nConnection: close\r\n\r\n";
        let text = s_client(port, &["-quiet"], request).to_ascii_lowercase();
        let status = text
            .lines()
            .find(|l| l.starts_with("http/"))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("no answer")
            .to_string();
        let header = text
            .lines()
            .find_map(|l| l.strip_prefix("strict-transport-security:"))
            .map_or("no Strict-Transport-Security".to_string(), |v| {
                format!("Strict-Transport-Security `{}`", v.trim())
            });
        format!("{status} with {header}")
    };
    let bad = run("", &format!("hsts-none-{series}"));
    let good = run(
        "    http-response set-header Strict-Transport-Security \"max-age=31536000\"\n",
        &format!("hsts-{series}"),
    );
    format!("a request over TLS: by default → {bad}; with the `set-header` line → {good}")
}

/// Ten clients one after another, two requests each on its own connection:
/// server connections opened with each `http-reuse` mode.
fn reuse_modes(series: &str, oracle: &Path) -> String {
    let run = |mode: &str, tag: &str| {
        let start = Instant::now();
        let (up, seen) = upstream(start);
        let port = free_port();
        let config = format!(
            "{GLOBAL}frontend www\n    bind 127.0.0.1:{port}\n    default_backend app\n\
             backend app\n    http-reuse {mode}\n    server s1 127.0.0.1:{up}\n"
        );
        let _haproxy = start_haproxy(oracle, &config, port, tag);
        for _ in 0..10 {
            let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
            client
                .set_read_timeout(Some(Duration::from_secs(5)))
                .unwrap();
            for _ in 0..2 {
                client
                    .write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                    .unwrap();
                assert_eq!(read_response(&mut client), Some(200), "{tag}");
            }
        }
        seen.lock().unwrap().connections
    };
    let never = run("never", &format!("reuse-never-{series}"));
    let safe = run("safe", &format!("reuse-safe-{series}"));
    let always = match run("always", &format!("reuse-always-{series}")) {
        // 1 on 2.6 and 3.0, 2 on 3.2 and 3.4 here; timing may move it.
        1..=2 => "1 or 2".to_string(),
        n => n.to_string(),
    };
    format!(
        "10 clients one after another, 2 requests each: server connections with `http-reuse \
         never` {never}, `safe` {safe}, `always` {always}"
    )
}

/// 30 requests in a row on one connection, without and with a per-source
/// request-rate limit of 10.
fn rate_limit(series: &str, oracle: &Path) -> String {
    let (up, _) = upstream(Instant::now());
    let run = |rules: &str, tag: &str| {
        let port = free_port();
        let config = format!(
            "{GLOBAL}frontend www\n    bind 127.0.0.1:{port}\n{rules}    default_backend app\n\
             backend app\n    server s1 127.0.0.1:{up}\n"
        );
        let _haproxy = start_haproxy(oracle, &config, port, tag);
        let mut client = TcpStream::connect(("127.0.0.1", port)).unwrap();
        client
            .set_read_timeout(Some(Duration::from_secs(5)))
            .unwrap();
        let mut counts: Vec<(u16, usize)> = Vec::new();
        for _ in 0..30 {
            client
                .write_all(b"GET / HTTP/1.1\r\nHost: t\r\n\r\n")
                .unwrap();
            let status = read_response(&mut client).unwrap_or(0);
            match counts.iter_mut().find(|(s, _)| *s == status) {
                Some((_, n)) => *n += 1,
                None => counts.push((status, 1)),
            }
        }
        let counts: Vec<String> = counts.iter().map(|(s, n)| format!("{n} × {s}")).collect();
        counts.join(", ")
    };
    let open = run("", &format!("rate-open-{series}"));
    let limited = run(
        "    stick-table type ip size 1k expire 30s store http_req_rate(10s)\n\
         \x20   http-request track-sc0 src\n\
         \x20   http-request deny deny_status 429 if { sc_http_req_rate(0) gt 10 }\n",
        &format!("rate-limited-{series}"),
    );
    format!(
        "30 requests in a row from one client: without a limit → {open}; with a per-source \
         rate limit of 10 per 10 s → {limited}"
    )
}

/// `acl admin_net src 127.0.0.0/8` (the client's own network) next to
/// `deny if { path_beg /admin }`, then used by it as `!admin_net`.
fn unused_acl(series: &str, oracle: &Path) -> String {
    let (up, _) = upstream(Instant::now());
    let run = |condition: &str, tag: &str| {
        let port = free_port();
        let config = format!(
            "{GLOBAL}frontend www\n    bind 127.0.0.1:{port}\n\
             \x20   acl admin_net src 127.0.0.0/8\n\
             \x20   http-request deny if {{ path_beg /admin }}{condition}\n\
             \x20   default_backend app\nbackend app\n    server s1 127.0.0.1:{up}\n"
        );
        let _haproxy = start_haproxy(oracle, &config, port, tag);
        shown(exchange(port, &get("/admin", "")).0)
    };
    let unused = run("", &format!("acl-unused-{series}"));
    let used = run(" !admin_net", &format!("acl-used-{series}"));
    format!(
        "/admin from 127.0.0.1 with `acl admin_net src 127.0.0.0/8` defined: used by no \
         condition → {unused}; used as `!admin_net` in the deny → {used}"
    )
}

/// A backend no frontend names, its server checked (`option httpchk`: a plain
/// connect check is reset before the test's server could count it): what reaches that server
/// while 5 requests go through the frontend.
fn unused_backend(series: &str, oracle: &Path) -> String {
    let (app, app_seen) = upstream(Instant::now());
    let (old, old_seen) = upstream(Instant::now());
    let port = free_port();
    let config = format!(
        "{GLOBAL}frontend www\n    bind 127.0.0.1:{port}\n    default_backend app\n\
         backend app\n    server a 127.0.0.1:{app}\n\
         backend app_old\n    option httpchk\n    server a 127.0.0.1:{old} check inter 100ms\n"
    );
    let _haproxy = start_haproxy(oracle, &config, port, &format!("orphan-{series}"));
    for _ in 0..5 {
        let _ = exchange(port, &get("/", ""));
    }
    std::thread::sleep(Duration::from_millis(1000));
    let served = app_seen.lock().unwrap().heads.len();
    let (requests, connections) = {
        let old = old_seen.lock().unwrap();
        (old.heads.len(), old.connections)
    };
    // The upstream leaves the checks' OPTIONS requests out of `heads`.
    let checked = if connections > 0 {
        "its health checks all the same"
    } else {
        "no health check either"
    };
    format!(
        "5 requests: the routed backend's server got {served}; the server of the backend no \
         frontend names got {requests} requests, and {checked}"
    )
}

/// One certificate on two listeners, one requiring a client certificate:
/// a client without one, on each.
fn shared_certificate(series: &str, oracle: &Path) -> String {
    let pem = shared_pem();
    let (up, _) = upstream(Instant::now());
    let (mtls, open) = (free_port(), free_port());
    let config = format!(
        "{GLOBAL}frontend mtls\n    bind 127.0.0.1:{mtls} ssl crt {pem} verify required \
         ca-file {pem}\n    default_backend app\n\
         frontend www\n    bind 127.0.0.1:{open} ssl crt {pem}\n    default_backend app\n\
         backend app\n    server s1 127.0.0.1:{up}\n",
        pem = pem.display()
    );
    let _haproxy = start_haproxy(oracle, &config, mtls, &format!("mtls-{series}"));
    let request = "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";
    let visit = |port: u16| {
        let text = s_client(port, &["-servername", "localhost", "-ign_eof"], request);
        let subject = text
            .lines()
            .find_map(|l| l.strip_prefix("subject="))
            .map_or("no certificate".to_string(), |s| s.trim().to_string());
        let status = text
            .lines()
            .find(|l| l.starts_with("HTTP/"))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or("no answer")
            .to_string();
        format!("certificate `{subject}`, {status}")
    };
    format!(
        "a client without a certificate: on the listener with `verify required` → {}; on the \
         other listener → {}",
        visit(mtls),
        visit(open)
    )
}

fn run_experiment(name: &str, series: &str, oracle: &Path) -> String {
    match name {
        "server-connections" => server_connections(series, oracle),
        "body-buffering" => body_buffering(series, oracle),
        "check-port-on-ssl" => check_port_on_ssl(series, oracle),
        "tls-name-check" => tls_name_check(series, oracle),
        "server-queueing" => server_queueing(series, oracle),
        "server-loop" => server_loop(series, oracle),
        "timeout-unit" => timeout_unit(series, oracle),
        "forwarded-for" => forwarded_for(series, oracle),
        "redispatch" => redispatch(series, oracle),
        "l7-retry" => l7_retry(series, oracle),
        "body-fetch" => body_fetch(series, oracle),
        "stats-page" => stats_page(series, oracle),
        "userlist-auth" => userlist_auth(series, oracle),
        "runtime-api" => runtime_api(series, oracle),
        "https-redirect" => https_redirect(series, oracle),
        "tls-versions" => tls_versions(series, oracle),
        "server-sni" => server_sni(series, oracle),
        "server-ciphers" => server_ciphers(series, oracle),
        "experimental-keyword" => experimental_keyword(series, oracle),
        "dh-param" => dh_param(series, oracle),
        "tls-port-plain" => tls_port_plain(series, oracle),
        "slow-header" => slow_header(series, oracle),
        "health-check" => health_check(series, oracle),
        "global-maxconn" => global_maxconn(series, oracle),
        "stick-table-expire" => stick_table_expire(series, oracle),
        "derived-maxconn" => derived_maxconn(series, oracle),
        "process-identity" => process_identity(series, oracle),
        "fork-guard" => fork_guard(series, oracle),
        "stalled-requests" => stalled_requests(series, oracle),
        "flapping" => flapping(series, oracle),
        "hsts" => hsts(series, oracle),
        "reuse-modes" => reuse_modes(series, oracle),
        "rate-limit" => rate_limit(series, oracle),
        "unused-acl" => unused_acl(series, oracle),
        "unused-backend" => unused_backend(series, oracle),
        "shared-certificate" => shared_certificate(series, oracle),
        other => panic!("unknown experiment {other}"),
    }
}

/// `haproxy 3.2.26-1 …` → `haproxy 3.2`: a recorded result stays valid when an
/// oracle's patch release changes; its figures must not.
fn by_series(result: &str) -> String {
    let mut out = String::new();
    for word in result.split(' ') {
        let parts: Vec<&str> = word.trim_end_matches([',', ':']).split('.').collect();
        let is_version = parts.len() >= 3
            && parts
                .iter()
                .take(2)
                .all(|p| p.chars().all(|c| c.is_ascii_digit()));
        if is_version {
            out.push_str(&format!("{}.{}", parts[0], parts[1]));
            out.extend(word.chars().rev().take_while(|c| *c == ',' || *c == ':'));
        } else {
            out.push_str(word);
        }
        out.push(' ');
    }
    out.trim_end().to_string()
}

/// `haproxy 2.6.12-1, 3.0.11-1: figures; haproxy 3.2.26-1: other figures`:
/// versions with the same figures share them.
fn summarize(lines: &[(String, String)]) -> String {
    let mut groups: Vec<(Vec<&str>, &str)> = Vec::new();
    for (_, line) in lines {
        let (version, figures) = line.split_once(": ").unwrap_or((line, ""));
        match groups.iter_mut().find(|(_, f)| *f == figures) {
            Some((versions, _)) => versions.push(version),
            None => groups.push((vec![version], figures)),
        }
    }
    groups
        .iter()
        .map(|(versions, figures)| format!("haproxy {}: {figures}", versions.join(", ")))
        .collect::<Vec<_>>()
        .join("; ")
}

#[test]
fn runtime_claims_hold_on_every_oracle() {
    let docs: Vec<&RuleDoc> = catalog::docs()
        .iter()
        .filter(|d| {
            d.proof
                .as_ref()
                .is_some_and(|p| p.kind == ProofKind::Experiment)
        })
        .collect();
    let Some(all) = oracles_for("runtime_claims_hold_on_every_oracle", &ProofDoc::any()) else {
        return;
    };
    let mut names: Vec<&str> = docs
        .iter()
        .filter_map(|d| d.proof.as_ref()?.experiment.as_deref())
        .collect();
    names.sort_unstable();
    names.dedup();
    // Each experiment once per series; series in parallel, and three experiments
    // at a time within a series (they mostly wait on timers and sockets).
    let results: Mutex<Vec<(String, String, String)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for (series, oracle) in &all {
            let version = common::oracle_version(oracle);
            let next = Arc::new(Mutex::new(0usize));
            for _ in 0..3 {
                let (names, results, version) = (&names, &results, version.clone());
                let next = Arc::clone(&next);
                scope.spawn(move || {
                    loop {
                        let index = {
                            let mut next = next.lock().unwrap();
                            *next += 1;
                            *next - 1
                        };
                        let Some(name) = names.get(index) else { return };
                        let figures = run_experiment(name, series, oracle);
                        results.lock().unwrap().push((
                            name.to_string(),
                            series.clone(),
                            format!("{version}: {figures}"),
                        ));
                    }
                });
            }
        }
    });
    let _ = std::fs::remove_dir_all(shared_dir());
    let results = results.into_inner().unwrap();
    let mut problems = Vec::new();
    for doc in docs {
        let proof = doc.proof.as_ref().unwrap();
        let name = proof.experiment.as_deref().unwrap();
        let mut lines: Vec<(String, String)> = results
            .iter()
            .filter(|(n, series, _)| {
                n == name && (proof.versions.is_empty() || proof.versions.contains(series))
            })
            .map(|(_, series, line)| (series.clone(), line.clone()))
            .collect();
        lines.sort();
        let measured = summarize(&lines);
        let recorded = proof.result.as_deref().unwrap_or("");
        if by_series(recorded) != by_series(&measured) {
            problems.push(format!(
                "{}: recorded result differs from this run; if the claim still holds, \
                 record:\n  result: \"{measured}\"\n  was: \"{recorded}\"",
                doc.id
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
