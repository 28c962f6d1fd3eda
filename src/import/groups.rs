//! The hubs of one cluster and chart as a group: the values most of them set the same way become
//! the group's archetype, and each hub keeps only what is its own.
//!
//! A value goes into the group's archetype when every hub of the group sets that path and at
//! least two thirds of them set it to the same value; a hub that sets it otherwise overrides it.
//! Since every hub sets the path, no hub has to delete what the archetype gives, and the values
//! each hub builds to stay exactly those of its files.

use std::collections::BTreeMap;

use super::values::{collect_leaves, insert, lookup};
use crate::emit::Value;

/// The smallest group that gets an archetype of its own.
pub const MIN_GROUP: usize = 2;

/// The values at least two thirds of `trees` set the same way, at paths every tree sets.
pub fn shared_values(trees: &[&Value]) -> Value {
    let mut shared = Value::Map(Vec::new());
    if trees.len() < MIN_GROUP {
        return shared;
    }
    let needed = (2 * trees.len()).div_ceil(3);
    let mut by_path: BTreeMap<Vec<String>, Vec<&Value>> = BTreeMap::new();
    for tree in trees {
        let mut leaves = Vec::new();
        collect_leaves(tree, &mut Vec::new(), &mut leaves);
        for (path, value) in leaves {
            by_path.entry(path).or_default().push(value);
        }
    }
    for (path, values) in by_path {
        if values.len() < trees.len() {
            continue;
        }
        if let Some(value) = most_common(&values, needed) {
            insert(&mut shared, &path, value.clone());
        }
    }
    shared
}

/// The value at least `needed` of `values` are equal to, if any.
fn most_common<'v>(values: &[&'v Value], needed: usize) -> Option<&'v Value> {
    let mut counted: Vec<(&Value, usize)> = Vec::new();
    for value in values {
        match counted.iter_mut().find(|(seen, _)| seen == value) {
            Some((_, count)) => *count += 1,
            None => counted.push((value, 1)),
        }
    }
    counted
        .into_iter()
        .find(|(_, count)| *count >= needed)
        .map(|(value, _)| value)
}

/// What a hub sets beyond what it inherits from `inherited`: every leaf of `tree` whose value
/// differs from the one at the same path of `inherited`.
pub fn own_values(tree: &Value, inherited: &Value) -> Value {
    let mut own = Value::Map(Vec::new());
    let mut leaves = Vec::new();
    collect_leaves(tree, &mut Vec::new(), &mut leaves);
    for (path, value) in leaves {
        if lookup(inherited, &path) != Some(value) {
            insert(&mut own, &path, value.clone());
        }
    }
    own
}

/// Which group a hub of a cluster belongs to: its chart, and the first values file it lists
/// that another hub of the cluster lists too (the file it starts from), if any.
pub type GroupKey = (String, Option<String>);

/// The hubs of a cluster by group: those of one chart that start from the same shared file.
/// `hubs` gives each hub's chart and values files, in Helm order.
pub fn partition(hubs: &[(&str, &[String])]) -> BTreeMap<GroupKey, Vec<usize>> {
    let mut listed: BTreeMap<&str, usize> = BTreeMap::new();
    for (_, files) in hubs {
        for file in files.iter() {
            *listed.entry(file.as_str()).or_default() += 1;
        }
    }
    let mut groups: BTreeMap<GroupKey, Vec<usize>> = BTreeMap::new();
    for (index, (chart, files)) in hubs.iter().enumerate() {
        let base = files.iter().find(|file| listed[file.as_str()] > 1).cloned();
        groups
            .entry((chart.to_string(), base))
            .or_default()
            .push(index);
    }
    groups
}

