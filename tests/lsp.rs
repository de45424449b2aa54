//! `haplint lsp` driven by a scripted client over stdio, as an editor would:
//! initialize → open a bad config → diagnostics arrive → ask for code actions
//! → apply the edit → the diagnostics clear; hover on a keyword and on a
//! finding; shutdown.

// Test helpers may unwrap: a failed unwrap is a failed test.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

struct Client {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
    next_id: i64,
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_haplint"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let input = child.stdin.take().unwrap();
        let output = BufReader::new(child.stdout.take().unwrap());
        Client {
            child,
            input,
            output,
            next_id: 1,
        }
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        write!(self.input, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.input.flush().unwrap();
    }

    fn receive(&mut self) -> Value {
        let mut length = 0;
        loop {
            let mut header = String::new();
            assert!(
                self.output.read_line(&mut header).unwrap() > 0,
                "server closed stdout"
            );
            let header = header.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some(value) = header.strip_prefix("Content-Length: ") {
                length = value.parse().unwrap();
            }
        }
        let mut body = vec![0; length];
        self.output.read_exact(&mut body).unwrap();
        serde_json::from_slice(&body).unwrap()
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let message = self.receive();
            if message["id"] == json!(id) {
                assert!(message.get("error").is_none(), "{message}");
                return message["result"].clone();
            }
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    fn diagnostics(&mut self) -> Vec<Value> {
        loop {
            let message = self.receive();
            if message["method"] == "textDocument/publishDiagnostics" {
                return message["params"]["diagnostics"].as_array().unwrap().clone();
            }
        }
    }
}

const BAD: &str = concat!(
    "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n",
    "    timeout server 30s\n    timeout http-request 10s\n    timeout queue 10s\n\n",
    "frontend www\n    bind :80\n    default_backend app\n\n",
    "backend app\n    option httpchk GET /health\n",
    "    server a1 10.0.0.1:8080 check port 8080 maxconn 100\n",
);

/// What the tests' folders ask for: the fixtures are built around findings
/// of every rule (several opt-in), less the host-wide security advice that
/// fires on any small file and is not what these tests are about.
const OPT_IN: &str = "select: [ALL]\nignore: [no-request-rate-limit, no-chroot, \
    no-privilege-drop, missing-global-maxconn, missing-hsts, stats-auth-plain-http]\n";

/// The URI of `haproxy.cfg` in a scratch folder whose `.haplint.yaml` says
/// [`OPT_IN`] (the buffer's text, not the file's, is what is checked).
/// The folder is removed when the returned guard is dropped.
fn project_uri(tag: &str) -> (tempfile::TempDir, String) {
    let dir = scratch_dir(tag);
    std::fs::write(dir.path().join(".haplint.yaml"), OPT_IN).unwrap();
    // The nearest `.haplint.yaml` is looked up from the file on disk.
    std::fs::write(dir.path().join("haproxy.cfg"), "").unwrap();
    let uri = format!("file://{}/haproxy.cfg", dir.path().display());
    (dir, uri)
}

/// A private scratch folder, removed at the end of the test.
fn scratch_dir(tag: &str) -> tempfile::TempDir {
    tempfile::Builder::new()
        .prefix(&format!("haplint-lsp-{tag}-"))
        .tempdir()
        .unwrap()
}

/// Apply LSP text edits (ASCII text: columns are bytes) from last to first.
fn apply(text: &str, edits: &[Value]) -> String {
    let offset = |position: &Value| {
        let line = position["line"].as_u64().unwrap() as usize;
        let column = position["character"].as_u64().unwrap() as usize;
        text.split_inclusive('\n')
            .take(line)
            .map(str::len)
            .sum::<usize>()
            + column
    };
    let mut edits: Vec<(usize, usize, String)> = edits
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, new) in edits {
        out.replace_range(start..end, &new);
    }
    out
}

