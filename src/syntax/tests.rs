use super::*;
use crate::source::SourceSet;

fn parse_text(text: &str) -> (SyntaxTree, Vec<Vec<String>>) {
    let mut set = SourceSet::new();
    let id = set.add("test.cfg", None, text);
    let tree = parse(set.get(id).unwrap());
    let words = tree
        .lines
        .iter()
        .map(|line| {
            tree.words(line)
                .iter()
                .map(|w| tree.value(w).to_string())
                .collect()
        })
        .collect();
    (tree, words)
}

fn messages(tree: &SyntaxTree) -> Vec<String> {
    tree.findings.iter().map(|f| f.message.clone()).collect()
}

#[test]
fn splits_words_on_spaces_and_tabs() {
    let (tree, words) = parse_text("global\n\tmaxconn  100 \n");
    assert_eq!(words, vec![vec!["global"], vec!["maxconn", "100"]]);
    assert!(tree.findings.is_empty());
}

#[test]
fn comments_start_at_unprotected_hash_even_inside_a_word() {
    let (tree, words) = parse_text(
        "global#this is the global section\n  daemon#daemonize\n  x \\#y \"#z\" '#w' # c\n",
    );
    assert_eq!(words[0], vec!["global"]);
    assert_eq!(words[1], vec!["daemon"]);
    assert_eq!(words[2], vec!["x", "#y", "#z", "#w"]);
    assert_eq!(tree.comment_text(&tree.lines[2]), Some("# c"));
}

#[test]
fn manual_quoting_examples_are_all_equivalent() {
    let text = concat!(
        "log-format %{+Q}o\\ %t\\ %s\\ %{-Q}r\n",
        "log-format \"%{+Q}o %t %s %{-Q}r\"\n",
        "log-format '%{+Q}o %t %s %{-Q}r'\n",
        "log-format \"%{+Q}o %t\"' %s %{-Q}r'\n",
        "log-format \"%{+Q}o %t\"' %s'\\ %{-Q}r\n",
    );
    let (tree, words) = parse_text(text);
    for line in &words {
        assert_eq!(line, &vec!["log-format", "%{+Q}o %t %s %{-Q}r"]);
    }
    assert!(tree.findings.is_empty(), "{:?}", messages(&tree));
}

#[test]
fn escapes_follow_haproxys_tokenizer() {
    let (_, words) = parse_text("a \\x41\\t \\1 \\$ \"\\$\" 'a\\b' \"\\\"\"\n");
    assert_eq!(words[0], vec!["a", "A\t", "\\1", "\\$", "$", "a\\b", "\""]);
}

#[test]
fn environment_variables_only_inside_double_quotes() {
    let (tree, words) =
        parse_text("bind \"fd@${FD_APP1}\" $HOME \"${A-1.2.3.4}:80\" \"${L[*]}\"\n");
    assert_eq!(
        words[0],
        vec![
            "bind",
            "fd@${FD_APP1}",
            "$HOME",
            "${A-1.2.3.4}:80",
            "${L[*]}"
        ]
    );
    let line_words = tree.words(&tree.lines[0]);
    assert!(line_words[1].has_env());
    assert!(!line_words[2].has_env());
    assert!(tree.findings.is_empty());
}

#[test]
fn lexical_errors_are_findings_and_parsing_goes_on() {
    let (tree, words) = parse_text("a \"open # not a comment\nb \\xZZ\nc \"$1\" \"${X\"\nd ok\n");
    assert_eq!(words[3], vec!["d", "ok"]);
    let msgs = messages(&tree);
    assert_eq!(msgs.len(), 4, "{msgs:?}");
    assert!(msgs[0].contains("unmatched quote"));
    assert!(tree.comment_text(&tree.lines[0]).is_none());
    assert!(msgs[1].contains("hexadecimal"));
    assert!(msgs[2].contains("environment variable"));
    assert!(msgs[3].contains("environment variable"));
}

