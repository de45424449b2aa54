//! `rise 1`: one lucky health check puts a failing server back in rotation.

use super::{Context, Rule, param_sites, server_names};
use crate::finding::{Finding, Fix};
use crate::fix::edits;

#[derive(Default)]
pub struct Rise1Flapping;

impl Rule for Rise1Flapping {
    const ID: &'static str = "rise-1-flapping";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let sites = param_sites(model, "rise", |section, server, param| {
            // The value first: the line is usually a shared default-server line.
            param.enabled
                && model.value(param.stmt, param.word as usize + 1) == Some("1")
                && model
                    .server_param(section, server, "check")
                    .is_some_and(|p| p.enabled)
        });
        for site in sites {
            let fall = site
                .servers
                .first()
                .and_then(|(section, server)| model.server_param_value(section, server, "fall"))
                .map(|(v, _)| v.to_string())
                .unwrap_or_else(|| "3".to_string());
            out.push(
                Finding::new(
                    Self::ID,
                    model.words_span(site.stmt, site.word, site.word + 2),
                    format!(
                        "`rise 1` returns {} to service after a single successful check",
                        server_names(&site.servers)
                    ),
                )
                .note(format!(
                    "a failing upstream that answers one check in {fall} goes back into rotation \
                    between failures and takes traffic it cannot serve (flapping); haproxy's \
                    default is `rise 2`"
                ))
                .help(
                    "use `rise 2` (or more), so a server must pass checks twice in a row before it \
                    gets traffic again",
                )
                .fix(Fix::unsafe_(
                    "use `rise 2`",
                    vec![edits::replace_word(model, site.stmt, site.word + 1, "2")],
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn once_where_written_and_only_with_checks() {
        let found = findings(
            "rise-1-flapping",
            "defaults\n  default-server inter 6s rise 1 fall 3\nbackend a\n  \
            server s 10.0.0.1:80 check\nbackend b\n  server s 10.0.0.2:80 check\n",
        );
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, 2);
        assert!(
            findings(
                "rise-1-flapping",
                "backend a\n  server s 10.0.0.1:80 rise 1\n"
            )
            .is_empty()
        );
    }
}
