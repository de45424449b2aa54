//! `haplint lsp`: a language server over stdio, so editors show findings as
//! you type, offer each fix as a code action, and explain keywords and rules
//! on hover.
//!
//! Documents are synchronised whole (every change sends the full text: haproxy
//! configurations are small next to a check's cost, which is milliseconds).
//! Positions are converted between byte offsets and LSP's UTF-16 columns.

use crate::Report;
use crate::error::Error;
use crate::finding::{Applicability, Severity};
use crate::model::keywords::{self, KeywordContext};
use crate::rules::catalog;
use crate::source::SourceSet;
use lsp_server::{Connection, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, HoverRequest, Request as _};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CodeDescription, Diagnostic, DiagnosticSeverity,
    DidChangeTextDocumentParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, Hover, HoverContents, HoverParams, HoverProviderCapability,
    InitializeResult, MarkupContent, MarkupKind, NumberOrString, Position,
    PublishDiagnosticsParams, Range, ServerCapabilities, ServerInfo, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextEdit, Url, WorkspaceEdit,
};
use std::collections::HashMap;

/// A document as the editor last sent it, with the check of that text.
struct Document {
    text: String,
    report: Report,
}

/// Serve until the client asks to shut down.
pub fn serve() -> Result<(), Error> {
    let (connection, threads) = Connection::stdio();
    let result = run(&connection);
    drop(connection);
    let _ = threads.join();
    result
}

fn protocol(error: impl std::fmt::Display) -> Error {
    Error::Usage(format!("language server: {error}"))
}

