//! The arguments of common keywords as haproxy reads them: times, numbers,
//! the words a keyword accepts (per version), the modifiers of `balance`,
//! `hash-type`, `cookie`, `log`, `stick-table` and the health-check
//! options, and the extra words haproxy refuses. Each check was confirmed
//! against haproxy 2.6, 3.0, 3.2 and 3.4 (`tests/oracle/arguments.cases`).
//!
//! The keyword classification (`keyword_lines`) asks [`argument_finding`]
//! once per distinct statement text; `invalid_argument` reports the
//! findings. This module depends on neither.

use crate::finding::{Finding, Severity};
use crate::model::vocabulary::Context as Vocabulary;
use crate::model::{Model, SectionKind, Stmt};
use crate::version::Version;

const ID: &str = "invalid-argument";

/// What the first argument of a keyword must look like.
#[derive(Clone, Copy)]
enum Shape {
    /// A time (configuration.txt §2.5), at most about 24.8 days; nothing may follow.
    Duration,
    /// A whole number, required (haproxy stops when it is missing). When
    /// not `strict`, haproxy reads a non-number as 0 instead of stopping.
    Integer { strict: bool },
    /// A keyword with its own reader below.
    Special,
}

/// (vocabulary, keyword, shape). `timeout …` is handled for every timeout.
const ARGUMENTS: &[(Vocabulary, &str, Shape)] = &[
    (Vocabulary::Global, "hard-stop-after", Shape::Duration),
    (
        Vocabulary::Global,
        "maxconn",
        Shape::Integer { strict: false },
    ),
    (
        Vocabulary::Global,
        "nbthread",
        Shape::Integer { strict: true },
    ),
    (Vocabulary::Global, "log", Shape::Special),
    (
        Vocabulary::Proxy,
        "retries",
        Shape::Integer { strict: false },
    ),
    (Vocabulary::Proxy, "mode", Shape::Special),
    (Vocabulary::Proxy, "http-reuse", Shape::Special),
    (Vocabulary::Proxy, "hash-type", Shape::Special),
    (Vocabulary::Proxy, "balance", Shape::Special),
    (Vocabulary::Proxy, "cookie", Shape::Special),
    (Vocabulary::Proxy, "log", Shape::Special),
    (Vocabulary::Proxy, "stick-table", Shape::Special),
    (Vocabulary::Proxy, "option", Shape::Special),
    (Vocabulary::Proxy, "filter", Shape::Special),
    (Vocabulary::Proxy, "compression", Shape::Special),
    (Vocabulary::Proxy, "http-send-name-header", Shape::Special),
];

/// The options whose arguments are checked.
const CHECKED_OPTIONS: &[&str] = &[
    "httpchk",
    "mysql-check",
    "pgsql-check",
    "redis-check",
    "ldap-check",
];

/// Whether [`argument_finding`] checks statements starting with `keyword`
/// (`second` is the next word, for `option`).
pub(super) fn checks_argument(vocabulary: Vocabulary, keyword: &str, second: Option<&str>) -> bool {
    if vocabulary == Vocabulary::Proxy && keyword == "timeout" {
        return true;
    }
    if keyword == "option" {
        return vocabulary == Vocabulary::Proxy
            && second.is_some_and(|s| CHECKED_OPTIONS.contains(&s));
    }
    ARGUMENTS
        .iter()
        .any(|(v, k, _)| *v == vocabulary && *k == keyword)
}

/// How many words from the keyword [`argument_finding`] reads (the
/// classification caches its verdict per text of these words).
pub(super) fn words_read(vocabulary: Vocabulary, keyword: &str) -> usize {
    match ARGUMENTS
        .iter()
        .find(|(v, k, _)| *v == vocabulary && *k == keyword)
    {
        _ if vocabulary == Vocabulary::Proxy && keyword == "timeout" => 4,
        _ if vocabulary == Vocabulary::Proxy && keyword == "option" => usize::MAX,
        Some((_, _, Shape::Special)) => usize::MAX,
        Some(_) => 3,
        None => 0,
    }
}

