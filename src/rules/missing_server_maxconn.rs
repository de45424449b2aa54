//! Servers without `maxconn`: haproxy never queues, so bursts land on the upstream.

use super::{Context, Rule};
use crate::finding::{Finding, Fix};
use crate::fix::edits;
use crate::model::{Section, ServerKind};

#[derive(Default)]
pub struct MissingServerMaxconn;

/// haproxy's frontend `maxconn` when neither the frontend nor `global` sets one
/// is derived from the system's file limits; this stands in for it.
const ASSUMED_CONCURRENCY: usize = 3000;

impl MissingServerMaxconn {
    /// The concurrency that can reach a backend, and where the number comes from.
    fn incoming(cx: &Context<'_>, backend: &Section, global: Option<usize>) -> (usize, String) {
        let model = cx.model;
        let maxconn_of = |section: &Section| {
            model
                .setting_value(section, "maxconn")
                .and_then(|(v, _)| v.parse::<usize>().ok())
        };
        let mut fronts: Vec<&Section> = model
            .frontends_using(backend.id)
            .iter()
            .map(|&id| model.section(id))
            .collect();
        if backend.kind.has_frontend() {
            fronts.push(backend);
        }
        let limited: Vec<(String, usize)> = fronts
            .iter()
            .filter_map(|f| maxconn_of(f).map(|m| (f.display_name(), m)))
            .collect();
        if !limited.is_empty() && limited.len() == fronts.len() {
            let total = limited.iter().map(|(_, m)| m).sum();
            let parts: Vec<String> = limited
                .iter()
                .map(|(n, m)| format!("{n} maxconn {m}"))
                .collect();
            return (total, parts.join(" + "));
        }
        match global {
            Some(global) => (global, format!("global maxconn {global}")),
            None => (
                ASSUMED_CONCURRENCY,
                format!(
                    "an assumed {ASSUMED_CONCURRENCY} concurrent connections (no maxconn is set)"
                ),
            ),
        }
    }
}

