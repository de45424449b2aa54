//! Baselines: today's findings recorded in a file (`check --write-baseline`),
//! so that a team can turn the gate on at once and fail only on new findings
//! (`check --baseline`). A finding is known by its rule, its file and the text
//! of its line (blanks squeezed), like the SARIF fingerprints: lines that move
//! keep matching, a changed line is a new finding. Entries no longer found are
//! reported as stale, so the baseline only shrinks.

use crate::error::Error;
use crate::{Report, Reported};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::path::Path;

/// One recorded finding.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub rule: String,
    pub file: String,
    /// The text of the flagged line, blanks squeezed to one space.
    pub line: String,
    /// The message when recorded (for people reading the file; not matched).
    #[serde(default)]
    pub message: String,
}

impl Entry {
    fn key(&self) -> (String, String, String) {
        (self.rule.clone(), self.file.clone(), self.line.clone())
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    pub version: u32,
    pub entries: Vec<Entry>,
}

/// What applying a baseline did.
#[derive(Clone, Debug, Default)]
pub struct Applied {
    /// Findings the baseline knew, removed from the report.
    pub known: usize,
    /// Entries of the checked files that matched no finding (fixed since).
    pub stale: Vec<Entry>,
}

/// A file name as the baseline keeps it: `./a.cfg` and `a.cfg` are one file.
fn file_key(name: &str) -> String {
    let mut name = name;
    while let Some(rest) = name.strip_prefix("./") {
        name = rest;
    }
    name.to_string()
}

/// The entry a reported finding would have.
pub fn entry(report: &Report, reported: &Reported) -> Entry {
    let span = reported.finding.primary.span;
    let (file, line) = match report.sources.get(span.file) {
        Some(file) => (
            file.name.as_str(),
            file.text.get(file.line_range_at(span.start)).unwrap_or(""),
        ),
        None => ("", ""),
    };
    Entry {
        rule: reported.finding.rule.to_string(),
        file: file_key(file),
        line: line.split_whitespace().collect::<Vec<_>>().join(" "),
        message: reported.finding.message.clone(),
    }
}

impl Baseline {
    /// Every active finding of the report.
    pub fn of(report: &Report) -> Baseline {
        let mut entries: Vec<Entry> = report.active().map(|r| entry(report, r)).collect();
        entries.sort_by(|a, b| (&a.file, &a.rule, &a.line).cmp(&(&b.file, &b.rule, &b.line)));
        Baseline {
            version: 1,
            entries,
        }
    }

    pub fn load(path: &Path) -> Result<Baseline, Error> {
        let text = std::fs::read_to_string(path).map_err(|source| Error::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let baseline: Baseline = serde_json::from_str(&text).map_err(|e| {
            Error::Usage(format!(
                "{} is not a haplint baseline: {e} (write one with --write-baseline)",
                path.display()
            ))
        })?;
        if baseline.version != 1 {
            return Err(Error::Usage(format!(
                "{}: baseline version {} is not 1",
                path.display(),
                baseline.version
            )));
        }
        Ok(baseline)
    }

    pub fn write(&self, path: &Path) -> Result<(), Error> {
        let mut text = serde_json::to_string_pretty(self).unwrap_or_default();
        text.push('\n');
        std::fs::write(path, text).map_err(|source| Error::ReportFile {
            path: path.to_path_buf(),
            source,
        })
    }

    /// Remove the findings the baseline knows from `report` (each entry
    /// matches one finding), and list the entries of the reported files
    /// (`reported`: names as shown; every file of the report when `None`)
    /// that matched none.
    pub fn apply(&self, report: &mut Report, reported: Option<&[String]>) -> Applied {
        let mut left: HashMap<(String, String, String), usize> = HashMap::new();
        for entry in &self.entries {
            *left.entry(entry.key()).or_default() += 1;
        }
        let mut known = 0;
        let keep: Vec<bool> = report
            .findings
            .iter()
            .map(|reported| {
                if reported.suppressed.is_some() {
                    return true;
                }
                let entry = entry(report, reported);
                match left.get_mut(&entry.key()) {
                    Some(count) if *count > 0 => {
                        *count -= 1;
                        known += 1;
                        false
                    }
                    _ => true,
                }
            })
            .collect();
        let mut keep = keep.into_iter();
        report.findings.retain(|_| keep.next().unwrap_or(true));
        let checked: Vec<String> = match reported {
            Some(names) => names.iter().map(|n| file_key(n)).collect(),
            None => report
                .sources
                .files()
                .iter()
                .map(|f| file_key(&f.name))
                .collect(),
        };
        let mut stale = Vec::new();
        for entry in &self.entries {
            if !checked.contains(&entry.file) {
                continue;
            }
            if let Some(count) = left.get_mut(&entry.key())
                && *count > 0
            {
                *count -= 1;
                stale.push(entry.clone());
            }
        }
        Applied { known, stale }
    }
}

impl Applied {
    /// What people read about the baseline after the findings.
    pub fn describe(&self, path: &Path) -> String {
        let mut out = String::new();
        if self.known > 0 {
            out.push_str(&format!(
                "{} finding{} already in the baseline {} not shown\n",
                self.known,
                if self.known == 1 { "" } else { "s" },
                path.display()
            ));
        }
        if !self.stale.is_empty() {
            out.push_str(&format!(
                "{} baseline entr{} no longer found (fixed?); run --write-baseline {} to drop \
                {}:\n",
                self.stale.len(),
                if self.stale.len() == 1 {
                    "y is"
                } else {
                    "ies are"
                },
                path.display(),
                if self.stale.len() == 1 { "it" } else { "them" },
            ));
            for entry in &self.stale {
                out.push_str(&format!(
                    "  {}: {} [{}]\n",
                    entry.file, entry.line, entry.rule
                ));
            }
        }
        out
    }
}
