//! One request explained: every timer in words, what stands out, the
//! settings and findings of the configuration that shape it, and — with the
//! ALB's entry for the same request — where the time went hop by hop.

use super::alb::AlbEntry;
use super::format::Fields;
use crate::Report;
use crate::model::{Model, Section, SectionKind};

/// The timers of HAProxy's HTTP log, what each measures (configuration.txt 8.4).
pub const TIMERS: &[(&str, &str)] = &[
    (
        "Th",
        "handshake: accepting the client connection and the TLS handshake",
    ),
    (
        "Ti",
        "idle: the client connection waited this long before the request began (keep-alive or \
            HTTP/2 stream reuse)",
    ),
    (
        "TR",
        "receiving the complete request headers from the client",
    ),
    ("Tq", "Th + Ti + TR"),
    (
        "Tw",
        "waiting in queues for a free server slot (server or backend maxconn reached)",
    ),
    (
        "Tc",
        "establishing the TCP connection to the server (TLS to the server comes on top, inside Tr)",
    ),
    (
        "Tr",
        "from the request being sent to the server until its complete response headers arrived; \
            includes the server's processing and, without `option http-buffer-request`, the time \
            the request body took to arrive",
    ),
    (
        "Ta",
        "the request's whole active time, from the first byte of the request to the last of the \
            response",
    ),
    ("Tt", "the whole session, from accept to close"),
];

/// What the first two characters of a termination state mean (configuration.txt 8.5).
fn termination(state: &str) -> String {
    let mut chars = state.chars();
    let cause = match chars.next() {
        Some('-') => "normal end",
        Some('C') => "the client aborted",
        Some('S') => "the server aborted or refused",
        Some('P') => "haproxy aborted the session (a rule, a deny, an internal error)",
        Some('L') => "haproxy answered itself (a redirect, a stats page, a return)",
        Some('R') => "a resource limit was reached (memory, sockets, ports)",
        Some('I') => "an internal error in haproxy",
        Some('D') => "the session was killed by haproxy (server marked down or shutdown)",
        Some('U') => "the session was killed by haproxy (server in maintenance)",
        Some('K') => "the session was killed by an administrative action",
        Some('c') => "the client-side timeout expired (timeout client)",
        Some('s') => "the server-side timeout expired (timeout server or connect)",
        _ => "unknown cause",
    };
    let step = match chars.next() {
        Some('R') => "while waiting for the complete request headers",
        Some('Q') => "while waiting in the queue",
        Some('C') => "while connecting to the server",
        Some('H') => "while waiting for the complete response headers",
        Some('D') => "during the data transfer",
        Some('L') => "while sending the last data to the client",
        Some('T') => "while tarpitted",
        Some('-') => "at the normal end",
        _ => "",
    };
    format!("{cause} {step}").trim().to_string()
}

/// The proxy a log line names, by `%b` or else by the frontend (`%ft`, a
/// trailing `~` marks TLS) and the backends it routes to.
fn backend_of<'m>(model: &'m Model, fields: &Fields, proxy: Option<&str>) -> Option<&'m Section> {
    let named = |name: &str| {
        model
            .sections_named(SectionKind::Backend, name)
            .last()
            .or_else(|| model.sections_named(SectionKind::Listen, name).last())
            .map(|&id| model.section(id))
    };
    if let Some(found) = proxy.or(fields.get("b")).and_then(named) {
        return Some(found);
    }
    let frontend = frontend_of(model, fields)?;
    model
        .backends_used_by(frontend.id)
        .first()
        .map(|&id| model.section(id))
}

fn frontend_of<'m>(model: &'m Model, fields: &Fields) -> Option<&'m Section> {
    let name = fields.get("ft")?.trim_end_matches('~');
    model
        .sections_named(SectionKind::Frontend, name)
        .last()
        .or_else(|| model.sections_named(SectionKind::Listen, name).last())
        .map(|&id| model.section(id))
}

fn place(report: &Report, span: crate::source::Span) -> String {
    let (file, start, _) = crate::report::locate(report, span);
    format!("{file}:{}", start.line)
}

/// A setting of a section, as `keyword value (file:line)`, or "not set".
fn setting_text(report: &Report, section: &Section, key: &str) -> String {
    let model = &report.model;
    match model.setting(section, key) {
        Some(setting) => {
            let words: Vec<&str> = model.values(setting.stmt).collect();
            format!(
                "`{}` ({})",
                words.join(" "),
                place(report, model.stmt_span(setting.stmt))
            )
        }
        None => format!("`{key}` is not set in {}", section.display_name()),
    }
}

