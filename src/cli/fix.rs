//! `check --fix`, `check --diff`, `fix` and `fix -i`: applying fixes to files.

use super::{CheckArgs, FixCommandArgs, write_stdout};
use crate::error::Error;
use crate::finding::Applicability;
use crate::fix::{self, verify};
use crate::source::{FileId, SourceSet};
use crate::{FixOutcome, Options, Reported, check, fix_sources, with_texts};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// `check --fix` / `check --diff` (and `fix` without -i).
pub(super) fn run_fixes(
    args: &CheckArgs,
    options: &Options,
    sources: SourceSet,
) -> Result<ExitCode, Error> {
    let include_unsafe = args.fixing.unsafe_fixes;
    let outcome = fix_sources(&sources, options, &mut |f| {
        f.finding
            .fix
            .as_ref()
            .is_some_and(|fix| fix::allowed(fix, include_unsafe))
    });
    if !outcome.converged {
        return Err(Error::Verify(format!(
            "fixes did not settle after {} passes; nothing was written \
                (this is a haplint bug, please report it)",
            crate::MAX_FIX_ROUNDS
        )));
    }
    if args.fixing.verify {
        verify_outcome(args, options, &sources, &outcome)?;
    }
    // Fixes still offered after fixing are the ones really left (overlapping
    // fixes deferred to a later pass were applied there).
    let after = check(with_texts(&sources, &outcome.texts), options);
    let left = after
        .active()
        .filter(|f| {
            f.finding
                .fix
                .as_ref()
                .is_some_and(|fix| fix::allowed(fix, include_unsafe))
        })
        .count();
    if args.fixing.diff {
        let mut text = String::new();
        for (id, fixed) in &outcome.texts {
            if let Some(file) = sources.get(*id) {
                text.push_str(&fix::diff::unified(&file.name, &file.text, fixed));
            }
        }
        write_stdout(&text)?;
        eprintln!("{}", summary(&outcome, include_unsafe, false, left));
        return Ok(if outcome.texts.is_empty() {
            ExitCode::SUCCESS
        } else {
            ExitCode::from(1)
        });
    }
    write_files(&sources, &outcome.texts)?;
    eprintln!("{}", summary(&outcome, include_unsafe, true, left));
    // What is left after fixing decides the exit code, as for a plain check.
    let only_stdin = sources.files().iter().all(|f| f.path.is_none());
    if only_stdin {
        let text: String = after
            .sources
            .files()
            .iter()
            .map(|f| f.text.to_string())
            .collect();
        write_stdout(&text)?;
    } else {
        super::emit(&after, args)?;
    }
    Ok(if after.has_internal_error() {
        ExitCode::from(2)
    } else if after.fails(args.fail_on.severity()) {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn summary(outcome: &FixOutcome, include_unsafe: bool, written: bool, left: usize) -> String {
    if outcome.applied == 0 {
        let hint = if include_unsafe {
            ""
        } else {
            " (unsafe fixes were not applied: add --unsafe-fixes)"
        };
        return format!("no fix to apply{hint}");
    }
    let per_rule: Vec<String> = outcome
        .by_rule
        .iter()
        .map(|(rule, n)| format!("{rule} ×{n}"))
        .collect();
    let verb = if written { "applied" } else { "would apply" };
    let mut text = format!(
        "{verb} {} fix{} in {} file{} ({})",
        outcome.applied,
        if outcome.applied == 1 { "" } else { "es" },
        outcome.texts.len(),
        if outcome.texts.len() == 1 { "" } else { "s" },
        per_rule.join(", ")
    );
    if left > 0 {
        text.push_str(&format!(
            "; {left} fix{} could not be applied (they overlap others or no longer apply)",
            if left == 1 { "" } else { "es" }
        ));
    }
    text
}

fn write_files(sources: &SourceSet, texts: &BTreeMap<FileId, String>) -> Result<(), Error> {
    for (id, text) in texts {
        let Some(file) = sources.get(*id) else {
            continue;
        };
        if let Some(path) = &file.path {
            fix::write::write_atomic(path, &file.text, text)?;
        }
    }
    Ok(())
}

/// The directory relative paths in the configuration resolve from.
fn base_dir(sources: &SourceSet) -> PathBuf {
    sources
        .files()
        .iter()
        .find_map(|f| {
            f.path
                .as_ref()
                .and_then(|p| p.parent().map(Path::to_path_buf))
        })
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or_else(|| PathBuf::from("."))
}

/// The real haproxy, ready to judge versions of the sources (`--verify` of
/// both `check --fix` and `tune --write`).
pub(super) struct Checker<'a> {
    haproxy: PathBuf,
    base: PathBuf,
    sources: &'a SourceSet,
}

impl<'a> Checker<'a> {
    pub(super) fn new(explicit: Option<&Path>, sources: &'a SourceSet) -> Result<Self, Error> {
        let haproxy = verify::find_haproxy(explicit).ok_or_else(|| {
            Error::NoHaproxy(match explicit {
                Some(path) => format!("{} is not a file", path.display()),
                None => "no `haproxy` on PATH".to_string(),
            })
        })?;
        Ok(Checker {
            haproxy,
            base: base_dir(sources),
            sources,
        })
    }

    /// Every file as (name, text), with `texts` in place of the originals.
    pub(super) fn files(&self, texts: &BTreeMap<FileId, String>) -> Vec<(String, String)> {
        self.sources
            .files()
            .iter()
            .map(|f| {
                let text = texts
                    .get(&f.id)
                    .cloned()
                    .unwrap_or_else(|| f.text.to_string());
                (f.name.clone(), text)
            })
            .collect()
    }

    pub(super) fn run(&self, files: &[(String, String)]) -> Result<verify::Verdict, Error> {
        verify::check(&self.haproxy, files, &self.base)
            .map_err(|e| Error::Verify(format!("cannot run {}: {e}", self.haproxy.display())))
    }
}

fn verify_outcome(
    args: &CheckArgs,
    options: &Options,
    sources: &SourceSet,
    outcome: &FixOutcome,
) -> Result<(), Error> {
    let checker = Checker::new(args.fixing.haproxy.as_deref(), sources)?;
    let files_of = |texts: &BTreeMap<FileId, String>| checker.files(texts);
    let run = |files: &[(String, String)]| checker.run(files);
    let before = run(&files_of(&BTreeMap::new()))?;
    let after = run(&files_of(&outcome.texts))?;
    if !before.placeholders.is_empty() {
        eprintln!(
            "verify: stood in placeholders for {}",
            before.placeholders.join(", ")
        );
    }
    match (before.accepted, after.accepted) {
        (true, false) => {
            let culprits = culprits(args, options, sources, &run);
            let alerts: Vec<String> = after
                .alerts
                .iter()
                .map(|a| match (&a.file, a.line) {
                    (Some(file), Some(line)) => format!("{file}:{line}: {}", a.message),
                    _ => a.message.clone(),
                })
                .collect();
            Err(Error::Verify(format!(
                "haproxy accepts the original configuration but rejects the \
                    fixed one; nothing was written.\nfixes that break it: {}\
                    \nhaproxy says:\n  {}",
                if culprits.is_empty() {
                    "the combination of fixes".to_string()
                } else {
                    culprits.join(", ")
                },
                alerts.join("\n  ")
            )))
        }
        (false, _) => {
            eprintln!(
                "verify: haproxy already rejects the original configuration \
                    ({}); fixed configuration {}",
                before
                    .alerts
                    .first()
                    .map(|a| a.message.as_str())
                    .unwrap_or("no alert"),
                if after.accepted {
                    "is accepted"
                } else {
                    "is still rejected"
                }
            );
            Ok(())
        }
        (true, true) => {
            eprintln!("verify: haproxy -c accepts the fixed configuration");
            Ok(())
        }
    }
}

/// Runs `haproxy -c` on (name, text) files.
type HaproxyRun<'a> = dyn Fn(&[(String, String)]) -> Result<verify::Verdict, Error> + 'a;

/// Rules whose fixes alone make haproxy reject the configuration.
fn culprits(
    args: &CheckArgs,
    options: &Options,
    sources: &SourceSet,
    run: &HaproxyRun,
) -> Vec<String> {
    let include_unsafe = args.fixing.unsafe_fixes;
    let mut rules = BTreeSet::new();
    let report = check(with_texts(sources, &BTreeMap::new()), options);
    for reported in report.active() {
        if reported
            .finding
            .fix
            .as_ref()
            .is_some_and(|f| fix::allowed(f, include_unsafe))
        {
            rules.insert(reported.finding.rule);
        }
    }
    let mut bad = Vec::new();
    for rule in rules {
        let outcome = fix_sources(sources, options, &mut |f| {
            f.finding.rule == rule
                && f.finding
                    .fix
                    .as_ref()
                    .is_some_and(|fix| fix::allowed(fix, include_unsafe))
        });
        let files: Vec<(String, String)> = sources
            .files()
            .iter()
            .map(|f| {
                (
                    f.name.clone(),
                    outcome
                        .texts
                        .get(&f.id)
                        .cloned()
                        .unwrap_or_else(|| f.text.to_string()),
                )
            })
            .collect();
        if run(&files).is_ok_and(|v| !v.accepted) {
            bad.push(rule.to_string());
        }
    }
    bad
}

/// `haplint fix [-i]`.
pub(super) fn run_fix_command(args: &FixCommandArgs) -> Result<ExitCode, Error> {
    let options = super::options(&args.check)?;
    if !args.interactive {
        let mut check_args = args.check.clone();
        check_args.fixing.fix = !check_args.fixing.diff;
        let sources = crate::load::load(&super::inputs(&check_args)?)?;
        return run_fixes(&check_args, &options, sources);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Error::NotATerminal);
    }
    let sources = crate::load::load(&super::inputs(&args.check)?)?;
    if sources.files().iter().any(|f| f.path.is_none()) {
        return Err(Error::Usage(
            "interactive fixing needs files, not standard input".to_string(),
        ));
    }
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut prompt = |question: &str| -> Option<String> {
        print!("{question}");
        let _ = std::io::stdout().flush();
        let mut line = String::new();
        match input.read_line(&mut line) {
            Ok(0) | Err(_) => None,
            Ok(_) => Some(line.trim().to_lowercase()),
        }
    };
    let include_unsafe = args.check.fixing.unsafe_fixes;
    let texts = review(&sources, &options, include_unsafe, &mut prompt);
    if texts.is_empty() {
        println!("nothing changed");
        return Ok(ExitCode::SUCCESS);
    }
    let outcome = FixOutcome {
        texts,
        converged: true,
        ..FixOutcome::default()
    };
    if args.check.fixing.verify {
        verify_outcome(&args.check, &options, &sources, &outcome)?;
    }
    write_files(&sources, &outcome.texts)?;
    println!(
        "wrote {} file{}",
        outcome.texts.len(),
        if outcome.texts.len() == 1 { "" } else { "s" }
    );
    Ok(ExitCode::SUCCESS)
}

/// Identity of a finding across re-lints: rule, message and the text of its line.
fn identity(reported: &Reported, sources: &SourceSet) -> String {
    let span = reported.finding.primary.span;
    let line = sources
        .get(span.file)
        .map(|f| {
            let index = f.lines().line_of(span.start);
            let start = f.lines().line_start(index) as usize;
            let end = f.lines().line_start(index + 1) as usize;
            f.text.get(start..end.max(start)).unwrap_or("").to_string()
        })
        .unwrap_or_default();
    format!(
        "{}\u{0}{}\u{0}{}",
        reported.finding.rule, reported.finding.message, line
    )
}

/// The answers `fix -i` understands, as shown when an answer is not one of them.
const ANSWERS: &str = "a = apply this fix, s = skip it, r = apply every fix of this rule, q = quit";

/// What the reviewer answered, once it is one of the documented answers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Answer {
    Apply,
    Skip,
    ApplyRule,
    Quit,
}