#[test]
fn an_editor_session_from_diagnostics_to_fix() {
    let mut client = Client::start();
    let init = client.request(
        "initialize",
        json!({"capabilities": {}, "processId": null, "rootUri": null}),
    );
    assert_eq!(init["serverInfo"]["name"], "haplint");
    assert_eq!(init["capabilities"]["hoverProvider"], true);
    client.notify("initialized", json!({}));

    // The document's folder asks for redundant-check-port (opt-in), as a
    // `.haplint.yaml` beside it would in a real project.
    let scratch = scratch_dir("test");
    let dir = scratch.path();
    std::fs::write(dir.join(".haplint.yaml"), OPT_IN).unwrap();
    std::fs::write(dir.join("haproxy.cfg"), BAD).unwrap();
    let uri = format!("file://{}/haproxy.cfg", dir.display());
    let uri = uri.as_str();
    client.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "haproxy", "version": 1, "text": BAD}}),
    );
    let diagnostics = client.diagnostics();
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic["code"], "redundant-check-port");
    assert_eq!(diagnostic["source"], "haplint");
    assert_eq!(
        diagnostic["range"]["start"],
        json!({"line": 14, "character": 34})
    );
    assert!(
        diagnostic["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .starts_with("https://")
    );

    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": {"uri": uri},
            "range": diagnostic["range"],
            "context": {"diagnostics": [diagnostic]}
        }),
    );
    let actions = actions.as_array().unwrap();
    // The fix, then the suppression.
    assert_eq!(actions.len(), 2, "{actions:?}");
    assert_eq!(actions[0]["kind"], "quickfix");
    assert!(
        actions[1]["title"]
            .as_str()
            .unwrap()
            .starts_with("Suppress `redundant-check-port`")
    );
    assert_eq!(actions[0]["isPreferred"], true);
    let edits = actions[0]["edit"]["changes"][uri].as_array().unwrap();
    let fixed = apply(BAD, edits);
    assert!(
        fixed.contains("server a1 10.0.0.1:8080 check maxconn 100\n"),
        "{fixed}"
    );

    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": fixed}]}),
    );
    assert_eq!(client.diagnostics(), Vec::<Value>::new());

    // Hover on `timeout` of `timeout queue 10s` (line 6): meaning and manual section.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 6, "character": 6}}),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(
        text.contains("timeout queue") && text.contains("section 4.2"),
        "{text}"
    );

    // Hover on a finding: the rule's explanation.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": BAD}]}),
    );
    client.diagnostics();
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 14, "character": 36}}),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("redundant-check-port"), "{text}");

    client.request("shutdown", Value::Null);
    client.notify("exit", Value::Null);
    let status = client.child.wait().unwrap();
    assert!(status.success());
}

mod common;

impl Client {
    /// Start, initialize with these client capabilities, and say initialized.
    fn initialized(capabilities: Value) -> (Client, Value) {
        let mut client = Client::start();
        let init = client.request(
            "initialize",
            json!({"capabilities": capabilities, "processId": null, "rootUri": null}),
        );
        client.notify("initialized", json!({}));
        (client, init)
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({"textDocument": {
                "uri": uri, "languageId": "haproxy", "version": 1, "text": text
            }}),
        );
    }

    /// The next publishDiagnostics: (version, diagnostics).
    fn published(&mut self) -> (Value, Vec<Value>) {
        loop {
            let message = self.receive();
            if message["method"] == "textDocument/publishDiagnostics" {
                return (
                    message["params"]["version"].clone(),
                    message["params"]["diagnostics"].as_array().unwrap().clone(),
                );
            }
        }
    }

    fn stop(mut self) {
        self.request("shutdown", Value::Null);
        self.notify("exit", Value::Null);
        assert!(self.child.wait().unwrap().success());
    }
}

/// An LSP range from (line, character) to (line, character).
fn range(line: u64, character: u64, end_line: u64, end_character: u64) -> Value {
    json!({
        "start": {"line": line, "character": character},
        "end": {"line": end_line, "character": end_character}
    })
}

fn with_versions() -> Value {
    json!({"textDocument": {"publishDiagnostics": {"versionSupport": true}}})
}

/// One backend whose first server line carries four findings and whose
/// second has a misspelt parameter.
const SERVERS: &str = concat!(
    "global\n    maxconn 1000\n\n",
    "defaults\n    mode http\n    timeout connect 5s\n    timeout client 30s\n",
    "    timeout server 30s\n    timeout http-request 10s\n    timeout queue 10s\n\n",
    "frontend www\n    bind :80\n    default_backend app\n\n",
    "backend app\n    server a1 api.example.com:443 ssl verify none check\n",
    "    server a2 10.0.0.2:8080 check maxcon 100\n",
);

const SERVER_LINE: u64 = 16;

fn code(diagnostic: &Value) -> &str {
    diagnostic["code"].as_str().unwrap()
}

fn actions(client: &mut Client, uri: &str, line: u64, character: u64) -> Vec<Value> {
    let at = json!({"line": line, "character": character});
    client
        .request(
            "textDocument/codeAction",
            json!({
                "textDocument": {"uri": uri},
                "range": {"start": at, "end": at},
                "context": {"diagnostics": []}
            }),
        )
        .as_array()
        .unwrap()
        .clone()
}

