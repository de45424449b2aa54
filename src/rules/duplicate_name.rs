//! Names haproxy refuses to see twice: two proxies that would share a name
//! (a frontend and a backend may until 3.1; 3.2 warns, 3.3 refuses), two
//! servers of one backend (`server-template web 3` names `web1`…`web3`), two
//! resolvers or peers sections.

use super::{Context, Rule};
use crate::finding::{Finding, Severity};
use crate::model::{Model, SectionKind, Stmt};
use crate::source::Span;
use crate::version::Version;
use rustc_hash::FxHashMap as HashMap;
use std::borrow::Cow;

#[derive(Default)]
pub struct DuplicateName;

/// A proxy named like one declared earlier (`first`, with its kind).
fn name_clash(
    model: &Model,
    span: Span,
    kind: &str,
    name: &str,
    (first, first_kind): (Stmt, SectionKind),
    note: &'static str,
) -> Finding {
    Finding::new(
        DuplicateName::ID,
        span,
        format!(
            "{kind} `{name}` has the same name as the {} declared earlier",
            first_kind.keyword()
        ),
    )
    .label(model.word_span(first, 1), "first declared here")
    .note(note)
    .help("rename one of them (and the references to it)")
}

impl Rule for DuplicateName {
    const ID: &'static str = "duplicate-name";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        // Frontends and backends live in two name spaces; a listen is in both.
        // Sized once: growing maps of 50,000 names rehash them again and again.
        let proxies = model.sections.len();
        let mut frontends: HashMap<&str, (Stmt, SectionKind)> =
            HashMap::with_capacity_and_hasher(proxies, Default::default());
        let mut backends: HashMap<&str, (Stmt, SectionKind)> =
            HashMap::with_capacity_and_hasher(proxies, Default::default());
        let mut server_names = ServerNames::default();
        let mut others: HashMap<(SectionKind, &str), Stmt> = HashMap::default();
        for section in &model.sections {
            if cx.activity(section.header) != crate::syntax::Activity::Active {
                continue;
            }
            let Some(name) = section.name.as_deref() else {
                continue;
            };
            let span = model.word_span(section.header, 1);
            let kind = section.kind.keyword();
            let mut clash = |earlier: Option<(Stmt, SectionKind)>| {
                if let Some(first) = earlier {
                    out.push(name_clash(
                        model,
                        span,
                        kind,
                        name,
                        first,
                        "haproxy refuses to start when two proxies that \
                         accept or route traffic share a name (and, \
                         from 3.3, when a frontend and a backend do)",
                    ));
                    true
                } else {
                    false
                }
            };
            let here = (section.header, section.kind);
            let reported = if section.kind.has_frontend() && clash(frontends.get(name).copied()) {
                true
            } else {
                section.kind.has_backend() && clash(backends.get(name).copied())
            };
            if !reported && cx.target >= Version::new(3, 2) {
                // A frontend and a backend may share a name up to 3.1; 3.2
                // warns and 3.3 refuses.
                let other = match section.kind {
                    SectionKind::Backend => frontends.get(name).copied(),
                    SectionKind::Frontend => backends.get(name).copied(),
                    _ => None,
                };
                if let Some(first) =
                    other.filter(|(_, k)| matches!(k, SectionKind::Frontend | SectionKind::Backend))
                {
                    let refused = cx.target >= Version::new(3, 3);
                    let note = if refused {
                        "from 3.3 on haproxy refuses a frontend and a backend that share a name"
                    } else {
                        "haproxy 3.2 warns about a frontend and a \
                         backend sharing a name, and 3.3 refuses it"
                    };
                    let mut finding = name_clash(model, span, kind, name, first, note);
                    finding.severity = Some(if refused {
                        Severity::Error
                    } else {
                        Severity::Warning
                    });
                    out.push(finding);
                }
            }
            if !reported {
                if section.kind.has_frontend() {
                    frontends.entry(name).or_insert(here);
                }
                if section.kind.has_backend() {
                    backends.entry(name).or_insert(here);
                }
            }
            if matches!(
                section.kind,
                SectionKind::Resolvers | SectionKind::Peers | SectionKind::Userlist
            ) {
                match others.get(&(section.kind, name)) {
                    Some(&first) => {
                        let mut finding = Finding::new(
                            Self::ID,
                            span,
                            format!("{kind} section `{name}` is declared twice"),
                        )
                        .label(model.word_span(first, 1), "first declared here")
                        .help("merge the two sections or rename one");
                        finding = if section.kind == SectionKind::Userlist {
                            finding.note(
                                "haproxy ignores the second userlist \
                                 with a warning: its users do not exist",
                            )
                        } else {
                            finding.note(
                                "haproxy refuses to start with two \
                                 sections of this kind sharing a name",
                            )
                        };
                        finding.severity = Some(if section.kind == SectionKind::Userlist {
                            Severity::Warning
                        } else {
                            Severity::Error
                        });
                        out.push(finding);
                    }
                    None => {
                        others.insert((section.kind, name), section.header);
                    }
                }
            }
            self.servers(cx, section, &mut server_names, out);
        }
    }
}

