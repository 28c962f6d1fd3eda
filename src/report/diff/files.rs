//! The emitted files of two versions of a fleet, compared: each file's values path by path
//! (YAML read back, Terraform variables as the build computes them), and the secret files each
//! hub layers on, by name only.

use std::collections::{BTreeMap, BTreeSet};

use super::{FileDiff, SecretChange, Side, ValueChange};
use crate::analysis::Analysis;
use crate::emit::{Output, Value};
use crate::resolve::value::DeclId;
use crate::syntax::ast::DeclKind;

pub(super) fn file_diffs(base: &Side<'_>, head: &Side<'_>) -> Vec<FileDiff> {
    let (old_terraform, new_terraform) = (
        terraform_files(base.analysis),
        terraform_files(head.analysis),
    );
    let (base, head) = (base.output, head.output);
    let paths: BTreeSet<&String> = base.files.keys().chain(head.files.keys()).collect();
    let mut diffs = Vec::new();
    for path in paths {
        let (kind, community) = file_kind(path);
        let (status, values, changes) = match (base.files.get(path), head.files.get(path)) {
            (Some(old), Some(new)) if old == new => continue,
            (Some(old), Some(new)) => {
                let old = flat_values(path, old, &old_terraform);
                let new = flat_values(path, new, &new_terraform);
                ("changed", new.len(), value_changes(&old, &new))
            }
            (None, Some(new)) => {
                let values = flat_values(path, new, &new_terraform).len();
                ("added", values, Vec::new())
            }
            (Some(old), None) => {
                let values = flat_values(path, old, &old_terraform).len();
                ("removed", values, Vec::new())
            }
            (None, None) => continue,
        };
        diffs.push(FileDiff {
            path: path.clone(),
            status: status.to_string(),
            kind: kind.to_string(),
            community,
            values,
            changes,
        });
    }
    diffs
}

/// What an emitted file is, from its path, and the community of a values file.
fn file_kind(path: &str) -> (&'static str, Option<String>) {
    let parts: Vec<&str> = path.split('/').collect();
    match parts.as_slice() {
        ["helm", cluster, file] => (
            "values",
            file.strip_suffix(".values.yaml")
                .map(|name| format!("{cluster}/{name}")),
        ),
        ["clusters", ..] => ("manifest", None),
        ["terraform", ..] => ("terraform", None),
        _ => ("other", None),
    }
}

/// The Terraform variables of every cluster, by the path of their `.tfvars` file, as the build
/// computes them: the file's text is `terraform fmt` layout, its values these.
fn terraform_files(analysis: &Analysis) -> BTreeMap<String, Value> {
    let fleet = &analysis.fleet;
    let mut files = BTreeMap::new();
    for (index, decl) in fleet.decls.iter().enumerate() {
        let cluster = DeclId(index as u32);
        if decl.kind != DeclKind::Cluster {
            continue;
        }
        let hubs: Vec<DeclId> = fleet
            .communities
            .iter()
            .copied()
            .filter(|&hub| fleet.decl(hub).cluster == Some(cluster))
            .collect();
        let Ok(provider) = crate::emit::cluster::provider(analysis, cluster, &hubs) else {
            continue;
        };
        let (Some(module), Some(path)) = (&provider.terraform, provider.tfvars_path()) else {
            continue;
        };
        let variables = crate::emit::cluster::terraform_variables(
            analysis,
            cluster,
            &provider,
            module,
            &hubs,
            &mut Vec::new(),
        );
        if !variables.is_empty() {
            files.insert(path, Value::Map(variables));
        }
    }
    files
}

/// The values of an emitted file, by path: YAML read back, Terraform variables as built. A file
/// that reads back as neither is one value, its text.
fn flat_values(
    path: &str,
    text: &str,
    terraform: &BTreeMap<String, Value>,
) -> BTreeMap<String, String> {
    let value = if let Some(variables) = terraform.get(path) {
        Some(variables.clone())
    } else if path.ends_with(".yaml") {
        serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text)
            .ok()
            .map(|yaml| crate::emit::readback::read_back(&yaml))
    } else {
        None
    };
    let mut flat = BTreeMap::new();
    match value {
        Some(value) => flatten(&value, String::new(), &mut flat),
        None => {
            flat.insert("(text)".to_string(), leaf_text(&Value::str(text)));
        }
    }
    flat
}

