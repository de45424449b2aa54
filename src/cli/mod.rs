//! The command line: `haplint check`, `haplint rules`, `haplint explain`.
//! Exit codes: 0 nothing at or above the failing severity, 1 findings,
//! 2 usage or input errors.

use crate::config::Config;
use crate::error::Error;
use crate::finding::Severity;
use crate::load::{self, Input};
use crate::report;
use crate::rules::{self, catalog};
use crate::version::Version;
use crate::{Options, Report};
use clap::{Args, Parser, Subcommand, ValueEnum};

mod explain_log;
mod fix;
mod man;
mod tune;
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser, Debug)]
#[command(
    name = "haplint",
    version,
    about = "Lint and tune HAProxy configurations",
    propagate_version = true
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Check configuration files for mistakes and risks.
    Check(CheckArgs),
    /// List every rule.
    Rules(RulesArgs),
    /// Explain one rule: what it catches, why it matters, how to fix it.
    Explain(ExplainArgs),
    /// Apply fixes; with -i, review each one (apply / skip / all of this rule / quit).
    Fix(FixCommandArgs),
    /// Size settings from facts about the deployment (cores, memory, peak,
    /// upstreams) and show them as a diff, as snippets, or write them.
    Tune(tune::TuneArgs),
    /// Read HAProxy (and AWS ALB) log lines back against the configuration:
    /// every timer explained, the settings and findings that shape them.
    ExplainLog(explain_log::ExplainLogArgs),
    /// Run as a language server over stdio (diagnostics, fixes as code actions, hover).
    Lsp,
    /// Print a shell completion script:
    /// `haplint completions bash > /etc/bash_completion.d/haplint`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a manual page (roff): `haplint man > haplint.1`, `haplint man check`;
    /// `--dir DIR` writes every page (haplint.1, haplint-check.1, …).
    Man(ManArgs),
}

#[derive(Args, Debug)]
pub struct ManArgs {
    /// The subcommand whose page to print (default: the main page).
    pub subcommand: Option<String>,
    /// Write every page into this directory instead of printing one.
    #[arg(long, value_name = "DIR", conflicts_with = "subcommand")]
    pub dir: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct FixCommandArgs {
    /// Review every fix one by one in the terminal.
    #[arg(short, long)]
    pub interactive: bool,
    #[command(flatten)]
    pub check: CheckArgs,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Source excerpts with the words underlined, help and notes (miette).
    Human,
    /// The stable JSON contract (`version: 1`).
    Json,
    /// SARIF 2.1.0, for code-scanning services.
    Sarif,
    /// GitHub Actions annotations (workflow commands).
    Github,
    /// Checkstyle XML.
    Checkstyle,
    /// One `path:line:col: severity: message [rule]` line per finding.
    Concise,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FailOn {
    Error,
    Warning,
    Info,
}

impl FailOn {
    fn severity(self) -> Severity {
        match self {
            FailOn::Error => Severity::Error,
            FailOn::Warning => Severity::Warning,
            FailOn::Info => Severity::Info,
        }
    }
}

#[derive(Args, Debug, Clone)]
pub struct CheckArgs {
    /// Configuration files or directories (their *.cfg files), read in order as
    /// haproxy reads several -f; `-` reads standard input.
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
    /// Output format; repeat with -o to write several formats in one run
    /// (`--format human --format sarif -o haplint.sarif`).
    #[arg(long, value_enum, action = clap::ArgAction::Append)]
    pub format: Vec<Format>,
    /// Write a format to FILE instead of standard output. The Nth -o goes
    /// with the Nth --format; formats without one go to standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE", action = clap::ArgAction::Append)]
    pub output: Vec<PathBuf>,
    /// For each -o, the --format it follows on the command line (filled in
    /// after parsing, from argument positions).
    #[arg(skip)]
    pub output_follows: Vec<usize>,
    /// Print only the findings: no summary line.
    #[arg(short, long)]
    pub quiet: bool,
    /// After the findings, print how many each rule produced.
    #[arg(long)]
    pub statistics: bool,
    /// Name to show for standard input in reports.
    #[arg(long, value_name = "NAME", default_value = "<stdin>")]
    pub stdin_filename: String,
    /// Use this haplint configuration instead of the nearest .haplint.yaml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore any .haplint.yaml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
    /// The HAProxy version the configuration will run on (e.g. 2.6, 3.0).
    #[arg(long, value_name = "X.Y", value_parser = Offered::Versions, hide_possible_values = true)]
    pub haproxy_version: Option<String>,
    /// Run only these rules (comma-separated ids).
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "IDS",
        value_parser = Offered::RuleIds,
        hide_possible_values = true
    )]
    pub select: Option<Vec<String>>,
    /// Run these rules in addition to the selection.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "IDS",
        value_parser = Offered::RuleIds,
        hide_possible_values = true
    )]
    pub extend_select: Vec<String>,
    /// Do not run these rules.
    #[arg(
        long,
        value_delimiter = ',',
        value_name = "IDS",
        value_parser = Offered::RuleIds,
        hide_possible_values = true
    )]
    pub ignore: Vec<String>,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Fail only on findings not recorded in this baseline file (matched by
    /// rule, file and line text); entries no longer found are listed as stale.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Record every finding of this check in FILE (a baseline for --baseline);
    /// the check then passes.
    #[arg(long, value_name = "FILE")]
    pub write_baseline: Option<PathBuf>,
    /// Colors in human output: auto, always or never.
    #[arg(long, default_value = "auto", value_parser = ["auto", "always", "never"])]
    pub color: String,
    #[command(flatten)]
    pub fixing: FixArgs,
}

