//! `option http-server-close` / `httpclose` throwing away every server connection.

use super::{Context, Rule};
use crate::finding::{Finding, Fix};
use crate::fix::edits;
use crate::model::{HttpConnectionMode, Section, SectionId, Setting, Stmt};
use std::collections::BTreeMap;

#[derive(Default)]
pub struct ServerCloseDefeatsReuse;

/// A closing option written once, and the backends it ends up closing.
struct Site {
    setting: Setting,
    mode: HttpConnectionMode,
    backends: Vec<SectionId>,
    tls: bool,
}

impl ServerCloseDefeatsReuse {
    /// The closing option that applies to the server side of `backend`: its own
    /// (inherited) one, or the strongest one of the frontends routing to it —
    /// haproxy applies the stronger of the two modes (§4 "Proxies").
    fn closing_settings(cx: &Context<'_>, backend: &Section) -> Vec<(HttpConnectionMode, Setting)> {
        let model = cx.model;
        let mut found = Vec::new();
        let (mode, setting) = model.http_connection_mode(backend);
        if let (true, Some(setting)) = (mode > HttpConnectionMode::KeepAlive, setting) {
            found.push((mode, setting));
        }
        let frontends = model
            .frontends_using(backend.id)
            .iter()
            .map(|&id| model.section(id))
            .filter(|f| f.id != backend.id);
        for frontend in frontends {
            let (mode, setting) = model.http_connection_mode(frontend);
            if let (true, Some(setting)) = (mode > HttpConnectionMode::KeepAlive, setting)
                && !found
                    .iter()
                    .any(|(_, s): &(HttpConnectionMode, Setting)| s.stmt == setting.stmt)
            {
                found.push((mode, setting));
            }
        }
        found
    }
}

impl Rule for ServerCloseDefeatsReuse {
    const ID: &'static str = "server-close-defeats-reuse";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let mut sites: BTreeMap<Stmt, Site> = BTreeMap::new();
        // In the default tier, only toward upstreams haplint knows (a fact or
        // a cloud load balancer's name), where reuse certainly matters; asked
        // for by name, every HTTP backend.
        let everywhere = cx.asked_for(Self::ID);
        for backend in model.http_backends() {
            if !everywhere && !cx.knows_upstream_of(backend) {
                continue;
            }
            let closing = Self::closing_settings(cx, backend);
            if closing.is_empty() {
                continue;
            }
            let tls = model.real_servers(backend).any(|s| {
                model
                    .server_param(backend, s, "ssl")
                    .is_some_and(|p| p.enabled)
            });
            for (mode, setting) in closing {
                let site = sites.entry(setting.stmt).or_insert_with(|| Site {
                    setting,
                    mode,
                    backends: Vec::new(),
                    tls: false,
                });
                site.backends.push(backend.id);
                site.tls |= tls;
            }
        }
        for site in sites.values() {
            let stmt = site.setting.stmt;
            let option = model.values(stmt).collect::<Vec<_>>().join(" ");
            let names: Vec<&str> = site
                .backends
                .iter()
                .take(3)
                .filter_map(|&id| model.section(id).name.as_deref())
                .collect();
            let more = site.backends.len().saturating_sub(names.len());
            let mut who = names.join(", ");
            if more > 0 {
                who.push_str(&format!(" and {more} more"));
            }
            let plural = if site.backends.len() == 1 { "" } else { "s" };
            let cost = if site.tls {
                "a new TCP connection and TLS handshake (abbreviated: haproxy resumes server TLS \
                sessions by default)"
            } else {
                "a new TCP connection"
            };
            let what = match site.mode {
                HttpConnectionMode::Close => "closes client and server connections",
                _ => "closes the server connection",
            };
            let holder = model.section(site.setting.section);
            let mut finding = Finding::new(
                Self::ID,
                model.stmt_span(stmt),
                format!(
                    "`{option}` {what} after every response, so each request to backend{plural} \
                    {who} pays {cost}"
                ),
            )
            .note(
                "no idle server connection is ever kept, so `http-reuse` has nothing to reuse; \
                under load the extra handshakes, ephemeral ports and upstream connection setups \
                show up as stalls (Tc > 0 on every request)",
            )
            .help(format!(
                "remove `{option}` from {} and rely on keep-alive with `http-reuse`; keep it only \
                in a backend whose servers mishandle keep-alive",
                holder.display_name()
            ))
            .fix(Fix::unsafe_(
                format!("remove `{option}`"),
                vec![edits::delete_statement(model, stmt)],
            ));
            if site.setting.inherited
                && let Some(&first) = site.backends.first()
            {
                let backend = model.section(first);
                finding = finding.label(
                    model.stmt_span(backend.header),
                    format!("inherited by {}", backend.display_name()),
                );
            }
            out.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::source::SourceSet;
    use crate::{Options, check};

    fn findings(config: &str) -> Vec<(u32, String)> {
        let mut sources = SourceSet::new();
        sources.add("t.cfg", None, config);
        let report = check(
            sources,
            &Options {
                select: Some(vec!["server-close-defeats-reuse".into()]),
                ..Options::default()
            },
        );
        report
            .active()
            .filter(|f| f.finding.rule == "server-close-defeats-reuse")
            .map(|f| {
                let file = report.sources.get(f.finding.primary.span.file);
                let line = file.map_or(0, |file| file.position(f.finding.primary.span.start).line);
                (line, f.finding.message.clone())
            })
            .collect()
    }

    #[test]
    fn reported_once_where_written_for_all_backends() {
        let found = findings(
            "defaults\n  mode http\n  option http-server-close\nbackend a\n  server s 10.0.0.1:80\
            \nbackend b\n  server s 10.0.0.2:80\n",
        );
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 3);
        assert!(found[0].1.contains("backends a, b"), "{}", found[0].1);
    }

    #[test]
    fn own_keep_alive_or_negation_overrides_inherited_close() {
        let config = "defaults\n  mode http\n  option http-server-close\nbackend a\n  \
        option http-keep-alive\n  server s 10.0.0.1:80\nbackend b\n  no option http-server-close\
        \n  server s 10.0.0.2:80\n";
        assert!(findings(config).is_empty());
    }

    #[test]
    fn frontend_close_applies_to_its_backends() {
        let config = "defaults\n  mode http\nfrontend f\n  bind :80\n  option httpclose\n  \
        default_backend b\nbackend b\n  server s 10.0.0.2:443 ssl verify none\n";
        let found = findings(config);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 5);
        assert!(found[0].1.contains("TLS handshake"));
    }

    #[test]
    fn tcp_mode_and_serverless_backends_are_ignored() {
        assert!(
            findings("defaults\n  option http-server-close\nbackend a\n  server s 10.0.0.1:80\n")
                .is_empty()
        );
        assert!(
            findings("defaults\n  mode http\n  option http-server-close\nbackend a\n").is_empty()
        );
    }
}
