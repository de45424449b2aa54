//! Arguments haproxy rejects or misreads: a duration like `10x`, a missing
//! value, a value outside the words a keyword accepts.

use super::arguments;
use super::keyword_lines::{note, noted_lines};
use super::{Context, Rule};
use crate::finding::{Finding, Severity};
use crate::model::{SectionKind, vocabulary};
use crate::syntax::Activity;
use crate::version::Version;

#[derive(Default)]
pub struct InvalidArgument;

impl Rule for InvalidArgument {
    const ID: &'static str = "invalid-argument";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        self.addresses(cx, out);
        self.server_sources(cx, out);
        self.connect_addresses(cx, out);
        self.trace_sources(cx, out);
        let (model, target) = (cx.model, cx.target);
        for line in noted_lines(cx, note::ARGUMENT) {
            let (stmt, kind) = (line.stmt, line.section.kind);
            let (vocabulary, first) = (line.vocabulary, line.first);
            let found = arguments::argument_finding(model, stmt, kind, vocabulary, first, target);
            out.extend(found);
        }
    }
}

impl InvalidArgument {
    /// Where haproxy connects to: servers (and their `source` and
    /// `socks4`), `nameserver` lines, `tcp-check connect addr|port`.
    fn connect_addresses(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let report = |out: &mut Vec<Finding>, stmt, word: usize, what: &str, problem: String| {
            let span = model.word_span(stmt, word);
            let mut finding = Finding::new(Self::ID, span, format!("invalid {what}: {problem}"))
                .note("haproxy refuses to start on an address it cannot read");
            finding.severity = Some(Severity::Error);
            out.push(finding);
        };
        let connect = model.key_set(&["tcp-check", "nameserver"]);
        let experimental = experimental_allowed(model);
        for section in &model.sections {
            for server in &section.servers {
                if cx.activity(server.stmt) != Activity::Active {
                    continue;
                }
                if let (Some(word), Some(address)) =
                    (server.address_word, server.address.as_deref())
                {
                    if let Some(problem) = quic_server_problem(address, cx.target, experimental) {
                        refuse(out, model.word_span(server.stmt, word as usize), problem);
                        continue;
                    }
                    let words = model.words(server.stmt);
                    let env = words.get(word as usize).is_some_and(|w| w.has_env());
                    if !env && let Some(problem) = connect_problem(address, true, false) {
                        let what = format!("server address `{address}`");
                        report(out, server.stmt, word as usize, &what, problem);
                        continue;
                    }
                }
                for param in &server.params {
                    let (ranges, required) = match param.name() {
                        "source" => (true, false),
                        "socks4" => (false, true),
                        "proto" => {
                            proto_problem(cx, server.stmt, param.word, experimental, out);
                            continue;
                        }
                        _ => continue,
                    };
                    let index = param.word as usize + 1;
                    let Some(value) = model.value(server.stmt, index) else {
                        continue;
                    };
                    if let Some(problem) = connect_problem_ranges(value, false, ranges, required) {
                        let what = format!("`{}` address `{value}`", param.name());
                        report(out, server.stmt, index, &what, problem);
                    }
                }
            }
            for (stmt, _) in model.statements_in(section, &connect) {
                if cx.activity(stmt) != Activity::Active {
                    continue;
                }
                let words: Vec<&str> = model.values(stmt).collect();
                if words.first() == Some(&"nameserver") {
                    if let Some(address) = words.get(2)
                        && let Some(problem) = unknown_family(address)
                            .or_else(|| connect_problem(address, false, !address.contains('@')))
                    {
                        let what = format!("nameserver address `{address}`");
                        report(out, stmt, 2, &what, problem);
                    }
                    continue;
                }
                if words.get(1) != Some(&"connect") {
                    continue;
                }
                for (i, word) in words.iter().enumerate().skip(2) {
                    let Some(value) = words.get(i + 1) else { break };
                    let problem = match *word {
                        "addr" => connect_problem(value, false, false),
                        // A port may also be a sample expression.
                        "port" if value.bytes().all(|b| b.is_ascii_digit()) => {
                            match value.parse::<u32>() {
                                Ok(1..=65535) => None,
                                _ => Some(format!("port {value} is outside 1-65535")),
                            }
                        }
                        _ => None,
                    };
                    if let Some(problem) = problem {
                        let what = format!("`tcp-check connect {word}` `{value}`");
                        report(out, stmt, i + 1, &what, problem);
                    }
                }
            }
        }
    }