/// How fixes are applied.
#[derive(Args, Debug, Clone, Default)]
pub struct FixArgs {
    /// Apply every safe fix to the files (atomically; a file changed since it was read is left
    /// alone).
    #[arg(long)]
    pub fix: bool,
    /// Also apply fixes that change behaviour (with --fix, --diff or fix -i).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print a unified diff of what --fix would change and write nothing (exit 1 if anything
    /// would change).
    #[arg(long)]
    pub diff: bool,
    /// Before writing, check the original and the fixed configuration with the real `haproxy -c`
    /// (on a copy, with placeholders for missing certificates and maps, DNS off); write nothing if
    /// haproxy accepts the original but rejects the result.
    #[arg(long)]
    pub verify: bool,
    /// The haproxy binary for --verify (default: `haproxy` on PATH).
    #[arg(long, value_name = "BIN")]
    pub haproxy: Option<PathBuf>,
}

#[derive(Args, Debug)]
pub struct RulesArgs {
    #[arg(long, value_enum, default_value_t = RulesFormat::Human)]
    pub format: RulesFormat,
}

/// Formats of `haplint rules`: the README's rule table is its `markdown`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum RulesFormat {
    Human,
    Json,
    Markdown,
}

/// Formats of `haplint rules`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    Human,
    Json,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// Rule id, as shown in findings.
    #[arg(value_parser = Offered::RuleIds, hide_possible_values = true)]
    pub id: String,
}

/// Values shell completions offer for an argument that still accepts any
/// text (unknown ids and versions get haplint's own message, with "did you
/// mean"): rule ids for `explain`, `--select`, `--ignore`, `--extend-select`,
/// known releases for `--haproxy-version`.
#[derive(Clone, Copy, Debug)]
enum Offered {
    RuleIds,
    Versions,
}

impl clap::builder::TypedValueParser for Offered {
    type Value = String;

    fn parse_ref(
        &self,
        cmd: &clap::Command,
        arg: Option<&clap::Arg>,
        value: &std::ffi::OsStr,
    ) -> Result<String, clap::Error> {
        clap::builder::StringValueParser::new().parse_ref(cmd, arg, value)
    }

    fn possible_values(
        &self,
    ) -> Option<Box<dyn Iterator<Item = clap::builder::PossibleValue> + '_>> {
        let values: Vec<String> = match self {
            Offered::RuleIds => rules::all_ids()
                .map(str::to_string)
                .chain([report::sarif::INTERNAL_ERROR.to_string()])
                // the named sets `--select` takes besides ids
                .chain(["ALL", "default", "opt-in"].map(str::to_string))
                .collect(),
            Offered::Versions => Version::KNOWN.iter().map(Version::to_string).collect(),
        };
        Some(Box::new(
            values.into_iter().map(clap::builder::PossibleValue::new),
        ))
    }
}

