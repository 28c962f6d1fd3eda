//! Loading files from disk and running the phases; with main.rs, the only code that does IO.

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
    pub(crate) fn report_io(&mut self, path: &Path, error: IoError) {
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

/// `path` relative to `directory`, with `/` between its parts on every platform.
pub(crate) fn slash_path(path: &Path, directory: &Path) -> String {
    path.strip_prefix(directory)
        .unwrap_or(path)
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
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
    let files = collect(std::slice::from_ref(&path.to_path_buf()), &mut session);
    let prefix = if path.is_dir() && is_standard_library(&root, &files) {
        "std."
    } else {
        ""
    };
    for file in files {
        load_module(&mut session, &root, &file, prefix);
    }
    load_imports(&mut session, Some(&root));
    session
}

/// Whether `files` are exactly the standard modules, one file each, at the top of `root`: such
/// a directory is a copy of the standard library being worked on, and is checked as the modules
/// it replaces rather than as a fleet that would declare every standard name a second time.
fn is_standard_library(root: &Path, files: &[PathBuf]) -> bool {
    let mut modules: Vec<String> = files
        .iter()
        .map(|file| {
            format!(
                "std.{}",
                module_name(file.strip_prefix(root).unwrap_or(file))
            )
        })
        .collect();
    let mut standard: Vec<&str> = crate::stdlib::MODULES
        .iter()
        .map(|(name, _)| *name)
        .collect();
    modules.sort();
    standard.sort_unstable();
    modules.iter().map(String::as_str).eq(standard)
}

fn load_module(session: &mut Session, root: &Path, file: &Path, prefix: &str) {
    let relative = file.strip_prefix(root).unwrap_or(file);
    let module = format!("{prefix}{}", module_name(relative));
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
            load_module(session, root, &file, "");
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

/// A checked fleet: the resolved declarations, their schema and their drift.
#[derive(Debug)]
pub struct Analysis {
    pub names: Interner,
    pub schema: Schema,
    pub fleet: Fleet,
    pub drift: Vec<CommunityDrift>,
    /// The files of the standard modules (`std.*`), in ascending order.
    pub standard_files: Vec<FileId>,
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
    let mut standard_files: Vec<FileId> = session
        .files
        .iter()
        .filter(|loaded| loaded.module.starts_with("std."))
        .map(|loaded| loaded.id)
        .collect();
    standard_files.sort_unstable();
    let analysis = Analysis {
        names,
        schema,
        fleet,
        drift,
        standard_files,
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

mod git;
mod import;
mod output;

pub use git::*;
pub use import::*;
pub use output::*;
