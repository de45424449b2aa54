//! The arithmetic: from the facts and the configuration to tuned settings,
//! each with the reason written next to it.

use super::Facts;
use crate::config::{Config, Facts as UpstreamFacts, Upstream};
use crate::finding::Edit;
use crate::fix::edits;
use crate::model::{HttpConnectionMode, Mode, Model, Section, SectionKind, Stmt};

/// haproxy's buffer size when `tune.bufsize` is not set (configuration.txt 3.2).
const DEFAULT_BUFSIZE: u64 = 16_384;
/// Stream, connection and task structures of one proxied session, beside its
/// two buffers (haplint's estimate from haproxy's pools on a busy proxy).
const SESSION_OVERHEAD: u64 = 8 * 1024;
/// Memory of one TLS connection in OpenSSL (read/write records, session,
/// keys), haplint's estimate.
const TLS_CONNECTION: u64 = 36 * 1024;
/// Share of the machine's memory given to haproxy's connections; the rest is
/// for the kernel's socket buffers, the page cache, logs and spikes.
const MEMORY_SHARE: f64 = 0.75;
/// Headroom above the expected peak, so a burst queues in haproxy instead of
/// being refused by the kernel.
const PEAK_HEADROOM: f64 = 1.25;
/// The least `maxconn` a server gets: below, a few slow requests stall it.
const MIN_SERVER_MAXCONN: u64 = 16;
/// The most, toward an upstream whose kind is unknown (`generic-http`'s value).
const DEFAULT_SERVER_MAXCONN: u64 = 500;

/// One tuned setting.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    /// `global`, `defaults`, `backend app`…
    pub section: String,
    /// The line as it will read.
    pub line: String,
    /// Why, with the numbers.
    pub reason: String,
    pub edit: Edit,
}

/// The numbers, for tests and reports.
#[derive(Clone, Debug, PartialEq)]
pub struct Plan {
    pub global_maxconn: u64,
    pub session_bytes: u64,
    pub nbthread: u32,
    /// (backend name, per-server maxconn).
    pub server_maxconn: Vec<(String, u64)>,
    pub changes: Vec<Change>,
}

struct Writer<'a> {
    model: &'a Model,
    changes: Vec<Change>,
}

impl Writer<'_> {
    /// A new statement at the top of `section`'s body, with its reason as a comment.
    fn insert(&mut self, section: &Section, line: String, reason: String) {
        let indent = edits::body_indent(self.model, section);
        let text = format!("{line}  # haplint tune: {reason}");
        self.changes.push(Change {
            section: section.display_name(),
            edit: edits::insert_statement_after(self.model, section.header, &indent, &text),
            line,
            reason,
        });
    }

    /// Replace the words of a statement; the reason goes in a comment unless
    /// the line already has one.
    fn replace(&mut self, section: &Section, stmt: Stmt, line: String, reason: String) {
        let has_comment = self
            .model
            .tree(stmt.file)
            .and_then(|t| t.lines.get(stmt.line as usize))
            .is_some_and(|l| l.comment().is_some());
        let count = self.model.words(stmt).len();
        let text = if has_comment {
            line.clone()
        } else {
            format!("{line}  # haplint tune: {reason}")
        };
        self.changes.push(Change {
            section: section.display_name(),
            edit: edits::replace_words(self.model, stmt, 0, count, &text),
            line,
            reason,
        });
    }
}

fn human_bytes(bytes: u64) -> String {
    const GIB: u64 = 1024 * 1024 * 1024;
    if bytes >= GIB && bytes.is_multiple_of(GIB / 10) {
        format!("{:.1} GiB", bytes as f64 / GIB as f64)
    } else if bytes >= 1024 * 1024 {
        format!("{} MiB", bytes / (1024 * 1024))
    } else {
        format!("{} KiB", bytes.div_ceil(1024))
    }
}

fn round_down(value: u64, step: u64) -> u64 {
    (value / step) * step
}

