//! TLS toward a server without checking its certificate.

use super::{Context, Rule};
use crate::finding::{Finding, Fix};
use crate::fix::edits;
use crate::model::exposure::is_loopback_host;
use crate::model::{Section, Server, Stmt, is_host_name};
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
                let tls = model
                    .server_param(section, server, "ssl")
                    .is_some_and(|p| p.enabled);
                let Some((verify, param)) = model.server_param_value(section, server, "verify")
                else {
                    continue;
                };
                // Over the loopback interface nobody can stand in the middle:
                // an unverified certificate there is no risk worth a warning.
                if !tls || verify != "none" || server.host().is_some_and(is_loopback_host) {
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
        // The global default only matters to TLS servers that name no `verify` of their own
        // (and are not on the loopback interface, where no one stands in the middle).
        let governed = || {
            model
                .proxies()
                .filter(|s| s.kind.has_backend())
                .any(|backend| {
                    model.real_servers(backend).any(|server| {
                        model
                            .server_param(backend, server, "ssl")
                            .is_some_and(|p| p.enabled)
                            && model.server_param(backend, server, "verify").is_none()
                            && !server.host().is_some_and(is_loopback_host)
                    })
                })
        };
        for global in model
            .sections
            .iter()
            .filter(|s| s.kind == crate::model::SectionKind::Global)
        {
            for stmt in model.statements_with(global, "ssl-server-verify") {
                if model.value(stmt, 1) == Some("none") && governed() {
                    out.push(
                        Finding::new(
                            Self::ID,
                            model.stmt_span(stmt),
                            "`ssl-server-verify none` turns off certificate verification for \
                            every TLS server"
                                .to_string(),
                        )
                        .note(
                            "servers without their own `verify` then accept any certificate, \
                            whatever their `ca-file`",
                        )
                        .help(
                            "remove it (the default is `required`) and give the servers a \
                            `ca-file` and `sni` or `verifyhost`",
                        ),
                    );
                }
            }
        }
        for site in sites.values() {
            let names: Vec<String> = site
                .servers
                .iter()
                .take(3)
                .map(|(section, server)| {
                    format!(
                        "{}/{}",
                        section.name.as_deref().unwrap_or("?"),
                        server.name.as_deref().unwrap_or("?")
                    )
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
            .note(
                "without verification anyone who can intercept the path to the server can \
                impersonate it, and TLS only protects against passive eavesdropping",
            );
            let has_ca_file = site.servers.iter().all(|(section, server)| {
                model
                    .server_param_value(section, server, "ca-file")
                    .is_some()
            });
            // `verify required` checks the chain only; the certificate's names are
            // checked against `sni` or `verifyhost` when one is set. The fix adds
            // `sni str(<host>)` when every server of the site is the same host name.
            let named = site.servers.iter().all(|(section, server)| {
                model.server_param(section, server, "sni").is_some()
                    || model.server_param(section, server, "verifyhost").is_some()
            });
            let hosts: Vec<&str> = site
                .servers
                .iter()
                .filter_map(|(_, server)| server.host())
                .collect();
            let one_host = hosts.first().copied().filter(|h| {
                hosts.len() == site.servers.len() && hosts.iter().all(|x| x == h) && is_host_name(h)
            });
            // From 3.3 `sni-auto` (on by default) sends the request's Host as SNI,
            // which `verify required` then checks (tests/proofs.rs shows both).
            let sni_auto = cx.target >= Version::new(3, 3);
            let name_check = match (named || sni_auto, one_host) {
                (true, _) => Some(String::new()),
                (false, Some(host)) => Some(format!(" sni str({host})")),
                (false, None) => None,
            };
            let ca = if has_ca_file {
                ""
            } else {
                " ca-file @system-ca"
            };
            match name_check {
                Some(sni) if has_ca_file || cx.target >= SYSTEM_CA_SINCE => {
                    let replacement = format!("verify required{ca}{sni}");
                    let what = if sni.is_empty() {
                        ""
                    } else {
                        "; `sni` makes haproxy check that the certificate carries the \
                        server's name"
                    };
                    finding = finding
                        .help(format!(
                            "use `{replacement}`{}{what}",
                            if has_ca_file {
                                " (the servers already name a `ca-file`)"
                            } else {
                                " (the system trust store)"
                            }
                        ))
                        .fix(Fix::unsafe_(
                            format!("use `{replacement}`"),
                            vec![edits::replace_words(
                                model,
                                site.stmt,
                                site.word as usize,
                                site.word as usize + 2,
                                &replacement,
                            )],
                        ));
                }
                _ => {
                    let ca_hint = if has_ca_file || cx.target >= SYSTEM_CA_SINCE {
                        "`verify required` with a `ca-file` (`@system-ca` for the system store)"
                            .to_string()
                    } else {
                        format!(
                            "`verify required ca-file <file>` with the CA that signed the server \
                            certificates (`@system-ca` needs HAProxy {SYSTEM_CA_SINCE})"
                        )
                    };
                    finding = finding.help(format!(
                        "use {ca_hint}, and `sni` or `verifyhost` with the name the certificates \
                        must carry: without one, haproxy checks the chain but accepts a \
                        certificate issued for any name"
                    ));
                }
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

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;
    use crate::version::Version;

    #[test]
    fn loopback_servers_are_not_flagged() {
        let config = "backend b\n    server a 127.0.0.1:443 ssl verify none\n    \
        server l localhost:443 ssl verify none\n    server r 10.0.0.1:443 ssl verify none\n";
        let found = findings("ssl-verify-none", config);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 4);
    }

    fn fixes(config: &str) -> Vec<String> {
        let mut sources = crate::source::SourceSet::new();
        sources.add("t.cfg", None, config);
        let options = crate::Options {
            select: Some(vec!["ssl-verify-none".to_string()]),
            ..Default::default()
        };
        let report = crate::check(sources, &options);
        report
            .active()
            .map(|f| {
                f.finding
                    .fix
                    .as_ref()
                    .map_or("no fix".to_string(), |fix| fix.title.clone())
            })
            .collect()
    }

    #[test]
    fn the_fix_checks_the_name_too() {
        // `verify required ca-file @system-ca` alone accepts a certificate issued for any name.
        assert_eq!(
            fixes("backend b\n  server s api.example.com:443 ssl verify none\n"),
            vec!["use `verify required ca-file @system-ca sni str(api.example.com)`"]
        );
        assert_eq!(
            fixes(
                "backend b\n  server s api.example.com:443 ssl verify none ca-file /ca.pem \
                verifyhost api\n"
            ),
            vec!["use `verify required`"]
        );
        // An address: no name to check, so no automatic fix, only advice.
        assert_eq!(
            fixes("backend b\n  server s 10.0.0.1:443 ssl verify none\n"),
            vec!["no fix"]
        );
    }

    #[test]
    fn from_3_3_sni_auto_checks_the_host() {
        let mut sources = crate::source::SourceSet::new();
        sources.add(
            "t.cfg",
            None,
            "backend b\n  server s 10.0.0.1:443 ssl verify none\n",
        );
        let options = crate::Options {
            select: Some(vec!["ssl-verify-none".to_string()]),
            target: Version::new(3, 3),
            ..Default::default()
        };
        let report = crate::check(sources, &options);
        let titles: Vec<String> = report
            .active()
            .filter_map(|f| f.finding.fix.as_ref().map(|fix| fix.title.clone()))
            .collect();
        assert_eq!(titles, vec!["use `verify required ca-file @system-ca`"]);
    }

    #[test]
    fn global_ssl_server_verify_none() {
        assert_eq!(
            findings(
                "ssl-verify-none",
                "global\n  ssl-server-verify none\nbackend b\n  server s a.example.com:443 ssl\n"
            )
            .len(),
            1
        );
        assert!(findings("ssl-verify-none", "global\n  ssl-server-verify required\n").is_empty());
        // no TLS server left to the global default: nothing changes
        assert!(
            findings(
                "ssl-verify-none",
                "global\n  ssl-server-verify none\nbackend b\n  server s a.example.com:443\n"
            )
            .is_empty()
        );
    }
}
