//! `haplint tune`: facts about the deployment (cores, memory, expected peak,
//! TLS share, upstream kinds) → sized settings, each with the arithmetic that
//! produced it, as edits on the configuration.
//!
//! The tuner reads the model like the rules do and writes through the same
//! edit helpers as the fixes, so the result keeps the file's layout.

mod plan;

pub use plan::{Change, Plan, plan};

pub use crate::config::Profile;

use crate::error::Error;

impl Profile {
    /// Checked facts; every error names the field.
    pub fn facts(&self) -> Result<Facts, Error> {
        let invalid =
            |field: &str, message: String| Error::Usage(format!("tune facts: `{field}` {message}"));
        let cores = match self.cores {
            None => {
                return Err(invalid(
                    "cores",
                    "is missing: say how many CPU cores haproxy may use".into(),
                ));
            }
            Some(c) if !(1..=4096).contains(&c) => {
                return Err(invalid(
                    "cores",
                    format!("must be between 1 and 4096, not {c}"),
                ));
            }
            Some(c) => c as u32,
        };
        let memory = match &self.memory {
            None => {
                return Err(invalid(
                    "memory",
                    "is missing: give the machine's memory, e.g. 4G".into(),
                ));
            }
            Some(text) => parse_size(text).filter(|b| *b >= 64 * MIB).ok_or_else(|| {
                invalid(
                    "memory",
                    format!("`{text}` is not a memory size of at least 64M such as 4G or 4096M"),
                )
            })?,
        };
        let positive = |field: &str, value: Option<i64>| match value {
            None => Ok(None),
            Some(v) if v > 0 => Ok(Some(v as u64)),
            Some(v) => Err(invalid(
                field,
                format!("must be a positive number, not {v}"),
            )),
        };
        let share = |field: &str, value: Option<f64>| match value {
            None => Ok(None),
            Some(v) if (0.0..=1.0).contains(&v) => Ok(Some(v)),
            Some(v) => Err(invalid(field, format!("must be between 0 and 1, not {v}"))),
        };
        Ok(Facts {
            cores,
            memory_bytes: memory,
            peak_connections: positive("peak-connections", self.peak_connections)?,
            request_rate: positive("request-rate", self.request_rate)?,
            tls_client_share: share("tls-client-share", self.tls_client_share)?,
            tls_upstream_share: share("tls-upstream-share", self.tls_upstream_share)?,
        })
    }
}

const MIB: u64 = 1024 * 1024;

/// `4G`, `4GB`, `4096M`, `512MiB`, `1073741824`.
pub fn parse_size(text: &str) -> Option<u64> {
    let text = text.trim();
    let digits = text.chars().take_while(|c| c.is_ascii_digit()).count();
    let number: u64 = text.get(..digits)?.parse().ok()?;
    let unit = text.get(digits..)?.trim().to_ascii_lowercase();
    let factor = match unit.trim_end_matches("ib").trim_end_matches('b') {
        "" => 1,
        "k" => 1024,
        "m" => MIB,
        "g" => 1024 * MIB,
        "t" => 1024 * 1024 * MIB,
        _ => return None,
    };
    number.checked_mul(factor)
}

/// Checked facts.
#[derive(Clone, Debug, PartialEq)]
pub struct Facts {
    pub cores: u32,
    pub memory_bytes: u64,
    pub peak_connections: Option<u64>,
    pub request_rate: Option<u64>,
    pub tls_client_share: Option<f64>,
    pub tls_upstream_share: Option<f64>,
}

#[cfg(test)]
mod tests;
