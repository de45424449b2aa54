//! Keywords the target HAProxy version no longer accepts (`reqadd`,
//! `option forceclose`, `nbproc`…), with what replaced them.

use super::keyword_lines::{note, noted_lines};
use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::vocabulary;

#[derive(Default)]
pub struct RemovedKeyword;

impl Rule for RemovedKeyword {
    const ID: &'static str = "removed-keyword";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for line in noted_lines(cx, note::RETIRED) {
            let Some(retired) = vocabulary::retired(line.vocabulary, &line.words) else {
                continue;
            };
            let Some(removed) = retired.removed.filter(|removed| *removed <= cx.target) else {
                continue;
            };
            let words = retired.name.split(' ').count();
            let span = cx
                .model
                .words_span(line.stmt, line.first, line.first + words);
            out.push(
                Finding::new(
                    Self::ID,
                    span,
                    format!("`{}` was removed in HAProxy {removed}", retired.name),
                )
                .note(format!("haproxy {} refuses to start with it", cx.target))
                .help(format!("use {} instead", retired.replacement)),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn removed_keywords_name_version_and_replacement() {
        let found = findings(
            "removed-keyword",
            "global\n  nbproc 2\nbackend b\n  reqadd X-A:\\ b\n  option forceclose\n  \
            server s 10.0.0.1:80\n",
        );
        let messages: Vec<&str> = found.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "`nbproc` was removed in HAProxy 2.5",
                "`reqadd` was removed in HAProxy 2.1",
                "`option forceclose` was removed in HAProxy 2.0",
            ]
        );
    }
}
