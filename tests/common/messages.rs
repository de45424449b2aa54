//! haproxy's ALERT and WARNING lines read back, and the environment-only
//! patterns of `rules/keywords/oracle/environment.tsv`.

// Not every test file uses every helper.
#![allow(dead_code)]

use std::path::Path;

pub const ENVIRONMENT: &str = "rules/keywords/oracle/environment.tsv";

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Level {
    Alert,
    Warning,
}

/// One ALERT or WARNING line haproxy printed.
#[derive(Clone, Debug)]
pub struct Message {
    pub level: Level,
    pub line: Option<u32>,
    /// The message without its prefix and location.
    pub text: String,
}

/// One environment pattern: a level and fragments that must appear in order
/// (`{host}` stands for a host name, followed at once by the next fragment).
pub struct EnvPattern {
    pub level: Level,
    pub fragments: Vec<String>,
    pub reason: String,
}

impl EnvPattern {
    pub fn matches(&self, message: &Message) -> bool {
        if self.level != message.level {
            return false;
        }
        let mut rest = message.text.as_str();
        // Right after `{host}` the next fragment must follow at once.
        let mut anchored = false;
        for fragment in &self.fragments {
            if fragment == "{host}" {
                // A host name: a letter, then letters, digits, dots and dashes.
                if !rest.starts_with(|c: char| c.is_ascii_alphabetic()) {
                    return false;
                }
                let end = rest
                    .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.' || c == '-'))
                    .unwrap_or(rest.len());
                rest = &rest[end..];
                anchored = true;
                continue;
            }
            match rest.find(fragment.as_str()) {
                Some(at) if !anchored || at == 0 => rest = &rest[at + fragment.len()..],
                _ => return false,
            }
            anchored = false;
        }
        true
    }
}

pub fn environment_patterns() -> Vec<EnvPattern> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(ENVIRONMENT);
    let text = std::fs::read_to_string(&path).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .skip(1)
        .map(|line| {
            let cols: Vec<&str> = line.split('\t').collect();
            assert_eq!(cols.len(), 3, "{ENVIRONMENT}: three columns in {line:?}");
            let level = match cols[0] {
                "ALERT" => Level::Alert,
                "WARNING" => Level::Warning,
                other => panic!("{ENVIRONMENT}: level {other:?}"),
            };
            EnvPattern {
                level,
                fragments: cols[1].split('*').map(str::to_string).collect(),
                reason: cols[2].to_string(),
            }
        })
        .collect()
}

/// Reads haproxy's standard error into messages. The location is
/// `[FILE:LINE]` right after the `config :` prefix (`parsing [FILE:LINE]` or
/// `[FILE:LINE]`).
pub fn parse_messages(stderr: &str, file: &Path) -> Vec<Message> {
    let file = file.to_string_lossy();
    let mut out: Vec<Message> = Vec::new();
    for raw in stderr.lines() {
        let level = if raw.starts_with("[ALERT]") {
            Level::Alert
        } else if raw.starts_with("[WARNING]") {
            Level::Warning
        } else {
            // A continuation of the previous message.
            if let Some(last) = out.last_mut()
                && !raw.starts_with('[')
            {
                last.text.push(' ');
                last.text.push_str(raw.trim());
            }
            continue;
        };
        // `[LEVEL]    (PID) : REST`
        let rest = raw.split_once(") : ").map_or(raw, |(_, r)| r);
        let rest = rest.strip_prefix("config : ").unwrap_or(rest);
        let mut line = None;
        let mut text = rest.to_string();
        for prefix in ["parsing [", "Parsing [", "["] {
            let head = format!("{prefix}{file}:");
            if let Some(after) = rest.strip_prefix(head.as_str())
                && let Some((number, tail)) = after.split_once(']')
            {
                line = number.parse().ok();
                text = tail.trim_start_matches([' ', ':']).to_string();
                break;
            }
        }
        out.push(Message {
            level,
            line,
            text: text.replace(file.as_ref(), "FILE"),
        });
    }
    out
}
