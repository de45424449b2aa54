//! `userlist` users with a clear-text password that is short or guessable.

use super::weak_stats_credentials::weakness;
use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::SectionKind;

#[derive(Default)]
pub struct WeakUserlistPassword;

/// Below this many characters a clear-text password falls to guessing.
const MIN_LENGTH: usize = 12;

impl Rule for WeakUserlistPassword {
    const ID: &'static str = "weak-userlist-password";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for list in model.sections_of(SectionKind::Userlist) {
            for &stmt in &list.statements {
                if model.value(stmt, 0) != Some("user") {
                    continue;
                }
                let words: Vec<&str> = model.values(stmt).collect();
                let Some(user) = words.get(1) else { continue };
                let Some(index) = words.iter().position(|w| *w == "insecure-password") else {
                    continue;
                };
                let Some(password) = words.get(index + 1) else {
                    continue;
                };
                let why = weakness(user, password).map(str::to_string).or_else(|| {
                    (password.chars().count() < MIN_LENGTH)
                        .then(|| format!("it has {} characters", password.chars().count()))
                });
                if let Some(why) = why {
                    out.push(
                        Finding::new(
                            Self::ID,
                            model.words_span(stmt, index, index + 2),
                            format!(
                                "user `{user}` of userlist {} has a weak clear-text \
                                password: {why}",
                                list.name.as_deref().unwrap_or("")
                            ),
                        )
                        .note(
                            "`http_auth` checks requests against it, so whoever guesses it passes \
                            the authentication; stored in clear, it is also readable by anyone who \
                            reads the configuration",
                        )
                        .help(format!(
                            "use `password` with a hash (`mkpasswd -m sha-512`) of a random \
                            password of at least {MIN_LENGTH} characters"
                        )),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "weak-userlist-password";

    #[test]
    fn short_or_guessable_clear_passwords() {
        assert_eq!(
            findings(ID, "userlist ops\n  user alice insecure-password alice\n").len(),
            1
        );
        assert_eq!(
            findings(ID, "userlist ops\n  user alice insecure-password s3cr3t\n").len(),
            1
        );
        assert!(
            findings(
                ID,
                "userlist ops\n  user alice insecure-password Vx9!pq2LmR7_tw\n"
            )
            .is_empty()
        );
        assert!(findings(ID, "userlist ops\n  user alice password $6$abc$def\n").is_empty());
    }
}
