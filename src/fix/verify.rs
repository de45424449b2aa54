//! `--verify`: ask the real `haproxy -c` whether a configuration loads, on a
//! hermetic copy. haproxy stops at the first certificate, map or pattern file
//! it cannot open, so the copy stands valid placeholder files in for every
//! such file that is missing here, and `-dr` keeps DNS out of the way.

use crate::source::SourceSet;
use crate::syntax;
use std::path::{Path, PathBuf};
use std::process::Command;

const PLACEHOLDER_CERT: &str = include_str!("placeholders/certificate.pem");
const PLACEHOLDER_CRL: &str = include_str!("placeholders/revocations.crl");
const PLACEHOLDER_ERRORFILE: &str = "HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";

/// One ALERT haproxy printed, mapped back to the user's file and line where it names one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Alert {
    pub file: Option<String>,
    pub line: Option<u32>,
    pub message: String,
}

#[derive(Clone, Debug)]
pub struct Verdict {
    pub accepted: bool,
    pub alerts: Vec<Alert>,
    /// What was stood in for missing files, as `kind path`.
    pub placeholders: Vec<String>,
    pub output: String,
}

/// The haproxy binary: the one given, or `haproxy` on `PATH`.
pub fn find_haproxy(explicit: Option<&Path>) -> Option<PathBuf> {
    if let Some(path) = explicit {
        return path.is_file().then(|| path.to_path_buf());
    }
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join("haproxy"))
        .find(|candidate| candidate.is_file())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Certificate,
    CertificateList,
    Revocations,
    Errorfile,
    Empty,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Certificate => "certificate",
            Kind::CertificateList => "crt-list",
            Kind::Revocations => "crl",
            Kind::Errorfile => "errorfile",
            Kind::Empty => "pattern/map/lua file",
        }
    }
}

/// Where a word of a statement names a file haproxy opens while checking.
fn file_kind(keyword: &str, previous: &str) -> Option<Kind> {
    match previous {
        "crt" | "ca-file" | "ca-verify-file" | "ca-sign-file" | "ssl-dh-param-file"
            if keyword != "crt-base" =>
        {
            Some(Kind::Certificate)
        }
        "crt-list" => Some(Kind::CertificateList),
        "crl-file" => Some(Kind::Revocations),
        "-f" => Some(Kind::Empty),
        _ => match keyword {
            "lua-load" | "lua-load-per-thread" if previous == keyword => Some(Kind::Empty),
            _ => None,
        },
    }
}

/// Map and ACL files named inside sample expressions: `map_str(/etc/x.map)`, `set-map(/x)`.
fn embedded_files(value: &str) -> Vec<String> {
    let mut files = Vec::new();
    for marker in [
        "map(", "map_", "set-map(", "del-map(", "add-acl(", "del-acl(",
    ] {
        let mut rest = value;
        while let Some(at) = rest.find(marker) {
            let after = rest.get(at + marker.len()..).unwrap_or("");
            let args = match marker {
                "map_" => after.split_once('(').map(|(_, a)| a).unwrap_or(""),
                _ => after,
            };
            let path: String = args
                .chars()
                .take_while(|c| !matches!(c, ',' | ')'))
                .collect();
            if (path.starts_with('/') || path.starts_with('.')) && !files.contains(&path) {
                files.push(path);
            }
            rest = after;
        }
    }
    files
}

struct Neutralizer {
    dir: PathBuf,
    base: PathBuf,
    count: usize,
    used: Vec<String>,
}

impl Neutralizer {
    fn resolve(&self, path: &str) -> PathBuf {
        let p = Path::new(path);
        if p.is_absolute() {
            p.to_path_buf()
        } else {
            self.base.join(p)
        }
    }

