//! A header name with a character HTTP does not allow in names (`:`,
//! a space, `/`…) in `set-header`/`add-header`: from 3.0 on haproxy warns.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::version::Version;

#[derive(Default)]
pub struct InvalidHeaderName;

/// Whether `c` may appear in a header name (an HTTP token character).
fn token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

impl Rule for InvalidHeaderName {
    const ID: &'static str = "invalid-header-name";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        if cx.target < Version::new(3, 0) {
            return;
        }
        let model = cx.model;
        let keys = model.key_set(&["http-request", "http-response", "http-after-response"]);
        for section in &model.sections {
            for (stmt, _) in model.statements_in(section, &keys) {
                if cx.activity(stmt) != crate::syntax::Activity::Active
                    || !matches!(model.value(stmt, 1), Some("set-header" | "add-header"))
                {
                    continue;
                }
                let Some(name) = model.value(stmt, 2) else {
                    continue;
                };
                let Some(bad) = name.chars().find(|c| !token_char(*c)) else {
                    continue;
                };
                let shown = if bad == ' ' {
                    "a space".to_string()
                } else {
                    format!("`{}`", bad.escape_default())
                };
                let mut finding = Finding::new(
                    Self::ID,
                    model.word_span(stmt, 2),
                    format!(
                        "header name `{name}` contains {shown}, which HTTP does not allow in a name"
                    ),
                )
                .note(
                    "header names are HTTP tokens; haproxy warns from 3.0 \
                     on, and a server or client may reject the message",
                )
                .help("write the bare name: no `:`, spaces, slashes or brackets");
                if let Some(clean) = name
                    .strip_suffix(':')
                    .filter(|n| !n.is_empty() && n.chars().all(token_char))
                {
                    finding = finding.fix(crate::finding::Fix::unsafe_(
                        format!("write `{clean}`"),
                        vec![crate::fix::edits::replace_word(model, stmt, 2, clean)],
                    ));
                }
                out.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn names_with_forbidden_characters() {
        let config = "frontend fe\n  mode http\n  bind :80\
                      \n  http-request set-header X-Forwarded-Proto: https\
                      \n  http-request add-header \"X Space\" a\n  http-request del-header X-A;b\
                      \n  http-response set-header X(a) b\n  http-request set-header X-Ok_1 a\n";
        let lines: Vec<u32> = findings("invalid-header-name", config)
            .iter()
            .map(|(l, _)| *l)
            .collect();
        assert_eq!(lines, vec![4, 5, 7]);
    }
}
