//! Keywords haproxy of the target version does not know in `global` or in a
//! proxy: misspellings, options that do not exist, keywords of a newer release.
//! (Fetches and converters: `invalid-sample-expression`.)

use super::keyword_lines::{note, noted_lines};
use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::SectionKind;
use crate::model::keywords::{self, ParamKeyword};
use crate::model::vocabulary::{self, Context as Vocabulary};
use crate::syntax::Activity;
use crate::version::Version;

#[derive(Default)]
pub struct UnknownKeyword;

impl Rule for UnknownKeyword {
    const ID: &'static str = "unknown-keyword";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        self.sections(cx, out);
        self.parameters(cx, out);
        let model = cx.model;
        let target = cx.target;
        for line in noted_lines(cx, note::NEGATION) {
            let prefix = line.prefix.unwrap_or("no");
            let keyword = match (line.words.first(), line.words.get(1)) {
                (Some(&"option"), Some(option)) => format!("option {option}"),
                (Some(first), _) => (*first).to_string(),
                _ => continue,
            };
            let span = model.words_span(line.stmt, 0, 1 + keyword.split(' ').count());
            let message = format!("`{prefix}` cannot be put before `{keyword}`");
            let note = format!(
                "haproxy {target} refuses to start: `no` and `default` only apply to options that \
                 can be turned off and to `log` (in `global` also to busy-polling, set-dumpable, \
                 strict-limits, insecure-fork-wanted and numa-cpu-mapping)"
            );
            out.push(
                Finding::new(Self::ID, span, message)
                    .note(note)
                    .help(format!("remove the line, or remove `{prefix}`")),
            );
        }
        for line in noted_lines(cx, note::UNKNOWN) {
            let Some(&first) = line.words.first() else {
                continue;
            };
            // Deprecated and removed keywords have rules of their own.
            if vocabulary::retired(line.vocabulary, &line.words).is_some() {
                continue;
            }
            let section = line.section.kind.keyword();
            let known = match line.vocabulary {
                Vocabulary::Global => vocabulary::global(first),
                Vocabulary::Proxy => vocabulary::proxy(&line.words),
            };
            let span_words = match known {
                Some(keyword) => keyword.name.split(' ').count(),
                None if !vocabulary::family(first).is_empty() && line.words.len() > 1 => 2,
                None => 1,
            };
            let span = model.words_span(line.stmt, line.first, line.first + span_words);
            if let Some(keyword) = known {
                let name = keyword.name;
                let unknown =
                    format!("haproxy {target} refuses to start on a keyword it does not know");
                if super::keyword_lines::oracle_lacks_option(&line, target) {
                    let versions: Vec<String> = line
                        .words
                        .get(1)
                        .map(|o| vocabulary_versions(o))
                        .unwrap_or_default();
                    let note = format!(
                        "haproxy {target} refuses to start on an option it does not have \
                         (\"unknown option\"); haproxy {} have it",
                        versions.join(", ")
                    );
                    let message = format!("`{name}` is not available in HAProxy {target}");
                    out.push(Finding::new(Self::ID, span, message).note(note).help(
                        "remove it, guard it with `.if version_atleast(…)`, or target \
                                 another version with --haproxy-version",
                    ));
                } else if keyword.life.since > target {
                    let since = keyword.life.since;
                    let message = format!(
                        "`{name}` is not available in HAProxy {target}: it appeared in {since}"
                    );
                    let help = format!(
                        "remove it, guard it with `.if version_atleast({since})`, or target a \
                         newer version with --haproxy-version"
                    );
                    out.push(
                        Finding::new(Self::ID, span, message)
                            .note(unknown)
                            .help(help),
                    );
                } else if let Some(until) = keyword.life.until.filter(|until| *until <= target) {
                    let message = format!(
                        "`{name}` no longer exists in HAProxy {target} (documented up to {})",
                        until.previous()
                    );
                    out.push(Finding::new(Self::ID, span, message).note(unknown));
                }
                continue;
            }
            let family = vocabulary::family(first);
            let (message, suggestion) = match (family.is_empty(), line.words.get(1)) {
                (false, Some(second)) => {
                    let exists = |name: &&&str| {
                        let words: Vec<&str> = name.split(' ').collect();
                        vocabulary::proxy(&words).is_some_and(|k| k.life.exists_in(target))
                    };
                    let candidates: Vec<&str> = family
                        .iter()
                        .filter(exists)
                        .filter_map(|name| name.split_once(' ').map(|(_, rest)| rest))
                        .collect();
                    let closest = crate::text::closest(second, candidates.iter().copied());
                    (
                        format!("unknown `{first}` keyword `{second}` in {section} section"),
                        closest.map(|s| format!("{first} {s}")),
                    )
                }
                _ => {
                    let names: Vec<&str> = match line.vocabulary {
                        Vocabulary::Global => vocabulary::global_names()
                            .filter(|n| {
                                vocabulary::global(n).is_some_and(|k| k.life.exists_in(target))
                            })
                            .collect(),
                        Vocabulary::Proxy => vocabulary::proxy_names()
                            .filter(|n| {
                                vocabulary::proxy(&[n]).is_some_and(|k| k.life.exists_in(target))
                            })
                            .map(|n| n.split(' ').next().unwrap_or(n))
                            .collect(),
                    };
                    (
                        format!("unknown keyword `{first}` in {section} section"),
                        crate::text::closest(first, names.iter().copied()).map(str::to_string),
                    )
                }
            };
            let mut finding = Finding::new(Self::ID, span, message).note(format!(
                "haproxy {target} refuses to start on a keyword it does not know"
            ));
            finding = match suggestion {
                Some(suggestion) => finding.help(format!("did you mean `{suggestion}`?")),
                None => finding.help(format!(
                    "check the spelling against the HAProxy {target} manual"
                )),
            };
            out.push(finding);
        }
    }
}

