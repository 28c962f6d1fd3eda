//! Loading files from disk and running the phases; with main.rs, the only code that does IO.

use std::io::Write;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::check::policy::{CommunityDrift, Day};
use crate::check::schema::{self, Schema};
use crate::diagnostics::Diagnostic;
use crate::intern::Interner;
use crate::resolve::{self, FileInput, Fleet};
use crate::source::{FileId, SourceMap, Span};
use crate::syntax::{self, Parsed};

/// Problems reading or writing files: the `hub::io::*` diagnostics.
#[derive(Debug, Error, miette::Diagnostic)]
pub enum IoError {
    #[error("`{path}` does not exist")]
    #[diagnostic(
        code(hub::io::not_found),
        help("pass an existing `.hub` file or a directory that holds some")
    )]
    NotFound { path: String },

    #[error("cannot read `{path}`: {reason}")]
    #[diagnostic(
        code(hub::io::unreadable),
        help("check that the file exists and is readable")
    )]
    Unreadable { path: String, reason: String },

    #[error("cannot write `{path}`: {reason}")]
    #[diagnostic(
        code(hub::io::write_failed),
        help("check that the directory exists and is writable; the file was left unchanged")
    )]
    WriteFailed { path: String, reason: String },

    #[error("`{path}` holds files hubc did not write")]
    #[diagnostic(
        code(hub::io::foreign_output),
        help(
            "choose an empty directory, or one an earlier `hubc build` wrote (it holds a `.hubc-output` file)"
        )
    )]
    ForeignOutput { path: String },

    #[error("no `.hub` files in `{path}`")]
    #[diagnostic(
        code(hub::io::no_hub_files),
        severity(Warning),
        help("pass a directory that holds `.hub` files, or the files themselves")
    )]
    NoHubFiles { path: String },
}

/// Every file of a run, parsed, with the diagnostics found so far.
#[derive(Debug, Default)]
pub struct Session {
    pub sources: SourceMap,
    pub files: Vec<LoadedFile>,
    pub diagnostics: Vec<Diagnostic>,
}

#[derive(Debug)]
pub struct LoadedFile {
    pub id: FileId,
    pub path: PathBuf,
    /// The name the file is imported by: `std.jupyterhub`, or its path from the fleet root
    /// with dots, such as `archetypes.course`.
    pub module: String,
    pub parsed: Parsed,
}

impl Session {
    /// Records an IO problem against `path`, which becomes an (empty) source of its own.
    fn report_io(&mut self, path: &Path, error: IoError) {
        let file = self.sources.add(path.display().to_string(), "");
        self.diagnostics.push(Diagnostic::from_miette(file, &error));
    }

    pub fn n_declarations(&self) -> usize {
        self.files
            .iter()
            .map(|file| file.parsed.file.items.len())
            .sum()
    }
}

/// Loads and parses every `.hub` file under `paths` (files, or directories searched
/// recursively), in a stable order.
pub fn load(paths: &[PathBuf]) -> Session {
    let mut session = Session::default();
    for path in collect(paths, &mut session) {
        match std::fs::read(&path) {
            Ok(bytes) => add_file(&mut session, path, &bytes),
            Err(error) => session.report_io(
                &path,
                IoError::Unreadable {
                    path: path.display().to_string(),
                    reason: error.to_string(),
                },
            ),
        }
    }
    session
}

/// Parses one file's bytes into the session. Its module name is its path without `.hub`.
pub fn add_file(session: &mut Session, path: PathBuf, bytes: &[u8]) {
    let module = module_name(&path);
    add_module(session, path, module, bytes);
}

fn add_module(session: &mut Session, path: PathBuf, module: String, bytes: &[u8]) {
    let (text, utf8_error) = syntax::decode(bytes);
    let parsed = syntax::parse(&text);
    let id = session
        .sources
        .add(path.display().to_string(), text.as_ref());
    session.diagnostics.extend(
        utf8_error
            .iter()
            .chain(&parsed.errors)
            .map(|error| Diagnostic::from_miette(id, error)),
    );
    session.files.push(LoadedFile {
        id,
        path,
        module,
        parsed,
    });
}

