//! Small configurations judged by the real haproxys: for every case of
//! `tests/oracle/*.cases` and every oracle (2.6, 3.0, 3.2, 3.4), haplint run
//! with `--haproxy-version` of that series reports an error exactly when
//! that haproxy refuses the configuration, and on a line haproxy names.
//! The oracle's verdict is the expectation; haplint's output is not stored.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::{Path, PathBuf};

struct Case {
    file: String,
    name: String,
    text: String,
}

fn cases() -> Vec<Case> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/oracle");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("tests/oracle")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "cases"))
        .collect();
    files.sort();
    let mut cases = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(&path).expect("read cases");
        let file = path.file_name().unwrap().to_string_lossy().into_owned();
        let mut current: Option<Case> = None;
        for line in text.lines() {
            if let Some(name) = line.strip_prefix("### ") {
                cases.extend(current.take());
                current = Some(Case {
                    file: file.clone(),
                    name: name.trim().to_string(),
                    text: String::new(),
                });
            } else if let Some(case) = current.as_mut() {
                case.text.push_str(line);
                case.text.push('\n');
            }
        }
        cases.extend(current);
    }
    cases
}

/// Whether the oracle accepts the file, and the lines its ALERTs name.
fn judge(oracle: &Path, cfg: &Path) -> (bool, Vec<u32>) {
    let out = std::process::Command::new(oracle)
        .args(["-c", "-f"])
        .arg(cfg)
        .output()
        .expect("run oracle");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    // "has no error but will not start (no listener)" is an acceptance.
    let accepted = out.status.success() || text.contains("Configuration file has no error");
    let name = cfg.file_name().unwrap().to_string_lossy().into_owned();
    let mut lines = Vec::new();
    for line in text.lines().filter(|l| l.contains("[ALERT]")) {
        if let Some(at) = line.find(&format!("{name}:")) {
            let rest = &line[at + name.len() + 1..];
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            if let Ok(n) = digits.parse() {
                lines.push(n);
            }
        }
    }
    (accepted, lines)
}

/// The lines haplint reports an error on.
fn haplint_errors(series: &str, cfg: &Path) -> Vec<(u32, String)> {
    let out = common::haplint(&[
        "check",
        "--haproxy-version",
        series,
        "--format",
        "json",
        cfg.to_str().unwrap(),
    ]);
    let report: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("haplint prints JSON");
    report["diagnostics"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|d| d["severity"] == "error")
        .map(|d| {
            (
                d["line"].as_u64().unwrap_or(0) as u32,
                format!(
                    "{}: {}",
                    d["rule"].as_str().unwrap_or(""),
                    d["message"].as_str().unwrap_or("")
                ),
            )
        })
        .collect()
}

#[test]
fn haplint_refuses_what_each_oracle_refuses() {
    let oracles = common::oracles("haplint_refuses_what_each_oracle_refuses");
    if oracles.is_empty() {
        return;
    }
    let cases = cases();
    assert!(cases.len() >= 60, "only {} cases", cases.len());
    let dir = std::env::temp_dir().join(format!("haplint-oracle-cases-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let results: Vec<String> = std::thread::scope(|scope| {
        let halves: Vec<_> = cases
            .chunks(cases.len().div_ceil(2))
            .map(|chunk| {
                let (dir, oracles) = (&dir, &oracles);
                scope.spawn(move || {
                    let mut disagreements = Vec::new();
                    for case in chunk {
                        let cfg = dir.join(format!("{}.cfg", case.name));
                        std::fs::write(&cfg, &case.text).unwrap();
                        for (series, oracle) in oracles.iter() {
                            let (accepted, lines) = judge(oracle, &cfg);
                            let errors = haplint_errors(series, &cfg);
                            let agrees = if accepted {
                                errors.is_empty()
                            } else if lines.is_empty() {
                                !errors.is_empty()
                            } else {
                                errors.iter().any(|(line, _)| lines.contains(line))
                            };
                            if !agrees {
                                disagreements.push(format!(
                                    "{}:{} on {series}: haproxy {} (lines {lines:?}), haplint \
                                     errors {errors:?}",
                                    case.file,
                                    case.name,
                                    if accepted { "accepts" } else { "refuses" }
                                ));
                            }
                        }
                    }
                    disagreements
                })
            })
            .collect();
        halves.into_iter().flat_map(|h| h.join().unwrap()).collect()
    });
    let _ = std::fs::remove_dir_all(&dir);
    println!("{} cases x {} oracles", cases.len(), oracles.len());
    assert!(
        results.is_empty(),
        "haplint and haproxy disagree:\n{}",
        results.join("\n")
    );
}
