//! SARIF 2.1.0, the format code-scanning services (GitHub, Azure DevOps…)
//! import: one run, the tool with every rule it knows, one result per finding.
//!
//! Choices a consumer may rely on:
//! - every result has a `ruleIndex` into `tool.driver.rules`; findings of no
//!   known rule point at the `internal-error` entry;
//! - columns count Unicode code points (`columnKind`), fix regions count bytes;
//! - `partialFingerprints["haplint/v1"]` hashes the rule, the file and the
//!   text of the flagged line, not its number, so a finding keeps its identity
//!   when lines above it move;
//! - suppressed findings are results with a `suppressions` entry.

use super::locate;
use crate::finding::Severity;
use crate::rules::catalog;
use crate::version::Version;
use crate::{Report, Reported};
use serde_json::{Value, json};

/// The rule entry for findings that come from no documented rule.
pub use crate::rules::INTERNAL_ERROR;

/// What an `internal-error` finding means, for SARIF's full description and
/// `haplint explain internal-error` (it has no rule doc: no configuration is
/// meant to trigger it).
pub const INTERNAL_ERROR_SUMMARY: &str = "haplint could not judge part of the configuration";
pub const INTERNAL_ERROR_WHY: &str = "\
A check inside haplint failed while it read this configuration, so haplint
could not judge the part it names; it exits with status 2 so that a CI gate
does not pass on an incomplete check. The configuration itself may be fine:
this is a defect in haplint. Please report it with the file (or the smallest
part of it that still shows the error) and the haplint version; meanwhile,
`--ignore` with the rule named in the message skips only the failing check.";

pub fn render(report: &Report) -> String {
    serde_json::to_string_pretty(&build(report))
        .unwrap_or_else(|e| format!("{{\"error\": \"{e}\"}}"))
}

pub fn build(report: &Report) -> Value {
    let mut ids: Vec<&str> = catalog::docs().iter().map(|d| d.id.as_str()).collect();
    for builtin in crate::rules::BUILTIN_IDS {
        if !ids.contains(builtin) {
            ids.push(builtin);
        }
    }
    ids.push(INTERNAL_ERROR);
    let rules: Vec<Value> = ids.iter().map(|id| rule_entry(id, report.target)).collect();
    let results: Vec<Value> = report
        .findings
        .iter()
        .map(|reported| result(report, reported, &ids))
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {
                "driver": {
                    "name": "haplint",
                    "semanticVersion": env!("CARGO_PKG_VERSION"),
                    "informationUri": MANUAL_URI,
                    "rules": rules,
                }
            },
            "columnKind": "unicodeCodePoints",
            "results": results,
        }]
    })
}

/// The HAProxy configuration manual, which every rule's reasons point into.
const MANUAL_URI: &str = "https://docs.haproxy.org/";

fn level(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Info => "note",
    }
}

fn rule_entry(id: &str, target: Version) -> Value {
    let Some(doc) = catalog::doc(id) else {
        let (short, full) = if id == INTERNAL_ERROR {
            (INTERNAL_ERROR_SUMMARY, INTERNAL_ERROR_WHY)
        } else {
            (
                "a finding of haplint's own checks",
                "A finding of one of haplint's built-in checks.",
            )
        };
        return json!({
            "id": id,
            "name": camel_case(id),
            "shortDescription": { "text": short },
            "fullDescription": { "text": full },
            "help": { "text": format!("{full}\n\nMore: `haplint explain {id}`.") },
            "helpUri": MANUAL_URI,
            "defaultConfiguration": { "level": "error" },
        });
    };
    let mut help = doc.why.trim().to_string();
    if let Some(fix) = &doc.fix.description {
        help.push_str("\n\nFix: ");
        help.push_str(fix.trim());
    }
    if !doc.manual.is_empty() {
        help.push_str("\n\nHAProxy manual: ");
        help.push_str(&doc.manual.join("; "));
    }
    json!({
        "id": doc.id,
        "name": camel_case(&doc.id),
        "shortDescription": { "text": doc.summary },
        "fullDescription": { "text": doc.why.trim() },
        "help": { "text": help },
        "helpUri": help_uri(&doc.manual, target),
        "defaultConfiguration": { "level": level(doc.severity) },
        "properties": {
            "category": doc.category.as_str(),
            "haproxyVersions": doc.versions,
            "tags": [doc.category.as_str()],
        },
    })
}

/// A link to the manual section a rule's first manual reference names, in
/// the manual of the target release: the documentation site keeps one page
/// per branch (`configuration.txt 5.2 verify` for 3.2 →
/// `…/3.2/configuration.html#5.2-verify`).
pub fn help_uri(manual: &[String], target: Version) -> String {
    let Some(first) = manual.first() else {
        return MANUAL_URI.to_string();
    };
    let mut words = first.split_whitespace();
    let _file = words.next();
    let (Some(section), Some(keyword)) = (words.next(), words.next()) else {
        return MANUAL_URI.to_string();
    };
    if !section.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return MANUAL_URI.to_string();
    }
    format!(
        "{MANUAL_URI}{target}/configuration.html#{section}-{}",
        percent_encode(keyword)
    )
}

/// SARIF's `name` is a PascalCase identifier.
fn camel_case(id: &str) -> String {
    id.split('-')
        .map(|part| {
            let mut chars = part.chars();
            match chars.next() {
                Some(first) => first.to_ascii_uppercase().to_string() + chars.as_str(),
                None => String::new(),
            }
        })
        .collect()
}

