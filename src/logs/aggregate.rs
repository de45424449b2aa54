//! Many log lines at once: per backend and server, the percentiles of each
//! timer, the termination states, the slowest requests.

use super::format::Fields;
use serde::Serialize;
use std::collections::BTreeMap;

/// Timers worth percentiles.
const TIMERS: &[&str] = &["TR", "Tw", "Tc", "Tr", "Ta", "Tt"];
const SLOWEST: usize = 5;

#[derive(Default)]
struct Group {
    count: usize,
    timers: BTreeMap<&'static str, Vec<i64>>,
    states: BTreeMap<String, usize>,
    /// (total ms, line number, request)
    slowest: Vec<(i64, usize, String)>,
}

#[derive(Default)]
pub struct Aggregate {
    groups: BTreeMap<(String, String), Group>,
    pub lines: usize,
    pub errors: Vec<(usize, String)>,
}

#[derive(Serialize)]
pub struct Percentiles {
    pub p50: i64,
    pub p90: i64,
    pub p99: i64,
    pub max: i64,
}

#[derive(Serialize)]
pub struct GroupReport {
    pub backend: String,
    pub server: String,
    pub requests: usize,
    pub timers: BTreeMap<String, Percentiles>,
    pub termination_states: BTreeMap<String, usize>,
    pub slowest: Vec<Slow>,
}

#[derive(Serialize)]
pub struct Slow {
    pub line: usize,
    pub total_ms: i64,
    pub request: String,
}

#[derive(Serialize)]
pub struct ErrorReport {
    pub line: usize,
    pub error: String,
}

#[derive(Serialize)]
pub struct Report {
    pub lines: usize,
    pub groups: Vec<GroupReport>,
    pub errors: Vec<ErrorReport>,
}

impl Aggregate {
    pub fn add(&mut self, line_number: usize, fields: &Fields) {
        self.lines += 1;
        let key = (
            fields.get("b").unwrap_or("-").to_string(),
            fields.get("s").unwrap_or("-").to_string(),
        );
        let group = self.groups.entry(key).or_default();
        group.count += 1;
        for name in TIMERS {
            if let Some(value) = fields.timer(name) {
                group.timers.entry(name).or_default().push(value);
            }
        }
        if let Some(state) = fields.get("tsc").or(fields.get("ts")) {
            *group.states.entry(state.to_string()).or_default() += 1;
        }
        let total = fields.timer("Tt").or(fields.timer("Ta")).unwrap_or(0);
        let fastest_kept = group.slowest.iter().map(|s| s.0).min().unwrap_or(i64::MIN);
        if group.slowest.len() < SLOWEST || total > fastest_kept {
            group.slowest.push((
                total,
                line_number,
                fields.get("r").unwrap_or("-").to_string(),
            ));
            group
                .slowest
                .sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            group.slowest.truncate(SLOWEST);
        }
    }

    pub fn error(&mut self, line_number: usize, error: String) {
        self.lines += 1;
        self.errors.push((line_number, error));
    }

    pub fn report(self) -> Report {
        let groups = self
            .groups
            .into_iter()
            .map(|((backend, server), mut group)| GroupReport {
                backend,
                server,
                requests: group.count,
                timers: group
                    .timers
                    .iter_mut()
                    .map(|(name, values)| (name.to_string(), percentiles(values)))
                    .collect(),
                termination_states: group.states,
                slowest: group
                    .slowest
                    .into_iter()
                    .map(|(total_ms, line, request)| Slow {
                        line,
                        total_ms,
                        request,
                    })
                    .collect(),
            })
            .collect();
        Report {
            lines: self.lines,
            groups,
            errors: self
                .errors
                .into_iter()
                .map(|(line, error)| ErrorReport { line, error })
                .collect(),
        }
    }
}

/// Nearest-rank percentiles.
fn percentiles(values: &mut [i64]) -> Percentiles {
    values.sort_unstable();
    let rank = |p: f64| {
        let index = ((p * values.len() as f64).ceil() as usize).saturating_sub(1);
        values
            .get(index.min(values.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0)
    };
    Percentiles {
        p50: rank(0.5),
        p90: rank(0.9),
        p99: rank(0.99),
        max: values.last().copied().unwrap_or(0),
    }
}

impl Report {
    pub fn render(&self) -> String {
        let mut out = format!("{} lines, {} unreadable\n", self.lines, self.errors.len());
        for group in &self.groups {
            out.push_str(&format!(
                "\n{}/{}: {} requests\n",
                group.backend, group.server, group.requests
            ));
            out.push_str("  timer      p50      p90      p99      max  (ms)\n");
            for name in TIMERS {
                if let Some(p) = group.timers.get(*name) {
                    out.push_str(&format!(
                        "  {name:<4} {:>8} {:>8} {:>8} {:>8}\n",
                        p.p50, p.p90, p.p99, p.max
                    ));
                }
            }
            let states: Vec<String> = group
                .termination_states
                .iter()
                .map(|(s, n)| format!("{s} ×{n}"))
                .collect();
            out.push_str(&format!("  termination states: {}\n", states.join(", ")));
            for slow in &group.slowest {
                out.push_str(&format!(
                    "  slow: line {} {} ms {}\n",
                    slow.line, slow.total_ms, slow.request
                ));
            }
        }
        for error in self.errors.iter().take(20) {
            out.push_str(&format!("line {}: {}\n", error.line, error.error));
        }
        if self.errors.len() > 20 {
            out.push_str(&format!(
                "… and {} more unreadable lines\n",
                self.errors.len() - 20
            ));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let mut values: Vec<i64> = (1..=100).collect();
        let p = percentiles(&mut values);
        assert_eq!((p.p50, p.p90, p.p99, p.max), (50, 90, 99, 100));
        let p = percentiles(&mut [7]);
        assert_eq!((p.p50, p.max), (7, 7));
    }
}
