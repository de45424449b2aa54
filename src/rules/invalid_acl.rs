//! ACL declarations and anonymous ACLs haproxy refuses: names with
//! characters it does not allow, unknown flags, unknown `-m` match methods.
//! (The criterion is a sample expression: `invalid-sample-expression`.)

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::expressions::{MATCH_METHODS, acl_name_char_ok};
use crate::syntax::Activity;

#[derive(Default)]
pub struct InvalidAcl;

impl Rule for InvalidAcl {
    const ID: &'static str = "invalid-acl";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let target = cx.target;
        let acl = model.key_set(&["acl"]);
        let mut words: Vec<&str> = Vec::new();
        for section in model.sections.iter().filter(|s| s.kind.inherits_defaults()) {
            for (stmt, key) in model.keyed_statements(section) {
                let is_acl = acl.contains(key);
                if !is_acl && !model.may_hold_expression(stmt) {
                    continue;
                }
                if cx.activity(stmt) != Activity::Active {
                    continue;
                }
                let raw = model.words(stmt);
                if raw.iter().any(|w| w.has_env()) {
                    continue;
                }
                words.clear();
                words.extend(model.values(stmt));
                let mut problem: Option<(usize, String, Option<String>)> = None;
                if is_acl && words.first() == Some(&"acl") {
                    if let Some(name) = words.get(1)
                        && let Some(bad) = name.chars().find(|&c| !acl_name_char_ok(c))
                    {
                        problem = Some((
                            1,
                            format!("character `{bad}` is not permitted in the ACL name `{name}`"),
                            Some(
                                "ACL names use letters, digits, `.`, `-`, `_` and `:`".to_string(),
                            ),
                        ));
                    } else if words.len() > 2 {
                        problem = flags(&words, 3, false);
                    }
                }
                if problem.is_none() {
                    for (i, word) in words.iter().enumerate() {
                        if matches!(*word, "{" | "!{") && i + 2 <= words.len() {
                            problem = flags(&words, i + 2, true);
                            if problem.is_some() {
                                break;
                            }
                        }
                    }
                }
                if let Some((index, message, help)) = problem {
                    let note =
                        format!("haproxy {target} refuses to start on an ACL it cannot parse");
                    let mut finding =
                        Finding::new(Self::ID, model.word_span(stmt, index), message).note(note);
                    if let Some(help) = help {
                        finding = finding.help(help);
                    }
                    out.push(finding);
                }
            }
        }
    }
}

/// The flags after a criterion (words from `from`), up to the patterns.
fn flags(words: &[&str], from: usize, anonymous: bool) -> Option<(usize, String, Option<String>)> {
    let mut i = from;
    while let Some(&word) = words.get(i) {
        if anonymous && word == "}" {
            return None;
        }
        if !word.starts_with('-') || word == "--" {
            return None;
        }
        match word {
            "-i" | "-n" | "-u" => i += 1,
            "-f" | "-M" => i += 2,
            "-m" => {
                let method = words.get(i + 1).copied().unwrap_or("");
                if !MATCH_METHODS.contains(&method) {
                    let help = match crate::text::closest(method, MATCH_METHODS.iter().copied()) {
                        Some(s) => format!("did you mean `-m {s}`?"),
                        None => format!("match methods: {}", MATCH_METHODS.join(", ")),
                    };
                    let message = if method.is_empty() {
                        "`-m` needs a match method".to_string()
                    } else {
                        format!("unknown ACL match method `{method}`")
                    };
                    return Some(((i + 1).min(words.len() - 1), message, Some(help)));
                }
                i += 2;
            }
            _ => {
                return Some((
                    i,
                    format!("`{word}` is not an ACL flag"),
                    Some(
                        "write `--` before a pattern that starts with `-` \
                         (flags: -i -f -m -n -M -u)"
                            .to_string(),
                    ),
                ));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn names_flags_and_methods() {
        let config = "frontend f\n bind :80\n acl bad/name path /\n acl x path -m foo /\n\
                      \x20acl x path -x /\n acl ok:a.b-c_d path -i -m beg -- -x\n\
                      \x20http-request deny if { path -m regex a }\n\
                      \x20http-request deny if { path -i / } || { src -f /x.lst }\n";
        let found = findings("invalid-acl", config);
        let lines: Vec<u32> = found.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![3, 4, 5, 7], "{found:?}");
    }
}
