//! Sample expressions haproxy refuses: unknown fetches and converters,
//! wrong arguments, converters that cannot read what comes before them, and
//! fetches used where their data does not exist yet (or any more).

use super::{Context, Rule};
use crate::finding::{Finding, Severity};
use crate::model::ServerKind;
use crate::model::expressions::{self, Expression};
use crate::model::sample_values;
use crate::model::samples::{self, ArgType, Lookup, SmpType, UsageContext};
use crate::model::vocabulary::{self, SampleKind};
use crate::model::{Model, Section, SectionKind};
use crate::syntax::Activity;
use crate::version::Version;
use rustc_hash::FxHashMap as HashMap;

#[derive(Default)]
pub struct InvalidSampleExpression;

/// How an expression is used, which decides what haproxy does with a fetch
/// of the wrong context.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
enum Use {
    /// A sample expression (`set-var`, `stick on`…): an error.
    Expression,
    /// A `%[…]` in a log-format string: the same, and a trailing comma is
    /// an empty converter name there.
    Format,
    /// The criterion of an anonymous ACL in a condition: haproxy warns that
    /// it never matches.
    Condition,
    /// The criterion of a named ACL: judged where it is used, not here.
    AclDefinition,
}

/// A problem and its severity override (conditions only warn).
type Problem = (String, Option<String>, Option<Severity>);

/// What one expression leaves to the section that holds it: a server named
/// without its backend, or a stick-table left to the proxy's own.
#[derive(Clone, Copy, Debug)]
enum Local<'a> {
    /// `srv_conn(www)`: a server of the section's own.
    Server {
        what: &'static str,
        name: &'a str,
        server: &'a str,
    },
    /// `table_cnt`, `src_conn_cnt`, `table_*` converters without a table.
    OwnTable { what: &'static str, name: &'a str },
}

/// The judgement of one expression: its problem, else what the section decides.
type Judged<'a> = (Option<Problem>, Option<Local<'a>>);

impl Rule for InvalidSampleExpression {
    const ID: &'static str = "invalid-sample-expression";

