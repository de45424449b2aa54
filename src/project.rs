//! Configurations as projects: `.haplint.yaml` names the configurations of a
//! repository, each an ordered list of files, directories and globs read like
//! haproxy's `-f` options:
//!
//! ```yaml
//! configurations:
//!   edge: [haproxy/global.cfg, haproxy/conf.d/]
//!   internal: ["internal/*.cfg"]
//! ```
//!
//! `haplint check FILE` (as pre-commit calls it) checks every configuration
//! that holds FILE as a whole, and reports the findings located in the files
//! it was given: the other files are context, so a split configuration gives
//! no false `undefined-reference`, and two unrelated configurations no false
//! `duplicate-name`. A file in two configurations is checked in both; a
//! finding both give is reported once. Files in no configuration are checked
//! together, as without declarations. `haplint check` with no path checks
//! every configuration and reports everything.

use crate::error::Error;
use crate::source::{FileId, SourceSet};
use crate::{Options, Report, Reported};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The declared configurations of a project, their entries expanded.
#[derive(Clone, Debug, Default)]
pub struct Project {
    /// The folder of `.haplint.yaml`: entries are relative to it.
    pub root: PathBuf,
    /// Name and files (canonical paths, in load order) of each configuration.
    pub configurations: Vec<(String, Vec<PathBuf>)>,
}

impl Project {
    /// The configurations `config` (read from `config_path`) declares.
    pub fn from_config(
        config: &crate::config::Config,
        config_path: &Path,
    ) -> Result<Project, Error> {
        let root = config_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let root = std::fs::canonicalize(&root).unwrap_or(root);
        let mut configurations = Vec::new();
        for (name, entries) in &config.configurations {
            let mut files = Vec::new();
            for entry in entries {
                for file in expand_entry(&root, entry).map_err(|message| Error::Config {
                    path: config_path.display().to_string(),
                    message: format!("configurations.{name}: {message}"),
                })? {
                    if !files.contains(&file) {
                        files.push(file);
                    }
                }
            }
            configurations.push((name.clone(), files));
        }
        Ok(Project {
            root,
            configurations,
        })
    }

    /// The nearest `.haplint.yaml` above `start` that declares configurations.
    pub fn discover(start: &Path) -> Result<Option<Project>, Error> {
        let Some(path) = crate::config::Config::find_upward(start) else {
            return Ok(None);
        };
        let config = crate::config::Config::load(&path)?;
        if config.configurations.is_empty() {
            return Ok(None);
        }
        Project::from_config(&config, &path).map(Some)
    }

    /// The configurations that hold `file`.
    pub fn containing(&self, file: &Path) -> Vec<&(String, Vec<PathBuf>)> {
        let file = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
        self.configurations
            .iter()
            .filter(|(_, files)| files.contains(&file))
            .collect()
    }

    /// Check `paths` (files or directories; all configurations when empty):
    /// each configuration holding one of them as a whole, the rest together.
    /// Findings are those located in the given files (all, when none given).
    pub fn check(&self, paths: &[PathBuf], options: &Options) -> Result<Report, Error> {
        let mut given: Vec<(PathBuf, PathBuf)> = Vec::new(); // (as given, canonical)
        for path in paths {
            for file in crate::load::expand(path)? {
                let canonical = std::fs::canonicalize(&file).unwrap_or_else(|_| file.clone());
                given.push((file, canonical));
            }
        }
        let mut groups: Vec<Vec<PathBuf>> = Vec::new();
        let mut loose: Vec<PathBuf> = Vec::new();
        if given.is_empty() {
            groups.extend(self.configurations.iter().map(|(_, files)| files.clone()));
        } else {
            for (_, canonical) in &given {
                let holding: Vec<&Vec<PathBuf>> = self
                    .configurations
                    .iter()
                    .filter(|(_, files)| files.contains(canonical))
                    .map(|(_, files)| files)
                    .collect();
                if holding.is_empty() {
                    loose.push(canonical.clone());
                }
                for files in holding {
                    if !groups.contains(files) {
                        groups.push(files.clone());
                    }
                }
            }
        }
        if !loose.is_empty() {
            groups.push(loose);
        }
        let names: HashMap<PathBuf, String> = given
            .iter()
            .map(|(shown, canonical)| (canonical.clone(), shown.display().to_string()))
            .collect();
        let only: Option<Vec<PathBuf>> =
            (!given.is_empty()).then(|| given.iter().map(|(_, c)| c.clone()).collect());
        check_groups(&groups, &names, only.as_deref(), &[], options)
    }
}

