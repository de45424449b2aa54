//! `haplint explain-log`: HAProxy (and AWS ALB) log lines read back against
//! the configuration. Lines given as arguments, and files of up to
//! `EXPLAINED` lines, are explained one by one (ALB entries matched to their
//! HAProxy line); every `--file` or standard input is also aggregated per
//! backend and server (ALB entries per target group and target), as a stream
//! on all cores. Gzip-compressed input (as AWS stores its logs) is read as is.

use super::{ListFormat, write_stdout};
use crate::config::Config;
use crate::error::Error;
use crate::load::{self, Input};
use crate::logs::format::Format;
use crate::logs::matching::{self, Found, Zone};
use crate::logs::{self, aggregate, alb, explain, gzip, pairs, time, waterfall};
use clap::Args;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// A file of at most this many lines is explained line by line too.
const EXPLAINED: usize = 20;
/// How much of a file is read to see whether it is that short.
const PEEK: usize = 64 * 1024;

#[derive(Args, Debug)]
pub struct ExplainLogArgs {
    /// Log lines to explain (HAProxy lines, and ALB entries for the same
    /// requests); `-` reads standard input like `--file`.
    #[arg(value_name = "LINE")]
    pub lines: Vec<String>,
    /// The configuration the lines were logged with (its log-format, its settings, its findings).
    #[arg(long, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// The proxy whose log-format to read the lines with first.
    #[arg(long, value_name = "NAME")]
    pub proxy: Option<String>,
    /// A log file (HAProxy lines, ALB entries or both; gzip too): up to 20
    /// lines are explained one by one, and every file is aggregated.
    #[arg(long, value_name = "LOG")]
    pub file: Option<PathBuf>,
    /// The time zone of HAProxy's dates (`%t` has none), to match ALB entries
    /// (UTC): `UTC`, `+02:00`, `Europe/Paris`. Default: `tz` of
    /// `.haplint.yaml`, else the syslog header's offset, else the offset at
    /// which the times agree (named in the output).
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    #[arg(long, value_enum, default_value_t = ListFormat::Human)]
    pub format: ListFormat,
}

struct Context {
    report: Option<crate::Report>,
    formats: Vec<Format>,
    zone: Zone,
}

