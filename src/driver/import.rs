//! Reading a YAML fleet for `hubc import`, and placing its hubs in standard archetypes.

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

use super::*;

/// Reads the files of a fleet to import: everything under `config/clusters` and `terraform`.
pub fn read_import_input(directory: &Path) -> Result<crate::import::ImportInput, IoError> {
    let mut input = crate::import::ImportInput::default();
    for part in ["config/clusters", "terraform"] {
        let base = directory.join(part);
        if !base.is_dir() {
            continue;
        }
        let mut pending = vec![base];
        while let Some(next) = pending.pop() {
            let entries = std::fs::read_dir(&next).map_err(|error| IoError::Unreadable {
                path: next.display().to_string(),
                reason: error.to_string(),
            })?;
            for entry in entries.flatten() {
                let path = entry.path();
                if path.is_dir() {
                    pending.push(path);
                    continue;
                }
                let bytes = std::fs::read(&path).map_err(|error| IoError::Unreadable {
                    path: path.display().to_string(),
                    reason: error.to_string(),
                })?;
                let relative = super::slash_path(&path, directory);
                input.files.insert(relative, bytes);
            }
        }
    }
    Ok(input)
}

/// The standard schemas the importer writes values against: `std.basehub` and `std.clusters`.
pub fn standard_schemas() -> Analysis {
    let mut session = Session::default();
    add_file(
        &mut session,
        PathBuf::from("<import>.hub"),
        b"import std.basehub\nimport std.clusters\n",
    );
    load_imports(&mut session, None);
    analyze(&mut session, (2000, 1, 1)).expect("the standard modules parse")
}

/// Imports the fleet under `directory`. The diagnostics go to `session`; the files to write
/// come back when there was no error.
pub fn import(directory: &Path, session: &mut Session) -> Option<crate::import::Imported> {
    let input = match read_import_input(directory) {
        Ok(input) => input,
        Err(error) => {
            session.report_io(directory, error);
            return None;
        }
    };
    let standard = standard_schemas();
    let root = standard
        .names
        .get("basehub")
        .and_then(|name| standard.schema.schema(name));
    let types = crate::import::write::Types {
        schema: &standard.schema,
        names: &standard.names,
        root,
    };
    let (imported, found) = crate::import::import(&input, &mut session.sources, &types);
    session.diagnostics.extend(found);
    let mut imported = imported?;
    // Place each hub in the standard archetype it fits, judged on the imported fleet itself.
    let today = crate::check::policy::today();
    let (generated, analysis) = analyze_generated(&imported.files, today);
    if let Some(analysis) = &analysis {
        let standard_file = generated
            .files
            .iter()
            .find(|file| file.module == "std.platform")
            .map(|file| file.id);
        let standard: Vec<crate::resolve::value::DeclId> = analysis
            .fleet
            .decls
            .iter()
            .enumerate()
            .filter(|(_, decl)| {
                decl.kind == crate::syntax::ast::DeclKind::Archetype
                    && Some(decl.file) == standard_file
            })
            .map(|(index, _)| crate::resolve::value::DeclId(index as u32))
            .collect();
        let paths: std::collections::HashMap<FileId, String> = generated
            .files
            .iter()
            .map(|file| (file.id, file.path.display().to_string()))
            .collect();
        let file_of =
            |id: crate::resolve::value::DeclId| paths.get(&analysis.fleet.decl(id).file).cloned();
        crate::import::fit_archetypes(&mut imported, analysis, &standard, &file_of, today);
    }
    verify(&imported, session, today).then_some(imported)
}

/// Loads and analyses the files of an imported fleet, as `hubc check` would from disk.
fn analyze_generated(
    files: &std::collections::BTreeMap<String, String>,
    today: crate::check::policy::Day,
) -> (Session, Option<Analysis>) {
    let mut generated = Session::default();
    for (path, text) in files {
        add_file(&mut generated, PathBuf::from(path), text.as_bytes());
    }
    load_imports(&mut generated, None);
    let analysis = analyze(&mut generated, today);
    (generated, analysis)
}

/// Checks the imported fleet as `hubc check` and `hubc build` would, and compares what it builds
/// with what was imported. Problems go to `session`, with the text of the fleet that would have
/// been written; returns whether the fleet may be written.
fn verify(
    imported: &crate::import::Imported,
    session: &mut Session,
    today: crate::check::policy::Day,
) -> bool {
    let (mut generated, analysis) = analyze_generated(&imported.files, today);
    let errors: Vec<Diagnostic> = generated
        .diagnostics
        .drain(..)
        .filter(Diagnostic::is_error)
        .collect();
    let first_hub = imported.expected.values.values().map(|(_, at)| *at).next();
    if analysis.is_none() || !errors.is_empty() {
        // Carry the problems over, with the text they point into.
        let mut moved: std::collections::HashMap<FileId, FileId> = Default::default();
        let mut relocate = |file: FileId, sources: &mut crate::source::SourceMap| {
            *moved.entry(file).or_insert_with(|| {
                let source = generated.sources.get(file);
                sources.add(format!("<imported>/{}", source.name), source.text.clone())
            })
        };
        for mut diagnostic in errors.iter().cloned() {
            diagnostic.file = relocate(diagnostic.file, &mut session.sources);
            for related in &mut diagnostic.related {
                related.file = relocate(related.file, &mut session.sources);
            }
            session.diagnostics.push(diagnostic);
        }
        let at = first_hub.unwrap_or_else(|| {
            let file = session.sources.add("<imported>", "");
            crate::source::Loc::new(file, crate::source::Span::default())
        });
        let error = crate::import::ImportError::UncheckedResult {
            reason: format!(
                "{} {}",
                errors.len().max(1),
                if errors.len() == 1 { "error" } else { "errors" }
            ),
            at,
        };
        session.diagnostics.push(Diagnostic::from_located(&error));
        return false;
    }
    let Some(analysis) = analysis else {
        return false;
    };
    let sources = &generated.sources;
    let (output, emit_errors) =
        crate::emit::build(&analysis, &|file| sources.get(file).name.clone());
    if !emit_errors.is_empty() {
        return false;
    }
    let inexact = crate::import::verify::verify(&imported.expected, &output);
    let fine = inexact.is_empty();
    session
        .diagnostics
        .extend(inexact.iter().map(Diagnostic::from_located));
    fine
}