/// Check configurations (ordered file lists) and merge their reports into
/// one over every file involved. `names` gives a file its shown name
/// (otherwise its path relative to the working folder); `only` keeps the
/// findings located in those files; `texts` replaces files' contents (an
/// editor's unsaved buffer).
pub fn check_groups(
    groups: &[Vec<PathBuf>],
    names: &HashMap<PathBuf, String>,
    only: Option<&[PathBuf]>,
    texts: &[(PathBuf, Arc<str>)],
    options: &Options,
) -> Result<Report, Error> {
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|d| std::fs::canonicalize(d).ok());
    let mut union = SourceSet::new();
    let mut ids: HashMap<PathBuf, FileId> = HashMap::new();
    for file in groups.iter().flatten() {
        if ids.contains_key(file) {
            continue;
        }
        let text: Arc<str> = match texts.iter().find(|(p, _)| p == file) {
            Some((_, text)) => text.clone(),
            None => {
                let single = crate::load::load(&[crate::load::Input::Path(file.clone())])?;
                match single.files().first() {
                    Some(loaded) => loaded.text.clone(),
                    None => continue,
                }
            }
        };
        let name = names.get(file).cloned().unwrap_or_else(|| {
            cwd.as_ref()
                .and_then(|cwd| file.strip_prefix(cwd).ok())
                .unwrap_or(file)
                .display()
                .to_string()
        });
        let id = union.add(name, Some(file.clone()), text);
        ids.insert(file.clone(), id);
    }
    let mut model = None;
    let mut findings: Vec<Reported> = Vec::new();
    for group in groups {
        let mut sources = SourceSet::new();
        let mut to_union: Vec<FileId> = Vec::new();
        for file in group {
            let Some(&id) = ids.get(file) else { continue };
            let Some(shared) = union.get(id) else {
                continue;
            };
            sources.add(
                shared.name.clone(),
                shared.path.clone(),
                shared.text.clone(),
            );
            to_union.push(id);
        }
        let report = crate::check(sources, options);
        for mut reported in report.findings {
            remap(&mut reported, &to_union);
            let keep = only.is_none_or(|only| {
                union
                    .get(reported.finding.primary.span.file)
                    .and_then(|f| f.path.as_ref())
                    .is_some_and(|p| only.contains(p))
            });
            if keep && !findings.iter().any(|seen| same(seen, &reported)) {
                findings.push(reported);
            }
        }
        model.get_or_insert(report.model);
    }
    findings.sort_by(|a, b| {
        let (a, b) = (&a.finding, &b.finding);
        (a.primary.span.file, a.primary.span.start, a.rule).cmp(&(
            b.primary.span.file,
            b.primary.span.start,
            b.rule,
        ))
    });
    let model = match model {
        Some(model) => model,
        None => crate::check(SourceSet::new(), options).model,
    };
    Ok(Report {
        sources: union,
        model,
        findings,
        target: options.target,
    })
}

/// Check one file (with `text` in place of its saved contents) with the
/// other files of every declared configuration that holds it, for the
/// language server: `None` when no `.haplint.yaml` above it declares a
/// configuration holding it. Only findings located in the file are kept.
pub fn check_document(path: &Path, text: &str, options: &Options) -> Option<Report> {
    let project = Project::discover(path).ok()??;
    let canonical = std::fs::canonicalize(path).ok()?;
    let groups: Vec<Vec<PathBuf>> = project
        .containing(&canonical)
        .into_iter()
        .map(|(_, files)| files.clone())
        .collect();
    if groups.is_empty() {
        return None;
    }
    let names = HashMap::from([(canonical.clone(), path.display().to_string())]);
    check_groups(
        &groups,
        &names,
        Some(std::slice::from_ref(&canonical)),
        &[(canonical.clone(), Arc::from(text))],
        options,
    )
    .ok()
}

fn same(a: &Reported, b: &Reported) -> bool {
    a.finding.rule == b.finding.rule
        && a.finding.primary.span == b.finding.primary.span
        && a.finding.message == b.finding.message
}

/// Point a finding's spans at the merged source set.
fn remap(reported: &mut Reported, to_union: &[FileId]) {
    let map = |id: &mut FileId| {
        if let Some(&new) = to_union.get(id.0 as usize) {
            *id = new;
        }
    };
    let finding = &mut reported.finding;
    map(&mut finding.primary.span.file);
    for label in &mut finding.secondary {
        map(&mut label.span.file);
    }
    if let Some(fix) = &mut finding.fix {
        for edit in &mut fix.edits {
            map(&mut edit.span.file);
        }
    }
    if let Some(suppression) = &mut reported.suppressed {
        map(&mut suppression.comment.file);
    }
}

/// The files an entry of a configuration names: a file, a directory (its
/// `*.cfg` files in name order, as `haproxy -f DIR`), or a glob with `*` and
/// `?` in its last part (matches in name order).
fn expand_entry(root: &Path, entry: &str) -> Result<Vec<PathBuf>, String> {
    let path = root.join(entry);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let files = if name.contains(['*', '?']) {
        let dir = path.parent().unwrap_or(root);
        let mut matched: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(Result::ok)
            .filter(|e| e.path().is_file())
            .filter(|e| glob_match(name.as_bytes(), e.file_name().as_encoded_bytes()))
            .map(|e| e.path())
            .collect();
        matched.sort();
        matched
    } else {
        crate::load::expand(&path).map_err(|e| e.to_string())?
    };
    Ok(files
        .into_iter()
        .map(|f| std::fs::canonicalize(&f).unwrap_or(f))
        .collect())
}

/// `*` any run of characters, `?` one character, anything else itself.
fn glob_match(pattern: &[u8], name: &[u8]) -> bool {
    match (pattern.split_first(), name.split_first()) {
        (None, None) => true,
        (Some((b'*', rest)), _) => {
            glob_match(rest, name)
                || name
                    .split_first()
                    .is_some_and(|(_, n)| glob_match(pattern, n))
        }
        (Some((b'?', rest)), Some((_, n))) => glob_match(rest, n),
        (Some((p, rest)), Some((c, n))) => p == c && glob_match(rest, n),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn globs() {
        assert!(glob_match(b"*.cfg", b"10-frontends.cfg"));
        assert!(glob_match(b"??-*.cfg", b"10-frontends.cfg"));
        assert!(!glob_match(b"*.cfg", b"haproxy.cfg.bak"));
        assert!(!glob_match(b"a?", b"a"));
    }
}
