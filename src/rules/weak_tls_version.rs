//! TLS versions before 1.2 allowed explicitly.

use super::{Context, Rule};
use crate::finding::{Finding, Fix};
use crate::fix::edits;
use crate::model::Stmt;

#[derive(Default)]
pub struct WeakTlsVersion;

const WEAK_VERSIONS: &[&str] = &["SSLv3", "TLSv1.0", "TLSv1.1"];
const FORCED: &[&str] = &["force-sslv3", "force-tlsv10", "force-tlsv11"];

/// Lines whose words carry bind/server TLS options.
fn tls_option_lines(cx: &Context<'_>) -> Vec<Stmt> {
    let mut params = vec!["ssl-min-ver"];
    params.extend(FORCED);
    super::tls_lines(
        cx,
        &["ssl-default-bind-options", "ssl-default-server-options"],
        &params,
    )
}

impl Rule for WeakTlsVersion {
    const ID: &'static str = "weak-tls-version";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        for stmt in tls_option_lines(cx) {
            let values: Vec<&str> = model.values(stmt).collect();
            for (index, value) in values.iter().enumerate() {
                let (span, what, fix) = if *value == "ssl-min-ver" {
                    let Some(version) = values.get(index + 1).filter(|v| WEAK_VERSIONS.contains(v))
                    else {
                        continue;
                    };
                    (
                        model.words_span(stmt, index, index + 2),
                        format!("`ssl-min-ver {version}`"),
                        edits::replace_word(model, stmt, index + 1, "TLSv1.2"),
                    )
                } else if FORCED.contains(value) {
                    (
                        model.word_span(stmt, index),
                        format!("`{value}`"),
                        edits::replace_words(model, stmt, index, index + 1, "ssl-min-ver TLSv1.2"),
                    )
                } else {
                    continue;
                };
                out.push(
                    Finding::new(
                        Self::ID,
                        span,
                        format!("{what} allows a TLS version older than 1.2"),
                    )
                    .note(
                        "SSLv3, TLS 1.0 and 1.1 have known attacks, are refused by current \
                             browsers and compliance rules (PCI DSS), and only serve to let an \
                             attacker downgrade a connection (with OpenSSL 3 they also need \
                             `@SECLEVEL=0` in the cipher list; other TLS libraries accept them \
                             as is)",
                    )
                    .help(
                        "use `ssl-min-ver TLSv1.2`; clients that need older versions are better \
                             served by a dedicated listener",
                    )
                    .fix(Fix::unsafe_("use `ssl-min-ver TLSv1.2`", vec![fix])),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    const ID: &str = "weak-tls-version";

    #[test]
    fn explicit_old_versions() {
        assert_eq!(
            findings(
                ID,
                "global\n  ssl-default-bind-options ssl-min-ver TLSv1.0\n"
            )
            .len(),
            1
        );
        assert_eq!(
            findings(ID, "frontend f\n  bind :443 ssl crt /x.pem force-tlsv10\n").len(),
            1
        );
        assert!(
            findings(
                ID,
                "global\n  ssl-default-bind-options ssl-min-ver TLSv1.2 no-tls-tickets\n"
            )
            .is_empty()
        );
    }
}
