//! Where people touch haplint first: `fix -i` answers, man pages, shell
//! completions, the `internal-error` entry, manual links, fix summaries.

// Test helpers may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::{haplint, in_terminal, needs_tool, stdout, tool_runs};
use std::fs;
use std::path::PathBuf;

const FIXTURE: &str = "tests/fixtures/fix/crlf-tabs.cfg";
const SELECT: &str = "server-close-defeats-reuse,ssl-verify-none";

fn scratch(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("haplint-surface-{tag}-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    let path = dir.join("haproxy.cfg");
    fs::copy(FIXTURE, &path).unwrap();
    path
}

/// Run `fix -i` in a terminal (`script`), feeding `answers`; returns the
/// screen and the file afterwards. None when `script` is missing (and
/// allowed to be).
fn interactive(tag: &str, extra: &str, answers: &str) -> Option<(String, String)> {
    if !tool_runs("script", "--version") {
        needs_tool(tag, "`script` (util-linux) to give haplint a terminal");
        return None;
    }
    let path = scratch(tag);
    let command = format!(
        "{} fix -i --no-config --select {SELECT} {extra} {}",
        env!("CARGO_BIN_EXE_haplint"),
        path.display()
    );
    let screen = in_terminal(&command, answers.as_bytes());
    let fixed = fs::read_to_string(&path).unwrap();
    fs::remove_dir_all(path.parent().unwrap()).ok();
    Some((screen, fixed))
}

#[test]
fn fix_i_asks_again_until_the_answer_is_a_documented_one() {
    let Some((screen, fixed)) =
        interactive("unknown-answers", "--unsafe-fixes", "x\n\nyes\ns\na\n")
    else {
        return;
    };
    assert!(screen.contains("`x` is not an answer"), "{screen}");
    assert!(screen.contains("no answer"), "{screen}");
    assert!(screen.contains("`yes` is not an answer"), "{screen}");
    assert!(
        screen.contains("a = apply this fix, s = skip it"),
        "{screen}"
    );
    // The why keeps the doc's line breaks: continuation lines sit under the label.
    let why = screen.split("  why: ").nth(1).expect("a why is shown");
    let second = why.lines().nth(1).unwrap_or("");
    assert!(
        second.starts_with("       ") && !second.trim().is_empty(),
        "{why}"
    );
    // The first fix was skipped only when `s` came; the second applied.
    assert!(fixed.contains("option http-server-close"), "{fixed}");
    assert!(fixed.contains("ssl verify required"), "{fixed}");
}

#[test]
fn fix_i_offers_unsafe_fixes_only_with_the_flag() {
    let Some((screen, fixed)) = interactive("no-unsafe", "", "a\na\na\n") else {
        return;
    };
    assert!(
        !fixed.contains("ssl verify required"),
        "an unsafe fix was applied without --unsafe-fixes:\n{screen}"
    );
    assert!(
        screen.contains("not offered: add --unsafe-fixes"),
        "{screen}"
    );
    assert!(!screen.contains("(unsafe"), "{screen}");
    assert!(screen.contains("nothing changed"), "{screen}");
}

/// The page without what changes with every release (version, date).
fn stable_page(text: &str) -> String {
    text.lines()
        .filter(|l| {
            !l.starts_with(".TH") && !l.starts_with("v0.") && !l.contains(env!("CARGO_PKG_VERSION"))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn man_pages_exist_for_the_tool_and_every_subcommand() {
    let page = haplint(&["man", "fix"]);
    assert_eq!(page.status.code(), Some(0));
    let text = stdout(&page);
    for section in [
        ".SH NAME",
        ".SH SYNOPSIS",
        ".SH OPTIONS",
        ".SH \"EXIT STATUS\"",
        ".SH FILES",
        ".SH EXAMPLES",
    ] {
        assert!(text.contains(section), "{section} missing:\n{text}");
    }
    insta::assert_snapshot!("man_fix", stable_page(&text));

    let check = stdout(&haplint(&["man", "check"]));
    assert!(check.contains("haplint\\-check"), "{check}");
    assert!(
        check.contains("ssl\\-verify\\-none"),
        "the rule list is in the check page"
    );

    let dir = std::env::temp_dir().join(format!("haplint-man-{}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    let written = haplint(&["man", "--dir", dir.to_str().unwrap()]);
    assert_eq!(written.status.code(), Some(0));
    for name in [
        "haplint",
        "haplint-check",
        "haplint-fix",
        "haplint-tune",
        "haplint-explain-log",
        "haplint-man",
    ] {
        let path = dir.join(format!("{name}.1"));
        let page =
            fs::read_to_string(&path).unwrap_or_else(|_| panic!("{} missing", path.display()));
        assert!(page.starts_with(".ie") || page.contains(".TH"), "{name}");
    }
    fs::remove_dir_all(&dir).ok();

    let unknown = haplint(&["man", "nope"]);
    assert_eq!(unknown.status.code(), Some(2));
}

#[test]
fn completions_offer_rule_ids_and_versions() {
    let rules = stdout(&haplint(&["rules", "--format", "json"]));
    let ids: Vec<String> = serde_json::from_str::<serde_json::Value>(&rules)
        .unwrap()
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert!(ids.len() > 20, "{rules}");
    for shell in ["bash", "zsh", "fish"] {
        let script = stdout(&haplint(&["completions", shell]));
        for id in &ids {
            assert!(script.contains(id.as_str()), "{shell}: no {id}");
        }
        assert!(script.contains("3.2"), "{shell}: no versions");
    }
    // bash: the --select and --haproxy-version cases offer words, not file names.
    let bash = stdout(&haplint(&["completions", "bash"]));
    let select = bash.split("--select)").nth(1).unwrap();
    let first_case = select.split(";;").next().unwrap();
    assert!(first_case.contains("ssl-verify-none"), "{first_case}");
    assert!(!first_case.contains("compgen -f"), "{first_case}");
}

#[test]
fn internal_error_is_explained_and_described_in_sarif() {
    let explained = haplint(&["explain", "internal-error"]);
    assert_eq!(explained.status.code(), Some(0));
    assert!(stdout(&explained).contains("defect in haplint"));

    let sarif = haplint(&[
        "check",
        "--no-config",
        "--format",
        "sarif",
        "examples/web.cfg",
    ]);
    let value: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
    let rules = value["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .unwrap();
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        assert!(
            rule["fullDescription"]["text"]
                .as_str()
                .is_some_and(|t| !t.is_empty()),
            "{id} has no fullDescription"
        );
        assert!(rule["help"]["text"].as_str().is_some(), "{id} has no help");
    }
    assert!(rules.iter().any(|r| r["id"] == "internal-error"));
}

#[test]
fn manual_links_follow_the_target_version() {
    for version in ["2.6", "3.0"] {
        let sarif = haplint(&[
            "check",
            "--no-config",
            "--haproxy-version",
            version,
            "--format",
            "sarif",
            "examples/alb-chain.cfg",
        ]);
        let value: serde_json::Value = serde_json::from_slice(&sarif.stdout).unwrap();
        let rules = value["runs"][0]["tool"]["driver"]["rules"]
            .as_array()
            .unwrap();
        let linked: Vec<&str> = rules
            .iter()
            .filter_map(|r| r["helpUri"].as_str())
            .filter(|u| u.contains("configuration.html"))
            .collect();
        assert!(!linked.is_empty());
        for uri in linked {
            assert!(
                uri.contains(&format!("/{version}/configuration.html")),
                "{uri}"
            );
        }
    }
}

#[test]
fn the_fix_summary_mentions_left_fixes_only_when_some_are_left() {
    let path = scratch("summary");
    let output = haplint(&[
        "check",
        "--no-config",
        "--select",
        SELECT,
        "--fix",
        "--unsafe-fixes",
        path.to_str().unwrap(),
    ]);
    let said = String::from_utf8_lossy(&output.stderr);
    assert!(said.contains("applied 2 fixes"), "{said}");
    assert!(!said.contains("could not be applied"), "{said}");
    assert!(!said.contains("waited for a later pass"), "{said}");
    fs::remove_dir_all(path.parent().unwrap()).ok();
}

#[test]
fn messages_say_an_unsafe_fix() {
    fn walk(dir: &std::path::Path, offenders: &mut Vec<String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, offenders);
            } else if fs::read_to_string(&path).is_ok_and(|t| t.contains("a unsafe")) {
                offenders.push(path.display().to_string());
            }
        }
    }
    let mut offenders = Vec::new();
    for dir in ["src", "rules"] {
        walk(std::path::Path::new(dir), &mut offenders);
    }
    assert!(offenders.is_empty(), "write `an unsafe`: {offenders:?}");
}

#[test]
fn the_readme_rule_table_is_the_catalog() {
    let table = stdout(&haplint(&["rules", "--format", "markdown"]));
    let readme = fs::read_to_string("README.md").unwrap();
    assert!(
        readme.contains(&table),
        "README.md's rule table differs from `haplint rules --format markdown`; paste this \
        in:\n{table}"
    );
}
