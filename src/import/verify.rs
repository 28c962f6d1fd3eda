//! The last safeguard of an import: a generated fleet that `hubc check` would reject is not
//! written. Each error found in it becomes a `hub::import::fails_check` diagnostic that points
//! into the YAML (or Terraform) file the offending value most likely came from.

use super::{ImportError, ImportInput};
use crate::diagnostics::Diagnostic;
use crate::source::{Loc, SourceMap, Span};

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