/// `archetypes/course.hub` is the module `archetypes.course`.
fn module_name(relative: &Path) -> String {
    let without_extension = relative.with_extension("");
    let parts: Vec<String> = without_extension
        .components()
        .filter_map(|component| match component {
            std::path::Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    parts.join(".")
}

/// Loads a fleet: every `.hub` file under a directory, or one file and what it imports, plus
/// the standard modules they import. Module names are paths from the fleet root.
pub fn load_fleet(path: &Path) -> Session {
    let mut session = Session::default();
    let root = if path.is_dir() {
        path.to_path_buf()
    } else {
        path.parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf()
    };
    for file in collect(std::slice::from_ref(&path.to_path_buf()), &mut session) {
        load_module(&mut session, &root, &file);
    }
    load_imports(&mut session, Some(&root));
    session
}

fn load_module(session: &mut Session, root: &Path, file: &Path) {
    let relative = file.strip_prefix(root).unwrap_or(file);
    let module = module_name(relative);
    match std::fs::read(file) {
        Ok(bytes) => add_module(session, file.to_path_buf(), module, &bytes),
        Err(error) => session.report_io(
            file,
            IoError::Unreadable {
                path: file.display().to_string(),
                reason: error.to_string(),
            },
        ),
    }
}

/// Loads what the session's files import, transitively: standard modules from the binary, and
/// fleet modules from under `root` (when there is one). Imports that cannot be found are left
/// for resolution to report.
pub fn load_imports(session: &mut Session, root: Option<&Path>) {
    let canonical_root = root.and_then(|root| root.canonicalize().ok());
    let mut next = 0;
    while next < session.files.len() {
        let importer = session.files[next].id;
        let imports: Vec<(String, Span)> = session.files[next]
            .parsed
            .file
            .items
            .iter()
            .filter_map(|item| match &item.kind {
                syntax::ast::ItemKind::Import(import) => {
                    let module: Vec<&str> =
                        import.path.iter().map(|part| part.name.as_str()).collect();
                    let span = import.path[0]
                        .span
                        .to(import.path[import.path.len() - 1].span);
                    Some((module.join("."), span))
                }
                _ => None,
            })
            .collect();
        next += 1;
        for (module, span) in imports {
            if session.files.iter().any(|file| file.module == module) {
                continue;
            }
            if let Some(text) = crate::stdlib::module(&module) {
                let name = format!("<std>/{}.hub", module.trim_start_matches("std."));
                add_module(session, PathBuf::from(name), module, text.as_bytes());
                continue;
            }
            let (Some(root), Some(canonical_root)) = (root, &canonical_root) else {
                continue;
            };
            let relative: PathBuf = module.split('.').collect();
            let file = root.join(relative).with_extension("hub");
            let Ok(canonical) = file.canonicalize() else {
                continue;
            };
            if !canonical.starts_with(canonical_root) {
                let error = crate::resolve::ResolveError::ImportOutsideFleet {
                    module,
                    at: crate::source::Loc::new(importer, span),
                };
                session.diagnostics.push(Diagnostic::from_located(&error));
                continue;
            }
            load_module(session, root, &file);
        }
    }
}

/// The `.hub` files named by `paths`, directories expanded recursively and sorted.
fn collect(paths: &[PathBuf], session: &mut Session) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for path in paths {
        if path.is_dir() {
            let before = found.len();
            walk(path, &mut found, session);
            if found.len() == before {
                session.report_io(
                    path,
                    IoError::NoHubFiles {
                        path: path.display().to_string(),
                    },
                );
            }
        } else if path.exists() {
            found.push(path.clone());
        } else {
            session.report_io(
                path,
                IoError::NotFound {
                    path: path.display().to_string(),
                },
            );
        }
    }
    found.sort();
    found.dedup();
    found
}

fn walk(directory: &Path, found: &mut Vec<PathBuf>, session: &mut Session) {
    let entries = match std::fs::read_dir(directory) {
        Ok(entries) => entries,
        Err(error) => {
            session.report_io(
                directory,
                IoError::Unreadable {
                    path: directory.display().to_string(),
                    reason: error.to_string(),
                },
            );
            return;
        }
    };
    let mut children: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .collect();
    children.sort();
    for child in children {
        let hidden = child
            .file_name()
            .and_then(|name| name.to_str())
            .is_some_and(|name| name.starts_with('.') || name == "target");
        if hidden {
            continue;
        }
        // Directories reached through symbolic links are not followed: they may lead out of
        // the fleet, which imports cannot leave either.
        let is_link = child
            .symlink_metadata()
            .is_ok_and(|metadata| metadata.file_type().is_symlink());
        if child.is_dir() {
            if !is_link {
                walk(&child, found, session);
            }
        } else if child
            .extension()
            .is_some_and(|extension| extension == "hub")
        {
            found.push(child);
        }
    }
}

/// What `hubc fmt` did to one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FormatOutcome {
    Unchanged,
    /// The file was rewritten (or, with `--check`, would be).
    Reformatted,
    /// The file has syntax errors and was left alone.
    Skipped,
    /// The file needed formatting but could not be written.
    WriteFailed,
}

