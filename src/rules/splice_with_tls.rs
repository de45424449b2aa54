//! `option splice-*` where TLS makes kernel splicing impossible.

use super::{Context, Rule, list_names};
use crate::finding::{Finding, Fix};
use crate::fix::edits;
use crate::model::{Section, Stmt};
use std::collections::BTreeMap;

#[derive(Default)]
pub struct SpliceWithTls;

const SPLICE_OPTIONS: &[&str] = &["splice-auto", "splice-request", "splice-response"];

impl SpliceWithTls {
    /// Why no stream through this proxy can ever be spliced, if that is so.
    fn why_never(cx: &Context<'_>, proxy: &Section) -> Option<String> {
        let model = cx.model;
        // From 3.3, `ktls on` lets the kernel do the TLS, and such connections
        // can be spliced again.
        if cx.target >= crate::version::Version::new(3, 3)
            && (ktls_on(cx, proxy)
                || model
                    .backends_used_by(proxy.id)
                    .iter()
                    .any(|&b| ktls_on(cx, model.section(b))))
        {
            return None;
        }
        let name = proxy.display_name();
        if proxy.kind.has_backend() && model.all_servers_tls(proxy) {
            return Some(format!("{name} speaks TLS to all its servers"));
        }
        if proxy.kind.has_frontend() {
            let binds = &proxy.binds;
            if !binds.is_empty() && binds.iter().all(|b| b.is_tls()) {
                return Some(format!("{name} terminates TLS on all its listeners"));
            }
            let backends = model.backends_used_by(proxy.id);
            if !backends.is_empty()
                && backends
                    .iter()
                    .all(|&b| model.all_servers_tls(model.section(b)))
            {
                return Some(format!(
                    "every backend {name} routes to speaks TLS to its servers"
                ));
            }
        }
        None
    }
}

/// Whether `ktls on` appears on a bind, server or default-server line of the
/// section or of the defaults section it takes settings from.
fn ktls_on(cx: &Context<'_>, section: &Section) -> bool {
    let model = cx.model;
    let defaults = section.defaults.map(|id| model.section(id));
    std::iter::once(section).chain(defaults).any(|s| {
        s.statements.iter().any(|&stmt| {
            matches!(
                model.value(stmt, 0),
                Some("bind" | "server" | "default-server" | "server-template")
            ) && (1..64)
                .map_while(|i| model.value(stmt, i))
                .collect::<Vec<_>>()
                .windows(2)
                .any(|w| w == ["ktls", "on"])
        })
    })
}

impl Rule for SpliceWithTls {
    const ID: &'static str = "splice-with-tls";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let mut sites: BTreeMap<Stmt, (String, Vec<String>, bool)> = BTreeMap::new();
        for proxy in model.proxies() {
            for option in SPLICE_OPTIONS {
                let Some(setting) = model.option_enabled(proxy, option) else {
                    continue;
                };
                let Some(reason) = Self::why_never(cx, proxy) else {
                    continue;
                };
                let site = sites
                    .entry(setting.stmt)
                    .or_insert_with(|| (option.to_string(), Vec::new(), setting.inherited));
                if !site.1.contains(&reason) {
                    site.1.push(reason);
                }
            }
        }
        for (stmt, (option, reasons, _)) in sites {
            out.push(
                Finding::new(
                    Self::ID,
                    model.stmt_span(stmt),
                    format!(
                        "`option {option}` can never splice here: {}",
                        list_names(reasons.iter().map(String::as_str))
                    ),
                )
                .note(
                    "kernel splicing hands raw bytes from one socket to the other; TLS is \
                    encrypted and decrypted in haproxy itself, so such connections are never \
                    spliced and the option only adds work",
                )
                .help(format!("remove `option {option}`"))
                .fix(Fix::unsafe_(
                    format!("remove `option {option}`"),
                    vec![edits::delete_statement(model, stmt)],
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "splice-with-tls";

    #[test]
    fn fires_once_for_defaults_inherited_by_tls_proxies() {
        let found = findings(
            ID,
            "defaults\n  option splice-auto\nfrontend f\n  bind :443 ssl crt /x.pem\n  \
            default_backend b\nbackend b\n  server s 10.0.0.1:443 ssl verify none\n",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 2);
    }

    #[test]
    fn plain_tcp_and_negated_options_are_fine() {
        assert!(
            findings(
                ID,
                "defaults\n  option splice-auto\nlisten l\n  bind :80\n  server s 10.0.0.1:80\n"
            )
            .is_empty()
        );
        assert!(
            findings(
                ID,
                "defaults\n  option splice-auto\nbackend b\n  no option splice-auto\n  \
                server s 10.0.0.1:443 ssl\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn ktls_from_3_3_can_splice() {
        let config =
            "backend b\n  option splice-auto\n  server s 10.0.0.1:443 ssl verify none ktls on\n";
        let at = |major, minor| {
            let options = crate::Options {
                target: crate::version::Version::new(major, minor),
                ..Default::default()
            };
            crate::rules::testing::findings_with(ID, config, options).len()
        };
        assert_eq!(at(3, 2), 1);
        assert_eq!(at(3, 3), 0);
    }

    #[test]
    fn mixed_listeners_do_not_fire_on_the_frontend() {
        assert!(
            findings(
                ID,
                "frontend f\n  option splice-request\n  bind :80\n  bind :443 ssl crt /x.pem\n  \
                default_backend b\nbackend b\n  server s 10.0.0.1:80\n"
            )
            .is_empty()
        );
    }
}
