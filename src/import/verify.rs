//! The import's own proof, in two parts. A generated fleet that `hubc check` would reject is
//! not written: each error found in it becomes a `hub::import::fails_check` diagnostic that points
//! into the YAML (or Terraform) file the offending value most likely came from. And the fleet it
//! writes builds back to the values it read: every hub's values file, read back from the text the
//! build would write, must equal the Helm merge of the hub's original files, and every Terraform
//! project's variables those of its original file (`hub::import::inexact`).

use std::collections::BTreeMap;

use super::{ImportError, ImportInput, hcl, yaml};
use crate::diagnostics::Diagnostic;
use crate::emit::{Output, Value};
use crate::source::{Loc, SourceMap, Span};

/// What the build of the imported fleet must write, by output path.
#[derive(Debug, Default)]
pub struct Expected {
    /// `helm/<cluster>/<hub>.values.yaml`: the merged values, and the hub's entry in its
    /// `cluster.yaml`.
    pub values: BTreeMap<String, (Value, Loc)>,
    /// `terraform/<module>/<project>.tfvars`: the variables, and the original file.
    pub tfvars: BTreeMap<String, (Value, Loc)>,
}

/// The ways the build of the imported fleet differs from what was imported.
pub fn verify(expected: &Expected, output: &Output) -> Vec<ImportError> {
    let mut errors = Vec::new();
    let mut scratch = SourceMap::default();
    for (path, (values, at)) in &expected.values {
        let built = output.files.get(path).and_then(|text| {
            let file = scratch.add(path.as_str(), text.as_str());
            yaml::parse(file, scratch.get(file)).ok()
        });
        if let Some(difference) = difference(values, built.as_ref(), &mut Vec::new()) {
            errors.push(ImportError::Inexact {
                subject: format!("hub `{}`", hub_name(path)),
                difference,
                at: *at,
            });
        }
    }
    for (path, (variables, at)) in &expected.tfvars {
        let built = output
            .files
            .get(path)
            .and_then(|text| hcl::parse_tfvars(text).ok())
            .map(Value::Map);
        if let Some(difference) = difference(variables, built.as_ref(), &mut Vec::new()) {
            errors.push(ImportError::Inexact {
                subject: format!("the variables file `{path}`"),
                difference,
                at: *at,
            });
        }
    }
    for path in output.files.keys() {
        let is_values = path.starts_with("helm/") && !expected.values.contains_key(path);
        let is_tfvars = path.starts_with("terraform/") && !expected.tfvars.contains_key(path);
        if is_values || is_tfvars {
            errors.push(ImportError::Inexact {
                subject: "the imported fleet".to_string(),
                difference: format!(
                    "its build would write `{path}`, which the input does not have"
                ),
                at: expected
                    .values
                    .values()
                    .chain(expected.tfvars.values())
                    .map(|(_, at)| *at)
                    .next()
                    .unwrap_or(Loc::new(
                        crate::source::FileId(0),
                        crate::source::Span::default(),
                    )),
            });
        }
    }
    errors
}

/// `cluster/hub` from `helm/<cluster>/<hub>.values.yaml`.
fn hub_name(path: &str) -> String {
    path.trim_start_matches("helm/")
        .trim_end_matches(".values.yaml")
        .to_string()
}

/// The first place where `built` differs from `wanted`, said in words; maps compare key by key,
/// whatever their order, and an empty map counts as absent.
fn difference(wanted: &Value, built: Option<&Value>, at: &mut Vec<String>) -> Option<String> {
    let Some(built) = built else {
        return Some(format!("{} is missing", place(at)));
    };
    match (wanted, built) {
        (Value::Map(wanted_entries), Value::Map(built_entries)) => {
            let built_map: BTreeMap<&str, &Value> = built_entries
                .iter()
                .map(|(key, value)| (key.as_str(), value))
                .collect();
            for (key, value) in wanted_entries {
                let built_value = built_map.get(key.as_str()).copied();
                if built_value.is_none() && is_empty_map(value) {
                    continue;
                }
                at.push(key.clone());
                let found = difference(value, built_value, at);
                at.pop();
                if found.is_some() {
                    return found;
                }
            }
            let wanted_keys: std::collections::BTreeSet<&str> =
                wanted_entries.iter().map(|(key, _)| key.as_str()).collect();
            built_entries
                .iter()
                .find(|(key, value)| !wanted_keys.contains(key.as_str()) && !is_empty_map(value))
                .map(|(key, _)| {
                    at.push(key.clone());
                    let text = format!("{} is added", place(at));
                    at.pop();
                    text
                })
        }
        (Value::List(wanted_elements), Value::List(built_elements))
            if wanted_elements.len() == built_elements.len() =>
        {
            for (index, (left, right)) in wanted_elements.iter().zip(built_elements).enumerate() {
                at.push(index.to_string());
                let found = difference(left, Some(right), at);
                at.pop();
                if found.is_some() {
                    return found;
                }
            }
            None
        }
        (left, right) if left == right => None,
        (left, right) => Some(format!(
            "{} is {} instead of {}",
            place(at),
            short(right),
            short(left)
        )),
    }
}

/// Whether a value is `{}`, which Helm treats as no value at all: values maps are coalesced
/// with the chart's defaults, so an empty map added or left out changes nothing.
fn is_empty_map(value: &Value) -> bool {
    matches!(value, Value::Map(entries) if entries.is_empty())
}