/// Formats every file of a session. With `check`, writes nothing.
pub fn format_files(session: &mut Session, check: bool) -> Vec<(PathBuf, FormatOutcome)> {
    let mut outcomes = Vec::new();
    let mut write_errors = Vec::new();
    for loaded in &session.files {
        let has_errors = session
            .diagnostics
            .iter()
            .any(|diagnostic| diagnostic.file == loaded.id && diagnostic.is_error());
        if has_errors {
            outcomes.push((loaded.path.clone(), FormatOutcome::Skipped));
            continue;
        }
        let source = session.sources.get(loaded.id);
        let formatted = crate::format::format(&source.text, &loaded.parsed.file);
        if formatted == *source.text {
            outcomes.push((loaded.path.clone(), FormatOutcome::Unchanged));
            continue;
        }
        if !check && let Err(error) = write_atomically(&loaded.path, formatted.as_bytes()) {
            write_errors.push((
                loaded.id,
                IoError::WriteFailed {
                    path: loaded.path.display().to_string(),
                    reason: error.to_string(),
                },
            ));
            outcomes.push((loaded.path.clone(), FormatOutcome::WriteFailed));
            continue;
        }
        outcomes.push((loaded.path.clone(), FormatOutcome::Reformatted));
    }
    for (file, error) in write_errors {
        let mut diagnostic = Diagnostic::from_miette(file, &error);
        diagnostic.span = Span::default();
        session.diagnostics.push(diagnostic);
    }
    outcomes
}

/// Writes `contents` to a temporary file beside `path`, then renames it over `path`, so a
/// reader never sees a half-written file.
pub fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    let directory = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("file");
    let temporary = directory.join(format!(".{file_name}.hubc-{}.tmp", std::process::id()));
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        file.write_all(contents)?;
        file.sync_all()?;
        if let Ok(metadata) = std::fs::metadata(path) {
            std::fs::set_permissions(&temporary, metadata.permissions())?;
        }
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// A checked fleet: the resolved declarations, their schema and their drift.
#[derive(Debug)]
pub struct Analysis {
    pub names: Interner,
    pub schema: Schema,
    pub fleet: Fleet,
    pub drift: Vec<CommunityDrift>,
}