fn titled<'a>(actions: &'a [Value], start: &str) -> &'a Value {
    actions
        .iter()
        .find(|a| a["title"].as_str().unwrap().starts_with(start))
        .unwrap_or_else(|| panic!("no action `{start}…` in {actions:#?}"))
}

#[test]
fn incremental_edits_are_spliced_and_published_with_their_version() {
    let (mut client, init) = Client::initialized(with_versions());
    assert_eq!(init["capabilities"]["textDocumentSync"]["change"], 2);
    let (_dir, uri) = project_uri("incr");
    let uri = &uri;
    let uri = uri.as_str();
    client.open(uri, BAD);
    let (version, diagnostics) = client.published();
    assert_eq!(version, 1);
    assert_eq!(diagnostics.len(), 1);
    // Delete ` port 8080` (line 14, columns 33..43): the finding goes.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [
            {"range": range(14, 33, 14, 43), "text": ""}
        ]}),
    );
    let (version, diagnostics) = client.published();
    assert_eq!(version, 2);
    assert_eq!(diagnostics, Vec::<Value>::new());
    // Two changes in one notification, across lines: put it back on a line moved down by one.
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [
            {"range": range(12, 0, 12, 0), "text": "# moved\n"},
            {"range": range(15, 33, 15, 33), "text": " port 8080"}
        ]}),
    );
    let (version, diagnostics) = client.published();
    assert_eq!(version, 3);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    assert_eq!(
        diagnostics[0]["range"]["start"],
        json!({"line": 15, "character": 34})
    );
    client.stop();
}

#[test]
fn requests_after_a_burst_of_edits_answer_for_the_newest_version() {
    let (mut client, _) = Client::initialized(with_versions());
    let (_dir, uri) = project_uri("burst");
    let uri = &uri;
    let uri = uri.as_str();
    client.open(uri, BAD);
    client.published();
    // Twenty edits without waiting: each inserts a comment line at the top.
    for version in 2..22 {
        client.notify(
            "textDocument/didChange",
            json!({"textDocument": {"uri": uri, "version": version}, "contentChanges": [
                {"range": range(0, 0, 0, 0), "text": "# edit\n"}
            ]}),
        );
    }
    // Asked at once, the code action waits for version 21: the flagged
    // server line is now line 34, and the fix's edit is there. Whatever was
    // published on the way, version 21 is published before the answer.
    let at = json!({"line": 34, "character": 0});
    client.send(
        json!({"jsonrpc": "2.0", "id": 77, "method": "textDocument/codeAction",
        "params": {
            "textDocument": {"uri": uri},
            "range": {"start": at, "end": at},
            "context": {"diagnostics": []}
        }}),
    );
    let mut versions = Vec::new();
    let found = loop {
        let message = client.receive();
        if message["method"] == "textDocument/publishDiagnostics" {
            versions.push(message["params"]["version"].as_i64().unwrap());
        } else if message["id"] == 77 {
            break message["result"].as_array().unwrap().clone();
        }
    };
    assert_eq!(versions.last(), Some(&21), "{versions:?}");
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    let fix = titled(&found, "remove `port 8080`");
    let edit = &fix["edit"]["changes"][uri][0];
    assert_eq!(edit["range"]["start"]["line"], 34, "{fix}");
    client.stop();
}

#[test]
fn pull_diagnostics_for_clients_that_ask() {
    let (mut client, init) = Client::initialized(
        json!({"textDocument": {"diagnostic": {"dynamicRegistration": false}}}),
    );
    assert_eq!(
        init["capabilities"]["diagnosticProvider"]["identifier"],
        "haplint"
    );
    let (_dir, uri) = project_uri("pull");
    let uri = &uri;
    let uri = uri.as_str();
    client.open(uri, BAD);
    let report = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}}),
    );
    assert_eq!(report["kind"], "full");
    assert_eq!(report["items"][0]["code"], "redundant-check-port");
    let id = report["resultId"].clone();
    let again = client.request(
        "textDocument/diagnostic",
        json!({"textDocument": {"uri": uri}, "previousResultId": id}),
    );
    assert_eq!(again["kind"], "unchanged");
    // A pull client is not pushed to: the next message is the answer to the
    // next request, with no publishDiagnostics before it.
    client.send(
        json!({"jsonrpc": "2.0", "id": 99, "method": "textDocument/hover",
        "params": {"textDocument": {"uri": uri}, "position": {"line": 0, "character": 0}}}),
    );
    let next = client.receive();
    assert_eq!(next["id"], 99, "{next}");
    client.stop();
}