/// The largest timer haproxy accepts, in milliseconds.
const MAX_TIMER_MS: u64 = 2_147_483_647;

fn finding(model: &Model, stmt: Stmt, word: usize, message: String, note: &str) -> Finding {
    let mut finding = Finding::new(ID, model.word_span(stmt, word), message).note(note.to_string());
    finding.severity = Some(Severity::Error);
    finding
}

const REFUSES: &str = "haproxy refuses to start on an argument it cannot read";

/// The finding about the arguments of a statement whose keyword this
/// module checks (see [`checks_argument`]), if they are wrong. `first` is
/// the index of the keyword (after a `no`/`default` prefix, whose lines are
/// not judged here).
pub(super) fn argument_finding(
    model: &Model,
    stmt: Stmt,
    section: SectionKind,
    vocabulary: Vocabulary,
    first: usize,
    target: Version,
) -> Option<Finding> {
    let raw = model.words(stmt);
    // An environment variable is only known at run time.
    if raw.iter().skip(first).any(|w| w.has_env()) {
        return None;
    }
    let words: Vec<&str> = model.values(stmt).skip(first).collect();
    let &keyword = words.first()?;
    let shape = if keyword == "timeout" && vocabulary == Vocabulary::Proxy {
        Shape::Duration
    } else {
        ARGUMENTS
            .iter()
            .find(|(v, k, _)| *v == vocabulary && *k == keyword)?
            .2
    };
    let at = |i: usize| first + i;
    match shape {
        Shape::Duration => {
            let (name, index) = if keyword == "timeout" {
                (format!("timeout {}", words.get(1)?), 2)
            } else {
                (keyword.to_string(), 1)
            };
            duration_finding(model, stmt, &name, &words, index, first)
        }
        Shape::Integer { strict } => {
            let Some(value) = words.get(1) else {
                return Some(finding(
                    model,
                    stmt,
                    first,
                    format!("`{keyword}` needs a value"),
                    "haproxy refuses to start on a keyword without its argument",
                ));
            };
            if value.parse::<i64>().is_ok() {
                return None;
            }
            let mut found = finding(
                model,
                stmt,
                at(1),
                format!("invalid value for `{keyword}`: `{value}` is not a whole number"),
                REFUSES,
            );
            if !strict {
                found = found.note(format!(
                    "haproxy reads `{value}` as 0 without a word, which is never what was meant"
                ));
                found.severity = Some(Severity::Warning);
            }
            Some(found)
        }
        Shape::Special => {
            let problem = match keyword {
                "mode" => mode(&words, section, target),
                "http-reuse" => http_reuse(&words),
                "hash-type" => hash_type(&words, target),
                "balance" => balance(&words, target),
                "cookie" => cookie(&words),
                "log" => log(&words, target),
                "stick-table" => stick_table(&words),
                "option" => option(&words, target),
                "filter" => filter(&words, target),
                "compression" => compression(&words, target),
                "http-send-name-header" => send_name_header(&words, target),
                _ => None,
            }?;
            let (index, message) = problem;
            Some(finding(
                model,
                stmt,
                at(index.min(words.len().saturating_sub(1))),
                message,
                REFUSES,
            ))
        }
    }
}

/// A problem: the index of the word (from the keyword) and the message.
type Problem = Option<(usize, String)>;

fn one_of(words: &[&str], index: usize, name: &str, choices: &[&str]) -> Problem {
    let value = words.get(index)?;
    (!choices.contains(value)).then(|| {
        (
            index,
            format!(
                "invalid value for `{name}`: `{value}` is not one of {}",
                choices.join(", ")
            ),
        )
    })
}

fn nothing_after(words: &[&str], index: usize, name: &str) -> Problem {
    words
        .get(index)
        .map(|extra| (index, format!("`{name}` takes no argument `{extra}` here")))
}