/// Compiles the schema, resolves the fleet, checks types and classifies drift, adding every
/// diagnostic to the session. `today` decides which `@expires` dates have passed.
///
/// Returns `None`, without analysing, when a file could not be read or parsed: meaning is only
/// given to a fleet whose every file is whole, so one typo does not cascade into errors about
/// what it left out.
pub fn analyze(session: &mut Session, today: Day) -> Option<Analysis> {
    if session.diagnostics.iter().any(Diagnostic::is_error) {
        return None;
    }
    let mut names = Interner::new();
    let mut check_errors = Vec::new();
    // Standard modules first: a fleet type that takes a standard type's name is the one
    // reported, and the standard types keep their meaning.
    let mut ordered: Vec<&LoadedFile> = session.files.iter().collect();
    ordered.sort_by_key(|loaded| !loaded.module.starts_with("std."));
    let type_sources: Vec<schema::TypeSource<'_>> = ordered
        .into_iter()
        .flat_map(|loaded| {
            loaded
                .parsed
                .file
                .items
                .iter()
                .map(move |item| schema::TypeSource {
                    file: loaded.id,
                    item,
                })
        })
        .collect();
    let schema = schema::compile(&type_sources, &mut names, &mut check_errors);
    let inputs: Vec<FileInput<'_>> = session
        .files
        .iter()
        .map(|loaded| FileInput {
            file: loaded.id,
            module: loaded.module.clone(),
            ast: &loaded.parsed.file,
        })
        .collect();
    let (fleet, resolve_errors) = resolve::resolve(&inputs, &schema, &mut names);
    check_errors.extend(crate::check::typecheck::check(&fleet, &schema, &names));
    let (drift, mut policy_errors) = crate::check::policy::classify(&fleet, &schema, &names, today);
    let (policy_check_errors, declared_policy_errors) =
        crate::check::policy::validate(&fleet, &schema, &names, today);
    check_errors.extend(policy_check_errors);
    policy_errors.extend(declared_policy_errors);
    let mut found: Vec<Diagnostic> = resolve_errors
        .iter()
        .map(Diagnostic::from_located)
        .chain(check_errors.iter().map(Diagnostic::from_located))
        .chain(policy_errors.iter().map(Diagnostic::from_located))
        .collect();
    // Errors found once per community (a mixin's problem, say) are reported once.
    found.sort_by(|left, right| {
        (left.file, left.span.start, &left.code, &left.message).cmp(&(
            right.file,
            right.span.start,
            &right.code,
            &right.message,
        ))
    });
    found.dedup();
    let analysis = Analysis {
        names,
        schema,
        fleet,
        drift,
    };
    // What building would find wrong is found by checking too.
    found.extend(
        crate::emit::check(&analysis)
            .iter()
            .map(Diagnostic::from_located),
    );
    session.diagnostics.extend(found);
    Some(analysis)
}

/// The file that marks a directory as `hubc build` output, which a build may replace.
pub const OUTPUT_MARKER: &str = ".hubc-output";

const MARKER_TEXT: &str =
    "This directory is written by `hubc build`. Every build replaces it whole.\n";

/// What writing the output changed.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct WriteReport {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
}

/// The files under `directory` (relative paths with `/`), with their contents, leaving out the
/// marker.
fn existing_output(
    directory: &Path,
) -> std::io::Result<std::collections::BTreeMap<String, Vec<u8>>> {
    let mut found = std::collections::BTreeMap::new();
    if !directory.exists() {
        return Ok(found);
    }
    let mut pending = vec![directory.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next)? {
            let path = entry?.path();
            if path.is_dir() {
                pending.push(path);
                continue;
            }
            let relative = path
                .strip_prefix(directory)
                .unwrap_or(&path)
                .components()
                .map(|part| part.as_os_str().to_string_lossy().into_owned())
                .collect::<Vec<_>>()
                .join("/");
            if relative != OUTPUT_MARKER {
                found.insert(relative, std::fs::read(&path)?);
            }
        }
    }
    Ok(found)
}

