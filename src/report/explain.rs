//! `haplint explain <id>`: the rule's doc, with its bad example checked live so
//! the finding shown can never be stale.

use crate::rules::catalog::{Availability, RuleDoc};
use crate::source::SourceSet;
use crate::{Options, check};

/// Run only rule `id` on an example config and render what it finds.
pub fn example_findings(id: &str, config: &str, target: crate::version::Version) -> String {
    let mut sources = SourceSet::new();
    sources.add("example.cfg", None, config);
    let options = Options {
        select: Some(vec![id.to_string()]),
        target,
        ..Options::default()
    };
    let report = check(sources, &options);
    let mut out = String::new();
    for reported in report.active().filter(|f| f.finding.rule == id) {
        let (_, at, _) = super::locate(&report, reported.finding.primary.span);
        out.push_str(&format!(
            "    example.cfg:{}:{}: {} [{}]\n",
            at.line, at.column, reported.finding.message, id
        ));
        if let Some(help) = &reported.finding.help {
            out.push_str(&format!(
                "      help: {}\n",
                help.replace('\n', "\n            ")
            ));
        }
    }
    out
}

fn indent(text: &str, by: &str) -> String {
    text.lines()
        .map(|l| {
            if l.is_empty() {
                String::new()
            } else {
                format!("{by}{l}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub fn render(doc: &RuleDoc) -> String {
    let mut out = String::new();
    out.push_str(&format!(
        "{} — {}, {} by default; {}\n\n{}\n\n",
        doc.id,
        doc.category.as_str(),
        doc.severity.as_str(),
        match doc.tier {
            crate::rules::catalog::Tier::Default => "in the default set",
            crate::rules::catalog::Tier::OptIn =>
                "opt-in: runs when named in `select` or `extend-select`",
        },
        doc.summary
    ));
    out.push_str("Why it matters\n");
    out.push_str(&indent(doc.why.trim_end(), "  "));
    out.push_str("\n\n");
    for (i, bad) in doc.examples.bad.iter().enumerate() {
        let title = bad.title.as_deref().unwrap_or("a configuration it flags");
        out.push_str(&format!(
            "Example{}: {title}\n",
            if doc.examples.bad.len() > 1 {
                format!(" {}", i + 1)
            } else {
                String::new()
            }
        ));
        out.push_str(&indent(bad.config.trim_end(), "    "));
        out.push_str("\n  haplint says:\n");
        out.push_str(&example_findings(
            &doc.id,
            &bad.config,
            doc.example_target(),
        ));
        out.push('\n');
    }
    if let Some(good) = doc.examples.good.first() {
        out.push_str(&format!(
            "Instead: {}\n",
            good.title
                .as_deref()
                .unwrap_or("a configuration it accepts")
        ));
        out.push_str(&indent(good.config.trim_end(), "    "));
        out.push_str("\n\n");
    }
    out.push_str("Fix\n");
    let fix = match (doc.fix.availability, doc.fix.applicability) {
        (Availability::Never, _) => "  none automatic: this needs a person's decision".to_string(),
        (availability, applicability) => format!(
            "  {} available, {}{}",
            match availability {
                Availability::Always => "always",
                _ => "sometimes",
            },
            applicability.map(|a| a.as_str()).unwrap_or("unsafe"),
            doc.fix
                .description
                .as_deref()
                .map(|d| format!(": {d}"))
                .unwrap_or_default()
        ),
    };
    out.push_str(&fix);
    out.push_str("\n\n");
    if !doc.options.is_empty() {
        out.push_str("Options\n");
        for option in &doc.options {
            out.push_str(&format!(
                "  {} ({}): {}\n",
                option.name, option.kind, option.meaning
            ));
        }
        out.push('\n');
    }
    out.push_str(&format!(
        "Applies to\n  HAProxy {}\n\n",
        doc.version_range()
    ));
    if !doc.manual.is_empty() {
        out.push_str("Manual\n");
        for section in &doc.manual {
            out.push_str(&format!("  {section}\n"));
        }
        out.push('\n');
    }
    if let Some(says) = &doc.haproxy_says {
        out.push_str(&format!("haproxy says\n  {says}\n"));
    }
    if let Some(proof) = &doc.proof {
        if !out.ends_with("\n\n") {
            out.push('\n');
        }
        out.push_str(&proof_text(proof));
    }
    out
}

/// The "Proof" section: how the claim was shown against the real haproxy and
/// what the last run measured.
fn proof_text(proof: &crate::rules::catalog::ProofDoc) -> String {
    use crate::rules::catalog::ProofKind;
    let versions = if proof.versions.is_empty() {
        "2.6, 3.0, 3.2 and 3.4".to_string()
    } else {
        proof.versions.join(", ")
    };
    let mut out = String::from("Proof\n");
    match proof.kind {
        ProofKind::OracleCheck => {
            let mut said = Vec::new();
            if let Some(bad) = proof.bad {
                said.push(format!("the bad example is {}", bad.as_str()));
            }
            if let Some(good) = proof.good {
                said.push(format!("the good example is {}", good.as_str()));
            }
            out.push_str(&format!(
                "  `haproxy -c` with haproxy {versions}: {}{}\n",
                said.join(", "),
                proof
                    .says
                    .as_deref()
                    .map(|s| format!(" (\"{s}\")"))
                    .unwrap_or_default()
            ));
        }
        ProofKind::Experiment => {
            if let Some(claim) = &proof.claim {
                out.push_str(&format!("  experiment on 127.0.0.1: {claim}\n"));
            }
        }
        ProofKind::Manual => {
            out.push_str("  not demonstrated by an experiment; the manual says:\n");
            if let Some(claim) = &proof.claim {
                out.push_str(&format!("  {claim}\n"));
            }
        }
    }
    if let Some(result) = &proof.result {
        out.push_str(&format!("  last result: {result}\n"));
    }
    if proof.kind != ProofKind::Manual {
        out.push_str("  re-checked by tests/proofs.rs\n");
    }
    out
}