/// The oracle versions whose option tables have `option`.
fn vocabulary_versions(option: &str) -> Vec<String> {
    let versions = crate::model::registry::listed_in("option", option);
    versions.iter().map(ToString::to_string).collect()
}

impl UnknownKeyword {
    /// Section kinds of other releases, and keywords of `cache` sections.
    fn sections(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let target = cx.target;
        for section in &model.sections {
            if cx.activity(section.header) != Activity::Active {
                continue;
            }
            let keyword = section.kind.keyword();
            let (since, until) = section.kind.lifetime();
            let span = || model.word_span(section.header, 0);
            if since > target {
                let message = format!(
                    "`{keyword}` sections are not available in HAProxy {target}: they appeared in \
                     {since}"
                );
                let note = format!(
                    "haproxy {target} reads `{keyword}` as an unknown keyword of the section above \
                     and refuses to start"
                );
                let help = format!(
                    "guard the section with `.if version_atleast({since})`, or target a newer \
                     version with --haproxy-version"
                );
                out.push(
                    Finding::new(Self::ID, span(), message)
                        .note(note)
                        .help(help),
                );
            } else if let Some(until) = until.filter(|until| *until <= target) {
                let message = format!(
                    "`{keyword}` sections no longer exist in HAProxy {target}: they were removed \
                     in {until}"
                );
                let note = format!("haproxy {target} refuses to start on them");
                out.push(Finding::new(Self::ID, span(), message).note(note));
            }
            if section.kind == SectionKind::Cache {
                for &stmt in &section.statements {
                    if cx.activity(stmt) != Activity::Active {
                        continue;
                    }
                    let Some(word) = model.value(stmt, 0) else {
                        continue;
                    };
                    let first = model.words(stmt).first();
                    if first.is_some_and(|w| w.has_env() || w.is_quoted())
                        || vocabulary::CACHE_KEYWORDS.contains(&word)
                    {
                        continue;
                    }
                    let span = model.word_span(stmt, 0);
                    let message = format!("unknown keyword `{word}` in cache section");
                    let note =
                        format!("haproxy {target} refuses to start on a keyword it does not know");
                    let mut finding = Finding::new(Self::ID, span, message).note(note);
                    let keywords = vocabulary::CACHE_KEYWORDS.iter().copied();
                    if let Some(suggestion) = crate::text::closest(word, keywords) {
                        finding = finding.help(format!("did you mean `{suggestion}`?"));
                    }
                    out.push(finding);
                }
            }
        }
    }