#[test]
fn hover_shows_each_finding_of_a_server_line() {
    let (mut client, _) = Client::initialized(json!({}));
    let (_dir, uri) = project_uri("hover");
    let uri = &uri;
    let uri = uri.as_str();
    client.open(uri, SERVERS);
    let diagnostics = client.diagnostics();
    let on_line: Vec<&Value> = diagnostics
        .iter()
        .filter(|d| d["range"]["start"]["line"] == SERVER_LINE)
        .collect();
    let codes: Vec<&str> = on_line.iter().map(|d| code(d)).collect();
    for expected in [
        "missing-server-maxconn",
        "missing-server-sni",
        "ssl-verify-none",
        "tcp-check-on-http-backend",
    ] {
        assert!(codes.contains(&expected), "{codes:?}");
    }
    for diagnostic in on_line {
        let hover = client.request(
            "textDocument/hover",
            json!({"textDocument": {"uri": uri}, "position": diagnostic["range"]["start"]}),
        );
        let text = hover["contents"]["value"].as_str().unwrap();
        // Findings that share one span are shown together.
        assert!(
            text.contains(&format!("**{}**", code(diagnostic))),
            "{}: {text}",
            code(diagnostic)
        );
        assert_eq!(hover["range"], diagnostic["range"]);
    }
    // On a keyword without a finding: its meaning and whether the target accepts it.
    let hover = client.request(
        "textDocument/hover",
        json!({"textDocument": {"uri": uri}, "position": {"line": 9, "character": 6}}),
    );
    let text = hover["contents"]["value"].as_str().unwrap();
    assert!(text.contains("timeout queue"), "{text}");
    assert!(text.contains("Accepted by HAProxy 3.2"), "{text}");
    client.stop();
}

#[test]
fn keyword_hover_follows_the_target_version() {
    let scratch = scratch_dir("version");
    let dir = scratch.path();
    std::fs::write(dir.join(".haplint.yaml"), "haproxy-version: \"2.6\"\n").unwrap();
    let path = dir.join("haproxy.cfg");
    let text = "defaults\n    mode http\n    option forceclose\n    option http-server-close\n";
    std::fs::write(&path, text).unwrap();
    let uri = format!("file://{}", path.display());
    let (mut client, _) = Client::initialized(json!({}));
    client.open(&uri, text);
    client.diagnostics();
    let at = |line: u64| {
        let position = json!({"line": line, "character": 5});
        json!({"textDocument": {"uri": uri}, "position": position})
    };
    let removed = client.request("textDocument/hover", at(2));
    let value = removed["contents"]["value"].as_str().unwrap().to_string();
    assert!(
        value.contains("forceclose")
            && (value.contains("removed in 2.0") || value.contains("removed-keyword")),
        "{value}"
    );
    let kept = client.request("textDocument/hover", at(3));
    let value = kept["contents"]["value"].as_str().unwrap();
    assert!(value.contains("Accepted by HAProxy 2.6"), "{value}");
    client.stop();
}