    fn check(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let model = cx.model;
        let target = cx.target;
        let always = model.key_set(&["acl", "stick"]);
        // `balance` holds an expression after `hash` (or one with `%`, `(`…).
        let balance = model.key_id("balance");
        let tracking = model.key_set(&[
            "tcp-request",
            "http-request",
            "tcp-response",
            "http-response",
        ]);
        // Expressions repeat (50,000 ACLs on `hdr(host)`): each is judged once.
        let mut judged: HashMap<(&str, u32, Use), Judged<'_>> = HashMap::default();
        // Defaults sections some proxy takes its settings from: only there
        // does haproxy resolve the servers and tables an expression names.
        let mut used_defaults: Option<Vec<bool>> = None;
        let mut words: Vec<&str> = Vec::new();
        let mut found: Vec<(usize, &str, Use)> = Vec::new();
        let conditions = model.key_set(&[
            "http-request",
            "http-response",
            "tcp-request",
            "tcp-response",
            "use_backend",
            "use-server",
        ]);
        for section in model.sections.iter().filter(|s| s.kind.inherits_defaults()) {
            let named = named_acl_masks(model, section, target);
            // The contexts where some ACL of the section cannot match.
            let weak = named.values().fold(0u32, |weak, mask| weak | !mask);
            for (stmt, key) in model.keyed_statements(section) {
                if cx.activity(stmt) != Activity::Active {
                    continue;
                }
                if weak != 0 && conditions.contains(key) {
                    never_matching_acls(model, stmt, section, &named, weak, target, out);
                }
                // Most statements hold no sample expression: the parser
                // noted the lines with a byte one needs (`%`, `{`, `(`).
                let hashed = Some(key) == balance
                    && (model.value(stmt, 1) == Some("hash")
                        || model.values(stmt).any(|w| w.starts_with("track-sc")));
                let maybe = always.contains(key)
                    || hashed
                    || (tracking.contains(key)
                        && model.values(stmt).any(|w| w.starts_with("track-sc")))
                    || model.may_hold_expression(stmt);
                if !maybe {
                    continue;
                }
                let raw = model.words(stmt);
                words.clear();
                words.extend(model.values(stmt));
                found.clear();
                collect(&words, &mut found);
                let context = usage(&words, section);
                let mut reported_error = false;
                // `set-var(name)`, `set-var-fmt(name)`, `unset-var(name)`:
                // a name without its scope stops haproxy.
                for (index, word) in words.iter().enumerate() {
                    let Some(variable) = action_variable(word) else {
                        continue;
                    };
                    if raw.get(index).is_some_and(|w| w.has_env())
                        || variable_scope_ok(variable, target)
                    {
                        continue;
                    }
                    out.push(
                        Finding::new(
                            Self::ID,
                            model.word_span(stmt, index),
                            format!(
                                "invalid variable name `{variable}`: it must start with its scope"
                            ),
                        )
                        .note(format!(
                            "haproxy {target} refuses to start on a variable name without scope"
                        ))
                        .help(scopes_help(target)),
                    );
                    reported_error = true;
                    break;
                }
                for &(index, text, usage) in &found {
                    if raw.get(index).is_some_and(|w| w.has_env()) {
                        continue;
                    }
                    let mask = if usage == Use::AclDefinition {
                        0
                    } else {
                        context
                    };
                    let (problem, local) = judged
                        .entry((text, mask, usage))
                        .or_insert_with(|| judge(model, text, usage, mask, target))
                        .clone();
                    let problem = problem.or_else(|| {
                        let local = local?;
                        let used = used_defaults.get_or_insert_with(|| defaults_in_use(model));
                        // 3.4 resolves them in every defaults section.
                        let in_use = used.get(section.id.0 as usize).copied().unwrap_or(false)
                            || target >= Version::new(3, 4);
                        resolve_locally(model, section, in_use, local)
                    });
                    let Some((message, help, severity)) = problem else {
                        continue;
                    };
                    let is_error = severity.is_none();
                    // haproxy stops at the first error of a statement.
                    if is_error && reported_error {
                        continue;
                    }
                    reported_error |= is_error;
                    let mut finding = Finding::new(Self::ID, model.word_span(stmt, index), message);
                    finding = match severity {
                        Some(severity) => finding.severity(severity).note(format!(
                            "haproxy {target} warns that this condition never matches, and starts"
                        )),
                        None => finding.note(format!(
                            "haproxy {target} refuses to start on a sample expression it cannot use"
                        )),
                    };
                    if let Some(help) = help {
                        finding = finding.help(help);
                    }
                    out.push(finding);
                }
            }
        }
    }
}

/// Per ACL name of the section: the usage contexts where any of its
/// definitions can match (all of them when one is not judged).
fn named_acl_masks<'a>(
    model: &Model,
    section: &'a Section,
    target: Version,
) -> HashMap<&'a str, u32> {
    let mut masks: HashMap<&'a str, u32> = HashMap::default();
    masks.reserve(section.acls.len());
    // 100,000 ACLs on `path_beg`: one lookup per criterion name.
    let mut by_fetch: HashMap<&str, u32> = HashMap::default();
    for (name, stmt) in &section.acls {
        let criterion = model.value(*stmt, 2).unwrap_or("");
        let fetch = criterion.split([',', '(']).next().unwrap_or("");
        let mask = if model.words(*stmt).iter().any(|w| w.has_env()) {
            u32::MAX
        } else {
            *by_fetch.entry(fetch).or_insert_with(|| {
                let fetch = samples::acl_keyword(fetch, target).map_or(fetch, |(f, _)| f);
                match samples::fetch(fetch, target) {
                    Lookup::Known(known) => known.mask,
                    _ => u32::MAX,
                }
            })
        };
        *masks.entry(name.as_str()).or_insert(0) |= mask;
    }
    masks
}

