//! Names used but never defined: backends, resolvers, userlists, tables, ACLs…

use super::{Context, Rule};
use crate::finding::{Finding, Fix};
use crate::model::{Model, RefKind, Reference, Section, SectionKind};
use crate::source::Span;

#[derive(Default)]
pub struct UndefinedReference;

/// Names a reference of `kind` could have meant.
fn candidates<'m>(model: &'m Model, reference: &Reference) -> Vec<&'m str> {
    let of = |kinds: &[SectionKind]| -> Vec<&'m str> {
        model
            .sections
            .iter()
            .filter(|s| kinds.contains(&s.kind))
            .filter_map(|s| s.name.as_deref())
            .collect()
    };
    let section = model.section(reference.section);
    match reference.kind {
        RefKind::Backend => of(&[SectionKind::Backend, SectionKind::Listen]),
        RefKind::Resolvers => of(&[SectionKind::Resolvers]),
        RefKind::Peers => of(&[SectionKind::Peers]),
        RefKind::Userlist => of(&[SectionKind::Userlist]),
        RefKind::Cache => of(&[SectionKind::Cache]),
        RefKind::Ring => of(&[SectionKind::Ring]),
        RefKind::HttpErrors => of(&[SectionKind::HttpErrors]),
        RefKind::Mailers => of(&[SectionKind::Mailers]),
        RefKind::Defaults => of(&[SectionKind::Defaults]),
        RefKind::Table => model
            .proxies()
            .filter(|s| model.statements_with(s, "stick-table").next().is_some())
            .filter_map(|s| s.name.as_deref())
            .collect(),
        RefKind::Acl => section.acls.iter().map(|(name, _)| name.as_str()).collect(),
        RefKind::Server => section
            .servers
            .iter()
            .filter_map(|s| s.name.as_deref())
            .collect(),
    }
}

fn where_used(section: &Section) -> String {
    section.display_name()
}

impl Rule for UndefinedReference {
    const ID: &'static str = "undefined-reference";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        // Defined names per kind of section, gathered once: a config with many
        // broken names must not rescan every section for each of them.
        let mut names: std::collections::HashMap<RefKind, Vec<&str>> =
            std::collections::HashMap::new();
        for reference in &model.references {
            let section = model.section(reference.section);
            match reference.target {
                Some(target) if reference.kind == RefKind::Acl && target > reference.stmt => {
                    out.push(
                        Finding::new(
                            Self::ID,
                            reference.span,
                            format!(
                                "ACL `{}` is used before it \
                            is declared in {}",
                                reference.name,
                                where_used(section)
                            ),
                        )
                        .label(model.stmt_span(target), "declared here, too late")
                        .note(
                            "haproxy resolves the ACLs of a condition while it reads the \
                                line, so only ACLs declared above it exist; it refuses to start",
                        )
                        .help("move the `acl` line above its first use"),
                    );
                }
                Some(_) => {}
                None => {
                    let candidates = if matches!(reference.kind, RefKind::Acl | RefKind::Server) {
                        candidates(model, reference)
                    } else {
                        names
                            .entry(reference.kind)
                            .or_insert_with(|| candidates(model, reference))
                            .clone()
                    };
                    out.push(self.undefined(model, reference, section, &candidates));
                }
            }
        }
        self.tables_without_stick_table(cx, out);
    }
}

/// Where a new name can be written in place of the reference: the name as
/// written when it stands outside quotes (`!name`, `ring@name` keep their
/// prefix), the whole word when the word is quoted and holds exactly the
/// name (a quoted replacement cannot go inside quotes). `None` otherwise.
fn rename_span(model: &Model, reference: &Reference) -> Option<crate::source::Span> {
    let tree = model.tree(reference.span.file)?;
    let span = reference.span;
    let word = model
        .words(reference.stmt)
        .iter()
        .find(|w| w.start <= span.start && span.end <= w.end)?;
    if word.is_cooked() || word.is_quoted() {
        return (tree.value(word) == reference.name).then(|| tree.word_span(word));
    }
    (tree.text.get(span.range()) == Some(reference.name.as_str())).then_some(span)
}

impl UndefinedReference {
    fn undefined(
        &self,
        model: &Model,
        reference: &Reference,
        section: &Section,
        candidates: &[&str],
    ) -> Finding {
        let noun = reference.kind.noun();
        let message = match reference.kind {
            RefKind::Acl => format!(
                "ACL `{}` is not declared in {}",
                reference.name,
                where_used(section)
            ),
            RefKind::Server => format!(
                "server `{}` does not exist in {}",
                reference.name,
                where_used(section)
            ),
            _ => format!("{noun} `{}` is not defined", reference.name),
        };
        let mut finding = Finding::new(Self::ID, reference.span, message)
            .note("haproxy refuses to start with a name it cannot resolve");
        // A name haproxy could not have read back (control characters) is never proposed.
        let printable = candidates
            .iter()
            .copied()
            .filter(|c| !c.chars().any(char::is_control));
        match crate::text::closest(&reference.name, printable) {
            Some(suggestion) if let Some(span) = rename_span(model, reference) => {
                finding = finding
                    .help(format!("did you mean `{suggestion}`?"))
                    .fix(Fix::unsafe_(
                        format!("use `{suggestion}`"),
                        vec![crate::finding::Edit {
                            span,
                            replacement: crate::syntax::word::quote(suggestion),
                        }],
                    ));
            }
            Some(suggestion) => {
                finding = finding.help(format!("did you mean `{suggestion}`?"));
            }
            None if candidates.is_empty() => {
                finding = finding.help(format!(
                    "define the {noun} `{}`, or fix the name",
                    reference.name
                ));
            }
            None => {
                let known = super::list_names(candidates.iter().copied());
                finding = finding.help(format!(
                    "define it, or use one of the defined names: {known}"
                ));
            }
        }
        finding
    }

