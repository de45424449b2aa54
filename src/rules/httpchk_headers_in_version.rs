//! Headers smuggled into the version word of `option httpchk`
//! (`HTTP/1.1\r\nHost:\ example.com`): deprecated with a warning up to 2.9,
//! refused from 3.0 on.

use super::{Context, Rule};
use crate::finding::{Finding, Severity};
use crate::version::Version;

#[derive(Default)]
pub struct HttpchkHeadersInVersion;

impl Rule for HttpchkHeadersInVersion {
    const ID: &'static str = "httpchk-headers-in-version";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let Some(key) = model.key_id("option httpchk") else {
            return;
        };
        let refused = cx.target >= Version::new(3, 0);
        for section in &model.sections {
            for (stmt, k) in model.keyed_statements(section) {
                if k != key || cx.activity(stmt) != crate::syntax::Activity::Active {
                    continue;
                }
                // option httpchk <method> <uri> <version>: the version is word 4.
                let Some(version) = model.value(stmt, 4) else {
                    continue;
                };
                if !(version.contains("\r\n") || version.contains("\\r\\n")) {
                    continue;
                }
                let mut finding = Finding::new(
                    Self::ID,
                    model.words_span(stmt, 4, model.words(stmt).len()),
                    "headers written after the HTTP version of `option httpchk`".to_string(),
                )
                .note(if refused {
                    "haproxy refuses headers or a body appended to the version string from 3.0 on"
                } else {
                    "haproxy still sends them but warns that \
                     this form is deprecated; 3.0 refuses it"
                })
                .help(
                    "keep only the version here (`HTTP/1.1`) and send \
                     the headers with `http-check send hdr NAME VALUE`",
                );
                finding.severity = Some(if refused {
                    Severity::Error
                } else {
                    Severity::Warning
                });
                out.push(finding);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Options;
    use crate::rules::testing::findings_with;
    use crate::version::Version;

    #[test]
    fn headers_after_the_version() {
        let config = "backend b\n  option httpchk HEAD / HTTP/1.1\\r\\nHost:localhost\
                      \n  server s 10.0.0.1:80 check\nbackend c\
                      \n  option httpchk HEAD / HTTP/1.1\n  server s 10.0.0.1:80 check\n";
        let at = |minor| Options {
            target: Version::new(3, minor),
            ..Default::default()
        };
        let found = findings_with("httpchk-headers-in-version", config, at(0));
        assert_eq!(found.iter().map(|(l, _)| *l).collect::<Vec<_>>(), vec![2]);
        let older = Options {
            target: Version::new(2, 6),
            ..Default::default()
        };
        assert_eq!(
            findings_with("httpchk-headers-in-version", config, older).len(),
            1
        );
    }
}
