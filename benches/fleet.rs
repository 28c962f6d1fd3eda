//! Resolution, type checking and drift classification of a generated fleet of 10,000
//! communities: the whole analysis `hubc check` runs, without the disk.

#![allow(clippy::disallowed_methods)] // tests set up and read files

use std::hint::black_box;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use hubc::driver::{self, Session};

/// The generator the diff tests use too.
#[path = "../tests/common/fleet.rs"]
mod fleet;

/// The allocator the `hubc` binary uses.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const N_COMMUNITIES: usize = 10_000;
const N_CLUSTERS: usize = 50;
const RUNS: usize = 5;
const N_WIDE: usize = 20_000;

fn main() {
    // `cargo bench --bench fleet -- write DIR N`: writes a fleet of N communities to DIR for
    // whole-process measurements (benches/compare.sh) and stops.
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    if let Some(at) = arguments.iter().position(|argument| argument == "write") {
        let directory = PathBuf::from(arguments.get(at + 1).expect("write DIR N"));
        let communities: usize = arguments
            .get(at + 2)
            .and_then(|n| n.parse().ok())
            .expect("write DIR N: N communities");
        write(&directory, communities);
        return;
    }
    let files = generate();
    let lines: usize = files.iter().map(|(_, text)| text.lines().count()).sum();
    let session = load(&files);
    let mut first = session;
    let analysis = driver::analyze(&mut first, (2026, 11, 26)).expect("the fleet parses");
    let errors: Vec<_> = first.diagnostics.iter().filter(|d| d.is_error()).collect();
    assert!(
        errors.is_empty(),
        "the generated fleet has errors: {:?}",
        &errors[..errors.len().min(3)]
    );
    println!(
        "generated fleet: {} communities on {} clusters, {} files, {lines} lines",
        analysis.fleet.communities.len(),
        N_CLUSTERS,
        files.len()
    );
    let mut parse_times = Vec::new();
    let mut analyze_times = Vec::new();
    let mut emit_times = Vec::new();
    let mut n_files = 0;
    for _ in 0..RUNS {
        let started = Instant::now();
        let mut session = load(&files);
        parse_times.push(started.elapsed());
        let started = Instant::now();
        let analysis = driver::analyze(&mut session, (2026, 11, 26)).expect("the fleet parses");
        analyze_times.push(started.elapsed());
        let started = Instant::now();
        let (output, _) = hubc::emit::build(&analysis, &|_| String::new());
        emit_times.push(started.elapsed());
        n_files = output.files.len();
        black_box(output);
        // Dropping the analysis is left out of the timings, as `hubc` exits without it.
        std::mem::forget(analysis);
        std::mem::forget(session);
    }
    report("parse", &parse_times);
    report("analyze", &analyze_times);
    report("emit", &emit_times);
    println!("emitted {n_files} files");
    wide_community();
}

/// One community with `N_WIDE` overrides of its own: every pass over a community's overrides
/// must stay linear in their number.
fn wide_community() {
    let mut text = String::from(
        "import std.basehub\n\nplatform basehub {\n  chart = \"basehub\"\n}\n\narchetype open extends basehub {\n}\n\ncluster c {\n  provider = gcp { project = \"p\", region = \"us-central1\", zone = \"us-central1-b\" }\n}\n\ncommunity \"wide\" : open {\n  cluster = c\n  domain = \"wide.example.org\"\n  display_name = \"Wide\"\n",
    );
    for index in 0..N_WIDE {
        text.push_str(&format!(
            "  jupyterhub.singleuser.extraEnv.VARIABLE_{index} = \"{index}\"\n"
        ));
    }
    text.push_str("}\n");
    let files = vec![("wide.hub".to_string(), text)];
    let mut times = Vec::new();
    for _ in 0..RUNS {
        let mut session = load(&files);
        let started = Instant::now();
        let analysis = driver::analyze(&mut session, (2026, 11, 26)).expect("the fleet parses");
        times.push(started.elapsed());
        let errors = session.diagnostics.iter().filter(|d| d.is_error()).count();
        assert_eq!(
            errors,
            0,
            "the wide community has errors: {:?}",
            session.diagnostics.first()
        );
        std::mem::forget(analysis);
        std::mem::forget(session);
    }
    println!("one community with {N_WIDE} overrides:");
    report("analyze", &times);
}

fn load(files: &[(String, String)]) -> Session {
    let mut session = Session::default();
    for (name, text) in files {
        driver::add_file(&mut session, PathBuf::from(name), text.as_bytes());
    }
    driver::load_imports(&mut session, None);
    session
}

fn report(what: &str, times: &[Duration]) {
    let best = times.iter().min().expect("runs");
    let mean = times.iter().sum::<Duration>() / times.len() as u32;
    println!(
        "{what:<8} best {:>8.1} ms  mean {:>8.1} ms",
        best.as_secs_f64() * 1000.0,
        mean.as_secs_f64() * 1000.0
    );
}

/// Writes a fleet of `communities` communities (one cluster per 200) to `directory`.
fn write(directory: &std::path::Path, communities: usize) {
    let spec = fleet::Spec::new(communities, communities.div_ceil(200).max(1));
    for (name, text) in fleet::generate(&spec) {
        let path = directory.join(name);
        std::fs::create_dir_all(path.parent().expect("a file in the fleet")).expect("mkdir");
        std::fs::write(&path, text).expect("the fleet is written");
    }
}

fn generate() -> Vec<(String, String)> {
    fleet::generate(&fleet::Spec::new(N_COMMUNITIES, N_CLUSTERS))
}
