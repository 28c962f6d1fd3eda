//! The layering of `src/`, as ARCHITECTURE.md states it: a module may use the modules of its own
//! layer and of the layers below, never one above. Every `crate::` path in the code is read; a
//! path to a module above names the file and line.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

/// The layers, lowest first. `main.rs` and `cli/` (and the editor server) are above them all.
const LAYERS: &[&[&str]] = &[
    &["source", "stdlib", "timings"],
    &["diagnostics", "intern"],
    &["syntax"],
    &["format", "schema"],
    &["resolve"],
    &["check"],
    &["analysis"],
    &["emit"],
    &["explain"],
    &["report", "scaffold"],
    &["import"],
    &["driver"],
];

fn layer_of(module: &str) -> Option<usize> {
    LAYERS.iter().position(|layer| layer.contains(&module))
}

/// The top-level module a file of `src/` belongs to: `src/check/policy.rs` is `check`.
fn module_of(relative: &str) -> &str {
    let first = relative.split('/').next().unwrap_or(relative);
    first.strip_suffix(".rs").unwrap_or(first)
}

/// The modules `line` names with a `crate::` path.
fn used_modules(line: &str) -> Vec<&str> {
    line.match_indices("crate::")
        .filter(|(at, _)| {
            // `hubc::crate::` never occurs; skip identifiers that merely end in `crate`.
            !line[..*at].ends_with(|c: char| c.is_alphanumeric() || c == '_')
        })
        .map(|(at, _)| {
            let rest = &line[at + "crate::".len()..];
            let end = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            &rest[..end]
        })
        .filter(|module| !module.is_empty())
        .collect()
}

#[test]
fn no_module_uses_one_of_a_layer_above_it() {
    let src = common::root().join("src");
    let mut violations = Vec::new();
    let mut n_uses = 0;
    for file in common::files_under(&src) {
        if file.extension().is_none_or(|extension| extension != "rs") {
            continue;
        }
        let relative = file
            .strip_prefix(&src)
            .unwrap()
            .to_string_lossy()
            .replace('\\', "/");
        let module = module_of(&relative);
        if matches!(module, "main" | "lib" | "cli" | "lsp") {
            continue;
        }
        let Some(own) = layer_of(module) else {
            violations.push(format!(
                "src/{relative}: module `{module}` is in no layer; add it to ARCHITECTURE.md and this test"
            ));
            continue;
        };
        let text = std::fs::read_to_string(&file).unwrap();
        for (index, line) in text.lines().enumerate() {
            let code = line.trim_start();
            if code.starts_with("//") && !code.starts_with("///") && !code.starts_with("//!") {
                continue;
            }
            for used in used_modules(line) {
                n_uses += 1;
                match layer_of(used) {
                    Some(layer) if layer <= own => {}
                    Some(_) => violations.push(format!(
                        "src/{relative}:{}: `{module}` uses `crate::{used}`, a layer above it",
                        index + 1
                    )),
                    None => violations.push(format!(
                        "src/{relative}:{}: `crate::{used}` is in no layer",
                        index + 1
                    )),
                }
            }
        }
    }
    assert!(
        n_uses > 100,
        "only {n_uses} `crate::` paths read: is src/ there?"
    );
    assert!(violations.is_empty(), "{}", violations.join("\n"));
}

#[test]
fn the_layering_test_reads_paths_as_the_compiler_does() {
    assert_eq!(
        used_modules("use crate::check::policy::{Class, Fit};"),
        ["check"]
    );
    assert_eq!(
        used_modules("let x = crate::emit::helm::values(a, crate::resolve::value::x());"),
        ["emit", "resolve"]
    );
    assert!(used_modules("let my_crate::x = 1;").is_empty());
    assert_eq!(module_of("check/policy.rs"), "check");
    assert_eq!(module_of("explain.rs"), "explain");
    // An upward path is found: `check` is above `resolve`.
    assert!(layer_of("check") > layer_of("resolve"));
}
