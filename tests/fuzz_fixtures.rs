//! The fuzz targets' invariants (`tests/common/oracles.rs`), replayed on every input the fuzzers
//! found breaking one (`tests/fixtures/fuzz/TARGET/`, kept after the fix) and on the project's
//! own files, which seed the fuzzers: what `fuzz/run` explores from must itself pass.

#![allow(clippy::disallowed_methods)] // tests read files

mod common;

use common::oracles::{self, Oracle, TARGETS};

/// Runs `oracle` on `bytes`, turning a panic into a failure message naming `what`.
fn replay(oracle: Oracle, bytes: &[u8], what: &str) -> Option<String> {
    std::panic::catch_unwind(|| oracle(bytes))
        .err()
        .map(|panic| {
            let message = panic
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| panic.downcast_ref::<&str>().copied())
                .unwrap_or("(no message)");
            format!("{what}: {message}")
        })
}

#[test]
fn every_input_the_fuzzers_found_passes_now() {
    let root = common::root().join("tests/fixtures/fuzz");
    let mut failures = Vec::new();
    let mut replayed = 0;
    for (target, oracle) in TARGETS {
        let directory = root.join(target);
        let Ok(entries) = std::fs::read_dir(&directory) else {
            continue;
        };
        for entry in entries.filter_map(Result::ok) {
            let bytes = std::fs::read(entry.path()).expect("a fixture reads");
            let what = format!("{target}/{}", entry.file_name().to_string_lossy());
            failures.extend(replay(*oracle, &bytes, &what));
            replayed += 1;
        }
    }
    // Every directory under tests/fixtures/fuzz names a target.
    for entry in std::fs::read_dir(&root).expect("tests/fixtures/fuzz exists") {
        let name = entry
            .expect("an entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        assert!(
            name == "README.md" || TARGETS.iter().any(|(target, _)| *target == name),
            "tests/fixtures/fuzz/{name} is not a fuzz target"
        );
    }
    eprintln!("replayed {replayed} inputs found by fuzzing");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_seeds_from_this_repository_pass() {
    let oracle = |name: &str| {
        TARGETS
            .iter()
            .find(|(target, _)| *target == name)
            .map(|(_, oracle)| *oracle)
            .expect("a target")
    };
    let mut failures = Vec::new();
    let mut fleets = Vec::new();
    for directory in ["examples", "stdlib", "tests/fixtures"] {
        for path in common::hub_files(&common::root().join(directory)) {
            let bytes = std::fs::read(&path).expect("a .hub file reads");
            let what = path.display().to_string();
            failures.extend(replay(oracle("parse"), &bytes, &what));
            failures.extend(replay(oracle("format"), &bytes, &what));
        }
    }
    for example in ["examples/fleet", "examples/drifting"] {
        let directory = common::root().join(example);
        let mut fixture = String::new();
        for path in common::hub_files(&directory) {
            let relative = path.strip_prefix(&directory).unwrap_or(&path);
            fixture.push_str(&format!("### {}\n", relative.display()));
            fixture.push_str(&std::fs::read_to_string(&path).expect("a .hub file reads"));
        }
        fleets.push((example, fixture));
    }
    for (example, fixture) in &fleets {
        failures.extend(replay(oracle("fleet"), fixture.as_bytes(), example));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(fleets.len(), 2);
}

/// The one-file targets on inputs that once overflowed the stack or hung (issue cases kept by
/// the limits tests too): here through the fuzz oracles, whose checks are stricter.
#[test]
fn hostile_shapes_pass_the_oracles() {
    let long_path = format!("platform p {{\n  {} = 1\n}}\n", vec!["a"; 50_000].join("."));
    let deep_blocks = format!(
        "platform p {{\n{}{}}}\n",
        "a {\n".repeat(5_000),
        "}\n".repeat(5_000)
    );
    let deep_yaml = format!("a: {}{}\n", "[".repeat(100_000), "]".repeat(100_000));
    let deep_tfvars = format!("x = {}{}\n", "{a = ".repeat(10_000), "}".repeat(10_000));
    let cases: [(&str, Oracle, &str); 5] = [
        ("a path of 50,000 keys", oracles::parse, &long_path),
        (
            "a path of 50,000 keys, formatted",
            oracles::format,
            &long_path,
        ),
        ("blocks 5,000 deep", oracles::fleet, &deep_blocks),
        ("YAML 100,000 deep", oracles::yaml, &deep_yaml),
        ("HCL objects 10,000 deep", oracles::tfvars, &deep_tfvars),
    ];
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(what, oracle, text)| replay(*oracle, text.as_bytes(), what))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