    /// `usesrc` on a `server` line is only read as part of `source`
    /// (haproxy refuses it anywhere else).
    fn server_sources(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for section in model.sections.iter().filter(|s| s.kind.inherits_defaults()) {
            for server in &section.servers {
                let mut after_source = false;
                for param in &server.params {
                    match param.name() {
                        "source" => after_source = true,
                        "interface" => {}
                        "usesrc" if !after_source => {
                            if cx.activity(server.stmt) != Activity::Active {
                                break;
                            }
                            let span = model.word_span(server.stmt, param.word as usize);
                            let message = "`usesrc` is only read right after `source <address>`";
                            let mut finding = Finding::new(Self::ID, span, message.to_string())
                                .note(
                                    "haproxy refuses to start on a `usesrc` that does not follow \
                                     `source`",
                                )
                                .help("write `source <address> usesrc …`, or remove `usesrc`");
                            finding.severity = Some(Severity::Error);
                            out.push(finding);
                            break;
                        }
                        _ => after_source = false,
                    }
                }
            }
        }
    }

    /// Listening addresses: on the section line (removed long ago), and on
    /// `bind` lines (port numbers, address families of newer releases).
    fn addresses(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let experimental = experimental_allowed(model);
        for section in model.sections.iter().filter(|s| s.kind.has_frontend()) {
            if cx.activity(section.header) != Activity::Active {
                continue;
            }
            if let Some(address) = model.value(section.header, 2).filter(|w| *w != "from") {
                let span = model.word_span(section.header, 2);
                let keyword = section.kind.keyword();
                let message = format!(
                    "a listening address on the `{keyword}` line (`{address}`) is not accepted"
                );
                let mut finding = Finding::new(Self::ID, span, message)
                    .note("haproxy refuses to start: addresses are given with `bind` lines")
                    .help(format!("write `bind {address}` inside the section"));
                finding.severity = Some(Severity::Error);
                out.push(finding);
            }
            for bind in &section.binds {
                if cx.activity(bind.stmt) != Activity::Active {
                    continue;
                }
                if let Some(param) = bind.param("proto") {
                    proto_problem(cx, bind.stmt, param.word, experimental, out);
                }
                let Some(word) = model.words(bind.stmt).get(1) else {
                    continue;
                };
                if word.has_env() {
                    continue;
                }
                let Some(address) = bind.address.as_deref() else {
                    continue;
                };
                // `$PORT` is expanded by haproxy from the environment.
                if address.contains('$') {
                    continue;
                }
                if let Some(problem) = address_problem(address, cx.target) {
                    let span = model.word_span(bind.stmt, 1);
                    let message = format!("invalid listening address `{address}`: {problem}");
                    let mut finding = Finding::new(Self::ID, span, message)
                        .note("haproxy refuses to start on an address it cannot read");
                    finding.severity = Some(Severity::Error);
                    out.push(finding);
                }
            }
        }
    }

    /// The sources named by `trace` lines of `traces` sections.
    fn trace_sources(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for section in model.sections_of(SectionKind::Traces) {
            for &stmt in &section.statements {
                if model.value(stmt, 0) != Some("trace") || cx.activity(stmt) != Activity::Active {
                    continue;
                }
                let Some(source) = model.value(stmt, 1) else {
                    continue;
                };
                if model.words(stmt).get(1).is_some_and(|w| w.has_env()) {
                    continue;
                }
                let known = || {
                    let names = TRACE_SOURCES
                        .iter()
                        .filter(|(_, since)| *since <= cx.target);
                    names.map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
                };
                let problem = match TRACE_SOURCES.iter().find(|(name, _)| *name == source) {
                    Some((_, since)) if *since <= cx.target => continue,
                    Some(_) => format!(
                        "the trace source `{source}` is not available in HAProxy {} \
                         (this version has {})",
                        cx.target,
                        known()
                    ),
                    None => format!("unknown trace source `{source}` (one of {})", known()),
                };
                refuse(out, model.word_span(stmt, 1), problem);
            }
        }
    }
}

