//! Actions a rule set of the target version does not take: misspellings,
//! actions of another rule set (`http-request set-status`), actions of
//! another release. Judged against the action lists the oracles name
//! themselves (`model::registry`).

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::registry::{self, Action, RULE_SETS};
use crate::syntax::Activity;

#[derive(Default)]
pub struct UnknownAction;

/// The rule set a statement starts (`tcp-request content …`) and the index
/// of its action word. `tcp-check` and `http-check` are keyword families
/// judged by `unknown-keyword`.
fn rule_set(words: &[&str]) -> Option<(&'static str, usize)> {
    let first = *words.first()?;
    let second = words.get(1).copied().unwrap_or("");
    let (name, at) = match (first, second) {
        ("http-request" | "http-response" | "http-after-response" | "quic-initial", _) => {
            (first, 1)
        }
        ("tcp-request", "connection" | "session" | "content") | ("tcp-response", "content") => {
            let name = match second {
                "connection" => "tcp-request connection",
                "session" => "tcp-request session",
                _ if first == "tcp-request" => "tcp-request content",
                _ => "tcp-response content",
            };
            (name, 2)
        }
        _ => return None,
    };
    let name = RULE_SETS.iter().copied().find(|r| *r == name)?;
    Some((name, at))
}

fn list(rule_sets: registry::RuleSets) -> String {
    RULE_SETS
        .iter()
        .enumerate()
        .filter(|(i, _)| rule_sets & (1 << i) != 0)
        .map(|(_, r)| format!("`{r}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

impl Rule for UnknownAction {
    const ID: &'static str = "unknown-action";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let target = cx.target;
        let keys = model.key_set_of_keywords(&[
            "http-request",
            "http-response",
            "http-after-response",
            "tcp-request",
            "tcp-response",
            "quic-initial",
        ]);
        let mut words: Vec<&str> = Vec::new();
        // Lua registers `lua.*` actions and services from the scripts
        // `lua-load` names; without any, haproxy knows none.
        let lua_keys = model.key_set(&["lua-load", "lua-load-per-thread"]);
        let has_lua = model
            .sections
            .iter()
            .any(|s| model.statements_in(s, &lua_keys).next().is_some());
        for section in model.sections.iter().filter(|s| s.kind.inherits_defaults()) {
            for (stmt, _) in model.statements_in(section, &keys) {
                if cx.activity(stmt) != Activity::Active {
                    continue;
                }
                words.clear();
                words.extend(model.values(stmt).take(4));
                let Some((set, at)) = rule_set(&words) else {
                    continue;
                };
                let Some(&action) = words.get(at) else {
                    continue;
                };
                let raw = model.words(stmt).get(at);
                if raw.is_none_or(|w| w.has_env() || w.is_quoted() || w.is_invalid())
                    || !registry::has_rule_set(set, target)
                {
                    continue;
                }
                if action.starts_with("lua.") {
                    // Lua scripts register their own actions at load time.
                    if !has_lua {
                        out.push(self.no_lua(cx, stmt, at, "action", action));
                    }
                    continue;
                }
                if action == "use-service"
                    && let Some(&service) = words.get(at + 1)
                    && !model
                        .words(stmt)
                        .get(at + 1)
                        .is_some_and(|w| w.has_env() || w.is_quoted())
                {
                    if service.starts_with("lua.") {
                        if !has_lua {
                            out.push(self.no_lua(cx, stmt, at + 1, "service", service));
                        }
                    } else if !registry::lists("service", service, target) {
                        let services = registry::names("service", target);
                        let span = model.word_span(stmt, at + 1);
                        let note = format!(
                            "haproxy {target} refuses to start on a service it does not have; it \
                             has {}, and the `lua.` services Lua scripts register",
                            services.join(", ")
                        );
                        let finding =
                            Finding::new(Self::ID, span, format!("unknown service `{service}`"))
                                .note(note);
                        let closest = crate::text::closest(service, services.iter().copied());
                        out.push(match closest {
                            Some(suggestion) => {
                                finding.help(format!("did you mean `{suggestion}`?"))
                            }
                            None => finding,
                        });
                    }
                }
                let Some(Action::Refused {
                    elsewhere,
                    in_versions,
                }) = registry::action(set, action, target)
                else {
                    continue;
                };
                let name = action.split('(').next().unwrap_or(action);
                let span = model.word_span(stmt, at);
                let refuses = format!(
                    "haproxy {target} refuses to start on an action its `{set}` rules do not have"
                );
                let finding = if !in_versions.is_empty() {
                    let versions: Vec<String> =
                        in_versions.iter().map(ToString::to_string).collect();
                    let message = format!("`{set} {name}` is not available in HAProxy {target}");
                    Finding::new(Self::ID, span, message)
                        .note(format!(
                            "{refuses}; haproxy {} accept it",
                            versions.join(", ")
                        ))
                        .help(
                            "remove it, guard it with `.if version_atleast(…)`, or target \
                             another version with --haproxy-version",
                        )
                } else if elsewhere != 0 {
                    let message = format!("`{name}` is not an action of `{set}` rules");
                    Finding::new(Self::ID, span, message)
                        .note(format!(
                            "{refuses}; it is an action of {} rules",
                            list(elsewhere)
                        ))
                        .help("write it in a rule set that takes it")
                } else {
                    let candidates = registry::actions_of(set, target);
                    let message = format!("unknown `{set}` action `{name}`");
                    let finding = Finding::new(Self::ID, span, message).note(refuses);
                    match crate::text::closest(name, candidates.iter().copied()) {
                        Some(suggestion) => finding.help(format!("did you mean `{suggestion}`?")),
                        None => finding.help(format!(
                            "check the spelling against the HAProxy {target} manual"
                        )),
                    }
                };
                out.push(finding);
            }
        }
    }
}

impl UnknownAction {
    fn no_lua(
        &self,
        cx: &Context<'_>,
        stmt: crate::model::Stmt,
        at: usize,
        what: &str,
        name: &str,
    ) -> Finding {
        let span = cx.model.word_span(stmt, at);
        let message = format!("`{name}` is a Lua {what}, but no Lua script is loaded");
        let note = format!(
            "haproxy {} refuses to start: only `lua-load` or `lua-load-per-thread` scripts \
             register `lua.` {what}s",
            cx.target
        );
        Finding::new(Self::ID, span, message)
            .note(note)
            .help("load the script that registers it with `lua-load` in `global`")
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn actions_are_judged_per_rule_set() {
        let found = findings(
            "unknown-action",
            "frontend f\n  bind :80\n  http-request set-heder X 1\n  \
             http-request set-status 200\n  http-request set-var(txn.a) str(1)\n  \
             tcp-request connection track-sc0 src\n  tcp-request content expect-proxy layer4\n  \
             http-request lua.foo\n  http-request use-service prometheus-exporter\n  \
             http-request use-service promex\n  tcp-request inspect-delay 5s\n  \
             default_backend b\nbackend b\n  tcp-response content close\n  \
             server s 127.0.0.1:80\n",
        );
        let lines: Vec<u32> = found.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![3, 4, 7, 8, 10], "{found:?}");
        assert!(
            found[0]
                .1
                .contains("unknown `http-request` action `set-heder`")
        );
    }
}
