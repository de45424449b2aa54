//! Template files get one `template` finding instead of findings about their
//! markup: all 20 templates of the shared corpus (MANIFEST category
//! `template`), and none of the files haproxy accepts.

// Test helpers (here and in tests/common) may unwrap and panic: that is a failed test.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod common;

use haplint::source::SourceSet;
use haplint::{Options, check};
use std::path::PathBuf;

fn corpus() -> Option<PathBuf> {
    let dir = std::env::var_os("HAPLINT_CORPUS")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../shared/corpus"));
    dir.join("dev/MANIFEST.tsv").is_file().then_some(dir)
}

fn rules_of(text: &str, options: &Options) -> Vec<&'static str> {
    let mut sources = SourceSet::new();
    sources.add("t.cfg", None, text);
    check(sources, options)
        .active()
        .map(|f| f.finding.rule)
        .collect()
}

#[test]
fn a_template_is_one_finding_unless_the_rule_is_ignored() {
    let text = concat!(
        "global\n",
        "    maxconn {{ maxconn }}\n",
        "{% for b in backends %}\n",
        "backend {{ b.name }}\n",
        "    server a {{ b.host }}:80\n",
        "{% endfor %}\n"
    );
    assert_eq!(rules_of(text, &Options::default()), vec!["template"]);
    let opted_in = Options {
        ignore: vec!["template".to_string()],
        ..Options::default()
    };
    let rules = rules_of(text, &opted_in);
    assert!(rules.len() > 1 && !rules.contains(&"template"), "{rules:?}");
}

/// Files haproxy accepts only because it takes their markup literally:
/// `haproxy.cfg.template` holds `-i ${matrix_domain}` outside double quotes,
/// which haproxy does not expand (checked with the oracles: `timeout client
/// ${T}` is refused with T set) but envsubst does before deployment.
const ENVSUBST: &[&str] =
    &["122_Miouyouyou_matrix-coturn-docker-setup_haproxy_conf_haproxy.cfg.template.cfg"];

#[test]
fn every_corpus_template_and_no_accepted_file_is_a_template() {
    let Some(dir) = corpus() else {
        // Without it only the built-in example was checked.
        return common::needs_tool(
            "every_corpus_template_and_no_accepted_file_is_a_template",
            "the shared corpus (../shared/corpus, or HAPLINT_CORPUS)",
        );
    };
    let manifest = std::fs::read_to_string(dir.join("dev/MANIFEST.tsv")).unwrap();
    let (mut templates, mut wrong) = (0, Vec::new());
    for row in manifest.lines().skip(1) {
        let cols: Vec<&str> = row.split('\t').collect();
        let (name, category) = (cols[0], cols[9]);
        let bytes = std::fs::read(dir.join("dev").join(name)).unwrap();
        let rules = rules_of(&String::from_utf8_lossy(&bytes), &Options::default());
        let flagged = rules.contains(&"template");
        if category == "template" {
            templates += 1;
            if rules != vec!["template"] {
                wrong.push(format!("{name}: {rules:?}"));
            }
        } else if flagged && ["ok", "ok-after-env"].contains(&category) && !ENVSUBST.contains(&name)
        {
            wrong.push(format!("{name} ({category}) is read as a template"));
        }
    }
    assert_eq!(templates, 20);
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
