//! Arguments haproxy rejects or misreads: a duration like `10x`, a missing
//! value, a value outside the words a keyword accepts.

use super::keyword_lines::keyword_lines;
use super::{Context, Rule};
use crate::finding::{Finding, Severity};
use crate::model::vocabulary::Context as Vocabulary;

#[derive(Default)]
pub struct InvalidArgument;

/// What the first argument of a keyword must look like.
#[derive(Clone, Copy)]
enum Shape {
    /// A time (configuration.txt §2.5), at most about 24.8 days; nothing may follow.
    Duration,
    /// A whole number, required (haproxy stops when it is missing). When
    /// not `strict`, haproxy reads a non-number as 0 instead of stopping.
    Integer { strict: bool },
    /// One of these words (the first argument only; more may follow).
    OneOf(&'static [&'static str]),
}

/// (vocabulary, keyword, shape). `timeout …` is handled for every timeout.
const ARGUMENTS: &[(Vocabulary, &str, Shape)] = &[
    (Vocabulary::Global, "hard-stop-after", Shape::Duration),
    (Vocabulary::Global, "maxconn", Shape::Integer { strict: false }),
    (Vocabulary::Global, "nbthread", Shape::Integer { strict: true }),
    (Vocabulary::Proxy, "retries", Shape::Integer { strict: false }),
    (Vocabulary::Proxy, "mode", Shape::OneOf(&["tcp", "http", "log", "spop"])),
    (Vocabulary::Proxy, "http-reuse", Shape::OneOf(&["never", "safe", "aggressive", "always"])),
    (Vocabulary::Proxy, "hash-type", Shape::OneOf(&["map-based", "consistent"])),
    (
        Vocabulary::Proxy,
        "balance",
        Shape::OneOf(&["roundrobin", "static-rr", "leastconn", "first", "source", "uri", "url_param", "hdr", "random", "rdp-cookie", "hash"]),
    ),
];

/// The largest timer haproxy accepts, in milliseconds.
const MAX_TIMER_MS: u64 = 2_147_483_647;

impl Rule for InvalidArgument {
    const ID: &'static str = "invalid-argument";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for line in keyword_lines(cx) {
            let Some(&first) = line.words.first() else { continue };
            if line.prefix.is_some() {
                continue;
            }
            let (name, shape, argument_at) = if first == "timeout" && line.vocabulary == Vocabulary::Proxy {
                let Some(which) = line.words.get(1) else { continue };
                (format!("timeout {which}"), Shape::Duration, 2)
            } else {
                match ARGUMENTS.iter().find(|(v, k, _)| *v == line.vocabulary && *k == first) {
                    Some((_, keyword, shape)) => (keyword.to_string(), *shape, 1),
                    None => continue,
                }
            };
            let word = line.first + argument_at;
            let Some(value) = line.words.get(argument_at).copied() else {
                // `balance` alone means round robin; the other word choices
                // have defaults too. Times and numbers do not.
                if let Shape::OneOf(_) = shape {
                    continue;
                }
                let span = model.words_span(line.stmt, line.first, word);
                out.push(
                    Finding::new(Self::ID, span, format!("`{name}` needs a value"))
                        .note("haproxy refuses to start on a keyword without its argument"),
                );
                continue;
            };
            // An environment variable is only known at run time.
            if model.words(line.stmt).get(word).is_some_and(|w| w.has_env()) {
                continue;
            }
            let span = model.word_span(line.stmt, word);
            let problem = match shape {
                Shape::Duration => duration_problem(value).or_else(|| {
                    line.words.get(argument_at + 1).map(|extra| format!("unexpected `{extra}` after the value: haproxy takes one time"))
                }),
                Shape::Integer { .. } => (value.parse::<i64>().is_err()).then(|| format!("`{value}` is not a whole number")),
                Shape::OneOf(words) => {
                    let head = value.split('(').next().unwrap_or(value);
                    (!words.contains(&head)).then(|| format!("`{value}` is not one of {}", words.join(", ")))
                }
            };
            let Some(problem) = problem else { continue };
            let lenient = matches!(shape, Shape::Integer { strict: false });
            let note = if lenient {
                format!("haproxy reads `{value}` as 0 without a word, which is never what was meant")
            } else {
                "haproxy refuses to start on an argument it cannot read".to_string()
            };
            let mut finding = Finding::new(Self::ID, span, format!("invalid value for `{name}`: {problem}")).note(note);
            if let Shape::Duration = shape {
                finding = finding.help("write a whole number with an optional unit: us, ms (default), s, m, h, d — e.g. 30s");
            }
            finding.severity = Some(if lenient { Severity::Warning } else { Severity::Error });
            out.push(finding);
        }
    }
}

/// Why a time is not one haproxy accepts, if it is not.
fn duration_problem(value: &str) -> Option<String> {
    let digits = value.chars().take_while(char::is_ascii_digit).count();
    if digits == 0 {
        return Some(format!("`{value}` does not start with a number"));
    }
    let unit = value.get(digits..).unwrap_or("");
    if !matches!(unit, "" | "us" | "ms" | "s" | "m" | "h" | "d") {
        return Some(format!("unknown unit `{unit}` in `{value}`"));
    }
    match crate::text::parse_duration_ms(value) {
        Some(ms) if ms <= MAX_TIMER_MS => None,
        _ => Some(format!("`{value}` is longer than haproxy's largest timer (about 24.8 days)")),
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn durations_enums_and_missing_values() {
        let found = findings(
            "invalid-argument",
            "global\n  hard-stop-after 10x\n  maxconn\ndefaults\n  timeout server 1.5s\n  timeout client 10 s\n  timeout connect 100000d\n  timeout queue\n  timeout check 5000\nbackend b\n  mode https\n  balance hdr(host)\n  http-reuse sometimes\n  server s 10.0.0.1:80\n",
        );
        let lines: Vec<u32> = found.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![2, 3, 5, 6, 7, 8, 11, 13], "{found:?}");
        assert!(found[0].1.contains("unknown unit `x`"));
        assert!(found[3].1.contains("unexpected `s`"));
    }
}
