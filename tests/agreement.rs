//! Agreement with the real haproxy 2.6 (Debian's, installed by `.ci/run`).
//!
//! Two sources of verdicts:
//! - the shared corpus (`../shared/corpus`): haproxy's verdicts are in its
//!   manifests; failures that only come from the machine (missing
//!   certificates, DNS, Lua, build options) are left out, and templates too;
//! - mutations of the corpus files haproxy accepts as stored: a keyword
//!   misspelled, a removed keyword inserted, a duration broken, a backend
//!   reference broken. Each mutated file goes through `haproxy -c` here.
//!
//! Recall: of the configurations haproxy rejects for a configuration error,
//! the share on which haplint (`--haproxy-version 2.6`) reports an error.
//! Precision: of those haproxy accepts, the share on which haplint reports no
//! error. Run `tools/agreement` to see the figures and every disagreement.
//! Without the corpus the test says so and passes; without haproxy too,
//! unless HAPLINT_REQUIRE_TOOLS is set (`.ci/run` installs haproxy).

// Test helpers may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use haplint::finding::Severity;
use haplint::source::SourceSet;
use haplint::version::Version;
use std::path::{Path, PathBuf};
use std::process::Command;

const CORPUS: &str = "../shared/corpus";

/// Categories of rejections that are configuration errors (see the corpus README).
const CONFIG_ERRORS: &[&str] = &[
    "syntax",
    "obsolete",
    "semantic",
    "newer-keyword",
    "bad-by-design",
];

struct Case {
    name: String,
    text: String,
    /// haproxy accepts it.
    accepted: bool,
}

fn haplint_errors(text: &str) -> Vec<String> {
    let mut sources = SourceSet::new();
    sources.add("case.cfg", None, text);
    // The corpus files are judged as stored: reg-tests hold vtest macros
    // (`${testdir}`) that would make them templates, so templates are checked.
    let options = haplint::Options {
        target: Version::new(2, 6),
        ignore: vec!["template".to_string()],
        ..Default::default()
    };
    let report = haplint::check(sources, &options);
    report
        .active()
        .filter(|f| f.severity == Severity::Error)
        .map(|f| {
            let line = report
                .sources
                .get(f.finding.primary.span.file)
                .map_or(0, |file| file.position(f.finding.primary.span.start).line);
            format!("{}:{} {}", f.finding.rule, line, f.finding.message)
        })
        .collect()
}

fn manifest(folder: &str) -> Vec<Vec<String>> {
    let text =
        std::fs::read_to_string(Path::new(CORPUS).join(folder).join("MANIFEST.tsv")).unwrap();
    text.lines()
        .skip(1)
        .map(|line| line.split('\t').map(str::to_string).collect())
        .collect()
}

fn read(path: &Path) -> Option<String> {
    std::fs::read(path)
        .ok()
        .map(|b| String::from_utf8_lossy(&b).into_owned())
}

/// The corpus with haproxy's verdicts, and the files accepted as stored (the mutation bases).
fn corpus_cases() -> (Vec<Case>, Vec<(String, String)>) {
    let mut cases = Vec::new();
    let mut bases = Vec::new();
    for folder in ["dev", "regtests"] {
        for row in manifest(folder) {
            let column = |i: usize| row.get(i).map(String::as_str).unwrap_or("");
            let (file, check, category, neutral) = (column(0), column(6), column(9), column(11));
            let Some(text) = read(&Path::new(CORPUS).join(folder).join(file)) else {
                continue;
            };
            let accepted = check == "ok" || neutral == "ok";
            let config_error =
                check == "fail" && neutral != "ok" && CONFIG_ERRORS.contains(&category);
            if accepted || config_error {
                cases.push(Case {
                    name: format!("{folder}/{file}"),
                    text: text.clone(),
                    accepted,
                });
            }
            if folder == "dev" && check == "ok" {
                bases.push((format!("{folder}/{file}"), text));
            }
        }
    }
    (cases, bases)
}

/// A small deterministic generator, so the mutations are the same on every run.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) as usize
    }
}

