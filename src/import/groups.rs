//! The hubs of one cluster and chart as a group: the values most of them set the same way become
//! the group's archetype, and each hub keeps only what is its own.
//!
//! A value goes into the group's archetype when every hub of the group sets that path and at
//! least two thirds of them set it to the same value; a hub that sets it otherwise overrides it.
//! Since every hub sets the path, no hub has to delete what the archetype gives, and the values
//! each hub builds to stay exactly those of its files.

use std::collections::BTreeMap;

use super::{collect_leaves, insert, lookup};
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

/// The name of the archetype of a cluster's hubs of one chart: `hubs_leap`, `daskhubs_leap`.
pub fn archetype_name(cluster: &str, chart: &str) -> String {
    let kind = if chart == "basehub" {
        "hubs".to_string()
    } else {
        format!("{chart}s")
    };
    let name: String = format!("{kind}_{cluster}")
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    name
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
    fn archetype_names_are_identifiers() {
        assert_eq!(archetype_name("2i2c-aws-us", "basehub"), "hubs_2i2c_aws_us");
        assert_eq!(archetype_name("leap", "daskhub"), "daskhubs_leap");
    }
}
