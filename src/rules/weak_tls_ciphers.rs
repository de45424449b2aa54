//! Cipher lists that enable broken cipher families.

use super::{Context, Rule};
use crate::finding::Finding;

#[derive(Default)]
pub struct WeakTlsCiphers;

/// Cipher-string fragments naming broken families (OpenSSL cipher list syntax).
const WEAK: &[&str] = &[
    "RC4", "DES", "3DES", "NULL", "EXPORT", "EXP", "MD5", "aNULL", "ADH", "AECDH", "eNULL", "RC2",
    "IDEA", "SEED",
];

fn weak_tokens(list: &str) -> Vec<&str> {
    list.split(':')
        .filter(|token| !token.starts_with('!') && !token.starts_with('-'))
        .filter(|token| {
            let token = token.trim_start_matches('+');
            token.split(['-', '+']).any(|part| WEAK.contains(&part)) || WEAK.contains(&token)
        })
        .collect()
}

impl Rule for WeakTlsCiphers {
    const ID: &'static str = "weak-tls-ciphers";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for stmt in super::tls_lines(
            cx,
            &["ssl-default-bind-ciphers", "ssl-default-server-ciphers"],
            &["ciphers"],
        ) {
            let values: Vec<&str> = model.values(stmt).collect();
            // The global keywords hold the list; listeners name it after `ciphers`.
            let list_at = match values.first() {
                Some(&("ssl-default-bind-ciphers" | "ssl-default-server-ciphers")) => Some(1),
                _ => values.iter().position(|v| *v == "ciphers").map(|i| i + 1),
            };
            let Some(index) = list_at else { continue };
            let Some(list) = values.get(index) else {
                continue;
            };
            let weak = weak_tokens(list);
            if weak.is_empty() {
                continue;
            }
            out.push(
                Finding::new(
                    Self::ID,
                    model.word_span(stmt, index),
                    format!("the cipher list names broken ciphers: {}", weak.join(", ")),
                )
                .note(
                    "RC4, DES/3DES, NULL, EXPORT and anonymous suites can be broken or give no \
                     authentication; a client or attacker that prefers them gets a connection \
                     that is not really protected (OpenSSL 3 builds silently leave RC4 and 3DES \
                     out; other TLS libraries offer them)",
                )
                .help(
                    "remove them, or start from a maintained list such as Mozilla's \
                     \"intermediate\" profile and add `!aNULL:!MD5:!RC4:!3DES` exclusions",
                ),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::weak_tokens;
    use crate::rules::testing::findings;

    #[test]
    fn negated_tokens_are_fine() {
        assert_eq!(
            weak_tokens("ECDHE-RSA-AES128-GCM-SHA256:!aNULL:!MD5:-RC4"),
            Vec::<&str>::new()
        );
        assert_eq!(
            weak_tokens("RC4-SHA:ECDHE-RSA-AES128-GCM-SHA256:DES-CBC3-SHA"),
            vec!["RC4-SHA", "DES-CBC3-SHA"]
        );
        assert_eq!(
            findings(
                "weak-tls-ciphers",
                "global\n  ssl-default-bind-ciphers RC4-SHA:HIGH\n"
            )
            .len(),
            1
        );
    }
}
