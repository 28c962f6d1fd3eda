//! `hubc lsp` driven over JSON-RPC, as an editor drives it: diagnostics as files are opened and
//! changed (in the file and across the fleet), hover, definition, references, symbols,
//! completion, formatting and code actions, and a server that survives whatever it is sent.

#![allow(clippy::disallowed_methods)] // tests set up fleets on disk and spawn the server

mod common;
mod lsp_client;

use std::path::{Path, PathBuf};

use common::TempDir;
use lsp_client::{Client, apply, position, uri};
use serde_json::{Value, json};

fn binary() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_hubc"))
}

/// A copy of examples/fleet, whose `.git` marks the top the fleet root is looked for below.
fn fleet(name: &str) -> (TempDir, PathBuf) {
    let dir = TempDir::new(name);
    let root = dir.join("fleet");
    common::copy_dir(&common::root().join("examples/fleet"), &root);
    std::fs::create_dir_all(dir.join(".git")).unwrap();
    (dir, root)
}

/// A copy of examples/fleet with a server started on it and `clusters/leap/staging.hub` open:
/// the fleet, its root, that file's path and text, and the client.
fn staging(name: &str) -> (TempDir, PathBuf, PathBuf, String, Client) {
    let (dir, root) = fleet(name);
    let path = root.join("clusters/leap/staging.hub");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut client = Client::start(binary(), Some(&root));
    client.open(&path, &text);
    (dir, root, path, text, client)
}

fn codes(diagnostics: &[Value]) -> Vec<String> {
    diagnostics
        .iter()
        .map(|diagnostic| diagnostic["code"].as_str().unwrap_or("").to_string())
        .collect()
}

fn has_code(code: &'static str) -> impl FnMut(&[Value]) -> bool {
    move |diagnostics| codes(diagnostics).iter().any(|found| found == code)
}

fn text_document(path: &Path) -> Value {
    json!({ "uri": uri(path) })
}

fn at(path: &Path, text: &str, needle: &str, nth: usize) -> Value {
    json!({ "textDocument": text_document(path), "position": position(text, needle, nth) })
}

#[test]
fn a_broken_file_gets_its_coded_diagnostics_and_a_fix_clears_them() {
    let (_dir, root) = fleet("broken_then_fixed");
    let path = root.join("clusters/leap/staging.hub");
    let good = std::fs::read_to_string(&path).unwrap();
    let mut client = Client::start(binary(), Some(&root));

    let broken = good.replace(": dask_lab with", ": dask_lb with");
    client.open(&path, &broken);
    let found = client.diagnostics(&path, has_code("hub::resolve::unknown_name"));
    let unknown = found
        .iter()
        .find(|d| d["code"] == "hub::resolve::unknown_name")
        .unwrap();
    assert_eq!(unknown["severity"], 1, "an error: {unknown}");
    assert_eq!(unknown["source"], "hubc");
    assert_eq!(
        unknown["range"]["start"],
        position(&broken, "dask_lb", 0),
        "{unknown}"
    );
    let message = unknown["message"].as_str().unwrap();
    assert!(message.contains("dask_lb"), "{message}");
    assert!(
        message.contains("help: "),
        "the help is part of the message: {message}"
    );
    let link = unknown["codeDescription"]["href"].as_str().unwrap();
    assert!(
        link.ends_with("lang/diagnostics.md#hubresolveunknown_name"),
        "{link}"
    );

    // A syntax error too: the server reports it with its code as well.
    let worse = broken.replace("display_name = \"LEAP Staging\"", "display_name = = 1");
    client.change(&path, 2, &worse);
    client.diagnostics(&path, has_code("hub::syntax::unexpected_token"));

    client.change(&path, 3, &good);
    client.diagnostics(&path, |diagnostics| diagnostics.is_empty());
    assert!(client.shutdown().success());
}

#[test]
fn an_edit_to_one_file_reports_and_clears_problems_in_files_not_open() {
    let (_dir, root) = fleet("across_files");
    let archetypes = root.join("archetypes.hub");
    let good = std::fs::read_to_string(&archetypes).unwrap();
    let staging = root.join("clusters/leap/staging.hub");
    let mut client = Client::start(binary(), Some(&root));
    client.open(&archetypes, &good);

    // Renaming the archetype breaks every community of it, in files the editor has not opened.
    let renamed = good.replace("archetype dask_lab ", "archetype dask_labs ");
    assert_ne!(renamed, good);
    client.change(&archetypes, 2, &renamed);
    let found = client.diagnostics(&staging, has_code("hub::resolve::unknown_name"));
    let message = found[0]["message"].as_str().unwrap();
    assert!(message.contains("dask_labs"), "did you mean: {message}");

    client.change(&archetypes, 3, &good);
    client.diagnostics(&staging, |diagnostics| diagnostics.is_empty());
    assert!(client.shutdown().success());
}