/// An error finding with the usual note.
fn refuse(out: &mut Vec<Finding>, span: crate::source::Span, message: String) {
    let mut finding = Finding::new(InvalidArgument::ID, span, message)
        .note("haproxy refuses to start on an argument it cannot read");
    finding.severity = Some(Severity::Error);
    out.push(finding);
}

/// Whether `global` has `expose-experimental-directives` (a few lines: cheap).
fn experimental_allowed(model: &crate::model::Model) -> bool {
    model.sections_of(SectionKind::Global).any(|global| {
        let key = |&&stmt: &&crate::model::Stmt| model.value(stmt, 0);
        global
            .statements
            .iter()
            .any(|stmt| key(&stmt) == Some("expose-experimental-directives"))
    })
}

/// The trace sources of a `traces` section, with the first release that
/// has each (one after the last oracle without it; `all` is the meta-source).
const TRACE_SOURCES: &[(&str, Version)] = &[
    ("all", Version::new(3, 1)),
    ("acme", Version::new(3, 1)),
    ("applet", Version::new(3, 1)),
    ("check", Version::new(3, 1)),
    ("fcgi", Version::new(3, 1)),
    ("h1", Version::new(3, 1)),
    ("h2", Version::new(3, 1)),
    ("h3", Version::new(3, 1)),
    ("peers", Version::new(3, 1)),
    ("pt", Version::new(3, 1)),
    ("qmux", Version::new(3, 1)),
    ("quic", Version::new(3, 1)),
    ("session", Version::new(3, 1)),
    ("spop", Version::new(3, 1)),
    ("ssl", Version::new(3, 1)),
    ("stream", Version::new(3, 1)),
    ("haterm", Version::new(3, 3)),
    ("qcm", Version::new(3, 3)),
];

/// The multiplexers `proto` may name, with the first release that has each
/// (one after the last oracle without it). `quic` only exists in builds
/// with QUIC, so it is never judged.
const MUX_PROTOCOLS: &[(&str, Version)] = &[
    ("h1", Version::new(2, 4)),
    ("h2", Version::new(2, 4)),
    ("fcgi", Version::new(2, 4)),
    ("none", Version::new(2, 4)),
    ("quic", Version::new(2, 4)),
    ("spop", Version::new(3, 1)),
    ("qmux", Version::new(3, 3)),
];

/// The multiplexer named by the `proto` parameter at word `word` of `stmt`:
/// unknown in the target, or experimental there.
fn proto_problem(
    cx: &Context<'_>,
    stmt: crate::model::Stmt,
    word: u32,
    experimental: bool,
    out: &mut Vec<Finding>,
) {
    let model = cx.model;
    let index = word as usize + 1;
    let Some(name) = model.value(stmt, index) else {
        return;
    };
    if model.words(stmt).get(index).is_some_and(|w| w.has_env()) {
        return;
    }
    let target = cx.target;
    let known = || {
        let names = MUX_PROTOCOLS.iter().filter(|(_, since)| *since <= target);
        names.map(|(name, _)| *name).collect::<Vec<_>>().join(", ")
    };
    let problem = match MUX_PROTOCOLS.iter().find(|(n, _)| *n == name) {
        Some((_, since)) if *since > target => format!(
            "`proto {name}` is not available in HAProxy {target} (this version has {})",
            known()
        ),
        Some(_) if name == "qmux" && target >= Version::new(3, 4) && !experimental => format!(
            "`proto qmux` is experimental in HAProxy {target}: haproxy refuses it unless \
             `global` has `expose-experimental-directives`"
        ),
        Some(_) => return,
        None => format!("unknown multiplexer protocol `{name}` (one of {})", known()),
    };
    refuse(out, model.word_span(stmt, index), problem);
}

/// Why haproxy `target` cannot connect to a server at `address` over QUIC:
/// 3.2 has no QUIC on the server side (3.0 lets the line through), and 3.4
/// has it as an experimental feature.
fn quic_server_problem(address: &str, target: Version, experimental: bool) -> Option<String> {
    let quic = ["quic4@", "quic6@", "quic+"]
        .iter()
        .any(|p| address.starts_with(p));
    if !quic {
        return None;
    }
    if target.major == 3 && target.minor == 2 {
        return Some(format!(
            "HAProxy {target} cannot connect to servers over QUIC (`{address}`)"
        ));
    }
    (target >= Version::new(3, 4) && !experimental).then(|| {
        format!(
            "QUIC to servers (`{address}`) is experimental in HAProxy {target}: haproxy refuses it \
             unless `global` has `expose-experimental-directives`"
        )
    })
}

