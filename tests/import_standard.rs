//! The imported corpus as a standard fleet: the chart's defaults under every hub, the values a
//! cluster's hubs share in the archetype found for them, identity settings classed as such, and
//! what is left per hub small enough to read. Measured on `../shared/corpus/2i2c`.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::path::{Path, PathBuf};

use common::TempDir;
use serde_json::Value as Json;

/// Imports `corpus` (a directory laid out as `../shared/corpus/2i2c`) into `directory/fleet`.
fn import(corpus: &Path, directory: &Path) -> PathBuf {
    let fleet = directory.join("fleet");
    let (code, _, stderr) = common::run(
        directory,
        &[
            "import",
            &corpus.display().to_string(),
            "-o",
            &fleet.display().to_string(),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    fleet
}

fn drift_json(fleet: &Path) -> Json {
    let (code, stdout, stderr) = common::run(fleet, &["drift", ".", "--format", "json"]);
    assert_eq!(code, 0, "{stderr}");
    serde_json::from_str(&stdout).expect("the report is JSON")
}

/// The paths `std.platform` declares as a hub's identity.
fn identity_paths() -> Vec<String> {
    let platform = std::fs::read_to_string(common::root().join("stdlib/platform.hub")).unwrap();
    platform
        .lines()
        .filter_map(|line| line.trim().strip_prefix("identity "))
        .map(|path| path.trim_start_matches("required ").trim().to_string())
        .collect()
}

fn under(path: &str, prefix: &str) -> bool {
    path == prefix
        || path
            .strip_prefix(prefix)
            .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
}

#[cfg_attr(hubc_no_corpus, ignore = "../shared/corpus is missing")]
#[test]
fn the_imported_corpus_is_a_standard_fleet_with_little_bespoke_per_hub() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let directory = TempDir::new("standard");
    let fleet = import(&corpus.join("2i2c"), directory.path());
    let report = drift_json(&fleet);
    let communities = report["communities"].as_array().unwrap();
    assert_eq!(communities.len(), 127);

    // What is left per hub is small: the distribution, printed for the record.
    let mut bespoke: Vec<u64> = communities
        .iter()
        .map(|c| c["bespoke"].as_u64().unwrap())
        .collect();
    bespoke.sort_unstable();
    let median = bespoke[bespoke.len() / 2];
    let p90 = bespoke[bespoke.len() * 9 / 10];
    let max = bespoke[bespoke.len() - 1];
    eprintln!("bespoke overrides per hub: median {median}, 90th percentile {p90}, max {max}");
    assert!(median <= 3, "median {median}");

    // At least 80% of hubs are in a named archetype, not `imported`.
    let named = communities
        .iter()
        .filter(|c| !c["archetype"].as_str().unwrap().starts_with("imported"))
        .count();
    eprintln!("{named} of 127 hubs in a named archetype");
    assert!(named * 5 >= 127 * 4, "{named}");

    // Every value set on an identity path is classed identity, never bespoke; there are some.
    let identities = identity_paths();
    let mut n_identity = 0;
    for community in communities {
        for found in community["overrides"].as_array().unwrap() {
            let path = found["path"].as_str().unwrap();
            if identities.iter().any(|prefix| under(path, prefix)) {
                n_identity += 1;
                assert_eq!(
                    found["class"], "identity",
                    "{path} in {}",
                    community["name"]
                );
            }
        }
    }
    assert!(n_identity > 500, "{n_identity}");

    // `drift --check` fails for reasons the report names: the communities over their budget.
    let (code, text, _) = common::run(&fleet, &["drift", ".", "--check"]);
    let over: Vec<&str> = communities
        .iter()
        .filter(|c| c["over_budget"] == true)
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(code, i32::from(!over.is_empty()), "{text}");
    for name in over.iter().take(5) {
        assert!(text.contains(name), "{name} is not in the report");
    }

    // Values hubs of several clusters set alike themselves are fleet-wide mixins: each used by
    // at least three hubs of at least two clusters, as the report shows.
    let mut uses: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for community in communities {
        for mixin in community["mixins"].as_array().unwrap() {
            let name = community["name"].as_str().unwrap().to_string();
            uses.entry(mixin.as_str().unwrap().to_string())
                .or_default()
                .push(name);
        }
    }
    let declared = std::fs::read_to_string(fleet.join("mixins.hub")).expect("mixins.hub");
    assert!(!uses.is_empty());
    for (mixin, users) in &uses {
        assert!(declared.contains(&format!("mixin {mixin} {{")), "{mixin}");
        let mut clusters: Vec<&str> = users.iter().map(|u| u.split('/').next().unwrap()).collect();
        clusters.dedup();
        clusters.sort_unstable();
        clusters.dedup();
        assert!(
            users.len() >= 3 && clusters.len() >= 2,
            "{mixin}: {users:?}"
        );
    }

    // Every community says why it is where it is.
    for file in common::hub_files(&fleet.join("clusters")) {
        let text = std::fs::read_to_string(&file).unwrap();
        if text.contains("\ncommunity ") {
            assert!(text.contains("/// Placed by `hubc import` in `"), "{text}");
        }
    }
}

/// Sets `jupyterhub.<key>` in every values file that several hubs of a cluster share, as an
/// upstream change to a shared file would.
fn change_shared_files(fleet: &Path, key: &[&str], value: serde_yaml_ng::Value) {
    for cluster in std::fs::read_dir(fleet.join("config/clusters")).unwrap() {
        let cluster = cluster.unwrap().path();
        let Ok(manifest) = std::fs::read_to_string(cluster.join("cluster.yaml")) else {
            continue;
        };
        let manifest: serde_yaml_ng::Value = serde_yaml_ng::from_str(&manifest).unwrap();
        let mut listed = std::collections::BTreeMap::<String, (usize, bool)>::new();
        for hub in manifest["hubs"].as_sequence().into_iter().flatten() {
            let dask = hub["helm_chart"].as_str() == Some("daskhub");
            for file in hub["helm_chart_values_files"]
                .as_sequence()
                .into_iter()
                .flatten()
            {
                let entry = listed.entry(file.as_str().unwrap().to_string());
                entry.or_insert((0, dask)).0 += 1;
            }
        }
        for (file, (count, dask)) in listed {
            let path = cluster.join(&file);
            if count < 2 || file.starts_with("enc-") || !path.exists() {
                continue;
            }
            let mut values: serde_yaml_ng::Value =
                serde_yaml_ng::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let mut steps: Vec<&str> = if dask { vec!["basehub"] } else { vec![] };
            steps.push("jupyterhub");
            steps.extend_from_slice(key);
            let mut at = &mut values;
            for step in &steps[..steps.len() - 1] {
                if !at[*step].is_mapping() {
                    at[*step] = serde_yaml_ng::Value::Mapping(Default::default());
                }
                at = &mut at[*step];
            }
            at[*steps.last().unwrap()] = value.clone();
            std::fs::write(&path, serde_yaml_ng::to_string(&values).unwrap()).unwrap();
        }
    }
}

/// `cluster/name -> archetype` of every community of a fleet.
fn placements(fleet: &Path) -> Vec<(String, String)> {
    let report = drift_json(fleet);
    let mut found: Vec<(String, String)> = report["communities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["name"].as_str().unwrap().to_string(),
                c["archetype"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    found.sort();
    found
}

#[cfg_attr(hubc_no_corpus, ignore = "../shared/corpus is missing")]
#[test]
fn a_small_change_to_shared_files_moves_no_hub() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let directory = TempDir::new("stable");
    let before = placements(&import(&corpus.join("2i2c"), directory.path()));
    // The change that once moved 86 hubs (a culling timeout in a shared file, on a path
    // `research_group` locks), one on a path `course` locks, and one on a tunable path.
    let changes: [(&[&str], serde_yaml_ng::Value); 3] = [
        (&["cull", "timeout"], serde_yaml_ng::Value::from(5400)),
        (
            &["singleuser", "cpu", "limit"],
            serde_yaml_ng::Value::from(3),
        ),
        (
            &["singleuser", "defaultUrl"],
            serde_yaml_ng::Value::from("/tree"),
        ),
    ];
    for (key, value) in changes {
        let changed = TempDir::new("stable-changed");
        common::copy_dir(&corpus.join("2i2c"), &changed.join("corpus"));
        change_shared_files(&changed.join("corpus"), key, value);
        let after = placements(&import(&changed.join("corpus"), changed.path()));
        // What the hubs starting from a shared file share is inherited from their group's
        // archetype, so the change lands there and no hub moves.
        assert_eq!(before.len(), after.len());
        let moved: Vec<String> = before
            .iter()
            .zip(&after)
            .filter(|(old, new)| old != new)
            .map(|(old, new)| format!("{}: {} -> {}", old.0, old.1, new.1))
            .collect();
        assert!(moved.is_empty(), "{key:?} moved {moved:?}");
    }
}

#[cfg_attr(hubc_no_corpus, ignore = "../shared/corpus is missing")]
#[test]
fn an_override_below_the_charts_default_breaks_its_floor_and_a_raised_default_shows_in_the_diff() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let directory = TempDir::new("chart-floor");
    let fleet = import(&corpus.join("2i2c"), directory.path());
    // leap/prod is in an archetype that extends `dask_lab`, whose floor is the chart's 1Gi.
    let prod = fleet.join("clusters/leap/prod.hub");
    let text = std::fs::read_to_string(&prod).unwrap();
    let setting = "proxy.chp.resources.limits.memory = 1Gi";
    assert!(text.contains(setting), "{text}");
    std::fs::write(
        &prod,
        text.replace(setting, "proxy.chp.resources.limits.memory = 512Mi"),
    )
    .unwrap();
    let (code, _, stderr) = common::run(&fleet, &["check", "."]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("hub::policy::below_base"), "{stderr}");
    assert!(
        stderr.contains("is below the inherited 1Gi") && stderr.contains("charts/basehub.hub"),
        "{stderr}"
    );
    std::fs::write(&prod, &text).unwrap();

    // A chart that raises the default: every hub that inherits it gets the new value through
    // Helm, and leap/prod's override now holds it below, stale.
    common::copy_dir(&fleet, &directory.join("base"));
    let chart = fleet.join("charts/basehub.hub");
    let defaults = std::fs::read_to_string(&chart).unwrap();
    let raised = defaults.replacen(
        "    proxy.chp.resources.limits.memory = 1Gi\n",
        "    proxy.chp.resources.limits.memory = 2Gi\n",
        1,
    );
    assert_ne!(raised, defaults);
    std::fs::write(&chart, raised).unwrap();
    let (code, json, stderr) = common::run(
        directory.path(),
        &["diff", "--base", "base", "fleet", "--format", "json"],
    );
    assert_eq!(code, 2, "{stderr}");
    let report: Json = serde_json::from_str(&json).unwrap();
    let stale = report["stale_overrides"].as_array().unwrap();
    assert!(
        stale.iter().any(|s| s["community"] == "leap/prod"
            && s["path"] == "jupyterhub.proxy.chp.resources.limits.memory"
            && s["class"] == "violation"),
        "{stale:?}"
    );
    let declaration = report["declarations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["kind"] == "chart")
        .expect("the chart is in the blast radius");
    let reached = declaration["communities"].as_array().unwrap();
    assert_eq!(reached.len(), 126, "{declaration}");
    assert_eq!(declaration["unchanged"], serde_json::json!(["leap/prod"]));
}
