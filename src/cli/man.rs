//! `haplint man`: manual pages for the tool and each subcommand, generated
//! from the clap definitions (options) and the rule docs (the rule list), with
//! the sections clap does not know: exit status, `.haplint.yaml` keys,
//! suppression comments and examples.

use super::Cli;
use crate::error::Error;
use crate::rules::catalog;
use clap::CommandFactory;
use clap_mangen::roff::{Roff, bold, italic, roman};
use std::path::Path;

/// Exit status of the commands that judge a configuration.
const EXIT_STATUS: &[(&str, &str)] = &[
    (
        "0",
        "no finding at or above the failing severity (--fail-on, default warning)",
    ),
    (
        "1",
        "findings at or above the failing severity; for --diff, something would change",
    ),
    (
        "2",
        "a usage or input error (unreadable file, unknown rule id, invalid .haplint.yaml), or an \
        internal error of haplint",
    ),
];

/// The keys of `.haplint.yaml`; a test holds this list equal to what the
/// configuration reader accepts.
pub(crate) const CONFIG_KEYS: &[(&str, &str)] = &[
    (
        "haproxy-version",
        "the HAProxy release the configuration runs on (X.Y); as --haproxy-version",
    ),
    ("select", "run only these rule ids; as --select"),
    (
        "extend-select",
        "run these rules besides the selection; as --extend-select",
    ),
    ("ignore", "never run these rule ids; as --ignore"),
    (
        "severity",
        "per rule id: error, warning, info or off, replacing the rule's own severity",
    ),
    (
        "upstreams",
        "facts about the servers haproxy talks to, by host name: kind, idle-timeout, http2, \
        buffers-requests",
    ),
    (
        "upstream-kinds",
        "upstream kinds of your own, beside the built-in ones (rules/upstreams/kinds.yaml)",
    ),
    (
        "configurations",
        "the configurations of the repository by name, each an ordered list of files, directories \
        and globs read like haproxy's -f; checking one file checks every configuration holding it",
    ),
    (
        "tune",
        "facts for haplint tune: cores, memory, peak connections, request rate, TLS shares",
    ),
    (
        "tz",
        "the time zone of HAProxy's log dates for explain-log: UTC, an offset (+02:00) or a zone \
         name",
    ),
];

/// Suppression comments, as `src/rules/suppress.rs` reads them.
const SUPPRESSIONS: &[(&str, &str)] = &[
    (
        "# haplint: disable=ID[,ID] -- reason",
        "after a statement: that line",
    ),
    (
        "# haplint: disable-next-line=ID -- reason",
        "on its own line: the next statement",
    ),
    (
        "# haplint: disable=ID ... # haplint: enable=ID",
        "on their own lines: the lines between (or to the end of the section)",
    ),
    (
        "# haplint: disable-section=ID",
        "the section the comment is in",
    ),
    ("# haplint: disable-file=ID", "the whole file"),
];

/// Examples per page: (subcommand or "" for the main page, command, what it does).
const EXAMPLES: &[(&str, &str, &str)] = &[
    (
        "",
        "haplint check /etc/haproxy/haproxy.cfg",
        "check one configuration",
    ),
    (
        "",
        "haplint explain ssl-verify-none",
        "why a rule exists and how to fix what it finds",
    ),
    (
        "check",
        "haplint check --haproxy-version 2.6 haproxy.cfg",
        "judge the configuration as haproxy 2.6 would",
    ),
    (
        "check",
        "haplint check --format sarif -o haplint.sarif conf.d/",
        "every *.cfg of a directory, read in order as several -f, as SARIF",
    ),
    (
        "check",
        "haplint check --diff haproxy.cfg",
        "show what --fix would change, write nothing",
    ),
    (
        "fix",
        "haplint fix -i haproxy.cfg",
        "review each safe fix in the terminal: a apply, s skip, r all of this rule, q quit",
    ),
    (
        "fix",
        "haplint fix --unsafe-fixes --verify haproxy.cfg",
        "also apply fixes that change behaviour, if haproxy -c still accepts the result",
    ),
    (
        "rules",
        "haplint rules",
        "every rule with its severity and summary",
    ),
    (
        "explain",
        "haplint explain missing-server-maxconn",
        "the rule's reasons, fix, examples and manual sections",
    ),
    (
        "tune",
        "haplint tune --cores 2 --memory 4G --peak-connections 8000 haproxy.cfg",
        "sized settings as a diff, each with its arithmetic",
    ),
    (
        "explain-log",
        "haplint explain-log --config haproxy.cfg --file haproxy.log",
        "every timer of the logged requests explained against the configuration",
    ),
    (
        "lsp",
        "haplint lsp",
        "serve diagnostics, fixes and hover to an editor over stdio",
    ),
    (
        "completions",
        "haplint completions bash > /etc/bash_completion.d/haplint",
        "install bash completion (rule ids and versions included)",
    ),
    (
        "man",
        "haplint man --dir /usr/local/share/man/man1",
        "write every page: haplint.1 and haplint-SUBCOMMAND.1",
    ),
];

/// Subcommands that judge a configuration and so share its exit status.
const JUDGING: &[&str] = &["check", "fix", "explain-log"];

