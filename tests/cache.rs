//! The build cache (`driver::cache`, and the record a build leaves beside its output): a build
//! whose inputs are those of the build that wrote the output writes nothing and reports what
//! that build reported; any change to what the output depends on builds again; and whatever
//! builds ran into a directory before, it ends byte-identical to a cold build of the same fleet.
//! Also here: the output does not depend on how many threads build it.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Output;
use std::time::SystemTime;

use common::fleet::{Spec, generate};
use common::{TempDir, reported, summary};

fn write_fleet(directory: &Path, spec: &Spec) {
    let _ = std::fs::remove_dir_all(directory);
    for (name, text) in generate(spec) {
        let path = directory.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn build(fleet: &Path, out: &Path, arguments: &[&str]) -> Output {
    let mut command = common::hubc();
    command.arg("build").arg(fleet).arg("-o").arg(out);
    if !arguments
        .iter()
        .any(|argument| argument.starts_with("--today"))
    {
        command.arg("--today=2026-11-26");
    }
    command
        .args(["--color=never"])
        .args(arguments)
        .output()
        .expect("hubc runs")
}

fn stderr(output: &Output) -> String {
    common::stderr_text(output)
}

fn is_cached(output: &Output) -> bool {
    assert_eq!(output.status.code(), Some(0), "{}", stderr(output));
    summary(output).contains("is up to date with")
}

/// Every file under `directory`, with its bytes and modification time.
fn tree(directory: &Path) -> BTreeMap<String, (Vec<u8>, SystemTime)> {
    common::files_under(directory)
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(directory).unwrap().display().to_string();
            let modified = std::fs::metadata(&path).unwrap().modified().unwrap();
            (relative, (std::fs::read(&path).unwrap(), modified))
        })
        .collect()
}

fn bytes(tree: &BTreeMap<String, (Vec<u8>, SystemTime)>) -> BTreeMap<&str, &[u8]> {
    tree.iter()
        .map(|(path, (bytes, _))| (path.as_str(), bytes.as_slice()))
        .collect()
}

#[test]
fn a_build_with_nothing_changed_writes_nothing_and_reports_what_the_first_did() {
    let temp = TempDir::new("unchanged");
    let (fleet, out) = (temp.join("fleet"), temp.join("out"));
    write_fleet(&fleet, &Spec::new(60, 3));
    let first = build(&fleet, &out, &["--warning-limit=0"]);
    assert!(!is_cached(&first));
    assert!(
        reported(&first).contains("hub::policy::"),
        "the generated fleet has warnings to replay"
    );
    let before = tree(&out);

    let second = build(&fleet, &out, &["--warning-limit=0"]);
    assert!(is_cached(&second), "{}", summary(&second));
    assert_eq!(reported(&second), reported(&first));
    assert_eq!(tree(&out), before, "a file was rewritten");

    // In every format, and with a limit on the warnings shown.
    for format in ["json", "github"] {
        let cold_out = temp.join(&format!("cold-{format}"));
        let cold = build(&fleet, &cold_out, &["--format", format]);
        let cached = build(&fleet, &cold_out, &["--format", format]);
        assert!(is_cached(&cached));
        assert!(!cold.stdout.is_empty());
        assert_eq!(cached.stdout, cold.stdout, "--format {format}");
    }
    let limited = build(&fleet, &out, &["--warning-limit=2"]);
    assert!(is_cached(&limited));
    assert!(
        reported(&limited).contains("more warnings not shown"),
        "{}",
        reported(&limited)
    );
}

