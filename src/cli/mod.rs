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

mod fix;
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
    Human,
    Json,
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
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
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
    #[arg(long, value_name = "X.Y")]
    pub haproxy_version: Option<String>,
    /// Run only these rules (comma-separated ids).
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub select: Option<Vec<String>>,
    /// Run these rules in addition to the selection.
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub extend_select: Vec<String>,
    /// Do not run these rules.
    #[arg(long, value_delimiter = ',', value_name = "IDS")]
    pub ignore: Vec<String>,
    /// Lowest severity that makes the exit code 1.
    #[arg(long, value_enum, default_value_t = FailOn::Warning)]
    pub fail_on: FailOn,
    /// Colors in human output: auto, always or never.
    #[arg(long, default_value = "auto", value_parser = ["auto", "always", "never"])]
    pub color: String,
    #[command(flatten)]
    pub fixing: FixArgs,
}

/// How fixes are applied.
#[derive(Args, Debug, Clone, Default)]
pub struct FixArgs {
    /// Apply every safe fix to the files (atomically; a file changed since it was read is left alone).
    #[arg(long)]
    pub fix: bool,
    /// Also apply fixes that change behaviour (with --fix, --diff or fix -i).
    #[arg(long)]
    pub unsafe_fixes: bool,
    /// Print a unified diff of what --fix would change and write nothing (exit 1 if anything would change).
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
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,
}

#[derive(Args, Debug)]
pub struct ExplainArgs {
    /// Rule id, as shown in findings.
    pub id: String,
}

pub fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Check(args) => run_check(&args),
        Command::Rules(args) => run_rules(&args),
        Command::Explain(args) => run_explain(&args),
        Command::Fix(args) => fix::run_fix_command(&args),
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
        if id != "all" && !rules::is_known(id) {
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
    let mut options = Options {
        facts: config.facts()?,
        ..Options::default()
    };
    if let Some(version) = config.target_version()? {
        options.target = version;
    }
    if let Some(text) = &args.haproxy_version {
        options.target = Version::parse(text).ok_or_else(|| {
            Error::Usage(format!(
                "--haproxy-version `{text}` is not a version like 2.6 or 3.0"
            ))
        })?;
    }
    options.select = args.select.clone().or(config.select.clone());
    options.extend_select = config.extend_select.clone();
    options
        .extend_select
        .extend(args.extend_select.iter().cloned());
    options.ignore = config.ignore.clone();
    options.ignore.extend(args.ignore.iter().cloned());
    for (id, level) in &config.severity {
        options.severity.insert(id.clone(), level.severity());
    }
    let mut named: Vec<String> = options.select.clone().unwrap_or_default();
    named.extend(options.extend_select.iter().cloned());
    named.extend(options.ignore.iter().cloned());
    named.extend(options.severity.keys().cloned());
    check_ids(&named)?;
    Ok(options)
}

fn run_check(args: &CheckArgs) -> Result<ExitCode, Error> {
    let options = options(args)?;
    let sources = load::load(&inputs(args)?)?;
    if args.fixing.fix || args.fixing.diff {
        return fix::run_fixes(args, &options, sources);
    }
    let report = crate::check(sources, &options);
    let text = render(&report, args);
    write_stdout(&text)?;
    let failed = report.fails(args.fail_on.severity());
    // The process ends right after: freeing a large configuration's model
    // piece by piece would only make the exit slower.
    std::mem::forget(report);
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub(crate) fn render(report: &Report, args: &CheckArgs) -> String {
    match args.format {
        Format::Json => {
            let mut text = report::json::render(report);
            text.push('\n');
            text
        }
        Format::Human => {
            let color = match args.color.as_str() {
                "always" => true,
                "never" => false,
                _ => std::io::stdout().is_terminal() && std::env::var_os("NO_COLOR").is_none(),
            };
            report::human::render(
                report,
                report::human::Style {
                    color,
                    unicode: true,
                    width: 100,
                },
            )
        }
    }
}

fn run_rules(args: &RulesArgs) -> Result<ExitCode, Error> {
    let docs = catalog::docs();
    let text = match args.format {
        Format::Json => {
            let rows: Vec<serde_json::Value> = docs
                .iter()
                .map(|d| {
                    serde_json::json!({
                        "id": d.id,
                        "category": d.category.as_str(),
                        "severity": d.severity.as_str(),
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
        Format::Human => {
            let width = docs.iter().map(|d| d.id.len()).max().unwrap_or(10);
            let mut out = String::new();
            for d in docs {
                let fix = match d.fix.applicability {
                    Some(a) => a.as_str(),
                    None => "-",
                };
                out.push_str(&format!(
                    "{:width$}  {:8} {:12} {:6}  {}\n",
                    d.id,
                    d.severity.as_str(),
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

fn run_explain(args: &ExplainArgs) -> Result<ExitCode, Error> {
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
