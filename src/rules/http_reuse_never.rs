//! `http-reuse never`: every request opens its own server connection.

use super::{Context, Rule, list_names};
use crate::finding::{Finding, Fix};
use crate::fix::edits;
use crate::model::Stmt;
use std::collections::BTreeMap;

#[derive(Default)]
pub struct HttpReuseNever;

impl Rule for HttpReuseNever {
    const ID: &'static str = "http-reuse-never";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let mut sites: BTreeMap<Stmt, Vec<&str>> = BTreeMap::new();
        for backend in model.http_backends() {
            if let Some(("never", setting)) = model.setting_value(backend, "http-reuse") {
                sites
                    .entry(setting.stmt)
                    .or_default()
                    .push(backend.name.as_deref().unwrap_or("?"));
            }
        }
        for (stmt, backends) in sites {
            out.push(
                Finding::new(
                    Self::ID,
                    model.stmt_span(stmt),
                    format!(
                        "`http-reuse never` gives every request of \
                         backend {} a server connection of its own",
                        list_names(backends)
                    ),
                )
                .note(
                    "idle server connections are never shared between clients, so new \
                     clients always pay a connection (and TLS) setup; `never` is \
                     meant for cancelling an inherited mode or troubleshooting an \
                     application that assumes one client per connection (haproxy \
                     already keeps connections with NTLM-style authentication private)",
                )
                .help(
                    "use `http-reuse safe` (the default) unless \
                     the servers authenticate per connection",
                )
                .fix(Fix::unsafe_(
                    "use `http-reuse safe`",
                    vec![edits::replace_word(model, stmt, 1, "safe")],
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn fires_where_written() {
        let found = findings(
            "http-reuse-never",
            "defaults\n  mode http\n  http-reuse never\nbackend a\n  server s 10.0.0.1:80\
             \nbackend b\n  http-reuse safe\n  server s 10.0.0.1:80\n",
        );
        assert_eq!(
            found,
            vec![(
                3,
                "`http-reuse never` gives every request of \
                 backend a a server connection of its own"
                    .to_string()
            )]
        );
    }
}
