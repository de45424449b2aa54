//! Agreement with the four real haproxys (2.6, 3.0, 3.2, 3.4; `tools/oracle/install`),
//! measured on the shared corpus (`../shared/corpus`) as stored: no mutations.
//!
//! Each oracle runs `haproxy -c -dr -f FILE` on every corpus file (templates left
//! out) and haplint checks the same bytes with `--haproxy-version SERIES`.
//! `-dr` turns an unresolvable server address into a warning, so a file that only
//! names hosts this machine cannot resolve is still judged; those warnings are
//! environment-only and excluded like the rest (below). Reg-test blocks need their
//! harness macros: they are given values on a scratch copy (`fd@${fe1}` →
//! a loopback address, `${s1_addr}`/`${s1_port}` → 127.0.0.1 and a port,
//! `${testdir}`/`${tmpdir}` → an empty scratch folder), and haplint reads that copy.
//!
//! Rejections that come from the machine, not the configuration, are left out by
//! a written rule: a rejected file is excluded when one of its ALERTs matches a
//! pattern of `rules/keywords/oracle/environment.tsv` (missing certificate, CA,
//! CRL, map, errorfile or Lua file, unknown user/group, missing SPOE config,
//! build features…); WARNING lines matching its WARNING patterns are left out of
//! the warning figure.
//!
//! Figures per series: recall = configuration-caused rejections on which haplint
//! reports an error; false errors = accepted configurations on which haplint
//! reports an error; warning recall = haproxy WARNING lines (file:line) on which
//! haplint reports a finding of any severity on that same line. The test prints
//! the table, what was excluded and every disagreement, and holds the figures
//! at the floors in `FLOORS`. `tools/agreement` runs it.

// Test helpers may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::messages::{EnvPattern, Level, Message, environment_patterns, parse_messages};

use haplint::finding::Severity;
use haplint::source::SourceSet;
use haplint::version::Version;
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The floors, one row per series: (series, recall % at least, false errors at
/// most, warning recall % at least). Raise them when the figures rise.
const FLOORS: [(&str, f64, usize, f64); 4] = [
    ("2.6", 100.0, 0, 95.8),
    ("3.0", 100.0, 0, 100.0),
    ("3.2", 100.0, 0, 97.9),
    ("3.4", 100.0, 0, 100.0),
];

/// Where the corpus is looked for: `HAPLINT_CORPUS`, else `../shared/corpus`
/// beside this checkout (or beside the folder of worktrees holding it).
fn corpus_dir() -> Option<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::env::var_os("HAPLINT_CORPUS")
        .map(PathBuf::from)
        .into_iter()
        .chain([
            root.join("../shared/corpus"),
            root.join("../../shared/corpus"),
        ])
        .find(|dir| dir.join("dev/MANIFEST.tsv").is_file())
}

/// Seconds one `haproxy -c` may take.
const ORACLE_TIMEOUT: &str = "20";

/// One corpus file, ready to be judged: its scratch copy and the text haplint reads.
struct CorpusFile {
    name: String,
    path: PathBuf,
    text: String,
}

const WARNINGS: &str = "rules/keywords/oracle/warnings.tsv";

/// The WARNING classes of `warnings.tsv`: (fragments, what haplint does).
fn warning_classes() -> Vec<(Vec<String>, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(WARNINGS);
    let text = std::fs::read_to_string(&path).unwrap();
    let known: Vec<&str> = haplint::rules::all_ids().collect();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert!(
                cols.len() >= 3,
                "{WARNINGS}: at least three columns in {line:?}"
            );
            let haplint = cols[2].to_string();
            assert!(
                haplint == "-" || haplint == "environment" || known.contains(&haplint.as_str()),
                "{WARNINGS}: `{haplint}` is no rule"
            );
            (cols[1].split('*').map(str::to_string).collect(), haplint)
        })
        .collect()
}

fn fragments_match(fragments: &[String], text: &str) -> bool {
    let mut rest = text;
    for fragment in fragments {
        match rest.find(fragment.as_str()) {
            Some(at) => rest = &rest[at + fragment.len()..],
            None => return false,
        }
    }
    true
}