/// Lines as (index, first word, indentation) for lines with a keyword.
fn keyword_lines(lines: &[&str]) -> Vec<(usize, String)> {
    lines
        .iter()
        .enumerate()
        .filter_map(|(i, line)| {
            let trimmed = line.trim_start();
            let first = trimmed.split_whitespace().next()?;
            (!first.starts_with('#')
                && !first.starts_with('.')
                && first
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-' || c == '_' || c == '.'))
            .then(|| (i, first.to_string()))
        })
        .collect()
}

fn section_headers(lines: &[&str]) -> Vec<(usize, &'static str)> {
    const KINDS: &[&str] = &["global", "defaults", "frontend", "backend", "listen"];
    lines
        .iter()
        .enumerate()
        .filter_map(|(i, line)| {
            let first = line.split_whitespace().next()?;
            KINDS.iter().find(|k| **k == first).map(|k| (i, *k))
        })
        .collect()
}

fn join(lines: &[String], original: &str) -> String {
    let eol = if original.contains("\r\n") {
        "\r\n"
    } else {
        "\n"
    };
    let mut text = lines.join(eol);
    text.push_str(eol);
    text
}

/// Up to two mutations of each kind of one accepted file.
fn mutations(name: &str, text: &str, rng: &mut Lcg) -> Vec<(String, String)> {
    let lines: Vec<&str> = text.lines().collect();
    let headers = section_headers(&lines);
    let words = keyword_lines(&lines);
    let mut out = Vec::new();
    let owned = || lines.iter().map(|l| l.to_string()).collect::<Vec<String>>();

    // A keyword misspelled: two letters swapped, or one dropped.
    let body: Vec<&(usize, String)> = words
        .iter()
        .filter(|(i, w)| !headers.iter().any(|(h, _)| h == i) && w.len() > 3)
        .collect();
    for _ in 0..3 {
        if body.is_empty() {
            break;
        }
        let (at, word) = body[rng.next() % body.len()];
        let chars: Vec<char> = word.chars().collect();
        let cut = 1 + rng.next() % (chars.len() - 2);
        let misspelled: String = if rng.next().is_multiple_of(2) {
            let mut swapped = chars.clone();
            swapped.swap(cut, cut + 1);
            swapped.into_iter().collect()
        } else {
            chars
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != cut)
                .map(|(_, c)| c)
                .collect()
        };
        if misspelled == *word {
            continue;
        }
        let mut changed = owned();
        changed[*at] = lines[*at].replacen(word.as_str(), &misspelled, 1);
        out.push((
            format!(
                "{name} [misspelled `{word}` as `{misspelled}` on line {}]",
                at + 1
            ),
            join(&changed, text),
        ));
    }

    // A removed keyword inserted after a section header.
    const REMOVED_PROXY: &[&str] = &[
        "reqadd X-Mutation:\\ 1",
        "block if TRUE",
        "option forceclose",
        "clitimeout 10s",
        "redispatch",
        "monitor-net 10.0.0.0/8",
    ];
    const REMOVED_GLOBAL: &[&str] = &["nbproc 2", "tune.chksize 1024"];
    let proxies: Vec<&(usize, &str)> = headers
        .iter()
        .filter(|(_, k)| matches!(*k, "frontend" | "backend" | "listen"))
        .collect();
    for _ in 0..3 {
        let global = headers.iter().find(|(_, k)| *k == "global");
        let (at, line) = match (global, rng.next() % 3) {
            (Some((g, _)), 0) => (*g, REMOVED_GLOBAL[rng.next() % REMOVED_GLOBAL.len()]),
            _ if !proxies.is_empty() => (
                proxies[rng.next() % proxies.len()].0,
                REMOVED_PROXY[rng.next() % REMOVED_PROXY.len()],
            ),
            _ => continue,
        };
        let mut changed = owned();
        changed.insert(at + 1, format!("    {line}"));
        out.push((
            format!("{name} [inserted `{line}` after line {}]", at + 1),
            join(&changed, text),
        ));
    }

    // A duration broken.
    let timeouts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            let mut w = l.split_whitespace();
            w.next() == Some("timeout")
                && w.nth(1)
                    .is_some_and(|v| v.chars().next().is_some_and(|c| c.is_ascii_digit()))
        })
        .map(|(i, _)| i)
        .collect();
    for _ in 0..3 {
        if timeouts.is_empty() {
            break;
        }
        let at = timeouts[rng.next() % timeouts.len()];
        let value = lines[at].split_whitespace().nth(2).unwrap_or("");
        let broken = match rng.next() % 3 {
            0 => format!("{value}x"),
            1 => "1.5s".to_string(),
            _ => format!(
                "{}sec",
                value.trim_end_matches(|c: char| c.is_ascii_alphabetic())
            ),
        };
        let mut changed = owned();
        changed[at] = lines[at].replacen(value, &broken, 1);
        out.push((
            format!(
                "{name} [duration `{value}` → `{broken}` on line {}]",
                at + 1
            ),
            join(&changed, text),
        ));
    }

    // A backend reference broken.
    let routes: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            let mut w = l.split_whitespace();
            matches!(w.next(), Some("use_backend" | "default_backend"))
                && w.next()
                    .is_some_and(|n| !n.contains('%') && !n.contains('$'))
        })
        .map(|(i, _)| i)
        .collect();
    for _ in 0..3 {
        if routes.is_empty() {
            break;
        }
        let at = routes[rng.next() % routes.len()];
        let target = lines[at].split_whitespace().nth(1).unwrap_or("");
        let mut changed = owned();
        changed[at] = lines[at].replacen(target, &format!("{target}_gone"), 1);
        out.push((
            format!(
                "{name} [reference `{target}` → `{target}_gone` on line {}]",
                at + 1
            ),
            join(&changed, text),
        ));
    }
    out
}