/// Builds run one after another into one directory, over a fleet changed in every way the
/// generator knows (values of the platform, archetypes and mixins; communities moving,
/// appearing, disappearing; secrets; bespoke settings), each twice: the first of each pair
/// builds, the second is cached, and both leave what a cold build of that fleet writes, and
/// report what it reports.
#[test]
fn an_output_removed_from_beside_its_record_is_built_again_whole() {
    let temp = TempDir::new("removed");
    let (fleet, out) = (temp.join("fleet"), temp.join("out"));
    write_fleet(&fleet, &Spec::new(30, 3));
    let first = build(&fleet, &out, &[]);
    assert!(!is_cached(&first));
    let built = bytes(&tree(&out))
        .into_iter()
        .map(|(path, text)| (path.to_string(), text.to_vec()))
        .collect::<BTreeMap<_, _>>();
    let records: Vec<_> = std::fs::read_dir(temp.join("."))
        .unwrap()
        .filter_map(Result::ok)
        .filter(|entry| entry.file_name().to_string_lossy().ends_with("record"))
        .collect();
    assert_eq!(records.len(), 1, "one record beside the output");
    std::fs::remove_dir_all(&out).unwrap();
    let again = build(&fleet, &out, &[]);
    assert!(!is_cached(&again), "{}", summary(&again));
    assert_eq!(reported(&again), reported(&first));
    let rebuilt = tree(&out);
    assert_eq!(bytes(&rebuilt).len(), built.len());
    for (path, text) in bytes(&rebuilt) {
        assert_eq!(Some(text), built.get(path).map(Vec::as_slice), "{path}");
    }
    assert!(
        is_cached(&build(&fleet, &out, &[])),
        "the record was written again"
    );
}

#[test]
fn whatever_was_built_before_the_output_is_that_of_a_cold_build() {
    let temp = TempDir::new("sequence");
    let (fleet, out) = (temp.join("fleet"), temp.join("out"));
    let base = Spec::new(40, 3);
    let mut specs = vec![base.clone()];
    specs.push(Spec {
        cull_timeout: 7200,
        ..base.clone()
    });
    specs.push(Spec {
        move_every: Some(3),
        ..base.clone()
    });
    specs.push(Spec {
        extra_every: Some(4),
        extra_value: "v".into(),
        extra_reason: "a reason".into(),
        distinct: true,
        ..base.clone()
    });
    specs.push(Spec {
        secret_every: Some(5),
        gpu_capabilities: "compute".into(),
        ..base.clone()
    });
    specs.push(Spec::new(25, 2));
    specs.push(Spec {
        extra_settings: 3,
        course_budget: 1,
        ..Spec::new(55, 4)
    });
    specs.push(base.clone());
    for (index, spec) in specs.iter().enumerate() {
        write_fleet(&fleet, spec);
        let built = build(&fleet, &out, &[]);
        assert!(!is_cached(&built), "step {index} was not built");
        let cold_out = temp.join(&format!("cold-{index}"));
        let cold = build(&fleet, &cold_out, &[]);
        let cold_tree = tree(&cold_out);
        assert_eq!(bytes(&tree(&out)), bytes(&cold_tree), "step {index}");
        assert_eq!(reported(&built), reported(&cold), "step {index}");
        let again = build(&fleet, &out, &[]);
        assert!(is_cached(&again), "step {index}: {}", summary(&again));
        assert_eq!(
            bytes(&tree(&out)),
            bytes(&cold_tree),
            "step {index}, cached"
        );
        assert_eq!(reported(&again), reported(&cold), "step {index}, cached");
        std::fs::remove_dir_all(&cold_out).unwrap();
    }
}

