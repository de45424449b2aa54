//! Sample expressions and ACLs judged by the four haproxy oracles: for every
//! bad and good example of `invalid-sample-expression` and `invalid-acl`,
//! and for cases whose verdict differs between releases, haplint with
//! `--haproxy-version <series>` must report an error exactly when that
//! series' haproxy refuses the configuration. The oracle's verdict is the
//! expectation.

// Test helpers may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use haplint::rules::catalog;
use std::process::Command;

const RULES: [&str; 2] = ["invalid-sample-expression", "invalid-acl"];

/// One frontend in HTTP mode routing to one backend, with `lines` in the frontend.
fn frontend(lines: &str) -> String {
    const DEFAULTS: &str = concat!(
        "defaults\n",
        "    mode http\n",
        "    timeout client 5s\n",
        "    timeout server 5s\n",
        "    timeout connect 5s\n",
    );
    format!(
        "{DEFAULTS}frontend www\n    bind 127.0.0.1:8080\n{lines}    default_backend app\n\
         backend app\n    stick-table type ip size 1k\n    server a 127.0.0.1:8081\n"
    )
}

/// Cases whose verdict depends on the release, or that the examples miss.
fn cases() -> Vec<(&'static str, String)> {
    let lines = [
        (
            "url_param with three arguments (3.0+)",
            "    http-request deny if { url_param(a,b,c) -m found }\n",
        ),
        (
            "has_ctl converter (3.2+)",
            "    http-request set-header x %[str(a),has_ctl]\n",
        ),
        (
            "bytes with a variable (3.0+)",
            "    http-request set-header x %[str(a),bytes(txn.x)]\n",
        ),
        (
            "addr output into add (2.6 src was ipv4)",
            "    http-request set-header x %[src,add(1)]\n",
        ),
        (
            "req.ssl_sigalgs (3.2+)",
            "    tcp-request content reject if { req.ssl_sigalgs -m found }\n",
        ),
        (
            "srv_conn without its server",
            "    http-request deny if { srv_conn gt 1 }\n",
        ),
        (
            "be_max_retries does not exist",
            "    http-request deny if { be_max_retries gt 1 }\n",
        ),
        (
            "response fetch in a request condition only warns",
            "    http-request deny if { res.hdr(x) -m found }\n",
        ),
        (
            "request fetch in a response rule",
            "    http-response set-header x %[req.hdr(a)]\n",
        ),
        (
            "HTTP fetch in tcp-request connection",
            "    tcp-request connection set-var(txn.x) req.hdr(a)\n",
        ),
        (
            "p-scoped variable (3.2+)",
            "    http-request set-header x %[var(psess.x)]\n",
        ),
        (
            "variable without scope",
            "    http-request set-var(foo) str(a)\n",
        ),
        (
            "set-var-fmt with a scope",
            "    http-request set-var-fmt(txn.x) %[src]\n    http-request unset-var(req.x)\n",
        ),
        ("unset-var without scope", "    http-request unset-var(x)\n"),
        (
            "unknown match method",
            "    acl x path -m foo /\n    http-request deny if x\n",
        ),
        (
            "negative pattern without --",
            "    http-request deny if { req.hdr_val(x) -1 }\n",
        ),
        ("ACL name character", "    acl x/y path /\n"),
        (
            "trailing comma is ignored outside %[]",
            "    http-request set-var(txn.x) str(a),\n",
        ),
        (
            "trailing comma inside %[]",
            "    http-request set-header x %[str(a),]\n",
        ),
        (
            "empty parentheses",
            "    http-request set-header x %[str(a),upper()]%[str()]\n",
        ),
        (
            "integer argument missing",
            "    http-request set-header x %[payload_lv]\n",
        ),
        (
            "integer argument",
            "    http-request set-header x %[req.hdr(host,0x10)]\n",
        ),
        (
            "chained casts",
            "    http-request set-header x %[req.body,length,add(1),ipmask(24)]\n",
        ),
        (
            "bin into an addr converter",
            "    http-request set-header x %[req.body,ipmask(24)]\n",
        ),
        (
            "backend argument",
            "    http-request set-header x %[be_conn(app)]%[nbsrv(app)]\n",
        ),
        (
            "missing backend",
            "    http-request set-header x %[nbsrv(nope)]\n",
        ),
        (
            "too many arguments",
            "    http-request set-header x %[str(a),lower(x)]\n",
        ),
        (
            "misspelled fetch",
            "    use_backend app if { hdr_beg(host) -i www. } { path_begg /a }\n",
        ),
        (
            "track-sc0 expression",
            "    tcp-request content track-sc0 src table app\n",
        ),
    ];
    // Values haproxy's own checks refuse in arguments (issue 16).
    let values = [
        ("bytes negative offset (3.0+)", "%[str(a),bytes(-1)]"),
        ("bytes zero length (3.0+)", "%[str(a),bytes(0,0)]"),
        ("bytes integers", "%[str(a),bytes(1,2)]"),
        ("bytes not a number", "%[str(a),bytes(0x10)]"),
        ("has_ctl word", "%[str(a),has_ctl(bogus)]"),
        ("has_ctl excess bits", "%[str(a),has_ctl(0x400000000)]"),
        ("has_ctl all bits", "%[str(a),has_ctl(0x1FFFFFFFF)]"),
        ("has_ctl http", "%[str(a),has_ctl(http)]"),
        ("param hex delimiter", "%[str(a),param(a,0x26)]"),
        ("param delimiter", "%[str(a),param(a,&)]"),
        ("field index 0", "%[str(a),field(0,:)]"),
        ("word without separators", "%[str(a),word(1,)]"),
        ("field from the end", "%[str(a),field(-1,:)]"),
        ("add hexadecimal", "%[str(1),add(0x10)]"),
        ("sub negative", "%[str(1),sub(-3)]"),
        ("div variable without scope", "%[str(1),div(foo.bar)]"),
        ("add variable", "%[str(1),add(txn.x)]"),
        (
            "concat variable without scope",
            "%[str(a),concat(a,foo.bar)]",
        ),
        ("strcmp variable without scope", "%[str(a),strcmp(foo)]"),
        ("be2dec default chunk", "%[str(a),be2dec(:)]"),
        ("be2dec chunk too big", "%[str(a),be2dec(:,9)]"),
        ("be2dec chunk", "%[str(a),be2dec(:,2,1)]"),
        ("be2hex truncate", "%[str(a),be2hex(:,1,2)]"),
        ("ipmask too wide", "%[src,ipmask(33)]"),
        ("ipmask IPv6 too wide", "%[src,ipmask(24,129)]"),
        ("ipmask dotted", "%[src,ipmask(255.255.0.0,64)]"),
        ("date unit", "%[date(0,xx)]"),
        ("date milliseconds", "%[date(0,ms)]"),
        ("uuid version 5", "%[uuid(5)]"),
        ("uuid version 7 (3.0+)", "%[uuid(7)]"),
        ("bool word", "%[bool(foo)]"),
        ("url_enc type", "%[str(a),url_enc(foo)]"),
        ("url_enc query", "%[str(a),url_enc(query)]"),
        ("json input type", "%[str(a),json(foo)]"),
        ("json utf8s", "%[str(a),json(utf8s)]"),
        ("json_query output type", "%[str(a),json_query($.a,foo)]"),
        ("json_query int", "%[str(a),json_query($.a,int)]"),
        ("regsub flag", "%[str(a),regsub(a,b,z)]"),
        ("regsub flags", "%[str(a),regsub(a,b,gi)]"),
        ("sha2 bits", "%[str(a),sha2(100)]"),
        ("sha2 384", "%[str(a),sha2(384)]"),
        ("aes_gcm_dec key size", "%[str(a),aes_gcm_dec(100,a,b,c)]"),
        ("fc_rtt unit", "%[fc_rtt(xx)]"),
        ("fc_rtt ms", "%[fc_rtt(ms)]"),
        ("http_date unit", "%[str(1),http_date(0,xx)]"),
        ("http_date ms", "%[str(1),http_date(0,ms)]"),
        ("table that does not exist", "%[table_cnt(nosuch)]"),
        (
            "sc table that does not exist",
            "%[sc_http_req_rate(0,nosuch)]",
        ),
        ("table converter", "%[str(a),table_http_req_rate(app)]"),
        ("own table missing", "%[src_conn_cnt]"),
        ("server of the frontend", "%[srv_conn(a)]"),
        ("server of a backend", "%[srv_conn(app/a)]"),
        ("server missing in a backend", "%[srv_conn(app/zz)]"),
        ("server of a missing backend", "%[srv_conn(nob/a)]"),
    ];
    let values = values.into_iter().map(|(name, expression)| {
        (
            name,
            format!("    http-request set-header x {expression}\n"),
        )
    });
    let payload = [
        ("payload_lv zero length", "req.payload_lv(0,0)"),
        ("payload_lv offset2 too negative", "req.payload_lv(0,1,-5)"),
        ("payload_lv relative offset2", "req.payload_lv(0,1,+5)"),
    ];
    let payload = payload.into_iter().map(|(name, expression)| {
        (
            name,
            format!("    tcp-request content set-var(txn.x) {expression}\n"),
        )
    });
    lines
        .into_iter()
        .map(|(name, body)| (name, body.to_string()))
        .chain(values)
        .chain(payload)
        .map(|(name, body)| (name, frontend(&body)))
        .collect()
}