#[test]
fn hover_shows_types_policy_values_and_provenance() {
    let (_dir, _root, path, text, mut client) = staging("hover");

    let hover = client.result(
        "textDocument/hover",
        at(&path, &text, "singleuser.image", 12),
    );
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert_eq!(hover["contents"]["kind"], "markdown");
    assert!(shown.contains("`jupyterhub.singleuser.image`"), "{shown}");
    // The policy over it, the value the community ends up with, and the chain behind it.
    assert!(
        shown.contains("tunable jupyterhub.singleuser.image"),
        "{shown}"
    );
    assert!(shown.contains("pangeo/pangeo-notebook"), "{shown}");
    assert!(shown.contains("platform basehub ("), "{shown}");
    assert!(shown.contains("staging.hub:"), "{shown}");

    // On the archetype's name: its doc, what it extends and how many communities use it.
    let hover = client.result("textDocument/hover", at(&path, &text, "dask_lab", 2));
    let shown = hover["contents"]["value"].as_str().unwrap();
    assert!(shown.contains("archetype dask_lab"), "{shown}");
    assert!(
        shown.contains("communities use it") || shown.contains("community uses it"),
        "{shown}"
    );
    assert!(shown.contains("Extends platform `"), "{shown}");
    assert!(client.shutdown().success());
}