#[test]
fn each_input_of_the_output_invalidates_the_record() {
    let temp = TempDir::new("invalidation");
    let (fleet, out) = (temp.join("fleet"), temp.join("out"));
    write_fleet(&fleet, &Spec::new(20, 2));
    assert!(!is_cached(&build(&fleet, &out, &[])));
    assert!(is_cached(&build(&fleet, &out, &[])));

    // The day `@expires` is checked against.
    assert!(!is_cached(&build(&fleet, &out, &["--today=2026-11-27"])));
    assert!(is_cached(&build(&fleet, &out, &["--today=2026-11-27"])));
    assert!(!is_cached(&build(&fleet, &out, &[])));

    // A fleet file's text, even where it changes no output; a new file.
    let platform = fleet.join("platform.hub");
    let text = std::fs::read_to_string(&platform).unwrap();
    std::fs::write(&platform, format!("{text}// a comment\n")).unwrap();
    let commented = build(&fleet, &out, &[]);
    assert!(!is_cached(&commented));
    assert!(
        summary(&commented).contains(" 0 written, "),
        "{}",
        summary(&commented)
    );
    assert!(is_cached(&build(&fleet, &out, &[])));
    std::fs::write(fleet.join("more.hub"), "// nothing yet\n").unwrap();
    assert!(!is_cached(&build(&fleet, &out, &[])));

    // The fleet named another way: diagnostics name its files as it was named.
    let renamed = temp.join("./fleet/");
    assert!(is_cached(&build(&fleet, &out, &[])));
    let other_name = build(&renamed.join("."), &out, &[]);
    assert!(!is_cached(&other_name));

    // The record: lost, or damaged.
    let record = temp.join(".out.hubc-record");
    assert!(record.is_file());
    std::fs::remove_file(&record).unwrap();
    assert!(!is_cached(&build(&fleet, &out, &[])));
    std::fs::write(&record, "hubc-record 1\nnonsense\n").unwrap();
    assert!(!is_cached(&build(&fleet, &out, &[])));
    assert!(is_cached(&build(&fleet, &out, &[])));

    // The output: a file touched but not changed is still the one written; a file changed by
    // hand is refused as before, and nothing is written.
    let some_file = common::files_under(&out)
        .into_iter()
        .find(|path| path.extension().is_some_and(|e| e == "yaml"))
        .unwrap();
    let contents = std::fs::read(&some_file).unwrap();
    std::fs::write(&some_file, &contents).unwrap();
    assert!(is_cached(&build(&fleet, &out, &[])));
    std::fs::write(&some_file, b"changed: true\n").unwrap();
    let refused = build(&fleet, &out, &[]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(stderr(&refused).contains("hub::io::foreign_output"));
    assert_eq!(std::fs::read(&some_file).unwrap(), b"changed: true\n");
    std::fs::write(&some_file, &contents).unwrap();
    assert!(is_cached(&build(&fleet, &out, &[])));
    // A file added to the output is refused too.
    std::fs::write(out.join("stray.txt"), "mine\n").unwrap();
    let refused = build(&fleet, &out, &[]);
    assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
    assert!(out.join("stray.txt").is_file());
}

/// Whatever changed in an output since its record, at any depth, the next build sees it: it
/// builds again what is gone, and refuses what it did not write, never taking the output as
/// recorded. (A file changed by hand with its size and time kept is not seen: stamps are what
/// make and Cargo trust too.)
#[test]
fn every_change_to_an_output_since_its_record_is_seen() {
    let temp = TempDir::new("changed-output");
    let (fleet, out) = (temp.join("fleet"), temp.join("out"));
    write_fleet(&fleet, &Spec::new(30, 3));
    let cold_out = temp.join("cold");
    assert!(build(&fleet, &cold_out, &[]).status.success());
    let cold = tree(&cold_out);
    let cold = bytes(&cold);
    let paths: Vec<&str> = cold.keys().copied().collect();
    // A file of a cluster's values, in its cluster's directory, and one of another kind, in
    // another directory, named like no file of the first.
    let first = *paths.iter().find(|p| p.starts_with("helm/")).unwrap();
    let first_directory = Path::new(first).parent().unwrap();
    let second = *paths.iter().find(|p| p.starts_with("clusters/")).unwrap();
    let second_name = Path::new(second).file_name().unwrap();
    assert!(!cold.contains_key(first_directory.join(second_name).to_str().unwrap()));
    type Change<'a> = Box<dyn Fn(&Path) + 'a>;
    let gone: Vec<(&str, Change<'_>)> = vec![
        (
            "a file removed",
            Box::new(|out| std::fs::remove_file(out.join(first)).unwrap()),
        ),
        (
            "a directory of files removed",
            Box::new(|out| std::fs::remove_dir_all(out.join(first_directory)).unwrap()),
        ),
        (
            "a top directory removed",
            Box::new(|out| std::fs::remove_dir_all(out.join("helm")).unwrap()),
        ),
    ];
    let added: Vec<(&str, Change<'_>)> = vec![
        (
            "a file moved to another directory",
            Box::new(|out| {
                let moved = out.join(first_directory).join(second_name);
                std::fs::rename(out.join(second), moved).unwrap()
            }),
        ),
        (
            "a file renamed in its directory",
            Box::new(|out| {
                std::fs::rename(out.join(first), out.join(format!("{first}.old"))).unwrap()
            }),
        ),
        (
            "a file added below",
            Box::new(|out| {
                std::fs::write(out.join(first_directory).join("notes.txt"), "").unwrap()
            }),
        ),
        (
            "an empty directory added at the top",
            Box::new(|out| std::fs::create_dir(out.join("empty")).unwrap()),
        ),
        (
            "an empty directory added below",
            Box::new(|out| std::fs::create_dir(out.join(first_directory).join("empty")).unwrap()),
        ),
        (
            "a file made a directory",
            Box::new(|out| {
                std::fs::remove_file(out.join(first)).unwrap();
                std::fs::create_dir(out.join(first)).unwrap();
                std::fs::write(out.join(first).join("inside"), "").unwrap();
            }),
        ),
        (
            "a symbolic link added",
            Box::new(|out| {
                #[cfg(unix)]
                std::os::unix::fs::symlink(
                    out.join(second),
                    out.join(first_directory).join("link"),
                )
                .unwrap();
                #[cfg(not(unix))]
                std::fs::write(out.join(first_directory).join("link"), "").unwrap();
            }),
        ),
    ];
    let fresh = |out: &Path| {
        let _ = std::fs::remove_dir_all(out);
        let _ = std::fs::remove_file(temp.join(".out.hubc-record"));
        assert!(!is_cached(&build(&fleet, out, &[])));
        assert!(is_cached(&build(&fleet, out, &[])));
    };
    for (what, change) in &gone {
        fresh(&out);
        change(&out);
        let missing = cold.len() - tree(&out).len();
        let built = build(&fleet, &out, &[]);
        assert!(!is_cached(&built), "{what}: taken as recorded");
        assert_eq!(bytes(&tree(&out)), cold, "{what}: not built again");
        assert!(
            summary(&built).contains(&format!(": {missing} written, ")),
            "{what}: {missing} files are written again: {}",
            summary(&built)
        );
    }
    for (what, change) in &added {
        fresh(&out);
        change(&out);
        let refused = build(&fleet, &out, &[]);
        assert_eq!(
            refused.status.code(),
            Some(1),
            "{what}: {}",
            stderr(&refused)
        );
        assert!(
            stderr(&refused).contains("hub::io::foreign_output"),
            "{what}: {}",
            stderr(&refused)
        );
    }
}

/// A tree nested in the output as deep as paths go is refused like any other stray, never
/// walked down to the bottom (a walk that recursed once per level ran out of stack).
#[test]
fn a_tree_nested_deep_in_the_output_is_refused() {
    let temp = TempDir::new("deep-output");
    let (fleet, out) = (temp.join("fleet"), temp.join("out"));
    write_fleet(&fleet, &Spec::new(10, 2));
    assert!(!is_cached(&build(&fleet, &out, &[])));
    // Levels of `a/` as deep as a path of Linux's length (4,096 bytes) allows: about 2,000.
    let levels = 4000usize.saturating_sub(out.as_os_str().len()) / 2;
    let mut deep = out.clone();
    for _ in 0..levels {
        deep.push("a");
    }
    std::fs::create_dir_all(&deep).unwrap();
    for _ in 0..5 {
        let refused = build(&fleet, &out, &[]);
        assert_eq!(refused.status.code(), Some(1), "{}", stderr(&refused));
        assert!(
            stderr(&refused).contains("hub::io::"),
            "{}",
            stderr(&refused)
        );
    }
}

/// Parsing, emission and writing run on every core: one thread or several, the files and the
/// diagnostics are the same, byte for byte.
#[test]
fn output_is_the_same_whatever_the_number_of_threads() {
    let temp = TempDir::new("threads");
    let fleet = temp.join("fleet");
    write_fleet(&fleet, &Spec::new(300, 7));
    let mut runs = Vec::new();
    for threads in ["1", "2", "5"] {
        let out = temp.join(&format!("out-{threads}"));
        let output = common::hubc()
            .arg("build")
            .arg(&fleet)
            .arg("-o")
            .arg(&out)
            .args(["--today=2026-11-26", "--color=never", "--warning-limit=0"])
            .env("RAYON_NUM_THREADS", threads)
            .output()
            .expect("hubc runs");
        assert!(!is_cached(&output));
        let tree: BTreeMap<String, Vec<u8>> = tree(&out)
            .into_iter()
            .map(|(path, (bytes, _))| (path, bytes))
            .collect();
        assert!(tree.len() > 300);
        runs.push((threads, tree, reported(&output)));
    }
    let (_, first_tree, first_reported) = &runs[0];
    for (threads, tree, reported) in &runs[1..] {
        assert!(
            tree == first_tree,
            "{threads} threads wrote other files than one"
        );
        assert_eq!(
            reported, first_reported,
            "{threads} threads reported otherwise"
        );
    }
}
