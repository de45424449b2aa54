//! Arguments haproxy rejects or misreads: a duration like `10x`, a missing
//! value, a value outside the words a keyword accepts.

use super::arguments;
use super::keyword_lines::{note, noted_lines};
use super::{Context, Rule};
use crate::finding::{Finding, Severity};
use crate::model::vocabulary;
use crate::syntax::Activity;

#[derive(Default)]
pub struct InvalidArgument;

impl Rule for InvalidArgument {
    const ID: &'static str = "invalid-argument";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        self.addresses(cx, out);
        self.server_sources(cx, out);
        self.connect_addresses(cx, out);
        let model = cx.model;
        for line in noted_lines(cx, note::ARGUMENT) {
            if let Some(finding) = arguments::argument_finding(model, line.stmt, line.section.kind, line.vocabulary, line.first, cx.target) {
                out.push(finding);
            }
        }
    }
}

impl InvalidArgument {
    /// Where haproxy connects to: servers (and their `source` and
    /// `socks4`), `nameserver` lines, `tcp-check connect addr|port`.
    fn connect_addresses(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let report = |out: &mut Vec<Finding>, stmt, word: usize, what: &str, problem: String| {
            let mut finding = Finding::new(Self::ID, model.word_span(stmt, word), format!("invalid {what}: {problem}")).note("haproxy refuses to start on an address it cannot read");
            finding.severity = Some(Severity::Error);
            out.push(finding);
        };
        let connect = model.key_set(&["tcp-check", "nameserver"]);
        for section in &model.sections {
            for server in &section.servers {
                if cx.activity(server.stmt) != Activity::Active {
                    continue;
                }
                if let (Some(word), Some(address)) = (server.address_word, server.address.as_deref())
                    && !model.words(server.stmt).get(word as usize).is_some_and(|w| w.has_env())
                    && let Some(problem) = connect_problem(address, true, false)
                {
                    report(out, server.stmt, word as usize, &format!("server address `{address}`"), problem);
                    continue;
                }
                for param in &server.params {
                    let (ranges, required) = match param.name() {
                        "source" => (true, false),
                        "socks4" => (false, true),
                        _ => continue,
                    };
                    let index = param.word as usize + 1;
                    let Some(value) = model.value(server.stmt, index) else { continue };
                    if let Some(problem) = connect_problem_ranges(value, false, ranges, required) {
                        report(out, server.stmt, index, &format!("`{}` address `{value}`", param.name()), problem);
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
                        && let Some(problem) = connect_problem(address, false, !address.contains('@'))
                    {
                        report(out, stmt, 2, &format!("nameserver address `{address}`"), problem);
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
                        "port" if value.bytes().all(|b| b.is_ascii_digit()) => match value.parse::<u32>() {
                            Ok(1..=65535) => None,
                            _ => Some(format!("port {value} is outside 1-65535")),
                        },
                        _ => None,
                    };
                    if let Some(problem) = problem {
                        report(out, stmt, i + 1, &format!("`tcp-check connect {word}` `{value}`"), problem);
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
                            let mut finding = Finding::new(Self::ID, model.word_span(server.stmt, param.word as usize), "`usesrc` is only read right after `source <address>`".to_string())
                                .note("haproxy refuses to start on a `usesrc` that does not follow `source`")
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

/// Why `host` is not an IPv4 address although it looks like one (four
/// numbers separated by dots): haproxy cannot read or resolve it.
fn ipv4_problem(host: &str) -> Option<String> {
    // Cheap for the common case: every server line comes here.
    if host.split('.').count() != 4 || !host.split('.').all(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit())) {
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
fn connect_problem_ranges(address: &str, offsets: bool, ranges: bool, port_required: bool) -> Option<String> {
    // Every server line comes here, nearly all with a plain `a.b.c.d:port`.
    if is_plain_ipv4_port(address) {
        return None;
    }
    if address.contains('$') {
        return None;
    }
    let rest = match address.split_once('@') {
        Some(("ipv4" | "ipv6" | "tcp" | "tcp4" | "tcp6" | "udp" | "udp4" | "udp6" | "mptcp" | "mptcp4" | "mptcp6", rest)) => rest,
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
    let digits = if offsets { port.trim_start_matches(['+', '-']) } else { port };
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
fn address_problem(addresses: &str, target: crate::version::Version) -> Option<String> {
    for address in addresses.split(',') {
        let (family, rest) = match address.split_once('@') {
            Some((family, rest)) => (Some(family.trim_start_matches("stream+").trim_start_matches("dgram+").trim_start_matches("quic+")), rest),
            None => (None, address),
        };
        if let Some(family) = family {
            match vocabulary::ADDRESS_PREFIXES.iter().find(|(name, _)| *name == family) {
                Some((_, since)) if *since > target => {
                    return Some(format!("the `{family}@` address family appeared in HAProxy {since}"));
                }
                Some(_) => {}
                None if family.is_empty() || family.contains('$') => return None,
                None => return Some(format!("unknown address family `{family}@`")),
            }
            if matches!(family, "udp" | "udp4" | "udp6") {
                return Some(format!("`{family}@` is a datagram address, which a `bind` line of a proxy does not take"));
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
        if let Some(problem) = rest.rsplit_once(':').and_then(|(host, _)| ipv4_problem(host)) {
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
    fn plain_server_addresses_take_the_short_way() {
        use super::{connect_problem_ranges, is_plain_ipv4_port};
        for plain in ["10.0.0.1:80", "255.255.255.255:65535", "0.0.0.0:0", "010.1.1.1:08080"] {
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
            "global\n  hard-stop-after 10x\n  maxconn\ndefaults\n  timeout server 1.5s\n  timeout client 10 s\n  timeout connect 100000d\n  timeout queue\n  timeout check 5000\nbackend b\n  mode https\n  balance hdr(host)\n  http-reuse sometimes\n  server s 10.0.0.1:80\n",
        );
        let lines: Vec<u32> = found.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![2, 3, 5, 6, 7, 8, 11, 13], "{found:?}");
        assert!(found[0].1.contains("unexpected character `x`"));
        assert!(found[3].1.contains("unexpected `s`"));
    }
}