#[test]
fn code_actions_at_column_0_fix_suppress_and_correct_spelling() {
    let (mut client, _) = Client::initialized(with_versions());
    let (_dir, uri) = project_uri("actions");
    let uri = &uri;
    let uri = uri.as_str();
    client.open(uri, SERVERS);
    let (_, diagnostics) = client.published();
    // Column 0 of the indented server line: every finding of the line has its actions.
    let found = actions(&mut client, uri, SERVER_LINE, 0);
    for rule in [
        "ssl-verify-none",
        "missing-server-sni",
        "missing-server-maxconn",
    ] {
        assert!(
            found
                .iter()
                .any(|a| a["title"].as_str().unwrap().ends_with(&format!("[{rule}]"))),
            "no fix for {rule}: {found:#?}"
        );
        titled(&found, &format!("Suppress `{rule}`"));
    }
    // The suppression comment keeps the line's indentation, and the finding goes.
    let suppress = titled(&found, "Suppress `ssl-verify-none`");
    let edits = suppress["edit"]["changes"][uri].as_array().unwrap();
    let text = apply(SERVERS, edits);
    assert!(
        text.contains(
            "\n    # haplint: disable-next-line=ssl-verify-none -- reason\n    server a1 "
        ),
        "{text}"
    );
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": text}]}),
    );
    let (version, after) = client.published();
    assert_eq!(version, 2);
    assert!(
        after.iter().all(|d| code(d) != "ssl-verify-none"),
        "{after:?}"
    );
    assert!(
        after.iter().all(|d| code(d) != "unused-suppression"),
        "{after:?}"
    );
    assert_eq!(after.len(), diagnostics.len() - 1);

    // "did you mean `maxconn`?" on `maxcon`: a replacement of that word.
    let typo = after
        .iter()
        .find(|d| code(d) == "unknown-keyword")
        .unwrap()
        .clone();
    let line = typo["range"]["start"]["line"].as_u64().unwrap();
    let found = actions(&mut client, uri, line, 0);
    let replace = titled(&found, "Replace `maxcon` with `maxconn`");
    assert_eq!(replace["isPreferred"], false);
    let text = apply(&text, replace["edit"]["changes"][uri].as_array().unwrap());
    assert!(text.contains("check maxconn 100\n"), "{text}");
    client.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": text}]}),
    );
    let (_, after) = client.published();
    assert!(
        after.iter().all(|d| code(d) != "unknown-keyword"),
        "{after:?}"
    );
    // A line without findings has no actions.
    assert_eq!(actions(&mut client, uri, 0, 0), Vec::<Value>::new());
    client.stop();
}

#[test]
fn a_changed_haplint_yaml_is_read_again() {
    let scratch = scratch_dir("reload");
    let dir = scratch.path();
    let config = dir.join(".haplint.yaml");
    std::fs::write(
        &config,
        "extend-select: [redundant-check-port]\nignore: [redundant-check-port]\n",
    )
    .unwrap();
    let path = dir.join("haproxy.cfg");
    std::fs::write(&path, BAD).unwrap();
    let uri = format!("file://{}", path.display());
    let (mut client, _) = Client::initialized(json!({}));
    client.open(&uri, BAD);
    assert_eq!(client.diagnostics(), Vec::<Value>::new());
    // Told by the editor (watched files)…
    std::fs::write(&config, OPT_IN).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({"changes": [{"uri": format!("file://{}", config.display()), "type": 2}]}),
    );
    let diagnostics = client.diagnostics();
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(code(&diagnostics[0]), "redundant-check-port");
    // …or not (Neovim 0.7 watches no files): the server notices within seconds.
    std::thread::sleep(std::time::Duration::from_millis(1100));
    std::fs::write(
        &config,
        "extend-select: [redundant-check-port]\nignore: [redundant-check-port]\n",
    )
    .unwrap();
    assert_eq!(client.diagnostics(), Vec::<Value>::new());
    client.stop();
}

/// The fenced block that follows `<!-- tested: NAME` in the README.
fn readme_snippet(name: &str) -> String {
    let readme = include_str!("../README.md");
    let marker = format!("<!-- tested: {name} ");
    let after = &readme[readme
        .find(&marker)
        .unwrap_or_else(|| panic!("no {marker}"))..];
    let fence = after.find("```").unwrap();
    let body = &after[fence..];
    let start = body.find('\n').unwrap() + 1;
    let end = body[start..].find("\n```").unwrap();
    body[start..start + end + 1].to_string()
}