/// Named ACLs of a condition that only involve fetches the rule set does
/// not have: haproxy warns that they never match.
fn never_matching_acls(
    model: &Model,
    stmt: crate::model::Stmt,
    section: &Section,
    named: &HashMap<&str, u32>,
    weak: u32,
    target: Version,
    out: &mut Vec<Finding>,
) {
    let mut values = model.values(stmt);
    let head = [values.next().unwrap_or(""), values.next().unwrap_or("")];
    let context = usage(&head, section);
    // Every fetch can serve `use_backend` and most request rules: only
    // look further when some ACL of the section cannot.
    if context == 0 || weak & context == 0 {
        return;
    }
    let mut in_condition = false;
    let mut depth = 0usize;
    for (index, word) in model.values(stmt).enumerate() {
        if !in_condition {
            in_condition = matches!(word, "if" | "unless");
            continue;
        }
        match word {
            "{" | "!{" => depth += 1,
            "}" => depth = depth.saturating_sub(1),
            _ if depth == 0 => {
                let name = word.trim_start_matches('!');
                if let Some(&mask) = named.get(name)
                    && mask & context == 0
                {
                    let message = format!(
                        "the ACL `{name}` never matches in a {}: its fetches read data that \
                         does not exist there",
                        describe(context)
                    );
                    let span = model.word_span(stmt, index);
                    out.push(
                        Finding::new(InvalidSampleExpression::ID, span, message)
                            .severity(Severity::Warning)
                            .note(format!(
                                "haproxy {target} warns about it and starts; the \
                                condition is decided without it"
                            ))
                            .help(
                                "test this ACL in a rule set where its data exists (request data \
                                in request rules, response data in response rules)",
                            ),
                    );
                }
            }
            _ => {}
        }
    }
}

/// The variable an action word names: `set-var(txn.x)` and
/// `set-var(txn.x,ifexists)` give `txn.x`.
fn action_variable(word: &str) -> Option<&str> {
    let inner = ["set-var(", "set-var-fmt(", "unset-var("]
        .iter()
        .find_map(|prefix| word.strip_prefix(prefix))?
        .strip_suffix(')')?;
    Some(inner.split(',').next().unwrap_or(inner))
}

/// The sample expressions of a statement: (word index, text, use).
fn collect<'a>(words: &[&'a str], found: &mut Vec<(usize, &'a str, Use)>) {
    let first = words.first().copied().unwrap_or("");
    for (i, &word) in words.iter().enumerate() {
        if word.contains('%') {
            for (text, closed) in expressions::in_log_format(word) {
                if closed {
                    found.push((i, text, Use::Format));
                }
            }
        }
        let previous = i
            .checked_sub(1)
            .and_then(|p| words.get(p))
            .copied()
            .unwrap_or("");
        let usage = if i == 2 && first == "acl" {
            Some(Use::AclDefinition)
        } else if previous == "{" || previous == "!{" {
            Some(Use::Condition)
        } else if (previous.starts_with("set-var(") && previous.ends_with(')'))
            || (previous.starts_with("track-sc") && !previous.contains('('))
            || (i == 2
                && first == "stick"
                && matches!(
                    previous,
                    "on" | "match" | "store-request" | "store-response"
                ))
            || (i == 2 && first == "balance" && previous == "hash")
        {
            Some(Use::Expression)
        } else {
            None
        };
        if let Some(usage) = usage {
            found.push((i, word, usage));
        }
    }
}

/// The usage contexts of a statement's rule set in its section, as a mask
/// (a `listen` has the frontend's and the backend's); 0 where haplint does
/// not judge contexts.
fn usage(words: &[&str], section: &Section) -> u32 {
    use UsageContext::*;
    let fe = matches!(section.kind, SectionKind::Frontend | SectionKind::Listen);
    let be = matches!(section.kind, SectionKind::Backend | SectionKind::Listen);
    let pick = |front: Option<UsageContext>, back: Option<UsageContext>| {
        let mut mask = 0;
        if fe && let Some(front) = front {
            mask |= front.bit();
        }
        if be && let Some(back) = back {
            mask |= back.bit();
        }
        mask
    };
    let second = words.get(1).copied().unwrap_or("");
    match words.first().copied().unwrap_or("") {
        "http-request" => pick(Some(FeHttpRequest), Some(BeHttpRequest)),
        "http-response" => pick(Some(FeHttpResponse), Some(BeHttpResponse)),
        "tcp-request" => match second {
            "connection" => pick(Some(FeTcpRequestConnection), None),
            "session" => pick(Some(FeTcpRequestSession), None),
            "content" => pick(Some(FeTcpRequestContent), Some(BeTcpRequestContent)),
            _ => 0,
        },
        "tcp-response" if second == "content" => {
            pick(Some(FeTcpResponseContent), Some(BeTcpResponseContent))
        }
        "use_backend" => pick(Some(FeUseBackend), None),
        "use-server" | "balance" => pick(None, Some(BeSetServer)),
        "stick" if matches!(second, "on" | "match") => pick(None, Some(BeSetServer)),
        _ => 0,
    }
}

