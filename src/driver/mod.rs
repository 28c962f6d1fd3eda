//! Loading files from disk and running the phases; with main.rs, the only code that does IO.

#![allow(clippy::disallowed_methods)] // the driver is the edge that reads and writes the disk

use std::path::{Path, PathBuf};

use std::sync::Arc;

pub use crate::analysis::store::{self, Entry, IoError, Kind, ReadError, Store};
pub use crate::analysis::{Analysis, LoadedFile, Session, add_file, add_module, module_name};
use crate::diagnostics::Diagnostic;
use crate::source::{FileId, Span};

/// `path` relative to `directory`, with `/` between its parts on every platform.
pub(crate) fn slash_path(path: &Path, directory: &Path) -> String {
    path.strip_prefix(directory)
        .unwrap_or(path)
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// Analyses a session as `hubc check` does: [`crate::analysis::analyze`], and what building
/// would find wrong, so that checking finds it too; the diagnostics in their reported order
/// ([`crate::diagnostics::sort_canonically`]).
pub fn analyze(session: &mut Session, today: crate::check::policy::Day) -> Option<Analysis> {
    let analysis = crate::analysis::analyze(session, today)?;
    let phase = crate::timings::phase("emit check");
    let found = crate::emit::check(&analysis);
    drop(phase);
    add_emit_errors(session, &analysis, &found);
    Some(analysis)
}

/// [`analyze`], and the files a build of the session writes, `source` naming the fleet file
/// each comes from: the emitters run once for both. No files while an error remains.
pub fn analyze_and_build(
    session: &mut Session,
    today: crate::check::policy::Day,
    source: &(dyn Fn(FileId) -> String + Sync),
) -> Option<(Analysis, Option<crate::emit::Output>)> {
    let mut analysis = crate::analysis::analyze(session, today)?;
    let phase = crate::timings::phase("emit");
    let (output, found) = if session.diagnostics.iter().any(Diagnostic::is_error) {
        (None, crate::emit::check(&analysis))
    } else {
        // What only the checks read is let go on another core while the files are made, so
        // that making them reuses its memory.
        let checked = analysis.take_checked();
        let ((output, found), ()) = rayon::join(
            || crate::emit::build(&analysis, source),
            move || drop(checked),
        );
        (Some(output), found)
    };
    drop(phase);
    add_emit_errors(session, &analysis, &found);
    Some((analysis, output))
}

/// Adds what the emitters found to the session's diagnostics, less what the gaps of its broken
/// files hide, and puts them all in their reported order.
fn add_emit_errors(session: &mut Session, analysis: &Analysis, found: &[crate::emit::EmitError]) {
    let found: Vec<Diagnostic> = found
        .iter()
        .map(Diagnostic::from_located)
        .filter(|d| !analysis.gaps.hides(d, &analysis.fleet, &session.sources))
        .collect();
    session.diagnostics.extend(found);
    crate::diagnostics::sort_canonically(&mut session.diagnostics);
}

/// The disk, as a store of fleet files.
pub struct Disk;

impl Store for Disk {
    fn kind(&self, path: &Path) -> Kind {
        match std::fs::metadata(path) {
            Ok(metadata) if metadata.is_dir() => Kind::Directory,
            Ok(metadata) if metadata.is_file() => Kind::File,
            Ok(_) => Kind::Other,
            Err(_) => Kind::Missing,
        }
    }

    fn list(&self, directory: &Path) -> Result<Vec<Entry>, String> {
        let entries = std::fs::read_dir(directory).map_err(|error| error.to_string())?;
        let mut found: Vec<Entry> = entries
            .filter_map(Result::ok)
            .map(|entry| {
                let path = entry.path();
                let is_link = path
                    .symlink_metadata()
                    .is_ok_and(|metadata| metadata.file_type().is_symlink());
                Entry {
                    kind: self.kind(&path),
                    is_link,
                    path,
                }
            })
            .collect();
        found.sort_by(|left, right| left.path.cmp(&right.path));
        Ok(found)
    }

    /// Reads a regular file only. The loaders ask for [`Kind::File`] first; opening without
    /// blocking and checking what was opened also holds when the path changed in between, so a
    /// FIFO never makes `hubc` wait.
    fn read(&self, path: &Path) -> Result<Arc<[u8]>, ReadError> {
        use std::io::Read;
        let failed = |error: std::io::Error| ReadError::Failed(error.to_string());
        let mut options = std::fs::OpenOptions::new();
        options.read(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
        }
        let file = options.open(path).map_err(failed)?;
        let metadata = file.metadata().map_err(failed)?;
        if !metadata.is_file() {
            return Err(ReadError::Failed("not a regular file".to_string()));
        }
        if metadata.len() > store::MAX_FILE_BYTES {
            return Err(ReadError::TooLarge {
                size: metadata.len(),
            });
        }
        // Never more than the limit, even from a file that grows while it is read.
        let mut bytes = Vec::with_capacity(usize::try_from(metadata.len()).unwrap_or(0));
        let read = file
            .take(store::MAX_FILE_BYTES + 1)
            .read_to_end(&mut bytes)
            .map_err(failed)?;
        if read as u64 > store::MAX_FILE_BYTES {
            return Err(ReadError::TooLarge { size: read as u64 });
        }
        Ok(Arc::from(bytes))
    }

    fn canonical(&self, path: &Path) -> Result<PathBuf, String> {
        path.canonicalize().map_err(|error| error.to_string())
    }
}

/// Loads and parses every `.hub` file under `paths` (files, or directories searched
/// recursively), in a stable order.
pub fn load(paths: &[PathBuf]) -> Session {
    let mut session = Session::default();
    store::load(&Disk, paths, &mut session);
    session
}

/// Loads a fleet from disk: every `.hub` file under a directory, or one file and what it
/// imports, plus the standard modules they import.
pub fn load_fleet(path: &Path) -> Session {
    load_fleet_in(Session::default(), path)
}

/// [`load_fleet`] into `session`: an empty one, such as [`Session::declaring`].
pub fn load_fleet_in(mut session: Session, path: &Path) -> Session {
    store::load_fleet(&Disk, path, &mut session);
    session
}

/// Loads what the session's files import, transitively, from disk under `root`.
pub fn load_imports(session: &mut Session, root: Option<&Path>) {
    store::load_imports(&Disk, session, root);
}

pub mod cache;
mod git;
mod import;
mod output;

pub use git::*;
pub use import::*;
pub use output::*;