fn output_error(directory: &Path, error: std::io::Error) -> IoError {
    IoError::WriteFailed {
        path: directory.display().to_string(),
        reason: error.to_string(),
    }
}

/// Checks that `directory` may be written as build output: absent, empty, or marked as an
/// earlier build's output.
fn check_output_directory(directory: &Path) -> Result<(), IoError> {
    if !directory.exists() {
        return Ok(());
    }
    let foreign = || IoError::ForeignOutput {
        path: directory.display().to_string(),
    };
    if !directory.is_dir() {
        return Err(foreign());
    }
    let mut entries = std::fs::read_dir(directory).map_err(|e| output_error(directory, e))?;
    if entries.next().is_none() || directory.join(OUTPUT_MARKER).is_file() {
        Ok(())
    } else {
        Err(foreign())
    }
}

/// Writes a build's files as `directory`, all or nothing: into a temporary directory beside it,
/// which then takes its place. Files of an earlier build that the new one does not write
/// disappear with the old directory; nothing outside `directory` and its two temporary
/// siblings is touched.
pub fn write_output(
    directory: &Path,
    files: &std::collections::BTreeMap<String, String>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<WriteReport, IoError> {
    check_output_directory(directory)?;
    let before = existing_output(directory).map_err(|e| output_error(directory, e))?;
    let staging = sibling(directory, "new");
    let retired = sibling(directory, "old");
    let _ = std::fs::remove_dir_all(&staging);
    let result = (|| {
        std::fs::create_dir_all(&staging)?;
        std::fs::write(staging.join(OUTPUT_MARKER), MARKER_TEXT)?;
        stage_files(&staging, files, progress)?;
        if directory.exists() {
            std::fs::rename(directory, &retired)?;
            if let Err(error) = std::fs::rename(&staging, directory) {
                // Put the earlier output back rather than leave nothing.
                let _ = std::fs::rename(&retired, directory);
                return Err(error);
            }
            std::fs::remove_dir_all(&retired)?;
        } else {
            std::fs::rename(&staging, directory)?;
        }
        Ok(())
    })();
    if let Err(error) = result {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(output_error(directory, error));
    }
    let mut report = WriteReport::default();
    for (relative, text) in files {
        match before.get(relative) {
            Some(old) if old == text.as_bytes() => report.unchanged += 1,
            _ => report.written += 1,
        }
    }
    report.removed = before
        .keys()
        .filter(|path| !files.contains_key(*path))
        .count();
    Ok(report)
}

/// The files under `directory` that differ from what a build would write: changed, missing or
/// no longer written. Writes nothing.
pub fn stale_output(
    directory: &Path,
    files: &std::collections::BTreeMap<String, String>,
) -> Result<Vec<String>, IoError> {
    let before = existing_output(directory).map_err(|e| output_error(directory, e))?;
    let mut stale: Vec<String> = files
        .iter()
        .filter(|(relative, text)| {
            before.get(*relative).map(Vec::as_slice) != Some(text.as_bytes())
        })
        .map(|(relative, _)| relative.clone())
        .collect();
    stale.extend(
        before
            .keys()
            .filter(|path| !files.contains_key(*path))
            .cloned(),
    );
    stale.sort();
    Ok(stale)
}

/// Reports an IO problem of the build against the output directory.
pub fn report_output_error(session: &mut Session, directory: &Path, error: IoError) {
    session.report_io(directory, error);
}

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
                let relative = path
                    .strip_prefix(directory)
                    .unwrap_or(&path)
                    .components()
                    .map(|part| part.as_os_str().to_string_lossy().into_owned())
                    .collect::<Vec<_>>()
                    .join("/");
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
    let mut generated = Session::default();
    for (path, text) in &imported.files {
        add_file(&mut generated, PathBuf::from(path), text.as_bytes());
    }
    load_imports(&mut generated, None);
    let today = crate::check::policy::today();
    if let Some(analysis) = analyze(&mut generated, today) {
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
        crate::import::fit_archetypes(&mut imported, &analysis, &standard, &file_of, today);
    }
    Some(imported)
}