fn mode(words: &[&str], section: SectionKind, target: Version) -> Problem {
    let Some(&value) = words.get(1) else {
        return Some((0, "`mode` needs a value: tcp or http".to_string()));
    };
    let mut modes = vec!["tcp", "http"];
    if target >= Version::new(3, 0) {
        modes.push("log");
    }
    if target >= Version::new(3, 1) {
        modes.push("spop");
    }
    if target >= Version::new(3, 4) {
        modes.push("haterm");
    }
    if !modes.contains(&value) {
        let known_later = ["log", "spop", "haterm"].contains(&value);
        let why = if known_later {
            format!("`mode {value}` is not available in HAProxy {target}")
        } else {
            format!("unknown proxy mode `{value}`")
        };
        return Some((
            1,
            format!("{why} (this version knows {})", modes.join(", ")),
        ));
    }
    if value == "haterm" && matches!(section, SectionKind::Backend) {
        return Some((
            1,
            "`mode haterm` only applies to proxies that accept connections (frontend or listen)"
                .to_string(),
        ));
    }
    nothing_after(words, 2, "mode")
}

fn http_reuse(words: &[&str]) -> Problem {
    if words.len() < 2 {
        return None;
    }
    one_of(
        words,
        1,
        "http-reuse",
        &["never", "safe", "aggressive", "always"],
    )
    .or_else(|| nothing_after(words, 2, "http-reuse"))
}

fn hash_type(words: &[&str], target: Version) -> Problem {
    let Some(_) = words.get(1) else {
        return Some((
            0,
            "`hash-type` needs a method: map-based or consistent".to_string(),
        ));
    };
    if let Some(problem) = one_of(words, 1, "hash-type", &["map-based", "consistent"]) {
        return Some(problem);
    }
    let mut functions = vec!["sdbm", "djb2", "wt6", "crc32"];
    // `none` (the key is already a hash) is refused by 2.6, accepted by 3.0.
    if target > Version::new(2, 6) {
        functions.push("none");
    }
    match words.get(2) {
        Some(&"avalanche") | None => None,
        Some(_) => one_of(words, 2, "hash-type", &functions),
    }
}

fn balance(words: &[&str], target: Version) -> Problem {
    let value = *words.get(1)?;
    let (algorithm, argument) = match value.split_once('(') {
        Some((algorithm, rest)) => (algorithm, Some(rest.trim_end_matches(')'))),
        None => (value, None),
    };
    let mut algorithms = vec![
        "roundrobin",
        "static-rr",
        "leastconn",
        "first",
        "source",
        "uri",
        "url_param",
        "hdr",
        "random",
        "rdp-cookie",
        // log-forward algorithms, which every oracle's parser accepts here too
        "log-hash",
        "sticky",
    ];
    if target >= Version::new(2, 6) {
        algorithms.push("hash");
    }
    if !algorithms.contains(&algorithm) {
        return Some((
            1,
            format!(
                "invalid value for `balance`: `{value}` is not one of {}",
                algorithms.join(", ")
            ),
        ));
    }
    match algorithm {
        "hdr" if argument.is_none_or(str::is_empty) => Some((
            1,
            "`balance hdr` needs a header name: hdr(<name>)".to_string(),
        )),
        "url_param" if words.get(2).is_none() => Some((
            1,
            "`balance url_param` needs the name of a URL parameter".to_string(),
        )),
        "hash" if words.get(2).is_none() => {
            Some((1, "`balance hash` needs a sample expression".to_string()))
        }
        "uri" => {
            let mut i = 2;
            while let Some(&word) = words.get(i) {
                match word {
                    "whole" | "path-only" => i += 1,
                    "len" | "depth" => i += 2,
                    _ => {
                        return Some((
                            i,
                            format!(
                                "`balance uri` takes len, depth, path-only and whole, not `{word}`"
                            ),
                        ));
                    }
                }
            }
            None
        }
        _ => None,
    }
}

