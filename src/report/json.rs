//! The JSON report: a stable contract for other tools.
//!
//! `{version: 1, diagnostics: [...], suppressed: [...], summary: {error, warning, info}}`;
//! lines and columns are 1-based, columns in characters, fix edits in byte offsets.

use super::locate;
use crate::{Report, Reported};
use serde::Serialize;

#[derive(Serialize)]
pub struct JsonReport {
    pub version: u32,
    pub diagnostics: Vec<JsonDiagnostic>,
    /// Findings silenced by a `# haplint:` comment, with its reason.
    pub suppressed: Vec<JsonDiagnostic>,
    pub summary: Summary,
}

#[derive(Serialize)]
pub struct Summary {
    pub error: usize,
    pub warning: usize,
    pub info: usize,
    pub files: usize,
}

#[derive(Serialize)]
pub struct JsonDiagnostic {
    pub rule: String,
    pub severity: String,
    pub message: String,
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub end_line: u32,
    pub end_column: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub related: Vec<JsonRelated>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fix: Option<JsonFix>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppression: Option<JsonSuppression>,
}

#[derive(Serialize)]
pub struct JsonRelated {
    pub file: String,
    pub line: u32,
    pub column: u32,
    pub message: String,
}

#[derive(Serialize)]
pub struct JsonFix {
    pub applicability: String,
    pub title: String,
    pub edits: Vec<JsonEdit>,
}

#[derive(Serialize)]
pub struct JsonEdit {
    pub file: String,
    pub start_offset: u32,
    pub end_offset: u32,
    pub replacement: String,
}

#[derive(Serialize)]
pub struct JsonSuppression {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    pub line: u32,
}

fn diagnostic(report: &Report, reported: &Reported) -> JsonDiagnostic {
    let finding = &reported.finding;
    let (file, start, end) = locate(report, finding.primary.span);
    let related = finding
        .secondary
        .iter()
        .map(|label| {
            let (file, at, _) = locate(report, label.span);
            JsonRelated {
                file,
                line: at.line,
                column: at.column,
                message: label.text.clone().unwrap_or_default(),
            }
        })
        .collect();
    let fix = finding.fix.as_ref().map(|fix| JsonFix {
        applicability: fix.applicability.as_str().to_string(),
        title: fix.title.clone(),
        edits: fix
            .edits
            .iter()
            .map(|edit| JsonEdit {
                file: report
                    .sources
                    .get(edit.span.file)
                    .map(|f| f.name.clone())
                    .unwrap_or_default(),
                start_offset: edit.span.start,
                end_offset: edit.span.end,
                replacement: edit.replacement.clone(),
            })
            .collect(),
    });
    let suppression = reported.suppressed.as_ref().map(|s| JsonSuppression {
        reason: s.reason.clone(),
        line: locate(report, s.comment).1.line,
    });
    JsonDiagnostic {
        rule: finding.rule.to_string(),
        severity: reported.severity.as_str().to_string(),
        message: finding.message.clone(),
        file,
        line: start.line,
        column: start.column,
        end_line: end.line,
        end_column: end.column,
        help: finding.help.clone(),
        note: finding.note.clone(),
        related,
        fix,
        suppression,
    }
}

pub fn build(report: &Report) -> JsonReport {
    let (suppressed, active): (Vec<&Reported>, Vec<&Reported>) =
        report.findings.iter().partition(|f| f.suppressed.is_some());
    JsonReport {
        version: 1,
        diagnostics: active.iter().map(|f| diagnostic(report, f)).collect(),
        suppressed: suppressed.iter().map(|f| diagnostic(report, f)).collect(),
        summary: Summary {
            error: report.count(crate::finding::Severity::Error),
            warning: report.count(crate::finding::Severity::Warning),
            info: report.count(crate::finding::Severity::Info),
            files: report.sources.len(),
        },
    }
}

pub fn render(report: &Report) -> String {
    serde_json::to_string_pretty(&build(report))
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}