/// The server names of one section seen so far; reused from one section to
/// the next so that checking 50,000 backends allocates once.
#[derive(Default)]
struct ServerNames<'m> {
    few: Vec<(Cow<'m, str>, Stmt)>,
    many: HashMap<Cow<'m, str>, Stmt>,
}

/// The names a server line gives: its own, or for `server-template web 3`
/// (or `web 1-3`) `web1`, `web2` and `web3` — never the bare prefix.
fn server_line_names<'m>(
    cx: &Context<'m>,
    server: &'m crate::model::Server,
    name: &'m str,
) -> Vec<Cow<'m, str>> {
    if server.kind != crate::model::ServerKind::Template {
        return vec![Cow::Borrowed(name)];
    }
    let Some(count) = cx.model.value(server.stmt, 2) else {
        return Vec::new();
    };
    let (first, last) = match count.split_once('-') {
        Some((a, b)) => (a.parse::<u32>().ok(), b.parse::<u32>().ok()),
        None => (Some(1), count.parse::<u32>().ok()),
    };
    match (first, last) {
        // haproxy accepts at most a few thousand servers per template; a
        // larger or broken range is another rule's business.
        (Some(first), Some(last)) if first <= last && last - first < 100_000 => (first..=last)
            .map(|i| Cow::Owned(format!("{name}{i}")))
            .collect(),
        _ => Vec::new(),
    }
}

impl DuplicateName {
    fn servers<'m>(
        &self,
        cx: &Context<'m>,
        section: &'m crate::model::Section,
        names: &mut ServerNames<'m>,
        out: &mut Vec<Finding>,
    ) {
        let model = cx.model;
        // Backends have few servers, so a short list is searched until it grows.
        names.few.clear();
        if !names.many.is_empty() {
            names.many.clear();
        }
        let ServerNames { few, many } = names;
        for server in model.real_servers(section) {
            if cx.activity(server.stmt) != crate::syntax::Activity::Active {
                continue;
            }
            let Some(name) = server.name.as_deref() else {
                continue;
            };
            if model.words(server.stmt).get(1).is_some_and(|w| w.has_env()) {
                continue;
            }
            for name in server_line_names(cx, server, name) {
                let earlier = if many.is_empty() {
                    few.iter().find(|(n, _)| *n == name).map(|&(_, stmt)| stmt)
                } else {
                    many.get(name.as_ref()).copied()
                };
                match earlier {
                    Some(first) => out.push(
                        Finding::new(
                            Self::ID,
                            model.word_span(server.stmt, 1),
                            format!(
                                "server `{name}` is declared twice in {} {}",
                                section.kind.keyword(),
                                section.name.as_deref().unwrap_or("")
                            ),
                        )
                        .label(model.word_span(first, 1), "first declared here")
                        .note(
                            "haproxy refuses to start when two servers of one backend share a name",
                        )
                        .help("give each server its own name"),
                    ),
                    None if many.is_empty() && few.len() < 16 => few.push((name, server.stmt)),
                    None => {
                        many.extend(few.drain(..));
                        many.insert(name, server.stmt);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{findings, findings_with};

    #[test]
    fn clashing_names() {
        let found = findings(
            "duplicate-name",
            "frontend app\n  bind :80\n  default_backend app\nbackend app\n  server s 10.0.0.1:80\
             \n  server s 10.0.0.2:80\nlisten app\n  bind :81\nbackend other\
             \n  server a 10.0.0.1:80\nbackend other\n  server a 10.0.0.1:80\nresolvers dns\
             \n  nameserver n 10.0.0.53:53\nresolvers dns\n  nameserver n 10.0.0.53:53\n",
        );
        let lines: Vec<u32> = found.iter().map(|(l, _)| *l).collect();
        // Line 4: a backend named like a frontend (3.2 warns, 3.3 refuses).
        assert_eq!(lines, vec![4, 6, 7, 11, 15], "{found:?}");
    }

    #[test]
    fn frontend_and_backend_share_a_name_until_3_1() {
        let config = "frontend app\n  bind :80\n  default_backend app\
                      \nbackend app\n  server s 10.0.0.1:80\n";
        let at = |minor| crate::Options {
            target: crate::version::Version::new(3, minor),
            ..Default::default()
        };
        assert!(findings_with("duplicate-name", config, at(0)).is_empty());
        assert_eq!(findings_with("duplicate-name", config, at(2)).len(), 1);
        assert_eq!(findings_with("duplicate-name", config, at(3)).len(), 1);
    }

    #[test]
    fn server_template_names() {
        // `web 3` makes web1..web3: an explicit web2 clashes, an explicit web does not.
        let found = findings(
            "duplicate-name",
            "backend b\n  server-template web 3 10.0.0.1:80\n  server web2 10.0.0.2:80\
             \n  server web 10.0.0.3:80\n  server-template api 2-4 10.0.0.9:80\
             \n  server api4 10.0.0.4:80\n  server api1 10.0.0.4:80\n",
        );
        let lines: Vec<u32> = found.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![3, 6], "{found:?}");
    }
}