fn cookie(words: &[&str]) -> Problem {
    if words.get(1).is_none() {
        return Some((0, "`cookie` needs the name of the cookie".to_string()));
    }
    let mut i = 2;
    while let Some(&word) = words.get(i) {
        match word {
            "rewrite" | "insert" | "prefix" | "indirect" | "nocache" | "postonly" | "preserve"
            | "httponly" | "secure" | "dynamic" => i += 1,
            "domain" | "maxidle" | "maxlife" | "attr" => {
                if words.get(i + 1).is_none() {
                    return Some((i, format!("`cookie … {word}` needs a value")));
                }
                if matches!(word, "maxidle" | "maxlife")
                    && let Some(value) = words.get(i + 1)
                    && let Duration::Invalid(problem) = read_duration(value)
                {
                    return Some((
                        i + 1,
                        format!("invalid value for `cookie … {word}`: {problem}"),
                    ));
                }
                i += 2;
            }
            _ => return Some((i, format!("unknown `cookie` option `{word}`"))),
        }
    }
    None
}

const FACILITIES: &[&str] = &[
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "auth2",
    "ftp", "ntp", "audit", "alert", "cron2", "local0", "local1", "local2", "local3", "local4",
    "local5", "local6", "local7",
];
const LEVELS: &[&str] = &[
    "emerg", "alert", "crit", "err", "warning", "notice", "info", "debug",
];
const LOG_FORMATS: &[&str] = &[
    "local", "rfc3164", "rfc5424", "priority", "short", "timed", "iso", "raw",
];

fn log(words: &[&str], version: Version) -> Problem {
    let target = *words.get(1)?;
    if target == "global" {
        return None;
    }
    if let Some(problem) = log_target_problem(target, version) {
        return Some((1, problem));
    }
    let mut i = 2;
    loop {
        match words.get(i).copied() {
            Some("format") => {
                if let Some(format) = words.get(i + 1)
                    && !LOG_FORMATS.contains(format)
                {
                    return Some((
                        i + 1,
                        format!(
                            "unknown log format `{format}` (one of {})",
                            LOG_FORMATS.join(", ")
                        ),
                    ));
                }
                i += 2;
            }
            Some("len" | "sample" | "profile") => i += 2,
            _ => break,
        }
    }
    let Some(facility) = words.get(i) else {
        return Some((
            1,
            "`log` needs a facility after the target (e.g. local0)".to_string(),
        ));
    };
    if !FACILITIES.contains(facility) {
        return Some((i, format!("unknown log facility `{facility}`")));
    }
    for (offset, what) in [(1, "level"), (2, "minimum level")] {
        if let Some(level) = words.get(i + offset)
            && !LEVELS.contains(level)
        {
            return Some((
                i + offset,
                format!(
                    "unknown log {what} `{level}` (one of {})",
                    LEVELS.join(", ")
                ),
            ));
        }
    }
    None
}

/// Why haproxy `version` cannot send logs to `target`: an `ip:port` with a
/// port out of range or an offset, an address family it does not know
/// (`backend@` came after 2.6); sockets, rings and `stdout` are not judged.
fn log_target_problem(target: &str, version: Version) -> Option<String> {
    let rest = match target.split_once('@') {
        Some(("udp" | "udp4" | "udp6" | "tcp" | "tcp4" | "tcp6" | "ipv4" | "ipv6", rest)) => rest,
        Some(("backend", _)) if version < Version::new(2, 7) => {
            return Some(format!(
                "HAProxy {version} cannot send logs to a backend (`{target}`): a later release \
                 added `backend@`"
            ));
        }
        Some(("ring" | "backend", _)) => return None,
        Some((family, _)) => {
            let known = crate::model::vocabulary::ADDRESS_PREFIXES
                .iter()
                .any(|(name, _)| *name == family);
            let plain = !family.is_empty() && family.bytes().all(|b| b.is_ascii_alphanumeric());
            return (plain && !known).then(|| {
                format!("unknown address family `{family}@` in the log target `{target}`")
            });
        }
        None => target,
    };
    if rest.starts_with('/') || !rest.contains(':') || rest.contains('$') {
        return None;
    }
    let port = match rest.strip_prefix('[') {
        Some(v6) => v6.split_once("]:").map(|(_, port)| port)?,
        None if rest.matches(':').count() > 1 => return None,
        None => rest.rsplit_once(':').map(|(_, port)| port)?,
    };
    match port.parse::<u32>() {
        Ok(number) if number <= 65535 && port.bytes().all(|b| b.is_ascii_digit()) => None,
        _ => Some(format!(
            "invalid port `{port}` in the log target `{target}`"
        )),
    }
}

