//! Diagnostics serialized straight into the bytes the writer sends: no
//! `lsp_types::Diagnostic` (with its owned strings and URLs) per finding and
//! no `serde_json::Value` tree for the whole message. The JSON is the same as
//! `lsp_types` would write (`tests::wire_matches_lsp_types`).

use super::{Analysis, Shown};
use crate::finding::Severity;
use lsp_server::RequestId;
use lsp_types::{Range, Url};
use serde::{Serialize, Serializer};

/// `textDocument/publishDiagnostics` for an analysis, as a complete message.
pub(super) fn publish(analysis: &Analysis, version: Option<i32>) -> Vec<u8> {
    #[derive(Serialize)]
    struct Params<'a> {
        uri: &'a Url,
        diagnostics: Diagnostics<'a>,
        #[serde(skip_serializing_if = "Option::is_none")]
        version: Option<i32>,
    }
    body(
        &Notification {
            jsonrpc: "2.0",
            method: "textDocument/publishDiagnostics",
            params: Params {
                uri: &analysis.uri,
                diagnostics: Diagnostics(analysis),
                version,
            },
        },
        analysis.shown.len(),
    )
}

/// The answer to `textDocument/diagnostic` with every diagnostic (a "full" report).
pub(super) fn full_report(analysis: &Analysis, id: &RequestId, result_id: &str) -> Vec<u8> {
    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Full<'a> {
        kind: &'static str,
        result_id: &'a str,
        items: Diagnostics<'a>,
    }
    body(
        &Answer {
            jsonrpc: "2.0",
            id,
            result: Full {
                kind: "full",
                result_id,
                items: Diagnostics(analysis),
            },
        },
        analysis.shown.len(),
    )
}

#[derive(Serialize)]
struct Notification<P> {
    jsonrpc: &'static str,
    method: &'static str,
    params: P,
}

#[derive(Serialize)]
struct Answer<'a, R> {
    jsonrpc: &'static str,
    id: &'a RequestId,
    result: R,
}

/// A message with this many diagnostics, serialized.
fn body(message: &impl Serialize, diagnostics: usize) -> Vec<u8> {
    // Room for the usual diagnostic (about 350 bytes), so that a large
    // publish is not copied over and over as it grows.
    let mut out = Vec::with_capacity(256 + diagnostics * 400);
    // Serializing these types into memory cannot fail (no maps with
    // non-string keys, no I/O); should it anyway, the message is empty JSON.
    if serde_json::to_writer(&mut out, message).is_err() {
        out = b"{}".to_vec();
    }
    out
}

/// Every diagnostic of an analysis, as a JSON array.
struct Diagnostics<'a>(&'a Analysis);

impl Serialize for Diagnostics<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let analysis = self.0;
        serializer.collect_seq(
            analysis
                .shown
                .iter()
                .filter_map(|shown| Diagnostic::of(analysis, shown)),
        )
    }
}

/// One diagnostic, borrowing from the analysis; fields as `lsp_types::Diagnostic`.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub(super) struct Diagnostic<'a> {
    range: Range,
    severity: i32,
    code: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    code_description: Option<Href<'a>>,
    source: &'static str,
    message: Message<'a>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    related_information: Vec<Related<'a>>,
}

#[derive(Serialize)]
struct Href<'a> {
    href: &'a Url,
}

#[derive(Serialize)]
struct Related<'a> {
    location: Location<'a>,
    message: &'a str,
}

#[derive(Serialize)]
struct Location<'a> {
    uri: &'a Url,
    range: Range,
}

/// The finding's message, then its help on a line of its own.
struct Message<'a> {
    message: &'a str,
    help: Option<&'a str>,
}

impl Serialize for Message<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self.help {
            None => serializer.serialize_str(self.message),
            Some(help) => serializer.collect_str(&format_args!("{}\nhelp: {help}", self.message)),
        }
    }
}

impl<'a> Diagnostic<'a> {
    pub(super) fn of(analysis: &'a Analysis, shown: &Shown) -> Option<Diagnostic<'a>> {
        let reported = analysis.report.findings.get(shown.finding)?;
        let finding = &reported.finding;
        let file = finding.primary.span.file;
        Some(Diagnostic {
            range: shown.range,
            severity: severity(reported.severity),
            code: finding.rule,
            code_description: analysis.link(finding.rule).map(|href| Href { href }),
            source: "haplint",
            message: Message {
                message: &finding.message,
                help: finding.help.as_deref(),
            },
            related_information: finding
                .secondary
                .iter()
                .filter(|label| label.span.file == file)
                .map(|label| Related {
                    location: Location {
                        uri: &analysis.uri,
                        range: analysis.range(label.span),
                    },
                    message: label.text.as_deref().unwrap_or_default(),
                })
                .collect(),
        })
    }
}

/// LSP's number for a severity.
pub(super) fn severity(severity: Severity) -> i32 {
    match severity {
        Severity::Error => 1,
        Severity::Warning => 2,
        Severity::Info => 3,
    }
}
