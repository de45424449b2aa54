//! The runtime API (`stats socket`) reachable by more than the local admin:
//! `level admin` or `expose-fd listeners` on a network address, or a UNIX
//! socket whose permissions let every local user in.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::SectionKind;
use crate::model::exposure::{Reach, reach};

#[derive(Default)]
pub struct StatsSocketExposed;

/// The value after `name` among the socket's parameters.
fn param<'a>(words: &[&'a str], name: &str) -> Option<(usize, &'a str)> {
    words
        .iter()
        .position(|w| *w == name)
        .and_then(|i| words.get(i + 1).map(|v| (i, *v)))
}

/// Whether an octal `mode` lets users other than the owner and group write
/// (connecting to a UNIX socket needs write permission).
fn others_can_write(mode: &str) -> bool {
    u32::from_str_radix(mode, 8).is_ok_and(|m| m & 0o002 != 0)
}

impl Rule for StatsSocketExposed {
    const ID: &'static str = "stats-socket-exposed";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for global in model.sections_of(SectionKind::Global) {
            for &stmt in &global.statements {
                if model.value(stmt, 0) != Some("stats") || model.value(stmt, 1) != Some("socket") {
                    continue;
                }
                let words: Vec<&str> = model.values(stmt).collect();
                let Some(address) = words.get(2) else {
                    continue;
                };
                let level = param(&words, "level").map(|(_, v)| v);
                let exposes_fds = param(&words, "expose-fd").is_some_and(|(_, v)| v == "listeners");
                match reach(address) {
                    Reach::AllInterfaces | Reach::Interface
                        if level == Some("admin") || exposes_fds =>
                    {
                        let what = if level == Some("admin") {
                            "`level admin`"
                        } else {
                            "`expose-fd listeners`"
                        };
                        out.push(
                            Finding::new(
                                Self::ID,
                                model.stmt_span(stmt),
                                format!(
                                    "the runtime API with {what} listens on `{address}`, reachable \
                                    from the network"
                                ),
                            )
                            .note(
                                "anyone who can connect may disable servers, change weights and \
                                addresses, dump sessions and TLS keys, or (with expose-fd) take \
                                the listening sockets; the socket has no \
                                authentication of its own",
                            )
                            .help(
                                "listen on a UNIX socket (`stats socket /run/haproxy/admin.sock \
                                mode 600 level admin`) or on 127.0.0.1, and reach it through SSH \
                                or a local agent",
                            ),
                        );
                    }
                    Reach::Local => {
                        let Some((index, mode)) = param(&words, "mode") else {
                            continue;
                        };
                        if others_can_write(mode) {
                            out.push(
                                Finding::new(
                                    Self::ID,
                                    model.words_span(stmt, index, index + 2),
                                    format!(
                                        "the runtime API socket `{address}` is open to every local \
                                        user (`mode {mode}`)"
                                    ),
                                )
                                .note(format!(
                                    "connecting needs write permission on the socket; with it any \
                                    account on the host (a compromised web application included) \
                                    gets the API at level `{}`",
                                    level.unwrap_or("operator")
                                ))
                                .help("use `mode 600` (or `660` with a dedicated `group`)"),
                            );
                        }
                    }
                    _ => {}
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "stats-socket-exposed";

    #[test]
    fn network_admin_sockets_and_open_unix_sockets() {
        assert_eq!(
            findings(ID, "global\n  stats socket ipv4@0.0.0.0:9999 level admin\n").len(),
            1
        );
        assert_eq!(
            findings(
                ID,
                "global\n  stats socket 10.0.0.5:9999 expose-fd listeners\n"
            )
            .len(),
            1
        );
        assert_eq!(
            findings(
                ID,
                "global\n  stats socket /run/haproxy.sock mode 666 level admin\n"
            )
            .len(),
            1
        );
        assert!(findings(ID, "global\n  stats socket 127.0.0.1:9999 level admin\n").is_empty());
        assert!(
            findings(
                ID,
                "global\n  stats socket /run/haproxy.sock mode 660 level admin\n"
            )
            .is_empty()
        );
        assert!(findings(ID, "global\n  stats socket :9999 level user\n").is_empty());
    }
}
