//! Reading a YAML fleet for `hubc import`, and placing its hubs in standard archetypes.

use std::path::{Path, PathBuf};

use crate::diagnostics::Diagnostic;

use super::*;

/// Reads the files of a fleet to import, those [`crate::import::ImportInput::reads`] names, as a
/// fleet's files are read: regular files only, whose real paths lie under `directory`. What is
/// skipped or refused is reported to `session`, and never read.
pub fn read_import_input(directory: &Path, session: &mut Session) -> crate::import::ImportInput {
    use crate::import::ImportInput;
    let mut input = ImportInput::default();
    // A directory that is not there holds no clusters, which the import reports.
    if Disk.kind(directory) != Kind::Directory {
        return input;
    }
    let keep = |entry: &Entry| {
        let relative = super::slash_path(&entry.path, directory);
        match entry.kind {
            Kind::Directory => ImportInput::searches(&relative),
            _ => ImportInput::reads(&relative),
        }
    };
    for path in store::select(&Disk, directory, &keep, session) {
        if let Some(bytes) = store::read(&Disk, &path, session) {
            let relative = super::slash_path(&path, directory);
            input.files.insert(relative, bytes.to_vec());
        }
    }
    input
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
    let input = read_import_input(directory, session);
    import_input(&input, session)
}

/// Imports a fleet already read into memory, as [`import`] does once it has read the files.
pub fn import_input(
    input: &crate::import::ImportInput,
    session: &mut Session,
) -> Option<crate::import::Imported> {
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
    let (imported, found) = crate::import::import(input, &mut session.sources, &types);
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
        crate::import::place(&mut imported, analysis, &standard, &file_of, today);
    }
    verify(input, &imported, session, today).then_some(imported)
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
/// with what was imported. Problems go to `session`, pointing into the input; returns whether
/// the fleet may be written.
fn verify(
    input: &crate::import::ImportInput,
    imported: &crate::import::Imported,
    session: &mut Session,
    today: crate::check::policy::Day,
) -> bool {
    let (generated, analysis) = analyze_generated(&imported.files, today);
    // A fleet its own check rejects is not written.
    let rejected = crate::import::verify::rejections(
        input,
        &generated.diagnostics,
        &generated.sources,
        &mut session.sources,
    );
    if !rejected.is_empty() {
        session.diagnostics.extend(rejected);
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