/// haproxy's verdict on one file.
struct Verdict {
    /// Exit code: 0 valid, 2 valid with nothing to start, 1 rejected.
    code: Option<i32>,
    messages: Vec<Message>,
}

/// haplint's findings on one file: (line, severity, rule, message).
type Findings = Vec<(u32, Severity, &'static str, String)>;

/// The message's class: quoted words, numbers and addresses blanked.
fn class_of(message: &Message) -> String {
    let mut out = String::new();
    let mut quote: Option<char> = None;
    let mut last_digit = false;
    for c in message.text.chars() {
        if let Some(q) = quote {
            if c == q {
                out.push('…');
                out.push(c);
                quote = None;
            }
            continue;
        }
        if c == '\'' || c == '"' {
            out.push(c);
            quote = Some(c);
            last_digit = false;
        } else if c.is_ascii_digit() {
            if !last_digit {
                out.push('N');
            }
            last_digit = true;
        } else {
            out.push(c);
            last_digit = false;
        }
    }
    if out.chars().count() > 150 {
        out = out.chars().take(150).collect::<String>() + "…";
    }
    let level = match message.level {
        Level::Alert => "ALERT",
        Level::Warning => "WARNING",
    };
    format!("{level} {out}")
}

fn manifest(corpus: &Path, folder: &str) -> Vec<BTreeMap<String, String>> {
    let text = std::fs::read_to_string(corpus.join(folder).join("MANIFEST.tsv")).unwrap();
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split('\t').collect();
    lines
        .map(|line| {
            header
                .iter()
                .zip(line.split('\t'))
                .map(|(h, v)| (h.to_string(), v.to_string()))
                .collect()
        })
        .collect()
}

/// Gives the reg-test harness macros values: `fd@${X}` → `127.0.0.1:PORT`,
/// `udp@${X}` → `udp@127.0.0.1:PORT`, `${X_addr}` → `127.0.0.1`,
/// `${X_port}` → PORT, `${testdir}` and `${tmpdir}` → `folder`. Every other
/// `${…}` (`${HAPROXY_TEST_TIMEOUT-5s}`…) is left for haproxy.
fn fill_macros(text: &str, folder: &Path) -> String {
    let mut ports: BTreeMap<String, u16> = BTreeMap::new();
    let mut port = |name: &str| {
        let next = 20000 + ports.len() as u16;
        *ports.entry(name.to_string()).or_insert(next)
    };
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("${") {
        let Some(end) = rest[at..].find('}') else {
            break;
        };
        let name = &rest[at + 2..at + end];
        let before = &rest[..at];
        let value = if name.ends_with("_addr") {
            out.push_str(before);
            Some("127.0.0.1".to_string())
        } else if let Some(head) = before.strip_suffix("fd@") {
            out.push_str(head);
            Some(format!("127.0.0.1:{}", port(name)))
        } else if before.ends_with("udp@") {
            out.push_str(before);
            Some(format!("127.0.0.1:{}", port(name)))
        } else {
            out.push_str(before);
            if name == "testdir" || name == "tmpdir" {
                Some(folder.to_string_lossy().into_owned())
            } else if name.ends_with("_addr") {
                Some("127.0.0.1".to_string())
            } else {
                name.strip_suffix("_port")
                    .map(|stem| port(stem).to_string())
            }
        };
        match value {
            Some(v) => out.push_str(&v),
            None => out.push_str(&rest[at..=at + end]),
        }
        rest = &rest[at + end + 1..];
    }
    out.push_str(rest);
    out
}

/// The corpus files copied to `scratch` (reg-tests with their macros filled),
/// templates left out.
fn corpus_files(corpus: &Path, scratch: &Path) -> Vec<CorpusFile> {
    let testdir = scratch.join("testdir");
    std::fs::create_dir_all(&testdir).unwrap();
    let mut files = Vec::new();
    for folder in ["dev", "regtests"] {
        std::fs::create_dir_all(scratch.join(folder)).unwrap();
        for row in manifest(corpus, folder) {
            if row.get("category").map(String::as_str) == Some("template") {
                continue;
            }
            let name = &row["file"];
            let bytes = std::fs::read(corpus.join(folder).join(name)).unwrap();
            let bytes = if folder == "regtests" {
                fill_macros(&String::from_utf8_lossy(&bytes), &testdir).into_bytes()
            } else {
                bytes
            };
            let path = scratch.join(folder).join(name);
            std::fs::write(&path, &bytes).unwrap();
            files.push(CorpusFile {
                name: format!("{folder}/{name}"),
                path,
                text: String::from_utf8_lossy(&bytes).into_owned(),
            });
        }
    }
    files
}

fn run_oracle(oracle: &Path, file: &CorpusFile, cwd: &Path) -> Verdict {
    let output = Command::new("timeout")
        .arg(ORACLE_TIMEOUT)
        .arg(oracle)
        .args(["-c", "-dr", "-f"])
        .arg(&file.path)
        .current_dir(cwd)
        .output()
        .unwrap();
    Verdict {
        code: output.status.code(),
        messages: parse_messages(&String::from_utf8_lossy(&output.stderr), &file.path),
    }
}

fn run_haplint(file: &CorpusFile, series: &str) -> Findings {
    let mut sources = SourceSet::new();
    sources.add(
        file.name.clone(),
        Some(file.path.clone()),
        file.text.as_str(),
    );
    // The corpus's templates are left out by its manifest; reg-test macros
    // the harness leaves for haproxy are not template markup.
    let options = haplint::Options {
        target: Version::parse(series).unwrap(),
        ignore: vec!["template".to_string()],
        ..Default::default()
    };
    let report = haplint::check(sources, &options);
    report
        .active()
        .map(|f| {
            (
                common::line_of(&report, f),
                f.severity,
                f.finding.rule,
                f.finding.message.clone(),
            )
        })
        .collect()
}

/// The figures of one series, and what makes them.
#[derive(Default)]
struct Tally {
    accepted: usize,
    false_errors: Vec<String>,
    rejected: usize,
    missed: Vec<String>,
    excluded: BTreeMap<String, Vec<String>>,
    unjudged: Vec<String>,
    warnings: usize,
    warned: usize,
    missed_warnings: Vec<String>,
    env_warnings: usize,
    unlocated_warnings: usize,
}

impl Tally {
    fn recall(&self) -> f64 {
        100.0 * (self.rejected - self.missed.len()) as f64 / self.rejected.max(1) as f64
    }
    fn warning_recall(&self) -> f64 {
        100.0 * self.warned as f64 / self.warnings.max(1) as f64
    }
}

fn tally(files: &[CorpusFile], results: &[(Verdict, Findings)], env: &[EnvPattern]) -> Tally {
    let mut t = Tally::default();
    for (file, (verdict, findings)) in files.iter().zip(results) {
        let errors: Vec<String> = findings
            .iter()
            .filter(|f| f.1 == Severity::Error)
            .map(|(line, _, rule, msg)| format!("{line}: {rule}: {msg}"))
            .collect();
        let env_of = |m: &Message| env.iter().find(|p| p.matches(m));
        match verdict.code {
            Some(0 | 2) => {
                t.accepted += 1;
                if !errors.is_empty() {
                    t.false_errors.push(format!(
                        "{}\n        haplint: {}",
                        file.name,
                        errors.join("\n                 ")
                    ));
                }
            }
            Some(1) => {
                let env_alert = verdict
                    .messages
                    .iter()
                    .filter(|m| m.level == Level::Alert)
                    .find_map(|m| env_of(m).map(|p| (p, m)));
                if let Some((pattern, message)) = env_alert {
                    t.excluded
                        .entry(pattern.reason.clone())
                        .or_default()
                        .push(format!(
                            "{}:{} {}",
                            file.name,
                            message.line.unwrap_or(0),
                            message.text
                        ));
                } else {
                    t.rejected += 1;
                    if errors.is_empty() {
                        let first = verdict
                            .messages
                            .iter()
                            .find(|m| m.level == Level::Alert)
                            .map_or(String::new(), |m| {
                                format!("line {}: {}", m.line.unwrap_or(0), m.text)
                            });
                        t.missed
                            .push(format!("{}\n        haproxy: {first}", file.name));
                    }
                }
            }
            other => t.unjudged.push(format!("{} (exit {other:?})", file.name)),
        }
        let mut lines = BTreeMap::new();
        for m in verdict
            .messages
            .iter()
            .filter(|m| m.level == Level::Warning)
        {
            if env_of(m).is_some() {
                t.env_warnings += 1;
                continue;
            }
            match m.line {
                Some(line) => {
                    lines.entry(line).or_insert(m);
                }
                None => t.unlocated_warnings += 1,
            }
        }
        for (line, m) in lines {
            t.warnings += 1;
            if findings.iter().any(|f| f.0 == line) {
                t.warned += 1;
            } else {
                t.missed_warnings
                    .push(format!("{}:{line}\n        haproxy: {}", file.name, m.text));
            }
        }
    }
    t
}

#[test]
fn haplint_agrees_with_the_four_oracles_on_the_corpus() {
    const TEST: &str = "agreement";
    let Some(corpus) = corpus_dir() else {
        common::needs_tool(
            TEST,
            "the shared corpus (../shared/corpus or HAPLINT_CORPUS)",
        );
        return;
    };
    let oracles = common::oracles(TEST);
    if oracles.len() < common::ORACLE_SERIES.len() {
        return;
    }
    let env = environment_patterns();
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("agreement");
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();
    let files = corpus_files(&corpus, &scratch);
    let cwd = scratch.join("testdir");

    // Every (series, file) pair, two at a time: the oracle, then haplint.
    let jobs: Vec<(usize, usize)> = (0..oracles.len())
        .flat_map(|s| (0..files.len()).map(move |f| (s, f)))
        .collect();
    let next = AtomicUsize::new(0);
    let results: Mutex<BTreeMap<(usize, usize), (Verdict, Findings)>> = Mutex::new(BTreeMap::new());
    std::thread::scope(|scope| {
        for _ in 0..2 {
            scope.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(s, f)) = jobs.get(i) else { break };
                    let (series, oracle) = &oracles[s];
                    let verdict = run_oracle(oracle, &files[f], &cwd);
                    let findings = run_haplint(&files[f], series);
                    results.lock().unwrap().insert((s, f), (verdict, findings));
                }
            });
        }
    });
    let mut results = results.into_inner().unwrap();

    let mut tallies = Vec::new();
    let mut classes: BTreeMap<String, BTreeSet<&str>> = BTreeMap::new();
    let inventory = warning_classes();
    let mut untriaged: BTreeSet<String> = BTreeSet::new();
    for (s, (series, _)) in oracles.iter().enumerate() {
        let per_file: Vec<(Verdict, Findings)> = (0..files.len())
            .map(|f| results.remove(&(s, f)).unwrap())
            .collect();
        for (verdict, _) in &per_file {
            for m in &verdict.messages {
                classes.entry(class_of(m)).or_default().insert(series);
                if m.level == Level::Warning
                    && !inventory
                        .iter()
                        .any(|(fragments, _)| fragments_match(fragments, &m.text))
                {
                    untriaged.insert(format!("haproxy {series}: {}", m.text));
                }
            }
        }
        tallies.push((*series, tally(&files, &per_file, &env)));
    }
    let _ = std::fs::remove_dir_all(&scratch);

    println!(
        "corpus: {} files as stored (templates left out)",
        files.len()
    );
    for (series, t) in &tallies {
        println!("\n=== haproxy {series} ===");
        println!(
            "excluded (environment): {} files",
            t.excluded.values().map(Vec::len).sum::<usize>()
        );
        for (reason, list) in &t.excluded {
            println!("  {reason}: {}", list.len());
            for item in list {
                println!("    {item}");
            }
        }
        println!("environment-only warnings left out: {}", t.env_warnings);
        println!(
            "warnings without a line (not counted): {}",
            t.unlocated_warnings
        );
        if !t.unjudged.is_empty() {
            println!("not judged (timeout or crash): {:?}", t.unjudged);
        }
        println!("false errors ({}):", t.false_errors.len());
        for item in &t.false_errors {
            println!("  {item}");
        }
        println!("missed rejections ({}):", t.missed.len());
        for item in &t.missed {
            println!("  {item}");
        }
        println!("missed warnings ({}):", t.missed_warnings.len());
        for item in &t.missed_warnings {
            println!("  {item}");
        }
    }
    println!("\nmessage classes (series that print them):");
    for (class, series) in &classes {
        println!(
            "  [{}] {class}",
            series.iter().copied().collect::<Vec<_>>().join(" ")
        );
    }

    println!(
        "\n| haproxy | rejected (config) | haplint error | recall | accepted | false errors | \
        excluded (env) | WARNING lines | haplint finding | warning recall |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|");
    for (series, t) in &tallies {
        println!(
            "| {series} | {} | {} | {:.1}% | {} | {} | {} | {} | {} | {:.1}% |",
            t.rejected,
            t.rejected - t.missed.len(),
            t.recall(),
            t.accepted,
            t.false_errors.len(),
            t.excluded.values().map(Vec::len).sum::<usize>(),
            t.warnings,
            t.warned,
            t.warning_recall(),
        );
    }

    assert!(
        untriaged.is_empty(),
        "WARNING classes missing from {WARNINGS} (add each with the rule that reports it, or why \
        none does): {untriaged:#?}"
    );
    let mut failures = Vec::new();
    for (series, t) in &tallies {
        assert!(t.unjudged.len() < 5, "haproxy {series}: {:?}", t.unjudged);
        let &(_, recall, false_errors, warning_recall) =
            FLOORS.iter().find(|f| f.0 == *series).unwrap();
        if t.recall() + 1e-9 < recall {
            failures.push(format!("{series}: recall {:.1}% < {recall}%", t.recall()));
        }
        if t.false_errors.len() > false_errors {
            failures.push(format!(
                "{series}: {} false errors > {false_errors}",
                t.false_errors.len()
            ));
        }
        if t.warning_recall() + 1e-9 < warning_recall {
            failures.push(format!(
                "{series}: warning recall {:.1}% < {warning_recall}%",
                t.warning_recall()
            ));
        }
    }
    assert!(failures.is_empty(), "below the floors: {failures:#?}");
}

