//! `haplint tune`: facts about the deployment (cores, memory, expected peak,
//! TLS share, upstream kinds) → sized settings, each with the arithmetic that
//! produced it, as edits on the configuration.
//!
//! The tuner reads the model like the rules do and writes through the same
//! edit helpers as the fixes, so the result keeps the file's layout.

mod plan;

pub use plan::{Change, Plan, plan};

use crate::error::Error;
use serde::Deserialize;

/// The facts, as written in the `tune:` block of `.haplint.yaml`, in a
/// `--profile` file, or given as flags (flags win).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct Profile {
    /// CPU cores haproxy may use.
    pub cores: Option<i64>,
    /// Memory of the machine: `4G`, `4096M`, `4GB`, or bytes.
    pub memory: Option<String>,
    /// Expected peak of concurrent client connections.
    pub peak_connections: Option<i64>,
    /// Expected peak of requests per second (reported, and used to size the queue).
    pub request_rate: Option<i64>,
    /// Share of client connections that use TLS, 0 to 1 (default: 1 when a
    /// listener has `ssl`, else 0).
    pub tls_client_share: Option<f64>,
    /// Share of server connections that use TLS, 0 to 1 (default: from the
    /// servers' `ssl`).
    pub tls_upstream_share: Option<f64>,
}

impl Profile {
    /// `other`'s values where it has them, these otherwise.
    pub fn overridden_by(&self, other: &Profile) -> Profile {
        Profile {
            cores: other.cores.or(self.cores),
            memory: other.memory.clone().or_else(|| self.memory.clone()),
            peak_connections: other.peak_connections.or(self.peak_connections),
            request_rate: other.request_rate.or(self.request_rate),
            tls_client_share: other.tls_client_share.or(self.tls_client_share),
            tls_upstream_share: other.tls_upstream_share.or(self.tls_upstream_share),
        }
    }

    pub fn load(path: &std::path::Path) -> Result<Profile, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        crate::yaml::from_str::<Profile>(&text).map_err(|e| Error::Config {
            path: path.display().to_string(),
            message: e.to_string(),
        })
    }

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
