//! Arguments haproxy rejects or misreads: a duration like `10x`, a missing
//! value, a value outside the words a keyword accepts.

use super::keyword_lines::{KeywordLine, note, noted_lines};
use super::{Context, Rule};
use crate::finding::{Finding, Severity};
use crate::model::Model;
use crate::model::vocabulary::{self, Context as Vocabulary};
use crate::syntax::Activity;

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
        Shape::OneOf(&["roundrobin", "static-rr", "leastconn", "first", "source", "uri", "url_param", "hdr", "random", "rdp-cookie", "hash", "log-hash", "sticky"]),
    ),
];

/// Whether this rule checks the first argument of `keyword` (for the
/// classification pass of `keyword_lines`).
pub(super) fn checks_argument(vocabulary: Vocabulary, keyword: &str) -> bool {
    (vocabulary == Vocabulary::Proxy && keyword == "timeout")
        || ARGUMENTS.iter().any(|(v, k, _)| *v == vocabulary && *k == keyword)
}

/// The largest timer haproxy accepts, in milliseconds.
const MAX_TIMER_MS: u64 = 2_147_483_647;

impl Rule for InvalidArgument {
    const ID: &'static str = "invalid-argument";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        self.addresses(cx, out);
        let model = cx.model;
        for line in noted_lines(cx, note::ARGUMENT) {
            if let Some(finding) = argument_finding(model, &line) {
                out.push(finding);
            }
        }
    }
}

/// The finding about the argument of a statement whose keyword this rule
/// checks (see [`checks_argument`]), if the argument is wrong. The keyword
/// classification asks it too, so that only statements with a finding are
/// noted for this rule.
pub(super) fn argument_finding(model: &Model, line: &KeywordLine<'_>) -> Option<Finding> {
    let &first = line.words.first()?;
    if line.prefix.is_some() {
        return None;
    }
    let (name, shape, argument_at) = if first == "timeout" && line.vocabulary == Vocabulary::Proxy {
        let which = line.words.get(1)?;
        (std::borrow::Cow::Owned(format!("timeout {which}")), Shape::Duration, 2)
    } else {
        let (_, keyword, shape) = ARGUMENTS.iter().find(|(v, k, _)| *v == line.vocabulary && *k == first)?;
        (std::borrow::Cow::Borrowed(*keyword), *shape, 1)
    };
    let word = line.first + argument_at;
    let Some(value) = line.words.get(argument_at).copied() else {
        // `balance` alone means round robin; the other word choices
        // have defaults too. Times and numbers do not.
        if let Shape::OneOf(_) = shape {
            return None;
        }
        let span = model.words_span(line.stmt, line.first, word);
        return Some(
            Finding::new(InvalidArgument::ID, span, format!("`{name}` needs a value"))
                .note("haproxy refuses to start on a keyword without its argument"),
        );
    };
    // An environment variable is only known at run time.
    if model.words(line.stmt).get(word).is_some_and(|w| w.has_env()) {
        return None;
    }
    let mut lenient = false;
    let problem = match shape {
        Shape::Duration => match read_duration(value) {
            Duration::Invalid(problem) => Some(problem),
            Duration::Trailing(read, ignored) => {
                lenient = true;
                Some(format!("haproxy reads `{value}` as `{read}` and ignores `{ignored}`"))
            }
            Duration::Valid => line.words.get(argument_at + 1).map(|extra| format!("unexpected `{extra}` after the value: haproxy takes one time")),
        },
        Shape::Integer { .. } => (value.parse::<i64>().is_err()).then(|| format!("`{value}` is not a whole number")),
        Shape::OneOf(words) => {
            let head = value.split('(').next().unwrap_or(value);
            (!words.contains(&head)).then(|| format!("`{value}` is not one of {}", words.join(", ")))
        }
    };
    let problem = problem?;
    let zero = matches!(shape, Shape::Integer { strict: false });
    lenient |= zero;
    let note = if zero {
        format!("haproxy reads `{value}` as 0 without a word, which is never what was meant")
    } else if lenient {
        "the value works, but a reader cannot tell which unit was meant".to_string()
    } else {
        "haproxy refuses to start on an argument it cannot read".to_string()
    };
    let mut finding = Finding::new(InvalidArgument::ID, model.word_span(line.stmt, word), format!("invalid value for `{name}`: {problem}")).note(note);
    if let Shape::Duration = shape {
        finding = finding.help("write a whole number with an optional unit: us, ms (default), s, m, h, d — e.g. 30s");
    }
    finding.severity = Some(if lenient { Severity::Warning } else { Severity::Error });
    Some(finding)
}