fn describe(mask: u32) -> &'static str {
    use UsageContext::*;
    [
        FeTcpRequestConnection,
        FeTcpRequestSession,
        FeTcpRequestContent,
        FeHttpRequest,
        FeUseBackend,
        BeTcpRequestContent,
        BeHttpRequest,
        BeSetServer,
        BeTcpResponseContent,
        BeHttpResponse,
        FeTcpResponseContent,
        FeHttpResponse,
    ]
    .into_iter()
    .find(|c| mask & c.bit() != 0)
    .map_or("this rule", UsageContext::describe)
}

/// What haproxy `target` says about one expression, and what it leaves to
/// the section that holds it.
fn judge<'a>(model: &Model, text: &'a str, usage: Use, mask: u32, target: Version) -> Judged<'a> {
    let mut local = None;
    let problem = judge_problem(model, text, usage, mask, target, &mut local);
    let local = if problem.is_none() { local } else { None };
    (problem, local)
}

/// Notes the first server or table that the section holding the expression
/// must provide (a server without `backend/`, a table left out).
fn note_local<'a>(
    local: &mut Option<Local<'a>>,
    what: &'static str,
    name: &'a str,
    args: &[&'a str],
    signature: &samples::Signature,
) {
    if local.is_some() {
        return;
    }
    for (position, kind) in signature.args.iter().enumerate() {
        let arg = args.get(position).copied().unwrap_or("");
        match kind {
            ArgType::Server if !arg.is_empty() && !arg.contains('/') => {
                *local = Some(Local::Server {
                    what,
                    name,
                    server: arg,
                });
            }
            // `sc*` fetches without a table read the tracked entry's table.
            ArgType::Table if arg.is_empty() && !name.starts_with("sc") => {
                *local = Some(Local::OwnTable { what, name });
            }
            _ => continue,
        }
        return;
    }
}

/// Per section id: whether it is a defaults section some proxy uses.
fn defaults_in_use(model: &Model) -> Vec<bool> {
    let mut used = vec![false; model.sections.len()];
    for section in model.proxies() {
        if let Some(defaults) = section.defaults
            && let Some(slot) = used.get_mut(defaults.0 as usize)
        {
            *slot = true;
        }
    }
    used
}

/// What haproxy says when it looks up, in `section`, the server or table an
/// expression leaves to it.
fn resolve_locally(
    model: &Model,
    section: &Section,
    in_use: bool,
    local: Local<'_>,
) -> Option<Problem> {
    let place = section.display_name();
    if section.kind == SectionKind::Defaults {
        // haproxy resolves the names of a defaults section for the proxies
        // using it (3.4: always).
        if !in_use {
            return None;
        }
        return Some(match local {
            Local::Server { what, name, server } => (
                format!(
                    "the {what} `{name}` names the server `{server}` without its backend, \
                     and {place} has none"
                ),
                Some(format!("write `<backend>/{server}`")),
                None,
            ),
            Local::OwnTable { what, name } => (
                format!(
                    "the {what} `{name}` needs a table name in {place}, which has no stick-table"
                ),
                Some("name the table: the proxy that declares it, as the argument".to_string()),
                None,
            ),
        });
    }
    match local {
        Local::Server { what, name, server } => {
            let known = section.servers.iter().any(|s| match s.kind {
                ServerKind::Server => s.name.as_deref() == Some(server),
                // Template names are numbered: not judged.
                ServerKind::Template => true,
                ServerKind::Default => false,
            });
            (!known).then(|| {
                (
                    format!("the {what} `{name}` names the server `{server}`, which {place} lacks"),
                    Some(format!(
                        "write `<backend>/{server}` to name a server of another backend"
                    )),
                    None,
                )
            })
        }
        Local::OwnTable { what, name } => {
            let has_table = model
                .statements_with(section, "stick-table")
                .next()
                .is_some();
            (!has_table).then(|| {
                (
                    format!("the {what} `{name}` reads the stick-table of {place}, which has none"),
                    Some(
                        "add a `stick-table` to this section, or name a table as the argument"
                            .into(),
                    ),
                    None,
                )
            })
        }
    }
}