pub fn run(args: &ExplainLogArgs) -> Result<ExitCode, Error> {
    // The nearest `.haplint.yaml` above the configuration, else above the
    // working folder (as `haplint check` finds it with no path given).
    let start = args.config.clone().unwrap_or_else(|| PathBuf::from("."));
    let config = match Config::find_upward(&start) {
        Some(found) => Config::load(&found)?,
        None => Config::default(),
    };
    let report = match &args.config {
        Some(path) => {
            let sources = load::load(&[Input::Path(path.clone())])?;
            let options = config.options()?;
            Some(crate::check(sources, &options))
        }
        None => None,
    };
    let zone = match args.tz.clone().or(config.tz.clone()) {
        Some(text) => Zone::Given(
            time::parse_zone(&text).map_err(|e| Error::Usage(format!("--tz: {e}")))?,
            text,
        ),
        None => Zone::Unknown,
    };
    let formats = logs::formats(report.as_ref().map(|r| &r.model), args.proxy.as_deref());
    let context = Context {
        report,
        formats,
        zone,
    };
    let from_stdin = args.lines.iter().any(|l| l == "-");
    if args.file.is_some() || from_stdin {
        return run_file(args, &context);
    }
    if args.lines.is_empty() {
        return Err(Error::Usage(
            "give log lines, `--file LOG` or `-` for standard input".to_string(),
        ));
    }
    let numbered: Vec<(usize, &str)> = args
        .lines
        .iter()
        .enumerate()
        .map(|(i, l)| (i + 1, l.as_str()))
        .collect();
    let explained = explain_lines(&context, args.proxy.as_deref(), &numbered);
    let text = match args.format {
        ListFormat::Json => {
            serde_json::to_string_pretty(&explained.json).unwrap_or_default() + "\n"
        }
        ListFormat::Human => explained.human,
    };
    write_stdout(&text)?;
    Ok(if explained.failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn run_file(args: &ExplainLogArgs, context: &Context) -> Result<ExitCode, Error> {
    let name = args
        .file
        .clone()
        .unwrap_or_else(|| PathBuf::from("<stdin>"));
    let read_error = |source| Error::Read {
        path: name.clone(),
        source,
    };
    let mut input = open(args.file.as_deref()).map_err(read_error)?;
    // The start of the input: all of it when it is short.
    let mut start = Vec::new();
    (&mut input)
        .take(PEEK as u64)
        .read_to_end(&mut start)
        .map_err(read_error)?;
    let whole = start.len() < PEEK;
    let short = whole
        && String::from_utf8_lossy(&start)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .count()
            <= EXPLAINED;
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut stream = std::io::Cursor::new(&start).chain(input);
    let mut totals =
        aggregate::aggregate(&mut stream, &context.formats, workers).map_err(read_error)?;
    let mixed = totals.alb_entries > 0 && totals.haproxy_lines() > 0 && !short;
    let matching = match &args.file {
        Some(path) if mixed => {
            let mut records = std::mem::take(&mut totals.alb_records);
            records.sort_unstable_by_key(|r| r.line);
            let mut reopen = || -> std::io::Result<Box<dyn BufRead>> {
                Ok(Box::new(BufReader::with_capacity(
                    1 << 20,
                    open(Some(path))?,
                )))
            };
            let report = pairs::match_file(
                &mut reopen,
                &context.formats,
                &records,
                totals.alb_not_kept,
                &context.zone,
            )
            .map_err(read_error)?;
            Some(report)
        }
        None if mixed => Some(pairs::MatchReport {
            zone: "not matched: standard input is read once; give the log with --file to \
                   match ALB entries to HAProxy lines"
                .to_string(),
            alb_entries: totals.alb_entries,
            ..pairs::MatchReport::default()
        }),
        _ => None,
    };
    let mut summary = totals.report();
    if let Some(matching) = matching {
        for group in &mut summary.alb_groups {
            for slow in &mut group.slowest {
                slow.haproxy_line = matching.pairs.get(&slow.line).copied();
            }
        }
        summary.alb_matching = Some(matching);
    }
    let explained = short.then(|| {
        let text = String::from_utf8_lossy(&start).into_owned();
        let numbered: Vec<(usize, String)> = text
            .lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| (i + 1, l.to_string()))
            .collect();
        let borrowed: Vec<(usize, &str)> = numbered.iter().map(|(i, l)| (*i, l.as_str())).collect();
        explain_lines(context, args.proxy.as_deref(), &borrowed)
    });
    let text = match args.format {
        ListFormat::Json => {
            let mut json = serde_json::to_value(&summary).unwrap_or_default();
            if let (Some(explained), Some(object)) = (&explained, json.as_object_mut()) {
                object.insert(
                    "explained".to_string(),
                    serde_json::Value::Array(explained.json.clone()),
                );
            }
            serde_json::to_string_pretty(&json).unwrap_or_default() + "\n"
        }
        ListFormat::Human => match &explained {
            Some(explained) => {
                let aggregate = summary.render();
                format!("{}── aggregate ──\n{aggregate}", explained.human)
            }
            None => summary.render(),
        },
    };
    write_stdout(&text)?;
    Ok(ExitCode::SUCCESS)
}

/// A log file, or standard input, decompressed when it is gzip.
fn open(file: Option<&Path>) -> std::io::Result<Box<dyn Read + Send>> {
    let raw: Box<dyn Read + Send> = match file {
        Some(path) => Box::new(std::fs::File::open(path)?),
        None => Box::new(std::io::stdin()),
    };
    let mut buffered = BufReader::with_capacity(64 * 1024, raw);
    Ok(if gzip::is_gzip(buffered.fill_buf()?) {
        Box::new(gzip::GzipReader::new(buffered))
    } else {
        Box::new(buffered)
    })
}

struct Explained {
    human: String,
    json: Vec<serde_json::Value>,
    failed: bool,
}

/// Explain numbered lines one by one: each HAProxy line in full, with its
/// ALB entry when one of the lines is (or a word on why none is), and the
/// ALB entries no HAProxy line claimed.
fn explain_lines(context: &Context, proxy: Option<&str>, lines: &[(usize, &str)]) -> Explained {
    let mut human = String::new();
    let mut json = Vec::new();
    let mut failed = false;
    let mut entries = Vec::new();
    let mut entry_lines = Vec::new();
    for &(number, line) in lines {
        if !alb::looks_like_alb(line) {
            continue;
        }
        match alb::read_line(line) {
            Ok(entry) => {
                entries.push(entry);
                entry_lines.push(number);
            }
            Err(error) => {
                failed = true;
                let error = format!("ALB entry: cannot read {error}");
                human.push_str(&format!("line {number}: {error}\n"));
                json.push(serde_json::json!({ "line": number, "error": error }));
            }
        }
    }
    let mut claimed = vec![false; entries.len()];
    for &(number, line) in lines {
        if alb::looks_like_alb(line) {
            continue;
        }
        let fields = match logs::read_haproxy_line(&context.formats, line) {
            Ok(fields) => fields,
            Err(error) => {
                failed = true;
                human.push_str(&format!("line {number}: {error}\n"));
                json.push(serde_json::json!({ "line": number, "error": error }));
                continue;
            }
        };
        let found =
            (!entries.is_empty()).then(|| matching::find(line, &fields, &entries, &context.zone));
        let (entry, match_note) = match &found {
            Some(Found::Matched { entry, index, zone }) => {
                if let Some(c) = claimed.get_mut(*index) {
                    *c = true;
                }
                let at = entry_lines.get(*index).copied().unwrap_or(0);
                (
                    Some(*entry),
                    Some(serde_json::json!({ "line": at, "how": zone })),
                )
            }
            Some(Found::Unmatched(why)) => (None, Some(serde_json::json!({ "unmatched": why }))),
            None => (None, None),
        };
        let mut explanation = explain::explain(context.report.as_ref(), &fields, entry, proxy);
        match &found {
            Some(Found::Matched { index, zone, .. }) => explanation.push(format!(
                "ALB entry: line {} — {zone}",
                entry_lines.get(*index).copied().unwrap_or(0)
            )),
            Some(Found::Unmatched(why)) => {
                explanation.push(format!("ALB entry: none matches this line: {why}"))
            }
            None => {}
        }
        let picture = waterfall::render(&fields, entry);
        if lines.len() > 1 {
            human.push_str(&format!("── line {number} ──\n"));
        }
        human.push_str(&explanation.join("\n"));
        human.push('\n');
        if !picture.is_empty() {
            human.push_str(&picture.join("\n"));
            human.push('\n');
        }
        human.push('\n');
        let values: serde_json::Map<_, _> = fields
            .values
            .iter()
            .map(|(k, v)| (k.clone(), serde_json::Value::from(v.clone())))
            .collect();
        let mut object = serde_json::json!({
            "line": number,
            "fields": values,
            "explanation": explanation,
            "waterfall": picture,
        });
        if let (Some(note), Some(map)) = (match_note, object.as_object_mut()) {
            map.insert("alb_entry".to_string(), note);
        }
        json.push(object);
    }
    let any_haproxy = lines.iter().any(|(_, l)| !alb::looks_like_alb(l));
    for ((entry, number), claimed) in entries.iter().zip(&entry_lines).zip(&claimed) {
        if *claimed {
            continue;
        }
        let ms = |s: f64| (s * 1000.0).round() as i64;
        let mut text = format!(
            "line {number}: ALB entry {} → {} (target {}) at {}: request processing {} ms, \
                target {} ms, response processing {} ms; target group {}, target {}",
            entry.request,
            entry.elb_status,
            entry.target_status,
            entry.time,
            ms(entry.request_processing),
            ms(entry.target_processing),
            ms(entry.response_processing),
            entry.target_group,
            entry.target
        );
        if any_haproxy {
            text.push_str("; it matches no HAProxy line given");
        }
        human.push_str(&text);
        human.push_str("\n\n");
        json.push(serde_json::json!({
            "line": number,
            "alb": {
                "request": entry.request,
                "time": entry.time,
                "elb_status": entry.elb_status,
                "target_status": entry.target_status,
                "request_processing_ms": ms(entry.request_processing),
                "target_processing_ms": ms(entry.target_processing),
                "response_processing_ms": ms(entry.response_processing),
                "target_group": entry.target_group,
                "target": entry.target,
            },
            "matched": false,
        }));
    }
    Explained {
        human,
        json,
        failed,
    }
}