impl Answer {
    fn parse(text: &str) -> Option<Answer> {
        match text.trim().to_ascii_lowercase().as_str() {
            "a" | "apply" => Some(Answer::Apply),
            "s" | "skip" => Some(Answer::Skip),
            "r" | "rule" => Some(Answer::ApplyRule),
            "q" | "quit" => Some(Answer::Quit),
            _ => None,
        }
    }
}

/// Ask until the answer is a documented one; the end of input quits.
fn ask(question: &str, prompt: &mut dyn FnMut(&str) -> Option<String>) -> Answer {
    let mut asked = question.to_string();
    loop {
        let Some(text) = prompt(&asked) else {
            return Answer::Quit;
        };
        if let Some(answer) = Answer::parse(&text) {
            return answer;
        }
        let shown = text.trim();
        let heard = if shown.is_empty() {
            "no answer".to_string()
        } else {
            format!("`{shown}` is not an answer")
        };
        asked = format!("{heard} ({ANSWERS}): ");
    }
}

/// Walk through the fixable findings one at a time, re-linting after each
/// change. Fixes that change behaviour are offered only with `--unsafe-fixes`,
/// as the help says. Returns the new texts of the files that changed.
pub(crate) fn review(
    sources: &SourceSet,
    options: &Options,
    include_unsafe: bool,
    prompt: &mut dyn FnMut(&str) -> Option<String>,
) -> BTreeMap<FileId, String> {
    let mut texts: BTreeMap<FileId, String> = BTreeMap::new();
    let mut declined: BTreeSet<String> = BTreeSet::new();
    let mut whole_rules: BTreeSet<&'static str> = BTreeSet::new();
    let mut unsafe_left = 0usize;
    for _ in 0..10_000 {
        let current = with_texts(sources, &texts);
        let report = check(current, options);
        unsafe_left = report
            .active()
            .filter(|f| {
                f.finding
                    .fix
                    .as_ref()
                    .is_some_and(|fix| !fix::allowed(fix, include_unsafe))
            })
            .count();
        let next = report.active().find(|f| {
            f.finding
                .fix
                .as_ref()
                .is_some_and(|fix| fix::allowed(fix, include_unsafe))
                && !declined.contains(&identity(f, &report.sources))
        });
        let Some(reported) = next else { break };
        let Some(fix) = reported.finding.fix.as_ref() else {
            break;
        };
        let rule = reported.finding.rule;
        let answer = if whole_rules.contains(rule) {
            Answer::Apply
        } else {
            show(&report, reported);
            let kind = match fix.applicability {
                Applicability::Safe => "safe",
                Applicability::Unsafe => "unsafe: changes behaviour",
            };
            ask(
                &format!(
                    "apply this fix ({kind})? [a]pply, [s]kip, apply all of [r]ule {rule}, [q]uit: "
                ),
                prompt,
            )
        };
        match answer {
            Answer::Apply | Answer::ApplyRule => {
                if answer == Answer::ApplyRule {
                    whole_rules.insert(rule);
                }
                let file_texts: BTreeMap<FileId, String> = report
                    .sources
                    .files()
                    .iter()
                    .map(|f| (f.id, f.text.to_string()))
                    .collect();
                let pass = fix::apply_all(&file_texts, &[fix]);
                if pass.applied.is_empty() {
                    declined.insert(identity(reported, &report.sources));
                }
                texts.extend(pass.changed);
            }
            Answer::Quit => break,
            Answer::Skip => {
                declined.insert(identity(reported, &report.sources));
            }
        }
    }
    if unsafe_left > 0 {
        println!(
            "{unsafe_left} fix{} that change{} behaviour not offered: add --unsafe-fixes to review \
            {}",
            if unsafe_left == 1 { "" } else { "es" },
            if unsafe_left == 1 { "s" } else { "" },
            if unsafe_left == 1 { "it" } else { "them" },
        );
    }
    texts
        .into_iter()
        .filter(|(id, text)| sources.get(*id).is_some_and(|f| *f.text != **text))
        .collect()
}