/// Whether a table argument names a proxy with a `stick-table`, or a table
/// of a peers section (`peers/table`).
fn table_exists(model: &Model, name: &str) -> bool {
    if let Some((peers, table)) = name.split_once('/') {
        return model
            .sections_named(SectionKind::Peers, peers)
            .iter()
            .any(|&id| {
                model
                    .statements_with(model.section(id), "table")
                    .any(|stmt| model.value(stmt, 1) == Some(table))
            });
    }
    [
        SectionKind::Frontend,
        SectionKind::Backend,
        SectionKind::Listen,
    ]
    .into_iter()
    .flat_map(|kind| model.sections_named(kind, name))
    .any(|&id| {
        model
            .statements_with(model.section(id), "stick-table")
            .next()
            .is_some()
    })
}

/// Whether `backend/server` names a server of a backend (templates aside).
fn server_exists(model: &Model, backend: &str, server: &str) -> Result<(), &'static str> {
    let ids: Vec<_> = [SectionKind::Backend, SectionKind::Listen]
        .into_iter()
        .flat_map(|kind| model.sections_named(kind, backend).iter().copied())
        .collect();
    if ids.is_empty() {
        return Err("names no backend");
    }
    let known = ids.iter().any(|&id| {
        model.section(id).servers.iter().any(|s| match s.kind {
            ServerKind::Server => s.name.as_deref() == Some(server),
            ServerKind::Template => true,
            ServerKind::Default => false,
        })
    });
    if known {
        Ok(())
    } else {
        Err("names no server of that backend")
    }
}

fn judge_problem<'a>(
    model: &Model,
    text: &'a str,
    usage: Use,
    mask: u32,
    target: Version,
    local: &mut Option<Local<'a>>,
) -> Option<Problem> {
    let expression: Expression<'a> = match expressions::parse(text) {
        Ok(expression) => expression,
        // Outside `%[…]`, haproxy ignores a trailing comma.
        Err(expressions::ParseError::MissingConverter) if usage != Use::Format => return None,
        Err(error) => return Some((format!("{} `{text}`", error.message()), None, None)),
    };
    let acl = matches!(usage, Use::Condition | Use::AclDefinition);
    let mut fetch_name = expression.fetch.name;
    if acl && let Some((fetch, _)) = samples::acl_keyword(fetch_name, target) {
        fetch_name = fetch;
    }
    // Lua registers its own fetches and converters when it loads.
    if fetch_name.starts_with("lua.") {
        return None;
    }
    let mut previous = SmpType::Any;
    let mut previous_name = fetch_name;
    match samples::fetch(fetch_name, target) {
        Lookup::Known(fetch) => {
            let name = expression.fetch.name;
            let args = expression.fetch.arg_list();
            let what = "fetch method";
            if let Some(problem) = arguments(model, what, name, &args, &fetch.signature, target) {
                return Some(problem);
            }
            note_local(local, what, name, &args, &fetch.signature);
            previous = fetch.output;
            if mask != 0 && fetch.mask & mask == 0 {
                let message = format!(
                    "the sample fetch `{name}` cannot be used in a {}: its data does not exist \
                        there",
                    describe(mask)
                );
                let help = Some(
                    "use a fetch of this rule set (request data in request rules, \
                    response data in response rules)"
                        .to_string(),
                );
                return Some(match usage {
                    Use::Condition => (message, help, Some(Severity::Warning)),
                    _ => (message, help, None),
                });
            }
        }
        Lookup::KnownUnjudged => {}
        Lookup::Unknown => {
            if let Some(problem) = unknown(SampleKind::Fetch, expression.fetch.name, target) {
                return Some(problem);
            }
        }
        Lookup::NoRegistry => {
            if let Some(problem) = manual_life(SampleKind::Fetch, expression.fetch.name, target) {
                return Some(problem);
            }
        }
    }
    for call in &expression.converters {
        let name = call.name;
        if name.starts_with("lua.") {
            return None;
        }
        match samples::converter(name, target) {
            Lookup::Known(converter) => {
                let args = call.arg_list();
                let signature = &converter.signature;
                if let Some(problem) = arguments(model, "converter", name, &args, signature, target)
                {
                    return Some(problem);
                }
                note_local(local, "converter", name, &args, signature);
                if !previous.casts_to(converter.input) {
                    return Some((
                        format!(
                            "the converter `{name}` cannot be applied to the output of \
                                `{previous_name}`: it reads {}, which {} cannot become",
                            converter.input.name(),
                            previous.name()
                        ),
                        Some(
                            "convert the sample first (e.g. with `hex`, `ipmask` or `bytes`), or \
                            use another converter"
                                .to_string(),
                        ),
                        None,
                    ));
                }
                if converter.output != SmpType::Same {
                    previous = converter.output;
                }
            }
            Lookup::KnownUnjudged => previous = SmpType::Any,
            Lookup::Unknown => {
                if let Some(problem) = unknown(SampleKind::Converter, name, target) {
                    return Some(problem);
                }
                previous = SmpType::Any;
            }
            Lookup::NoRegistry => {
                if let Some(problem) = manual_life(SampleKind::Converter, name, target) {
                    return Some(problem);
                }
                previous = SmpType::Any;
            }
        }
        previous_name = name;
    }
    None
}

