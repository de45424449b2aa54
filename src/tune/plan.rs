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
/// Per server, toward an upstream whose kind is unknown (`generic-http`'s value).
const DEFAULT_SERVER_MAXCONN: u64 = 500;
/// Addresses a cloud load balancer's name is assumed to resolve to (one per
/// enabled availability zone).
const LB_ADDRESSES: u64 = 3;

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
    let target = config
        .target_version()
        .ok()
        .flatten()
        .unwrap_or(crate::version::Version::LATEST);
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
                        "peak {peak} × {PEAK_HEADROOM} headroom, rounded up; by haplint's estimate \
                         memory allows {memory_maxconn} (haproxy's own automatic maxconn follows \
                         ulimit -n and -m, not this)"
                    ),
                )
            } else {
                (
                    memory_maxconn,
                    format!(
                        "by haplint's estimate memory allows only {memory_maxconn}, below peak \
                         {peak} × {PEAK_HEADROOM}: add memory or machines"
                    ),
                )
            }
        }
        None => (
            memory_maxconn,
            "what memory allows by haplint's estimate (no peak given; haproxy's own automatic \
             maxconn follows ulimit -n and -m, not this)"
                .to_string(),
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
        // haproxy already starts one thread per CPU it may run on, so
        // `nbthread` is only written where the configuration sets another
        // value, and never above what the target version accepts (the
        // oracles: 2.6 refuses more than 64; 3.0 needs `thread-groups` beyond
        // 64; 3.2 and 3.4 form the groups themselves). No `cpu-map`: the
        // automatic binding already spreads the threads.
        if let Some(stmt) = model.statements_with(global, "nbthread").last() {
            let groups: u32 = model
                .statements_with(global, "thread-groups")
                .last()
                .and_then(|s| model.value(s, 1))
                .and_then(|v| v.parse().ok())
                .unwrap_or(1);
            let (limit, why) = thread_limit(target, groups);
            let want = facts.cores.min(limit);
            if model.value(stmt, 1) != Some(want.to_string().as_str()) {
                let capped = if want < facts.cores {
                    format!(", capped at {limit}: {why}")
                } else {
                    String::new()
                };
                writer.replace(
                    global,
                    stmt,
                    format!("nbthread {want}"),
                    format!(
                        "one thread per core ({} core{}{capped}); removing the line has the same \
                         effect",
                        facts.cores,
                        if facts.cores == 1 { "" } else { "s" }
                    ),
                );
            }
        }
    }

    // Backends: server concurrency, queue, reuse, body buffering, timeouts.
    let capacity = facts.peak_connections.unwrap_or(global_maxconn);
    let per_backend = capacity.div_ceil(backends.len().max(1) as u64);
    let mut server_maxconn = Vec::new();
    let mut touched_defaults: Vec<crate::model::SectionId> = Vec::new();
    let mut raised: Vec<(Stmt, u32)> = Vec::new();
    let mut touched_request_timeout: Vec<crate::model::SectionId> = Vec::new();
    let mut touched_server_timeout: Vec<Stmt> = Vec::new();
    for backend in &backends {
        let name = backend.name.clone().unwrap_or_default();
        let upstream = upstream_of(model, upstreams, backend);
        let kind = upstream.as_ref().and_then(|u| u.kind.clone());
        let cloud_lb = matches!(kind.as_deref(), Some("aws-alb" | "aws-nlb"));
        // Addresses that will carry traffic: a template's slots only fill with
        // the addresses its name resolves to, and a cloud load balancer's name
        // resolves to one address per enabled zone, not to every slot.
        let servers: u64 = model
            .real_servers(backend)
            .map(|s| {
                let slots = model.server_count(s) as u64;
                if cloud_lb && s.kind == crate::model::ServerKind::Template {
                    slots.min(LB_ADDRESSES)
                } else {
                    slots
                }
            })
            .sum::<u64>()
            .max(1);
        let kind_label = kind
            .clone()
            .unwrap_or_else(|| "an upstream haplint knows nothing about".to_string());
        let known_cap = kind.as_deref().and_then(|k| config.server_maxconn(k));
        // A server's `maxconn` counts requests in flight, not client
        // connections (an HTTP/2 client may have many streams on one), so it is
        // sized from what one server sustains: the kind's figure, or a stated
        // default. Dividing client connections among the servers instead made
        // the servers' total equal the frontends' maxconn, where nothing queues.
        let per_server = known_cap
            .unwrap_or(DEFAULT_SERVER_MAXCONN)
            .max(MIN_SERVER_MAXCONN);
        server_maxconn.push((name.clone(), per_server));
        let total = per_server * servers;
        let source = match known_cap {
            Some(_) => {
                format!("{kind_label}'s stated per-server concurrency (rules/upstreams/kinds.yaml)")
            }
            None => format!(
                "haplint's stated default for {kind_label}; set `server-maxconn` on an upstream \
                 kind to say what yours sustains"
            ),
        };
        let addresses = if cloud_lb {
            format!(
                "{servers} address{} (a load balancer name resolves to one per zone; haplint \
                 assumes at most {LB_ADDRESSES})",
                if servers == 1 { "" } else { "es" }
            )
        } else {
            format!("{servers} server{}", if servers == 1 { "" } else { "s" })
        };
        let queueing = if total < per_backend {
            format!(
                "up to {per_backend} client connections may reach this backend, so requests beyond \
                 {total} in flight wait in haproxy's queue (`timeout queue`)"
            )
        } else {
            format!(
                "that is not below the {per_backend} client connections that may reach this \
                 backend, so the limit is a safety bound: requests only queue when multiplexed \
                 (HTTP/2) clients have more than {total} in flight"
            )
        };

        let lacking_maxconn = model
            .real_servers(backend)
            .any(|s| model.server_param_value(backend, s, "maxconn").is_none());
        let mut default_server: Vec<(String, String)> = Vec::new();
        if lacking_maxconn {
            default_server.push((
                format!("maxconn {per_server}"),
                format!(
                    "requests in flight per server, {source}; {addresses} × {per_server} = \
                     {total}; {queueing}"
                ),
            ));
        }
        // Idle connections should be closed by haproxy before the upstream
        // closes them. haproxy purges part of its surplus idle connections every
        // `pool-purge-delay` (5s by default); a quarter of the upstream's idle
        // timeout is what idle-timeout-exceeds-upstream asks for too.
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
                    crate::text::format_duration_ms((idle / 4).max(100))
                ),
                format!(
                    "{kind_label} closes idle connections after {}: purge surplus idle connections \
                     every quarter of that",
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
                        "{kind_label} waits for whole request bodies: haproxy collects them first \
                         so slow clients do not hold its connections; `timeout http-request` then \
                         bounds the body too"
                    ),
                );
                // With buffering, `timeout http-request` also bounds the wait for
                // the body: a body slower than it becomes a 408 (shown with the
                // oracles in tests/proofs.rs). Without a fact about body delays,
                // haplint states its default: at least 15 s.
                for &frontend in model.frontends_using(backend.id) {
                    let frontend = model.section(frontend);
                    if touched_request_timeout.contains(&frontend.id) {
                        continue;
                    }
                    let current = model.setting_value(frontend, "timeout http-request");
                    let ms = current
                        .as_ref()
                        .and_then(|(v, _)| crate::text::parse_duration_ms(v));
                    if ms.is_some_and(|ms| ms >= MIN_BODY_WAIT_MS) || current.is_none() {
                        continue;
                    }
                    touched_request_timeout.push(frontend.id);
                    let was = current.as_ref().map_or(
                        "unset, so `timeout client` applies".to_string(),
                        |(v, _)| format!("was {v}"),
                    );
                    let reason = format!(
                        "with `option http-buffer-request` on backend {name} this also bounds how \
                         long a client may take to send the body; requests whose body takes longer \
                         get a 408 ({was}); 15s is haplint's stated default without a body-delay \
                         fact"
                    );
                    match current {
                        Some((_, setting)) if !setting.inherited => writer.replace(
                            frontend,
                            setting.stmt,
                            "timeout http-request 15s".to_string(),
                            reason,
                        ),
                        _ => {
                            writer.insert(frontend, "timeout http-request 15s".to_string(), reason)
                        }
                    }
                }
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

        // `timeout server` is not sized from the upstream's idle timeout: that
        // is keep-alive idle time between requests, not response time, and a
        // 5 s keep-alive upstream may take far longer to answer a request.
        // haplint has no response-time facts: only a value long-server-timeout
        // flags (over 5 minutes in HTTP mode) gets its stated default, 60s.
        if model.mode(backend) == Mode::Http
            && let Some((value, setting)) = model.setting_value(backend, "timeout server")
            && crate::text::parse_duration_ms(value).is_some_and(|ms| ms > 5 * 60 * 1000)
        {
            let line = "timeout server 60s".to_string();
            let reason = format!(
                "{value} lets a stalled server hold each request that long; 60s is haplint's \
                 stated default without response-time facts (give slower endpoints their own \
                 backend)"
            );
            let holder = model.section(setting.section);
            if !touched_server_timeout.contains(&setting.stmt) {
                touched_server_timeout.push(setting.stmt);
                writer.replace(holder, setting.stmt, line, reason);
            }
        }
    }

    Plan {
        global_maxconn,
        session_bytes,
        nbthread: facts.cores.min(thread_limit(target, 1).0),
        server_maxconn,
        changes: writer.changes,
    }
}

/// The most threads haproxy `target` accepts with `groups` thread groups, and why.
fn thread_limit(target: crate::version::Version, groups: u32) -> (u32, &'static str) {
    use crate::version::Version;
    if target < Version::new(2, 7) {
        (64, "haproxy before 2.7 refuses more than 64 threads")
    } else if target < Version::new(3, 2) {
        (
            64 * groups.max(1),
            "up to 3.1 each thread group holds at most 64 threads (`thread-groups`)",
        )
    } else {
        (u32::MAX, "")
    }
}

/// The least `timeout http-request` tune leaves where it turns body buffering
/// on, when no fact says how late bodies arrive.
const MIN_BODY_WAIT_MS: u64 = 15_000;

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