fn show(report: &crate::Report, reported: &Reported) {
    let sources = with_texts(&report.sources, &BTreeMap::new());
    let trees = sources.files().iter().map(crate::syntax::parse).collect();
    let single = crate::Report {
        model: crate::model::Model::build(trees),
        sources,
        findings: vec![reported.clone()],
        target: report.target,
    };
    let rendered = crate::report::human::render(&single, crate::report::human::Style::default());
    let body = rendered
        .rsplit_once("\n\n")
        .map(|(body, _)| body)
        .unwrap_or(&rendered);
    println!("{body}");
    if let Some(doc) = crate::rules::catalog::doc(reported.finding.rule) {
        print!("{}", why_block(&doc.why));
    }
    if let (Some(fix), Some(file)) = (
        &reported.finding.fix,
        report.sources.get(reported.finding.primary.span.file),
    ) {
        let texts = BTreeMap::from([(file.id, file.text.to_string())]);
        let pass = fix::apply_all(&texts, &[fix]);
        if let Some(after) = pass.changed.get(&file.id) {
            print!("{}", fix::diff::unified(&file.name, &file.text, after));
        }
    }
}

/// The rule's "why" as the doc writes it: its first paragraph, line breaks and
/// indentation kept, set off under a `why:` label.
fn why_block(why: &str) -> String {
    let paragraph: Vec<&str> = why
        .trim_end()
        .lines()
        .take_while(|line| !line.trim().is_empty())
        .collect();
    let mut out = String::new();
    for (i, line) in paragraph.iter().enumerate() {
        let label = if i == 0 { "  why: " } else { "       " };
        out.push_str(label);
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_documented_answers_are_taken_and_others_ask_again() {
        let mut said = vec!["x", "", "yes", "y", "s"].into_iter();
        let mut questions = Vec::new();
        let answer = ask("apply? ", &mut |q| {
            questions.push(q.to_string());
            said.next().map(str::to_string)
        });
        assert_eq!(answer, Answer::Skip);
        assert_eq!(questions.len(), 5, "{questions:?}");
        assert!(
            questions[1].contains("`x` is not an answer"),
            "{questions:?}"
        );
        assert!(questions[2].contains("no answer"), "{questions:?}");
        assert!(questions[3].contains(ANSWERS), "{questions:?}");
    }

    #[test]
    fn the_end_of_input_quits() {
        assert_eq!(ask("apply? ", &mut |_| None), Answer::Quit);
    }

    #[test]
    fn why_keeps_line_breaks_and_indentation() {
        let why = "First line of the reason\n  an indented continuation\nlast line.\n\nSecond \
        paragraph.\n";
        assert_eq!(
            why_block(why),
            "  why: First line of the reason\n         an indented continuation\n       last \
            line.\n"
        );
    }
}
