//! GitHub Actions workflow commands: each finding becomes an annotation on
//! the pull request's diff (`::warning file=…,line=…,col=…,title=ID::message`).

use super::locate;
use crate::Report;
use crate::finding::Severity;

pub fn render(report: &Report) -> String {
    let mut out = String::new();
    for reported in report.active() {
        let finding = &reported.finding;
        let (file, start, end) = locate(report, finding.primary.span);
        let command = match reported.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "notice",
        };
        let mut message = finding.message.clone();
        if let Some(help) = &finding.help {
            message.push_str("\nhelp: ");
            message.push_str(help);
        }
        out.push_str(&format!(
            "::{command} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            escape_property(&file),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(finding.rule),
            escape_data(&message),
        ));
    }
    out
}

/// The message part: `%`, CR and LF would end or corrupt the command.
fn escape_data(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Property values also end at `,` and `:`.
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands_cannot_be_broken_out_of() {
        assert_eq!(escape_data("50% of\r\nall"), "50%25 of%0D%0Aall");
        assert_eq!(escape_property("a,b:c%"), "a%2Cb%3Ac%25");
    }
}
