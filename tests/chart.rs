//! `chart` declarations: the defaults Helm supplies are inherited by every community and never
//! written into its values file. Proven against Helm's own rule: the chart's defaults coalesced
//! with what hubc writes (maps merge, a `null` drops a default) must equal the values hubc
//! resolves when the same defaults are an ordinary platform's values.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use hubc::emit::Value;
use proptest::prelude::*;

/// Boolean settings of the basehub schema, and the maps above them a community may delete.
const LEAVES: &[&str] = &[
    "nfs.enabled",
    "nfs.pv.enabled",
    "nfs.shareCreator.enabled",
    "jupyterhub.cull.enabled",
    "jupyterhub.prePuller.continuous.enabled",
    "jupyterhub.prePuller.hook.enabled",
    "jupyterhub.scheduling.userScheduler.enabled",
    "jupyterhub-home-nfs.enabled",
];

fn fleet(chart_block: &str, platform_values: &str, community: &str) -> String {
    format!(
        "import std.basehub\nimport std.clusters\n\n{chart_block}\n\
         platform base {{\n  chart = \"basehub\"\n{platform_values}}}\n\n\
         archetype group extends base {{}}\n\n\
         cluster c {{\n  provider = kubeconfig {{}}\n}}\n\n\
         community hub : group {{\n  cluster = c\n  domain = \"hub.example.org\"\n  display_name = \"Hub\"\n{community}}}\n"
    )
}

/// The values file of `c/hub` in a fleet, or the diagnostics that stopped it.
fn values_of(text: &str) -> Value {
    let (session, analysis) = common::analyze_fixture(text);
    let errors: Vec<String> = session
        .diagnostics
        .iter()
        .filter(|d| d.severity == hubc::diagnostics::Severity::Error)
        .map(|d| d.code.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:?} in\n{text}");
    let analysis = analysis.expect("the fleet analyses");
    let id = analysis
        .fleet
        .find_community("hub", &analysis.names)
        .expect("the community exists");
    hubc::emit::helm::values(&analysis, id)
}

/// Helm's coalescing of user values over chart defaults: maps merge, a `null` drops the default,
/// anything else replaces it.
fn coalesce(defaults: &Value, user: &Value) -> Value {
    match (defaults, user) {
        (Value::Map(base), Value::Map(over)) => {
            let mut out: Vec<(String, Value)> = Vec::new();
            for (key, value) in base {
                match over.iter().find(|(k, _)| k == key) {
                    Some((_, Value::Null)) => {}
                    Some((_, over_value)) => out.push((key.clone(), coalesce(value, over_value))),
                    None => out.push((key.clone(), value.clone())),
                }
            }
            for (key, value) in over {
                if !base.iter().any(|(k, _)| k == key) && *value != Value::Null {
                    out.push((key.clone(), value.clone()));
                }
            }
            Value::sorted_map(out)
        }
        (_, user) => user.clone(),
    }
}

/// Empty maps say nothing to Helm: dropped, so that both sides compare by content.
fn prune(value: Value) -> Option<Value> {
    match value {
        Value::Map(entries) => {
            let kept: Vec<(String, Value)> = entries
                .into_iter()
                .filter_map(|(key, value)| prune(value).map(|value| (key, value)))
                .collect();
            (!kept.is_empty()).then(|| Value::sorted_map(kept))
        }
        other => Some(other),
    }
}

fn statements(settings: &[(usize, bool)], indent: &str) -> String {
    settings
        .iter()
        .map(|(leaf, on)| format!("{indent}{} = {on}\n", LEAVES[*leaf]))
        .collect()
}

/// The maps and leaves a `delete` may name, above or at a leaf the chart sets.
fn deletable(chart: &[(usize, bool)]) -> Vec<String> {
    let mut paths: Vec<String> = Vec::new();
    for (leaf, _) in chart {
        let steps: Vec<&str> = LEAVES[*leaf].split('.').collect();
        for end in 1..=steps.len() {
            let path = steps[..end].join(".");
            if !paths.contains(&path) {
                paths.push(path);
            }
        }
    }
    paths.sort();
    paths
}

fn unique(settings: Vec<(usize, bool)>) -> Vec<(usize, bool)> {
    let mut seen = std::collections::BTreeMap::new();
    for (leaf, on) in settings {
        seen.insert(leaf, on);
    }
    seen.into_iter().collect()
}