/// The data a stick table may store, in any of the versions haplint knows.
const STORE: &[&str] = &[
    "server_id",
    "gpt0",
    "gpc0",
    "gpc0_rate",
    "gpc1",
    "gpc1_rate",
    "gpt",
    "gpc",
    "gpc_rate",
    "conn_cnt",
    "conn_rate",
    "conn_cur",
    "sess_cnt",
    "sess_rate",
    "http_req_cnt",
    "http_req_rate",
    "http_err_cnt",
    "http_err_rate",
    "http_fail_cnt",
    "http_fail_rate",
    "bytes_in_cnt",
    "bytes_in_rate",
    "bytes_out_cnt",
    "bytes_out_rate",
    "server_key",
    "server_name",
    "glitch_cnt",
    "glitch_rate",
];

fn stick_table(words: &[&str]) -> Problem {
    let mut i = 1;
    let mut size = false;
    while let Some(&word) = words.get(i) {
        let value = words.get(i + 1).copied();
        match word {
            "type" => {
                let Some(kind) = value else {
                    return Some((i, "`stick-table type` needs a type".to_string()));
                };
                if !["ip", "ipv6", "integer", "string", "binary"].contains(&kind) {
                    return Some((
                        i + 1,
                        format!(
                            "unknown stick-table type `{kind}` \
                             (ip, ipv6, integer, string or binary)"
                        ),
                    ));
                }
                i += 2;
                if matches!(kind, "string" | "binary") && words.get(i) == Some(&"len") {
                    i += 2;
                }
            }
            "size" => {
                size = true;
                let Some(size) = value else {
                    return Some((i, "`stick-table size` needs a number".to_string()));
                };
                let digits = size.trim_end_matches(['k', 'K', 'm', 'M', 'g', 'G']);
                if digits.is_empty() || digits.parse::<u64>().is_err() {
                    return Some((
                        i + 1,
                        format!(
                            "invalid stick-table size `{size}` \
                             (a number with an optional k, m or g)"
                        ),
                    ));
                }
                i += 2;
            }
            "expire" => {
                let Some(expire) = value else {
                    return Some((i, "`stick-table expire` needs a time".to_string()));
                };
                if let Duration::Invalid(problem) = read_duration(expire) {
                    return Some((i + 1, format!("invalid stick-table expire: {problem}")));
                }
                i += 2;
            }
            "store" => {
                let Some(list) = value else {
                    return Some((i, "`stick-table store` needs a list of data".to_string()));
                };
                for item in split_store(list) {
                    let name = item.split('(').next().unwrap_or(item);
                    if !STORE.contains(&name) {
                        return Some((i + 1, format!("unknown stick-table store option `{name}`")));
                    }
                }
                i += 2;
            }
            "peers" | "srvkey" | "write-to" => i += 2,
            "nopurge" | "recv-only" => i += 1,
            _ => return Some((i, format!("unknown stick-table argument `{word}`"))),
        }
    }
    (!size).then(|| (0, "`stick-table` needs a `size`".to_string()))
}

/// The comma-separated items of a store list; commas inside parentheses
/// (`gpc_rate(3,10s)`) do not separate.
fn split_store(list: &str) -> Vec<&str> {
    let mut items = Vec::new();
    let (mut depth, mut start) = (0i32, 0);
    for (i, c) in list.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                items.push(list.get(start..i).unwrap_or(""));
                start = i + 1;
            }
            _ => {}
        }
    }
    items.push(list.get(start..).unwrap_or(""));
    items
}