fn run(connection: &Connection) -> Result<(), Error> {
    let capabilities = ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        code_action_provider: Some(CodeActionProviderCapability::Simple(true)),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        ..ServerCapabilities::default()
    };
    let (id, _params) = connection.initialize_start().map_err(protocol)?;
    let result = InitializeResult {
        capabilities,
        server_info: Some(ServerInfo {
            name: "haplint".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    };
    let result = serde_json::to_value(result).map_err(protocol)?;
    connection.initialize_finish(id, result).map_err(protocol)?;
    let mut documents: HashMap<Url, Document> = HashMap::new();
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request).map_err(protocol)? {
                    return Ok(());
                }
                let response = answer(&documents, request);
                connection
                    .sender
                    .send(Message::Response(response))
                    .map_err(protocol)?;
            }
            Message::Notification(notification) => {
                if let Some(uri) = update(&mut documents, notification) {
                    let diagnostics = documents
                        .get(&uri)
                        .map(|d| diagnostics(&uri, d))
                        .unwrap_or_default();
                    publish(connection, uri, diagnostics)?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

fn publish(connection: &Connection, uri: Url, diagnostics: Vec<Diagnostic>) -> Result<(), Error> {
    let params = PublishDiagnosticsParams {
        uri,
        diagnostics,
        version: None,
    };
    let notification = Notification::new(PublishDiagnostics::METHOD.to_string(), params);
    connection
        .sender
        .send(Message::Notification(notification))
        .map_err(protocol)
}

/// Apply a document notification; returns the document whose diagnostics changed.
fn update(documents: &mut HashMap<Url, Document>, notification: Notification) -> Option<Url> {
    match notification.method.as_str() {
        DidOpenTextDocument::METHOD => {
            let params: DidOpenTextDocumentParams =
                serde_json::from_value(notification.params).ok()?;
            let uri = params.text_document.uri;
            let document = check(&uri, params.text_document.text);
            documents.insert(uri.clone(), document);
            Some(uri)
        }
        DidChangeTextDocument::METHOD => {
            let params: DidChangeTextDocumentParams =
                serde_json::from_value(notification.params).ok()?;
            let uri = params.text_document.uri;
            // Full synchronisation: the last change holds the whole text.
            let text = params.content_changes.into_iter().last()?.text;
            documents.insert(uri.clone(), check(&uri, text));
            Some(uri)
        }
        DidSaveTextDocument::METHOD => {
            let params: DidSaveTextDocumentParams =
                serde_json::from_value(notification.params).ok()?;
            let uri = params.text_document.uri;
            let text = match params.text {
                Some(text) => text,
                None => documents.get(&uri)?.text.clone(),
            };
            documents.insert(uri.clone(), check(&uri, text));
            Some(uri)
        }
        DidCloseTextDocument::METHOD => {
            let params: DidCloseTextDocumentParams =
                serde_json::from_value(notification.params).ok()?;
            documents.remove(&params.text_document.uri);
            // Clear what the editor shows for a closed file.
            Some(params.text_document.uri)
        }
        _ => None,
    }
}

/// Check one document's text with the options a `haplint check` of its file
/// would use (the nearest `.haplint.yaml`).
fn check(uri: &Url, text: String) -> Document {
    let path = uri.to_file_path().ok();
    let name = path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| uri.to_string());
    let options = path
        .as_deref()
        .and_then(crate::config::Config::find_upward)
        .and_then(|config| crate::config::Config::load(&config).ok())
        .and_then(|config| crate::cli::options_from_config(&config).ok())
        .unwrap_or_default();
    let mut sources = SourceSet::new();
    sources.add(name, path, text.as_str());
    let report = crate::check(sources, &options);
    Document { text, report }
}

fn answer(documents: &HashMap<Url, Document>, request: Request) -> Response {
    let id: RequestId = request.id.clone();
    let result = match request.method.as_str() {
        CodeActionRequest::METHOD => serde_json::from_value::<CodeActionParams>(request.params)
            .ok()
            .map(|params| code_actions(documents, params))
            .and_then(|actions| serde_json::to_value(actions).ok()),
        HoverRequest::METHOD => serde_json::from_value::<HoverParams>(request.params)
            .ok()
            .and_then(|params| hover(documents, params))
            .and_then(|hover| serde_json::to_value(hover).ok()),
        _ => {
            return Response::new_err(
                id,
                lsp_server::ErrorCode::MethodNotFound as i32,
                format!("haplint does not handle {}", request.method),
            );
        }
    };
    Response::new_ok(id, result.unwrap_or(serde_json::Value::Null))
}

/// Byte offset → LSP position (line, UTF-16 column).
fn position(text: &str, offset: u32) -> Position {
    let offset = (offset as usize).min(text.len());
    let before = text.get(..offset).unwrap_or("");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let line = before.matches('\n').count();
    let column: usize = before
        .get(line_start..)
        .unwrap_or("")
        .chars()
        .map(char::len_utf16)
        .sum();
    Position::new(line as u32, column as u32)
}

/// LSP position → byte offset (clamped to the line and the text).
fn offset(text: &str, at: Position) -> usize {
    let mut line_start = 0;
    for _ in 0..at.line {
        match text.get(line_start..).and_then(|rest| rest.find('\n')) {
            Some(lf) => line_start += lf + 1,
            None => return text.len(),
        }
    }
    let mut units = 0;
    for (i, c) in text.get(line_start..).unwrap_or("").char_indices() {
        if units >= at.character as usize || c == '\n' || c == '\r' {
            return line_start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

fn range(text: &str, span: crate::source::Span) -> Range {
    Range::new(position(text, span.start), position(text, span.end))
}

fn diagnostics(uri: &Url, document: &Document) -> Vec<Diagnostic> {
    document
        .report
        .active()
        .map(|reported| {
            let finding = &reported.finding;
            let severity = match reported.severity {
                Severity::Error => DiagnosticSeverity::ERROR,
                Severity::Warning => DiagnosticSeverity::WARNING,
                Severity::Info => DiagnosticSeverity::INFORMATION,
            };
            let mut message = finding.message.clone();
            if let Some(help) = &finding.help {
                message.push_str("\nhelp: ");
                message.push_str(help);
            }
            let related = finding
                .secondary
                .iter()
                .map(|label| lsp_types::DiagnosticRelatedInformation {
                    location: lsp_types::Location::new(
                        uri.clone(),
                        range(&document.text, label.span),
                    ),
                    message: label.text.clone().unwrap_or_default(),
                })
                .collect::<Vec<_>>();
            Diagnostic {
                range: range(&document.text, finding.primary.span),
                severity: Some(severity),
                code: Some(NumberOrString::String(finding.rule.to_string())),
                code_description: rule_link(finding.rule, document.report.target)
                    .map(|href| CodeDescription { href }),
                source: Some("haplint".to_string()),
                message,
                related_information: (!related.is_empty()).then_some(related),
                tags: None,
                data: None,
            }
        })
        .collect()
}

/// The manual section a rule's documentation points at first.
fn rule_link(rule: &str, target: crate::version::Version) -> Option<Url> {
    let doc = catalog::doc(rule)?;
    Url::parse(&crate::report::sarif::help_uri(&doc.manual, target)).ok()
}

fn overlaps(a: &Range, b: &Range) -> bool {
    (a.start.line, a.start.character) <= (b.end.line, b.end.character)
        && (b.start.line, b.start.character) <= (a.end.line, a.end.character)
}

fn code_actions(
    documents: &HashMap<Url, Document>,
    params: CodeActionParams,
) -> Vec<CodeActionOrCommand> {
    let uri = params.text_document.uri;
    let Some(document) = documents.get(&uri) else {
        return Vec::new();
    };
    let all = diagnostics(&uri, document);
    let mut actions = Vec::new();
    for (reported, diagnostic) in document.report.active().zip(all) {
        let Some(fix) = &reported.finding.fix else {
            continue;
        };
        if !overlaps(&diagnostic.range, &params.range) {
            continue;
        }
        // A fix may only touch this document: the editor applies edits per file.
        let file = reported.finding.primary.span.file;
        if fix.edits.iter().any(|e| e.span.file != file) {
            continue;
        }
        let edits = fix
            .edits
            .iter()
            .map(|edit| TextEdit::new(range(&document.text, edit.span), edit.replacement.clone()))
            .collect();
        let safe = fix.applicability == Applicability::Safe;
        let label = if safe {
            ""
        } else {
            " (unsafe: changes behaviour)"
        };
        actions.push(CodeActionOrCommand::CodeAction(CodeAction {
            title: format!("{}{label} [{}]", fix.title, reported.finding.rule),
            kind: Some(CodeActionKind::QUICKFIX),
            diagnostics: Some(vec![diagnostic]),
            edit: Some(WorkspaceEdit {
                changes: Some(HashMap::from([(uri.clone(), edits)])),
                ..WorkspaceEdit::default()
            }),
            is_preferred: Some(safe),
            ..CodeAction::default()
        }));
    }
    actions
}

fn hover(documents: &HashMap<Url, Document>, params: HoverParams) -> Option<Hover> {
    let at = params.text_document_position_params;
    let document = documents.get(&at.text_document.uri)?;
    let offset = offset(&document.text, at.position) as u32;
    // On a finding: the rule's full explanation.
    if let Some(reported) = document.report.active().find(|r| {
        let span = r.finding.primary.span;
        span.start <= offset && offset <= span.end
    }) && let Some(doc) = catalog::doc(reported.finding.rule)
    {
        return Some(markdown(
            format!(
                "```text\n{}\n```",
                crate::report::explain::render(doc).trim_end()
            ),
            range(&document.text, reported.finding.primary.span),
        ));
    }
    keyword_hover(document, offset)
}

/// On a keyword: its one-line meaning and the manual section.
fn keyword_hover(document: &Document, offset: u32) -> Option<Hover> {
    let model = &document.report.model;
    let tree = model.trees().first()?;
    let line_index = tree
        .lines
        .partition_point(|line| line.end <= offset)
        .min(tree.lines.len().saturating_sub(1));
    let line = tree.lines.get(line_index)?;
    let words = tree.words(line);
    let hit = words
        .iter()
        .position(|w| w.start <= offset && offset <= w.end)?;
    let value = |i: usize| words.get(i).map(|w| tree.value(w));
    let stmt = crate::model::Stmt {
        file: tree.file,
        line: line_index as u32,
    };
    let section_kind = model
        .sections
        .iter()
        .find(|s| s.header == stmt || s.statements.binary_search(&stmt).is_ok())
        .map(|s| s.kind);
    let first = value(0)?;
    let (context, keyword, from, to) =
        if hit >= 2 && matches!(first, "server" | "default-server" | "bind") {
            let context = if first == "bind" {
                KeywordContext::Bind
            } else {
                KeywordContext::Server
            };
            let word = value(hit)?;
            (
                context,
                word.strip_prefix("no-").unwrap_or(word).to_string(),
                hit,
                hit,
            )
        } else if hit <= 1 && matches!(first, "option" | "timeout" | "no") {
            let (head, second) = match first {
                "no" => (value(1)?, value(2)?),
                _ => (first, value(1)?),
            };
            let start = usize::from(first == "no");
            let context = KeywordContext::Proxy;
            (context, format!("{head} {second}"), start, start + 1)
        } else if hit == 0 {
            let context = match section_kind {
                Some(crate::model::SectionKind::Global) => KeywordContext::Global,
                _ => KeywordContext::Proxy,
            };
            (context, first.to_string(), 0, 0)
        } else {
            return None;
        };
    let meaning = keywords::meaning(context, &keyword)?;
    let span = crate::source::Span::new(tree.file, words.get(from)?.start, words.get(to)?.end);
    Some(markdown(
        format!(
            "**{}** — {}\n\nHAProxy manual, section {} (`{}`)",
            meaning.keyword, meaning.meaning, meaning.manual, meaning.keyword
        ),
        range(&document.text, span),
    ))
}

fn markdown(value: String, range: Range) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(range),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_utf16_units() {
        let text = "a\n  é😀x y\n";
        let x = text.find('x').unwrap_or(0) as u32;
        assert_eq!(position(text, x), Position::new(1, 5));
        assert_eq!(offset(text, Position::new(1, 5)), x as usize);
        assert_eq!(offset(text, Position::new(9, 0)), text.len());
        assert_eq!(offset(text, Position::new(0, 99)), 1);
    }
}
