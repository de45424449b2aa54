//! The statistics page exposed without authentication.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::Section;

#[derive(Default)]
pub struct StatsWithoutAuth;

fn enabled_by(cx: &Context<'_>, proxy: &Section) -> Option<crate::model::Setting> {
    ["stats enable", "stats uri", "stats admin"]
        .iter()
        .find_map(|key| cx.model.setting(proxy, key))
}

fn protected(cx: &Context<'_>, proxy: &Section) -> bool {
    let model = cx.model;
    if model.setting(proxy, "stats auth").is_some()
        || model.setting(proxy, "stats http-request").is_some()
    {
        return true;
    }
    let guarded = proxy.statements.iter().any(|&stmt| {
        model.value(stmt, 0) == Some("http-request")
            && matches!(
                model.value(stmt, 1),
                Some("auth" | "deny" | "reject" | "tarpit")
            )
    });
    let local_only = !proxy.binds.is_empty()
        && proxy.binds.iter().all(|b| {
            b.address.as_deref().is_some_and(|a| {
                let host = crate::model::split_address(a).0;
                host == "127.0.0.1"
                    || host == "localhost"
                    || host == "::1"
                    || a.starts_with("unix@")
                    || a.starts_with('/')
            })
        });
    guarded || local_only
}

impl Rule for StatsWithoutAuth {
    const ID: &'static str = "stats-without-auth";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for proxy in model.proxies().filter(|s| s.kind.has_frontend()) {
            let Some(setting) = enabled_by(cx, proxy) else {
                continue;
            };
            if protected(cx, proxy) {
                continue;
            }
            let admin = model.setting(proxy, "stats admin").is_some();
            let mut finding = Finding::new(
                Self::ID,
                model.stmt_span(setting.stmt),
                format!(
                    "the statistics page of {} is open to anyone who reaches it{}",
                    proxy.display_name(),
                    if admin { ", with admin actions" } else { "" }
                ),
            )
            .note(
                "it lists every backend, server and address, and with `stats admin` lets visitors \
                drain or disable servers",
            )
            .help(
                "add `stats auth <user>:<password>` (and serve it on an internal address only), or \
                restrict it with `http-request deny unless { src 10.0.0.0/8 }`",
            );
            if let Some((span, text)) = model.origin_label(&setting) {
                finding = finding.label(span, text);
            }
            out.push(finding);
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "stats-without-auth";

    #[test]
    fn open_stats_only() {
        assert_eq!(
            findings(
                ID,
                "listen stats\n  bind :8404\n  mode http\n  stats enable\n  stats uri /\n"
            )
            .len(),
            1
        );
        assert!(
            findings(
                ID,
                "listen stats\n  bind :8404\n  mode http\n  stats uri /\n  stats auth a:b\n"
            )
            .is_empty()
        );
        assert!(
            findings(
                ID,
                "listen stats\n  bind 127.0.0.1:8404\n  mode http\n  stats uri /\n"
            )
            .is_empty()
        );
    }
}