fn haproxy_rejects(oracle: &std::path::Path, config: &std::path::Path) -> (bool, String) {
    let out = Command::new(oracle)
        .args(["-c", "-q", "-f"])
        .arg(config)
        .output()
        .expect("run oracle");
    let text = String::from_utf8_lossy(&out.stderr).into_owned();
    (!out.status.success(), text)
}

fn haplint_errors(series: &str, config: &std::path::Path) -> (bool, String) {
    let out = common::haplint(&[
        "check",
        "--no-config",
        "-q",
        "--format",
        "concise",
        "--fail-on",
        "error",
        "--haproxy-version",
        series,
        "--select",
        &RULES.join(","),
        config.to_str().unwrap(),
    ]);
    (out.status.code() == Some(1), common::stdout(&out))
}

#[test]
fn oracles_judge_expressions_and_acls() {
    let oracles = common::oracles("oracles_judge_expressions_and_acls");
    if oracles.is_empty() {
        return;
    }
    let mut all: Vec<(String, String)> = Vec::new();
    for id in RULES {
        let doc = catalog::doc(id).unwrap();
        for (kind, examples) in [("bad", &doc.examples.bad), ("good", &doc.examples.good)] {
            for (i, example) in examples.iter().enumerate() {
                let title = example.title.clone().unwrap_or_default();
                all.push((format!("{id} {kind} #{i} {title}"), example.config.clone()));
            }
        }
    }
    all.extend(
        cases()
            .into_iter()
            .map(|(name, config)| (name.to_string(), config)),
    );
    let dir = std::env::temp_dir().join(format!("haplint-expr-oracles-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut disagreements = Vec::new();
    let mut checked = 0;
    for (n, (name, config)) in all.iter().enumerate() {
        let path = dir.join(format!("case{n}.cfg"));
        std::fs::write(&path, config).unwrap();
        for (series, oracle) in &oracles {
            let (rejects, said) = haproxy_rejects(oracle, &path);
            let (errors, found) = haplint_errors(series, &path);
            checked += 1;
            if rejects != errors {
                disagreements.push(format!(
                    "{name} on {series}: haproxy {} but haplint {}\n\
                     --- haproxy:\n{said}--- haplint:\n{found}--- config:\n{config}",
                    if rejects { "refuses" } else { "accepts" },
                    if errors {
                        "reports an error"
                    } else {
                        "reports none"
                    },
                ));
            }
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    println!(
        "{checked} verdicts compared ({} cases × {} oracles)",
        all.len(),
        oracles.len()
    );
    assert!(
        disagreements.is_empty(),
        "{} disagreements:\n{}",
        disagreements.len(),
        disagreements.join("\n")
    );
}