    /// `track-sc*` without `table` uses the proxy's own stick-table.
    fn tables_without_stick_table(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let rules = model.key_set(&[
            "tcp-request",
            "http-request",
            "tcp-response",
            "http-response",
        ]);
        let stick_table = model.key_set(&["stick-table"]);
        // haproxy looks up the table of a defaults section's rules for the
        // proxies using it; 3.4 does so for every defaults section.
        let mut used = vec![false; model.sections.len()];
        for proxy in model.proxies() {
            if let Some(slot) = proxy.defaults.and_then(|d| used.get_mut(d.0 as usize)) {
                *slot = true;
            }
        }
        let every_defaults = cx.target >= crate::version::Version::new(3, 4);
        let defaults = model.sections_of(SectionKind::Defaults).filter(|d| {
            d.name.is_some() && (every_defaults || used.get(d.id.0 as usize) == Some(&true))
        });
        for proxy in model.proxies().chain(defaults) {
            let has_table =
                |(stmt, _): (crate::model::Stmt, u32)| model.value(stmt, 0) == Some("stick-table");
            if model.statements_in(proxy, &stick_table).any(has_table) {
                continue;
            }
            for (stmt, _) in model.statements_in(proxy, &rules) {
                // Most rules track nothing: look before collecting the words.
                if !model.values(stmt).any(|v| v.starts_with("track-sc")) {
                    continue;
                }
                let values: Vec<&str> = model.values(stmt).collect();
                if !matches!(
                    values.first(),
                    Some(&("tcp-request" | "http-request" | "tcp-response" | "http-response"))
                ) {
                    continue;
                }
                let Some(index) = values.iter().position(|v| v.starts_with("track-sc")) else {
                    continue;
                };
                if values.iter().skip(index).any(|v| *v == "table") {
                    continue;
                }
                let span: Span = model.word_span(stmt, index);
                out.push(
                    Finding::new(
                        Self::ID,
                        span,
                        format!(
                            "`{}` tracks into the stick-table of {}, \
                        which has none",
                            values.get(index).copied().unwrap_or("track-sc"),
                            proxy.display_name()
                        ),
                    )
                    .note(
                        "without `table <name>`, tracking uses the proxy's own \
                            `stick-table`; haproxy refuses to start when there is none",
                    )
                    .help(if proxy.kind == SectionKind::Defaults {
                        "name a table with `table <name>`: a defaults section cannot declare \
                                one"
                    } else {
                        "add a `stick-table` line to this section, or name a table with `table \
                                <name>`"
                    }),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::{findings, fixed_by};

    const ID: &str = "undefined-reference";

    #[test]
    fn unresolved_names_with_suggestions() {
        let found = findings(
            ID,
            "frontend f\n  bind :80\n  use_backend apii if { path /x }\n  default_backend \
                nothing_like\nbackend api\n  server s a.example:443 resolvers aws\n",
        );
        let messages: Vec<&str> = found.iter().map(|(_, m)| m.as_str()).collect();
        assert_eq!(
            messages,
            vec![
                "backend `apii` is not defined",
                "backend `nothing_like` is not defined",
                "resolvers section `aws` is not defined"
            ]
        );
    }

    #[test]
    fn renaming_a_negated_acl_keeps_the_negation() {
        let config = "frontend f\n  bind :80\n  acl internal_req src 10.0.0.0/8\n  http-request \
            deny if !internal_reqs\n";
        let fixed = fixed_by(ID, config).text;
        assert!(fixed.contains("if !internal_req\n"), "{}", fixed);
    }
    #[test]
    fn a_quoted_name_is_renamed_as_a_whole_word() {
        let config = "frontend f\n    bind :80\n    default_backend \"apps\"\nbackend app\n    \
            server s 10.0.0.1:80\n";
        let fixed = fixed_by(ID, config).text;
        assert!(fixed.contains("    default_backend app\n"), "{}", fixed);
    }

    #[test]
    fn acl_order_and_track_without_table() {
        let found = findings(
            ID,
            "frontend f\n  bind :80\n  http-request deny if bad\n  acl bad path /x\n  tcp-request \
                connection track-sc0 src\n",
        );
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found[0].1.contains("before it is declared"));
        assert!(found[1].1.contains("has none"));
        assert!(
            findings(
                ID,
                "frontend f\n  bind :80\n  stick-table type ip size 1k\n  tcp-request \
            connection track-sc0 src\n"
            )
            .is_empty()
        );
    }

    #[test]
    fn tracking_in_a_defaults_section() {
        use crate::version::Version;
        let on = |config: &str, minor: u32| {
            let options = crate::Options {
                target: Version::new(3, minor),
                ..Default::default()
            };
            crate::rules::testing::findings_with(ID, config, options)
        };
        let used = "defaults d\n  mode http\n  http-request track-sc0 src\nbackend b\n  \
            server s 127.0.0.1:80\n";
        let found = on(used, 2);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("defaults d, which has none"));
        let unused = used.replace("backend b\n", "defaults e\nbackend b\n");
        assert!(on(&unused, 2).is_empty());
        assert_eq!(on(&unused, 4).len(), 1);
        let named = used
            .replace("src\n", "src table b\n")
            .replace("backend b\n", "backend b\n  stick-table type ip size 1k\n");
        assert!(on(&named, 2).is_empty());
    }
}
