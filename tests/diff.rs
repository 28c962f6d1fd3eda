//! End-to-end tests of `hubc diff --base REF`, through the real binary, on git repositories made
//! in temporary directories: `examples/fleet` committed, then commits or working-tree changes to
//! the platform, an archetype, a shared mixin and one community. Each checks the report (JSON,
//! and the GitHub annotations) and the exit code: 0 no change, 2 changes, 1 errors.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::collections::BTreeSet;

use common::repo::Repo;
use common::{TempDir, copy_dir, run};
use serde_json::Value as Json;

const TODAY: &str = "2026-11-26";

impl Repo {
    /// Runs `hubc diff --base BASE fleet --format FORMAT` at the repository root.
    fn diff(&self, base: &str, format: &str) -> (i32, String, String) {
        run(
            self.path(),
            &["diff", "--base", base, "fleet", "--format", format],
        )
    }

    fn diff_json(&self, base: &str) -> (i32, Json) {
        let (code, stdout, stderr) = self.diff(base, "json");
        let report = serde_json::from_str(&stdout)
            .unwrap_or_else(|e| panic!("JSON report ({e}): {stdout}\nstderr: {stderr}"));
        (code, report)
    }

    /// The line (from 1) of `fleet/file` that holds `text`.
    fn line_of(&self, file: &str, text: &str) -> usize {
        let source = std::fs::read_to_string(self.path().join("fleet").join(file)).unwrap();
        source
            .lines()
            .position(|line| line.contains(text))
            .unwrap_or_else(|| panic!("`{text}` is in {file}"))
            + 1
    }
}

fn strings(value: &Json) -> Vec<String> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("a list: {value}"))
        .iter()
        .map(|v| v.as_str().expect("a string").to_string())
        .collect()
}

