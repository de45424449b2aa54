//! The parser and the CLI against configurations written by others: HAProxy's
//! own regression-test and example configs and real-world files.
//!
//! Runs on `tests/fixtures/corpus/` always, and on `../shared/corpus/` when
//! that folder exists (a notice is printed when it does not).

// Test helpers may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use haplint::source::SourceSet;
use haplint::syntax;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

struct Entry {
    path: PathBuf,
    fields: HashMap<String, String>,
}

impl Entry {
    fn get(&self, key: &str) -> &str {
        self.fields.get(key).map(String::as_str).unwrap_or("")
    }

    /// haproxy 2.6 accepted it as stored, or once missing files and hosts were stood in.
    fn accepted(&self) -> bool {
        self.get("haproxy26_check") == "ok" || self.get("neutral_check") == "ok"
    }
}

fn manifest(dir: &Path) -> Vec<Entry> {
    let Ok(text) = std::fs::read_to_string(dir.join("MANIFEST.tsv")) else {
        return Vec::new();
    };
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
    lines
        .map(|line| {
            let fields: HashMap<String, String> = header
                .iter()
                .zip(line.split('\t'))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            Entry {
                path: dir.join(&fields["file"]),
                fields,
            }
        })
        .collect()
}

fn corpus() -> Vec<Entry> {
    let mut entries = manifest(Path::new("tests/fixtures/corpus"));
    let shared = Path::new("../shared/corpus");
    if shared.is_dir() {
        entries.extend(manifest(&shared.join("dev")));
        entries.extend(manifest(&shared.join("regtests")));
    } else if common::tools_required() {
        panic!("../shared/corpus is absent (HAPLINT_REQUIRE_TOOLS is set)");
    } else {
        eprintln!("notice: ../shared/corpus is absent; only tests/fixtures/corpus is used");
    }
    assert!(!entries.is_empty(), "no corpus files found");
    entries
}

fn syntax_errors(text: &str) -> Vec<(u32, String)> {
    let mut sources = SourceSet::new();
    sources.add("corpus.cfg", None, text);
    let report = haplint::check(
        sources,
        &haplint::Options {
            select: Some(vec![]),
            ..haplint::Options::default()
        },
    );
    report
        .active()
        .filter(|f| {
            f.finding.rule == syntax::SYNTAX && f.severity == haplint::finding::Severity::Error
        })
        .map(|f| (common::line_of(&report, f), f.finding.message.clone()))
        .collect()
}

#[test]
fn every_file_reprints_byte_for_byte() {
    let entries = corpus();
    let mut exact = 0;
    for entry in &entries {
        let text = std::fs::read_to_string(&entry.path).unwrap();
        let mut sources = SourceSet::new();
        let id = sources.add("corpus.cfg", None, text.as_str());
        let tree = syntax::parse(sources.get(id).unwrap());
        assert_eq!(
            tree.reprint(),
            text,
            "{} does not reprint exactly",
            entry.path.display()
        );
        exact += 1;
    }
    println!(
        "round trip exact on {exact} of {} corpus files",
        entries.len()
    );
}

#[test]
fn files_haproxy_accepts_have_no_syntax_error() {
    let entries = corpus();
    let mut checked = 0;
    let mut false_positives = Vec::new();
    for entry in entries.iter().filter(|e| e.accepted()) {
        let text = std::fs::read_to_string(&entry.path).unwrap();
        let errors = syntax_errors(&text);
        if !errors.is_empty() {
            false_positives.push(format!("{}: {errors:?}", entry.path.display()));
        }
        checked += 1;
    }
    println!(
        "{checked} files accepted by haproxy 2.6, {} with a syntax error from haplint",
        false_positives.len()
    );
    assert!(
        false_positives.is_empty(),
        "syntax false positives:\n{}",
        false_positives.join("\n")
    );
}

/// For the errors haproxy finds while reading lines and sections (before it
/// looks at keywords), haplint reports a syntax error on the line haproxy names.
#[test]
fn lexical_rejections_are_found_on_haproxys_line() {
    const LEXICAL: &[&str] = &[
        "Missing LF on last line",
        "out of section",
        "is not permitted in",
        "unmatched quote",
        "unmatched brace",
    ];
    let entries = corpus();
    let mut matched = 0;
    for entry in entries
        .iter()
        .filter(|e| LEXICAL.iter().any(|m| e.get("first_error").contains(m)))
    {
        let text = std::fs::read_to_string(&entry.path).unwrap();
        let line: u32 = entry.get("first_error_line").parse().unwrap();
        let errors = syntax_errors(&text);
        assert!(
            errors.iter().any(|(l, _)| *l == line),
            "{}: haproxy says line {line} ({}), haplint says {errors:?}",
            entry.path.display(),
            entry.get("first_error")
        );
        matched += 1;
    }
    assert!(matched > 0, "no lexical rejection in the corpus");
    println!("{matched} lexical rejections found on haproxy's line");
}

#[test]
fn json_output_is_valid_and_exit_code_is_0_or_1() {
    let entries = corpus();
    for entry in &entries {
        let output = Command::new(env!("CARGO_BIN_EXE_haplint"))
            .args(["check", "--no-config", "--format", "json"])
            .arg(&entry.path)
            .output()
            .unwrap();
        let code = output.status.code();
        assert!(
            matches!(code, Some(0) | Some(1)),
            "{}: exit {code:?}: {}",
            entry.path.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        let json: serde_json::Value = serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{}: invalid JSON: {e}", entry.path.display()));
        assert_eq!(json["version"], 1);
        assert!(json["diagnostics"].is_array());
    }
    println!("valid JSON and exit 0/1 on {} corpus files", entries.len());
}