/// Filters are all registered, so the oracles' lists are complete.
fn filter(words: &[&str], target: Version) -> Problem {
    let Some(&name) = words.get(1) else {
        return Some((0, "`filter` needs the name of a filter".to_string()));
    };
    if crate::model::registry::lists("filter", name, target) {
        return filter_arguments(name, words);
    }
    let elsewhere = crate::model::registry::listed_in("filter", name);
    let message = if elsewhere.is_empty() {
        let known = crate::model::registry::names("filter", target);
        match crate::text::closest(name, known.iter().copied()) {
            Some(suggestion) => format!("unknown filter `{name}` (did you mean `{suggestion}`?)"),
            None => format!(
                "unknown filter `{name}` (this version has {})",
                known.join(", ")
            ),
        }
    } else {
        let versions: Vec<String> = elsewhere.iter().map(ToString::to_string).collect();
        format!(
            "the `{name}` filter is not available in HAProxy {target} (haproxy {} have it)",
            versions.join(", ")
        )
    };
    Some((1, message))
}

/// The arguments of the filters every build has (`compression`, `cache`,
/// `fcgi-app`, `trace`, `spoe`); the others are not judged.
fn filter_arguments(name: &str, words: &[&str]) -> Problem {
    let extra = |i: usize| {
        words
            .get(i)
            .map(|word| (i, format!("the `{name}` filter takes no argument `{word}`")))
    };
    match name {
        "compression" | "comp-req" | "comp-res" => extra(2),
        "cache" | "fcgi-app" => match words.get(2) {
            None => Some((
                1,
                format!("the `{name}` filter needs the name of its section"),
            )),
            Some(_) => extra(3),
        },
        "trace" | "spoe" => {
            let (valued, flags): (&[&str], &[&str]) = if name == "trace" {
                (
                    &["name"],
                    &["random-parsing", "random-forwarding", "hexdump", "quiet"],
                )
            } else {
                (&["engine", "config"], &[])
            };
            let mut i = 2;
            let mut config = false;
            while let Some(&word) = words.get(i) {
                if valued.contains(&word) {
                    if words.get(i + 1).is_none() {
                        return Some((i, format!("`filter {name} … {word}` needs a value")));
                    }
                    config |= word == "config";
                    i += 2;
                } else if flags.contains(&word) {
                    i += 1;
                } else {
                    return Some((i, format!("unknown `filter {name}` option `{word}`")));
                }
            }
            (name == "spoe" && !config).then(|| {
                (
                    1,
                    "the `spoe` filter needs `config <file>`, the file describing its agents"
                        .to_string(),
                )
            })
        }
        _ => None,
    }
}

/// The first release of each `compression` option, as the oracles tell:
/// one after the last oracle that refuses it.
const COMPRESSION_OPTIONS: &[(&str, Version)] = &[
    ("algo", Version::new(2, 4)),
    ("type", Version::new(2, 4)),
    ("offload", Version::new(2, 4)),
    ("algo-req", Version::new(2, 7)),
    ("algo-res", Version::new(2, 7)),
    ("type-req", Version::new(2, 7)),
    ("type-res", Version::new(2, 7)),
    ("direction", Version::new(2, 7)),
    ("minsize-req", Version::new(3, 1)),
    ("minsize-res", Version::new(3, 1)),
];

const COMPRESSION_ALGORITHMS: &[&str] = &["identity", "gzip", "deflate", "raw-deflate"];

fn compression(words: &[&str], target: Version) -> Problem {
    let known: Vec<&str> = COMPRESSION_OPTIONS
        .iter()
        .filter(|(_, since)| *since <= target)
        .map(|(name, _)| *name)
        .collect();
    let Some(&option) = words.get(1) else {
        return Some((
            0,
            format!("`compression` needs an option: {}", known.join(", ")),
        ));
    };
    if !known.contains(&option) {
        let why = match COMPRESSION_OPTIONS.iter().find(|(name, _)| *name == option) {
            Some(_) => format!("`compression {option}` is not available in HAProxy {target}"),
            None => format!("unknown `compression` option `{option}`"),
        };
        return Some((
            1,
            format!("{why} (this version knows {})", known.join(", ")),
        ));
    }
    match option {
        "algo" | "algo-req" | "algo-res" => {
            if words.len() < 3 {
                return Some((1, format!("`compression {option}` needs an algorithm")));
            }
            words
                .iter()
                .enumerate()
                .skip(2)
                .find(|(_, a)| !COMPRESSION_ALGORITHMS.contains(a))
                .map(|(i, a)| {
                    (
                        i,
                        format!(
                            "unknown compression algorithm `{a}` (one of {})",
                            COMPRESSION_ALGORITHMS.join(", ")
                        ),
                    )
                })
        }
        "direction" => one_of(
            words,
            2,
            "compression direction",
            &["request", "response", "both"],
        ),
        _ => None,
    }
}