#[test]
fn definition_references_and_symbols_find_their_places() {
    let (_dir, root) = fleet("navigate");
    let path = root.join("clusters/leap/staging.hub");
    let text = std::fs::read_to_string(&path).unwrap();
    let archetypes = root.join("archetypes.hub");
    let archetypes_text = std::fs::read_to_string(&archetypes).unwrap();
    let mut client = Client::start(binary(), Some(&root));
    client.open(&path, &text);

    // From the archetype after `:` to its declaration.
    let found = client.result("textDocument/definition", at(&path, &text, "dask_lab", 3));
    assert_eq!(found["uri"], uri(&archetypes));
    assert_eq!(
        found["range"]["start"],
        position(&archetypes_text, "archetype dask_lab", 10)
    );
    // From a mixin after `with`, and from the cluster a community runs on.
    let found = client.result(
        "textDocument/definition",
        at(&path, &text, "leap_common", 2),
    );
    assert_eq!(found["uri"], uri(&root.join("clusters/leap/common.hub")));
    let found = client.result(
        "textDocument/definition",
        at(&path, &text, "cluster = leap", 11),
    );
    assert_eq!(found["uri"], uri(&root.join("clusters/leap/cluster.hub")));
    // From an override to the layer whose value it overrides.
    let found = client.result(
        "textDocument/definition",
        at(&path, &text, "singleuser.image", 12),
    );
    assert_ne!(
        found["uri"],
        uri(&path),
        "an override leads above it: {found}"
    );

    // Who uses the archetype: every community that extends it, in its own file.
    let used = client.result(
        "textDocument/references",
        json!({
            "textDocument": text_document(&archetypes),
            "position": position(&archetypes_text, "archetype dask_lab", 11),
            "context": { "includeDeclaration": true },
        }),
    );
    let files: Vec<&str> = used
        .as_array()
        .unwrap()
        .iter()
        .map(|location| location["uri"].as_str().unwrap())
        .collect();
    assert!(files.contains(&uri(&path).as_str()), "{files:?}");
    assert!(files.contains(&uri(&archetypes).as_str()), "{files:?}");
    assert!(files.len() >= 3, "{files:?}");

    let symbols = client.result(
        "textDocument/documentSymbol",
        json!({ "textDocument": text_document(&archetypes) }),
    );
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|symbol| symbol["name"].as_str().unwrap())
        .collect();
    assert!(
        names.contains(&"dask_lab") && names.contains(&"research_group"),
        "{names:?}"
    );

    // From a type's name in another type to its declaration.
    let types = root.join("types.hub");
    let types_text = "type Size = {\n  memory: memory\n}\n\ntype Server = {\n  size: Size\n}\n";
    std::fs::write(&types, types_text).unwrap();
    client.open(&types, types_text);
    let found = client.result(
        "textDocument/definition",
        at(&types, types_text, "size: Size", 7),
    );
    assert_eq!(found["uri"], uri(&types));
    assert_eq!(found["range"]["start"]["line"], 0, "{found}");

    let symbols = client.result("workspace/symbol", json!({ "query": "LEAP_COM" }));
    let names: Vec<&str> = symbols
        .as_array()
        .unwrap()
        .iter()
        .map(|symbol| symbol["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["leap_common"]);
    assert!(client.shutdown().success());
}

#[test]
fn completion_offers_keys_names_units_values_and_annotations() {
    let (_dir, _root, path, text, mut client) = staging("complete");
    let labels = |client: &mut Client, text: &str, needle: &str, nth: usize| -> Vec<String> {
        let found = client.result("textDocument/completion", at(&path, text, needle, nth));
        found
            .as_array()
            .unwrap()
            .iter()
            .map(|item| item["label"].as_str().unwrap().to_string())
            .collect()
    };

    // Schema keys after a dotted prefix, with their type and doc.
    let typing = text.replace(
        "  jupyterhub.singleuser.image =",
        "  jupyterhub.singleuser.\n  jupyterhub.singleuser.image =",
    );
    client.change(&path, 2, &typing);
    let found = client.result(
        "textDocument/completion",
        at(&path, &typing, "singleuser.\n", 11),
    );
    let items = found.as_array().unwrap();
    let memory = items
        .iter()
        .find(|item| item["label"] == "memory")
        .unwrap_or_else(|| panic!("{items:#?}"));
    assert_eq!(memory["kind"], 5, "a field");
    assert!(memory["detail"].is_string());
    assert!(items.iter().any(|item| item["label"] == "image"));

    // Archetypes after `:`, mixins after `with`.
    let found = labels(&mut client, &text, ": dask_lab", 2);
    assert!(
        found.contains(&"research_group".to_string())
            && !found.contains(&"leap_common".to_string()),
        "{found:?}"
    );
    let found = labels(&mut client, &text, "with leap_common", 5);
    assert!(found.contains(&"leap_common".to_string()), "{found:?}");

    // Units after a number, annotations after `@`, clusters after `cluster =`.
    let typing = text.replace("delete_after = 7,", "delete_after = 7G,");
    client.change(&path, 3, &typing);
    let found = labels(&mut client, &typing, "= 7G", 4);
    assert!(found.contains(&"GiB".to_string()), "{found:?}");
    let typing = text.replace("  cluster = leap", "  @re\n  cluster = leap");
    client.change(&path, 4, &typing);
    let found = labels(&mut client, &typing, "@re", 3);
    assert!(found.contains(&"reason".to_string()), "{found:?}");
    client.change(&path, 5, &text);
    let found = labels(&mut client, &text, "cluster = leap", 10);
    assert!(
        found.contains(&"leap".to_string()) && found.contains(&"temple".to_string()),
        "{found:?}"
    );
    assert!(client.shutdown().success());
}

#[test]
fn formatting_gives_the_fmt_layout_and_code_actions_apply_fixes() {
    let (_dir, root) = fleet("edits");
    let path = root.join("clusters/leap/staging.hub");
    let good = std::fs::read_to_string(&path).unwrap();
    let mut client = Client::start(binary(), Some(&root));

    let messy = good.replace("  domain = ", "        domain   =   ");
    client.open(&path, &messy);
    let edits = client.result(
        "textDocument/formatting",
        json!({ "textDocument": text_document(&path), "options": { "tabSize": 2, "insertSpaces": true } }),
    );
    assert_eq!(apply(&messy, edits.as_array().unwrap()), good);

    // A did-you-mean, applied, fixes the file.
    let broken = good.replace(": dask_lab with", ": dask_lb with");
    client.change(&path, 2, &broken);
    client.diagnostics(&path, has_code("hub::resolve::unknown_name"));
    let range =
        json!({ "start": position(&broken, "dask_lb", 0), "end": position(&broken, "dask_lb", 7) });
    let actions = client.result(
        "textDocument/codeAction",
        json!({ "textDocument": text_document(&path), "range": range, "context": { "diagnostics": [] } }),
    );
    let fix = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|action| action["title"] == "Replace with `dask_lab`")
        .unwrap_or_else(|| panic!("{actions:#}"));
    let edits = fix["edit"]["changes"][uri(&path)].as_array().unwrap();
    let fixed = apply(&broken, edits);
    assert_eq!(fixed, good);
    client.change(&path, 3, &fixed);
    client.diagnostics(&path, |diagnostics| diagnostics.is_empty());

    // An override set to the value it inherits anyway: the action deletes it.
    let redundant = good.replace(
        "  display_name = \"LEAP Staging\"\n",
        "  display_name = \"LEAP Staging\"\n  jupyterhub.cull.timeout = 1h\n",
    );
    client.change(&path, 4, &redundant);
    let found = client.diagnostics(&path, has_code("hub::policy::redundant"));
    let warning = found
        .iter()
        .find(|d| d["code"] == "hub::policy::redundant")
        .unwrap();
    let actions = client.result(
        "textDocument/codeAction",
        json!({ "textDocument": text_document(&path), "range": warning["range"], "context": { "diagnostics": [] } }),
    );
    let delete = actions
        .as_array()
        .unwrap()
        .iter()
        .find(|action| action["title"] == "Delete this override")
        .unwrap_or_else(|| panic!("{actions:#}"));
    let edits = delete["edit"]["changes"][uri(&path)].as_array().unwrap();
    assert_eq!(apply(&redundant, edits), good);

    // On a community's own override: reasons, expiry and promotion into the archetype.
    let actions = client.result(
        "textDocument/codeAction",
        json!({
            "textDocument": text_document(&path),
            "range": { "start": position(&good, "jupyterhub.singleuser.extraEnv", 0), "end": position(&good, "jupyterhub.singleuser.extraEnv", 0) },
            "context": { "diagnostics": [] },
        }),
    );
    let titles: Vec<&str> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|action| action["title"].as_str().unwrap())
        .collect();
    assert!(
        titles.iter().any(|t| t.starts_with("Add `@reason`")),
        "{titles:?}"
    );
    assert!(
        titles.iter().any(|t| t.starts_with("Add `@expires`")),
        "{titles:?}"
    );
    assert!(client.shutdown().success());
}