#[test]
fn readme_neovim_snippet_drives_the_real_neovim() {
    const TEST: &str = "readme_neovim_snippet_drives_the_real_neovim";
    if !common::tool_runs("nvim", "--version") {
        return common::needs_tool(TEST, "nvim (Debian's neovim)");
    }
    let scratch = scratch_dir("nvim");
    let dir = scratch.path();
    let setup = dir.join("init-0.7.lua");
    std::fs::write(&setup, readme_snippet("nvim-0.7")).unwrap();
    let syntax = dir.join("init-0.9.lua");
    std::fs::write(&syntax, readme_snippet("nvim-0.9")).unwrap();
    let config = dir.join("haproxy.cfg");
    std::fs::write(&config, SERVERS).unwrap();
    std::fs::write(dir.join(".haplint.yaml"), OPT_IN).unwrap();
    let out = dir.join("out.txt");
    // The snippet runs `haplint lsp` from PATH, as it would for a user.
    let bin = std::path::Path::new(env!("CARGO_BIN_EXE_haplint"))
        .parent()
        .unwrap()
        .to_path_buf();
    let path = std::env::join_paths(std::iter::once(bin).chain(std::env::split_paths(
        &std::env::var_os("PATH").unwrap_or_default(),
    )))
    .unwrap();
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/editors/nvim-session.lua"
    );
    let mut child = Command::new("nvim")
        .args(["--clean", "--headless", "-n", "-i", "NONE"])
        // The ≥ 0.9 snippet cannot run in 0.7: check that it at least compiles.
        .arg("--cmd")
        .arg(format!("lua assert(loadfile('{}'))", syntax.display()))
        .arg("-c")
        .arg(format!("luafile {script}"))
        .env("PATH", path)
        .env("HOME", dir)
        .env("XDG_STATE_HOME", dir)
        .env("XDG_DATA_HOME", dir)
        .env("HAPLINT_NVIM_SETUP", &setup)
        .env("HAPLINT_NVIM_CONFIG", &config)
        .env("HAPLINT_NVIM_OUT", &out)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > std::time::Duration::from_secs(120) {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    };
    let log = std::fs::read_to_string(&out).unwrap_or_default();
    let mut stderr = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut stderr)
        .unwrap();
    assert!(
        status.is_some(),
        "nvim did not finish in 120 s\n{log}\n{stderr}"
    );
    assert_eq!(log.lines().last(), Some("PASS"), "\n{log}\n{stderr}");
    assert!(log.contains("filetype cfg"), "{log}");
    for line in [
        "hover 17:5 missing-server-maxconn",
        "hover 17:15 missing-server-sni",
        "hover 17:39 ssl-verify-none",
        "hover 17:51 tcp-check-on-http-backend",
        "did you mean: server a2 10.0.0.2:8080 check maxconn 100",
    ] {
        assert!(log.contains(line), "`{line}` missing from\n{log}");
    }
}

#[test]
fn readme_helix_and_vscode_snippets_are_well_formed() {
    let vscode: Value = serde_json::from_str(&readme_snippet("vscode")).unwrap();
    assert_eq!(vscode["glspc.server.command"], "haplint");
    assert_eq!(vscode["glspc.server.commandArguments"], json!(["lsp"]));
    const TEST: &str = "readme_helix_and_vscode_snippets_are_well_formed";
    if !common::tool_runs("python3", "--version") {
        return common::needs_tool(TEST, "python3 (tomllib) to read the Helix TOML");
    }
    let helix = readme_snippet("helix");
    let output = Command::new("python3")
        .args([
            "-c",
            "import json, sys, tomllib; print(json.dumps(tomllib.loads(sys.stdin.read())))",
        ])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .and_then(|mut child| {
            child.stdin.take().unwrap().write_all(helix.as_bytes())?;
            child.wait_with_output()
        })
        .unwrap();
    assert!(output.status.success(), "not TOML:\n{helix}");
    let toml: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(toml["language-server"]["haplint"]["args"], json!(["lsp"]));
    assert_eq!(toml["language"][0]["language-servers"], json!(["haplint"]));
}

/// A buffer that `.haplint.yaml` declares part of a configuration is checked
/// with its sibling files (as `haplint check FILE` does): the backend its
/// frontend names lives in the other file, so nothing is undefined; the
/// same buffer outside the configuration is checked alone.
#[test]
fn a_buffer_is_checked_with_its_declared_siblings() {
    let scratch = scratch_dir("project");
    let dir = scratch.path();
    let frontends = "frontend www\n    mode http\n    bind :80\n    default_backend app\n";
    std::fs::write(dir.join("10-frontends.cfg"), frontends).unwrap();
    std::fs::write(
        dir.join("20-backends.cfg"),
        "backend app\n    mode http\n    server a 10.0.0.1:80\n",
    )
    .unwrap();
    let alone = dir.join("alone.cfg");
    std::fs::write(&alone, frontends).unwrap();
    std::fs::write(
        dir.join(".haplint.yaml"),
        "configurations:\n  edge: [10-frontends.cfg, 20-backends.cfg]\n",
    )
    .unwrap();
    let (mut client, _) = Client::initialized(json!({}));
    client.open(
        &format!("file://{}", dir.join("10-frontends.cfg").display()),
        frontends,
    );
    let diagnostics = client.diagnostics();
    assert!(
        !diagnostics.iter().any(|d| code(d) == "undefined-reference"),
        "{diagnostics:?}"
    );
    client.open(&format!("file://{}", alone.display()), frontends);
    let diagnostics = client.diagnostics();
    assert!(
        diagnostics.iter().any(|d| code(d) == "undefined-reference"),
        "{diagnostics:?}"
    );
    client.stop();
}