/// 3.4 refuses the headers that frame the message or name its host.
fn send_name_header(words: &[&str], target: Version) -> Problem {
    let name = words.get(1)?;
    let framing = ["host", "content-length", "transfer-encoding", "connection"];
    (target >= Version::new(3, 4) && framing.iter().any(|f| f.eq_ignore_ascii_case(name))).then(
        || {
            (
                1,
                format!(
                    "`http-send-name-header` cannot replace the `{name}` header (HAProxy {target} \
                     refuses it: that header frames the request or names its host)"
                ),
            )
        },
    )
}

fn option(words: &[&str], target: Version) -> Problem {
    let name = *words.get(1)?;
    match name {
        // Headers after the version (`HTTP/1.1\r\nHost:x`): 2.6 warns, 3.0 refuses.
        "httpchk"
            if target >= Version::new(3, 0)
                && words.get(4).is_some_and(|v| {
                    v.contains(['\r', '\n']) || v.contains("\\r") || v.contains("\\n")
                }) =>
        {
            Some((
                4,
                "`option httpchk` no longer takes headers after the HTTP version: write them \
                 with `http-check send hdr …`"
                    .to_string(),
            ))
        }
        // 3.2 reads a fourth word (ignored); 2.6 and 3.0 refuse it.
        "httpchk" if target <= Version::new(3, 0) => words.get(5).map(|extra| {
            (
                5,
                format!(
                    "`option httpchk` takes at most a method, a URI and a version, not `{extra}`"
                ),
            )
        }),
        "redis-check" | "ldap-check" => nothing_after(words, 2, &format!("option {name}")),
        "mysql-check" => match words.get(2) {
            Some(&"user") | None => None,
            Some(other) => Some((
                2,
                format!("`option mysql-check` takes only `user <name>`, not `{other}`"),
            )),
        },
        "pgsql-check" => match (words.get(2), words.get(3)) {
            (Some(&"user"), Some(_)) => None,
            _ => Some((1, "`option pgsql-check` needs `user <name>`".to_string())),
        },
        _ => None,
    }
}

fn duration_finding(
    model: &Model,
    stmt: Stmt,
    name: &str,
    words: &[&str],
    index: usize,
    first: usize,
) -> Option<Finding> {
    let Some(&value) = words.get(index) else {
        return Some(finding(
            model,
            stmt,
            first,
            format!("`{name}` needs a value"),
            "haproxy refuses to start on a keyword without its argument",
        ));
    };
    let (problem, lenient) = match read_duration(value) {
        Duration::Invalid(problem) => (problem, false),
        Duration::Trailing(read, ignored) => (
            format!("haproxy reads `{value}` as `{read}` and ignores `{ignored}`"),
            true,
        ),
        Duration::Valid => (
            words.get(index + 1).map(|extra| {
                format!("unexpected `{extra}` after the value: haproxy takes one time")
            })?,
            false,
        ),
    };
    let note = if lenient {
        "the value works, but a reader cannot tell which unit was meant"
    } else {
        REFUSES
    };
    let mut found = finding(
        model,
        stmt,
        first + index,
        format!("invalid value for `{name}`: {problem}"),
        note,
    )
    .help("write a whole number with an optional unit: us, ms (default), s, m, h, d — e.g. 30s");
    if lenient {
        found.severity = Some(Severity::Warning);
    }
    Some(found)
}

/// How haproxy reads a time (`parse_time_err`): digits, then an optional
/// unit recognised by its first letters (`us`, `ms`, `m`, `s`, `h`, `d`);
/// whatever follows the unit is ignored (`30sec` is 30s, `5mins` is 5m).
pub(super) enum Duration {
    Valid,
    /// Read, but with ignored trailing text: (value as read, ignored part).
    Trailing(String, String),
    Invalid(String),
}

