//! Names haproxy refuses to see twice: two proxies that would share a name
//! (a frontend and a backend may), two servers of one backend, two resolvers
//! or peers sections.

use super::{Context, Rule};
use crate::finding::{Finding, Severity};
use crate::model::{SectionKind, Stmt};
use rustc_hash::FxHashMap as HashMap;

#[derive(Default)]
pub struct DuplicateName;

impl Rule for DuplicateName {
    const ID: &'static str = "duplicate-name";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        // Frontends and backends live in two name spaces; a listen is in both.
        // Sized once: growing maps of 50,000 names rehash them again and again.
        let proxies = model.sections.len();
        let mut frontends: HashMap<&str, (Stmt, SectionKind)> = HashMap::with_capacity_and_hasher(proxies, Default::default());
        let mut backends: HashMap<&str, (Stmt, SectionKind)> = HashMap::with_capacity_and_hasher(proxies, Default::default());
        let mut server_names = ServerNames::default();
        let mut others: HashMap<(SectionKind, &str), Stmt> = HashMap::default();
        for section in &model.sections {
            if cx.activity(section.header) != crate::syntax::Activity::Active {
                continue;
            }
            let Some(name) = section.name.as_deref() else { continue };
            let span = model.word_span(section.header, 1);
            let kind = section.kind.keyword();
            let mut clash = |earlier: Option<(Stmt, SectionKind)>| {
                if let Some((first, first_kind)) = earlier {
                    out.push(
                        Finding::new(Self::ID, span, format!("{kind} `{name}` has the same name as the {} declared earlier", first_kind.keyword()))
                            .label(model.word_span(first, 1), "first declared here")
                            .note("haproxy refuses to start when two proxies that accept or route traffic share a name (and, from 3.3, when a frontend and a backend do)")
                            .help("rename one of them (and the references to it)"),
                    );
                    true
                } else {
                    false
                }
            };
            let here = (section.header, section.kind);
            // From 3.3 haproxy also refuses a frontend and a backend sharing a name
            // (the 3.4 oracle says so in tests/proofs.rs).
            let across = cx.target >= crate::version::Version::new(3, 3);
            let (front, back) = (section.kind.has_frontend(), section.kind.has_backend());
            let reported = (front && clash(frontends.get(name).copied()))
                || (back && clash(backends.get(name).copied()))
                || (across && front && !back && clash(backends.get(name).copied()))
                || (across && back && !front && clash(frontends.get(name).copied()));
            if !reported {
                if section.kind.has_frontend() {
                    frontends.entry(name).or_insert(here);
                }
                if section.kind.has_backend() {
                    backends.entry(name).or_insert(here);
                }
            }
            if matches!(section.kind, SectionKind::Resolvers | SectionKind::Peers | SectionKind::Userlist) {
                match others.get(&(section.kind, name)) {
                    Some(&first) => {
                        let mut finding = Finding::new(Self::ID, span, format!("{kind} section `{name}` is declared twice"))
                            .label(model.word_span(first, 1), "first declared here")
                            .help("merge the two sections or rename one");
                        finding = if section.kind == SectionKind::Userlist {
                            finding.note("haproxy ignores the second userlist with a warning: its users do not exist")
                        } else {
                            finding.note("haproxy refuses to start with two sections of this kind sharing a name")
                        };
                        finding.severity = Some(if section.kind == SectionKind::Userlist { Severity::Warning } else { Severity::Error });
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
    few: Vec<(&'m str, Stmt)>,
    many: HashMap<&'m str, Stmt>,
}

impl DuplicateName {
    fn servers<'m>(&self, cx: &Context<'m>, section: &'m crate::model::Section, names: &mut ServerNames<'m>, out: &mut Vec<Finding>) {
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
            let Some(name) = server.name.as_deref() else { continue };
            if model.words(server.stmt).get(1).is_some_and(|w| w.has_env()) {
                continue;
            }
            let earlier = if many.is_empty() {
                few.iter().find(|(n, _)| *n == name).map(|&(_, stmt)| stmt)
            } else {
                many.get(name).copied()
            };
            match earlier {
                Some(first) => out.push(
                    Finding::new(Self::ID, model.word_span(server.stmt, 1), format!("server `{name}` is declared twice in {} {}", section.kind.keyword(), section.name.as_deref().unwrap_or("")))
                        .label(model.word_span(first, 1), "first declared here")
                        .note("haproxy refuses to start when two servers of one backend share a name")
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

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings;

    #[test]
    fn clashing_names() {
        let found = findings(
            "duplicate-name",
            "frontend app\n  bind :80\n  default_backend app\nbackend app\n  server s 10.0.0.1:80\n  server s 10.0.0.2:80\nlisten app\n  bind :81\nbackend other\n  server a 10.0.0.1:80\nbackend other\n  server a 10.0.0.1:80\nresolvers dns\n  nameserver n 10.0.0.53:53\nresolvers dns\n  nameserver n 10.0.0.53:53\n",
        );
        let lines: Vec<u32> = found.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, vec![6, 7, 11, 15], "{found:?}");
    }

    #[test]
    fn a_frontend_and_a_backend_may_share_a_name_only_before_3_3() {
        let config = "frontend app\n  bind :80\n  default_backend app\nbackend app\n  server s 10.0.0.1:80\n";
        let at = |major, minor| {
            let options = crate::Options { target: crate::version::Version::new(major, minor), ..Default::default() };
            crate::rules::testing::findings_with("duplicate-name", config, options).len()
        };
        assert_eq!(at(3, 2), 0);
        assert_eq!(at(3, 3), 1);
    }
}
