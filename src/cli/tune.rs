//! `haplint tune`: the facts from `.haplint.yaml`, a profile file and flags;
//! the plan as a diff (default), as snippets, or written in place.

use super::write_stdout;
use crate::config::Config;
use crate::error::Error;
use crate::finding::Edit;
use crate::fix;
use crate::load::{self, Input};
use crate::source::{FileId, SourceSet};
use crate::tune::{self, Profile};
use clap::Args;
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct TuneArgs {
    /// Configuration files or directories, as for `check`.
    #[arg(value_name = "PATH", required = true)]
    pub paths: Vec<PathBuf>,
    /// A YAML file with the facts (same keys as `tune:` in .haplint.yaml).
    #[arg(long, value_name = "FILE")]
    pub profile: Option<PathBuf>,
    /// CPU cores haproxy may use.
    #[arg(long, allow_negative_numbers = true)]
    pub cores: Option<i64>,
    /// The machine's memory: 4G, 4096M…
    #[arg(long, allow_hyphen_values = true)]
    pub memory: Option<String>,
    /// Expected peak of concurrent client connections.
    #[arg(long, allow_negative_numbers = true)]
    pub peak_connections: Option<i64>,
    /// Expected peak of requests per second.
    #[arg(long, allow_negative_numbers = true)]
    pub request_rate: Option<i64>,
    /// Share of client connections with TLS (0 to 1).
    #[arg(long, allow_negative_numbers = true)]
    pub tls_client_share: Option<f64>,
    /// Share of server connections with TLS (0 to 1).
    #[arg(long, allow_negative_numbers = true)]
    pub tls_upstream_share: Option<f64>,
    /// The kind of the upstream at HOST (aws-alb, aws-nlb, nginx, generic-http or your own);
    /// repeatable.
    #[arg(long, value_name = "HOST=KIND")]
    pub upstream: Vec<String>,
    /// Print the tuned lines per section instead of a diff.
    #[arg(long, conflicts_with = "write")]
    pub snippets: bool,
    /// Write the tuned configuration in place (atomically).
    #[arg(long)]
    pub write: bool,
    /// With --write: check the result with the real `haproxy -c` first, and write nothing if it
    /// rejects it.
    #[arg(long, requires = "write")]
    pub verify: bool,
    /// The haproxy binary for --verify.
    #[arg(long, value_name = "BIN")]
    pub haproxy: Option<PathBuf>,
    /// Use this haplint configuration instead of the nearest .haplint.yaml.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Ignore any .haplint.yaml.
    #[arg(long, conflicts_with = "config")]
    pub no_config: bool,
}

fn config_of(args: &TuneArgs) -> Result<Config, Error> {
    if args.no_config {
        return Ok(Config::default());
    }
    if let Some(path) = &args.config {
        return Config::load(path);
    }
    let start = args
        .paths
        .first()
        .cloned()
        .unwrap_or_else(|| PathBuf::from("."));
    match Config::find_upward(&start) {
        Some(path) => Config::load(&path),
        None => Ok(Config::default()),
    }
}