pub(super) fn read_duration(value: &str) -> Duration {
    let digits = value.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return Duration::Invalid(format!("`{value}` does not start with a number"));
    }
    let rest = value.get(digits..).unwrap_or("");
    let unit_length = match rest.as_bytes() {
        [] => 0,
        [b'u', b's', ..] | [b'm', b's', ..] => 2,
        [b'm' | b's' | b'h' | b'd', ..] => 1,
        _ => {
            let bad = rest.chars().next().unwrap_or(' ');
            return Duration::Invalid(format!(
                "unexpected character `{bad}` in `{value}` (units: us, ms, s, m, h, d)"
            ));
        }
    };
    let read = value.get(..digits + unit_length).unwrap_or(value);
    match crate::text::parse_duration_ms(read) {
        Some(ms) if ms <= MAX_TIMER_MS => {}
        _ => {
            return Duration::Invalid(format!(
                "`{value}` is longer than haproxy's largest timer (about 24.8 days)"
            ));
        }
    }
    match value.get(digits + unit_length..) {
        Some(ignored) if !ignored.is_empty() => {
            Duration::Trailing(read.to_string(), ignored.to_string())
        }
        _ => Duration::Valid,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_are_read_as_haproxy_reads_them() {
        assert!(matches!(read_duration("30s"), Duration::Valid));
        assert!(matches!(read_duration("5000"), Duration::Valid));
        assert!(matches!(read_duration("30sec"),
                Duration::Trailing(read, ignored) if read == "30s" && ignored == "ec"));
        assert!(matches!(read_duration("5mins"), Duration::Trailing(read, _) if read == "5m"));
        for bad in ["5xs", "5ux", "5u", "5M", "1.5s", "-5s", "s", "100000d"] {
            assert!(matches!(read_duration(bad), Duration::Invalid(_)), "{bad}");
        }
    }

    #[test]
    fn keyword_arguments() {
        let v = Version::new;
        assert!(mode(&["mode", "spop"], SectionKind::Backend, v(3, 0)).is_some());
        assert!(mode(&["mode", "spop"], SectionKind::Backend, v(3, 1)).is_none());
        assert!(mode(&["mode", "haterm"], SectionKind::Backend, v(3, 4)).is_some());
        assert!(mode(&["mode", "haterm"], SectionKind::Frontend, v(3, 4)).is_none());
        assert!(
            mode(&["mode", "http", "extra"], SectionKind::Backend, v(3, 4))
                .is_some_and(|(i, _)| i == 2)
        );
        assert!(balance(&["balance", "uri", "whole", "depth", "3"], v(3, 0)).is_none());
        assert!(balance(&["balance", "hdr"], v(3, 0)).is_some());
        assert!(hash_type(&["hash-type", "consistent", "none"], v(2, 6)).is_some());
        assert!(cookie(&["cookie", "SRV", "insert", "attr", "SameSite=Strict"]).is_none());
        assert!(
            log(
                &[
                    "log",
                    "127.0.0.1:514",
                    "len",
                    "1024",
                    "format",
                    "rfc5424",
                    "local0",
                    "info",
                    "notice"
                ],
                v(3, 0)
            )
            .is_none()
        );
        assert!(log(&["log", "127.0.0.1:70000", "local0"], v(3, 0)).is_some());
        assert!(log(&["log", "127.0.0.1:+5", "local0"], v(3, 0)).is_some());
        assert!(log(&["log", "backend@be", "local0"], v(2, 6)).is_some());
        assert!(log(&["log", "backend@be", "local0"], v(3, 0)).is_none());
        assert!(log(&["log", "foo@bar", "local0"], v(3, 0)).is_some());
        assert!(log(&["log", "ring@r", "local0"], v(2, 6)).is_none());
        assert!(
            stick_table(&[
                "stick-table",
                "type",
                "ip",
                "size",
                "1m",
                "store",
                "gpc_rate(3,10s),conn_cur"
            ])
            .is_none()
        );
        assert_eq!(split_store("a(1,2),b"), vec!["a(1,2)", "b"]);
    }
}