fn haproxy_accepts(text: &str, scratch: &Path, index: usize) -> Option<bool> {
    let file = scratch.join(format!("m{index}.cfg"));
    std::fs::write(&file, text).ok()?;
    let output = Command::new("timeout")
        .args(["20", "haproxy", "-c", "-dr", "-f"])
        .arg(&file)
        .output()
        .ok()?;
    // 0: valid; 2: valid but nothing to start (no listener); 1: rejected.
    match output.status.code() {
        Some(0 | 2) => Some(true),
        Some(1) => Some(false),
        _ => None,
    }
}

#[test]
fn haplint_agrees_with_haproxy_2_6() {
    let required = std::env::var_os("HAPLINT_REQUIRE_TOOLS").is_some();
    let has_haproxy = Command::new("haproxy")
        .arg("-v")
        .output()
        .is_ok_and(|o| o.status.success());
    if !Path::new(CORPUS).is_dir() {
        eprintln!("skipped: the shared corpus is not beside this checkout (../shared/corpus)");
        return;
    }
    if !has_haproxy {
        assert!(
            !required,
            "haproxy is required (HAPLINT_REQUIRE_TOOLS is set)"
        );
        eprintln!("skipped: haproxy is not installed");
        return;
    }
    let (mut cases, bases) = corpus_cases();
    let corpus_count = cases.len();
    let scratch: PathBuf =
        std::env::temp_dir().join(format!("haplint-agreement-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let mut rng = Lcg(0x5eed_2026);
    let mut generated = 0;
    for (name, text) in &bases {
        // The base must pass here too (a relative path in it may not resolve
        // from the scratch folder): then only the mutation can make it fail.
        if haproxy_accepts(text, &scratch, usize::MAX) != Some(true) {
            continue;
        }
        for (label, mutated) in mutations(name, text, &mut rng) {
            if let Some(accepted) = haproxy_accepts(&mutated, &scratch, generated) {
                cases.push(Case {
                    name: label,
                    text: mutated,
                    accepted,
                });
                generated += 1;
            }
        }
    }
    let _ = std::fs::remove_dir_all(&scratch);

    let (mut rejected, mut caught, mut accepted, mut quiet) = (0, 0, 0, 0);
    let mut missed = Vec::new();
    let mut false_alarms = Vec::new();
    for case in &cases {
        let errors = haplint_errors(&case.text);
        if case.accepted {
            accepted += 1;
            if errors.is_empty() {
                quiet += 1;
            } else {
                false_alarms.push(format!("{}: {}", case.name, errors.join(" | ")));
            }
        } else {
            rejected += 1;
            if errors.is_empty() {
                missed.push(case.name.clone());
            } else {
                caught += 1;
            }
        }
    }
    let recall = caught as f64 / rejected.max(1) as f64;
    let precision = quiet as f64 / accepted.max(1) as f64;
    println!("configurations: {corpus_count} from the corpus + {generated} mutations");
    println!(
        "recall:    {caught}/{rejected} = {:.1}% (haproxy rejects, haplint reports an error)",
        recall * 100.0
    );
    println!(
        "precision: {quiet}/{accepted} = {:.1}% (haproxy accepts, haplint reports no error)",
        precision * 100.0
    );
    println!("missed ({}):", missed.len());
    for name in &missed {
        println!("  {name}");
    }
    println!("false alarms ({}):", false_alarms.len());
    for alarm in &false_alarms {
        println!("  {alarm}");
    }
    assert!(
        generated >= 500,
        "only {generated} mutations could be judged by haproxy"
    );
    assert!(recall >= 0.95, "recall {:.1}% < 95%", recall * 100.0);
    assert!(
        precision >= 0.99,
        "precision {:.1}% < 99%",
        precision * 100.0
    );
}