/// Writes a new directory of files, all or nothing: refuses a directory that exists and is not
/// empty, writes into a temporary sibling, then renames it into place.
pub fn write_new_directory(
    directory: &Path,
    files: &std::collections::BTreeMap<String, String>,
) -> Result<(), IoError> {
    if directory.exists() {
        let mut entries = std::fs::read_dir(directory).map_err(|e| output_error(directory, e))?;
        if entries.next().is_some() {
            return Err(IoError::ForeignOutput {
                path: directory.display().to_string(),
            });
        }
    }
    let staging = sibling(directory, "new");
    let _ = std::fs::remove_dir_all(&staging);
    let result = (|| {
        stage_files(&staging, files, &mut |_, _| {})?;
        if directory.exists() {
            std::fs::remove_dir(directory)?;
        }
        std::fs::rename(&staging, directory)
    })();
    if let Err(error) = result {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(output_error(directory, error));
    }
    Ok(())
}

/// A temporary directory beside `directory`, for a build or import to fill before it takes the
/// place of `directory`.
fn sibling(directory: &Path, role: &str) -> PathBuf {
    let parent = directory
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let name = directory
        .file_name()
        .map_or("out".into(), |name| name.to_string_lossy().into_owned());
    parent.join(format!(".{name}.hubc-{role}-{}", std::process::id()))
}

/// Writes `files` under `staging`. Every path must stay inside it, whatever a name says.
fn stage_files(
    staging: &Path,
    files: &std::collections::BTreeMap<String, String>,
    progress: &mut dyn FnMut(usize, usize),
) -> std::io::Result<()> {
    std::fs::create_dir_all(staging)?;
    for (index, (relative, text)) in files.iter().enumerate() {
        let inside = Path::new(relative)
            .components()
            .all(|part| matches!(part, std::path::Component::Normal(_)));
        if !inside {
            return Err(std::io::Error::other(format!(
                "`{relative}` would leave the output directory"
            )));
        }
        let path = staging.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(&path, text)?;
        progress(index + 1, files.len());
    }
    Ok(())
}

/// The version of a fleet `hubc diff --base REF` compares against: a directory as it is, or the
/// fleet as it was at a git revision, extracted into a temporary directory that goes away with
/// this value.
#[derive(Debug)]
pub struct BaseFleet {
    /// The fleet to load: a directory, or a file and its imports.
    pub fleet: PathBuf,
    /// Whether it came from git, rather than a directory given as it is.
    pub from_git: bool,
    temporary: Option<PathBuf>,
}

impl Drop for BaseFleet {
    fn drop(&mut self) {
        if let Some(temporary) = &self.temporary {
            let _ = std::fs::remove_dir_all(temporary);
        }
    }
}

/// The directory a fleet's module names and file names are relative to: the fleet itself, or
/// the directory of a fleet given as a file.
pub fn fleet_root(fleet: &Path) -> PathBuf {
    if fleet.is_dir() {
        fleet.to_path_buf()
    } else {
        fleet
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf()
    }
}

