//! One request as a terminal waterfall: each phase a bar on one time axis,
//! from the client's connection to the last byte of the response, with the
//! ALB's share of the upstream time when its entry is known.

use super::alb::AlbEntry;
use super::format::Fields;

const WIDTH: usize = 48;

struct Phase {
    label: String,
    ms: i64,
    /// A part of the phase above (drawn within it).
    within: bool,
}

/// The phases of a request in order: (label, ms). A timer of -1 (never
/// reached) ends the list: the request stopped there.
fn phases(fields: &Fields, alb: Option<&AlbEntry>) -> Vec<Phase> {
    let mut out = Vec::new();
    let mut push = |label: &str, ms: i64, within: bool| {
        out.push(Phase {
            label: label.to_string(),
            ms,
            within,
        })
    };
    for (name, label) in [
        ("Th", "client → HAProxy: handshake (Th)"),
        ("Ti", "idle before the request (Ti)"),
        ("TR", "request headers in (TR)"),
        ("Tw", "HAProxy queue (Tw)"),
        ("Tc", "connect to the server (Tc)"),
    ] {
        if fields.get(name).is_none() {
            continue;
        }
        match fields.timer(name) {
            Some(ms) => push(label, ms, false),
            None => return out,
        }
    }
    let Some(tr) = fields.timer("Tr") else {
        return out;
    };
    push("upstream: until response headers (Tr)", tr, false);
    if let Some(entry) = alb {
        let ms = |s: f64| (s * 1000.0).round() as i64;
        let (request, target, response) = (
            ms(entry.request_processing),
            ms(entry.target_processing),
            ms(entry.response_processing),
        );
        let rest = tr - request - target - response;
        push("ALB request processing", request, true);
        push("target (the application)", target, true);
        push("ALB response processing", response, true);
        push("TLS and network to the ALB", rest, true);
    }
    let before: i64 = ["Th", "Ti", "TR", "Tw", "Tc"]
        .iter()
        .filter_map(|t| fields.timer(t))
        .sum::<i64>()
        + tr;
    let end = fields.timer("Tt").or_else(|| {
        fields
            .timer("Ta")
            .map(|ta| ta + fields.timer("Th").unwrap_or(0) + fields.timer("Ti").unwrap_or(0))
    });
    if let Some(end) = end
        && end >= before
    {
        push("response to the client (Td)", end - before, false);
    }
    out
}

/// The waterfall as text lines; empty when the line has no timers.
pub fn render(fields: &Fields, alb: Option<&AlbEntry>) -> Vec<String> {
    let phases = phases(fields, alb);
    let total: i64 = phases
        .iter()
        .filter(|p| !p.within)
        .map(|p| p.ms.max(0))
        .sum();
    if phases.is_empty() || total <= 0 {
        return Vec::new();
    }
    let column = |ms: i64| ((ms.max(0) as f64 / total as f64) * WIDTH as f64).round() as usize;
    let label_width = phases
        .iter()
        .map(|p| p.label.chars().count() + usize::from(p.within) * 2)
        .max()
        .unwrap_or(0);
    let mut out = vec![format!(
        "waterfall ({total} ms from accept to the last byte; one column ≈ {} ms):",
        (total as f64 / WIDTH as f64).round().max(1.0) as i64
    )];
    let mut start = 0;
    let mut sub_start = 0;
    for phase in &phases {
        let at = if phase.within { sub_start } else { start };
        let from = column(at).min(WIDTH);
        let to = column(at + phase.ms.max(0)).min(WIDTH);
        let mut bar = " ".repeat(from.min(WIDTH - 1));
        if to > from {
            bar.push_str(&(if phase.within { "▒" } else { "█" }).repeat(to - from));
        } else if phase.ms > 0 || !phase.within {
            bar.push('▏');
        }
        let pad = WIDTH.saturating_sub(bar.chars().count());
        let label = if phase.within {
            format!("  {}", phase.label)
        } else {
            phase.label.clone()
        };
        out.push(format!(
            "  {label:<label_width$} {:>7} ms │{bar}{}│",
            phase.ms,
            " ".repeat(pad)
        ));
        if phase.within {
            sub_start += phase.ms.max(0);
        } else {
            sub_start = start;
            start += phase.ms.max(0);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_follow_the_timers() {
        let fields = Fields {
            values: [
                ("TR", "10"),
                ("Tw", "0"),
                ("Tc", "2"),
                ("Tr", "88"),
                ("Ta", "100"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        };
        let lines = render(&fields, None);
        assert!(lines[0].contains("100 ms"), "{lines:?}");
        let upstream = lines.iter().find(|l| l.contains("(Tr)")).unwrap();
        assert_eq!(upstream.matches('█').count(), 42, "{upstream}");
        let stopped = Fields {
            values: [
                ("TR", "10"),
                ("Tw", "-1"),
                ("Tc", "-1"),
                ("Tr", "-1"),
                ("Ta", "5000"),
            ]
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        };
        assert_eq!(render(&stopped, None).len(), 2);
    }
}