pub fn main() -> ExitCode {
    use clap::{CommandFactory, FromArgMatches};
    crate::PROCESS_START.get_or_init(std::time::Instant::now);
    let matches = Cli::command().get_matches();
    let mut cli = match Cli::from_arg_matches(&matches) {
        Ok(cli) => cli,
        Err(error) => error.exit(),
    };
    if let Some((_, sub)) = matches.subcommand() {
        match &mut cli.command {
            Command::Check(args) => args.output_follows = pair_outputs(sub),
            Command::Fix(args) => args.check.output_follows = pair_outputs(sub),
            _ => {}
        }
    }
    let result = match cli.command {
        Command::Check(args) => run_check(&args),
        Command::Rules(args) => run_rules(&args),
        Command::Explain(args) => run_explain(&args),
        Command::Fix(args) => fix::run_fix_command(&args),
        Command::Tune(args) => tune::run_tune(&args),
        Command::ExplainLog(args) => explain_log::run(&args),
        Command::Lsp => crate::lsp::serve().map(|()| ExitCode::SUCCESS),
        Command::Completions { shell } => {
            let mut out = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "haplint", &mut out);
            write_stdout(&String::from_utf8_lossy(&out)).map(|()| ExitCode::SUCCESS)
        }
        Command::Man(args) => match &args.dir {
            Some(dir) => man::write_all(dir).and_then(|written| {
                let names: Vec<String> = written.iter().map(|p| p.display().to_string()).collect();
                write_stdout(&format!("{}\n", names.join("\n"))).map(|()| ExitCode::SUCCESS)
            }),
            None => man::page(args.subcommand.as_deref())
                .and_then(|text| write_stdout(&text))
                .map(|()| ExitCode::SUCCESS),
        },
    };
    match result {
        Ok(code) => code,
        Err(error) => {
            let report = miette::Report::new(error);
            eprintln!("{report:?}");
            ExitCode::from(2)
        }
    }
}

pub(crate) fn write_stdout(text: &str) -> Result<(), Error> {
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        Ok(()) => Ok(()),
        // A closed pipe (`haplint … | head`) is not an error worth reporting.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Error::Output(e)),
    }
}

/// The `.haplint.yaml` a check uses: `--config`, else the nearest one above
/// the first path (or the working folder); none with `--no-config`.
fn config_path(args: &CheckArgs) -> Option<PathBuf> {
    if args.no_config {
        return None;
    }
    if let Some(path) = &args.config {
        return Some(path.clone());
    }
    let start = args
        .paths
        .iter()
        .find(|p| p.as_os_str() != "-")
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    Config::find_upward(&start)
}

/// The declared configurations, when the check reads paths only (no
/// standard input, no fixing) and `.haplint.yaml` declares some.
fn project(args: &CheckArgs) -> Result<Option<crate::project::Project>, Error> {
    if args.fixing.fix || args.fixing.diff || args.paths.iter().any(|p| p.as_os_str() == "-") {
        return Ok(None);
    }
    let Some(path) = config_path(args) else {
        return Ok(None);
    };
    let config = Config::load(&path)?;
    if config.configurations.is_empty() {
        return Ok(None);
    }
    crate::project::Project::from_config(&config, &path).map(Some)
}

pub(crate) fn inputs(args: &CheckArgs) -> Result<Vec<Input>, Error> {
    if args.paths.is_empty() {
        return Err(Error::NoInput);
    }
    Ok(args
        .paths
        .iter()
        .map(|p| {
            if p.as_os_str() == "-" {
                Input::Stdin {
                    name: args.stdin_filename.clone(),
                }
            } else {
                Input::Path(p.clone())
            }
        })
        .collect())
}

fn check_ids(ids: &[String]) -> Result<(), Error> {
    for id in ids {
        if !crate::RULE_SETS.contains(&id.as_str()) && !rules::is_known(id) {
            let suggestion = rules::suggest(id)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(Error::UnknownRule {
                id: id.clone(),
                suggestion,
            });
        }
    }
    Ok(())
}

/// Options from `.haplint.yaml`, then the command line on top.
pub fn options(args: &CheckArgs) -> Result<Options, Error> {
    let config = if args.no_config {
        Config::default()
    } else if let Some(path) = &args.config {
        Config::load(path)?
    } else {
        let start = args
            .paths
            .iter()
            .find(|p| p.as_os_str() != "-")
            .cloned()
            .unwrap_or_else(|| PathBuf::from("."));
        match Config::find_upward(&start) {
            Some(path) => Config::load(&path)?,
            None => Config::default(),
        }
    };
    let mut options = config.options()?;
    if let Some(text) = &args.haproxy_version {
        options.target = Version::parse_target(text)
            .map_err(|message| Error::Usage(format!("--haproxy-version: {message}")))?;
    }
    if args.select.is_some() {
        options.select = args.select.clone();
    }
    options
        .extend_select
        .extend(args.extend_select.iter().cloned());
    options.ignore.extend(args.ignore.iter().cloned());
    let mut named: Vec<String> = options.select.clone().unwrap_or_default();
    named.extend(options.extend_select.iter().cloned());
    named.extend(options.ignore.iter().cloned());
    named.extend(options.severity.keys().cloned());
    check_ids(&named)?;
    Ok(options)
}