/// The family of `address` (`foo@…`) when haproxy has no such family: a
/// name of letters and digits outside [`vocabulary::ADDRESS_PREFIXES`].
fn unknown_family(address: &str) -> Option<String> {
    let (family, _) = address.split_once('@')?;
    let plain = !family.is_empty() && family.bytes().all(|b| b.is_ascii_alphanumeric());
    let known = vocabulary::ADDRESS_PREFIXES
        .iter()
        .any(|(name, _)| *name == family);
    (plain && !known).then(|| format!("unknown address family `{family}@`"))
}

/// Why `host` is not an IPv4 address although it looks like one (four
/// numbers separated by dots): haproxy cannot read or resolve it.
fn ipv4_problem(host: &str) -> Option<String> {
    // Cheap for the common case: every server line comes here.
    let numeric = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    if host.split('.').count() != 4 || !host.split('.').all(numeric) {
        return None;
    }
    host.split('.')
        .find(|p| p.parse::<u32>().map_or(true, |n| n > 255))
        .map(|p| format!("`{host}` is not an IPv4 address: `{p}` is above 255"))
}

/// Why haproxy cannot connect to `address` (`[family@]host[:port]`, a port
/// offset `+N`/`-N` allowed where `offsets`), if it cannot: a port out of
/// range or not a number, a port range, a malformed IPv4 or bracketed IPv6
/// address. Names, sockets and variables are not judged.
pub(super) fn connect_problem(address: &str, offsets: bool, port_required: bool) -> Option<String> {
    connect_problem_ranges(address, offsets, false, port_required)
}

/// [`connect_problem`], with port ranges (`1024-65535`) accepted where `ranges`.
fn connect_problem_ranges(
    address: &str,
    offsets: bool,
    ranges: bool,
    port_required: bool,
) -> Option<String> {
    // Every server line comes here, nearly all with a plain `a.b.c.d:port`.
    if is_plain_ipv4_port(address) {
        return None;
    }
    if address.contains('$') {
        return None;
    }
    let rest = match address.split_once('@') {
        Some((
            "ipv4" | "ipv6" | "tcp" | "tcp4" | "tcp6" | "udp" | "udp4" | "udp6" | "mptcp"
            | "mptcp4" | "mptcp6",
            rest,
        )) => rest,
        Some(_) => return None,
        None => address,
    };
    if rest.starts_with('/') {
        return None;
    }
    let (host, port) = if let Some(v6) = rest.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        if host.parse::<std::net::Ipv6Addr>().is_err() {
            return Some(format!("`[{host}]` is not an IPv6 address"));
        }
        (host, after.strip_prefix(':'))
    } else if rest.matches(':').count() > 1 {
        // An IPv6 address without brackets: its last group may be a port.
        return None;
    } else {
        match rest.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (rest, None),
        }
    };
    if let Some(problem) = ipv4_problem(host) {
        return Some(problem);
    }
    let Some(port) = port else {
        return port_required.then(|| "no port: write `host:port`".to_string());
    };
    if !offsets
        && let Some(number) = port.strip_prefix(['+', '-'])
        && !number.is_empty()
        && number.bytes().all(|b| b.is_ascii_digit())
    {
        return Some(format!("a port offset (`{port}`) is not accepted here"));
    }
    let digits = if offsets {
        port.trim_start_matches(['+', '-'])
    } else {
        port
    };
    if port.contains('-') && !(offsets && port.starts_with('-')) && !digits.is_empty() {
        if !ranges {
            return Some(format!("a port range (`{port}`) is not accepted here"));
        }
        for part in port.split('-') {
            if part.parse::<u32>().map_or(true, |n| n > 65535) {
                return Some(format!("`{part}` is not a port number"));
            }
        }
        return None;
    }
    match digits.parse::<u32>() {
        Ok(number) if number <= 65535 => None,
        Ok(number) => Some(format!("port {number} is above 65535")),
        Err(_) if port.is_empty() => None,
        Err(_) => Some(format!("`{port}` is not a port number")),
    }
}