impl Rule for MissingServerMaxconn {
    const ID: &'static str = "missing-server-maxconn";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let global = model.global_maxconn().map(|(_, v)| v as usize);
        // In the default tier the advice is given only where the backend shows
        // it relies on queueing (its own `timeout queue`: the one inherited
        // from `defaults` is mostly the stock RHEL file's, and labelled
        // findings there were noise, see tests/labels) or its upstream is
        // known; asked for by name, it is given for every backend.
        let everywhere = cx.asked_for(Self::ID);
        for backend in model.proxies().filter(|s| s.kind.has_backend()) {
            if !everywhere
                && model
                    .setting(backend, "timeout queue")
                    .is_none_or(|setting| setting.inherited)
                && !cx.knows_upstream_of(backend)
            {
                continue;
            }
            let lacking: Vec<_> = model
                .real_servers(backend)
                .filter(|s| {
                    model
                        .server_param_value(backend, s, "maxconn")
                        .is_none_or(|(v, _)| v == "0")
                })
                .collect();
            let Some(first) = lacking.first() else {
                continue;
            };
            let servers: usize = model
                .real_servers(backend)
                .map(|s| model.server_count(s))
                .sum();
            let unlimited: usize = lacking.iter().map(|s| model.server_count(s)).sum();
            let (incoming, source) = Self::incoming(cx, backend, global);
            let per_server = incoming.div_ceil(servers.max(1)).max(1);
            let name = backend.name.as_deref().unwrap_or("?");
            let queue = model
                .setting_value(backend, "timeout queue")
                .map(|(v, _)| format!(", and `timeout queue {v}` never applies"))
                .unwrap_or_default();
            let what = if unlimited == 1 {
                "a server of backend".to_string()
            } else {
                format!("{unlimited} servers of backend")
            };
            let verb = if unlimited == 1 { "has" } else { "have" };
            let mut finding = Finding::new(
                Self::ID,
                model.stmt_span(first.stmt),
                format!(
                    "{what} {name} {verb} no `maxconn`: haproxy \
                     never queues requests for {}{queue}",
                    if unlimited == 1 { "it" } else { "them" }
                ),
            )
            .note(
                "without a per-server limit every burst is passed straight to the upstream, \
                 which absorbs it as slow responses; with a limit, haproxy holds the excess \
                 in its queue, where `timeout queue` and `option redispatch` can act",
            )
            .help(format!(
                "set `maxconn {per_server}` on the servers: {incoming} concurrent \
                 connections can reach this backend ({source}), spread over {servers} \
                 server{}; {incoming} / {servers} = {per_server}, so the backend as a \
                 whole still accepts everything the frontends let in while no server \
                 gets more than its share. Lower it to what one server really handles",
                if servers == 1 { "" } else { "s" }
            ));
            let own_default = backend
                .servers
                .iter()
                .rev()
                .find(|s| s.kind == ServerKind::Default && s.stmt < first.stmt);
            // An explicit `maxconn 0` (no limit), or a `maxconn` with its value
            // missing, overrides any default-server line, so it is completed
            // where it is written.
            let written = model.server_param(backend, first, "maxconn").filter(|p| {
                p.enabled
                    && model
                        .value(p.stmt, p.word as usize + 1)
                        .is_none_or(|v| v == "0")
            });
            let edit = match (written, own_default) {
                (Some(param), _) => match model.value(param.stmt, param.word as usize + 1) {
                    Some(_) => edits::replace_word(
                        model,
                        param.stmt,
                        param.word as usize + 1,
                        &per_server.to_string(),
                    ),
                    None => crate::finding::Edit {
                        span: crate::source::Span::empty_at(
                            param.stmt.file,
                            model.word_span(param.stmt, param.word as usize).end,
                        ),
                        replacement: format!(" {per_server}"),
                    },
                },
                (None, Some(default)) => {
                    edits::append_words(model, default.stmt, &format!("maxconn {per_server}"))
                }
                (None, None) => {
                    let indent = edits::body_indent(model, backend);
                    edits::insert_statement_after(
                        model,
                        backend.header,
                        &indent,
                        &format!("default-server maxconn {per_server}"),
                    )
                }
            };
            finding = finding.fix(Fix::unsafe_(
                format!("limit the servers of backend {name} to `maxconn {per_server}`"),
                vec![edit],
            ));
            if first.stmt != backend.header {
                finding = finding.label(model.stmt_span(backend.header), format!("backend {name}"));
            }
            out.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{findings, fixed_by};

    const ID: &str = "missing-server-maxconn";

    #[test]
    fn sized_from_the_frontend_and_template_count() {
        let config = "global\n  maxconn 25000\ndefaults\n  mode http\n  timeout queue 30s\
                      \nfrontend f\n  maxconn 8000\n  bind :80\n  default_backend b\
                      \nbackend b\n  server-template alb 5 alb.example.com:443 ssl\n";
        let found = findings(ID, config);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, 11);
        assert!(found[0].1.contains("5 servers"), "{}", found[0].1);
        assert!(found[0].1.contains("`timeout queue 30s` never applies"));
    }

    #[test]
    fn an_explicit_zero_is_replaced_where_written() {
        let config = "backend b\n  server s 10.0.0.1:80 maxconn 0\n";
        let fixed = fixed_by(ID, config);
        assert!(fixed.converged);
        assert_eq!(
            fixed.text,
            "backend b\n  server s 10.0.0.1:80 maxconn 3000\n"
        );
    }

    #[test]
    fn inherited_maxconn_is_enough() {
        assert!(
            findings(
                ID,
                "defaults\n  default-server maxconn 100\nbackend b\n  server a 10.0.0.1:80\n"
            )
            .is_empty()
        );
        assert!(findings(ID, "backend b\n").is_empty());
    }

    #[test]
    fn in_the_default_tier_only_where_the_backend_relies_on_queueing() {
        use crate::{Options, check, source::SourceSet};
        let config = "defaults\n    timeout queue 1m\nbackend inherited\n    server a 10.0.0.1:80\
                      \nbackend own\n    timeout queue 5s\n    server a 10.0.0.1:80\nbackend alb\
                      \n    server a x.eu-west-1.elb.amazonaws.com:80\n";
        let mut sources = SourceSet::new();
        sources.add("t.cfg", None, config);
        let report = check(sources, &Options::default());
        let lines: Vec<u32> = report
            .active()
            .filter(|f| f.finding.rule == ID)
            .map(|f| {
                report.sources.files()[0]
                    .position(f.finding.primary.span.start)
                    .line
            })
            .collect();
        assert_eq!(lines, vec![7, 9]);
        // Asked for by name, every backend.
        assert_eq!(findings(ID, config).len(), 3);
    }
}
