//! Partial builds (`driver::cache::rebuild`): after an edit to files of communities, a build
//! loads the layers and the communities of the clusters those files touch, builds those
//! clusters again and keeps the rest of the output and of the diagnostics as recorded. Whatever
//! the edit, the output and every diagnostic, in every format, must be those of a cold build of
//! the same fleet, byte for byte: a seeded sequence of edits of every kind checks it, step by
//! step, and that the partial path is the one most of them take.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Output;

use common::fleet::{Spec, generate};
use common::{TempDir, reported, summary};

fn build(fleet: &Path, out: &Path, arguments: &[&str]) -> Output {
    common::hubc()
        .arg("build")
        .arg(fleet)
        .arg("-o")
        .arg(out)
        .args(["--today=2026-11-26", "--color=never", "--warning-limit=0"])
        .args(arguments)
        .output()
        .expect("hubc runs")
}

fn stderr(output: &Output) -> String {
    common::stderr_text(output)
}

fn tree(directory: &Path) -> BTreeMap<String, Vec<u8>> {
    common::file_tree(directory)
}

/// A small deterministic generator of choices (64-bit LCG, high bits).
struct Choices(u64);

impl Choices {
    fn below(&mut self, n: usize) -> usize {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((self.0 >> 33) as usize) % n.max(1)
    }
}

/// The fleet of the test: four clusters; cluster 1's communities in two files; clusters 2 and 3
/// sharing one file.
fn write_fleet(fleet: &Path) -> Vec<PathBuf> {
    let files = generate(&Spec {
        extra_settings: 2,
        ..Spec::new(48, 4)
    });
    let mut communities = Vec::new();
    let mut shared = String::new();
    for (name, text) in files {
        let (name, text) = match name.as_str() {
            "communities/cluster1.hub" => {
                let blocks = blocks(&text);
                let (first, second) = blocks.split_at(blocks.len() / 2);
                write(fleet, "communities/more/cluster1b.hub", &second.concat());
                communities.push(fleet.join("communities/more/cluster1b.hub"));
                (name, first.concat())
            }
            "communities/cluster2.hub" | "communities/cluster3.hub" => {
                shared.push_str(&text);
                continue;
            }
            _ => (name, text),
        };
        if name.starts_with("communities/") {
            communities.push(fleet.join(&name));
        }
        write(fleet, &name, &text);
    }
    write(fleet, "communities/shared.hub", &shared);
    communities.push(fleet.join("communities/shared.hub"));
    communities.sort();
    communities
}

