//! Loading files from disk and running the phases; with main.rs, the only code that does IO.

use std::io::Write;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::diagnostics::Diagnostic;
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

/// Parses one file's bytes into the session.
pub fn add_file(session: &mut Session, path: PathBuf, bytes: &[u8]) {
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
    session.files.push(LoadedFile { id, path, parsed });
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
        if child.is_dir() {
            walk(&child, found, session);
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