/// Findings of these rules, as `rule at file:line: message`.
fn findings_of(report: &Report, rules: &[&str]) -> Vec<String> {
    report
        .active()
        .filter(|f| rules.contains(&f.finding.rule))
        .map(|f| {
            format!(
                "{} at {}: {}",
                f.finding.rule,
                place(report, f.finding.primary.span),
                f.finding.message
            )
        })
        .collect()
}

/// The explanation of one request, as text lines.
pub fn explain(
    report: Option<&Report>,
    fields: &Fields,
    alb: Option<&AlbEntry>,
    proxy: Option<&str>,
) -> Vec<String> {
    let mut out = Vec::new();
    let request = fields.get("r").unwrap_or("-");
    out.push(format!(
        "request: {request} → {} | frontend {} | backend {} | server {}",
        fields.get("ST").unwrap_or("-"),
        fields.get("ft").unwrap_or("-"),
        fields.get("b").unwrap_or("-"),
        fields.get("s").unwrap_or("-"),
    ));
    if let Some(accepted) = fields.get("t").or(fields.get("tr")) {
        out.push(format!("accepted at {accepted}"));
    }
    out.push("timers (ms):".to_string());
    for (name, meaning) in TIMERS {
        if let Some(value) = fields.get(name) {
            let shown = if value == "-1" {
                "-1 (never reached)".to_string()
            } else {
                value.to_string()
            };
            out.push(format!("  {name:<3} {shown:>7}  {meaning}"));
        }
    }
    if let Some(state) = fields.get("tsc").or(fields.get("ts")) {
        out.push(format!("termination state {state}: {}", termination(state)));
    }
    if let (Some(a), Some(f), Some(b), Some(s), Some(r)) = (
        fields.get("ac"),
        fields.get("fc"),
        fields.get("bc"),
        fields.get("sc"),
        fields.get("rc"),
    ) {
        out.push(format!(
            "connections at log time: {a} in the process, {f} on the frontend, {b} on \
            the backend, {s} on the server, {r} retries"
        ));
    }
    if let (Some(sq), Some(bq)) = (fields.get("sq"), fields.get("bq")) {
        out.push(format!(
            "queues: {sq} requests were ahead in the server's queue, {bq} in the backend's"
        ));
    }
    let sizes: Vec<String> = [("U", "request"), ("B", "response")]
        .iter()
        .filter_map(|(f, what)| fields.get(f).map(|v| format!("{what} {v} bytes")))
        .collect();
    if !sizes.is_empty() {
        out.push(format!("sizes: {}", sizes.join(", ")));
    }

    let backend = report.and_then(|r| backend_of(&r.model, fields, proxy));
    let frontend = report.and_then(|r| frontend_of(&r.model, fields));
    let total = fields
        .timer("Tt")
        .or(fields.timer("Ta"))
        .unwrap_or(0)
        .max(1);
    let mut notes = Vec::new();
    if let Some(tr) = fields.timer("Tr")
        && tr >= 1000
        && tr * 2 >= total
    {
        let mut note = vec![format!(
            "Tr {tr} ms is most of the request. Tr counts from haproxy sending the request to the \
                server until the response headers arrive. Without `option http-buffer-request`, \
                haproxy forwards the headers as soon as they arrive and the body follows at the \
                client's pace, so a slow upload (a mobile client) shows up as \"upstream \
                slowness\" whenever the upstream waits for the whole body before handling the \
                request."
        )];
        if let (Some(report), Some(backend)) = (report, backend) {
            note.push(format!(
                "  lever: {}",
                setting_text(report, backend, "option http-buffer-request")
            ));
            let timeout_from = frontend.unwrap_or(backend);
            note.push(format!(
                "  lever: {} bounds how long a client may take to send the request \
                headers (and, with http-buffer-request, the body: a slower body gets a \
                408)",
                setting_text(report, timeout_from, "timeout http-request")
            ));
            note.push(format!(
                "  lever: {}",
                setting_text(report, backend, "timeout server")
            ));
        }
        if let Some(report) = report {
            for finding in findings_of(
                report,
                &[
                    "missing-http-buffer-request",
                    "server-close-defeats-reuse",
                    "missing-timeout-http-request",
                    "long-server-timeout",
                    "missing-http-reuse",
                ],
            ) {
                note.push(format!("  finding: {finding}"));
            }
        }
        notes.push(note.join("\n"));
    }
    if let Some(tw) = fields.timer("Tw")
        && tw >= 100
    {
        let mut note = vec![format!(
            "Tw {tw} ms in the queue: the server (or backend) had reached its maxconn."
        )];
        if let (Some(report), Some(backend)) = (report, backend) {
            note.push(format!(
                "  lever: {}",
                setting_text(report, backend, "timeout queue")
            ));
            for finding in findings_of(report, &["missing-server-maxconn"]) {
                note.push(format!("  finding: {finding}"));
            }
        }
        notes.push(note.join("\n"));
    }
    if let Some(tc) = fields.timer("Tc")
        && tc >= 100
    {
        let mut note = vec![format!(
            "Tc {tc} ms to connect: new connections to the server are slow; reusing idle ones \
                avoids them."
        )];
        if let Some(report) = report {
            for finding in findings_of(
                report,
                &[
                    "server-close-defeats-reuse",
                    "missing-http-reuse",
                    "http-reuse-never",
                ],
            ) {
                note.push(format!("  finding: {finding}"));
            }
        }
        notes.push(note.join("\n"));
    }
    if let Some(treq) = fields.timer("TR")
        && treq >= 1000
    {
        let mut note = vec![format!(
            "TR {treq} ms to receive the request headers: a slow or stalled client."
        )];
        if let (Some(report), Some(section)) = (report, frontend.or(backend)) {
            note.push(format!(
                "  lever: {}",
                setting_text(report, section, "timeout http-request")
            ));
        }
        notes.push(note.join("\n"));
    }
    if !notes.is_empty() {
        out.push("what stands out:".to_string());
        for note in notes {
            out.push(format!("- {note}"));
        }
    }
    if let Some(entry) = alb {
        out.extend(hops(fields, entry));
    }
    out
}