fn write(fleet: &Path, name: &str, text: &str) {
    let path = fleet.join(name);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

/// The community blocks of a file, each with the blank line after it.
fn blocks(text: &str) -> Vec<String> {
    let mut found = Vec::new();
    for block in text.split_inclusive("}\n\n") {
        found.push(block.to_string());
    }
    found
}

/// One edit of a community file's text, of the kind `kind`; `choices` picks where.
fn edit(text: &str, kind: usize, choices: &mut Choices, step: usize) -> (String, &'static str) {
    let mut blocks = blocks(text);
    if blocks.is_empty() {
        return (
            format!(
                "community \"new{step}\" : essential {{\n  cluster = cluster0\n  domain = \"n.example.org\"\n  display_name = \"N\"\n  secrets = []\n}}\n\n"
            ),
            "a community in an emptied file",
        );
    }
    let at = choices.below(blocks.len());
    let block = blocks[at].clone();
    let with_line = |line: &str| block.replacen("\n}", &format!("\n  {line}\n}}"), 1);
    let (new_block, what) = match kind {
        0 => (block.replacen("GiB", "0GiB", 1), "a memory limit changed"),
        1 => (
            with_line("jupyterhub.singleuser.memory.limit = 2GiB"),
            "a value set to what it inherits",
        ),
        2 => (
            with_line("jupyterhub.singleuser.nonsense = 1"),
            "an unknown key",
        ),
        3 => (String::new(), "a community removed"),
        4 => {
            let name = format!("\"fresh{step}\"");
            let renamed = block.replacen(block.split_whitespace().nth(1).unwrap(), &name, 1);
            (format!("{block}{renamed}"), "a community added")
        }
        5 => (format!("{block}{block}"), "a community twice"),
        6 => {
            let cluster = format!("cluster = cluster{}", choices.below(4));
            let moved = block
                .lines()
                .map(|line| {
                    if line.trim_start().starts_with("cluster = ") {
                        format!("  {cluster}")
                    } else {
                        line.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join("\n");
            (format!("{moved}\n\n"), "a community moved to a cluster")
        }
        7 => (
            block.replacen(".example.org", ".example.net", 1),
            "a domain changed",
        ),
        8 => (
            format!("// edited at step {step}\n\n{block}"),
            "the text moved down",
        ),
        9 => (
            format!(
                "mixin extra{step} {{\n  jupyterhub.singleuser.extraEnv.X = \"x\"\n}}\n\n{block}"
            ),
            "a mixin declared",
        ),
        10 => (
            block.replacen("{\n", "{\n  jupyterhub.singleuser.memory.limit = (\n", 1),
            "a syntax error",
        ),
        11 => (
            with_line(
                "@expires(2026-01-01) @reason(\"trial\")\n  jupyterhub.singleuser.extraEnv.TRIAL = \"yes\"",
            ),
            "an expired override",
        ),
        12 => (
            with_line(
                "jupyterhub.singleuser.extraEnv.A1 = \"a\"\n  jupyterhub.singleuser.extraEnv.A2 = \"b\"\n  jupyterhub.singleuser.extraEnv.A3 = \"c\"\n  jupyterhub.singleuser.extraEnv.A4 = \"d\"\n  jupyterhub.singleuser.extraEnv.A5 = \"e\"\n  jupyterhub.singleuser.extraEnv.A6 = \"f\"",
            ),
            "bespoke settings over budget",
        ),
        _ => (
            with_line("jupyterhub.singleuser.memory.limit = 100GiB"),
            "a limit out of bounds",
        ),
    };
    blocks[at] = new_block;
    (blocks.concat(), what)
}

#[test]
fn every_edit_of_communities_builds_what_a_cold_build_builds() {
    let temp = TempDir::new("edits");
    let (fleet, out) = (temp.join("fleet"), temp.join("out"));
    let communities = write_fleet(&fleet);
    let originals: Vec<String> = communities
        .iter()
        .map(|path| std::fs::read_to_string(path).unwrap())
        .collect();
    let first = build(&fleet, &out, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let mut choices = Choices(0x5eed);
    let mut last_good = tree(&out);
    let mut partial = 0;
    let mut failed = 0;
    let steps = 48;
    for step in 0..steps {
        // Now and then a file goes back to how it began, or the platform changes.
        let roll = choices.below(16);
        // An edit that breaks the build, or makes a file of communities more, is undone after
        // its step, so that most steps start from a fleet that builds.
        let mut undo: Option<(PathBuf, String)> = None;
        let mut failing_undo: Option<(PathBuf, String)> = None;
        let what = if roll == 0 {
            let index = choices.below(communities.len());
            std::fs::write(&communities[index], &originals[index]).unwrap();
            "a file restored"
        } else if roll == 1 {
            let platform = fleet.join("platform.hub");
            let text = std::fs::read_to_string(&platform).unwrap();
            std::fs::write(
                &platform,
                text.replacen("every = 600", &format!("every = {}", 600 + step), 1),
            )
            .unwrap();
            "the platform changed"
        } else {
            let index = choices.below(communities.len());
            let text = std::fs::read_to_string(&communities[index]).unwrap();
            let kind = choices.below(14);
            let (edited, what) = edit(&text, kind, &mut choices, step);
            std::fs::write(&communities[index], edited).unwrap();
            let undone = (communities[index].clone(), text);
            if kind == 9 {
                undo = Some(undone);
            } else {
                failing_undo = Some(undone);
            }
            what
        };
        let context = format!("step {step}: {what}");
        let built = build(&fleet, &out, &[]);
        let cold_out = temp.join("cold");
        let _ = std::fs::remove_dir_all(&cold_out);
        let _ = std::fs::remove_file(temp.join(".cold.hubc-record"));
        let cold = build(&fleet, &cold_out, &[]);
        assert_eq!(
            built.status.code(),
            cold.status.code(),
            "{context}: {}",
            stderr(&built)
        );
        assert_eq!(reported(&built), reported(&cold), "{context}");
        if summary(&built).contains("built again") {
            partial += 1;
        }
        if cold.status.success() {
            last_good = tree(&cold_out);
        } else {
            failed += 1;
            undo = undo.or(failing_undo);
        }
        assert!(
            tree(&out) == last_good,
            "{context}: the output differs from a cold build's"
        );
        // The machine formats of the same fleet: replayed, or built again after a failure.
        for format in ["json", "github"] {
            let again = build(&fleet, &out, &["--format", format]);
            let cold = build(
                &fleet,
                &temp.join(&format!("cold-{format}-{step}")),
                &["--format", format],
            );
            assert_eq!(again.stdout, cold.stdout, "{context}: --format {format}");
            assert_eq!(again.status.code(), cold.status.code(), "{context}");
            let _ = std::fs::remove_dir_all(temp.join(&format!("cold-{format}-{step}")));
            let _ = std::fs::remove_file(temp.join(&format!(".cold-{format}-{step}.hubc-record")));
        }
        assert!(
            tree(&out) == last_good,
            "{context}: the output changed when replayed"
        );
        if let Some((path, text)) = undo {
            std::fs::write(path, text).unwrap();
        }
    }
    // Many edits touch one cluster's communities and are built as such (those that fail are
    // not counted); some fail, as the sequence means them to.
    assert!(
        partial * 3 >= steps,
        "only {partial} of {steps} builds were partial"
    );
    assert!(
        failed > 0 && failed < steps,
        "{failed} of {steps} builds failed"
    );
}

/// A partial build that writes files in place is killed at each of its steps: the output is the
/// old one until the journal is written, and the next build finishes it once it is.
#[test]
fn a_partial_build_killed_at_any_step_is_finished_or_undone_by_the_next() {
    if !cfg!(debug_assertions) {
        eprintln!("skipped: only a debug build of hubc reads HUBC_FAULT_AFTER");
        return;
    }
    let temp = TempDir::new("killed-partial");
    let fleet = temp.join("fleet");
    let communities = write_fleet(&fleet);
    let edited = &communities[0];
    let old_text = std::fs::read_to_string(edited).unwrap();
    let new_text = old_text.replacen("\"hello 0\"", "\"hello again\"", 1);
    assert_ne!(old_text, new_text);
    let output_of = |name: &str, text: &str| {
        std::fs::write(edited, text).unwrap();
        let out = temp.join(name);
        let built = build(&fleet, &out, &[]);
        assert!(built.status.success(), "{}", stderr(&built));
        tree(&out)
    };
    let old_tree = output_of("old-output", &old_text);
    let new_tree = output_of("new-output", &new_text);
    let which = |found: &BTreeMap<String, Vec<u8>>| {
        if *found == old_tree {
            "old"
        } else if *found == new_tree {
            "new"
        } else {
            "a mixture"
        }
    };
    let out = temp.join("out");
    let mut seen = std::collections::BTreeSet::new();
    for step in 1.. {
        // The old output, built and recorded, then the edit.
        let _ = std::fs::remove_dir_all(&out);
        std::fs::write(edited, &old_text).unwrap();
        assert!(build(&fleet, &out, &[]).status.success());
        std::fs::write(edited, &new_text).unwrap();
        let killed = common::hubc()
            .arg("build")
            .arg(&fleet)
            .arg("-o")
            .arg(&out)
            .args(["--today=2026-11-26", "--color=never"])
            .env("HUBC_FAULT_AFTER", step.to_string())
            .output()
            .unwrap();
        if killed.status.success() {
            assert!(
                summary(&killed).contains("built again"),
                "{}",
                stderr(&killed)
            );
            assert_eq!(which(&tree(&out)), "new");
            break;
        }
        assert_eq!(
            killed.status.code(),
            None,
            "step {step}: {}",
            stderr(&killed)
        );
        let after_kill = which(&tree(&out));
        seen.insert(after_kill);
        let committed = std::fs::read_dir(temp.path())
            .unwrap()
            .filter_map(Result::ok)
            .any(|entry| {
                entry
                    .file_name()
                    .to_string_lossy()
                    .starts_with(".out.hubc-patch-")
                    && entry.path().join(".hubc-journal").exists()
            });
        let context = format!("killed at step {step} ({after_kill}, committed: {committed})");
        if !committed {
            assert_ne!(after_kill, "a mixture", "{context}");
        }
        // The next build finishes or undoes it, says so, and builds what is left to build.
        let next = build(&fleet, &out, &[]);
        assert!(next.status.success(), "{context}: {}", stderr(&next));
        assert_eq!(which(&tree(&out)), "new", "{context}");
        if committed {
            assert!(
                stderr(&next).contains("finished the update from"),
                "{context}: {}",
                stderr(&next)
            );
        }
        let cached = build(&fleet, &out, &[]);
        assert!(
            summary(&cached).contains("is up to date with"),
            "{context}: {}",
            stderr(&cached)
        );
        let leftovers: Vec<String> = std::fs::read_dir(temp.path())
            .unwrap()
            .filter_map(Result::ok)
            .map(|entry| entry.file_name().to_string_lossy().into_owned())
            .filter(|name| name.starts_with(".out.hubc-") && name != ".out.hubc-record")
            .collect();
        assert!(leftovers.is_empty(), "{context}: {leftovers:?}");
    }
    assert!(
        seen.contains("old") && seen.contains("a mixture"),
        "{seen:?}"
    );
}

/// The imported corpus, whose communities take the standard archetypes (so their diagnostics
/// point into the standard modules): a build again with nothing changed writes nothing, and an
/// edit of each kind to one hub's file builds that hub's cluster again, as a cold build would.
#[test]
fn the_imported_corpus_is_cached_and_built_again_by_cluster() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let temp = TempDir::new("corpus");
    let fleet = temp.join("fleet");
    let imported = common::hubc()
        .arg("import")
        .arg(corpus.join("2i2c"))
        .arg("-o")
        .arg(&fleet)
        .output()
        .unwrap();
    assert!(imported.status.success(), "{}", stderr(&imported));
    let out = temp.join("out");
    let first = build(&fleet, &out, &[]);
    assert!(first.status.success(), "{}", stderr(&first));
    let again = build(&fleet, &out, &[]);
    assert!(
        summary(&again).contains("is up to date with"),
        "{}",
        summary(&again)
    );
    assert_eq!(reported(&again), reported(&first));

    let hub = fleet.join("clusters/2i2c-aws-us/showcase.hub");
    let original = std::fs::read_to_string(&hub).unwrap();
    let edits = [
        original.replacen("display_name = \"", "display_name = \"New ", 1),
        original.replacen(
            "{\n",
            "{\n  jupyterhub.singleuser.extraEnv.EDITED = \"yes\"\n",
            1,
        ),
        original.replacen("{\n", "{\n  jupyterhub.singleuser.nonsense = 1\n", 1),
        format!("// moved down\n\n{original}"),
        original.clone(),
    ];
    for (index, text) in edits.iter().enumerate() {
        std::fs::write(&hub, text).unwrap();
        let built = build(&fleet, &out, &[]);
        let cold_out = temp.join(&format!("cold-{index}"));
        let cold = build(&fleet, &cold_out, &[]);
        let context = format!("edit {index}");
        assert_eq!(
            built.status.code(),
            cold.status.code(),
            "{context}: {}",
            stderr(&built)
        );
        assert_eq!(reported(&built), reported(&cold), "{context}");
        if cold.status.success() {
            assert!(
                summary(&built).contains("(1 cluster built again)"),
                "{context}: {}",
                summary(&built)
            );
            assert!(
                tree(&out) == tree(&cold_out),
                "{context}: the output differs from a cold build's"
            );
        }
    }
}
