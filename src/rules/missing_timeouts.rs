//! Proxies without `timeout client`, `timeout connect` or `timeout server`.

use super::{Context, Rule, list_names};
use crate::finding::{Finding, Fix};
use crate::fix::edits;
use crate::model::{Mode, Section, SectionId};
use std::collections::BTreeMap;

#[derive(Default)]
pub struct MissingTimeouts;

/// What haplint proposes for a missing timeout, and why.
const PROPOSALS: &[(&str, &str)] = &[("connect", "5s"), ("client", "30s"), ("server", "30s")];

/// Whether the timeout is in effect; `Err` holds a `timeout X 0` line that
/// turns it off explicitly (it must be changed where it is, since adding a
/// line to the defaults would not override it).
/// `key` is the id of `timeout <name>`, looked up once per check.
fn set(cx: &Context<'_>, section: &Section, key: Option<u32>) -> Result<bool, crate::model::Stmt> {
    let model = cx.model;
    match key.and_then(|key| model.setting_by_id(section, key)) {
        None => Ok(false),
        Some(setting) => match model
            .value(setting.stmt, 2)
            .and_then(crate::text::parse_duration_ms)
        {
            Some(0) => Err(setting.stmt),
            _ => Ok(true),
        },
    }
}

impl Rule for MissingTimeouts {
    const ID: &'static str = "missing-timeouts";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        // Proxies grouped by the defaults section that should have had the
        // timeouts (or by themselves when they use none), and what is missing.
        let mut groups: BTreeMap<(SectionId, Vec<&str>), Vec<SectionId>> = BTreeMap::new();
        let mut zeroes: BTreeMap<crate::model::Stmt, (&str, Vec<SectionId>)> = BTreeMap::new();
        let key = |name: &str| model.key_id(&format!("timeout {name}"));
        let (client, connect, server) = (key("client"), key("connect"), key("server"));
        for proxy in model.proxies() {
            if model.mode(proxy) == Mode::Other {
                continue;
            }
            let front = proxy.kind.has_frontend();
            let back = proxy.kind.has_backend() && model.real_servers(proxy).next().is_some();
            let needed = [
                ("client", client, front),
                ("connect", connect, back),
                ("server", server, back),
            ];
            let mut missing = Vec::new();
            for (name, key) in needed
                .into_iter()
                .filter(|(_, _, needed)| *needed)
                .map(|(name, key, _)| (name, key))
            {
                match set(cx, proxy, key) {
                    Ok(true) => {}
                    Ok(false) => missing.push(name),
                    Err(stmt) => zeroes
                        .entry(stmt)
                        .or_insert((name, Vec::new()))
                        .1
                        .push(proxy.id),
                }
            }
            if missing.is_empty() {
                continue;
            }
            let home = proxy.defaults.unwrap_or(proxy.id);
            groups.entry((home, missing)).or_default().push(proxy.id);
        }
        for (stmt, (name, proxies)) in zeroes {
            let value = PROPOSALS
                .iter()
                .find(|(n, _)| *n == name)
                .map_or("30s", |(_, v)| *v);
            let names: Vec<String> = proxies
                .iter()
                .map(|&id| model.section(id).display_name())
                .collect();
            out.push(
                Finding::new(
                    Self::ID,
                    model.stmt_span(stmt),
                    format!(
                        "`timeout {name} 0` turns the timeout off for {}",
                        list_names(names.iter().map(String::as_str))
                    ),
                )
                .note("a zero timeout means no timeout: a silent peer holds its connection forever")
                .help(format!("use `timeout {name} {value}`"))
                .fix(Fix::unsafe_(
                    format!("use `timeout {name} {value}`"),
                    vec![edits::replace_word(model, stmt, 2, value)],
                )),
            );
        }
        for ((home, missing), proxies) in groups {
            let home_section = model.section(home);
            let names: Vec<String> = proxies
                .iter()
                .map(|&id| model.section(id).display_name())
                .collect();
            let timeouts: Vec<String> = missing.iter().map(|m| format!("`timeout {m}`")).collect();
            let lines: Vec<String> = PROPOSALS
                .iter()
                .filter(|(name, _)| missing.contains(name))
                .map(|(name, value)| format!("timeout {name} {value}"))
                .collect();
            let anchor = edits::section_end_anchor(home_section);
            let indent = edits::body_indent(model, home_section);
            let (_, eol) = edits::layout(model, anchor);
            let edit = edits::insert_statement_after(
                model,
                anchor,
                &indent,
                &lines.join(&format!("{eol}{indent}")),
            );
            let place = if home_section.kind == crate::model::SectionKind::Defaults {
                "the defaults section they use".to_string()
            } else {
                home_section.display_name()
            };
            out.push(
                Finding::new(
                    Self::ID,
                    model.stmt_span(home_section.header),
                    format!(
                        "no {} for {}",
                        timeouts.join(", "),
                        list_names(names.iter().map(String::as_str))
                    ),
                )
                .note(
                    "without these timeouts a silent client or server holds its connection \
                     forever; under load such connections pile up until maxconn is reached \
                     and new clients wait (haproxy warns about this at startup)",
                )
                .help(format!(
                    "add {} to {place}: 5s to connect is generous on a LAN or within \
                     a region, and 30s of inactivity covers ordinary requests; raise \
                     `timeout server` only for endpoints known to be slow",
                    lines
                        .iter()
                        .map(|l| format!("`{l}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .fix(Fix::unsafe_(
                    format!("add {}", lines.join(", ")),
                    vec![edit],
                )),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "missing-timeouts";

    #[test]
    fn grouped_under_the_shared_defaults() {
        let found = findings(
            ID,
            "defaults\n  mode http\nfrontend f\n  bind :80\
             \n  default_backend b\nbackend b\n  server s 10.0.0.1:80\n",
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.iter().all(|(line, _)| *line == 1));
    }

    #[test]
    fn an_explicit_zero_is_changed_where_it_is() {
        let found = findings(
            ID,
            "defaults\n  timeout connect 5s\n  timeout server 30s\
             \nbackend b\n  timeout connect 0s\n  server s 10.0.0.1:80\n",
        );
        assert_eq!(
            found,
            vec![(
                5,
                "`timeout connect 0` turns the timeout off for backend b".to_string()
            )]
        );
    }

    #[test]
    fn set_or_inherited_timeouts_are_fine() {
        assert!(
            findings(
                ID,
                "defaults\n  timeout client 30s\n  timeout connect 5s\
                 \n  timeout server 30s\nlisten l\n  bind :80\n  server s 10.0.0.1:80\n"
            )
            .is_empty()
        );
        assert_eq!(
            findings(
                ID,
                "backend b\n  timeout connect 5s\n  server s 10.0.0.1:80\n"
            )
            .len(),
            1
        );
    }
}