#[test]
fn the_server_survives_malformed_input_unknown_methods_and_panics() {
    let (_dir, root, path, text, mut client) = staging("survives");

    // Not JSON: a parse error with no id, and the server goes on.
    client.send_raw(b"Content-Length: 9\r\n\r\n{not json");
    let error = client
        .wait_for(|message| message["error"]["code"] == -32700)
        .unwrap();
    assert_eq!(error["id"], Value::Null);
    // JSON that is no message: an invalid request, with its id.
    client.send(json!({ "jsonrpc": "2.0", "id": 99 }));
    let error = client.wait_for(|message| message["id"] == 99).unwrap();
    assert_eq!(error["error"]["code"], -32600);
    // A header without a length.
    client.send_raw(b"X-Nothing: 1\r\n\r\n");
    client
        .wait_for(|message| {
            message["error"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("Content-Length"))
        })
        .unwrap();

    // A method the server does not know.
    let answer = client.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": text_document(&path) }),
    );
    assert_eq!(answer["error"]["code"], -32601);
    // Parameters of the wrong shape.
    let answer = client.request("textDocument/hover", json!({ "nonsense": true }));
    assert_eq!(answer["error"]["code"], -32602);

    // A panic inside a handler is answered with an error, and the next request is answered.
    let answer = client.request("hubc/panic", Value::Null);
    assert_eq!(answer["error"]["code"], -32603, "{answer}");
    let hover = client.result(
        "textDocument/hover",
        at(&path, &text, "singleuser.image", 12),
    );
    assert!(
        hover["contents"]["value"]
            .as_str()
            .unwrap()
            .contains("singleuser.image")
    );

    // Files outside any fleet, or not `.hub` at all: empty answers, no error.
    let elsewhere = json!({ "textDocument": { "uri": "file:///nonexistent/x.hub" }, "position": { "line": 0, "character": 0 } });
    assert_eq!(
        client.result("textDocument/hover", elsewhere.clone()),
        Value::Null
    );
    assert_eq!(
        client.result("textDocument/definition", elsewhere),
        Value::Null
    );
    let untitled = json!({ "textDocument": { "uri": "untitled:Untitled-1" }, "position": { "line": 0, "character": 0 } });
    assert_eq!(client.result("textDocument/hover", untitled), Value::Null);
    let readme = json!({ "textDocument": { "uri": uri(&root.join("README.md")) }, "position": { "line": 0, "character": 0 } });
    assert_eq!(
        client.result("textDocument/completion", readme),
        Value::Null
    );
    assert!(client.is_running());
    assert!(client.shutdown().success());
}

