//! TLS toward a server without checking its certificate.

use super::{Context, Rule};
use crate::finding::{Finding, Fix};
use crate::fix::edits;
use crate::model::{Section, Server, Stmt};
use crate::version::Version;
use std::collections::BTreeMap;

#[derive(Default)]
pub struct SslVerifyNone;

/// `@system-ca` (the OS trust store as `ca-file`) exists since 2.6.
const SYSTEM_CA_SINCE: Version = Version::new(2, 6);

struct Site<'m> {
    stmt: Stmt,
    word: u32,
    servers: Vec<(&'m Section, &'m Server)>,
}

impl Rule for SslVerifyNone {
    const ID: &'static str = "ssl-verify-none";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        // One finding per place `verify none` is written, however many servers inherit it.
        let mut sites: BTreeMap<(Stmt, u32), Site> = BTreeMap::new();
        for section in model.proxies().filter(|s| s.kind.has_backend()) {
            for server in model.real_servers(section) {
                let tls = model.server_param(section, server, "ssl").is_some_and(|p| p.enabled);
                let Some((verify, param)) = model.server_param_value(section, server, "verify") else {
                    continue;
                };
                // Over the loopback interface nobody can stand in the middle:
                // an unverified certificate there is no risk worth a warning.
                if !tls || verify != "none" || server.host().is_some_and(is_loopback) {
                    continue;
                }
                sites
                    .entry((param.stmt, param.word))
                    .or_insert_with(|| Site {
                        stmt: param.stmt,
                        word: param.word,
                        servers: Vec::new(),
                    })
                    .servers
                    .push((section, server));
            }
        }
        for site in sites.values() {
            let names: Vec<String> = site
                .servers
                .iter()
                .take(3)
                .map(|(section, server)| {
                    format!("{}/{}", section.name.as_deref().unwrap_or("?"), server.name.as_deref().unwrap_or("?"))
                })
                .collect();
            let more = site.servers.len().saturating_sub(names.len());
            let who = if more > 0 {
                format!("{} and {more} more", names.join(", "))
            } else {
                names.join(", ")
            };
            let span = model.words_span(site.stmt, site.word as usize, site.word as usize + 2);
            let mut finding = Finding::new(
                Self::ID,
                span,
                format!("TLS to {who} accepts any certificate (`verify none`)"),
            )
            .note("without verification anyone who can intercept the path to the server can impersonate it, and TLS only protects against passive eavesdropping");
            let has_ca_file = site.servers.iter().all(|(section, server)| {
                model
                    .server_param_value(section, server, "ca-file")
                    .is_some()
            });
            if has_ca_file {
                finding = finding
                    .help("use `verify required`; the servers already name a `ca-file`")
                    .fix(Fix::unsafe_(
                        "use `verify required`",
                        vec![edits::replace_word(model, site.stmt, site.word as usize + 1, "required")],
                    ));
            } else if cx.target >= SYSTEM_CA_SINCE {
                finding = finding
                    .help("use `verify required ca-file @system-ca` (the system trust store), or a `ca-file` with the CA that signed the server certificates; with an IP address or a shared name also set `sni` or `verifyhost`")
                    .fix(Fix::unsafe_(
                        "use `verify required ca-file @system-ca`",
                        vec![edits::replace_words(model, site.stmt, site.word as usize, site.word as usize + 2, "verify required ca-file @system-ca")],
                    ));
            } else {
                finding = finding.help(format!(
                    "use `verify required ca-file <file>` with the CA that signed the server certificates (`@system-ca` needs HAProxy {SYSTEM_CA_SINCE})"
                ));
            }
            for (section, server) in site.servers.iter().take(1) {
                if server.stmt != site.stmt {
                    finding = finding.label(
                        model.stmt_span(server.stmt),
                        format!("server of {} inherits it", section.display_name()),
                    );
                }
            }
            out.push(finding);
        }
    }
}

/// A host on this machine's loopback interface (`localhost`, 127.0.0.0/8, `::1`).
fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host
            .parse::<std::net::IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn loopback_servers_are_not_flagged() {
        let config = "backend b\n    server a 127.0.0.1:443 ssl verify none\n    server l localhost:443 ssl verify none\n    server r 10.0.0.1:443 ssl verify none\n";
        let found = findings("ssl-verify-none", config);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 4);
    }
}
