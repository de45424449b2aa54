//! `haplint lsp`: a language server over stdio, so editors show findings as
//! you type, offer each fix as a code action, and explain findings and
//! keywords on hover.
//!
//! The message loop never lints. It applies edits (incremental sync: each
//! change is spliced into the text and its line index) and hands the newest
//! version of a document to one worker thread, which waits for a short quiet
//! moment (debounce), checks that version, converts every finding's position
//! once with the line index of that version and keeps the result. A result
//! whose version was superseded while it was computed is dropped, never
//! published; the newest version is linted next. Code actions, hover and pull
//! diagnostics are answered from the kept result of the current version; a
//! request that arrives before it is ready waits for it (and is answered by the
//! worker), so answers never mix positions of two versions.
//!
//! Positions are LSP's (line, UTF-16 column); haplint's spans are byte offsets.
//!
//! Diagnostics are serialized straight into the message's bytes (`wire`),
//! and the transport writes such bytes as they are (`transport`). A document
//! keeps one analysis: an edit retires the previous one, which a thread of
//! its own frees while the worker already checks the new version.

mod transport;
mod wire;

use crate::Report;
use crate::error::Error;
use crate::finding::{Applicability, Severity};
use crate::model::keywords::{self, KeywordContext};
use crate::model::vocabulary;
use crate::rules::catalog;
use crate::source::SourceSet;
use crate::version::Version;
use lsp_server::{Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument,
    DidSaveTextDocument, Notification as _, PublishDiagnostics, ShowMessage,
};
use lsp_types::request::{
    CodeActionRequest, DocumentDiagnosticRequest, HoverRequest, RegisterCapability, Request as _,
    WorkspaceDiagnosticRefresh,
};
use lsp_types::{
    CodeAction, CodeActionKind, CodeActionOptions, CodeActionOrCommand, CodeActionParams,
    CodeActionProviderCapability, CodeDescription, Diagnostic, DiagnosticOptions,
    DiagnosticServerCapabilities, DiagnosticSeverity, DidChangeTextDocumentParams,
    DidChangeWatchedFilesParams, DidCloseTextDocumentParams, DidOpenTextDocumentParams,
    DidSaveTextDocumentParams, DocumentDiagnosticParams, DocumentDiagnosticReport, Hover,
    HoverContents, HoverParams, HoverProviderCapability, InitializeResult, MarkupContent,
    MarkupKind, MessageType, NumberOrString, Position, PublishDiagnosticsParams, Range,
    RelatedUnchangedDocumentDiagnosticReport, SaveOptions, ServerCapabilities, ServerInfo,
    ShowMessageParams, TextDocumentContentChangeEvent, TextDocumentSyncCapability,
    TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, TextEdit,
    UnchangedDocumentDiagnosticReport, Url, WorkspaceEdit,
};
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant, SystemTime};
use transport::{Out, Transport};

/// How long the worker waits after the last edit before linting: keystrokes
/// typed faster than this are linted once.
const DEBOUNCE: Duration = Duration::from_millis(8);

/// How often an idle worker looks whether a `.haplint.yaml` an open document
/// uses was edited (for editors that do not report watched files).
const CONFIG_POLL: Duration = Duration::from_secs(1);

/// Serve until the client asks to shut down.
pub fn serve() -> Result<(), Error> {
    let transport = Transport::stdio().map_err(protocol)?;
    let result = run(&transport);
    // Everything sent is written before the process ends.
    transport.finish();
    result
}

fn protocol(error: impl std::fmt::Display) -> Error {
    Error::Usage(format!("language server: {error}"))
}

/// What the client said it supports, as far as it changes what we send.
#[derive(Clone, Copy, Default)]
struct ClientFeatures {
    /// The client pulls diagnostics (`textDocument/diagnostic`): do not push.
    pull: bool,
    /// The client can be asked to pull again (`workspace/diagnostic/refresh`).
    refresh: bool,
    /// The client registers file watchers for us.
    watch: bool,
    /// `publishDiagnostics` may carry the document version.
    version: bool,
}

impl ClientFeatures {
    fn read(params: &Value) -> ClientFeatures {
        let flag = |pointer: &str| params.pointer(pointer).and_then(Value::as_bool) == Some(true);
        ClientFeatures {
            pull: params
                .pointer("/capabilities/textDocument/diagnostic")
                .is_some_and(Value::is_object),
            refresh: flag("/capabilities/workspace/diagnostics/refreshSupport"),
            watch: flag("/capabilities/workspace/didChangeWatchedFiles/dynamicRegistration"),
            version: flag("/capabilities/textDocument/publishDiagnostics/versionSupport"),
        }
    }
}

fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        text_document_sync: Some(TextDocumentSyncCapability::Options(
            TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(TextDocumentSyncKind::INCREMENTAL),
                save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                    include_text: Some(false),
                })),
                ..TextDocumentSyncOptions::default()
            },
        )),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX]),
            ..CodeActionOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        diagnostic_provider: Some(DiagnosticServerCapabilities::Options(DiagnosticOptions {
            identifier: Some("haplint".to_string()),
            inter_file_dependencies: false,
            workspace_diagnostics: false,
            ..DiagnosticOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

fn run(connection: &Transport) -> Result<(), Error> {
    let (id, params) = connection.initialize_start().map_err(protocol)?;
    let features = ClientFeatures::read(&params);
    let result = InitializeResult {
        capabilities: capabilities(),
        server_info: Some(ServerInfo {
            name: "haplint".to_string(),
            version: Some(env!("CARGO_PKG_VERSION").to_string()),
        }),
    };
    let result = serde_json::to_value(result).map_err(protocol)?;
    connection.initialize_finish(id, result).map_err(protocol)?;
    if features.watch {
        // Re-lint when a `.haplint.yaml` changes on disk.
        let params = serde_json::json!({"registrations": [{
            "id": "haplint-config",
            "method": DidChangeWatchedFiles::METHOD,
            "registerOptions": {"watchers": [{"globPattern": "**/.haplint.yaml"}]},
        }]});
        let request = Request::new(
            RequestId::from("haplint-watch".to_string()),
            RegisterCapability::METHOD.to_string(),
            params,
        );
        connection.send(Message::Request(request));
    }

    let shared = Arc::new(Shared {
        state: Mutex::new(State::default()),
        wake: Condvar::new(),
        out: connection.sender.clone(),
        retire: freer().map_err(protocol)?,
        features,
    });
    let worker = {
        let shared = Arc::clone(&shared);
        std::thread::Builder::new()
            .name("haplint-lint".to_string())
            .spawn(move || work(&shared))
            .map_err(protocol)?
    };
    let result = serve_messages(connection, &shared);
    shared.lock().shutdown = true;
    shared.wake.notify_all();
    let _ = worker.join();
    result
}

fn serve_messages(connection: &Transport, shared: &Shared) -> Result<(), Error> {
    for message in &connection.receiver {
        match message {
            Message::Request(request) => {
                if connection.handle_shutdown(&request).map_err(protocol)? {
                    return Ok(());
                }
                shared.request(request);
            }
            Message::Notification(notification) => shared.notification(notification),
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// What the message loop and the worker share.
struct Shared {
    state: Mutex<State>,
    /// Signalled when a document needs linting, or at shutdown.
    wake: Condvar,
    /// Sends to the client (the transport's writer thread).
    out: std::sync::mpsc::Sender<Out>,
    /// Analyses that were superseded, to be freed off the message loop and
    /// the worker (a large one takes tens of milliseconds to free).
    retire: std::sync::mpsc::Sender<Arc<Analysis>>,
    features: ClientFeatures,
}

#[derive(Default)]
struct State {
    documents: HashMap<Url, Document>,
    /// Documents whose newest version has no analysis yet.
    dirty: BTreeSet<Url>,
    last_edit: Option<Instant>,
    shutdown: bool,
    /// A configuration reload is being linted (pull clients get a refresh after it).
    reloaded: bool,
    /// The last configuration error shown, so it is shown once.
    config_error: Option<String>,
}

/// A document as the editor has it now, and the analysis of its newest linted version.
struct Document {
    version: i32,
    text: String,
    /// Start offset of every line of `text`, kept up to date edit by edit.
    lines: Vec<u32>,
    analysis: Option<Arc<Analysis>>,
    /// Requests that wait for the analysis of `version`.
    pending: Vec<Request>,
}

/// One checked version of a document: the report, its line index and its
/// diagnostics, computed once and shared by publish, pull, code actions and hover.
struct Analysis {
    uri: Url,
    version: i32,
    report: Report,
    /// The buffer's file among the report's sources (a declared configuration
    /// brings its other files along).
    file: crate::source::FileId,
    lines: Vec<u32>,
    target: Version,
    /// One per active finding, in the report's order.
    shown: Vec<Shown>,
    /// The documentation link of each rule with a finding.
    links: HashMap<&'static str, Option<Url>>,
    /// The `.haplint.yaml` used and when it was last modified.
    config: Option<(PathBuf, Option<SystemTime>)>,
}

/// A finding shown as a diagnostic: its index in `report.findings` and its
/// range (the rest is read from the finding when it is sent).
struct Shown {
    finding: usize,
    range: Range,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Hand a superseded analysis to the thread that frees it.
    fn retire(&self, analysis: Arc<Analysis>) {
        // Without that thread (gone at exit) it is freed here.
        let _ = self.retire.send(analysis);
    }

    fn send(&self, out: impl Into<Out>) {
        // A closed queue means the client is gone; the loop ends on its own.
        let _ = self.out.send(out.into());
    }

    fn notify<N: lsp_types::notification::Notification>(&self, params: N::Params) {
        self.send(Message::Notification(Notification::new(
            N::METHOD.to_string(),
            params,
        )));
    }

    fn request(&self, request: Request) {
        if !matches!(
            request.method.as_str(),
            CodeActionRequest::METHOD | HoverRequest::METHOD | DocumentDiagnosticRequest::METHOD
        ) {
            self.send(Message::Response(Response::new_err(
                request.id,
                lsp_server::ErrorCode::MethodNotFound as i32,
                format!("haplint does not handle {}", request.method),
            )));
            return;
        }
        let uri = request
            .params
            .pointer("/textDocument/uri")
            .and_then(Value::as_str)
            .and_then(|uri| Url::parse(uri).ok());
        let mut state = self.lock();
        let document = uri.as_ref().and_then(|uri| state.documents.get_mut(uri));
        match document {
            Some(document) => match &document.analysis {
                Some(analysis) if analysis.version == document.version => {
                    let analysis = Arc::clone(analysis);
                    drop(state);
                    self.send(answer(&analysis, request));
                }
                _ => document.pending.push(request),
            },
            None => {
                drop(state);
                self.send(unknown_document(request));
            }
        }
    }

    fn notification(&self, notification: Notification) {
        let mut state = self.lock();
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                let Ok(params) =
                    serde_json::from_value::<DidOpenTextDocumentParams>(notification.params)
                else {
                    return;
                };
                let document = params.text_document;
                let lines = line_starts(&document.text);
                state.documents.insert(
                    document.uri.clone(),
                    Document {
                        version: document.version,
                        text: document.text,
                        lines,
                        analysis: None,
                        pending: Vec::new(),
                    },
                );
                state.mark_dirty(document.uri);
            }
            DidChangeTextDocument::METHOD => {
                let Ok(params) =
                    serde_json::from_value::<DidChangeTextDocumentParams>(notification.params)
                else {
                    return;
                };
                let uri = params.text_document.uri;
                let Some(document) = state.documents.get_mut(&uri) else {
                    return;
                };
                for change in params.content_changes {
                    document.apply(change);
                }
                document.version = params.text_document.version;
                // Nothing is answered from an older version's analysis.
                if let Some(retired) = document.analysis.take() {
                    self.retire(retired);
                }
                state.mark_dirty(uri);
            }
            DidSaveTextDocument::METHOD => {
                let Ok(params) =
                    serde_json::from_value::<DidSaveTextDocumentParams>(notification.params)
                else {
                    return;
                };
                let uri = params.text_document.uri;
                if is_config(&uri) {
                    state.mark_all_dirty();
                } else if state.documents.contains_key(&uri) {
                    // Saving may have changed what the file's siblings or its
                    // configuration say: lint again.
                    state.mark_dirty(uri);
                }
            }
            DidCloseTextDocument::METHOD => {
                let Ok(params) =
                    serde_json::from_value::<DidCloseTextDocumentParams>(notification.params)
                else {
                    return;
                };
                let uri = params.text_document.uri;
                state.dirty.remove(&uri);
                if let Some(document) = state.documents.remove(&uri) {
                    for request in document.pending {
                        self.send(unknown_document(request));
                    }
                    if let Some(retired) = document.analysis {
                        self.retire(retired);
                    }
                }
                // Clear what the editor shows for a closed file (while holding
                // the lock, so no publish of the worker can come after it).
                if !self.features.pull {
                    self.notify::<PublishDiagnostics>(PublishDiagnosticsParams {
                        uri,
                        diagnostics: Vec::new(),
                        version: None,
                    });
                }
            }
            DidChangeWatchedFiles::METHOD => {
                let Ok(params) =
                    serde_json::from_value::<DidChangeWatchedFilesParams>(notification.params)
                else {
                    return;
                };
                if params.changes.iter().any(|change| is_config(&change.uri)) {
                    state.mark_all_dirty();
                }
            }
            _ => return,
        }
        drop(state);
        self.wake.notify_all();
    }

    /// Send an analysis' publish (unless the client pulls), answer the
    /// requests that waited for it.
    fn deliver(&self, analysis: &Arc<Analysis>, publish: Option<Vec<u8>>, pending: Vec<Request>) {
        if let Some(body) = publish {
            self.send(Out::Body(body));
        }
        for request in pending {
            self.send(answer(analysis, request));
        }
    }
}

impl State {
    fn mark_dirty(&mut self, uri: Url) {
        self.dirty.insert(uri);
        self.last_edit = Some(Instant::now());
    }

    /// A configuration changed: every document is linted again.
    fn mark_all_dirty(&mut self) {
        let uris: Vec<Url> = self.documents.keys().cloned().collect();
        self.dirty.extend(uris);
        self.reloaded = true;
        self.last_edit = Some(Instant::now());
    }
}

/// The thread that frees superseded analyses, and how to hand it one.
fn freer() -> std::io::Result<std::sync::mpsc::Sender<Arc<Analysis>>> {
    let (retire, retired) = std::sync::mpsc::channel::<Arc<Analysis>>();
    std::thread::Builder::new()
        .name("haplint-lsp-free".to_string())
        .spawn(move || {
            for analysis in retired {
                let started = Instant::now();
                drop(analysis);
                crate::stage("lsp: free the previous analysis", started);
            }
        })?;
    Ok(retire)
}

fn is_config(uri: &Url) -> bool {
    uri.path().ends_with(crate::config::FILE_NAME)
}

/// The worker: lint the newest version of each dirty document, one at a time.
fn work(shared: &Shared) {
    let mut state = shared.lock();
    loop {
        if state.shutdown {
            return;
        }
        if state.dirty.is_empty() {
            let (next, timeout) = shared
                .wake
                .wait_timeout(state, CONFIG_POLL)
                .unwrap_or_else(PoisonError::into_inner);
            state = next;
            if timeout.timed_out() {
                let stale = stale_configs(&state);
                if !stale.is_empty() {
                    state.dirty.extend(stale);
                    state.reloaded = true;
                }
            }
            continue;
        }
        // Debounce: wait until no edit came for DEBOUNCE.
        if let Some(last) = state.last_edit {
            let quiet = last.elapsed();
            if quiet < DEBOUNCE {
                state = shared
                    .wake
                    .wait_timeout(state, DEBOUNCE - quiet)
                    .map(|(state, _)| state)
                    .unwrap_or_else(|e| e.into_inner().0);
                continue;
            }
        }
        let Some(uri) = state.dirty.pop_first() else {
            continue;
        };
        let Some(document) = state.documents.get(&uri) else {
            continue;
        };
        let version = document.version;
        let text: Arc<str> = Arc::from(document.text.as_str());
        let lines = document.lines.clone();
        drop(state);

        let started = Instant::now();
        let analysis = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            analyse(&uri, version, text, lines)
        }));
        crate::stage("lsp: check and diagnostics", started);
        // Serialized before the lock is taken again, so the message loop
        // goes on meanwhile; sent only if the version is still the newest.
        let serializing = Instant::now();
        let publish = match &analysis {
            Ok((analysis, _)) if !shared.features.pull => {
                let version = shared.features.version.then_some(analysis.version);
                Some(wire::publish(analysis, version))
            }
            _ => None,
        };
        crate::stage("lsp: serialize the publish", serializing);

        state = shared.lock();
        let (analysis, config_error) = match analysis {
            Ok(result) => result,
            Err(_) => {
                // A bug in a rule must not leave the editor waiting: answer
                // what waits with nothing and say so.
                if let Some(document) = state.documents.get_mut(&uri)
                    && document.version == version
                {
                    for request in std::mem::take(&mut document.pending) {
                        shared.send(unknown_document(request));
                    }
                }
                shared.notify::<ShowMessage>(ShowMessageParams {
                    typ: MessageType::ERROR,
                    message: format!("haplint: internal error while checking {uri}"),
                });
                continue;
            }
        };
        if config_error != state.config_error {
            if let Some(error) = &config_error {
                shared.notify::<ShowMessage>(ShowMessageParams {
                    typ: MessageType::WARNING,
                    message: format!("haplint: {error}; checking with the defaults"),
                });
            }
            state.config_error = config_error;
        }
        let Some(document) = state.documents.get_mut(&uri) else {
            continue;
        };
        if document.version != version {
            // Superseded while it was computed: the newer version is dirty
            // and linted next; this result is never shown.
            continue;
        }
        let analysis = Arc::new(analysis);
        // Another analysis of the same version (a configuration reload) is retired.
        let previous = document.analysis.replace(Arc::clone(&analysis));
        let pending = std::mem::take(&mut document.pending);
        // Sent while holding the lock, so a close that follows cannot be overtaken.
        let delivering = Instant::now();
        shared.deliver(&analysis, publish, pending);
        crate::stage("lsp: publish", delivering);
        if let Some(previous) = previous {
            shared.retire(previous);
        }
        // A pull client asks again after its own edits; after a reload of
        // the configuration it must be told to.
        if state.reloaded && state.dirty.is_empty() {
            state.reloaded = false;
            if shared.features.pull && shared.features.refresh {
                shared.send(Message::Request(Request::new(
                    RequestId::from(format!("haplint-refresh-{version}")),
                    WorkspaceDiagnosticRefresh::METHOD.to_string(),
                    Value::Null,
                )));
            }
        }
    }
}

/// Documents whose `.haplint.yaml` changed (appeared, vanished, or was
/// modified) since their analysis.
fn stale_configs(state: &State) -> Vec<Url> {
    state
        .documents
        .iter()
        .filter(|(_, document)| {
            document.analysis.as_ref().is_some_and(|analysis| {
                let path = analysis.uri.to_file_path().ok();
                config_stamp(path.as_deref()) != analysis.config
            })
        })
        .map(|(uri, _)| uri.clone())
        .collect()
}

/// The `.haplint.yaml` a check of `path` would use, and its modification time.
fn config_stamp(path: Option<&Path>) -> Option<(PathBuf, Option<SystemTime>)> {
    let found = crate::config::Config::find_upward(path?)?;
    let modified = std::fs::metadata(&found).and_then(|m| m.modified()).ok();
    Some((found, modified))
}

/// The sources one check of a buffer reads: the buffer itself, named like a
/// `haplint check` of its file would name it.
///
/// A buffer that a `.haplint.yaml` configuration holds is checked through
/// `project::check_document` instead, with its sibling files from disk.
fn sources(uri: &Url, text: Arc<str>) -> SourceSet {
    let path = uri.to_file_path().ok();
    let name = path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| uri.to_string());
    let mut sources = SourceSet::new();
    sources.add(name, path, text);
    sources
}