fn result(report: &Report, reported: &Reported, ids: &[&str]) -> Value {
    let finding = &reported.finding;
    let rule = if ids.contains(&finding.rule) {
        finding.rule
    } else {
        INTERNAL_ERROR
    };
    let rule_index = ids.iter().position(|id| *id == rule).unwrap_or(0);
    let mut message = finding.message.clone();
    if let Some(note) = &finding.note {
        message.push_str(". ");
        message.push_str(note);
    }
    if let Some(help) = &finding.help {
        message.push_str(". Help: ");
        message.push_str(help);
    }
    let related: Vec<Value> = finding
        .secondary
        .iter()
        .enumerate()
        .map(|(i, label)| {
            let mut location = location(report, label.span);
            if let (Some(text), Some(object)) = (&label.text, location.as_object_mut()) {
                object.insert("message".into(), json!({ "text": text }));
            }
            if let Some(object) = location.as_object_mut() {
                object.insert("id".into(), json!(i));
            }
            location
        })
        .collect();
    let mut value = json!({
        "ruleId": rule,
        "ruleIndex": rule_index,
        "level": level(reported.severity),
        "message": { "text": message },
        "locations": [location(report, finding.primary.span)],
        "partialFingerprints": { "haplint/v1": fingerprint(report, reported) },
    });
    let Some(object) = value.as_object_mut() else {
        return value;
    };
    if !related.is_empty() {
        object.insert("relatedLocations".into(), json!(related));
    }
    if let Some(fix) = &finding.fix {
        object.insert("fixes".into(), json!([fix_entry(report, fix)]));
    }
    if let Some(suppression) = &reported.suppressed {
        let mut entry = json!({ "kind": "inSource", "status": "accepted" });
        if let (Some(reason), Some(map)) = (&suppression.reason, entry.as_object_mut()) {
            map.insert("justification".into(), json!(reason));
        }
        object.insert("suppressions".into(), json!([entry]));
    }
    value
}

fn location(report: &Report, span: crate::source::Span) -> Value {
    let (file, start, end) = locate(report, span);
    json!({
        "physicalLocation": {
            "artifactLocation": { "uri": file_uri(&file) },
            "region": {
                "startLine": start.line,
                "startColumn": start.column,
                "endLine": end.line,
                "endColumn": end.column,
            }
        }
    })
}

fn fix_entry(report: &Report, fix: &crate::finding::Fix) -> Value {
    // SARIF groups replacements per file.
    let mut changes: Vec<(crate::source::FileId, Vec<Value>)> = Vec::new();
    for edit in &fix.edits {
        let replacement = json!({
            "deletedRegion": {
                "byteOffset": edit.span.start,
                "byteLength": edit.span.end - edit.span.start,
            },
            "insertedContent": { "text": edit.replacement },
        });
        match changes.iter_mut().find(|(file, _)| *file == edit.span.file) {
            Some((_, list)) => list.push(replacement),
            None => changes.push((edit.span.file, vec![replacement])),
        }
    }
    let changes: Vec<Value> = changes
        .into_iter()
        .map(|(file, replacements)| {
            let name = report
                .sources
                .get(file)
                .map(|f| f.name.clone())
                .unwrap_or_default();
            json!({
                "artifactLocation": { "uri": file_uri(&name) },
                "replacements": replacements,
            })
        })
        .collect();
    json!({
        "description": { "text": format!("{} ({})", fix.title, fix.applicability.as_str()) },
        "artifactChanges": changes,
    })
}

/// Rule, file and the flagged line's text (blanks squeezed): stable when
/// lines are inserted above, different for two findings on different lines.
fn fingerprint(report: &Report, reported: &Reported) -> String {
    let finding = &reported.finding;
    let span = finding.primary.span;
    let (name, line_text) = match report.sources.get(span.file) {
        Some(file) => (
            file.name.as_str(),
            file.text.get(file.line_range_at(span.start)).unwrap_or(""),
        ),
        None => ("", ""),
    };
    let squeezed: Vec<&str> = line_text.split_whitespace().collect();
    let mut hash = Fnv::new();
    for part in [finding.rule, name, &squeezed.join(" "), &finding.message] {
        hash.write(part.as_bytes());
        hash.write(&[0]);
    }
    format!("{:016x}", hash.0)
}

/// FNV-1a, 64 bits: tiny, and stable across Rust releases (unlike the std hasher).
struct Fnv(u64);

impl Fnv {
    fn new() -> Self {
        Fnv(0xcbf2_9ce4_8422_2325)
    }

    fn write(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 ^= u64::from(*byte);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
}

/// A relative path stays relative (code scanning resolves it against the
/// repository root); an absolute one becomes a `file://` URI.
pub fn file_uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let encoded = percent_encode(&path);
    if path.starts_with('/') {
        format!("file://{encoded}")
    } else {
        encoded
    }
}

fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uris_are_relative_or_file_urls() {
        assert_eq!(file_uri("conf/haproxy.cfg"), "conf/haproxy.cfg");
        assert_eq!(file_uri("my conf.cfg"), "my%20conf.cfg");
        assert_eq!(
            file_uri("/etc/haproxy/haproxy.cfg"),
            "file:///etc/haproxy/haproxy.cfg"
        );
    }

    #[test]
    fn help_links_point_at_the_manual_section() {
        let verify = ["configuration.txt 5.2 verify".to_string()];
        assert_eq!(
            help_uri(&verify, Version::new(2, 8)),
            "https://docs.haproxy.org/2.8/configuration.html#5.2-verify"
        );
        assert_eq!(
            help_uri(&verify, Version::new(3, 2)),
            "https://docs.haproxy.org/3.2/configuration.html#5.2-verify"
        );
        assert_eq!(help_uri(&[], Version::new(3, 2)), MANUAL_URI);
        assert_eq!(camel_case("ssl-verify-none"), "SslVerifyNone");
    }
}
