//! Loading files from disk and running the phases; with main.rs, the only code that does IO.

#![allow(clippy::disallowed_methods)] // the driver is the edge that reads and writes the disk

use std::path::{Path, PathBuf};

use thiserror::Error;

pub use crate::analysis::{Analysis, LoadedFile, Session, add_file, add_module, module_name};
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Span};
use crate::syntax;

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

/// `path` relative to `directory`, with `/` between its parts on every platform.
pub(crate) fn slash_path(path: &Path, directory: &Path) -> String {
    path.strip_prefix(directory)
        .unwrap_or(path)
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
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

/// Analyses a session as `hubc check` does: [`crate::analysis::analyze`], and what building
/// would find wrong, so that checking finds it too.
pub fn analyze(session: &mut Session, today: crate::check::policy::Day) -> Option<Analysis> {
    let analysis = crate::analysis::analyze(session, today)?;
    session.diagnostics.extend(
        crate::emit::check(&analysis)
            .iter()
            .map(Diagnostic::from_located),
    );
    Some(analysis)
}

impl Session {
    /// Records an IO problem against `path`, which becomes an (empty) source of its own.
    pub(crate) fn report_io(&mut self, path: &Path, error: IoError) {
        self.report_file_problem(&path.display().to_string(), &error);
    }
}

mod git;
mod import;
mod output;

pub use git::*;
pub use import::*;
pub use output::*;