    /// The first unknown, or too new, parameter of each `server` and `bind`
    /// line (haproxy stops at the first).
    fn parameters(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let target = cx.target;
        for section in model.sections.iter().filter(|s| s.kind.inherits_defaults()) {
            type Table = fn(&str) -> Option<&'static ParamKeyword>;
            let servers = section
                .servers
                .iter()
                .map(|s| (s.stmt, &s.params, "server", keywords::server_param as Table));
            let binds = section
                .binds
                .iter()
                .map(|b| (b.stmt, &b.params, "bind", keywords::bind_param as Table));
            for (stmt, params, what, table) in servers.chain(binds) {
                if cx.activity(stmt) != Activity::Active {
                    continue;
                }
                let words = model.words(stmt);
                for param in params.iter() {
                    let word = words.get(param.word as usize);
                    if word.is_some_and(|w| w.has_env() || w.is_quoted() || w.is_invalid()) {
                        break;
                    }
                    // `set-proxy-v2-tlv-fmt(0xE1)`: the name ends at the parenthesis.
                    // Known parameters were looked up when the model was built.
                    let resolved = match param.keyword {
                        Some(known) if known.since == "2.4" && known.until.is_none() => continue,
                        Some(known) => Some(known),
                        None => None,
                    };
                    let written = model.value(stmt, param.word as usize).unwrap_or("");
                    let name = written.split('(').next().unwrap_or(written);
                    let span = model.word_span(stmt, param.word as usize);
                    let unknown = || {
                        format!("haproxy {target} refuses to start on a parameter it does not know")
                    };
                    match resolved.or_else(|| table(name)) {
                        Some(known) => {
                            let since = Version::parse(known.since).unwrap_or(Version::new(2, 4));
                            if since > target {
                                let message = format!(
                                    "`{name}` is not a {what} parameter in HAProxy {target}: it \
                                     appeared in {since}"
                                );
                                out.push(Finding::new(Self::ID, span, message).note(unknown()));
                                break;
                            }
                            let until = known.until.and_then(Version::parse);
                            if let Some(until) = until.filter(|until| *until <= target) {
                                let message = format!(
                                    "`{name}` is no longer a {what} parameter in HAProxy {target}: \
                                     it was removed in {until}"
                                );
                                out.push(Finding::new(Self::ID, span, message).note(unknown()));
                                break;
                            }
                        }
                        None => {
                            let names: Vec<&str> = match what {
                                "bind" => keywords::bind_param_names().collect(),
                                _ => keywords::server_param_names().collect(),
                            };
                            let message = format!("unknown {what} parameter `{name}`");
                            let mut finding = Finding::new(Self::ID, span, message).note(unknown());
                            if let Some(suggestion) = crate::text::closest(name, names) {
                                finding = finding.help(format!("did you mean `{suggestion}`?"));
                            }
                            out.push(finding);
                            break;
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{findings, findings_with};
    use crate::version::Version;

    const ID: &str = "unknown-keyword";

    #[test]
    fn misspellings_and_unknown_options() {
        let found = findings(
            ID,
            "global\n  maxconnn 100\ndefaults\n  option htplog\n  timeout sever 5s\n  \
             tmeout client 5s\n  option httplog\nbackend b\n  server s 10.0.0.1:80\n",
        );
        let messages: Vec<&str> = found.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "unknown keyword `maxconnn` in global section",
                "unknown `option` keyword `htplog` in defaults section",
                "unknown `timeout` keyword `sever` in defaults section",
                "unknown keyword `tmeout` in defaults section",
            ]
        );
    }

    #[test]
    fn keywords_of_newer_releases_and_version_guards() {
        let config = "global\n  stats-file /x\n.if version_atleast(3.0)\n  stats-file /y\n.endif\n";
        let on = |target| {
            let options = crate::Options {
                target,
                ..Default::default()
            };
            findings_with(ID, config, options)
        };
        let on_26 = on(Version::new(2, 6));
        assert_eq!(on_26.len(), 1, "{on_26:?}");
        assert!(on_26[0].1.contains("appeared in 3.0"));
        assert!(on(Version::new(3, 0)).is_empty());
    }

    #[test]
    fn undecidable_blocks_and_env_keywords_are_not_judged() {
        let config = "global\n.if defined(X)\n  whatever 1\n.endif\n  \"${KW}\" 1\n";
        assert!(findings(ID, config).is_empty());
    }
}