#[test]
fn a_file_deleted_while_open_and_a_huge_buffer_are_served() {
    let (_dir, root, path, text, mut client) = staging("deleted_and_huge");
    client.diagnostics(&path, |diagnostics| diagnostics.is_empty());

    // Deleted on disk: the open buffer still holds the file.
    std::fs::remove_file(&path).unwrap();
    client.notify(
        "workspace/didChangeWatchedFiles",
        json!({ "changes": [{ "uri": uri(&path), "type": 3 }] }),
    );
    let broken = text.replace(": dask_lab with", ": dask_lb with");
    client.change(&path, 2, &broken);
    client.diagnostics(&path, has_code("hub::resolve::unknown_name"));
    let hover = client.result(
        "textDocument/hover",
        at(&path, &broken, "singleuser.image", 12),
    );
    assert!(hover["contents"]["value"].is_string());
    // Closed, it is gone from the fleet, and so are its diagnostics.
    client.notify(
        "textDocument/didClose",
        json!({ "textDocument": text_document(&path) }),
    );
    client.diagnostics(&path, |diagnostics| diagnostics.is_empty());

    // A 50 MB buffer: analysed, its diagnostics capped, and the server still answers.
    let huge_path = root.join("clusters/leap/huge.hub");
    let line = "community \"x\" : dask_lab { cluster = leap\n";
    let huge = line.repeat(50 * 1024 * 1024 / line.len());
    client.open(&huge_path, &huge);
    let found = client.diagnostics(&huge_path, |diagnostics| !diagnostics.is_empty());
    assert!(found.len() <= 500, "{}", found.len());
    let other = root.join("clusters/leap/prod.hub");
    let other_text = std::fs::read_to_string(&other).unwrap();
    let symbols = client.result(
        "textDocument/documentSymbol",
        json!({ "textDocument": text_document(&other) }),
    );
    assert!(!symbols.as_array().unwrap().is_empty(), "{other_text}");
    assert!(client.shutdown().success());
}

#[test]
fn a_client_that_hangs_up_ends_the_server() {
    let client = Client::start(binary(), None);
    // Input closed without `shutdown`: the server ends, saying it did not shut down in order.
    assert_eq!(client.hang_up().code(), Some(1));
}

/// Every kind of "did you mean" the compiler gives, made as a typo in a file: the quick fix the
/// server offers for it, applied, gives back the file as it was.
#[test]
fn each_did_you_mean_is_a_quick_fix_that_restores_the_file() {
    let (_dir, root) = fleet("did_you_mean");
    let path = root.join("clusters/leap/prod.hub");
    let good = std::fs::read_to_string(&path).unwrap();
    let cases: &[(&str, &str, &str)] = &[
        // (what is written right, the typo, the code it gives)
        (
            "jupyterhub.singleuser.memory = {",
            "jupyterhub.singleuser.memroy = {",
            "hub::check::unknown_key",
        ),
        (
            "@reason(\"the proxy",
            "@reasn(\"the proxy",
            "hub::syntax::unknown_annotation",
        ),
        (
            "limit = 16GiB }",
            "limit = 16GiBB }",
            "hub::syntax::unknown_unit",
        ),
        (
            "scheduler.memory.limit = 8GiB",
            "scheduler.memory.limit = 8GiBs",
            "hub::syntax::unknown_unit",
        ),
        (
            "cluster = leap",
            "cluster = lep",
            "hub::resolve::unknown_name",
        ),
    ];
    let mut client = Client::start(binary(), Some(&root));
    client.open(&path, &good);
    let mut version = 1;
    for (right, typo, code) in cases {
        assert!(good.contains(right), "`{right}` is in the file");
        let broken = good.replacen(right, typo, 1);
        version += 1;
        client.change(&path, version, &broken);
        let found = client.diagnostics(&path, has_code(code));
        let diagnostic = found.iter().find(|d| d["code"] == *code).unwrap();
        let actions = client.result(
            "textDocument/codeAction",
            json!({ "textDocument": text_document(&path), "range": diagnostic["range"], "context": { "diagnostics": [] } }),
        );
        let fix = actions
            .as_array()
            .unwrap()
            .iter()
            .find(|action| {
                action["kind"] == "quickfix"
                    && action["title"]
                        .as_str()
                        .unwrap()
                        .starts_with("Replace with")
            })
            .unwrap_or_else(|| {
                panic!("no quick fix for {code} on `{typo}`: {diagnostic:#}\n{actions:#}")
            });
        let edits = fix["edit"]["changes"][uri(&path)].as_array().unwrap();
        assert_eq!(apply(&broken, edits), good, "the fix for `{typo}` ({code})");
    }
    assert!(client.shutdown().success());
}