/// Check one version of a document with the options a `haplint check` of its
/// file would use (the nearest `.haplint.yaml`); returns the analysis and the
/// configuration error, if the configuration could not be used.
fn analyse(uri: &Url, version: i32, text: Arc<str>, lines: Vec<u32>) -> (Analysis, Option<String>) {
    let path = uri.to_file_path().ok();
    let config = config_stamp(path.as_deref());
    let mut config_error = None;
    let options = match &config {
        Some((found, _)) => match crate::config::Config::load(found).and_then(|c| c.options()) {
            Ok(options) => options,
            Err(error) => {
                config_error = Some(format!("{}: {error}", found.display()));
                crate::Options::default()
            }
        },
        None => crate::Options::default(),
    };
    // A buffer that a `.haplint.yaml` configuration holds is checked with its
    // sibling files, as `haplint check FILE` does; findings stay the buffer's.
    let in_project = path
        .as_deref()
        .and_then(|p| crate::project::check_document(p, &text, &options));
    let report = match in_project {
        Some(report) => report,
        None => crate::check(sources(uri, text), &options),
    };
    let started = Instant::now();
    let name = path.as_ref().map(|p| p.display().to_string());
    let file = report
        .sources
        .files()
        .iter()
        .find(|f| Some(&f.name) == name.as_ref())
        .or_else(|| report.sources.files().first())
        .map(|f| f.id);
    let mut analysis = Analysis {
        uri: uri.clone(),
        version,
        file: file.unwrap_or(crate::source::FileId(0)),
        lines,
        target: options.target,
        shown: Vec::new(),
        links: HashMap::new(),
        config,
        report,
    };
    let mut shown = Vec::new();
    let mut links = HashMap::new();
    for (index, reported) in analysis.report.findings.iter().enumerate() {
        let finding = &reported.finding;
        if reported.suppressed.is_some() || Some(finding.primary.span.file) != file {
            continue;
        }
        links
            .entry(finding.rule)
            .or_insert_with(|| rule_link(finding.rule, analysis.report.target));
        shown.push(Shown {
            finding: index,
            range: analysis.range(finding.primary.span),
        });
    }
    analysis.shown = shown;
    analysis.links = links;
    crate::stage("lsp: diagnostics", started);
    (analysis, config_error)
}

