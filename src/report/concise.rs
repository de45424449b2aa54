//! One line per finding in the shape compilers print,
//! `path:line:col: warning: message [rule-id]`, which Vim's default
//! errorformat and Emacs' compilation mode jump to without configuration.

use super::locate;
use crate::Report;
use crate::finding::Severity;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for reported in report.active() {
        let finding = &reported.finding;
        let (file, start, _) = locate(report, finding.primary.span);
        let severity = match reported.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "note",
        };
        out.push_str(&format!(
            "{file}:{}:{}: {severity}: {} [{}]\n",
            start.line,
            start.column,
            finding.message.replace(['\n', '\r'], " "),
            finding.rule
        ));
    }
    out
}
