//! Keywords haproxy of the target version does not know in `global` or in a
//! proxy: misspellings, options that do not exist, keywords of a newer release.

use super::keyword_lines::{note, noted_lines};
use super::{Context, Rule};
use crate::finding::Finding;
use crate::model::keywords::{self, ParamKeyword};
use crate::model::vocabulary::{self, Context as Vocabulary};
use crate::model::SectionKind;
use crate::syntax::Activity;
use crate::version::Version;

#[derive(Default)]
pub struct UnknownKeyword;

impl Rule for UnknownKeyword {
    const ID: &'static str = "unknown-keyword";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        self.sections(cx, out);
        self.parameters(cx, out);
        self.samples(cx, out);
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
            out.push(
                Finding::new(Self::ID, span, format!("`{prefix}` cannot be put before `{keyword}`"))
                    .note(format!("haproxy {target} refuses to start: `no` and `default` only apply to options that can be turned off and to `log` (in `global` also to busy-polling, set-dumpable, strict-limits, insecure-fork-wanted and numa-cpu-mapping)"))
                    .help(format!("remove the line, or remove `{prefix}`")),
            );
        }
        for line in noted_lines(cx, note::UNKNOWN) {
            let Some(&first) = line.words.first() else { continue };
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
                if super::keyword_lines::oracle_lacks_option(&line, target) {
                    let versions: Vec<String> = line.words.get(1).map(|o| vocabulary_versions(o)).unwrap_or_default();
                    out.push(
                        Finding::new(Self::ID, span, format!("`{}` is not available in HAProxy {target}", keyword.name))
                            .note(format!("haproxy {target} refuses to start on an option it does not have (\"unknown option\"); haproxy {} have it", versions.join(", ")))
                            .help("remove it, guard it with `.if version_atleast(…)`, or target another version with --haproxy-version"),
                    );
                } else if keyword.life.since > target {
                    out.push(
                        Finding::new(Self::ID, span, format!("`{}` is not available in HAProxy {target}: it appeared in {}", keyword.name, keyword.life.since))
                            .note(format!("haproxy {target} refuses to start on a keyword it does not know"))
                            .help(format!("remove it, guard it with `.if version_atleast({})`, or target a newer version with --haproxy-version", keyword.life.since)),
                    );
                } else if let Some(until) = keyword.life.until.filter(|until| *until <= target) {
                    out.push(
                        Finding::new(Self::ID, span, format!("`{}` no longer exists in HAProxy {target} (documented up to {})", keyword.name, until.previous()))
                            .note(format!("haproxy {target} refuses to start on a keyword it does not know")),
                    );
                }
                continue;
            }
            let family = vocabulary::family(first);
            let (message, suggestion) = match (family.is_empty(), line.words.get(1)) {
                (false, Some(second)) => {
                    let candidates: Vec<&str> = family
                        .iter()
                        .filter(|name| vocabulary::proxy(&name.split(' ').collect::<Vec<_>>()).is_some_and(|k| k.life.exists_in(target)))
                        .filter_map(|name| name.split_once(' ').map(|(_, rest)| rest))
                        .collect();
                    (
                        format!("unknown `{first}` keyword `{second}` in {section} section"),
                        crate::text::closest(second, candidates.iter().copied()).map(|s| format!("{first} {s}")),
                    )
                }
                _ => {
                    let names: Vec<&str> = match line.vocabulary {
                        Vocabulary::Global => vocabulary::global_names()
                            .filter(|n| vocabulary::global(n).is_some_and(|k| k.life.exists_in(target)))
                            .collect(),
                        Vocabulary::Proxy => vocabulary::proxy_names()
                            .filter(|n| vocabulary::proxy(&[n]).is_some_and(|k| k.life.exists_in(target)))
                            .map(|n| n.split(' ').next().unwrap_or(n))
                            .collect(),
                    };
                    (
                        format!("unknown keyword `{first}` in {section} section"),
                        crate::text::closest(first, names.iter().copied()).map(str::to_string),
                    )
                }
            };
            let mut finding = Finding::new(Self::ID, span, message)
                .note(format!("haproxy {target} refuses to start on a keyword it does not know"));
            finding = match suggestion {
                Some(suggestion) => finding.help(format!("did you mean `{suggestion}`?")),
                None => finding.help(format!("check the spelling against the HAProxy {target} manual")),
            };
            out.push(finding);
        }
    }
}