fn flatten(value: &Value, prefix: String, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Map(entries) if !entries.is_empty() => {
            for (key, child) in entries {
                let key = key_text(key);
                let path = if prefix.is_empty() {
                    key
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(child, path, out);
            }
        }
        Value::List(elements)
            if elements
                .iter()
                .any(|e| matches!(e, Value::Map(_) | Value::List(_))) =>
        {
            let key = ["slug", "name"]
                .into_iter()
                .find_map(|key| list_ids(elements, key).map(|ids| (key, ids)));
            for (index, element) in elements.iter().enumerate() {
                let step = match &key {
                    Some((key, ids)) => format!("[{key}={}]", key_text(&ids[index])),
                    None => format!("[{index}]"),
                };
                flatten(element, format!("{prefix}{step}"), out);
            }
        }
        _ => {
            out.insert(prefix, leaf_text(value));
        }
    }
}

/// The `key` of every element of a list of maps, when each has a distinct text one.
fn list_ids(elements: &[Value], key: &str) -> Option<Vec<String>> {
    let ids: Vec<String> = elements
        .iter()
        .map(|element| match element {
            Value::Map(entries) => entries.iter().find_map(|(k, v)| match v {
                Value::Str(id) if k == key => Some(id.clone()),
                _ => None,
            }),
            _ => None,
        })
        .collect::<Option<_>>()?;
    let distinct: BTreeSet<&String> = ids.iter().collect();
    (distinct.len() == ids.len()).then_some(ids)
}

fn key_text(key: &str) -> String {
    if crate::syntax::is_bare_key(key) {
        key.to_string()
    } else {
        crate::syntax::quote(key)
    }
}

/// A value on one line: strings quoted as in JSON, lists and maps inline.
fn leaf_text(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format!("{f:?}"),
        Value::Str(s) => serde_json::to_string(s).unwrap_or_default(),
        Value::List(elements) => {
            let inner: Vec<String> = elements.iter().map(leaf_text).collect();
            format!("[{}]", inner.join(", "))
        }
        Value::Map(entries) if entries.is_empty() => "{}".to_string(),
        Value::Map(entries) => {
            let inner: Vec<String> = entries
                .iter()
                .map(|(k, v)| format!("{} = {}", key_text(k), leaf_text(v)))
                .collect();
            format!("{{ {} }}", inner.join(", "))
        }
    }
}

pub(super) fn value_changes(
    old: &BTreeMap<String, String>,
    new: &BTreeMap<String, String>,
) -> Vec<ValueChange> {
    let paths: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    paths
        .into_iter()
        .filter_map(|path| {
            let (before, after) = (old.get(path), new.get(path));
            let change = match (before, after) {
                (Some(b), Some(a)) if a == b => return None,
                (Some(_), Some(_)) => "changed",
                (None, _) => "added",
                (_, None) => "removed",
            };
            Some(ValueChange {
                path: path.clone(),
                change: change.to_string(),
                old: before.cloned(),
                new: after.cloned(),
            })
        })
        .collect()
}

/// The secret files each hub layers on, from the deploy manifests: every values file but the
/// one hubc writes. Names only: nothing reads them.
fn secret_files(output: &Output) -> BTreeSet<(String, String)> {
    let mut found = BTreeSet::new();
    for (path, text) in &output.files {
        let Some(cluster) = path
            .strip_prefix("clusters/")
            .and_then(|rest| rest.strip_suffix("/cluster.yaml"))
        else {
            continue;
        };
        let Ok(yaml) = serde_yaml_ng::from_str::<serde_yaml_ng::Value>(text) else {
            continue;
        };
        let Value::Map(manifest) = crate::emit::readback::read_back(&yaml) else {
            continue;
        };
        let Some((_, Value::List(hubs))) = manifest.iter().find(|(k, _)| k == "hubs") else {
            continue;
        };
        for hub in hubs {
            let Value::Map(entries) = hub else { continue };
            let get = |key: &str| entries.iter().find(|(k, _)| k == key).map(|(_, v)| v);
            let (Some(Value::Str(name)), Some(Value::List(files))) =
                (get("name"), get("helm_chart_values_files"))
            else {
                continue;
            };
            for file in files {
                if let Value::Str(file) = file
                    && !file.starts_with("../../helm/")
                {
                    found.insert((format!("{cluster}/{name}"), file.clone()));
                }
            }
        }
    }
    found
}

pub(super) fn secret_changes(base: &Output, head: &Output) -> Vec<SecretChange> {
    let (old, new) = (secret_files(base), secret_files(head));
    let mut changes: Vec<SecretChange> = new
        .difference(&old)
        .map(|(community, file)| (community, file, "added"))
        .chain(
            old.difference(&new)
                .map(|(community, file)| (community, file, "removed")),
        )
        .map(|(community, file, change)| SecretChange {
            community: community.clone(),
            file: file.clone(),
            change: change.to_string(),
        })
        .collect();
    changes.sort();
    changes
}
