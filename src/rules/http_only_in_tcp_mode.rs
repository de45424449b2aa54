//! HTTP-only settings and rules in a proxy in TCP mode: haproxy ignores them
//! (or falls back to a TCP equivalent) with a warning.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::{Mode, Section, Stmt};
use rustc_hash::FxHashSet as HashSet;

#[derive(Default)]
pub struct HttpOnlyInTcpMode;

/// Options haproxy ignores outside HTTP mode, with the sides they concern
/// (frontend, backend) and what happens instead.
const OPTIONS: [(&str, bool, bool, &str); 4] = [
    (
        "httplog",
        true,
        false,
        "haproxy logs in `option tcplog` format instead",
    ),
    (
        "httpslog",
        true,
        false,
        "haproxy logs in `option tcplog` format instead",
    ),
    (
        "forwardfor",
        true,
        true,
        "no `X-Forwarded-For` header is added",
    ),
    ("http-buffer-request", false, true, "nothing is buffered"),
];

/// Rule sets haproxy ignores outside HTTP mode.
const RULES: [&str; 3] = ["http-request", "http-response", "http-after-response"];

impl HttpOnlyInTcpMode {
    fn finding(
        cx: &Context<'_>,
        section: &Section,
        stmt: Stmt,
        words: usize,
        what: &str,
        instead: &str,
    ) -> Finding {
        let model = cx.model;
        let mut finding = Finding::new(
            <Self as Rule>::ID,
            model.words_span(stmt, 0, words),
            format!(
                "`{what}` needs `mode http`, but {} is in TCP mode: {instead}",
                section.display_name()
            ),
        )
        .note(
            "haproxy applies HTTP settings and rules only to proxies \
             in HTTP mode, and warns that it ignores them elsewhere",
        )
        .help(format!(
            "set `mode http` in {} if it carries HTTP, or remove `{what}`",
            section.display_name()
        ));
        if stmt.file != section.header.file || !section.statements.contains(&stmt) {
            finding = finding.label(
                model.word_span(section.header, 1),
                format!("{} inherits it", section.display_name()),
            );
        }
        finding
    }
}

impl Rule for HttpOnlyInTcpMode {
    const ID: &'static str = "http-only-in-tcp-mode";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let rules = model.key_set(&RULES);
        // An inherited option is reported once, where it is written.
        let mut reported: HashSet<Stmt> = HashSet::default();
        for section in model.proxies() {
            if model.mode(section) != Mode::Tcp
                || cx.activity(section.header) != crate::syntax::Activity::Active
                || switches_to_http(cx, section)
            {
                continue;
            }
            for (name, front, back, instead) in OPTIONS {
                if !((front && section.kind.has_frontend()) || (back && section.kind.has_backend()))
                {
                    continue;
                }
                let Some((true, setting)) = model.option(section, name) else {
                    continue;
                };
                if cx.activity(setting.stmt) == crate::syntax::Activity::Active
                    && reported.insert(setting.stmt)
                {
                    out.push(Self::finding(
                        cx,
                        section,
                        setting.stmt,
                        2,
                        &format!("option {name}"),
                        instead,
                    ));
                }
            }
            // One finding per rule set, on its first rule: haproxy ignores the whole set.
            let mut seen = [false; RULES.len()];
            for (stmt, _) in model.statements_in(section, &rules) {
                if cx.activity(stmt) != crate::syntax::Activity::Active {
                    continue;
                }
                let Some(kind) = model
                    .value(stmt, 0)
                    .and_then(|w| RULES.iter().position(|r| *r == w))
                else {
                    continue;
                };
                if !std::mem::replace(&mut seen[kind], true) {
                    out.push(Self::finding(
                        cx,
                        section,
                        stmt,
                        1,
                        RULES[kind],
                        &format!("haproxy ignores every `{}` rule here", RULES[kind]),
                    ));
                }
            }
        }
    }
}

/// Whether a `tcp-request content switch-mode http` rule can turn the
/// proxy's streams into HTTP ones: its HTTP settings then apply.
fn switches_to_http(cx: &Context<'_>, section: &Section) -> bool {
    let model = cx.model;
    model.statements_with(section, "tcp-request").any(|stmt| {
        let mut words = model.values(stmt).skip(1);
        words.next() == Some("content")
            && words.next() == Some("switch-mode")
            && words.next() == Some("http")
    })
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn http_settings_in_tcp_proxies() {
        let config = "defaults\n  mode tcp\n  option httplog\nfrontend fe\n  bind :80\
                      \n  option forwardfor\n  http-request deny if FALSE\
                      \n  http-request deny if TRUE\n  default_backend be\
                      \nfrontend fe2\n  bind :81\n  default_backend be\nbackend be\
                      \n  option http-buffer-request\n  server s 10.0.0.1:80\n";
        let lines: Vec<u32> = findings("http-only-in-tcp-mode", config)
            .iter()
            .map(|(l, _)| *l)
            .collect();
        assert_eq!(lines, vec![3, 6, 7, 14]);
        let http = "defaults\n  mode http\n  option httplog\n  option forwardfor\
                    \nfrontend fe\n  bind :80\n  http-request deny if FALSE\
                    \n  default_backend be\nbackend be\n  server s 10.0.0.1:80\n";
        assert!(findings("http-only-in-tcp-mode", http).is_empty());
        let upgraded = "frontend fe\n  bind :80\n  tcp-request content switch-mode http if HTTP\
                        \n  http-request set-header x-a b\n  default_backend be\nbackend be\
                        \n  mode http\n  server s 10.0.0.1:80\n";
        assert!(findings("http-only-in-tcp-mode", upgraded).is_empty());
    }
}