fn round_up(value: u64, step: u64) -> u64 {
    value.div_ceil(step) * step
}

/// The share of listeners (or servers) with TLS, when the facts do not say.
fn tls_share(given: Option<f64>, tls: usize, all: usize) -> f64 {
    given.unwrap_or(if all == 0 {
        0.0
    } else {
        tls as f64 / all as f64
    })
}

/// The upstream of a backend: what the facts say of its first server's host.
fn upstream_of(model: &Model, facts: &UpstreamFacts, backend: &Section) -> Option<Upstream> {
    model
        .real_servers(backend)
        .filter_map(|s| s.host())
        .find_map(|host| facts.upstream(host))
}

/// Work out every tuned setting for `model` from `facts`.
pub fn plan(model: &Model, facts: &Facts, config: &Config, upstreams: &UpstreamFacts) -> Plan {
    let mut writer = Writer {
        model,
        changes: Vec::new(),
    };
    let global = model.sections_of(SectionKind::Global).last();
    let bufsize = global
        .and_then(|g| model.statements_with(g, "tune.bufsize").last())
        .and_then(|stmt| model.value(stmt, 1))
        .and_then(super::parse_size)
        .unwrap_or(DEFAULT_BUFSIZE);

    // Memory per session → global maxconn.
    let binds: Vec<_> = model.sections.iter().flat_map(|s| s.binds.iter()).collect();
    let client_tls = tls_share(
        facts.tls_client_share,
        binds.iter().filter(|b| b.is_tls()).count(),
        binds.len(),
    );
    let backends: Vec<&Section> = model
        .proxies()
        .filter(|s| s.kind.has_backend() && model.real_servers(s).next().is_some())
        .collect();
    let server_lines: Vec<(&Section, &crate::model::Server)> = backends
        .iter()
        .flat_map(|b| model.real_servers(b).map(move |s| (*b, s)))
        .collect();
    let tls_servers = server_lines
        .iter()
        .filter(|(b, s)| model.server_param(b, s, "ssl").is_some_and(|p| p.enabled))
        .count();
    let upstream_tls = tls_share(facts.tls_upstream_share, tls_servers, server_lines.len());
    let tls_bytes = ((client_tls + upstream_tls) * TLS_CONNECTION as f64).round() as u64;
    let session_bytes = 2 * bufsize + SESSION_OVERHEAD + tls_bytes;
    let budget = (facts.memory_bytes as f64 * MEMORY_SHARE) as u64;
    let memory_maxconn = round_down(budget / session_bytes, 100).max(100);
    let (global_maxconn, maxconn_reason) = match facts.peak_connections {
        Some(peak) => {
            let wanted = round_up((peak as f64 * PEAK_HEADROOM).ceil() as u64, 100);
            if wanted <= memory_maxconn {
                (
                    wanted,
                    format!(
                        "peak {peak} × {PEAK_HEADROOM} headroom, rounded up; memory \
                            allows {memory_maxconn}"
                    ),
                )
            } else {
                (
                    memory_maxconn,
                    format!(
                        "memory allows only {memory_maxconn}, below peak {peak} × \
                            {PEAK_HEADROOM}: add memory or machines"
                    ),
                )
            }
        }
        None => (
            memory_maxconn,
            "what memory allows (no peak given)".to_string(),
        ),
    };
    let memory_reason = format!(
        "{} × {} / {} per session (2 × {} buffers + {} structures + {} TLS)",
        human_bytes(facts.memory_bytes),
        MEMORY_SHARE,
        human_bytes(session_bytes),
        human_bytes(bufsize),
        human_bytes(SESSION_OVERHEAD),
        human_bytes(tls_bytes),
    );

    if let Some(global) = global {
        let reason = format!("{maxconn_reason}; {memory_reason}");
        set_global(
            &mut writer,
            model,
            global,
            "maxconn",
            &global_maxconn.to_string(),
            reason,
        );
        set_global(
            &mut writer,
            model,
            global,
            "nbthread",
            &facts.cores.to_string(),
            format!(
                "one thread per core ({} core{})",
                facts.cores,
                if facts.cores == 1 { "" } else { "s" }
            ),
        );
        if facts.cores > 1 && model.statements_with(global, "cpu-map").next().is_none() {
            writer.insert(
                global,
                format!("cpu-map auto:1/1-{} 0-{}", facts.cores, facts.cores - 1),
                "pin each thread to its own core".to_string(),
            );
        }
    }

    // Backends: server concurrency, queue, reuse, body buffering, timeouts.
    let capacity = facts.peak_connections.unwrap_or(global_maxconn);
    let per_backend = capacity.div_ceil(backends.len().max(1) as u64);
    let mut server_maxconn = Vec::new();
    let mut touched_defaults: Vec<crate::model::SectionId> = Vec::new();
    let mut raised: Vec<(Stmt, u32)> = Vec::new();
    for backend in &backends {
        let name = backend.name.clone().unwrap_or_default();
        let servers: u64 = model
            .real_servers(backend)
            .map(|s| model.server_count(s) as u64)
            .sum();
        let upstream = upstream_of(model, upstreams, backend);
        let kind = upstream.as_ref().and_then(|u| u.kind.clone());
        let kind_label = kind
            .clone()
            .unwrap_or_else(|| "an upstream haplint knows nothing about".to_string());
        let cap = kind
            .as_deref()
            .and_then(|k| config.server_maxconn(k))
            .unwrap_or(DEFAULT_SERVER_MAXCONN)
            .max(MIN_SERVER_MAXCONN);
        let per_server = per_backend
            .div_ceil(servers.max(1))
            .clamp(MIN_SERVER_MAXCONN, cap);
        server_maxconn.push((name.clone(), per_server));

        let lacking_maxconn = model
            .real_servers(backend)
            .any(|s| model.server_param_value(backend, s, "maxconn").is_none());
        let mut default_server: Vec<(String, String)> = Vec::new();
        if lacking_maxconn {
            default_server.push((
                format!("maxconn {per_server}"),
                format!(
                    "{per_backend} concurrent requests for this backend / \
                    {servers} servers, between {MIN_SERVER_MAXCONN} and {cap} \
                    for {kind_label}; the rest wait in haproxy's queue"
                ),
            ));
        }
        // Idle connections must be closed by haproxy before the upstream
        // closes them; haproxy purges them every 5s by default.
        if let Some(idle) = upstream
            .as_ref()
            .and_then(|u| u.idle_timeout_ms)
            .filter(|idle| *idle <= 10_000)
            && model
                .real_servers(backend)
                .any(|s| model.server_param(backend, s, "pool-purge-delay").is_none())
        {
            default_server.push((
                format!(
                    "pool-purge-delay {}",
                    crate::text::format_duration_ms((idle / 2).max(100))
                ),
                format!(
                    "{kind_label} closes idle connections after {}: purge them at half that",
                    crate::text::format_duration_ms(idle)
                ),
            ));
        }
        let lacking_checks = model
            .real_servers(backend)
            .any(|s| model.server_param(backend, s, "inter").is_none());
        if lacking_checks {
            default_server.push((
                "inter 2s fall 3 rise 2".to_string(),
                "a dead server leaves within 6s and must pass twice to return".to_string(),
            ));
        }
        if !default_server.is_empty() {
            let line = format!(
                "default-server {}",
                default_server
                    .iter()
                    .map(|(l, _)| l.as_str())
                    .collect::<Vec<_>>()
                    .join(" ")
            );
            let reason = default_server
                .iter()
                .map(|(_, r)| r.as_str())
                .collect::<Vec<_>>()
                .join("; ");
            writer.insert(backend, line, reason);
        }
        // `rise 1`, where it is written (server line or a default-server line).
        for server in model.real_servers(backend) {
            if let Some((value, param)) = model.server_param_value(backend, server, "rise")
                && value == "1"
                && !raised.contains(&(param.stmt, param.word))
            {
                raised.push((param.stmt, param.word));
                let holder = model
                    .sections
                    .iter()
                    .find(|s| s.statements.binary_search(&param.stmt).is_ok())
                    .map_or_else(|| backend.display_name(), Section::display_name);
                writer.changes.push(Change {
                    section: holder,
                    line: "rise 2".to_string(),
                    reason: "one good check is not enough to trust a server again".to_string(),
                    edit: edits::replace_word(model, param.stmt, param.word as usize + 1, "2"),
                });
            }
        }

        if model.setting_of(backend, "timeout", "queue").is_none() {
            let mut reason =
                "requests wait at most 5s for a server slot, then get a 503 instead of piling up"
                    .to_string();
            if let Some(rate) = facts.request_rate {
                reason.push_str(&format!(
                    " (at {rate} req/s that is up to {} queued requests)",
                    rate * 5
                ));
            }
            writer.insert(backend, "timeout queue 5s".to_string(), reason);
        }

        if model.mode(backend) == Mode::Http {
            if model.setting(backend, "http-reuse").is_none() {
                let mode = kind
                    .as_deref()
                    .and_then(|k| config.reuse_mode(k))
                    .unwrap_or_else(|| "safe".to_string());
                writer.insert(
                    backend,
                    format!("http-reuse {mode}"),
                    format!(
                        "idle server connections are shared between requests toward \
                    {kind_label}, saving a TCP+TLS handshake each"
                    ),
                );
            }
            if upstream
                .as_ref()
                .is_some_and(|u| u.buffers_requests == Some(true))
                && model
                    .option_enabled(backend, "http-buffer-request")
                    .is_none()
            {
                writer.insert(
                    backend,
                    "option http-buffer-request".to_string(),
                    format!(
                        "{kind_label} waits for whole request bodies: haproxy \
                    collects them first so slow clients do not hold its \
                    connections"
                    ),
                );
            }
            let (mode, setting) = model.http_connection_mode(backend);
            if mode != HttpConnectionMode::KeepAlive
                && let Some(setting) = setting
            {
                let holder = model.section(setting.section);
                if holder.kind != SectionKind::Defaults || !touched_defaults.contains(&holder.id) {
                    touched_defaults.push(holder.id);
                    writer.replace(
                        holder,
                        setting.stmt,
                        "option http-keep-alive".to_string(),
                        "keep server connections open so http-reuse can reuse them".to_string(),
                    );
                }
            }
        }

        if let Some(idle) = upstream.as_ref().and_then(|u| u.idle_timeout_ms)
            && let Some((value, setting)) = model.setting_value(backend, "timeout server")
            && crate::text::parse_duration_ms(value).is_some_and(|ms| ms > idle + 5_000)
        {
            let proposal = crate::text::format_duration_ms(idle + 5_000);
            let line = format!("timeout server {proposal}");
            let reason = format!(
                "{kind_label} closes idle connections after {}; waiting \
                    longer only delays the error",
                crate::text::format_duration_ms(idle)
            );
            if setting.inherited {
                writer.insert(backend, line, reason);
            } else {
                writer.replace(backend, setting.stmt, line, reason);
            }
        }
    }

    Plan {
        global_maxconn,
        session_bytes,
        nbthread: facts.cores,
        server_maxconn,
        changes: writer.changes,
    }
}

fn set_global(
    writer: &mut Writer<'_>,
    model: &Model,
    global: &Section,
    keyword: &str,
    value: &str,
    reason: String,
) {
    let line = format!("{keyword} {value}");
    match model.statements_with(global, keyword).last() {
        Some(stmt) if model.value(stmt, 1) == Some(value) => {}
        Some(stmt) => writer.replace(global, stmt, line, reason),
        None => writer.insert(global, line, reason),
    }
}