/// The path of a difference, for a message.
fn place(at: &[String]) -> String {
    if at.is_empty() {
        "the whole file".to_string()
    } else {
        format!("`{}`", at.join("."))
    }
}

/// A value for a message, cut short.
fn short(value: &Value) -> String {
    let text = match value {
        Value::Null => "null".to_string(),
        Value::Bool(flag) => flag.to_string(),
        Value::Int(int) => int.to_string(),
        Value::Float(float) => format!("{float:?}"),
        Value::Str(text) => format!("{text:?}"),
        Value::List(elements) => format!("a list of {}", elements.len()),
        Value::Map(entries) => format!("a map of {}", entries.len()),
    };
    if text.chars().count() > 60 {
        let cut: String = text.chars().take(60).collect();
        format!("{cut}…")
    } else {
        text
    }
}

/// The diagnostics that refuse an import, one for each error `generated` holds. `generated`
/// are the diagnostics of the analysis of the generated files, whose names are in
/// `generated_sources`; the YAML files are added to `sources` to be pointed at.
pub fn rejections(
    input: &ImportInput,
    generated: &[Diagnostic],
    generated_sources: &SourceMap,
    sources: &mut SourceMap,
) -> Vec<Diagnostic> {
    let mut rejected = Vec::new();
    for diagnostic in generated.iter().filter(|d| d.is_error()) {
        let generated_name = generated_sources
            .get(diagnostic.file)
            .name
            .replace('\\', "/");
        let (file, at) = origin(input, &generated_name, &diagnostic.message);
        let text = input
            .files
            .get(&file)
            .map(|bytes| crate::syntax::decode(bytes).0.into_owned())
            .unwrap_or_default();
        let id = sources.add(file.clone(), text);
        let error = ImportError::FailsCheck {
            file,
            reason: format!("{} ({})", diagnostic.message, diagnostic.code),
            at: Loc::new(id, at),
        };
        rejected.push(Diagnostic::from_located(&error));
    }
    rejected
}

/// The input file a generated file's error most likely comes from, and the place in it: the
/// first mention of the last key of the path the message names, in the cluster's files (the
/// hub's own files first), or the start of the cluster's `cluster.yaml`.
fn origin(input: &ImportInput, generated_name: &str, message: &str) -> (String, Span) {
    let mut parts = generated_name
        .split('/')
        .skip_while(|part| *part != "clusters");
    let cluster = parts.nth(1).unwrap_or_default();
    let hub = parts
        .next()
        .and_then(|file| file.strip_suffix(".hub"))
        .unwrap_or_default();
    let key = message
        .split('`')
        .nth(1)
        .and_then(|path| path.rsplit('.').next())
        .map(|key| key.trim_matches('"'))
        .unwrap_or_default();
    let directory = format!("config/clusters/{cluster}/");
    let mut candidates: Vec<&String> = input
        .files
        .keys()
        .filter(|path| {
            path.starts_with(&directory)
                || (path.starts_with("terraform/") && path.ends_with(&format!("/{cluster}.tfvars")))
        })
        .collect();
    candidates.sort_by_key(|path| !path[directory.len().min(path.len())..].starts_with(hub));
    if !key.is_empty() {
        for path in &candidates {
            let text = String::from_utf8_lossy(&input.files[*path]);
            if let Some(start) = text.find(key) {
                return ((*path).clone(), Span::new(start, start + key.len()));
            }
        }
    }
    (format!("{directory}cluster.yaml"), Span::new(0, 0))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(entries: &[(&str, Value)]) -> Value {
        Value::map_of(entries)
    }

    #[test]
    fn maps_compare_whatever_their_order() {
        let left = map(&[("a", Value::Int(1)), ("b", Value::Null)]);
        let right = map(&[("b", Value::Null), ("a", Value::Int(1))]);
        assert_eq!(difference(&left, Some(&right), &mut Vec::new()), None);
    }

    #[test]
    fn an_empty_map_counts_as_absent_as_for_helm() {
        let left = map(&[("a", Value::Int(1))]);
        let right = map(&[("a", Value::Int(1)), ("basehub", map(&[]))]);
        assert_eq!(difference(&left, Some(&right), &mut Vec::new()), None);
        assert_eq!(difference(&right, Some(&left), &mut Vec::new()), None);
        let full = map(&[
            ("a", Value::Int(1)),
            ("basehub", map(&[("b", Value::Null)])),
        ]);
        assert_eq!(
            difference(&left, Some(&full), &mut Vec::new()).as_deref(),
            Some("`basehub` is added")
        );
    }

    #[test]
    fn the_first_difference_is_named_by_its_path() {
        let left = map(&[("a", map(&[("b", Value::Int(1))]))]);
        let right = map(&[("a", map(&[("b", Value::str("1"))]))]);
        assert_eq!(
            difference(&left, Some(&right), &mut Vec::new()).as_deref(),
            Some("`a.b` is \"1\" instead of 1")
        );
        let added = map(&[("a", map(&[("b", Value::Int(1)), ("c", Value::Null)]))]);
        assert_eq!(
            difference(&left, Some(&added), &mut Vec::new()).as_deref(),
            Some("`a.c` is added")
        );
        assert_eq!(
            difference(&added, Some(&left), &mut Vec::new()).as_deref(),
            Some("`a.c` is missing")
        );
        assert_eq!(
            difference(&left, None, &mut Vec::new()).as_deref(),
            Some("the whole file is missing")
        );
    }
}
