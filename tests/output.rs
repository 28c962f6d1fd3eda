//! What `hubc build` and `hubc fmt` do to files already on disk, through the binary: a build
//! replaces only files an earlier build wrote (`.hubc-output` lists them with their hashes),
//! one build of a directory runs at a time, and a build killed at any step leaves the earlier
//! output or the new one whole, which the next build recovers; `fmt` keeps symbolic links and
//! permissions.
//!
//! The kill test steps through every point of the write with `HUBC_FAULT_AFTER=N`, which a
//! debug build of `hubc` reads (it aborts the process at step N, as `kill -9` would stop it).

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use common::TempDir;

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::Output;

/// Runs `hubc build FLEET -o OUT` in `directory` with `environment` added.
fn build(directory: &Path, fleet: &Path, out: &str, environment: &[(&str, &str)]) -> Output {
    let mut command = common::hubc();
    command
        .arg("build")
        .arg(fleet)
        .args(["-o", out, "--today", "2026-11-26", "--color=never"])
        .current_dir(directory)
        .env_remove("HUBC_FAULT_AFTER")
        .env_remove("HUBC_FAULT_NO_EXCHANGE");
    for (name, value) in environment {
        command.env(name, value);
    }
    command.output().expect("hubc runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every file under `directory` by relative path, with its bytes; `None` when there is no
/// directory.
fn tree(directory: &Path) -> Option<BTreeMap<String, Vec<u8>>> {
    directory.is_dir().then(|| {
        common::files_under(directory)
            .into_iter()
            .map(|path| {
                let relative = path.strip_prefix(directory).unwrap().to_string_lossy();
                (relative.into_owned(), std::fs::read(&path).unwrap())
            })
            .collect()
    })
}

/// The names in `directory`.
fn names(directory: &Path) -> BTreeSet<String> {
    std::fs::read_dir(directory)
        .unwrap()
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
}

/// Writes `files` as the directory `directory`, replacing whatever was there.
fn restore(directory: &Path, files: &BTreeMap<String, Vec<u8>>) {
    let _ = std::fs::remove_dir_all(directory);
    for (relative, bytes) in files {
        let path = directory.join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, bytes).unwrap();
    }
}

/// Two versions of the example fleet, under `temp`: `fleets/old` and `fleets/new`, which has
/// one community fewer (so the new output lacks a file and has a changed manifest).
fn two_fleets(temp: &TempDir) -> (PathBuf, PathBuf) {
    let old = temp.join("fleets/old");
    let new = temp.join("fleets/new");
    common::copy_dir(&common::root().join("examples/fleet"), &old);
    common::copy_dir(&old, &new);
    std::fs::remove_file(new.join("clusters/leap/public.hub")).unwrap();
    (old, new)
}

/// The complete output of `fleet`, built into a scratch directory.
fn output_of(temp: &TempDir, fleet: &Path, name: &str) -> BTreeMap<String, Vec<u8>> {
    let scratch = temp.join(name);
    std::fs::create_dir_all(&scratch).unwrap();
    let output = build(&scratch, fleet, "out", &[]);
    assert!(output.status.success(), "{}", stderr(&output));
    let files = tree(&scratch.join("out")).unwrap();
    std::fs::remove_dir_all(&scratch).unwrap();
    files
}

#[test]
fn a_build_killed_at_any_step_leaves_the_old_or_the_new_output_and_the_next_recovers() {
    if !cfg!(debug_assertions) {
        eprintln!("skipped: only a debug build of hubc reads HUBC_FAULT_AFTER");
        return;
    }
    let temp = TempDir::new("killed");
    let (old, new) = two_fleets(&temp);
    let old_tree = output_of(&temp, &old, "old-output");
    let new_tree = output_of(&temp, &new, "new-output");
    assert_ne!(old_tree, new_tree);
    let work = temp.join("work");
    std::fs::create_dir_all(&work).unwrap();
    let out = work.join("out");
    let which = |found: &Option<BTreeMap<String, Vec<u8>>>| match found {
        Some(files) if *files == old_tree => "old",
        Some(files) if *files == new_tree => "new",
        Some(_) => "a mixture",
        None => "missing",
    };

    for exchange in [true, false] {
        let mut fault = vec![];
        if !exchange {
            fault.push(("HUBC_FAULT_NO_EXCHANGE", "1"));
        }
        let mut seen = BTreeSet::new();
        let mut recovered = 0;
        let mut n_steps = 0;
        for step in 1.. {
            restore(&out, &old_tree);
            let at = step.to_string();
            let mut environment = fault.clone();
            environment.push(("HUBC_FAULT_AFTER", &at));
            let killed = build(&work, &new, "out", &environment);
            if killed.status.success() {
                n_steps = step - 1;
                assert_eq!(which(&tree(&out)), "new");
                break;
            }
            assert_eq!(
                killed.status.code(),
                None,
                "step {step}: not killed: {}",
                stderr(&killed)
            );
            let after_kill = which(&tree(&out));
            seen.insert(after_kill);
            let context = format!("exchange: {exchange}, killed at step {step}");
            if exchange {
                assert!(
                    ["old", "new"].contains(&after_kill),
                    "{context}: {after_kill}"
                );
            } else {
                assert!(
                    ["old", "new", "missing"].contains(&after_kill),
                    "{context}: {after_kill}"
                );
                // The next build recovers first; killed right after, it shows what it did.
                let _ = build(&work, &new, "out", &[("HUBC_FAULT_AFTER", "1")]);
                let recovered_as = which(&tree(&out));
                assert!(
                    ["old", "new"].contains(&recovered_as),
                    "{context}: recovered as {recovered_as}"
                );
                if after_kill != "missing" {
                    assert_eq!(recovered_as, after_kill, "{context}");
                }
            }
            let leftovers: Vec<String> = names(&work)
                .into_iter()
                .filter(|name| name.starts_with(".out.hubc-") && name != ".out.hubc-lock")
                .collect();
            let again = build(&work, &new, "out", &[]);
            assert!(again.status.success(), "{context}: {}", stderr(&again));
            assert_eq!(which(&tree(&out)), "new", "{context}");
            // What the recovering build recorded is coherent: the next build finds the output
            // up to date, and leaves it as it is.
            let cached = build(&work, &new, "out", &[]);
            assert!(
                stderr(&cached).contains("is up to date with"),
                "{context}: {}",
                stderr(&cached)
            );
            assert_eq!(which(&tree(&out)), "new", "{context}");
            assert_eq!(names(&work), built_beside(), "{context}");
            if exchange && !leftovers.is_empty() {
                recovered += 1;
                assert!(
                    stderr(&again).contains("hub::io::recovered_output"),
                    "{context}: {leftovers:?}: {}",
                    stderr(&again)
                );
            }
        }
        // One step before the new tree, one per file and one for the marker, then the swap.
        assert!(n_steps > new_tree.len(), "only {n_steps} steps");
        assert!(seen.contains("old") && seen.contains("new"), "{seen:?}");
        if exchange {
            assert!(recovered > 0);
        } else {
            assert!(seen.contains("missing"), "{seen:?}");
        }
    }
}

#[test]
fn leftovers_of_interrupted_builds_are_put_back_or_removed_with_a_warning() {
    let temp = TempDir::new("leftovers");
    let (old, _) = two_fleets(&temp);
    let old_tree = output_of(&temp, &old, "old-output");
    let work = temp.join("work");
    // The output missing, its earlier tree renamed away, and a new one never finished.
    restore(&work.join(".out.hubc-old-4242"), &old_tree);
    restore(
        &work.join(".out.hubc-new-4242"),
        &BTreeMap::from([("helm/half.yaml".to_string(), b"x: ".to_vec())]),
    );
    std::fs::write(work.join(".out.hubc-new-17"), "not a directory\n").unwrap();
    let output = build(&work, &old, "out", &[]);
    let text = stderr(&output);
    assert!(output.status.success(), "{text}");
    assert!(
        text.contains(
            "`out` was left by an interrupted build: put back the earlier output from \
             `.out.hubc-old-4242`"
        ),
        "{text}"
    );
    assert!(
        text.contains("`out` was left by an interrupted build: removed `.out.hubc-new-4242`"),
        "{text}"
    );
    assert!(
        text.contains(" 0 written, 30 unchanged, 0 removed"),
        "{text}"
    );
    // A file of that name is not a build's: left alone.
    assert_eq!(
        names(&work),
        BTreeSet::from([
            "out".to_string(),
            ".out.hubc-record".to_string(),
            ".out.hubc-new-17".to_string()
        ])
    );
}

#[test]
fn a_file_the_build_did_not_write_or_one_changed_since_stops_it_and_survives() {
    let temp = TempDir::new("owned");
    let (old, new) = two_fleets(&temp);
    let work = temp.join("work");
    std::fs::create_dir_all(&work).unwrap();
    let first = build(&work, &old, "out", &[]);
    assert!(first.status.success(), "{}", stderr(&first));

    std::fs::write(work.join("out/helm/notes.txt"), "mine\n").unwrap();
    std::fs::create_dir(work.join("out/empty")).unwrap();
    let edited = work.join("out/helm/leap/prod.values.yaml");
    let mut text = std::fs::read_to_string(&edited).unwrap();
    text.push_str("# tuned by hand\n");
    std::fs::write(&edited, &text).unwrap();
    let before = tree(&work.join("out"));

    let refused = build(&work, &new, "out", &[]);
    let message = stderr(&refused);
    assert_eq!(refused.status.code(), Some(1), "{message}");
    assert!(message.contains("hub::io::foreign_output"), "{message}");
    assert!(
        message.contains(
            "`out` is not hubc's to replace: hubc did not write `out/empty/`, \
             `out/helm/notes.txt`; `out/helm/leap/prod.values.yaml` was changed since the last \
             build"
        ),
        "{message}"
    );
    assert_eq!(tree(&work.join("out")), before);
    assert!(work.join("out/empty").is_dir());
    assert_eq!(names(&work), built_beside());

    // Undone, the build goes ahead.
    std::fs::remove_file(work.join("out/helm/notes.txt")).unwrap();
    std::fs::remove_dir(work.join("out/empty")).unwrap();
    text.truncate(text.len() - "# tuned by hand\n".len());
    std::fs::write(&edited, &text).unwrap();
    let rebuilt = build(&work, &new, "out", &[]);
    assert!(rebuilt.status.success(), "{}", stderr(&rebuilt));
    assert!(
        stderr(&rebuilt).contains(" removed in "),
        "{}",
        stderr(&rebuilt)
    );
}

#[test]
fn a_directory_with_an_empty_or_foreign_marker_is_not_wiped() {
    let temp = TempDir::new("marker");
    let fleet = common::root().join("examples/fleet");
    for (name, marker) in [
        ("empty", ""),
        (
            "older",
            "This directory is written by `hubc build`. Every build replaces it whole.\n",
        ),
        ("garbled", "hubc-output 1\nnot a hash\n"),
    ] {
        let out = temp.join(name);
        std::fs::create_dir_all(out.join("data")).unwrap();
        std::fs::write(out.join(".hubc-output"), marker).unwrap();
        std::fs::write(out.join("data/keep.csv"), "1,2\n").unwrap();
        let before = tree(&out);
        let output = build(temp.path(), &fleet, name, &[]);
        let message = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{name}: {message}");
        assert!(
            message.contains(&format!(
                "hubc did not write `{name}/.hubc-output`, `{name}/data/keep.csv`"
            )),
            "{name}: {message}"
        );
        assert_eq!(tree(&out), before, "{name}");
    }
    // A marker alone is not trusted either.
    let alone = temp.join("alone");
    std::fs::create_dir_all(&alone).unwrap();
    std::fs::write(alone.join(".hubc-output"), "").unwrap();
    let output = build(temp.path(), &fleet, "alone", &[]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(alone.join(".hubc-output").is_file());
}

#[cfg(unix)]
#[test]
fn a_file_where_a_directory_of_the_output_must_be_is_named_and_left_alone() {
    let temp = TempDir::new("file-in-the-way");
    let fleet = common::root().join("examples/fleet");
    std::fs::write(temp.join("in-the-way"), "a file").unwrap();
    for out in ["in-the-way/out", "in-the-way/deeper/out"] {
        let built = build(&temp.join("."), &fleet, out, &[]);
        let said = stderr(&built);
        assert_eq!(built.status.code(), Some(1), "{out}: {said}");
        assert!(said.contains("hub::io::write_failed"), "{out}: {said}");
        assert!(
            said.contains("`in-the-way` is not a directory"),
            "{out}: {said}"
        );
        assert!(!said.contains("File exists"), "{out}: {said}");
        assert_eq!(
            std::fs::read_to_string(temp.join("in-the-way")).unwrap(),
            "a file"
        );
    }
}

#[test]
fn a_second_build_of_the_same_directory_is_refused_while_the_first_holds_the_lock() {
    use std::os::unix::io::AsRawFd;
    let temp = TempDir::new("locked");
    let fleet = common::root().join("examples/fleet");
    let first = build(temp.path(), &fleet, "out", &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let before = tree(&temp.join("out"));

    // Hold the lock as a running build holds it.
    let lock = std::fs::File::create(temp.join(".out.hubc-lock")).unwrap();
    // SAFETY: `flock` only reads the descriptor, which `lock` keeps open.
    let held = unsafe { libc::flock(lock.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) };
    assert_eq!(held, 0);
    let second = build(temp.path(), &fleet, "out", &[]);
    let message = stderr(&second);
    assert_eq!(second.status.code(), Some(1), "{message}");
    assert!(message.contains("hub::io::output_locked"), "{message}");
    assert!(
        message.contains("another `hubc build` is writing `out`"),
        "{message}"
    );
    assert_eq!(tree(&temp.join("out")), before);

    // Released (as when the build holding it ends, however it ends), the next one proceeds and
    // removes the lock file.
    drop(lock);
    let third = build(temp.path(), &fleet, "out", &[]);
    assert!(third.status.success(), "{}", stderr(&third));
    assert_eq!(names(temp.path()), built_beside());
}

#[cfg(unix)]
#[test]
fn fmt_rewrites_the_target_of_a_symbolic_link_and_keeps_the_link_and_permissions() {
    use std::os::unix::fs::PermissionsExt;
    let temp = TempDir::new("fmt-link");
    // A link inside the fleet, to a file of another name inside it (a link out of the fleet is
    // not read at all).
    let target = temp.write(
        "fleet/shared/platform.txt",
        "platform basehub {  chart = \"basehub\" }\n",
    );
    std::fs::set_permissions(&target, std::fs::Permissions::from_mode(0o640)).unwrap();
    std::os::unix::fs::symlink("shared/platform.txt", temp.join("fleet/platform.hub")).unwrap();
    let own = temp.write("fleet/mixins.hub", "mixin a {  x = 1 }\n");
    std::fs::set_permissions(&own, std::fs::Permissions::from_mode(0o604)).unwrap();

    let (code, _, err) = common::run(temp.path(), &["fmt", "fleet"]);
    assert_eq!(code, 0, "{err}");
    assert!(err.starts_with("reformatted 2 of 2 files"), "{err}");
    let link = temp.join("fleet/platform.hub");
    assert!(
        std::fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_link(&link).unwrap(),
        Path::new("shared/platform.txt")
    );
    assert_eq!(
        std::fs::read_to_string(&target).unwrap(),
        "platform basehub {\n  chart = \"basehub\"\n}\n"
    );
    let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&target), 0o640);
    assert_eq!(mode(&own), 0o604);
    assert_eq!(
        std::fs::read_to_string(&own).unwrap(),
        "mixin a {\n  x = 1\n}\n"
    );
    // No temporary file left beside either.
    assert_eq!(
        names(&temp.join("fleet/shared")),
        BTreeSet::from(["platform.txt".into()])
    );
    assert_eq!(
        names(&temp.join("fleet")),
        BTreeSet::from(["platform.hub".into(), "mixins.hub".into(), "shared".into()])
    );
}

/// What a finished build leaves in the directory that holds `out`: the output, and the record
/// the next build reads (README, "A build writes only what changed").
fn built_beside() -> BTreeSet<String> {
    BTreeSet::from(["out".to_string(), ".out.hubc-record".to_string()])
}
