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
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------- declarations

const EXPERIMENTS: &[&str] = &[
    "server-connections",
    "body-buffering",
    "check-port-on-ssl",
    "tls-name-check",
    "server-queueing",
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
    let refused = out.status.code() == Some(1) && (resolution_refused || !environment_failed);
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

/// A port nobody listens on right now (haproxy binds it next).
fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// What the test's upstream server saw.
#[derive(Default)]
struct Seen {
    connections: usize,
    /// Seconds after `start` at which each request's headers arrived.
    headers_at: Vec<f64>,
    /// The first byte of each connection (0x16 = a TLS handshake).
    first_bytes: Vec<u8>,
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
                seen.lock()
                    .unwrap()
                    .headers_at
                    .push(start.elapsed().as_secs_f64());
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
    let dir = std::env::temp_dir().join(format!("haplint-proof-{}-{tag}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("haproxy.cfg");
    std::fs::write(&file, config).unwrap();
    let child = Command::new(oracle)
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
        "{GLOBAL}frontend www\n    bind 127.0.0.1:{port}\n    default_backend app\n\
         backend app\n{backend_options}    server s1 127.0.0.1:{up}{server_options}\n"
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

fn run_experiment(name: &str, series: &str, oracle: &Path) -> String {
    match name {
        "server-connections" => server_connections(series, oracle),
        "body-buffering" => body_buffering(series, oracle),
        "check-port-on-ssl" => check_port_on_ssl(series, oracle),
        "tls-name-check" => tls_name_check(series, oracle),
        "server-queueing" => server_queueing(series, oracle),
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
    // Each experiment once per series, series in parallel.
    let results: Mutex<Vec<(String, String, String)>> = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        for (series, oracle) in &all {
            let names = &names;
            let results = &results;
            scope.spawn(move || {
                let version = common::oracle_version(oracle);
                for name in names {
                    let figures = run_experiment(name, series, oracle);
                    results.lock().unwrap().push((
                        name.to_string(),
                        series.clone(),
                        format!("{version}: {figures}"),
                    ));
                }
            });
        }
    });
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