fn run_check(args: &CheckArgs) -> Result<ExitCode, Error> {
    let started = std::time::Instant::now();
    let options = options(args)?;
    // With declared configurations, the other files of a configuration are
    // context: only the given files' findings (and baseline entries) count.
    let mut reported_files: Option<Vec<String>> = None;
    let mut report = match project(args)? {
        Some(project) => {
            if !args.paths.is_empty() {
                let mut names = Vec::new();
                for path in &args.paths {
                    names.extend(load::expand(path)?.iter().map(|f| f.display().to_string()));
                }
                reported_files = Some(names);
            }
            project.check(&args.paths, &options)?
        }
        None => {
            let sources = load::load(&inputs(args)?)?;
            crate::stage("load", started);
            if args.fixing.fix || args.fixing.diff {
                return fix::run_fixes(args, &options, sources);
            }
            crate::check(sources, &options)
        }
    };
    let mut baseline_note = String::new();
    if let Some(path) = &args.write_baseline {
        let baseline = crate::baseline::Baseline::of(&report);
        baseline.write(path)?;
        baseline.apply(&mut report, reported_files.as_deref());
        baseline_note = format!(
            "wrote {} finding{} to the baseline {}\n",
            baseline.entries.len(),
            if baseline.entries.len() == 1 { "" } else { "s" },
            path.display()
        );
    } else if let Some(path) = &args.baseline {
        let applied =
            crate::baseline::Baseline::load(path)?.apply(&mut report, reported_files.as_deref());
        baseline_note = applied.describe(path);
    }
    let started = std::time::Instant::now();
    emit(&report, args)?;
    // After the report, on standard error: machine formats on standard output stay clean.
    if !args.quiet && !baseline_note.is_empty() {
        eprint!("{baseline_note}");
    }
    crate::stage("output", started);
    let failed = report.fails(args.fail_on.severity());
    // The process ends right after: freeing a large configuration's model
    // piece by piece would only make the exit slower.
    let internal = report.has_internal_error();
    std::mem::forget(report);
    Ok(if internal {
        ExitCode::from(2)
    } else if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

/// For each `-o`, the index of the `--format` written before it; an `-o`
/// before any `--format` goes with the first one.
fn pair_outputs(matches: &clap::ArgMatches) -> Vec<usize> {
    let formats: Vec<usize> = matches
        .indices_of("format")
        .map(|i| i.collect())
        .unwrap_or_default();
    let outputs: Vec<usize> = matches
        .indices_of("output")
        .map(|i| i.collect())
        .unwrap_or_default();
    outputs
        .iter()
        .map(|&at| formats.iter().rposition(|&f| f < at).unwrap_or(0))
        .collect()
}

/// The formats asked for, each with where it goes (`None`: standard output).
fn destinations(args: &CheckArgs) -> Result<Vec<(Format, Option<PathBuf>)>, Error> {
    let formats = if args.format.is_empty() {
        vec![Format::Human]
    } else {
        args.format.clone()
    };
    let mut targets: Vec<Option<PathBuf>> = vec![None; formats.len()];
    for (i, path) in args.output.iter().enumerate() {
        // Without positions (the library called directly), pair in order.
        let format = args.output_follows.get(i).copied().unwrap_or(i);
        match targets.get_mut(format) {
            Some(slot @ None) => *slot = Some(path.clone()),
            _ => {
                return Err(Error::Usage(format!(
                    "-o {} has no --format of its own: write `--format X -o FILE` for each file",
                    path.display()
                )));
            }
        }
    }
    if formats
        .iter()
        .zip(&targets)
        .filter(|(_, t)| t.is_none())
        .count()
        > 1
    {
        return Err(Error::Usage(
            "several formats would go to standard output: give all but one an -o FILE".to_string(),
        ));
    }
    Ok(formats.into_iter().zip(targets).collect())
}

/// Write the report in every requested format, to its file or to standard output.
pub(crate) fn emit(report: &Report, args: &CheckArgs) -> Result<(), Error> {
    for (format, output) in destinations(args)? {
        let to_terminal = output.is_none() && std::io::stdout().is_terminal();
        let mut text = render(report, args, format, to_terminal);
        if args.statistics && matches!(format, Format::Human | Format::Concise) {
            text.push_str(&statistics(report));
        }
        match output {
            Some(path) => {
                std::fs::write(&path, text).map_err(|source| Error::ReportFile { path, source })?
            }
            None => write_stdout(&text)?,
        }
    }
    Ok(())
}

/// Findings per rule, most frequent first (see [`report::human::per_rule`]).
fn statistics(report: &Report) -> String {
    report::human::per_rule(report)
}

pub(crate) fn render(
    report: &Report,
    args: &CheckArgs,
    format: Format,
    to_terminal: bool,
) -> String {
    match format {
        Format::Json => {
            let mut text = report::json::render(report);
            text.push('\n');
            text
        }
        Format::Sarif => {
            let mut text = report::sarif::render(report);
            text.push('\n');
            text
        }
        Format::Github => report::github::render(report),
        Format::Checkstyle => report::checkstyle::render(report),
        Format::Concise => {
            let mut text = report::concise::render(report);
            if !args.quiet {
                text.push_str(&report::human::summary(report));
            }
            text
        }
        Format::Human => {
            let color = match args.color.as_str() {
                "always" => true,
                "never" => false,
                _ => to_terminal && std::env::var_os("NO_COLOR").is_none(),
            };
            let style = report::human::Style {
                color,
                unicode: true,
                width: 100,
            };
            if args.quiet {
                report::human::render_findings(report, style)
            } else {
                report::human::render(report, style)
            }
        }
    }
}

fn run_rules(args: &RulesArgs) -> Result<ExitCode, Error> {
    let docs = catalog::docs();
    let text = match args.format {
        RulesFormat::Json => {
            let rows: Vec<serde_json::Value> = docs
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "id": d.id,
                        "category": d.category.as_str(),
                        "severity": d.severity.as_str(),
                        "tier": d.tier.as_str(),
                        "fix": d.fix.applicability.map(|a| a.as_str()),
                        "summary": d.summary,
                    })
                })
                .collect();
            format!(
                "{}\n",
                serde_json::to_string_pretty(&rows).unwrap_or_default()
            )
        }
        RulesFormat::Markdown => rules_markdown(docs),
        RulesFormat::Human => {
            let width = docs.iter().map(|d| d.id.len()).max().unwrap_or(10);
            let mut out = String::new();
            for d in docs {
                let fix = match d.fix.applicability {
                    Some(a) => a.as_str(),
                    None => "-",
                };
                out.push_str(&format!(
                    "{:width$}  {:8} {:8} {:12} {:6}  {}\n",
                    d.id,
                    d.severity.as_str(),
                    d.tier.as_str(),
                    d.category.as_str(),
                    fix,
                    d.summary
                ));
            }
            out
        }
    };
    write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// The rule table of the README (a test holds the README equal to it).
