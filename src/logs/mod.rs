//! Log lines read back against the configuration (`haplint explain-log`):
//! HAProxy's own (with the proxy's `log-format`, or the `httplog`/`tcplog`
//! formats) and AWS ALB access-log entries.

pub mod aggregate;
pub mod alb;
pub mod explain;
pub mod format;
pub mod gzip;
pub mod hist;
pub mod httplog;
pub mod matching;
pub mod pairs;
pub mod time;
pub mod waterfall;

use crate::model::{Model, SectionKind};
use format::{Format, HTTPLOG, HTTPLOG_BARE, HTTPLOG_ONE_CAPTURE, TCPLOG};

/// The log formats the configuration's proxies use, the named proxy's first,
/// then the standard ones: a line is read with the first that fits.
pub fn formats(model: Option<&Model>, proxy: Option<&str>) -> Vec<Format> {
    let mut texts: Vec<String> = Vec::new();
    if let Some(model) = model {
        let mut proxies: Vec<&crate::model::Section> = model
            .sections
            .iter()
            .filter(|s| s.kind.has_frontend() || s.kind == SectionKind::Defaults)
            .collect();
        if let Some(name) = proxy {
            proxies.sort_by_key(|s| s.name.as_deref() != Some(name));
        }
        for section in proxies {
            let text = if let Some(setting) = model.setting(section, "log-format") {
                let words: Vec<&str> = model.values(setting.stmt).skip(1).collect();
                Some(words.join(" "))
            } else if model.option_enabled(section, "httplog").is_some() {
                Some(HTTPLOG_BARE.to_string())
            } else if model.option_enabled(section, "tcplog").is_some() {
                Some(TCPLOG.to_string())
            } else {
                None
            };
            if let Some(text) = text.filter(|t| !texts.contains(t)) {
                texts.push(text);
            }
        }
    }
    for standard in [HTTPLOG_BARE, HTTPLOG, HTTPLOG_ONE_CAPTURE, TCPLOG] {
        if !texts.iter().any(|t| t == standard) {
            texts.push(standard.to_string());
        }
    }
    texts.iter().map(|t| Format::new(t)).collect()
}

/// Read a HAProxy line with the first format that fits; the error of the
/// first (most specific) format otherwise.
pub fn read_haproxy_line(formats: &[Format], line: &str) -> Result<format::Fields, String> {
    let mut first_error = None;
    for format in formats {
        match format.read_fields(line) {
            Ok(fields) => return Ok(fields),
            Err(error) => {
                first_error.get_or_insert(format!(
                    "no log format fits: cannot read {} at column {}",
                    error.at,
                    error.offset + 1
                ));
            }
        }
    }
    Err(first_error.unwrap_or_else(|| "no log format to read it with".to_string()))
}