/// The request's time split across the hops, from HAProxy's timers and the
/// ALB's entry for the same request.
fn hops(fields: &Fields, entry: &AlbEntry) -> Vec<String> {
    let ms = |s: f64| (s * 1000.0).round() as i64;
    let (request, target, response) = (
        ms(entry.request_processing),
        ms(entry.target_processing),
        ms(entry.response_processing),
    );
    let mut out = vec![format!(
        "hops (with the ALB entry {}):",
        if entry.trace_id.is_empty() {
            "matched by time and request"
        } else {
            entry.trace_id.as_str()
        }
    )];
    let before = fields.timer("Th").unwrap_or(0)
        + fields.timer("Ti").unwrap_or(0)
        + fields.timer("TR").unwrap_or(0);
    out.push(format!(
        "  client → HAProxy         {before:>7} ms  handshake, idle time and request \
        headers (Th + Ti + TR)"
    ));
    if let Some(tw) = fields.timer("Tw") {
        out.push(format!("  HAProxy queue            {tw:>7} ms  (Tw)"));
    }
    if let Some(tc) = fields.timer("Tc") {
        out.push(format!("  HAProxy → ALB connect    {tc:>7} ms  (Tc)"));
    }
    out.push(format!(
        "  ALB request processing   {request:>7} ms  the ALB received the request and waited {:.3} \
            s before sending it to a target: time spent receiving the request, here the body \
            arriving from the client through HAProxy",
        entry.request_processing
    ));
    out.push(format!(
        "  target                   {target:>7} ms  the application's own processing time"
    ));
    out.push(format!("  ALB response             {response:>7} ms"));
    if let Some(tr) = fields.timer("Tr") {
        let rest = tr - request - target - response;
        out.push(format!(
            "  between HAProxy and ALB  {rest:>7} ms  the rest of Tr ({tr} ms): TLS \
            to the ALB and network"
        ));
    }
    if request > 1000 {
        out.push(format!(
            "  → {:.1} s of the request is the ALB waiting for the request body. `option \
                http-buffer-request` would have haproxy collect it before connecting, but `timeout \
                http-request` then bounds the body too: set it above {:.0} s first or this request \
                becomes a 408. A tiny body after a long wait is a delayed body (a client pause, \
                `Expect: 100-continue`), a large one a slow upload: log \
                `%[req.hdr(content-length)]`, `%[req.hdr(expect)]`, `%[fc_rtt(ms)]` and \
                `%[fc_retrans]` (2.6 and later) to tell them apart",
            entry.request_processing,
            entry.request_processing.ceil()
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::logs::matching::method_and_path;

    #[test]
    fn termination_states_in_words() {
        assert_eq!(termination("----"), "normal end at the normal end");
        assert_eq!(
            termination("sH--"),
            "the server-side timeout expired (timeout server or connect) while waiting for the \
                complete response headers"
        );
        assert_eq!(
            termination("CD--"),
            "the client aborted during the data transfer"
        );
    }

    #[test]
    fn request_lines_give_method_and_path() {
        assert_eq!(
            method_and_path("POST https://domain.com:443/ls/a?x=1 HTTP/1.1"),
            Some(("POST", "/ls/a?x=1"))
        );
        assert_eq!(
            method_and_path("GET /index.html HTTP/1.1"),
            Some(("GET", "/index.html"))
        );
    }
}