/// How many words from the keyword [`argument_finding`] reads: the keyword
/// and its argument, and for `timeout` the timeout's name and one word more.
pub(super) fn words_read(vocabulary: Vocabulary, keyword: &str) -> usize {
    if vocabulary == Vocabulary::Proxy && keyword == "timeout" {
        4
    } else if checks_argument(vocabulary, keyword) {
        2
    } else {
        0
    }
}

impl InvalidArgument {
    /// Listening addresses: on the section line (removed long ago), and on
    /// `bind` lines (port numbers, address families of newer releases).
    fn addresses(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for section in model.sections.iter().filter(|s| s.kind.has_frontend()) {
            if cx.activity(section.header) != Activity::Active {
                continue;
            }
            if let Some(address) = model.value(section.header, 2).filter(|w| *w != "from") {
                let mut finding = Finding::new(Self::ID, model.word_span(section.header, 2), format!("a listening address on the `{}` line (`{address}`) is not accepted", section.kind.keyword()))
                    .note("haproxy refuses to start: addresses are given with `bind` lines")
                    .help(format!("write `bind {address}` inside the section"));
                finding.severity = Some(Severity::Error);
                out.push(finding);
            }
            for bind in &section.binds {
                if cx.activity(bind.stmt) != Activity::Active {
                    continue;
                }
                let Some(word) = model.words(bind.stmt).get(1) else { continue };
                if word.has_env() {
                    continue;
                }
                let Some(address) = bind.address.as_deref() else { continue };
                // `$PORT` is expanded by haproxy from the environment.
                if address.contains('$') {
                    continue;
                }
                if let Some(problem) = address_problem(address, cx.target) {
                    let mut finding = Finding::new(Self::ID, model.word_span(bind.stmt, 1), format!("invalid listening address `{address}`: {problem}"))
                        .note("haproxy refuses to start on an address it cannot read");
                    finding.severity = Some(Severity::Error);
                    out.push(finding);
                }
            }
        }
    }
}

/// Why haproxy `target` cannot listen on `address` (a comma-separated list of
/// `[family@]host:port[-port]`), if it cannot. Sockets and descriptors are
/// not judged.
fn address_problem(addresses: &str, target: crate::version::Version) -> Option<String> {
    for address in addresses.split(',') {
        let (family, rest) = match address.split_once('@') {
            Some((family, rest)) => (Some(family), rest),
            None => (None, address),
        };
        if let Some(family) = family {
            match vocabulary::ADDRESS_PREFIXES.iter().find(|(name, _)| *name == family) {
                Some((_, since)) if *since > target => {
                    return Some(format!("the `{family}@` address family appeared in HAProxy {since}"));
                }
                Some(_) => {}
                // An unknown family: not judged (haplint may not know it).
                None => return None,
            }
            if matches!(family, "unix" | "abns" | "abnsz" | "fd" | "sockpair" | "uxst" | "uxdg" | "rhttp") {
                continue;
            }
        }
        if rest.starts_with('/') || rest.is_empty() {
            continue;
        }
        let port = match rest.strip_prefix('[') {
            Some(v6) => v6.split_once("]:").map(|(_, port)| port),
            None => rest.rsplit_once(':').map(|(_, port)| port),
        };
        let Some(port) = port else {
            return Some("no port: write `host:port` or `:port`".to_string());
        };
        for part in port.split('-') {
            match part.parse::<u32>() {
                Ok(number) if number <= 65535 => {}
                Ok(number) => return Some(format!("port {number} is above 65535")),
                Err(_) => return Some(format!("`{part}` is not a port number")),
            }
        }
    }
    None
}

