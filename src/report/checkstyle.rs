//! Checkstyle XML, which Jenkins' warnings plugin, reviewdog and many CI
//! dashboards read: one `<file>` per configuration file with findings.

use super::locate;
use crate::Report;
use crate::finding::Severity;

pub fn render(report: &Report) -> String {
    let mut out =
        String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<checkstyle version=\"4.3\">\n");
    let mut current: Option<String> = None;
    for reported in report.active() {
        let finding = &reported.finding;
        let (file, start, _) = locate(report, finding.primary.span);
        if current.as_deref() != Some(file.as_str()) {
            if current.is_some() {
                out.push_str("  </file>\n");
            }
            out.push_str(&format!("  <file name=\"{}\">\n", escape(&file)));
            current = Some(file);
        }
        let severity = match reported.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
            Severity::Info => "info",
        };
        out.push_str(&format!(
            "    <error line=\"{}\" column=\"{}\" \
                severity=\"{severity}\" message=\"{}\" \
                source=\"haplint.{}\"/>\n",
            start.line,
            start.column,
            escape(&finding.message),
            escape(finding.rule),
        ));
    }
    if current.is_some() {
        out.push_str("  </file>\n");
    }
    out.push_str("</checkstyle>\n");
    out
}

/// Attribute text: markup characters as entities, other control characters
/// (not allowed in XML 1.0) as spaces.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\t' => out.push_str("&#9;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn attribute_text_is_escaped() {
        assert_eq!(
            super::escape("a<b & \"c\"\u{1}"),
            "a&lt;b &amp; &quot;c&quot; "
        );
    }
}
