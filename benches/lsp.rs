//! The editor server's latency, through its real entry point: `hubc lsp` spawned and driven over
//! JSON-RPC. From a `didChange` of one community file to the `publishDiagnostics` of that
//! version, hover and completion, on the fleet `hubc import` writes from the corpus (when it is
//! here) and on a generated fleet of 10,000 communities; and the server's peak memory.
//!
//! Run with `cargo bench --bench lsp`. BENCHMARKS.md records the figures.

#![allow(clippy::disallowed_methods)] // a benchmark sets up fleets on disk and spawns hubc

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde_json::json;

#[path = "../tests/lsp_client/mod.rs"]
mod lsp_client;

#[path = "../tests/common/fleet.rs"]
mod fleet;

use lsp_client::{Client, position, uri};

const EDITS: usize = 200;
const QUERIES: usize = 200;

fn main() {
    let binary = Path::new(env!("CARGO_BIN_EXE_hubc"));
    let scratch = std::env::temp_dir().join(format!("hubc-bench-lsp-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&scratch);
    std::fs::create_dir_all(&scratch).unwrap();

    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/corpus/2i2c");
    if corpus.is_dir() {
        let root = scratch.join("corpus");
        let status = std::process::Command::new(binary)
            .args([
                "import",
                corpus.to_str().unwrap(),
                "-o",
                root.to_str().unwrap(),
            ])
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "the corpus imports");
        let community = first_community(&root);
        println!("corpus fleet ({} files):", count_hub_files(&root));
        measure(binary, &root, &community, EDITS, QUERIES);
    } else {
        println!("../shared/corpus is missing: the corpus fleet is not measured");
    }

    let root = scratch.join("generated");
    let files = fleet::generate(&fleet::Spec::new(10_000, 50));
    for (name, text) in &files {
        let path = root.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let community = first_community(&root);
    println!(
        "generated fleet of 10,000 communities ({} files):",
        files.len()
    );
    measure(binary, &root, &community, 20, 50);
    let _ = std::fs::remove_dir_all(&scratch);
}

/// Drives one server over the fleet at `root`, editing `community`.
fn measure(binary: &Path, root: &Path, community: &Path, edits: usize, queries: usize) {
    std::fs::create_dir_all(root.join(".git")).unwrap();
    let text = std::fs::read_to_string(community).unwrap();
    let started = Instant::now();
    let mut client = Client::start(binary, Some(root));
    client.open(community, &text);
    client.diagnostics(community, |_| true);
    println!(
        "  open and first diagnostics: {:>8.1} ms",
        millis(started.elapsed())
    );

    // Each edit changes the text of the file (a comment, alternating), so each version is
    // parsed and the fleet analysed again.
    let mut times = Vec::new();
    for version in 2..2 + edits as i64 {
        let edited = format!("{text}\n// edit {}\n", version % 2);
        let started = Instant::now();
        client.change(community, version, &edited);
        let message = client
            .wait_for(|message| {
                message["method"] == "textDocument/publishDiagnostics"
                    && message["params"]["uri"] == uri(community).as_str()
                    && message["params"]["version"] == version
            })
            .expect("diagnostics for each version");
        times.push(started.elapsed());
        drop(message);
    }
    report("didChange -> publishDiagnostics", &mut times);

    let (needle, nth) = hover_target(&text);
    let at = json!({ "textDocument": { "uri": uri(community) }, "position": position(&text, needle, nth) });
    let mut times = Vec::new();
    client.change(community, 1_000_000, &text);
    for _ in 0..queries {
        let started = Instant::now();
        let hover = client.result("textDocument/hover", at.clone());
        times.push(started.elapsed());
        assert!(
            hover["contents"]["value"].is_string(),
            "a hover on `{needle}`: {hover}"
        );
    }
    report("hover", &mut times);

    let mut times = Vec::new();
    for _ in 0..queries {
        let started = Instant::now();
        let items = client.result("textDocument/completion", at.clone());
        times.push(started.elapsed());
        assert!(items.is_array());
    }
    report("completion", &mut times);
    println!(
        "  peak memory of the server: {:>8.1} MB",
        client.peak_memory_mb()
    );
    assert!(client.shutdown().success());
}

/// A key of a statement in the community to hover and complete on.
fn hover_target(text: &str) -> (&str, usize) {
    for needle in ["jupyterhub.", "domain", "cluster"] {
        if text.contains(needle) {
            return (needle, 2);
        }
    }
    panic!("no statement to hover on in:\n{text}");
}

/// The first file (in path order) that declares a community.
fn first_community(root: &Path) -> PathBuf {
    let mut files = hub_files(root);
    files.sort();
    files
        .into_iter()
        .find(|file| {
            std::fs::read_to_string(file)
                .unwrap()
                .lines()
                .any(|line| line.starts_with("community "))
        })
        .expect("a community file")
}

fn count_hub_files(root: &Path) -> usize {
    hub_files(root).len()
}

fn hub_files(directory: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(directory).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            found.extend(hub_files(&path));
        } else if path.extension().is_some_and(|extension| extension == "hub") {
            found.push(path);
        }
    }
    found
}

fn report(what: &str, times: &mut [Duration]) {
    times.sort();
    let at = |quantile: f64| times[((times.len() - 1) as f64 * quantile).round() as usize];
    println!(
        "  {what:<34} median {:>7.2} ms  p99 {:>7.2} ms  max {:>7.2} ms  ({} runs)",
        millis(at(0.5)),
        millis(at(0.99)),
        millis(at(1.0)),
        times.len()
    );
}

fn millis(time: Duration) -> f64 {
    time.as_secs_f64() * 1000.0
}