/// The page of `haplint` (`subcommand` None) or of one subcommand.
pub(crate) fn page(subcommand: Option<&str>) -> Result<String, Error> {
    let root = Cli::command();
    root.clone().build();
    let (command, name) = match subcommand {
        None => (root, "haplint".to_string()),
        Some(sub) => {
            let mut root = root;
            root.build();
            let Some(found) = root.find_subcommand(sub).cloned() else {
                let known: Vec<String> = page_names()
                    .into_iter()
                    .filter_map(|n| n.strip_prefix("haplint-").map(str::to_string))
                    .collect();
                return Err(Error::Usage(format!(
                    "no manual page for `{sub}`; pages exist for: {}",
                    known.join(", ")
                )));
            };
            let name = format!("haplint-{sub}");
            (found.name(name.clone()), name)
        }
    };
    let man = clap_mangen::Man::new(command)
        .title(name.to_uppercase())
        .section("1")
        .source(format!("haplint {}", env!("CARGO_PKG_VERSION")))
        .manual("haplint manual");
    let mut out = Vec::new();
    let io = |e| Error::Output(e);
    man.render_title(&mut out).map_err(io)?;
    man.render_name_section(&mut out).map_err(io)?;
    man.render_synopsis_section(&mut out).map_err(io)?;
    man.render_description_section(&mut out).map_err(io)?;
    man.render_options_section(&mut out).map_err(io)?;
    if subcommand.is_none() {
        man.render_subcommands_section(&mut out).map_err(io)?;
    }
    let mut roff = Roff::new();
    let sub = subcommand.unwrap_or("");
    if subcommand.is_none() || JUDGING.contains(&sub) {
        roff.control("SH", ["EXIT STATUS"]);
        for (code, meaning) in EXIT_STATUS {
            roff.control("TP", [])
                .text([bold(*code)])
                .text([roman(*meaning)]);
        }
    }
    if subcommand.is_none() || matches!(sub, "check" | "fix" | "tune" | "lsp") {
        roff.control("SH", ["FILES"]);
        roff.control("TP", [])
            .text([bold(".haplint.yaml")])
            .text([roman(
                "found in the configuration's directory or above it (or given with --config); \
             unknown keys are an error. Its keys:",
            )]);
        for (key, meaning) in CONFIG_KEYS {
            roff.control("TP", [])
                .text([bold(*key)])
                .text([roman(*meaning)]);
        }
        roff.control("SH", ["SUPPRESSING A FINDING"]);
        roff.text([roman(
            "Comments in the configuration silence findings of named rules (or all); \
             the reason after -- is carried into reports. A suppression that silences \
             nothing is itself reported (unused-suppression); syntax errors cannot be silenced.",
        )]);
        for (form, scope) in SUPPRESSIONS {
            roff.control("TP", [])
                .text([bold(*form)])
                .text([roman(*scope)]);
        }
    }
    if subcommand.is_none() || matches!(sub, "rules" | "explain" | "check") {
        roff.control("SH", ["RULES"]);
        for doc in catalog::docs() {
            roff.control("TP", [])
                .text([
                    bold(doc.id.as_str()),
                    roman(" ("),
                    italic(doc.severity.as_str()),
                    roman(")"),
                ])
                .text([roman(doc.summary.as_str())]);
        }
    }
    let examples: Vec<_> = EXAMPLES
        .iter()
        .filter(|(page, _, _)| *page == sub)
        .collect();
    if !examples.is_empty() {
        roff.control("SH", ["EXAMPLES"]);
        for (_, command, meaning) in examples {
            roff.control("TP", [])
                .text([bold(*command)])
                .text([roman(*meaning)]);
        }
    }
    roff.control("SH", ["SEE ALSO"]);
    let mut see: Vec<String> = page_names()
        .into_iter()
        .filter(|n| *n != name)
        .map(|n| format!("{n}(1)"))
        .collect();
    see.push("haproxy(1)".to_string());
    roff.text([roman(see.join(", "))]);
    roff.to_writer(&mut out).map_err(io)?;
    man.render_version_section(&mut out).map_err(io)?;
    Ok(String::from_utf8_lossy(&out).into_owned())
}

/// Every page: `haplint` and `haplint-SUBCOMMAND` for each visible subcommand.
pub(crate) fn page_names() -> Vec<String> {
    let mut names = vec!["haplint".to_string()];
    for sub in Cli::command().get_subcommands() {
        if !sub.is_hide_set() && sub.get_name() != "help" {
            names.push(format!("haplint-{}", sub.get_name()));
        }
    }
    names
}

/// Write every page to `dir` as NAME.1; returns the paths written.
pub(crate) fn write_all(dir: &Path) -> Result<Vec<std::path::PathBuf>, Error> {
    std::fs::create_dir_all(dir).map_err(Error::Output)?;
    let mut written = Vec::new();
    for name in page_names() {
        let text = page(name.strip_prefix("haplint-"))?;
        let path = dir.join(format!("{name}.1"));
        std::fs::write(&path, text).map_err(Error::Output)?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_configuration_key_is_documented() {
        // The reader names every key it accepts when it meets one it does not.
        let error = crate::yaml::from_str::<crate::config::Config>("no-such-key: 1\n")
            .expect_err("an unknown key is refused");
        let message = error.to_string();
        let (_, expected) = message
            .split_once("expected one of ")
            .expect("the error lists the known keys");
        for key in expected.split(", ") {
            let key = key.trim_matches(|c: char| c == '`' || c.is_whitespace() || c == '.');
            let key = key.split('`').next().unwrap_or(key);
            if key.is_empty() || key == "haproxy_version" {
                continue;
            }
            assert!(
                CONFIG_KEYS.iter().any(|(k, _)| *k == key),
                "`.haplint.yaml` key `{key}` is not in the man page"
            );
        }
    }

    #[test]
    fn every_subcommand_has_a_page_and_unknown_ones_are_refused() {
        for name in page_names() {
            let text = page(name.strip_prefix("haplint-")).unwrap();
            assert!(text.contains(".SH \"SEE ALSO\""), "{name}");
        }
        assert!(page(Some("nope")).is_err());
    }
}