#[test]
fn missing_final_newline_is_an_error_on_the_last_line() {
    let (tree, _) = parse_text("global\n  daemon");
    assert_eq!(
        messages(&tree),
        vec!["the last line has no line feed at its end"]
    );
    assert_eq!(tree.findings[0].primary.span.start, 7);
}

#[test]
fn crlf_and_stray_cr() {
    let (tree, words) = parse_text("global\r\n  daemon\r x\n");
    assert_eq!(words, vec![vec!["global"], vec!["daemon"]]);
    assert_eq!(tree.lines[0].content_end, 6);
    assert_eq!(tree.findings.len(), 1);
}

#[test]
fn conditional_blocks_must_nest() {
    let text =
        ".if defined(X)\n.else\n.elif 1\n.endif\n.endif\n.if nosuch(1)\n.foo\n.warning a b\n";
    let (tree, _) = parse_text(text);
    let msgs = messages(&tree);
    assert!(
        msgs.iter().any(|m| m.contains("`.elif` after `.else`")),
        "{msgs:?}"
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("`.endif` without a matching `.if`"))
    );
    assert!(
        msgs.iter()
            .any(|m| m.contains("unknown predicate `nosuch`"))
    );
    assert!(msgs.iter().any(|m| m.contains("unknown directive `.foo`")));
    assert!(
        msgs.iter()
            .any(|m| m.contains("unexpected argument for `.warning`"))
    );
    assert!(msgs.iter().any(|m| m.contains("never closed")));
}

#[test]
fn empty_argument_warns_when_arguments_follow() {
    let (tree, _) = parse_text("a \"\" b\nc \"\"\n");
    assert_eq!(tree.findings.len(), 1);
    assert_eq!(
        tree.findings[0].severity,
        Some(crate::finding::Severity::Warning)
    );
}

#[test]
fn reprint_is_byte_exact() {
    for text in [
        "",
        "\n",
        "global\n",
        "  a  b\t# c \r\n\r\n x",
        "a \"unclosed # x\r\n",
        "\u{feff}global\n\tdaemon   \n",
        "a\rb\r\n",
    ] {
        let (tree, _) = parse_text(text);
        assert_eq!(tree.reprint(), text);
    }
}

#[test]
fn quote_round_trips_through_the_tokenizer() {
    for value in [
        "plain",
        "a b",
        "it's",
        "#x",
        "a\"b",
        "back\\slash",
        "",
        "tab\there",
    ] {
        let text = format!("k {}\n", word::quote(value));
        let (_, words) = parse_text(&text);
        assert_eq!(words[0], vec!["k".to_string(), value.to_string()], "{text}");
    }
}

/// The shortcut for lines without quotes, backslashes or CR must cut exactly
/// as the grammar does.
fn grammar_cut(content: &str) -> (Vec<(u32, u32)>, Option<u32>) {
    use pest::Parser;
    let pairs = grammar::LineParser::parse(grammar::Rule::line, content).unwrap();
    let mut words = Vec::new();
    let mut comment = None;
    for pair in pairs.flatten() {
        match pair.as_rule() {
            grammar::Rule::word => {
                words.push((pair.as_span().start() as u32, pair.as_span().end() as u32))
            }
            grammar::Rule::comment => comment = Some(pair.as_span().start() as u32),
            _ => {}
        }
    }
    (words, comment)
}

proptest::proptest! {
    #[test]
    fn plain_lines_match_the_grammar(content in "[a-z0-9 \t\u{b}\u{c}#:./$%{}()é-]{0,60}") {
        proptest::prop_assert_eq!(plain_line(&content), Some(grammar_cut(&content)));
    }
}

#[test]
fn lines_with_quotes_escapes_or_cr_take_the_grammar() {
    for content in ["a \"b\"", "a 'b'", "a \\ b", "a\rb"] {
        assert_eq!(plain_line(content), None);
    }
}

