//! Fixes on configurations written by others, judged by the real haproxy:
//! for every corpus file haproxy accepts (as far as `haproxy -c` can check it
//! here, with placeholders for missing files), applying every fix, unsafe ones
//! included, must leave a configuration haproxy still accepts, and every
//! existing line a fix changes must be a line a finding pointed at.

// Test helpers may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use haplint::fix::verify;
use haplint::source::SourceSet;
use haplint::{Options, check, fix};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// The accepted corpus files, and whether the shared corpus was among them.
fn corpus_files() -> (Vec<PathBuf>, bool) {
    let mut dirs = vec![PathBuf::from("tests/fixtures/corpus")];
    let shared = Path::new("../shared/corpus");
    let with_shared = shared.is_dir();
    if with_shared {
        dirs.push(shared.join("dev"));
        dirs.push(shared.join("regtests"));
    } else if common::tools_required() {
        panic!("../shared/corpus is absent (HAPLINT_REQUIRE_TOOLS is set)");
    } else {
        eprintln!("notice: ../shared/corpus is absent; only tests/fixtures/corpus is used");
    }
    let mut files = Vec::new();
    for dir in dirs {
        let manifest = std::fs::read_to_string(dir.join("MANIFEST.tsv")).unwrap_or_default();
        let mut lines = manifest.lines();
        let header: Vec<&str> = lines.next().unwrap_or("").split('\t').collect();
        let column = |name: &str| header.iter().position(|h| *h == name);
        let (Some(file), Some(check26), Some(neutral)) = (
            column("file"),
            column("haproxy26_check"),
            column("neutral_check"),
        ) else {
            continue;
        };
        for line in lines {
            let cells: Vec<&str> = line.split('\t').collect();
            let accepted = cells.get(check26) == Some(&"ok") || cells.get(neutral) == Some(&"ok");
            if accepted {
                files.push(dir.join(cells[file]));
            }
        }
    }
    (files, with_shared)
}

/// Lines (0-based) of a span's start and end.
fn lines_of(sources: &SourceSet, span: haplint::source::Span) -> std::ops::RangeInclusive<usize> {
    let file = sources.get(span.file).unwrap();
    let first = file.lines().line_of(span.start);
    let last = file
        .lines()
        .line_of(span.end.saturating_sub(1).max(span.start));
    first..=last
}

#[test]
fn fixed_corpus_configs_still_load_in_haproxy() {
    // The corpus manifest's `haproxy26_check` column was measured with 2.6.
    let Some(haproxy) = common::oracle("2.6") else {
        return common::needs_tool(
            "fixed_corpus_configs_still_load_in_haproxy",
            "the haproxy 2.6 oracle (run tools/oracle/install)",
        );
    };
    // Every rule, opt-in advice included: what is tested is that no fix
    // haplint can offer breaks a configuration haproxy loads.
    let options = Options {
        select: Some(vec!["ALL".to_string()]),
        ..Options::default()
    };
    let (mut files, mut in_scope, mut changed, mut fixes_applied) = (0, 0, 0, 0);
    let mut by_rule: BTreeMap<&'static str, usize> = BTreeMap::new();
    let mut failures = Vec::new();
    let (corpus, with_shared) = corpus_files();
    for path in corpus {
        files += 1;
        let text = std::fs::read_to_string(&path).unwrap();
        let base = path.parent().unwrap().to_path_buf();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let before = verify::check(&haproxy, &[(name.clone(), text.clone())], &base).unwrap();
        if !before.accepted {
            continue;
        }
        in_scope += 1;
        // Fix round by round, checking every edit against the findings of its round.
        let mut current = text.clone();
        for _ in 0..haplint::MAX_FIX_ROUNDS {
            let mut sources = SourceSet::new();
            let id = sources.add(name.as_str(), None, current.as_str());
            let report = check(sources, &options);
            let mut pointed: BTreeSet<usize> = BTreeSet::new();
            let mut fixes = Vec::new();
            for reported in report.active() {
                let Some(fix) = &reported.finding.fix else {
                    continue;
                };
                pointed.extend(lines_of(&report.sources, reported.finding.primary.span));
                for label in &reported.finding.secondary {
                    pointed.extend(lines_of(&report.sources, label.span));
                }
                fixes.push((reported.finding.rule, fix));
            }
            let refs: Vec<&haplint::finding::Fix> = fixes.iter().map(|(_, f)| *f).collect();
            let texts = BTreeMap::from([(id, current.clone())]);
            let pass = fix::apply_all(&texts, &refs);
            if pass.applied.is_empty() {
                break;
            }
            for &index in &pass.applied {
                let (rule, fix) = fixes[index];
                *by_rule.entry(rule).or_default() += 1;
                for edit in fix.edits.iter().filter(|e| !e.span.is_empty()) {
                    for line in lines_of(&report.sources, edit.span) {
                        if !pointed.contains(&line) {
                            failures.push(format!(
                                "{}: {rule} changes line {} that no finding points at",
                                path.display(),
                                line + 1
                            ));
                        }
                    }
                }
            }
            fixes_applied += pass.applied.len();
            current = pass.changed.get(&id).cloned().unwrap_or(current);
        }
        if current != text {
            changed += 1;
            let after = verify::check(&haproxy, &[(name.clone(), current.clone())], &base).unwrap();
            if !after.accepted {
                let alerts: Vec<String> = after
                    .alerts
                    .iter()
                    .map(|a| format!("{:?}:{:?} {}", a.file, a.line, a.message))
                    .collect();
                failures.push(format!(
                    "{}: haproxy rejects the fixed config: {alerts:?}",
                    path.display()
                ));
            }
        }
    }
    println!(
        "fix corpus: {files} accepted corpus files, {in_scope} \
            checkable here by haproxy -c, {changed} changed by \
            {fixes_applied} fixes {by_rule:?}; haproxy rejected {} \
            fixed files",
        failures.iter().filter(|f| f.contains("rejects")).count()
    );
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // Not vacuous: if haproxy rejected every file, or fixes stopped applying,
    // nothing above could fail. Floors a little under what was measured
    // (shared corpus: 84 in scope, 77 changed; tests/fixtures/corpus alone: 2 and 2).
    let (scope_floor, changed_floor) = if with_shared { (75, 65) } else { (2, 2) };
    assert!(
        in_scope >= scope_floor,
        "only {in_scope} corpus files are accepted by haproxy 2.6 \
            before fixing (floor {scope_floor})"
    );
    assert!(
        changed >= changed_floor,
        "only {changed} corpus files were changed by fixes (floor {changed_floor})"
    );
}