/// Every community of the example fleet with its archetype, from `hubc drift --format json`.
fn communities(repo: &Repo) -> Vec<(String, String)> {
    let (code, stdout, stderr) = run(repo.path(), &["drift", "fleet", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let report: Json = serde_json::from_str(&stdout).unwrap();
    report["communities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["archetype"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect()
}

fn declaration<'a>(report: &'a Json, name: &str) -> &'a Json {
    report["declarations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["declaration"] == name)
        .unwrap_or_else(|| panic!("`{name}` is among the changed declarations: {report:#}"))
}

#[test]
fn no_change_exits_0_in_every_format() {
    let repo = Repo::new("unchanged");
    let (code, report) = repo.diff_json("HEAD");
    assert_eq!(code, 0);
    assert_eq!(report["changed"], false);
    assert_eq!(report["base"], "HEAD");
    assert_eq!(report["files"], Json::Array(Vec::new()));
    assert_eq!(report["stale_overrides"], Json::Array(Vec::new()));
    for format in ["text", "markdown", "github", "human"] {
        let (code, stdout, stderr) = repo.diff("HEAD", format);
        assert_eq!(code, 0, "{format}: {stderr}");
        assert!(
            stdout.to_lowercase().contains("no changes"),
            "{format}: {stdout}"
        );
    }
    // Comments and layout are not changes: the emitted files stay the same.
    repo.edit(
        "platform.hub",
        "  jupyterhub.cull.every = 10min\n",
        "  // the culler's period\n  jupyterhub.cull.every   =   10min\n",
    );
    let (code, report) = repo.diff_json("HEAD");
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn a_raised_platform_value_reaches_every_community_and_leaves_an_override_stale() {
    let repo = Repo::new("platform");
    repo.edit(
        "platform.hub",
        "limits.memory = 512MiB",
        "limits.memory = 768MiB",
    );
    repo.commit("raise the proxy's memory");
    let (code, report) = repo.diff_json("HEAD~1");
    assert_eq!(code, 2, "{report:#}");
    assert_eq!(report["changed"], true);

    // leap/prod overrides the value with 1GiB: its output does not change, its override is stale.
    let stale = report["stale_overrides"].as_array().unwrap();
    assert_eq!(stale.len(), 1, "{report:#}");
    let stale = &stale[0];
    assert_eq!(stale["community"], "leap/prod");
    assert_eq!(
        stale["path"],
        "jupyterhub.proxy.chp.resources.limits.memory"
    );
    assert_eq!(stale["value"], "1GiB");
    assert_eq!(stale["base_before"], "512MiB");
    assert_eq!(stale["base_after"], "768MiB");
    assert_eq!(stale["class"], "tuned");
    assert_eq!(stale["changed_by"], "basehub");
    assert_eq!(stale["place"]["file"], "fleet/clusters/leap/prod.hub");
    let line = repo.line_of(
        "clusters/leap/prod.hub",
        "jupyterhub.proxy.chp.resources.limits.memory = 1GiB",
    );
    assert_eq!(stale["place"]["line"], line);

    // The blast radius: every community but the one that overrides the value.
    let basehub = declaration(&report, "basehub");
    assert_eq!(basehub["kind"], "platform");
    assert_eq!(basehub["status"], "changed");
    assert_eq!(
        basehub["changes"],
        serde_json::json!([{
            "path": "jupyterhub.proxy.chp.resources.limits.memory",
            "change": "changed",
            "old": "512MiB",
            "new": "768MiB",
        }])
    );
    let all: BTreeSet<String> = communities(&repo).into_iter().map(|(n, _)| n).collect();
    let expected: BTreeSet<String> = all.iter().filter(|n| *n != "leap/prod").cloned().collect();
    let reached: BTreeSet<String> = strings(&basehub["communities"]).into_iter().collect();
    assert_eq!(reached, expected);
    assert_eq!(strings(&basehub["unchanged"]), ["leap/prod"]);
    assert_eq!(strings(&basehub["stale"]), ["leap/prod"]);
    assert_eq!(report["totals"]["communities_changed"], expected.len());

    // Each values file changes by that one value; daskhub nests it under `basehub`.
    let files = report["files"].as_array().unwrap();
    assert_eq!(files.len(), expected.len());
    for file in files {
        assert_eq!(file["status"], "changed");
        let changes = file["changes"].as_array().unwrap();
        assert_eq!(changes.len(), 1, "{file:#}");
        assert!(
            changes[0]["path"]
                .as_str()
                .unwrap()
                .ends_with("jupyterhub.proxy.chp.resources.limits.memory")
        );
        assert_eq!(changes[0]["old"], "\"512Mi\"");
        assert_eq!(changes[0]["new"], "\"768Mi\"");
    }
    assert!(
        files
            .iter()
            .any(|f| f["path"] == "helm/leap/staging.values.yaml"
                && f["changes"][0]["path"]
                    == "basehub.jupyterhub.proxy.chp.resources.limits.memory")
    );

    // GitHub: a warning on the override's line, from the repository root.
    let (code, stdout, _) = repo.diff("HEAD~1", "github");
    assert_eq!(code, 2);
    let warning = format!("::warning file=fleet/clusters/leap/prod.hub,line={line},col=");
    assert!(stdout.contains(&warning), "{stdout}");
    assert!(
        stdout.contains("title=stale override::leap/prod"),
        "{stdout}"
    );
    assert_eq!(stdout.matches("::warning").count(), 1, "{stdout}");

    // Markdown, for the pull request.
    let (code, stdout, _) = repo.diff("HEAD~1", "markdown");
    assert_eq!(code, 2);
    assert!(stdout.starts_with("## hubc diff: `HEAD~1`"), "{stdout}");
    assert!(
        stdout.contains("### \u{26a0}\u{fe0f} Stale overrides"),
        "{stdout}"
    );
    assert!(stdout.contains(&format!("| `fleet/clusters/leap/prod.hub:{line}:50` | `jupyterhub.proxy.chp.resources.limits.memory` | `1GiB` | `512MiB` | `768MiB` (basehub) | tuned | `leap/prod` |")), "{stdout}");
    assert!(
        stdout.contains("#### platform `basehub` (changed)"),
        "{stdout}"
    );
}

#[test]
fn the_incident_a_platform_value_raised_above_an_override_is_reported_not_an_error() {
    let repo = Repo::new("incident");
    repo.edit(
        "platform.hub",
        "limits.memory = 512MiB",
        "limits.memory = 2GiB",
    );
    // The change is in the working tree: the base is the last commit.
    let (code, report) = repo.diff_json("HEAD");
    assert_eq!(code, 2, "{report:#}");
    let stale = &report["stale_overrides"][0];
    assert_eq!(stale["community"], "leap/prod");
    assert_eq!(stale["base_after"], "2GiB");
    // `>= base` in dask_lab: the override is now below the floor.
    assert_eq!(stale["class"], "violation");
    let (_, stdout, stderr) = repo.diff("HEAD", "github");
    assert!(
        stdout.contains("it now breaks the archetype's policy"),
        "{stdout}"
    );
    assert!(stderr.contains("1 policy error"), "{stderr}");
}

#[test]
fn an_archetype_change_reaches_its_communities_and_flags_their_overrides() {
    let repo = Repo::new("archetype");
    // Course servers live longer, and get more memory by default.
    repo.edit(
        "archetypes.hub",
        "jupyterhub.cull.maxAge = 12h",
        "jupyterhub.cull.maxAge = 10h",
    );
    repo.edit(
        "archetypes.hub",
        "jupyterhub.singleuser.memory = { guarantee = 512MiB, limit = 1GiB }",
        "jupyterhub.singleuser.memory = { guarantee = 512MiB, limit = 1280MiB }",
    );
    repo.commit("course: shorter sessions, more memory");
    let (code, report) = repo.diff_json("HEAD~1");
    assert_eq!(code, 2, "{report:#}");
    let course = declaration(&report, "course");
    assert_eq!(course["kind"], "archetype");
    let changed: Vec<String> = course["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| format!("{}: {} -> {}", c["path"], c["old"], c["new"]))
        .collect();
    assert_eq!(
        changed,
        [
            r#""jupyterhub.cull.maxAge": "12h" -> "10h""#,
            r#""jupyterhub.singleuser.memory.limit": "1GiB" -> "1280MiB""#,
        ]
    );
    // `workshop` extends `course`, but no community uses it: only course communities change.
    let expected: BTreeSet<String> = communities(&repo)
        .into_iter()
        .filter(|(_, archetype)| archetype == "course" || archetype == "workshop")
        .map(|(name, _)| name)
        .collect();
    assert!(expected.len() >= 7);
    let reached: BTreeSet<String> = strings(&course["communities"]).into_iter().collect();
    assert_eq!(reached, expected);
    assert_eq!(course["unchanged"], Json::Array(Vec::new()));
    // No other declaration changed.
    assert_eq!(report["declarations"].as_array().unwrap().len(), 1);
    // Every course community sets its own memory limit: each override is stale now.
    let stale: BTreeSet<String> = report["stale_overrides"]
        .as_array()
        .unwrap()
        .iter()
        .inspect(|s| {
            assert_eq!(s["path"], "jupyterhub.singleuser.memory.limit");
            assert_eq!(s["base_before"], "1GiB");
            assert_eq!(s["base_after"], "1280MiB");
            assert_eq!(s["changed_by"], "course");
        })
        .map(|s| s["community"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(stale, expected);
    assert_eq!(
        strings(&course["stale"])
            .into_iter()
            .collect::<BTreeSet<_>>(),
        expected
    );
    // temple's course hubs get their limit from a mixin of the cluster: the place is its line.
    let temple = report["stale_overrides"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["community"] == "temple/prod")
        .unwrap();
    assert_eq!(temple["mixin"], "temple_teaching");
    assert_eq!(temple["place"]["file"], "fleet/clusters/temple/common.hub");
    // One annotation per line, even when several communities share it.
    let lines: BTreeSet<String> = report["stale_overrides"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{}:{}", s["place"]["file"], s["place"]["line"]))
        .collect();
    assert!(lines.len() < expected.len());
    let (_, stdout, _) = repo.diff("HEAD~1", "github");
    let annotations: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::warning"))
        .collect();
    assert_eq!(annotations.len(), lines.len(), "{stdout}");
    assert!(
        annotations
            .iter()
            .any(|a| a.contains("temple/prod, temple/staging override ")),
        "{stdout}"
    );
}

#[test]
fn a_shared_mixin_change_reaches_the_communities_that_use_it() {
    let repo = Repo::new("mixin");
    repo.edit(
        "mixins.hub",
        "subPath = \"_shared-public\"",
        "subPath = \"_shared\"",
    );
    repo.commit("rename the shared folder");
    let (code, report) = repo.diff_json("HEAD~1");
    assert_eq!(code, 2, "{report:#}");
    let mixin = declaration(&report, "shared_public_dir");
    assert_eq!(mixin["kind"], "mixin");
    let path =
        "jupyterhub.singleuser.storage.extraVolumeMounts.1-shared-public-volumemount.subPath";
    assert_eq!(mixin["changes"][0]["path"], path);
    assert_eq!(mixin["changes"][0]["old"], "\"_shared-public\"");
    assert_eq!(mixin["changes"][0]["new"], "\"_shared\"");
    let reached: BTreeSet<String> = strings(&mixin["communities"]).into_iter().collect();
    let users: BTreeSet<String> = [
        "nmfs-openscapes/prod",
        "nmfs-openscapes/staging",
        "temple/prod",
        "temple/staging",
    ]
    .into_iter()
    .map(String::from)
    .collect();
    assert_eq!(reached, users);
    let files: BTreeSet<String> = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["community"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(files, users);
    assert_eq!(report["stale_overrides"], Json::Array(Vec::new()));
    assert_eq!(report["drift"]["bespoke_added"], Json::Array(Vec::new()));
    // The text report says the same for people.
    let (code, stdout, _) = repo.diff("HEAD~1", "text");
    assert_eq!(code, 2);
    assert!(
        stdout.contains("mixin shared_public_dir (changed"),
        "{stdout}"
    );
    assert!(stdout.contains("4 communities change: nmfs-openscapes/prod, nmfs-openscapes/staging, temple/prod, temple/staging"), "{stdout}");
}

#[test]
fn a_new_bespoke_override_is_drift_annotated_on_its_line() {
    let repo = Repo::new("bespoke");
    repo.edit(
        "clusters/hhmi/staging.hub",
        "  jupyterhub.prePuller.hook.enabled = true\n",
        "  jupyterhub.prePuller.hook.enabled = true\n\n  @reason(\"a Dask workshop\")\n  jupyterhub.singleuser.extraEnv.DASK_WORKERS = \"40\"\n",
    );
    let line = repo.line_of("clusters/hhmi/staging.hub", "DASK_WORKERS");
    let (code, report) = repo.diff_json("HEAD");
    assert_eq!(code, 2, "{report:#}");
    let added = report["drift"]["bespoke_added"].as_array().unwrap();
    assert_eq!(added.len(), 1, "{report:#}");
    assert_eq!(added[0]["community"], "hhmi/staging");
    assert_eq!(added[0]["archetype"], "research_group");
    assert_eq!(
        added[0]["path"],
        "jupyterhub.singleuser.extraEnv.DASK_WORKERS"
    );
    assert_eq!(added[0]["value"], "\"40\"");
    assert_eq!(added[0]["reason"], "a Dask workshop");
    assert_eq!(added[0]["place"]["file"], "fleet/clusters/hhmi/staging.hub");
    assert_eq!(added[0]["place"]["line"], line);
    assert_eq!(report["drift"]["bespoke_removed"], Json::Array(Vec::new()));
    let budgets = report["drift"]["budgets"].as_array().unwrap();
    assert_eq!(budgets.len(), 1);
    assert_eq!(budgets[0]["community"], "hhmi/staging");
    assert_eq!(
        budgets[0]["bespoke_after"].as_u64().unwrap(),
        budgets[0]["bespoke_before"].as_u64().unwrap() + 1
    );
    assert_eq!(
        report["drift"]["after"]["bespoke"].as_u64().unwrap(),
        report["drift"]["before"]["bespoke"].as_u64().unwrap() + 1
    );
    // Only the community's own file changes, by the one value; no shared declaration changed.
    assert_eq!(report["declarations"], Json::Array(Vec::new()));
    assert_eq!(
        report["files"],
        serde_json::json!([{
            "path": "helm/hhmi/staging.values.yaml",
            "status": "changed",
            "kind": "values",
            "community": "hhmi/staging",
            "values": report["files"][0]["values"],
            "changes": [{
                "path": "jupyterhub.singleuser.extraEnv.DASK_WORKERS",
                "change": "added",
                "old": null,
                "new": "\"40\"",
            }],
        }])
    );
    let (code, stdout, _) = repo.diff("HEAD", "github");
    assert_eq!(code, 2);
    let warnings: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::warning"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stdout}");
    assert!(
        warnings[0].starts_with(&format!(
            "::warning file=fleet/clusters/hhmi/staging.hub,line={line},col="
        )),
        "{stdout}"
    );
    assert!(warnings[0].contains("title=bespoke drift::"), "{stdout}");
    assert!(warnings[0].contains("research_group"), "{stdout}");
    // Removing it again is drift moving the other way.
    repo.commit("a workshop");
    repo.git(&["revert", "--no-edit", "HEAD"]);
    let (code, report) = repo.diff_json("HEAD~1");
    assert_eq!(code, 2);
    assert_eq!(report["drift"]["bespoke_added"], Json::Array(Vec::new()));
    assert_eq!(
        report["drift"]["bespoke_removed"][0]["path"],
        "jupyterhub.singleuser.extraEnv.DASK_WORKERS"
    );
}

#[test]
fn secret_files_and_communities_come_and_go_by_name() {
    let repo = Repo::new("secrets");
    repo.edit(
        "clusters/hhmi/staging.hub",
        "secrets = [secret(\"enc-staging.secret.values.yaml\")]",
        "secrets = [secret(\"enc-staging.secret.values.yaml\"), secret(\"enc-extra.secret.values.yaml\")]",
    );
    std::fs::remove_file(repo.path().join("fleet/clusters/utoronto/r-prod.hub")).unwrap();
    let (code, report) = repo.diff_json("HEAD");
    assert_eq!(code, 2, "{report:#}");
    let secrets: Vec<String> = report["secrets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| format!("{} {} {}", s["change"], s["community"], s["file"]))
        .collect();
    assert!(
        secrets.contains(&r#""added" "hhmi/staging" "enc-extra.secret.values.yaml""#.to_string()),
        "{secrets:?}"
    );
    assert!(
        secrets
            .iter()
            .any(|s| s.starts_with(r#""removed" "utoronto/r-prod""#)),
        "{secrets:?}"
    );
    assert_eq!(
        strings(&report["drift"]["communities_removed"]),
        ["utoronto/r-prod"]
    );
    let removed = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "helm/utoronto/r-prod.values.yaml")
        .expect("the values file is removed");
    assert_eq!(removed["status"], "removed");
    // The manifest's hub list is keyed by name.
    let manifest = report["files"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["path"] == "clusters/utoronto/cluster.yaml")
        .expect("the manifest changes");
    assert!(
        manifest["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["path"] == "hubs[name=r-prod].domain" && c["change"] == "removed"),
        "{manifest:#}"
    );
}

#[test]
fn the_base_may_be_a_directory() {
    let repo = Repo::new("directory");
    let base = repo.path().join("base-fleet");
    copy_dir(&repo.path().join("fleet"), &base);
    let base = base.to_str().unwrap().to_string();
    let (code, report) = repo.diff_json(&base);
    assert_eq!(code, 0, "{report:#}");
    assert_eq!(report["base"], base.as_str());
    repo.edit(
        "platform.hub",
        "limits.memory = 512MiB",
        "limits.memory = 768MiB",
    );
    let (code, report) = repo.diff_json(&base);
    assert_eq!(code, 2);
    assert_eq!(report["stale_overrides"][0]["community"], "leap/prod");
    // Outside any git repository too.
    let outside = TempDir::new("diff-outside");
    copy_dir(&repo.path().join("fleet"), &outside.join("new"));
    let (code, stdout, stderr) = run(
        outside.path(),
        &["diff", "--base", &base, "new", "--format", "github"],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stdout.contains(&format!(
            "::warning file=new/clusters/leap/prod.hub,line={},",
            repo.line_of("clusters/leap/prod.hub", "limits.memory = 1GiB")
        )),
        "{stdout}"
    );
}

#[test]
fn places_are_named_from_the_repository_root_wherever_hubc_runs() {
    let repo = Repo::new("subdirectory");
    repo.edit(
        "platform.hub",
        "limits.memory = 512MiB",
        "limits.memory = 768MiB",
    );
    let (code, stdout, stderr) = run(
        &repo.path().join("fleet/clusters"),
        &["diff", "--base", "HEAD", "..", "--format", "github"],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stdout.contains(&format!(
            "::warning file=fleet/clusters/leap/prod.hub,line={},",
            repo.line_of("clusters/leap/prod.hub", "limits.memory = 1GiB")
        )),
        "{stdout}"
    );
}

#[test]
fn errors_exit_1_and_the_temporary_checkout_is_removed() {
    let repo = Repo::new("errors");
    let (code, _, stderr) = repo.diff("no-such-branch", "text");
    assert_eq!(code, 1);
    assert!(
        stderr.contains("neither a directory nor a revision"),
        "{stderr}"
    );

    // A base that does not compile is an error, not a difference.
    repo.edit(
        "platform.hub",
        "limits.memory = 512MiB",
        "limits.memory = 512MiBB",
    );
    repo.commit("a typo");
    repo.edit(
        "platform.hub",
        "limits.memory = 512MiBB",
        "limits.memory = 512MiB",
    );
    let temporary = TempDir::new("diff-tmp");
    let output = common::hubc()
        .args([
            "diff",
            "--base",
            "HEAD",
            "fleet",
            "--today",
            TODAY,
            "--color=never",
        ])
        .current_dir(repo.path())
        .env("TMPDIR", temporary.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("hub::syntax::unknown_unit"), "{stderr}");
    assert!(
        stderr.contains("the fleet at `HEAD` has errors"),
        "{stderr}"
    );
    // Succeeding or failing, the checkout of the base is gone.
    let output = common::hubc()
        .args(["diff", "--base", "HEAD~1", "fleet", "--today", TODAY])
        .current_dir(repo.path())
        .env("TMPDIR", temporary.path())
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let left: Vec<_> = std::fs::read_dir(temporary.path()).unwrap().collect();
    assert!(left.is_empty(), "{left:?}");
    // A path that is not in the base revision.
    std::fs::create_dir_all(repo.path().join("other")).unwrap();
    copy_dir(&repo.path().join("fleet"), &repo.path().join("other"));
    let (code, _, stderr) = run(repo.path(), &["diff", "--base", "HEAD", "other"]);
    assert_eq!(code, 1);
    assert!(stderr.contains("other"), "{stderr}");
    // HTML is a drift format only: a usage error, before any work.
    let (code, _, stderr) = repo.diff("HEAD", "html");
    assert_eq!(code, 64);
    assert!(stderr.contains("hub::cli::usage"), "{stderr}");
}