proptest! {
    #![proptest_config(common::proptest_config(48))]

    #[test]
    fn the_chart_and_what_hubc_writes_coalesce_to_the_resolved_values(
        chart in prop::collection::vec((0..LEAVES.len(), any::<bool>()), 1..6).prop_map(unique),
        own in prop::collection::vec((0..LEAVES.len(), any::<bool>()), 0..5).prop_map(unique),
        delete_picks in prop::collection::vec(any::<prop::sample::Index>(), 0..2),
    ) {
        let candidates = deletable(&chart);
        let mut deletes: Vec<String> = delete_picks
            .iter()
            .map(|pick| candidates[pick.index(candidates.len())].clone())
            .collect();
        deletes.sort();
        deletes.dedup();
        // A delete under another one would delete what is gone already.
        let kept: Vec<String> = deletes
            .iter()
            .filter(|path| !deletes.iter().any(|other| path.starts_with(&format!("{other}."))))
            .cloned()
            .collect();
        let mut community: String = kept.iter().map(|path| format!("  delete {path}\n")).collect();
        community.push_str(&statements(&own, "  "));

        let chart_block = format!("chart basehub {{\n{}}}\n", statements(&chart, "  "));
        let with_chart = values_of(&fleet(&chart_block, "", &community));
        let as_platform = values_of(&fleet("", &statements(&chart, "  "), &community));
        let defaults = values_of(&fleet("", &statements(&chart, "  "), ""));

        // Nothing the chart alone sets is written.
        for (leaf, _) in &chart {
            let set_by_hub = own.iter().any(|(own_leaf, _)| own_leaf == leaf);
            let path: Vec<&str> = LEAVES[*leaf].split('.').collect();
            if !set_by_hub {
                prop_assert!(
                    !matches!(lookup(&with_chart, &path), Some(value) if *value != Value::Null),
                    "{} was written although only the chart sets it", LEAVES[*leaf]
                );
            }
        }
        prop_assert_eq!(
            prune(coalesce(&defaults, &with_chart)),
            prune(as_platform),
            "chart {:?}, community:\n{}", chart, community
        );
    }
}

fn lookup<'v>(value: &'v Value, path: &[&str]) -> Option<&'v Value> {
    let mut value = value;
    for step in path {
        let Value::Map(entries) = value else {
            return None;
        };
        value = &entries.iter().find(|(k, _)| k == step)?.1;
    }
    Some(value)
}

#[test]
fn a_chart_extends_a_chart_and_daskhub_hubs_inherit_basehub_defaults() {
    let text = "import std.basehub\nimport std.clusters\n\n\
        chart basehub {\n  nfs.enabled = false\n  jupyterhub.cull.enabled = true\n}\n\n\
        chart daskhub extends basehub {\n  jupyterhub.cull.enabled = false\n}\n\n\
        platform dask {\n  chart = \"daskhub\"\n}\n\n\
        archetype group extends dask {\n  tunable nfs\n}\n\n\
        cluster c {\n  provider = kubeconfig {}\n}\n\n\
        community hub : group {\n  cluster = c\n  domain = \"hub.example.org\"\n  display_name = \"Hub\"\n  nfs.enabled = false\n}\n";
    let (session, analysis) = common::analyze_fixture(text);
    let analysis = analysis.expect("the fleet analyses");
    let id = analysis
        .fleet
        .find_community("hub", &analysis.names)
        .expect("the community exists");
    // The defaults of both charts are inherited, the daskhub one winning...
    let keys = hubc::explain::split_path("jupyterhub.cull.enabled").expect("a path");
    let Ok(explained) = hubc::explain::explain(&analysis, &session.sources, id, &keys) else {
        panic!("jupyterhub.cull.enabled has no value");
    };
    assert!(
        explained.contains("= false  [inherited]")
            && explained.contains("chart basehub")
            && explained.contains("chart daskhub"),
        "{explained}"
    );
    // ...an override equal to a default is redundant, and nothing only the charts set is written:
    // the hub's own `nfs.enabled` is, under `basehub:`.
    let drift = &analysis.drift[0];
    let nfs = hubc::explain::split_path("nfs.enabled").expect("a path");
    let nfs: Vec<_> = nfs
        .iter()
        .map(|k| analysis.names.get(k).expect("interned"))
        .collect();
    assert_eq!(drift.class_of(&nfs), hubc::check::policy::Class::Redundant);
    let values = hubc::emit::helm::values(&analysis, id);
    let expected = Value::Map(vec![(
        "basehub".to_string(),
        Value::Map(vec![(
            "nfs".to_string(),
            Value::Map(vec![("enabled".to_string(), Value::Bool(false))]),
        )]),
    )]);
    assert_eq!(values, expected);
}

#[test]
fn charts_have_their_own_namespace_and_name_a_known_chart() {
    // `chart basehub` beside `platform basehub` is no clash; two charts of one name are.
    let clash = common::check_fleet(
        "import std.basehub\n\nchart basehub {}\nchart basehub {}\nplatform basehub {\n  chart = \"basehub\"\n}\n",
    );
    assert!(
        clash.contains("hub::resolve::duplicate_declaration") && clash.matches("× ").count() == 1,
        "{clash}"
    );
    // A chart whose values schema is not loaded is reported at its name.
    let unknown = common::check_fleet("chart superhub {\n  a = 1\n}\n");
    assert!(unknown.contains("hub::resolve::unknown_chart"), "{unknown}");
    assert!(unknown.contains("chart superhub"), "{unknown}");
    // A chart extends only a chart.
    let wrong = common::check_fleet(
        "import std.basehub\n\nplatform p {\n  chart = \"basehub\"\n}\nchart basehub extends p {}\n",
    );
    assert!(wrong.contains("hub::resolve::unknown_name"), "{wrong}");
}
