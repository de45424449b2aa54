//! HTTP frontends without `timeout http-request` (slow headers).

use super::{Context, Rule, list_names};
use crate::finding::{Finding, Fix};
use crate::fix::edits;
use crate::model::{Mode, SectionId};
use std::collections::BTreeMap;

#[derive(Default)]
pub struct MissingTimeoutHttpRequest;

impl Rule for MissingTimeoutHttpRequest {
    const ID: &'static str = "missing-timeout-http-request";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let mut groups: BTreeMap<SectionId, Vec<SectionId>> = BTreeMap::new();
        for frontend in model.proxies().filter(|s| s.kind.has_frontend()) {
            if model.mode(frontend) != Mode::Http || frontend.binds.is_empty() {
                continue;
            }
            if model.setting(frontend, "timeout http-request").is_some() {
                continue;
            }
            groups
                .entry(frontend.defaults.unwrap_or(frontend.id))
                .or_default()
                .push(frontend.id);
        }
        for (home, frontends) in groups {
            let home_section = model.section(home);
            let names: Vec<String> = frontends
                .iter()
                .map(|&id| model.section(id).display_name())
                .collect();
            let client = model
                .setting_value(
                    model.section(frontends.first().copied().unwrap_or(home)),
                    "timeout client",
                )
                .map(|(v, _)| format!("`timeout client {v}`"))
                .unwrap_or_else(|| "`timeout client`".to_string());
            let anchor = edits::section_end_anchor(home_section);
            let indent = edits::body_indent(model, home_section);
            out.push(
                Finding::new(
                    Self::ID,
                    model.stmt_span(home_section.header),
                    format!(
                        "no `timeout http-request` for {}: a client may \
                         take up to {client} to send its request headers",
                        list_names(names.iter().map(String::as_str))
                    ),
                )
                .note(
                    "a client that sends its headers a byte at a time keeps \
                     a connection busy for the whole client timeout; a few \
                     thousand such clients (slowloris) exhaust maxconn",
                )
                .help(format!(
                    "add `timeout http-request 10s` to {}: complete request headers \
                     rarely take more than a second or two, even on mobile networks",
                    home_section.display_name()
                ))
                .fix(Fix::unsafe_(
                    "add `timeout http-request 10s`",
                    vec![edits::insert_statement_after(
                        model,
                        anchor,
                        &indent,
                        "timeout http-request 10s",
                    )],
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "missing-timeout-http-request";

    #[test]
    fn http_frontends_only() {
        assert_eq!(
            findings(ID, "frontend f\n  mode http\n  bind :80\n").len(),
            1
        );
        assert!(findings(ID, "frontend f\n  bind :80\n").is_empty());
        assert!(
            findings(
                ID,
                "defaults\n  mode http\n  timeout http-request 5s\nfrontend f\n  bind :80\n"
            )
            .is_empty()
        );
    }
}
