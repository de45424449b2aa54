//! `haplint explain-log`: HAProxy (and AWS ALB) log lines read back against
//! the configuration. Lines given as arguments are explained one by one; a
//! `--file` or standard input is aggregated per backend and server.

use super::{ListFormat, write_stdout};
use crate::config::Config;
use crate::error::Error;
use crate::load::{self, Input};
use crate::logs::{self, aggregate::Aggregate, alb, explain};
use clap::Args;
use std::io::BufRead;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct ExplainLogArgs {
    /// Log lines to explain (HAProxy lines, and ALB entries for the same
    /// requests); `-` reads standard input and aggregates it.
    #[arg(value_name = "LINE")]
    pub lines: Vec<String>,
    /// The configuration the lines were logged with (its log-format, its settings, its findings).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The proxy whose log-format to read the lines with first.
    #[arg(long, value_name = "NAME")]
    pub proxy: Option<String>,
    /// A log file to aggregate per backend and server.
    #[arg(long, value_name = "LOG")]
    pub file: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
}

pub fn run(args: &ExplainLogArgs) -> Result<ExitCode, Error> {
    let report = match &args.config {
        Some(path) => {
            let sources = load::load(&[Input::Path(path.clone())])?;
            let config = match Config::find_upward(path) {
                Some(found) => Config::load(&found)?,
                None => Config::default(),
            };
            let options = config.options()?;
            Some(crate::check(sources, &options))
        }
        None => None,
    };
    let formats = logs::formats(report.as_ref().map(|r| &r.model), args.proxy.as_deref());
    let aggregate_stdin = args.lines.iter().any(|l| l == "-");
    if args.file.is_some() || aggregate_stdin {
        let reader: Box<dyn BufRead> = match &args.file {
            Some(path) => Box::new(std::io::BufReader::new(std::fs::File::open(path).map_err(
                |source| Error::Read {
                    path: path.clone(),
                    source,
                },
            )?)),
            None => Box::new(std::io::BufReader::new(std::io::stdin())),
        };
        let mut aggregate = Aggregate::default();
        for (index, line) in reader.lines().enumerate() {
            let line = line.map_err(|source| Error::Read {
                path: args
                    .file
                    .clone()
                    .unwrap_or_else(|| PathBuf::from("<stdin>")),
                source,
            })?;
            if line.trim().is_empty() || alb::looks_like_alb(&line) {
                continue;
            }
            match logs::read_haproxy_line(&formats, &line) {
                Ok(fields) => aggregate.add(index + 1, &fields),
                Err(error) => aggregate.error(index + 1, error),
            }
        }
        let summary = aggregate.report();
        let text = match args.format {
            ListFormat::Json => serde_json::to_string_pretty(&summary).unwrap_or_default() + "\n",
            ListFormat::Human => summary.render(),
        };
        write_stdout(&text)?;
        return Ok(ExitCode::SUCCESS);
    }
    if args.lines.is_empty() {
        return Err(Error::Usage(
            "give log lines, `--file LOG` or `-` for standard input".to_string(),
        ));
    }
    let entries: Vec<alb::AlbEntry> = args
        .lines
        .iter()
        .filter(|l| alb::looks_like_alb(l))
        .filter_map(|l| alb::read_line(l).ok())
        .collect();
    let mut human = String::new();
    let mut json = Vec::new();
    let mut failed = false;
    for (index, line) in args.lines.iter().enumerate() {
        if alb::looks_like_alb(line) {
            if let Err(error) = alb::read_line(line) {
                failed = true;
                human.push_str(&format!(
                    "line {}: ALB entry: cannot read {error}\n",
                    index + 1
                ));
            }
            continue;
        }
        match logs::read_haproxy_line(&formats, line) {
            Ok(fields) => {
                let entry = explain::matching(&fields, &entries);
                let lines =
                    explain::explain(report.as_ref(), &fields, entry, args.proxy.as_deref());
                human.push_str(&lines.join("\n"));
                human.push_str("\n\n");
                json.push(serde_json::json!({
                    "line": index + 1,
                    "fields": fields.values.iter().map(|(k, v)| (k.clone(), serde_json::Value::from(v.clone()))).collect::<serde_json::Map<_, _>>(),
                    "explanation": lines,
                }));
            }
            Err(error) => {
                failed = true;
                human.push_str(&format!("line {}: {error}\n", index + 1));
                json.push(serde_json::json!({ "line": index + 1, "error": error }));
            }
        }
    }
    let text = match args.format {
        ListFormat::Json => serde_json::to_string_pretty(&json).unwrap_or_default() + "\n",
        ListFormat::Human => human,
    };
    write_stdout(&text)?;
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