/// How haproxy reads a time (`parse_time_err`): digits, then an optional
/// unit recognised by its first letters (`us`, `ms`, `m`, `s`, `h`, `d`);
/// whatever follows the unit is ignored (`30sec` is 30s, `5mins` is 5m).
enum Duration {
    Valid,
    /// Read, but with ignored trailing text: (value as read, ignored part).
    Trailing(String, String),
    Invalid(String),
}

fn read_duration(value: &str) -> Duration {
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
            return Duration::Invalid(format!("unexpected character `{bad}` in `{value}` (units: us, ms, s, m, h, d)"));
        }
    };
    let read = value.get(..digits + unit_length).unwrap_or(value);
    match crate::text::parse_duration_ms(read) {
        Some(ms) if ms <= MAX_TIMER_MS => {}
        _ => return Duration::Invalid(format!("`{value}` is longer than haproxy's largest timer (about 24.8 days)")),
    }
    match value.get(digits + unit_length..) {
        Some(ignored) if !ignored.is_empty() => Duration::Trailing(read.to_string(), ignored.to_string()),
        _ => Duration::Valid,
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn listening_addresses() {
        use super::address_problem;
        use crate::version::Version;
        let v26 = Version::new(2, 6);
        for good in [":80", "10.0.0.1:443", "[::]:8443", ":8000-8010", "unix@/run/x.sock", "/run/x.sock", "fd@${FD}", "ipv4@0.0.0.0:80,:81", "quic4@:443"] {
            assert_eq!(address_problem(good, v26), None, "{good}");
        }
        assert!(address_problem(":92000", v26).unwrap().contains("above 65535"));
        assert!(address_problem("0.0.0.0:OCTAVIA_PORT", v26).unwrap().contains("not a port"));
        assert!(address_problem("mptcp@[::]:5000", v26).unwrap().contains("appeared in HAProxy 3.1"));
        assert_eq!(address_problem("mptcp@[::]:5000", Version::new(3, 2)), None);
        let found = findings("invalid-argument", "listen app 0.0.0.0:80
  server s 10.0.0.1:80
");
        assert_eq!(found.len(), 1, "{found:?}");
    }

    #[test]
    fn durations_are_read_as_haproxy_reads_them() {
        use super::{Duration, read_duration};
        assert!(matches!(read_duration("30s"), Duration::Valid));
        assert!(matches!(read_duration("5000"), Duration::Valid));
        assert!(matches!(read_duration("30sec"), Duration::Trailing(read, ignored) if read == "30s" && ignored == "ec"));
        assert!(matches!(read_duration("5mins"), Duration::Trailing(read, _) if read == "5m"));
        for bad in ["5xs", "5ux", "5u", "5M", "1.5s", "-5s", "s", "100000d"] {
            assert!(matches!(read_duration(bad), Duration::Invalid(_)), "{bad}");
        }
    }

    #[test]
    fn durations_enums_and_missing_values() {
        let found = findings(
            "invalid-argument",
            "global\n  hard-stop-after 10x\n  maxconn\ndefaults\n  timeout server 1.5s\n  timeout client 10 s\n  timeout connect 100000d\n  timeout queue\n  timeout check 5000\nbackend b\n  mode https\n  balance hdr(host)\n  http-reuse sometimes\n  server s 10.0.0.1:80\n",
        );
        let lines: Vec<u32> = found.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![2, 3, 5, 6, 7, 8, 11, 13], "{found:?}");
        assert!(found[0].1.contains("unexpected character `x`"));
        assert!(found[3].1.contains("unexpected `s`"));
    }
}