#[test]
fn harness_macros_get_values() {
    let folder = Path::new("/scratch");
    let text = concat!(
        "bind \"fd@${fe1}\"\n",
        "log udp@${Slg1_addr}:${Slg1_port} local0\n",
        "server s1 ${s1_addr}:${s1_port}\n",
        "lua-load ${testdir}/a.lua\n",
        "timeout client \"${HAPROXY_TEST_TIMEOUT-5s}\"\n",
        "bind udp@${fe2}\n"
    );
    assert_eq!(
        fill_macros(text, folder),
        "bind \"127.0.0.1:20000\"\nlog udp@127.0.0.1:20001 local0\nserver s1 \
        127.0.0.1:20002\nlua-load /scratch/a.lua\ntimeout client \
        \"${HAPROXY_TEST_TIMEOUT-5s}\"\nbind udp@127.0.0.1:20003\n"
    );
}

#[test]
fn environment_patterns_match_what_they_say() {
    let env = environment_patterns();
    let alert = |text: &str| Message {
        level: Level::Alert,
        line: Some(1),
        text: text.to_string(),
    };
    let excluded = |text: &str| env.iter().any(|p| p.matches(&alert(text)));
    assert!(excluded(
        "'bind' : invalid address: 'haproxy' in 'haproxy:80'"
    ));
    assert!(excluded("log : invalid address: 'rsyslog' in 'rsyslog'"));
    assert!(!excluded(
        "'bind' : invalid address: 'quic+127.0.0.1' in 'quic+127.0.0.1:20000'"
    ));
    assert!(!excluded(
        "log : invalid address: 'backend@mylog-tcp' in 'backend@mylog-tcp'"
    ));
    assert!(excluded(
        "'bind :443' in section 'frontend' : unable to stat SSL certificate from file 'a.pem' : No \
        such file or directory."
    ));
    assert!(!excluded(
        "unknown keyword 'frobnicate' in 'frontend' section"
    ));
}