/// The oracle versions whose option tables have `option`.
fn vocabulary_versions(option: &str) -> Vec<String> {
    crate::model::registry::listed_in("option", option).iter().map(ToString::to_string).collect()
}

impl UnknownKeyword {
    /// Fetches and converters of sample expressions (`%[…]`, ACL
    /// definitions, anonymous ACLs, `set-var`, `track-sc`, `stick`) that the
    /// target release does not have yet, or any more. Names no manual
    /// documents are not judged.
    fn samples(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let target = cx.target;
        let always = model.key_set(&["acl", "stick"]);
        // Expressions repeat (50,000 ACLs on `hdr(host)`): each is judged once.
        let mut judged: rustc_hash::FxHashMap<&str, Option<String>> = rustc_hash::FxHashMap::default();
        // Reused from one statement to the next: 50,000 ACL lines come here.
        let mut words: Vec<&str> = Vec::new();
        let mut expressions: Vec<(usize, &str)> = Vec::new();
        let tracking = model.key_set(&["tcp-request", "http-request", "tcp-response", "http-response"]);
        for section in model.sections.iter().filter(|s| s.kind.inherits_defaults()) {
            for (stmt, key) in model.keyed_statements(section) {
                if cx.activity(stmt) != Activity::Active {
                    continue;
                }
                // Most statements hold no sample expression: the parser
                // noted the lines with a byte one needs (`%[`, `{`, `(`).
                let maybe = always.contains(key)
                    || (tracking.contains(key) && model.values(stmt).any(|w| w.starts_with("track-sc")))
                    || model.may_hold_expression(stmt);
                if !maybe {
                    continue;
                }
                words.clear();
                words.extend(model.values(stmt));
                expressions.clear();
                for (i, word) in words.iter().enumerate() {
                    let mut rest = *word;
                    while let Some(start) = sample_start(rest) {
                        let inner = rest.get(start + 2..).unwrap_or("");
                        let end = closing_bracket(inner).unwrap_or(inner.len());
                        expressions.push((i, inner.get(..end).unwrap_or("")));
                        rest = inner.get(end..).unwrap_or("");
                    }
                    let previous = i.checked_sub(1).and_then(|p| words.get(p)).copied().unwrap_or("");
                    let takes_expression = (i == 2 && words.first() == Some(&"acl"))
                        || previous.trim_start_matches('!') == "{"
                        || previous.starts_with("set-var(")
                        || (previous.starts_with("track-sc") && !previous.contains('('))
                        || (i == 2 && words.first() == Some(&"stick") && previous != "table");
                    if takes_expression {
                        expressions.push((i, word));
                    }
                }
                // The first expression haproxy cannot parse stops it.
                let problem = expressions.iter().find_map(|&(word, expression)| {
                    let problem = judged.entry(expression).or_insert_with(|| sample_problem(expression, target));
                    problem.clone().map(|problem| (word, problem))
                });
                if let Some((word, problem)) = problem {
                    out.push(
                        Finding::new(Self::ID, model.word_span(stmt, word), problem)
                            .note(format!("haproxy {target} refuses to start on a sample expression it cannot parse")),
                    );
                }
            }
        }
    }

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
                out.push(
                    Finding::new(Self::ID, span(), format!("`{keyword}` sections are not available in HAProxy {target}: they appeared in {since}"))
                        .note(format!("haproxy {target} reads `{keyword}` as an unknown keyword of the section above and refuses to start"))
                        .help(format!("guard the section with `.if version_atleast({since})`, or target a newer version with --haproxy-version")),
                );
            } else if let Some(until) = until.filter(|until| *until <= target) {
                out.push(
                    Finding::new(Self::ID, span(), format!("`{keyword}` sections no longer exist in HAProxy {target}: they were removed in {until}"))
                        .note(format!("haproxy {target} refuses to start on them")),
                );
            }
            if section.kind == SectionKind::Cache {
                for &stmt in &section.statements {
                    if cx.activity(stmt) != Activity::Active {
                        continue;
                    }
                    let Some(word) = model.value(stmt, 0) else { continue };
                    if model.words(stmt).first().is_some_and(|w| w.has_env() || w.is_quoted()) || vocabulary::CACHE_KEYWORDS.contains(&word) {
                        continue;
                    }
                    let mut finding = Finding::new(Self::ID, model.word_span(stmt, 0), format!("unknown keyword `{word}` in cache section"))
                        .note(format!("haproxy {target} refuses to start on a keyword it does not know"));
                    if let Some(suggestion) = crate::text::closest(word, vocabulary::CACHE_KEYWORDS.iter().copied()) {
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
            let servers = section.servers.iter().map(|s| (s.stmt, &s.params, "server", keywords::server_param as fn(&str) -> Option<&'static ParamKeyword>));
            let binds = section.binds.iter().map(|b| (b.stmt, &b.params, "bind", keywords::bind_param as fn(&str) -> Option<&'static ParamKeyword>));
            for (stmt, params, what, table) in servers.chain(binds) {
                if cx.activity(stmt) != Activity::Active {
                    continue;
                }
                for param in params.iter() {
                    let word = model.words(stmt).get(param.word as usize);
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
                    match resolved.or_else(|| table(name)) {
                        Some(known) => {
                            let since = Version::parse(known.since).unwrap_or(Version::new(2, 4));
                            if since > target {
                                out.push(
                                    Finding::new(Self::ID, span, format!("`{name}` is not a {what} parameter in HAProxy {target}: it appeared in {since}"))
                                        .note(format!("haproxy {target} refuses to start on a parameter it does not know")),
                                );
                                break;
                            }
                            if let Some(until) = known.until.and_then(Version::parse).filter(|until| *until <= target) {
                                out.push(
                                    Finding::new(Self::ID, span, format!("`{name}` is no longer a {what} parameter in HAProxy {target}: it was removed in {until}"))
                                        .note(format!("haproxy {target} refuses to start on a parameter it does not know")),
                                );
                                break;
                            }
                        }
                        None => {
                            let names: Vec<&str> = match what {
                                "bind" => keywords::bind_param_names().collect(),
                                _ => keywords::server_param_names().collect(),
                            };
                            let mut finding = Finding::new(Self::ID, span, format!("unknown {what} parameter `{name}`"))
                                .note(format!("haproxy {target} refuses to start on a parameter it does not know"));
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

/// Where the first `%[` of `text` starts.
fn sample_start(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = bytes.get(from..)?.iter().position(|&b| b == b'%') {
        let percent = from + at;
        if bytes.get(percent + 1) == Some(&b'[') {
            return Some(percent);
        }
        from = percent + 1;
    }
    None
}

/// Why haproxy `target` cannot parse a sample expression: its first fetch or
/// converter that the release does not have yet, or any more.
fn sample_problem(expression: &str, target: Version) -> Option<String> {
    sample_names(expression).into_iter().find_map(|(kind, name)| {
        let life = vocabulary::sample(kind, name)?;
        let what = match kind {
            vocabulary::SampleKind::Fetch => "sample fetch",
            vocabulary::SampleKind::Converter => "converter",
        };
        // Converters and fetches of the next release are sometimes
        // backported to later patch releases of the target (Debian's
        // 2.6.12 has `host_only` of 2.7): only older ones are judged.
        if life.since > target.next() {
            Some(format!("the {what} `{name}` is not available in HAProxy {target}: it appeared in {}", life.since))
        } else {
            life.until.filter(|until| *until <= target).map(|until| {
                format!("the {what} `{name}` no longer exists in HAProxy {target} (documented up to {})", until.previous())
            })
        }
    })
}

/// The end of a `%[…]` expression: the `]` that closes it, nested ones aside.
fn closing_bracket(text: &str) -> Option<usize> {
    let mut depth = 0usize;
    for (i, c) in text.char_indices() {
        match c {
            '[' => depth += 1,
            ']' if depth == 0 => return Some(i),
            ']' => depth -= 1,
            _ => {}
        }
    }
    None
}

/// The fetch and converters of a sample expression: `req.hdr(host),lower`
/// gives the fetch `req.hdr` and the converter `lower`.
fn sample_names(expression: &str) -> Vec<(vocabulary::SampleKind, &str)> {
    let mut names = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let bytes = expression.as_bytes();
    let mut parts: Vec<&str> = Vec::new();
    for (i, byte) in bytes.iter().enumerate() {
        match byte {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b',' if depth == 0 => {
                parts.push(expression.get(start..i).unwrap_or(""));
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(expression.get(start..).unwrap_or(""));
    for (index, part) in parts.into_iter().enumerate() {
        let name = part.split('(').next().unwrap_or("").trim();
        if name.is_empty() {
            continue;
        }
        let kind = if index == 0 {
            vocabulary::SampleKind::Fetch
        } else {
            vocabulary::SampleKind::Converter
        };
        names.push((kind, name));
    }
    names
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{findings, findings_with};
    use crate::version::Version;

    const ID: &str = "unknown-keyword";

    #[test]
    fn misspellings_and_unknown_options() {
        let found = findings(ID, "global\n  maxconnn 100\ndefaults\n  option htplog\n  timeout sever 5s\n  tmeout client 5s\n  option httplog\nbackend b\n  server s 10.0.0.1:80\n");
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
        let on_26 = findings_with(ID, config, crate::Options { target: Version::new(2, 6), ..Default::default() });
        assert_eq!(on_26.len(), 1, "{on_26:?}");
        assert!(on_26[0].1.contains("appeared in 3.0"));
        assert!(findings_with(ID, config, crate::Options { target: Version::new(3, 0), ..Default::default() }).is_empty());
    }

    #[test]
    fn fetches_and_converters_of_newer_releases() {
        let config = "frontend f\n  bind :80\n  acl sig req.ssl_sni,lower -m found\n  http-request set-var(txn.x) req.hdr(host),reverse_dom\n  http-response set-header X %[bc_reused]\n  http-request deny if { fc_glitches gt 10 }\n  default_backend b\nbackend b\n  server s 10.0.0.1:80\n";
        let on_26 = findings_with(ID, config, crate::Options { target: Version::new(2, 6), ..Default::default() });
        let lines: Vec<u32> = on_26.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![4, 5, 6], "{on_26:?}");
        assert!(on_26[0].1.contains("converter `reverse_dom`"));
        assert!(findings_with(ID, config, crate::Options { target: Version::new(3, 4), ..Default::default() }).is_empty());
        assert_eq!(
            super::sample_names("req.hdr(host,1),lower,map(/a,b)"),
            vec![
                (crate::model::vocabulary::SampleKind::Fetch, "req.hdr"),
                (crate::model::vocabulary::SampleKind::Converter, "lower"),
                (crate::model::vocabulary::SampleKind::Converter, "map"),
            ]
        );
    }

    #[test]
    fn undecidable_blocks_and_env_keywords_are_not_judged() {
        assert!(findings(ID, "global\n.if defined(X)\n  whatever 1\n.endif\n  \"${KW}\" 1\n").is_empty());
    }
}