/// `a.b.c.d:port` in decimal digits, each number of the address at most
/// 255 and the port at most 65535: an address [`connect_problem_ranges`]
/// finds nothing wrong with, read in one pass.
fn is_plain_ipv4_port(address: &str) -> bool {
    // Separators seen so far: three dots, then the colon.
    let (mut separators, mut digits, mut value) = (0, 0, 0u32);
    for b in address.bytes() {
        match b {
            b'0'..=b'9' => {
                value = value.saturating_mul(10).saturating_add(u32::from(b - b'0'));
                digits += 1;
            }
            b'.' if separators < 3 && digits > 0 && value <= 255 => {
                (separators, digits, value) = (separators + 1, 0, 0);
            }
            b':' if separators == 3 && digits > 0 && value <= 255 => {
                (separators, digits, value) = (4, 0, 0);
            }
            _ => return false,
        }
    }
    separators == 4 && digits > 0 && value <= 65535
}

/// Why haproxy `target` cannot listen on `address` (a comma-separated list of
/// `[family@]host:port[-port]`), if it cannot. Sockets and descriptors are
/// not judged.
fn address_problem(addresses: &str, target: Version) -> Option<String> {
    for address in addresses.split(',') {
        let quic = address.starts_with("quic+");
        // 2.6 reads `quic+…` as a host name; 3.0 has the prefix.
        if quic && target < Version::new(2, 7) {
            return Some(format!(
                "HAProxy {target} does not know the `quic+` prefix (a later release added it)"
            ));
        }
        let (family, rest) = match address.split_once('@') {
            Some((family, rest)) => {
                let family = family
                    .trim_start_matches("stream+")
                    .trim_start_matches("dgram+");
                (Some(family.trim_start_matches("quic+")), rest)
            }
            None => (None, address.trim_start_matches("quic+")),
        };
        if let Some(family) = family {
            match vocabulary::ADDRESS_PREFIXES
                .iter()
                .find(|(name, _)| *name == family)
            {
                Some((_, since)) if *since > target => {
                    return Some(format!(
                        "the `{family}@` address family appeared in HAProxy {since}"
                    ));
                }
                Some(_) => {}
                None if family.is_empty() || family.contains('$') => return None,
                None => return Some(format!("unknown address family `{family}@`")),
            }
            if matches!(family, "udp" | "udp4" | "udp6") {
                return Some(format!(
                    "`{family}@` is a datagram address, which a `bind` line of a proxy does not \
                     take"
                ));
            }
            if quic && matches!(family, "unix" | "abns") {
                return Some(format!(
                    "QUIC runs over UDP: `quic+` does not take a `{family}@` socket"
                ));
            }
            if matches!(
                family,
                "unix" | "abns" | "abnsz" | "fd" | "sockpair" | "uxst" | "uxdg" | "rhttp"
            ) {
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
        if let Some(problem) = rest
            .rsplit_once(':')
            .and_then(|(host, _)| ipv4_problem(host))
        {
            return Some(problem);
        }
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

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn listening_addresses() {
        use super::address_problem;
        use crate::version::Version;
        let v26 = Version::new(2, 6);
        for good in [
            ":80",
            "10.0.0.1:443",
            "[::]:8443",
            ":8000-8010",
            "unix@/run/x.sock",
            "/run/x.sock",
            "fd@${FD}",
            "ipv4@0.0.0.0:80,:81",
            "quic4@:443",
        ] {
            assert_eq!(address_problem(good, v26), None, "{good}");
        }
        assert!(
            address_problem(":92000", v26)
                .unwrap()
                .contains("above 65535")
        );
        assert!(
            address_problem("0.0.0.0:OCTAVIA_PORT", v26)
                .unwrap()
                .contains("not a port")
        );
        let mptcp = address_problem("mptcp@[::]:5000", v26).unwrap();
        assert!(mptcp.contains("appeared in HAProxy 3.1"));
        assert_eq!(address_problem("mptcp@[::]:5000", Version::new(3, 2)), None);
        let found = findings(
            "invalid-argument",
            "listen app 0.0.0.0:80
  server s 10.0.0.1:80
",
        );
        assert_eq!(found.len(), 1, "{found:?}");
    }

    /// 3.2 refuses QUIC servers, 3.0 lets them through, 3.4 wants
    /// `expose-experimental-directives` (see the corpus's quic regtests).
    #[test]
    fn quic_servers_per_version() {
        use super::quic_server_problem;
        let v = crate::version::Version::new;
        let quic = "quic4@127.0.0.1:443";
        assert!(quic_server_problem(quic, v(3, 2), true).is_some());
        assert!(quic_server_problem("quic+127.0.0.1:443", v(3, 2), false).is_some());
        assert_eq!(quic_server_problem(quic, v(3, 0), false), None);
        assert!(quic_server_problem(quic, v(3, 4), false).is_some());
        assert_eq!(quic_server_problem(quic, v(3, 4), true), None);
        assert_eq!(quic_server_problem("127.0.0.1:443", v(3, 2), false), None);
        let config = "backend b\n  server s quic6@[::1]:443 ssl verify none\n";
        let found = findings("invalid-argument", config);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("over QUIC"), "{found:?}");
    }

    #[test]
    fn multiplexers_and_trace_sources() {
        use crate::rules::testing::findings_with;
        use crate::version::Version;
        let with = |target: Version, config: &str| {
            let options = crate::Options {
                target,
                ..crate::Options::default()
            };
            findings_with("invalid-argument", config, options)
        };
        let qmux = "frontend f\n  bind :80 proto qmux\n";
        assert_eq!(with(Version::new(3, 2), qmux).len(), 1);
        assert!(with(Version::new(3, 4), qmux)[0].1.contains("experimental"));
        let allowed = format!("global\n  expose-experimental-directives\n{qmux}");
        assert!(with(Version::new(3, 4), &allowed).is_empty());
        let traces = "traces\n  trace qcm start now\n  trace h2 start now\n  trace h9 start now\n";
        let lines: Vec<u32> = with(Version::new(3, 2), traces)
            .iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(lines, vec![2, 4]);
        let lines: Vec<u32> = with(Version::new(3, 4), traces)
            .iter()
            .map(|f| f.0)
            .collect();
        assert_eq!(lines, vec![4]);
    }

    #[test]
    fn plain_server_addresses_take_the_short_way() {
        use super::{connect_problem_ranges, is_plain_ipv4_port};
        for plain in [
            "10.0.0.1:80",
            "255.255.255.255:65535",
            "0.0.0.0:0",
            "010.1.1.1:08080",
        ] {
            assert!(is_plain_ipv4_port(plain), "{plain}");
        }
        let others = [
            "10.0.0.256:80",
            "10.0.0.1:65536",
            "10.0.0.1:99999999999",
            "10.0.0.1",
            "10.0.0.1:",
            "10.0.0:80",
            "1.2.3.4.5:80",
            "10..0.1:80",
            "10.0.0.1:+80",
            "10.0.0.1:80-90",
            "ipv4@10.0.0.1:80",
            ":80",
        ];
        for other in others {
            assert!(!is_plain_ipv4_port(other), "{other}");
        }
        // The long way still judges what the short way leaves to it.
        assert!(connect_problem_ranges("10.0.0.256:80", true, false, false).is_some());
        assert!(connect_problem_ranges("10.0.0.1:65536", true, false, false).is_some());
        assert!(connect_problem_ranges("10.0.0.1:99999999999", true, false, false).is_some());
    }

    #[test]
    fn durations_enums_and_missing_values() {
        let found = findings(
            "invalid-argument",
            "global\n  hard-stop-after 10x\n  maxconn\ndefaults\n  timeout server 1.5s\n  \
             timeout client 10 s\n  timeout connect 100000d\n  timeout queue\n  \
             timeout check 5000\nbackend b\n  mode https\n  balance hdr(host)\n  \
             http-reuse sometimes\n  server s 10.0.0.1:80\n",
        );
        let lines: Vec<u32> = found.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![2, 3, 5, 6, 7, 8, 11, 13], "{found:?}");
        assert!(found[0].1.contains("unexpected character `x`"));
        assert!(found[3].1.contains("unexpected `s`"));
    }
}