    /// The placeholder path for a missing file, written on first use.
    fn stand_in(&mut self, kind: Kind, original: &str) -> std::io::Result<String> {
        self.count += 1;
        let path = self.dir.join(format!("placeholder-{}", self.count));
        let cert = self.dir.join("placeholder.pem");
        if !cert.exists() {
            std::fs::write(&cert, PLACEHOLDER_CERT)?;
        }
        let content = match kind {
            Kind::Certificate => PLACEHOLDER_CERT.to_string(),
            Kind::CertificateList => format!("{}\n", cert.display()),
            Kind::Revocations => PLACEHOLDER_CRL.to_string(),
            Kind::Errorfile => PLACEHOLDER_ERRORFILE.to_string(),
            Kind::Empty => String::new(),
        };
        std::fs::write(&path, content)?;
        self.used.push(format!("{} {original}", kind.name()));
        Ok(path.display().to_string())
    }

    /// Rewrite one configuration text so every missing file it names exists.
    fn neutralize(&mut self, text: &str) -> std::io::Result<String> {
        let mut sources = SourceSet::new();
        let id = sources.add("x.cfg", None, text);
        let Some(file) = sources.get(id) else {
            return Ok(text.to_string());
        };
        let tree = syntax::parse(file);
        let mut edits: Vec<(usize, usize, String)> = Vec::new();
        for line in &tree.lines {
            let words = tree.words(line);
            let keyword = words.first().map(|w| tree.value(w)).unwrap_or("");
            let mut previous = "";
            for (index, word) in words.iter().enumerate() {
                let value = tree.value(word);
                let raw = tree.raw(word);
                let mut kind = if index > 0 {
                    file_kind(keyword, previous)
                } else {
                    None
                };
                if keyword == "errorfile" && index == 2 {
                    kind = Some(Kind::Errorfile);
                }
                if matches!(keyword, "lua-load" | "lua-load-per-thread") && index == 1 {
                    kind = Some(Kind::Empty);
                }
                if let Some(kind) = kind {
                    if !value.starts_with('@') && !value.is_empty() && !self.resolve(value).exists()
                    {
                        let stand_in = self.stand_in(kind, value)?;
                        edits.push((word.start as usize, word.end as usize, stand_in));
                    }
                } else {
                    let mut replaced = raw.to_string();
                    for path in embedded_files(value) {
                        if !self.resolve(&path).exists() && replaced.contains(&path) {
                            let stand_in = self.stand_in(Kind::Empty, &path)?;
                            replaced = replaced.replace(&path, &stand_in);
                        }
                    }
                    if replaced != raw {
                        edits.push((word.start as usize, word.end as usize, replaced));
                    }
                }
                previous = value;
            }
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (start, end, replacement) in edits {
            out.push_str(text.get(at..start).unwrap_or(""));
            out.push_str(&replacement);
            at = end;
        }
        out.push_str(text.get(at..).unwrap_or(""));
        Ok(out)
    }
}

/// Check a set of configuration files (name, text), read in order like several `-f`.
/// `base` is the directory relative paths are resolved from.
pub fn check(haproxy: &Path, files: &[(String, String)], base: &Path) -> std::io::Result<Verdict> {
    // A fresh directory with an unpredictable name, readable by its owner
    // only (0700): the copies hold whatever secrets the configuration holds.
    // It is removed when `dir` goes out of scope.
    let mut builder = tempfile::Builder::new();
    builder.prefix("haplint-verify-");
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o700));
    let dir = builder.tempdir()?;
    run(haproxy, files, base, dir.path())
}

fn run(
    haproxy: &Path,
    files: &[(String, String)],
    base: &Path,
    dir: &Path,
) -> std::io::Result<Verdict> {
    let mut neutralizer = Neutralizer {
        dir: dir.to_path_buf(),
        base: base.to_path_buf(),
        count: 0,
        used: Vec::new(),
    };
    let mut command = Command::new(haproxy);
    command.arg("-c").arg("-dr").current_dir(base);
    let mut names = Vec::new();
    for (index, (name, text)) in files.iter().enumerate() {
        let path = dir.join(format!("config-{index}.cfg"));
        std::fs::write(&path, neutralizer.neutralize(text)?)?;
        command.arg("-f").arg(&path);
        names.push((path.display().to_string(), name.clone()));
    }
    let output = command.output()?;
    let mut text = String::from_utf8_lossy(&output.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&output.stderr));
    for (temp, name) in &names {
        text = text.replace(temp, name);
    }
    let alerts = text
        .lines()
        .filter(|l| l.contains("[ALERT]"))
        .map(|l| parse_alert(l, &names))
        .collect();
    let accepted = output.status.success()
        || (output.status.code() == Some(2) && text.contains("has no error"));
    Ok(Verdict {
        accepted,
        alerts,
        placeholders: neutralizer.used,
        output: text,
    })
}