/// Large files are parsed in two halves on two threads; the tree must be the
/// one a single pass gives.
#[test]
fn parallel_parse_matches_a_single_pass() {
    let mut text = String::from("global\n");
    let mut i = 0;
    while text.len() <= super::PARALLEL_PARSE_BYTES + 1000 {
        if i % 100 == 0 {
            // A few quoted lines take the grammar; the rest the plain-line path.
            text.push_str(&format!(
                "backend b{i}\n    http-request set-header X \"v {i}\" # c\
                \n    server s 10.0.0.1:80 'q{i}'\r\n"
            ));
        } else {
            text.push_str(&format!(
                "backend b{i}\n    http-request set-header X v{i} # c\n    \
                server s 10.0.0.1:80 q{i}\r\n"
            ));
        }
        i += 1;
    }
    let mut set = SourceSet::new();
    let id = set.add("big.cfg", None, text.as_str());
    let file = set.get(id).unwrap();
    let parallel = parse(file);
    let single = {
        let mut builder = parse_lines(file, &text, 0, text.len(), text.len());
        builder.findings.clear();
        builder
    };
    assert_eq!(parallel.lines, single.lines);
    assert_eq!(parallel.words, single.words);
    assert_eq!(parallel.cooked, single.cooked);
    assert_eq!(parallel.directive_lines, single.directive_lines);
    let bits = |t: &super::tree::LineBits| {
        (0..parallel.lines.len())
            .map(|i| t.get(i))
            .collect::<Vec<bool>>()
    };
    assert_eq!(
        bits(&parallel.expression_lines),
        bits(&single.expression_lines)
    );
    assert!(bits(&parallel.expression_lines).iter().any(|b| *b));
    assert_eq!(parallel.reprint(), text);
    let last = parallel.lines.len() - 2;
    let values: Vec<&str> = parallel
        .words(&parallel.lines[last])
        .iter()
        .map(|w| parallel.value(w))
        .collect();
    assert_eq!(
        values,
        vec!["http-request", "set-header", "X", &format!("v{}", i - 1)]
    );
    assert!(!parallel.cooked.is_empty());
}

#[test]
fn version_conditions_decide_which_lines_are_read() {
    use super::directives::{Activity, line_activity};
    use crate::version::Version;
    let text = "global\n.if version_atleast(2.9-dev0)\n  a\n.elif \
        version_atleast(2.6)\n  b\n.else\n  c\n.endif\n.if \
        defined(X) && version_before(2.4)\n  d\n.endif\n.if \
        feature(OPENSSL)\n  e\n.endif\n.if !version_atleast(2.6.5) \
        || version_atleast(3.0)\n  f\n.endif\n";
    let mut set = SourceSet::new();
    let id = set.add("v.cfg", None, text);
    let tree = parse(set.get(id).unwrap());
    let of = |target: Version| {
        let activity = line_activity(&tree, target);
        // Lines a, b, c, d, e, f are 2, 4, 6, 9, 12, 15.
        [2, 4, 6, 9, 12, 15].map(|i| activity[i])
    };
    use Activity::{Active as A, Inactive as I, Unknown as U};
    assert_eq!(of(Version::new(2, 6)), [I, A, I, I, U, U]);
    assert_eq!(of(Version::new(3, 0)), [A, I, I, I, U, A]);
    assert_eq!(of(Version::new(2, 4)), [I, I, A, I, U, A]);
}

#[test]
fn lines_that_may_hold_an_expression_are_noted() {
    let text = "backend b\n  server s 10.0.0.1:80 # (comment)\n  \
        http-request set-var(txn.x) str(a)\n  use_backend x if \
        { path /a }\n  log-format %ci\n  option httplog \"quoted\"\n";
    let mut set = SourceSet::new();
    let id = set.add("e.cfg", None, text);
    let tree = parse(set.get(id).unwrap());
    let noted: Vec<bool> = (0..tree.lines.len())
        .map(|i| tree.may_hold_expression(i))
        .collect();
    assert_eq!(noted, [false, false, true, true, true, true]);
}