/// A name the oracle of `target` does not register. Names the manuals
/// document for `target` come from build options (51Degrees, WURFL…) and
/// are not judged.
fn unknown(kind: SampleKind, name: &str, target: Version) -> Option<Problem> {
    if let Some(life) = vocabulary::sample(kind, name) {
        return manual_life(kind, name, target)
            .or_else(|| (!life.exists_in(target)).then(|| not_registered(kind, name, target)));
    }
    Some(not_registered(kind, name, target))
}

fn not_registered(kind: SampleKind, name: &str, target: Version) -> Problem {
    let (what, suggestion) = match kind {
        SampleKind::Fetch => (
            "fetch method",
            crate::text::closest(name, samples::fetch_names(target)),
        ),
        SampleKind::Converter => (
            "converter",
            crate::text::closest(name, samples::converter_names(target)),
        ),
    };
    let help = suggestion.map(|s| format!("did you mean `{s}`?"));
    (
        format!("unknown {what} `{name}` in HAProxy {target}"),
        help,
        None,
    )
}

/// The manual-derived lifetime check (releases without an oracle).
fn manual_life(kind: SampleKind, name: &str, target: Version) -> Option<Problem> {
    let life = vocabulary::sample(kind, name)?;
    let what = match kind {
        SampleKind::Fetch => "sample fetch",
        SampleKind::Converter => "converter",
    };
    // Fetches and converters of the next release are sometimes backported
    // to later patch releases of the target: only older ones are judged.
    if life.since > target.next() {
        Some((
            format!(
                "the {what} `{name}` is not available in HAProxy {target}: it appeared in {}",
                life.since
            ),
            None,
            None,
        ))
    } else {
        life.until.filter(|until| *until <= target).map(|until| {
            (
                format!(
                    "the {what} `{name}` no longer exists in HAProxy {target} (documented up to \
                {})",
                    until.previous()
                ),
                None,
                None,
            )
        })
    }
}