/// Find `[file:line]` in an ALERT (haproxy prints it as `parsing [f:l] :`,
/// `[f:l] : 'server x/y'`, or `… at [f:l]`), or none.
fn parse_alert(line: &str, names: &[(String, String)]) -> Alert {
    // `[ALERT]    (pid) : config : <text>`: keep <text>.
    let text = match line.find(" : config : ") {
        Some(at) => line.get(at + " : config : ".len()..).unwrap_or(line),
        None => line.split_once(" : ").map(|(_, rest)| rest).unwrap_or(line),
    }
    .trim();
    for (_, name) in names {
        let marker = format!("[{name}:");
        if let Some(at) = text.find(&marker) {
            let rest = text.get(at + marker.len()..).unwrap_or("");
            let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
            // `parsing [f:l] : message` → message; otherwise keep the whole text.
            let message = match (text.starts_with("parsing ["), rest.split_once("] : ")) {
                (true, Some((_, message))) => message.trim().to_string(),
                _ => text.to_string(),
            };
            return Alert {
                file: Some(name.clone()),
                line: digits.parse().ok(),
                message,
            };
        }
    }
    Alert {
        file: None,
        line: None,
        message: text.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alerts_map_back_to_files_and_lines() {
        let names = vec![("/tmp/x/config-0.cfg".to_string(), "haproxy.cfg".to_string())];
        let alert = parse_alert(
            "[ALERT]    (1) : config : parsing [haproxy.cfg:12] : unknown keyword 'foo'",
            &names,
        );
        assert_eq!(alert.file.as_deref(), Some("haproxy.cfg"));
        assert_eq!(alert.line, Some(12));
        assert_eq!(alert.message, "unknown keyword 'foo'");
        let alert = parse_alert(
            "[ALERT]    (1) : config : Proxy 'x': unable to find table",
            &names,
        );
        assert_eq!(alert.line, None);
    }

    /// The copies of the configuration (passwords included) sit in a fresh
    /// directory only its owner can enter, which is gone afterwards. A fake
    /// haproxy records the mode of the directory its `-f` file is in.
    #[test]
    fn the_work_folder_is_private_and_removed() {
        use std::os::unix::fs::PermissionsExt;
        let scratch = tempfile::tempdir().unwrap();
        let seen = scratch.path().join("seen");
        let fake = scratch.path().join("haproxy");
        std::fs::write(
            &fake,
            format!(
                "#!/bin/sh\nshift 3\nd=$(dirname \"$1\")\n\
                 echo \"$d $(stat -c %a \"$d\") $(cat \"$1\")\" > '{}'\n",
                seen.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
        let files = [("haproxy.cfg".to_string(), "userlist u\n".to_string())];
        check(&fake, &files, scratch.path()).unwrap();
        let seen = std::fs::read_to_string(&seen).unwrap();
        let mut words = seen.split_whitespace();
        let (dir, mode) = (words.next().unwrap(), words.next().unwrap());
        assert_eq!(mode, "700", "the work folder {dir} is not private: {seen}");
        assert!(seen.contains("userlist u"), "{seen}");
        assert!(!Path::new(dir).exists(), "{dir} is left behind");
    }

    #[test]
    fn finds_files_inside_sample_expressions() {
        assert_eq!(
            embedded_files("%[req.hdr(host),map_str(/etc/haproxy/hosts.map,default)]"),
            vec!["/etc/haproxy/hosts.map"]
        );
        assert_eq!(embedded_files("set-map(/etc/x.map)"), vec!["/etc/x.map"]);
        assert!(embedded_files("map_str").is_empty());
    }
}