/// Start offset of every line.
fn line_starts(text: &str) -> Vec<u32> {
    let mut starts = Vec::with_capacity(text.len() / 32 + 1);
    starts.push(0);
    starts.extend(text.match_indices('\n').map(|(i, _)| i as u32 + 1));
    starts
}

/// Byte offset → LSP position (line, UTF-16 column) with a line index.
fn position(text: &str, lines: &[u32], offset: u32) -> Position {
    let offset = offset.min(text.len() as u32);
    let line = lines.partition_point(|&start| start <= offset).max(1) - 1;
    let start = lines.get(line).copied().unwrap_or(0) as usize;
    let before = text.get(start..offset as usize).unwrap_or("");
    let column = if before.is_ascii() {
        before.len()
    } else {
        before.chars().map(char::len_utf16).sum()
    };
    Position::new(line as u32, column as u32)
}

/// LSP position → byte offset (clamped to the line and the text).
fn offset(text: &str, lines: &[u32], at: Position) -> usize {
    let Some(&start) = lines.get(at.line as usize) else {
        return text.len();
    };
    let start = start as usize;
    let mut units = 0;
    for (i, c) in text.get(start..).unwrap_or("").char_indices() {
        if units >= at.character as usize || c == '\n' || c == '\r' {
            return start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

impl Document {
    /// Splice one change into the text and the line index.
    fn apply(&mut self, change: TextDocumentContentChangeEvent) {
        let Some(range) = change.range else {
            self.lines = line_starts(&change.text);
            self.text = change.text;
            return;
        };
        let start = offset(&self.text, &self.lines, range.start);
        let end = offset(&self.text, &self.lines, range.end).max(start);
        self.text.replace_range(start..end, &change.text);
        let delta = change.text.len() as i64 - (end - start) as i64;
        // Lines that started inside the replaced text are gone; the new text
        // brings its own; lines after it move by the difference in length.
        let first = self.lines.partition_point(|&s| s as usize <= start);
        let last = self.lines.partition_point(|&s| s as usize <= end);
        for line in self.lines.get_mut(last..).unwrap_or_default() {
            *line = (i64::from(*line) + delta) as u32;
        }
        let added = change
            .text
            .match_indices('\n')
            .map(|(i, _)| (start + i + 1) as u32);
        self.lines.splice(first..last, added);
    }
}

impl Analysis {
    fn text(&self) -> &str {
        self.report
            .sources
            .get(self.file)
            .map(|f| &*f.text)
            .unwrap_or("")
    }

    fn position(&self, offset: u32) -> Position {
        position(self.text(), &self.lines, offset)
    }

    fn offset(&self, at: Position) -> u32 {
        offset(self.text(), &self.lines, at) as u32
    }

    fn range(&self, span: crate::source::Span) -> Range {
        Range::new(self.position(span.start), self.position(span.end))
    }

    fn link(&self, rule: &str) -> Option<&Url> {
        self.links.get(rule).and_then(Option::as_ref)
    }

    /// The finding of a diagnostic.
    fn reported(&self, shown: &Shown) -> Option<&crate::Reported> {
        self.report.findings.get(shown.finding)
    }

    /// The diagnostic of a finding as an `lsp_types` value (for code
    /// actions, which quote it; publish and pull write `wire`'s instead).
    fn diagnostic(&self, shown: &Shown) -> Option<Diagnostic> {
        let reported = self.reported(shown)?;
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
        let file = finding.primary.span.file;
        let related = finding
            .secondary
            .iter()
            .filter(|label| label.span.file == file)
            .map(|label| lsp_types::DiagnosticRelatedInformation {
                location: lsp_types::Location::new(self.uri.clone(), self.range(label.span)),
                message: label.text.clone().unwrap_or_default(),
            })
            .collect::<Vec<_>>();
        Some(Diagnostic {
            range: shown.range,
            severity: Some(severity),
            code: Some(NumberOrString::String(finding.rule.to_string())),
            code_description: self
                .link(finding.rule)
                .map(|href| CodeDescription { href: href.clone() }),
            source: Some("haplint".to_string()),
            message,
            related_information: (!related.is_empty()).then_some(related),
            tags: None,
            data: None,
        })
    }
}

/// The manual section a rule's documentation points at first.
fn rule_link(rule: &str, target: crate::version::Version) -> Option<Url> {
    let doc = catalog::doc(rule)?;
    Url::parse(&crate::report::sarif::help_uri(&doc.manual, target)).ok()
}

fn answer(analysis: &Analysis, request: Request) -> Out {
    let id: RequestId = request.id.clone();
    let result = match request.method.as_str() {
        CodeActionRequest::METHOD => serde_json::from_value::<CodeActionParams>(request.params)
            .ok()
            .map(|params| code_actions(analysis, &params))
            .and_then(|actions| serde_json::to_value(actions).ok()),
        HoverRequest::METHOD => serde_json::from_value::<HoverParams>(request.params)
            .ok()
            .and_then(|params| hover(analysis, &params))
            .and_then(|hover| serde_json::to_value(hover).ok()),
        DocumentDiagnosticRequest::METHOD => {
            match serde_json::from_value::<DocumentDiagnosticParams>(request.params) {
                Ok(params) => return pull(analysis, &id, &params),
                Err(_) => None,
            }
        }
        _ => None,
    };
    Message::Response(Response::new_ok(id, result.unwrap_or(Value::Null))).into()
}

/// The answer for a document the server does not have open.
fn unknown_document(request: Request) -> Message {
    let result = match request.method.as_str() {
        CodeActionRequest::METHOD => serde_json::json!([]),
        DocumentDiagnosticRequest::METHOD => serde_json::json!({"kind": "full", "items": []}),
        _ => Value::Null,
    };
    Message::Response(Response::new_ok(request.id, result))
}

/// Pull diagnostics: the version is the result id, so an unchanged document
/// costs the client nothing.
fn pull(analysis: &Analysis, id: &RequestId, params: &DocumentDiagnosticParams) -> Out {
    let result_id = format!("{}", analysis.version);
    if params.previous_result_id.as_deref() == Some(result_id.as_str()) {
        let unchanged =
            DocumentDiagnosticReport::Unchanged(RelatedUnchangedDocumentDiagnosticReport {
                related_documents: None,
                unchanged_document_diagnostic_report: UnchangedDocumentDiagnosticReport {
                    result_id,
                },
            });
        return Message::Response(Response::new_ok(id.clone(), unchanged)).into();
    }
    Out::Body(wire::full_report(analysis, id, &result_id))
}

/// Every action for the findings on the lines of the requested range (the
/// cursor's line, wherever on it the cursor is): fixes, "did you mean"
/// replacements, and a suppression comment.
fn code_actions(analysis: &Analysis, params: &CodeActionParams) -> Vec<CodeActionOrCommand> {
    let (first_line, last_line) = (params.range.start.line, params.range.end.line);
    let uri = &analysis.uri;
    let text = analysis.text();
    let mut fixes = Vec::new();
    let mut suppressions = Vec::new();
    for shown in &analysis.shown {
        if shown.range.start.line > last_line || shown.range.end.line < first_line {
            continue;
        }
        let (Some(reported), Some(diagnostic)) =
            (analysis.reported(shown), analysis.diagnostic(shown))
        else {
            continue;
        };
        let finding = &reported.finding;
        let file = finding.primary.span.file;
        let edit = |edits: Vec<TextEdit>| WorkspaceEdit {
            changes: Some(HashMap::from([(uri.clone(), edits)])),
            ..WorkspaceEdit::default()
        };
        match &finding.fix {
            // A fix may only touch this document: the editor applies edits per file.
            Some(fix) if fix.edits.iter().all(|e| e.span.file == file) => {
                let edits = fix
                    .edits
                    .iter()
                    .map(|e| TextEdit::new(analysis.range(e.span), e.replacement.clone()))
                    .collect();
                let safe = fix.applicability == Applicability::Safe;
                let label = if safe {
                    ""
                } else {
                    " (unsafe: changes behaviour)"
                };
                fixes.push(CodeActionOrCommand::CodeAction(CodeAction {
                    title: format!("{}{label} [{}]", fix.title, finding.rule),
                    kind: Some(CodeActionKind::QUICKFIX),
                    diagnostics: Some(vec![diagnostic.clone()]),
                    edit: Some(edit(edits)),
                    is_preferred: Some(safe),
                    ..CodeAction::default()
                }));
            }
            Some(_) => {}
            None => {
                // "did you mean `X`?" on a finding that points at one word:
                // replacing the word is the fix the help describes.
                let word = analysis.report.sources.slice(finding.primary.span);
                if let Some(suggestion) = finding.help.as_deref().and_then(did_you_mean)
                    && !word.is_empty()
                    && !word.contains(|c: char| c.is_whitespace() || c == '"' || c == '\'')
                    && !suggestion.contains(char::is_whitespace)
                {
                    fixes.push(CodeActionOrCommand::CodeAction(CodeAction {
                        title: format!("Replace `{word}` with `{suggestion}` [{}]", finding.rule),
                        kind: Some(CodeActionKind::QUICKFIX),
                        diagnostics: Some(vec![diagnostic.clone()]),
                        edit: Some(edit(vec![TextEdit::new(
                            diagnostic.range,
                            suggestion.to_string(),
                        )])),
                        is_preferred: Some(false),
                        ..CodeAction::default()
                    }));
                }
            }
        }
        // `syntax` findings cannot be suppressed.
        if finding.rule != crate::syntax::SYNTAX {
            let line = diagnostic.range.start.line;
            let start = analysis.lines.get(line as usize).copied().unwrap_or(0) as usize;
            let rest = text.get(start..).unwrap_or("");
            let indent = &rest[..rest.len() - rest.trim_start_matches([' ', '\t']).len()];
            let comment = format!(
                "{indent}# haplint: disable-next-line={} -- reason\n",
                finding.rule
            );
            let at = Position::new(line, 0);
            suppressions.push(CodeActionOrCommand::CodeAction(CodeAction {
                title: format!(
                    "Suppress `{}` on this line (# haplint: disable-next-line={} -- reason)",
                    finding.rule, finding.rule
                ),
                kind: Some(CodeActionKind::QUICKFIX),
                diagnostics: Some(vec![diagnostic.clone()]),
                edit: Some(edit(vec![TextEdit::new(Range::new(at, at), comment)])),
                is_preferred: Some(false),
                ..CodeAction::default()
            }));
        }
    }
    // One suppression per rule and line is enough.
    let mut seen = BTreeSet::new();
    suppressions.retain(|action| match action {
        CodeActionOrCommand::CodeAction(action) => seen.insert(action.title.clone()),
        CodeActionOrCommand::Command(_) => true,
    });
    fixes.extend(suppressions);
    fixes
}

/// The `X` of a help text "did you mean `X`?".
fn did_you_mean(help: &str) -> Option<&str> {
    let rest = help.strip_prefix("did you mean `")?;
    let (suggestion, tail) = rest.split_once('`')?;
    (tail == "?" && !suggestion.is_empty()).then_some(suggestion)
}

/// On a finding: the narrowest one under the cursor (all of them when
/// several share that span), with its rule's explanation; elsewhere on a
/// keyword: its meaning and availability in the target version.
fn hover(analysis: &Analysis, params: &HoverParams) -> Option<Hover> {
    let at = params.text_document_position_params.position;
    let offset = analysis.offset(at);
    let under: Vec<(&crate::Reported, &Shown)> = analysis
        .shown
        .iter()
        .filter_map(|shown| {
            let reported = analysis.reported(shown)?;
            let span = reported.finding.primary.span;
            (span.start <= offset && offset <= span.end).then_some((reported, shown))
        })
        .collect();
    // The narrowest span wins; findings that share it are all shown.
    let narrowest = under
        .iter()
        .map(|(reported, _)| reported.finding.primary.span.len())
        .min();
    let shown: Vec<&(&crate::Reported, &Shown)> = under
        .iter()
        .filter(|(reported, _)| Some(reported.finding.primary.span.len()) == narrowest)
        .collect();
    if let Some((_, diagnostic)) = shown.first() {
        let mut parts = Vec::new();
        for (reported, _) in &shown {
            let finding = &reported.finding;
            let mut text = format!(
                "**{}** ({}): {}",
                finding.rule,
                reported.severity.as_str(),
                finding.message
            );
            if let Some(help) = &finding.help {
                text.push_str(&format!("\n\nhelp: {help}"));
            }
            if let Some(doc) = catalog::doc(finding.rule) {
                text.push_str(&format!(
                    "\n\n```text\n{}\n```",
                    crate::report::explain::render(doc).trim_end()
                ));
            }
            parts.push(text);
        }
        return Some(markdown(parts.join("\n\n---\n\n"), diagnostic.range));
    }
    keyword_hover(analysis, offset)
}

/// On a keyword: its one-line meaning, the manual section, and whether the
/// target version has it.
fn keyword_hover(analysis: &Analysis, offset: u32) -> Option<Hover> {
    let model = &analysis.report.model;
    let tree = model.tree(analysis.file)?;
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
            (
                KeywordContext::Proxy,
                format!("{head} {second}"),
                start,
                start + 1,
            )
        } else if hit == 0 {
            let context = match section_kind {
                Some(crate::model::SectionKind::Global) => KeywordContext::Global,
                _ => KeywordContext::Proxy,
            };
            (context, first.to_string(), 0, 0)
        } else {
            return None;
        };
    let availability = availability(context, &keyword, analysis.target);
    let meaning = keywords::meaning(context, &keyword);
    if meaning.is_none() && availability.is_none() {
        return None;
    }
    let mut text = match meaning {
        Some(meaning) => format!(
            "**{}** — {}\n\nHAProxy manual, section {} (`{}`)",
            meaning.keyword, meaning.meaning, meaning.manual, meaning.keyword
        ),
        None => format!("**{keyword}**"),
    };
    if let Some(availability) = availability {
        text.push_str("\n\n");
        text.push_str(&availability);
    }
    let span = crate::source::Span::new(tree.file, words.get(from)?.start, words.get(to)?.end);
    Some(markdown(text, analysis.range(span)))
}

/// Whether the target version accepts a keyword, from the keyword tables:
/// since when, deprecated or removed and by what replaced.
fn availability(context: KeywordContext, keyword: &str, target: Version) -> Option<String> {
    let words: Vec<&str> = keyword.split(' ').collect();
    let (since, deprecated, until) = match context {
        KeywordContext::Server | KeywordContext::Bind => {
            let param = match context {
                KeywordContext::Bind => keywords::bind_param(keyword),
                _ => keywords::server_param(keyword),
            }?;
            (
                Version::parse(param.since),
                None,
                param.until.and_then(Version::parse),
            )
        }
        KeywordContext::Global | KeywordContext::Proxy => {
            let life = match context {
                KeywordContext::Global => vocabulary::global(keyword).map(|k| k.life),
                _ => vocabulary::proxy(&words).map(|k| k.life),
            };
            let retired = vocabulary::retired(
                match context {
                    KeywordContext::Global => vocabulary::Context::Global,
                    _ => vocabulary::Context::Proxy,
                },
                &words,
            );
            if life.is_none() && retired.is_none() {
                return None;
            }
            let replacement = retired
                .map(|r| r.replacement)
                .filter(|r| !r.is_empty())
                .map(|r| format!("; use `{r}`"))
                .unwrap_or_default();
            if let Some(retired) = retired {
                if let Some(removed) = retired.removed
                    && target >= removed
                {
                    return Some(format!(
                        "Not accepted by HAProxy {target}: removed in {removed}{replacement}."
                    ));
                }
                if let Some(deprecated) = retired.deprecated
                    && target >= deprecated
                {
                    return Some(format!(
                        "Deprecated since HAProxy {deprecated} (target {target}){replacement}."
                    ));
                }
            }
            let life = life?;
            (Some(life.since), life.deprecated, life.until)
        }
    };
    if let Some(until) = until
        && target >= until
    {
        return Some(format!(
            "Not accepted by HAProxy {target}: gone since {until}."
        ));
    }
    if let Some(since) = since
        && target < since
    {
        return Some(format!(
            "Not accepted by HAProxy {target}: added in {since}."
        ));
    }
    if let Some(deprecated) = deprecated
        && target >= deprecated
    {
        return Some(format!(
            "Deprecated since HAProxy {deprecated} (target {target})."
        ));
    }
    Some(match since {
        Some(since) if since > Version::new(2, 4) => {
            format!("Accepted by HAProxy {target} (since {since}).")
        }
        _ => format!("Accepted by HAProxy {target}."),
    })
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
        let lines = line_starts(text);
        let x = text.find('x').unwrap_or(0) as u32;
        assert_eq!(position(text, &lines, x), Position::new(1, 5));
        assert_eq!(offset(text, &lines, Position::new(1, 5)), x as usize);
        assert_eq!(offset(text, &lines, Position::new(9, 0)), text.len());
        assert_eq!(offset(text, &lines, Position::new(0, 99)), 1);
    }

    fn document(text: &str) -> Document {
        Document {
            version: 1,
            text: text.to_string(),
            lines: line_starts(text),
            analysis: None,
            pending: Vec::new(),
        }
    }

    fn change(range: Option<(u32, u32, u32, u32)>, text: &str) -> TextDocumentContentChangeEvent {
        TextDocumentContentChangeEvent {
            range: range.map(|(a, b, c, d)| Range::new(Position::new(a, b), Position::new(c, d))),
            range_length: None,
            text: text.to_string(),
        }
    }

    #[test]
    fn incremental_edits_keep_the_line_index_exact() {
        let mut doc = document("global\n  maxconn 10\nbackend b\n  server s 1.2.3.4:80\n");
        let edits = [
            change(Some((1, 10, 1, 12)), "2000"),
            change(Some((2, 0, 2, 0)), "# a\n# b\n"),
            change(Some((0, 3, 3, 2)), "x\ny"),
            change(Some((1, 1, 1, 1)), "é😀\n"),
            change(Some((0, 0, 9, 0)), "all\nnew\n"),
            change(None, "full\ntext"),
            change(Some((1, 4, 1, 4)), "\n\n"),
        ];
        for edit in edits {
            doc.apply(edit);
            assert_eq!(doc.lines, line_starts(&doc.text), "{:?}", doc.text);
        }
        assert_eq!(doc.text, "full\ntext\n\n");
    }

    /// The diagnostics `wire` writes are the JSON `lsp_types` would write,
    /// in a publish and in a pull report.
    #[test]
    fn wire_matches_lsp_types() -> Result<(), Box<dyn std::error::Error>> {
        let text = concat!(
            "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n",
            "    timeout server 30s\n\nfrontend www\n    bind :80\n    default_backend app\n\n",
            "backend app\n    server a1 api.example.com:443 ssl verify none check\n",
            "    server a2 10.0.0.2:8080 check maxcon 100\n    server é😀 10.0.0.3:80\n\n",
            "backend app\n    server b 10.0.0.4:80 \"quoted\\\\ \\\" text\"\n",
        );
        let uri = Url::parse("file:///nonexistent/haplint-wire-test/haproxy.cfg")?;
        let (analysis, _) = analyse(&uri, 7, Arc::from(text), line_starts(text));
        let diagnostics: Vec<Diagnostic> = analysis
            .shown
            .iter()
            .filter_map(|shown| analysis.diagnostic(shown))
            .collect();
        assert_eq!(diagnostics.len(), analysis.shown.len());
        // What this compares: help text and related information.
        assert!(diagnostics.iter().any(|d| d.message.contains("\nhelp: ")));
        assert!(diagnostics.iter().any(|d| d.related_information.is_some()));
        let published: Value = serde_json::from_slice(&wire::publish(&analysis, Some(7)))?;
        let params = PublishDiagnosticsParams {
            uri: uri.clone(),
            diagnostics: diagnostics.clone(),
            version: Some(7),
        };
        let expected = serde_json::json!({
            "jsonrpc": "2.0",
            "method": "textDocument/publishDiagnostics",
            "params": serde_json::to_value(params)?,
        });
        assert_eq!(published, expected);
        let id = RequestId::from(3);
        let pulled: Value = serde_json::from_slice(&wire::full_report(&analysis, &id, "7"))?;
        let expected = serde_json::json!({
            "jsonrpc": "2.0",
            "id": 3,
            "result": {"kind": "full", "resultId": "7", "items": diagnostics},
        });
        assert_eq!(pulled, expected);
        Ok(())
    }

    #[test]
    fn did_you_mean_reads_the_suggestion() {
        assert_eq!(did_you_mean("did you mean `maxconn`?"), Some("maxconn"));
        assert_eq!(did_you_mean("did you mean `a` or `b`?"), None);
        assert_eq!(did_you_mean("check the spelling"), None);
    }
}