/// The git repository `path` is in: its top directory, and `path` relative to it (empty for
/// the top itself). `None` outside a repository, or without git.
pub fn repository_of(path: &Path) -> Option<(PathBuf, PathBuf)> {
    let canonical = path.canonicalize().ok()?;
    let directory = if canonical.is_dir() {
        canonical.clone()
    } else {
        canonical.parent()?.to_path_buf()
    };
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(&directory)
        .args(["rev-parse", "--show-toplevel"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let top = String::from_utf8(output.stdout).ok()?;
    let top = PathBuf::from(top.trim_end_matches(['\n', '\r']))
        .canonicalize()
        .ok()?;
    let relative = canonical.strip_prefix(&top).ok()?.to_path_buf();
    Some((top, relative))
}

/// Materialises the base of `hubc diff`. A `base` that is an existing directory is the base
/// fleet itself (for a `fleet` given as a file, the directory holds a file of the same name).
/// Otherwise `base` is a git revision of the repository `fleet` is in: the fleet's directory
/// at that revision is extracted with `git archive | tar -x` into a new directory under the
/// system's temporary directory. Nothing in the repository is touched.
pub fn checkout_base(base: &str, fleet: &Path) -> Result<BaseFleet, String> {
    let directory = Path::new(base);
    if directory.is_dir() {
        let fleet = if fleet.is_dir() {
            directory.to_path_buf()
        } else {
            directory.join(fleet.file_name().unwrap_or_default())
        };
        return Ok(BaseFleet {
            fleet,
            from_git: false,
            temporary: None,
        });
    }
    if !fleet.exists() {
        return Err(format!("`{}` does not exist", fleet.display()));
    }
    let Some((top, relative)) = repository_of(fleet) else {
        return Err(format!(
            "`{base}` is not a directory, and `{}` is not in a git repository to find it in",
            fleet.display()
        ));
    };
    if base.starts_with('-') || base.is_empty() {
        return Err(format!("`{base}` is not a git revision"));
    }
    let git = |args: &[&str]| {
        let mut command = std::process::Command::new("git");
        command
            .arg("-C")
            .arg(&top)
            .args(args)
            .stdin(std::process::Stdio::null());
        command
    };
    let verified = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{base}^{{commit}}"),
    ])
    .stderr(std::process::Stdio::null())
    .output()
    .map_err(|error| format!("cannot run git: {error}"))?;
    if !verified.status.success() {
        return Err(format!(
            "`{base}` is neither a directory nor a revision of the git repository `{}`",
            top.display()
        ));
    }
    let commit = String::from_utf8_lossy(&verified.stdout).trim().to_string();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.subsec_nanos());
    let temporary =
        std::env::temp_dir().join(format!("hubc-diff-{}-{nanos:09}", std::process::id()));
    std::fs::create_dir_all(&temporary).map_err(|error| {
        format!(
            "cannot create the temporary directory `{}`: {error}",
            temporary.display()
        )
    })?;
    // Made now, so that the directory is removed whatever fails below.
    let checkout = BaseFleet {
        fleet: temporary.join(&relative),
        from_git: true,
        temporary: Some(temporary.clone()),
    };
    // The fleet's directory: a fleet given as a file imports its siblings.
    let fleet_directory = if fleet.is_dir() {
        relative.clone()
    } else {
        relative.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let pathspec: Vec<String> = fleet_directory
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    let mut archive_command = git(&["archive", "--format=tar", &commit]);
    if !pathspec.is_empty() {
        archive_command.arg("--").arg(pathspec.join("/"));
    }
    let mut archive = archive_command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot run git: {error}"))?;
    let archive_stdout = archive.stdout.take().expect("stdout is piped");
    let extracted = std::process::Command::new("tar")
        .arg("-x")
        .arg("-f")
        .arg("-")
        .arg("-C")
        .arg(&temporary)
        .stdin(archive_stdout)
        .stderr(std::process::Stdio::piped())
        .output();
    let archived = archive
        .wait_with_output()
        .map_err(|error| format!("cannot run git: {error}"))?;
    if !archived.status.success() {
        let reason = String::from_utf8_lossy(&archived.stderr).trim().to_string();
        return Err(format!(
            "cannot read `{}` at `{base}`: {reason}",
            fleet_directory.display()
        ));
    }
    match extracted {
        Ok(output) if output.status.success() => {}
        Ok(output) => {
            return Err(format!(
                "cannot extract the fleet at `{base}`: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        Err(error) => return Err(format!("cannot run tar: {error}")),
    }
    if !checkout.fleet.exists() {
        return Err(format!(
            "`{}` does not exist at `{base}`",
            relative.display()
        ));
    }
    Ok(checkout)
}
