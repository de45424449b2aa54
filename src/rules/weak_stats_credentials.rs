//! `stats auth` and `userlist` passwords anyone would try first.

use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::SectionKind;

#[derive(Default)]
pub struct WeakStatsCredentials;

/// Passwords found in every default-credential list.
const COMMON: &[&str] = &[
    "admin", "password", "passw0rd", "haproxy", "changeme", "secret", "123456", "12345678", "root",
    "stats", "test", "default", "qwerty", "letmein", "pass",
];

/// Why `password` is weak for `user`, if it is.
pub(crate) fn weakness(user: &str, password: &str) -> Option<&'static str> {
    let lower = password.to_ascii_lowercase();
    if password.is_empty() {
        Some("it is empty")
    } else if lower == user.to_ascii_lowercase() {
        Some("it equals the user name")
    } else if COMMON.contains(&lower.as_str()) {
        Some("it is on every list of default passwords")
    } else {
        None
    }
}

impl Rule for WeakStatsCredentials {
    const ID: &'static str = "weak-stats-credentials";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let keys = model.key_set(&["stats auth"]);
        for section in model
            .sections
            .iter()
            .filter(|s| s.kind.is_proxy() || s.kind == SectionKind::Defaults)
        {
            for (stmt, _) in model.statements_in(section, &keys) {
                if model.value(stmt, 0) != Some("stats") || model.value(stmt, 1) != Some("auth") {
                    continue;
                }
                let Some((user, password)) = model.value(stmt, 2).and_then(|v| v.split_once(':'))
                else {
                    continue;
                };
                if let Some(why) = weakness(user, password) {
                    out.push(
                        Finding::new(
                            Self::ID,
                            model.word_span(stmt, 2),
                            format!("the statistics page password of `{user}` is guessable: {why}"),
                        )
                        .note(
                            "the page shows every backend, server and address, and with `stats \
                            admin` lets its user drain or disable servers; scanners try these \
                            credentials first",
                        )
                        .help(
                            "use a long random password (from a secret store, e.g. `stats auth \
                            admin:\"${STATS_PASSWORD}\"`), and serve the page on an internal \
                            address only",
                        ),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "weak-stats-credentials";

    #[test]
    fn default_and_self_named_passwords() {
        assert_eq!(
            findings(
                ID,
                "listen stats\n  bind :8404\n  mode http\n  stats uri /\n  \
                stats auth admin:admin\n"
            )
            .len(),
            1
        );
        assert_eq!(
            findings(
                ID,
                "listen stats\n  bind :8404\n  mode http\n  stats uri /\n  \
                stats auth ops:password\n"
            )
            .len(),
            1
        );
        assert!(
            findings(
                ID,
                "listen stats\n  bind :8404\n  mode http\n  stats uri /\n  \
                stats auth ops:T7q!fR2pLx9w\n"
            )
            .is_empty()
        );
    }
}