/// The name of the archetype of a group of a cluster's hubs: `hubs_leap`, `daskhubs_leap`, and
/// when the cluster has several groups of one chart, the file they start from after it
/// (`hubs_opensci_common`; `hubs_opensci_own` for hubs that start from none).
pub fn archetype_name(cluster: &str, (chart, base): &GroupKey, several: bool) -> String {
    let kind = if chart == "basehub" {
        "hubs".to_string()
    } else {
        format!("{chart}s")
    };
    let mut name = format!("{kind}_{cluster}");
    if several {
        let stem = base.as_deref().map_or("own", |file| {
            file.trim_end_matches(".yaml")
                .trim_end_matches(".yml")
                .trim_end_matches(".values")
        });
        name.push('_');
        name.push_str(stem);
    }
    name.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// Values that hubs of several clusters set the same way: a mixin of the fleet.
#[derive(Debug, Clone, PartialEq)]
pub struct Bundle {
    /// Indexes of the hubs that set every value of the bundle.
    pub members: Vec<usize>,
    /// The clusters of those hubs.
    pub clusters: Vec<String>,
    pub values: Value,
}

/// The fewest hubs, clusters and values a fleet-wide mixin is found for.
pub const MIN_BUNDLE_HUBS: usize = 3;
pub const MIN_BUNDLE_CLUSTERS: usize = 2;
pub const MIN_BUNDLE_VALUES: usize = 2;

/// The bundles of values that the same hubs, of several clusters, set the same way in what they
/// set themselves (`owns`: each hub's cluster and own values). Each value goes to the bundle of
/// exactly the hubs that set it so, so a hub takes a bundle whole and two bundles never set one
/// path for one hub. `shareable` says whether a path may be in a mixin at all.
pub fn bundles(owns: &[(&str, &Value)], shareable: &dyn Fn(&[String]) -> bool) -> Vec<Bundle> {
    // Each leaf, keyed by its path and the text of its value, with the hubs that set it so.
    type Leaf = (Vec<String>, String);
    let mut setters: BTreeMap<Leaf, (&Value, Vec<usize>)> = BTreeMap::new();
    for (index, (_, own)) in owns.iter().enumerate() {
        let mut leaves = Vec::new();
        collect_leaves(own, &mut Vec::new(), &mut leaves);
        for (path, value) in leaves {
            if !shareable(&path) {
                continue;
            }
            let key = (path, format!("{value:?}"));
            setters
                .entry(key)
                .or_insert((value, Vec::new()))
                .1
                .push(index);
        }
    }
    let mut by_members: BTreeMap<Vec<usize>, Vec<(Vec<String>, &Value)>> = BTreeMap::new();
    for ((path, _), (value, members)) in setters {
        if members.len() >= MIN_BUNDLE_HUBS {
            by_members.entry(members).or_default().push((path, value));
        }
    }
    let mut found = Vec::new();
    for (members, leaves) in by_members {
        let mut clusters: Vec<String> = members
            .iter()
            .map(|&index| owns[index].0.to_string())
            .collect();
        clusters.sort();
        clusters.dedup();
        if clusters.len() < MIN_BUNDLE_CLUSTERS || leaves.len() < MIN_BUNDLE_VALUES {
            continue;
        }
        let mut values = Value::Map(Vec::new());
        for (path, value) in leaves {
            insert(&mut values, &path, value.clone());
        }
        found.push(Bundle {
            members,
            clusters,
            values,
        });
    }
    found
}

/// The name of a fleet-wide mixin: `shared_` and the last key its values have in common
/// (`shared_extraVolumeMounts`), else the first key of its first value.
pub fn bundle_name(values: &Value) -> String {
    let mut leaves = Vec::new();
    collect_leaves(values, &mut Vec::new(), &mut leaves);
    let paths: Vec<&Vec<String>> = leaves.iter().map(|(path, _)| path).collect();
    let first = paths.first().map_or(&[][..], |path| path.as_slice());
    let common = (0..first.len())
        .take_while(|&at| paths.iter().all(|path| path.get(at) == first.get(at)))
        .count();
    let word = match common {
        0 => first.first().map_or("values", String::as_str),
        n => first[n - 1].as_str(),
    };
    format!("shared_{word}")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, Value)]) -> Value {
        Value::Map(
            entries
                .iter()
                .map(|(key, value)| (key.to_string(), value.clone()))
                .collect(),
        )
    }

    #[test]
    fn two_thirds_of_hubs_setting_a_path_alike_share_it() {
        let a = map(&[("x", Value::Int(1)), ("y", Value::Int(1))]);
        let b = map(&[("x", Value::Int(1)), ("y", Value::Int(2))]);
        let c = map(&[("x", Value::Int(2)), ("y", Value::Int(3))]);
        // x: two of three alike; y: all differ.
        assert_eq!(shared_values(&[&a, &b, &c]), map(&[("x", Value::Int(1))]));
        // A path one hub does not set is never shared, however many others agree: x is set
        // by two hubs alike but not by the third; y is 1, 2, 1.
        let d = map(&[("y", Value::Int(1))]);
        assert_eq!(shared_values(&[&a, &b, &d]), map(&[("y", Value::Int(1))]));
    }

    #[test]
    fn a_hub_keeps_what_differs_from_what_it_inherits() {
        let tree = map(&[("x", Value::Int(1)), ("y", Value::Int(2))]);
        let inherited = map(&[("x", Value::Int(1)), ("y", Value::Int(3))]);
        assert_eq!(own_values(&tree, &inherited), map(&[("y", Value::Int(2))]));
    }

    #[test]
    fn values_hubs_of_several_clusters_set_alike_are_bundled_by_who_sets_them() {
        let binder = map(&[
            (
                "binder",
                map(&[("enabled", Value::Bool(true)), ("port", Value::Int(80))]),
            ),
            ("own", Value::Int(1)),
        ]);
        let other = map(&[("own", Value::Int(1))]);
        let owns = [
            ("a", &binder),
            ("b", &binder),
            ("b", &binder),
            ("a", &other),
            ("c", &other),
        ];
        let found = bundles(&owns, &|_| true);
        // `own` is set alike by all five, but alone: no bundle; the binder pair by three hubs.
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].members, vec![0, 1, 2]);
        assert_eq!(found[0].clusters, vec!["a".to_string(), "b".to_string()]);
        assert_eq!(bundle_name(&found[0].values), "shared_binder");
        // One cluster only is a cluster's matter, not the fleet's.
        let one_cluster = [("a", &binder), ("a", &binder), ("a", &binder)];
        assert!(bundles(&one_cluster, &|_| true).is_empty());
        // A path that may not be shared is left out.
        assert!(
            bundles(&owns, &|path| path.last().map(String::as_str)
                != Some("port"))
            .is_empty()
        );
    }

    #[test]
    fn archetype_names_are_identifiers() {
        let basehub = ("basehub".to_string(), None);
        assert_eq!(
            archetype_name("2i2c-aws-us", &basehub, false),
            "hubs_2i2c_aws_us"
        );
        let common = (
            "daskhub".to_string(),
            Some("common.values.yaml".to_string()),
        );
        assert_eq!(archetype_name("leap", &common, false), "daskhubs_leap");
        assert_eq!(
            archetype_name("leap", &common, true),
            "daskhubs_leap_common"
        );
        assert_eq!(archetype_name("leap", &basehub, true), "hubs_leap_own");
    }

    #[test]
    fn hubs_group_by_chart_and_the_shared_file_they_start_from() {
        let files = |names: &[&str]| names.iter().map(|n| n.to_string()).collect::<Vec<_>>();
        let (a, b, c, d) = (
            files(&["common.yaml", "a.yaml"]),
            files(&["common.yaml", "gpu.yaml", "b.yaml"]),
            files(&["gpu.yaml", "c.yaml"]),
            files(&["d.yaml"]),
        );
        let hubs = [
            ("basehub", a.as_slice()),
            ("basehub", b.as_slice()),
            ("basehub", c.as_slice()),
            ("basehub", d.as_slice()),
            ("daskhub", a.as_slice()),
        ];
        let groups = partition(&hubs);
        let key = |chart: &str, base: Option<&str>| (chart.to_string(), base.map(str::to_string));
        assert_eq!(groups[&key("basehub", Some("common.yaml"))], vec![0, 1]);
        assert_eq!(groups[&key("basehub", Some("gpu.yaml"))], vec![2]);
        assert_eq!(groups[&key("basehub", None)], vec![3]);
        assert_eq!(groups[&key("daskhub", Some("common.yaml"))], vec![4]);
    }
}