/// Argument count and the types haplint can check.
fn arguments(
    model: &Model,
    what: &str,
    name: &str,
    args: &[&str],
    signature: &samples::Signature,
    target: Version,
) -> Option<Problem> {
    // Quotes and escapes inside the parentheses (`add_item(',')`) are read
    // by haproxy's argument parser: not judged here.
    if args.iter().any(|a| a.contains(['\'', '"', '\\'])) {
        return None;
    }
    let max = signature.args.len();
    if args.len() > max {
        let message = match max {
            0 => format!(
                "the {what} `{name}` takes no argument, but got {}",
                args.len()
            ),
            _ => format!(
                "the {what} `{name}` takes at most {max} argument{}, but got {}",
                plural(max),
                args.len()
            ),
        };
        return Some((
            message,
            Some(format!(
                "its arguments in HAProxy {target}: ({})",
                signature.text
            )),
            None,
        ));
    }
    // With no argument at all, haproxy fills strings, tables and proxies
    // with defaults; integers and servers have none.
    let missing = match args.len() {
        0 => {
            signature.min > 0
                && matches!(
                    signature.args.first(),
                    Some(ArgType::Integer | ArgType::Server)
                )
        }
        given => given < signature.min,
    };
    if missing {
        return Some((
            format!(
                "the {what} `{name}` needs {} argument{}, but got {}",
                signature.min,
                plural(signature.min),
                args.len()
            ),
            Some(format!(
                "its arguments in HAProxy {target}: ({})",
                signature.text
            )),
            None,
        ));
    }
    for (position, (arg, kind)) in args.iter().zip(&signature.args).enumerate() {
        let problem = match kind {
            ArgType::Integer if !arg.is_empty() && !is_integer(arg) => {
                Some("cannot be read as an integer".to_string())
            }
            ArgType::Backend | ArgType::Frontend
                if !arg.is_empty() && !proxy_exists(model, *kind, arg) =>
            {
                Some(format!(
                    "names no {}",
                    if *kind == ArgType::Backend {
                        "backend"
                    } else {
                        "frontend"
                    }
                ))
            }
            ArgType::Table if !arg.is_empty() && !table_exists(model, arg) => {
                Some("names no stick-table".to_string())
            }
            ArgType::Server if let Some((backend, server)) = arg.split_once('/') => {
                server_exists(model, backend, server)
                    .err()
                    .map(str::to_string)
            }
            _ => None,
        };
        if let Some(problem) = problem {
            return Some((
                format!(
                    "argument {} `{arg}` of the {what} `{name}` {problem}",
                    position + 1
                ),
                None,
                None,
            ));
        }
    }
    if let Some((position, reason)) =
        sample_values::refused(name, args, signature, target, variable_scope_ok)
    {
        let arg = args.get(position - 1).copied().unwrap_or("");
        let help = format!("its arguments in HAProxy {target}: ({})", signature.text);
        return Some((
            format!("argument {position} `{arg}` of the {what} `{name}` {reason}"),
            Some(help),
            None,
        ));
    }
    // Variable names must start with their scope.
    if matches!(name, "var" | "set-var" | "unset-var")
        && let Some(variable) = args.first()
        && !variable.is_empty()
        && !variable_scope_ok(variable, target)
    {
        return Some((
            format!("invalid variable name `{variable}`: it must start with its scope"),
            Some(scopes_help(target)),
            None,
        ));
    }
    None
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn is_integer(text: &str) -> bool {
    let digits = text.strip_prefix(['-', '+']).unwrap_or(text);
    !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
}

fn proxy_exists(model: &Model, kind: ArgType, name: &str) -> bool {
    let own = if kind == ArgType::Backend {
        SectionKind::Backend
    } else {
        SectionKind::Frontend
    };
    !model.sections_named(own, name).is_empty()
        || !model.sections_named(SectionKind::Listen, name).is_empty()
}

/// `txn.x`: proc, sess, txn, req, res, check; 3.1 and later also the
/// `p`-prefixed scopes (accepted from 3.1 so that no valid one is refused).
pub(crate) fn variable_scope_ok(variable: &str, target: Version) -> bool {
    let Some((scope, rest)) = variable.split_once('.') else {
        return false;
    };
    if rest.is_empty() {
        return false;
    }
    match scope {
        "proc" | "sess" | "txn" | "req" | "res" | "check" => true,
        "psess" | "ptxn" | "preq" | "pres" => target >= Version::new(3, 1),
        _ => false,
    }
}

pub(crate) fn scopes_help(target: Version) -> String {
    if target >= Version::new(3, 1) {
        "scopes: proc, sess, txn, req, res, check (and psess, ptxn, preq, pres); e.g. `txn.name`"
            .to_string()
    } else {
        "scopes: proc, sess, txn, req, res, check; e.g. `txn.name`".to_string()
    }
}

#[cfg(test)]
mod tests {
    use crate::rules::testing::findings_with;
    use crate::version::Version;

    const ID: &str = "invalid-sample-expression";

    fn on(config: &str, major: u32, minor: u32) -> Vec<(u32, String)> {
        findings_with(
            ID,
            config,
            crate::Options {
                target: Version::new(major, minor),
                ..Default::default()
            },
        )
    }

    fn frontend(lines: &str) -> String {
        format!(
            "defaults\n mode http\nbackend b\n server s 127.0.0.1:80\nfrontend f\n bind :80\n \
                default_backend b\n{lines}"
        )
    }

    #[test]
    fn names_arguments_chains_and_contexts() {
        let config = frontend(concat!(
            " http-request add-header n %[(arg)]\n",
            " http-request add-header n %[blah(arg)]\n",
            " http-request add-header n %[always_true(arg)]\n",
            " http-request add-header n %[req.hdr(a,a)]\n",
            " http-request add-header n %[payload_lv]\n",
            " http-request add-header n %[hdr(arg),upperr]\n",
            " http-request add-header n %[bin(00),add(1)]\n",
            " http-request add-header n %[res.hdr(x)]\n",
            " http-request deny if { res.hdr(x) -m found }\n",
            " http-request set-var(txn.x) var(foo)\n",
            " http-request add-header n %[be_conn(nosuch)]\n",
            " http-request deny if { srv_conn gt 1 }\n",
            " http-request add-header n %[src,lower,ipmask(24)] %[be_conn(b)] %[str(a),upper()]\n",
        ));
        let found = on(&config, 3, 4);
        let lines: Vec<u32> = found.iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, (8..=19).collect::<Vec<_>>(), "{found:#?}");
        assert!(found[5].1.contains("`upperr`"));
        assert!(found[8].1.contains("`res.hdr`"));
    }

    #[test]
    fn per_version_registries() {
        let named = frontend(
            " acl r res.hdr(a) -m found\n acl q path /\n http-request deny if r q\n http-response \
                deny if r\n",
        );
        let found = on(&named, 3, 2);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(found[0].1.contains("`r` never matches"));
        let config = frontend(
            " http-request deny if { url_param(a,b,c) -m found }\n http-request add-header n \
                %[str(a),has_ctl]\n",
        );
        assert_eq!(on(&config, 2, 6).len(), 2);
        assert_eq!(on(&config, 3, 0).len(), 1);
        assert!(on(&config, 3, 2).is_empty());
        // 3.3 lies between 3.2 and 3.4, which agree on both.
        assert!(on(&config, 3, 3).is_empty());
    }

    #[test]
    fn newer_fetches_on_releases_without_registry() {
        let config = "frontend f\n  bind :80\n  http-response set-header X %[bc_reused]\n  \
            http-request deny if { fc_glitches gt 10 }\n  default_backend b\nbackend b\n  server s \
            10.0.0.1:80\n";
        assert_eq!(on(config, 2, 4).len(), 2);
        assert!(on(config, 3, 4).is_empty());
    }

    #[test]
    fn values_tables_and_servers() {
        let config = frontend(concat!(
            " http-request add-header n %[str(a),bytes(-1)]\n",
            " http-request add-header n %[str(a),field(0,:)]\n",
            " http-request add-header n %[table_cnt(nosuch)]\n",
            " http-request add-header n %[src_conn_cnt]\n",
            " http-request add-header n %[srv_conn(s)]\n",
            " http-request add-header n %[srv_conn(b/t)]\n",
            " http-request add-header n %[srv_conn(b/s)] %[sc_http_req_rate(0)]\n",
            " http-request add-header n %[str(a),bytes(1,2)]\n",
        ));
        let lines: Vec<u32> = on(&config, 3, 2).iter().map(|(l, _)| *l).collect();
        assert_eq!(lines, (8..=13).collect::<Vec<_>>());
        // 2.6 reads `bytes` arguments as integers: a negative one is taken.
        assert_eq!(on(&config, 2, 6).len(), 5);
    }

    #[test]
    fn defaults_sections_resolve_for_the_proxies_using_them() {
        let used = concat!(
            "defaults d\n mode http\n http-request set-header x %[srv_conn(s)]\n",
            "backend b from d\n server s 127.0.0.1:80\n",
        );
        assert_eq!(on(used, 3, 2).len(), 1);
        let unused = concat!(
            "defaults d\n mode http\n http-request set-header x %[srv_conn(s)]\n",
            "defaults e\n mode http\nbackend b\n server s 127.0.0.1:80\n",
        );
        assert!(on(unused, 3, 2).is_empty());
        // 3.4 resolves them in every defaults section.
        assert_eq!(on(unused, 3, 4).len(), 1);
        let named = used.replace("srv_conn(s)", "srv_conn(b/s)");
        assert!(on(&named, 3, 2).is_empty());
    }
}