pub fn rules_markdown(docs: &[rules::catalog::RuleDoc]) -> String {
    let mut out = String::from(
        "| id | severity | tier | category | fix | summary |\n|---|---|---|---|---|---|\n",
    );
    for d in docs {
        let fix = d.fix.applicability.map_or("-", |a| a.as_str());
        out.push_str(&format!(
            "| `{}` | {} | {} | {} | {} | {} |\n",
            d.id,
            d.severity.as_str(),
            d.tier.as_str(),
            d.category.as_str(),
            fix,
            d.summary.replace('|', "\\|")
        ));
    }
    out
}

fn run_explain(args: &ExplainArgs) -> Result<ExitCode, Error> {
    if args.id == report::sarif::INTERNAL_ERROR {
        write_stdout(&format!(
            "{}: {}\n\n{}\n",
            report::sarif::INTERNAL_ERROR,
            report::sarif::INTERNAL_ERROR_SUMMARY,
            report::sarif::INTERNAL_ERROR_WHY
        ))?;
        return Ok(ExitCode::SUCCESS);
    }
    let Some(doc) = catalog::doc(&args.id) else {
        let suggestion = rules::suggest(&args.id)
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        return Err(Error::UnknownRule {
            id: args.id.clone(),
            suggestion,
        });
    };
    write_stdout(&report::explain::render(doc))?;
    Ok(ExitCode::SUCCESS)
}