pub fn run_tune(args: &TuneArgs) -> Result<ExitCode, Error> {
    let config = config_of(args)?;
    let mut profile = config.tune.clone().unwrap_or_default();
    if let Some(path) = &args.profile {
        profile = profile.overridden_by(&Profile::load(path)?);
    }
    profile = profile.overridden_by(&Profile {
        cores: args.cores,
        memory: args.memory.clone(),
        peak_connections: args.peak_connections,
        request_rate: args.request_rate,
        tls_client_share: args.tls_client_share,
        tls_upstream_share: args.tls_upstream_share,
    });
    let facts = profile.facts()?;
    let mut upstreams = config.facts()?;
    for pair in &args.upstream {
        let (host, kind) = pair
            .split_once('=')
            .ok_or_else(|| Error::Usage(format!("--upstream `{pair}`: write HOST=KIND")))?;
        let upstream = config.upstream_kind(kind).ok_or_else(|| {
            Error::Usage(format!(
                "--upstream {host}: unknown upstream kind `{kind}` (expected one of {})",
                config.kind_names().join(", ")
            ))
        })?;
        upstreams.upstreams.insert(host.to_string(), upstream);
    }
    let inputs: Vec<Input> = args.paths.iter().map(|p| Input::Path(p.clone())).collect();
    let sources = load::load(&inputs)?;
    let mut options = config.options()?;
    options.facts = upstreams.clone();
    let report = crate::check(sources, &options);
    let plan = tune::plan(&report.model, &facts, &config, &upstreams);
    if plan.changes.is_empty() {
        eprintln!("nothing to tune: the configuration already has these settings");
        return Ok(ExitCode::SUCCESS);
    }
    if args.snippets {
        write_stdout(&snippets(&plan))?;
        return Ok(ExitCode::SUCCESS);
    }
    let edits: Vec<Edit> = plan.changes.iter().map(|c| c.edit.clone()).collect();
    let texts = apply(&report.sources, &edits);
    if !args.write {
        let mut text = String::new();
        for (id, tuned) in &texts {
            if let Some(file) = report.sources.get(*id) {
                text.push_str(&fix::diff::unified(&file.name, &file.text, tuned));
            }
        }
        write_stdout(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.verify {
        verify(args, &report.sources, &texts)?;
    }
    for (id, tuned) in &texts {
        if let Some(file) = report.sources.get(*id)
            && let Some(path) = &file.path
        {
            fix::write::write_atomic(path, &file.text, tuned)?;
        }
    }
    eprintln!(
        "tuned {} settings in {} files",
        plan.changes.len(),
        texts.len()
    );
    Ok(ExitCode::SUCCESS)
}

/// The tuned lines grouped by section, each with its reason.
fn snippets(plan: &tune::Plan) -> String {
    let mut out = String::new();
    let mut current = "";
    for change in &plan.changes {
        if change.section != current {
            if !current.is_empty() {
                out.push('\n');
            }
            out.push_str(&change.section);
            out.push('\n');
            current = &change.section;
        }
        out.push_str(&format!("    {}  # {}\n", change.line, change.reason));
    }
    out
}

/// Apply the plan's edits to each file. Insertions at the same place are
/// kept in plan order; no two edits of a plan overlap otherwise.
fn apply(sources: &SourceSet, edits: &[Edit]) -> BTreeMap<FileId, String> {
    let mut by_file: BTreeMap<FileId, Vec<(usize, &Edit)>> = BTreeMap::new();
    for (order, edit) in edits.iter().enumerate() {
        by_file
            .entry(edit.span.file)
            .or_default()
            .push((order, edit));
    }
    let mut texts = BTreeMap::new();
    for (id, mut edits) in by_file {
        let Some(file) = sources.get(id) else {
            continue;
        };
        // From the end backwards, so earlier offsets stay valid; at one
        // position, later plan entries go first so the plan order reads top down.
        edits.sort_by(|(a_order, a), (b_order, b)| {
            (b.span.start, b.span.end, b_order).cmp(&(a.span.start, a.span.end, a_order))
        });
        let mut text = file.text.to_string();
        let mut limit = usize::MAX;
        for (_, edit) in edits {
            let range = edit.span.range();
            if range.end > limit || text.get(range.clone()).is_none() {
                continue;
            }
            text.replace_range(range.clone(), &edit.replacement);
            limit = range.start;
        }
        texts.insert(id, text);
    }
    texts
}

fn verify(
    args: &TuneArgs,
    sources: &SourceSet,
    texts: &BTreeMap<FileId, String>,
) -> Result<(), Error> {
    let checker = super::fix::Checker::new(args.haproxy.as_deref(), sources)?;
    let before = checker.run(&checker.files(&BTreeMap::new()))?;
    let after = checker.run(&checker.files(texts))?;
    if after.accepted {
        return Ok(());
    }
    // Judged like --fix: only what the tuning itself breaks counts. Alerts
    // are compared without their line numbers, which the new lines shift.
    let known: Vec<&str> = before.alerts.iter().map(|a| a.message.as_str()).collect();
    let new: Vec<&str> = after
        .alerts
        .iter()
        .map(|a| a.message.as_str())
        .filter(|m| !known.contains(m))
        .collect();
    if before.accepted || !new.is_empty() {
        return Err(Error::Verify(format!(
            "haproxy -c rejects the tuned configuration; nothing was written:\n{}",
            if new.is_empty() {
                after.output.clone()
            } else {
                new.join("\n")
            }
        )));
    }
    eprintln!(
        "verify: haproxy -c rejects the original already, for the \
            same reasons; the tuning adds none"
    );
    Ok(())
}
