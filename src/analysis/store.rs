//! Where the files of a fleet come from: a [`Store`] says what a path is, lists directories
//! and reads files. The driver's store reads the disk; [`Overlay`] puts open editor buffers
//! over another store. Loading a fleet (finding its files, following its imports, the standard
//! modules) reads through a store only, so analysis never touches the file system.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use thiserror::Error;

use super::{Session, add_file, add_module, module_name};
use crate::diagnostics::Diagnostic;
use crate::syntax;

/// What a path is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A regular file.
    File,
    Directory,
    /// Something else: a FIFO, a socket or a device. Never opened: opening a FIFO waits for a
    /// writer, and reading a device may never end.
    Other,
    Missing,
}

/// One entry of a directory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: PathBuf,
    pub kind: Kind,
    /// Reached through a symbolic link: a directory so reached is not searched.
    pub is_link: bool,
}

/// The files of fleets, by path.
pub trait Store {
    fn kind(&self, path: &Path) -> Kind;
    /// The entries of a directory, sorted by path; the error says why it cannot be listed.
    fn list(&self, directory: &Path) -> Result<Vec<Entry>, String>;
    /// A file's bytes; the error says why it cannot be read.
    fn read(&self, path: &Path) -> Result<Arc<[u8]>, ReadError>;
    /// The path with links and `..` resolved, when it exists: the files of a fleet must stay
    /// in it. The error says why it cannot be resolved.
    fn canonical(&self, path: &Path) -> Result<PathBuf, String>;
}

/// Open buffers over another store: a buffer's text replaces the file's, and a buffer for a
/// file not yet saved is listed in its directory. Each buffer has the version its editor gave.
pub struct Overlay<'a> {
    below: &'a dyn Store,
    buffers: BTreeMap<PathBuf, (Arc<[u8]>, i64)>,
}

impl<'a> Overlay<'a> {
    pub fn new(below: &'a dyn Store) -> Overlay<'a> {
        Overlay {
            below,
            buffers: BTreeMap::new(),
        }
    }

    /// Sets the text of an open buffer, at `version`.
    pub fn open(&mut self, path: PathBuf, text: &str, version: i64) {
        self.buffers
            .insert(path, (Arc::from(text.as_bytes()), version));
    }

    /// Closes a buffer: the file reads from the store below again.
    pub fn close(&mut self, path: &Path) {
        self.buffers.remove(path);
    }

    /// The paths of the open buffers, in order.
    pub fn open_paths(&self) -> impl Iterator<Item = &Path> {
        self.buffers.keys().map(PathBuf::as_path)
    }

    /// The version of an open buffer.
    pub fn version(&self, path: &Path) -> Option<i64> {
        self.buffers.get(path).map(|(_, version)| *version)
    }
}

impl Store for Overlay<'_> {
    fn kind(&self, path: &Path) -> Kind {
        if self.buffers.contains_key(path) {
            return Kind::File;
        }
        match self.below.kind(path) {
            Kind::Missing if self.buffers.keys().any(|open| open.starts_with(path)) => {
                Kind::Directory
            }
            kind => kind,
        }
    }

    fn list(&self, directory: &Path) -> Result<Vec<Entry>, String> {
        let mut entries = match self.below.list(directory) {
            Ok(entries) => entries,
            Err(_)
                if self
                    .buffers
                    .keys()
                    .any(|open| open.parent() == Some(directory)) =>
            {
                Vec::new()
            }
            Err(error) => return Err(error),
        };
        for open in self.buffers.keys() {
            if open.parent() == Some(directory) && !entries.iter().any(|e| &e.path == open) {
                entries.push(Entry {
                    path: open.clone(),
                    kind: Kind::File,
                    is_link: false,
                });
            }
        }
        entries.sort_by(|left, right| left.path.cmp(&right.path));
        Ok(entries)
    }

    fn read(&self, path: &Path) -> Result<Arc<[u8]>, ReadError> {
        match self.buffers.get(path) {
            Some((text, _)) => Ok(text.clone()),
            None => self.below.read(path),
        }
    }

    fn canonical(&self, path: &Path) -> Result<PathBuf, String> {
        let error = match self.below.canonical(path) {
            Ok(canonical) => return Ok(canonical),
            Err(error) => error,
        };
        // A buffer never saved, or a directory that holds one: canonical where its parent is.
        if self.kind(path) == Kind::Missing {
            return Err(error);
        }
        match (path.parent(), path.file_name()) {
            (Some(parent), Some(name)) => Ok(self.canonical(parent)?.join(name)),
            _ => Err(error),
        }
    }
}

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

    #[error("`{path}` is {size} bytes, more than hubc reads ({limit} bytes)")]
    #[diagnostic(
        code(hub::io::too_large),
        help("no fleet file is this large: check what was put here, or split it into modules")
    )]
    TooLarge { path: String, size: u64, limit: u64 },

    #[error("cannot write `{path}`: {reason}")]
    #[diagnostic(
        code(hub::io::write_failed),
        help("check that the directory exists and is writable; the file was left unchanged")
    )]
    WriteFailed { path: String, reason: String },

    #[error("`{path}` is not hubc's to replace: {reason}")]
    #[diagnostic(
        code(hub::io::foreign_output),
        help(
            "move those files elsewhere or undo the changes, or build into an empty or new directory; nothing was written or removed"
        )
    )]
    ForeignOutput { path: String, reason: String },

    #[error("another `hubc build` is writing `{path}`")]
    #[diagnostic(
        code(hub::io::output_locked),
        help("wait for that build to finish, then build again; nothing was written")
    )]
    OutputLocked { path: String },

    #[error("`{path}` was left by an interrupted build: {action}")]
    #[diagnostic(
        code(hub::io::recovered_output),
        severity(Warning),
        help("nothing to do: the output is whole again; a build was killed before it finished")
    )]
    RecoveredOutput { path: String, action: String },

    #[error("`{path}` is not a regular file")]
    #[diagnostic(
        code(hub::io::not_a_file),
        severity(Warning),
        help(
            "it was skipped: only regular files are read; remove it, or move it out of the fleet"
        )
    )]
    NotAFile { path: String },

    #[error("`{path}` leads outside the fleet")]
    #[diagnostic(
        code(hub::io::outside_fleet),
        help(
            "a symbolic link in a fleet may only lead to a file inside it; copy the file into the fleet instead"
        )
    )]
    OutsideFleet { path: String },

    #[error("no `.hub` files in `{path}`")]
    #[diagnostic(
        code(hub::io::no_hub_files),
        severity(Warning),
        help("pass a directory that holds `.hub` files, or the files themselves")
    )]
    NoHubFiles { path: String },
}

impl Session {
    /// Records an IO problem against `path`, which becomes an (empty) source of its own.
    pub fn report_io(&mut self, path: &Path, error: IoError) {
        self.report_file_problem(&path.display().to_string(), &error);
    }
}

/// Loads and parses every `.hub` file under `paths` (files, or directories searched
/// recursively), in a stable order.
pub fn load(store: &dyn Store, paths: &[PathBuf], session: &mut Session) {
    for path in collect(store, paths, session) {
        if let Some(bytes) = read(store, &path, session) {
            add_file(session, path, &bytes);
        }
    }
}

/// Loads a fleet: every `.hub` file under a directory, or one file and what it imports, plus
/// the standard modules they import. Module names are paths from the fleet root.
pub fn load_fleet(store: &dyn Store, path: &Path, session: &mut Session) {
    let is_dir = store.kind(path) == Kind::Directory;
    let root = if is_dir { path } else { directory_of(path) }.to_path_buf();
    let files = collect(store, std::slice::from_ref(&path.to_path_buf()), session);
    let prefix = if is_dir && is_standard_library(&root, &files) {
        "std."
    } else {
        ""
    };
    // Read in order, then parsed on every core.
    let mut read_files = Vec::with_capacity(files.len());
    for file in files {
        let relative = file.strip_prefix(&root).unwrap_or(&file);
        let module = format!("{prefix}{}", module_name(relative));
        if let Some(bytes) = read(store, &file, session) {
            read_files.push((file, module, bytes));
        }
    }
    super::add_modules(session, read_files);
    load_imports(store, session, Some(&root));
}

/// The files of a fleet directory, not read: what [`load_fleet`] reads from `path`, in its
/// order, under the names it gives them. `None` when `path` is not a directory, is a copy of
/// the standard library, or listing it reports anything (a link out of the fleet, no `.hub`
/// files): only a clean load is summarised.
pub fn fleet_files(store: &dyn Store, path: &Path) -> Option<Vec<PathBuf>> {
    if store.kind(path) != Kind::Directory {
        return None;
    }
    let mut reported = Session::default();
    let files = collect(
        store,
        std::slice::from_ref(&path.to_path_buf()),
        &mut reported,
    );
    if !reported.diagnostics.is_empty() || is_standard_library(path, &files) {
        return None;
    }
    Some(files)
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

fn load_module(store: &dyn Store, session: &mut Session, root: &Path, file: &Path, prefix: &str) {
    let relative = file.strip_prefix(root).unwrap_or(file);
    let module = format!("{prefix}{}", module_name(relative));
    if let Some(bytes) = read(store, file, session) {
        add_module(session, file.to_path_buf(), module, &bytes);
    }
}

/// A file's bytes, or `None` when they cannot be read, which is reported.
pub fn read(store: &dyn Store, path: &Path, session: &mut Session) -> Option<Arc<[u8]>> {
    store
        .read(path)
        .map_err(|error| {
            let error = match error {
                ReadError::Failed(reason) => unreadable(path, reason),
                ReadError::TooLarge { size } => IoError::TooLarge {
                    path: path.display().to_string(),
                    size,
                    limit: MAX_FILE_BYTES,
                },
            };
            session.report_io(path, error)
        })
        .ok()
}

/// The largest file hubc reads, in bytes: 64 MiB, a thousand times a large fleet's largest file.
/// A larger one is not read at all (`hub::io::too_large`).
pub const MAX_FILE_BYTES: u64 = 64 << 20;

/// Why a [`Store`] could not read a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReadError {
    /// Larger than [`MAX_FILE_BYTES`]: not read.
    TooLarge {
        size: u64,
    },
    Failed(String),
}

fn unreadable(path: &Path, reason: String) -> IoError {
    IoError::Unreadable {
        path: path.display().to_string(),
        reason,
    }
}

/// Loads what the session's files import, transitively: standard modules from the binary, and
/// fleet modules from under `root` (when there is one). Imports that cannot be found are left
/// for resolution to report.
pub fn load_imports(store: &dyn Store, session: &mut Session, root: Option<&Path>) {
    let canonical_root = root.and_then(|root| store.canonical(root).ok());
    let mut next = 0;
    while next < session.files.len() {
        let importer = session.files[next].id;
        let imports = session.files[next].imports.clone();
        next += 1;
        for syntax::ModuleImport { module, span } in imports {
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
            let Ok(canonical) = store.canonical(&file) else {
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
            match store.kind(&file) {
                Kind::File => load_module(store, session, root, &file, ""),
                // Walking the fleet may have reported it already; resolution reports the import.
                Kind::Other if !was_reported(session, &file) => {
                    session.report_io(&file, not_a_file(&file));
                }
                _ => {}
            }
        }
    }
}

/// The directory a file is in: the root of the fleet it is named as.
fn directory_of(file: &Path) -> &Path {
    file.parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."))
}

/// Whether the real path of `file` lies under `root` (canonical); when it does not, or has
/// none, that is reported and the file must not be read.
fn is_inside(store: &dyn Store, root: &Path, file: &Path, session: &mut Session) -> bool {
    match store.canonical(file) {
        Ok(canonical) if canonical.starts_with(root) => true,
        Ok(_) => {
            let error = IoError::OutsideFleet {
                path: file.display().to_string(),
            };
            session.report_io(file, error);
            false
        }
        Err(reason) => {
            session.report_io(file, unreadable(file, reason));
            false
        }
    }
}

/// Whether `path` already has a source: it was loaded, or a problem with it was reported.
fn was_reported(session: &Session, path: &Path) -> bool {
    let name = path.display().to_string();
    session
        .sources
        .files()
        .any(|(_, source)| source.name == name)
}

fn not_a_file(path: &Path) -> IoError {
    IoError::NotAFile {
        path: path.display().to_string(),
    }
}

/// The `.hub` files named by `paths`, directories expanded recursively and sorted. Only regular
/// files are kept whose real paths lie in their fleet root: the directory named, or the
/// directory of the file named. Anything else is reported, never read.
fn collect(store: &dyn Store, paths: &[PathBuf], session: &mut Session) -> Vec<PathBuf> {
    let mut found = Vec::new();
    for path in paths {
        match store.kind(path) {
            Kind::Directory => {
                let before = session.diagnostics.len();
                let files = select(store, path, &is_fleet_entry, session);
                if files.is_empty() && before == session.diagnostics.len() {
                    session.report_io(
                        path,
                        IoError::NoHubFiles {
                            path: path.display().to_string(),
                        },
                    );
                }
                found.extend(files);
            }
            Kind::File => {
                let inside = match store.canonical(directory_of(path)) {
                    Ok(root) => is_inside(store, &root, path, session),
                    Err(reason) => {
                        session.report_io(path, unreadable(path, reason));
                        false
                    }
                };
                if inside {
                    found.push(path.clone());
                }
            }
            Kind::Other => session.report_io(path, not_a_file(path)),
            Kind::Missing => session.report_io(
                path,
                IoError::NotFound {
                    path: path.display().to_string(),
                },
            ),
        }
    }
    found.sort();
    found.dedup();
    found
}

/// Whether a search of a fleet's directory takes `entry`: the `.hub` files, and the directories
/// but `target`; nothing hidden.
fn is_fleet_entry(entry: &Entry) -> bool {
    let Some(name) = entry.path.file_name().map(|name| name.to_string_lossy()) else {
        return false;
    };
    if name.starts_with('.') {
        return false;
    }
    match entry.kind {
        Kind::Directory => name != "target",
        _ => entry
            .path
            .extension()
            .is_some_and(|extension| extension == "hub"),
    }
}

/// The files under `directory`, searched recursively, that `keep` takes, sorted: `keep` is asked
/// about each entry, and decides which directories are searched and which files kept. Only
/// regular files are kept whose real paths lie under `directory`; a file `keep` takes that is
/// anything else is reported, never read.
pub fn select(
    store: &dyn Store,
    directory: &Path,
    keep: &dyn Fn(&Entry) -> bool,
    session: &mut Session,
) -> Vec<PathBuf> {
    let root = match store.canonical(directory) {
        Ok(root) => root,
        Err(reason) => {
            session.report_io(directory, unreadable(directory, reason));
            return Vec::new();
        }
    };
    let mut found = Vec::new();
    walk(store, &root, directory, keep, &mut found, session);
    found.sort();
    found
}

/// The files under `directory` that `keep` takes, whose real paths must lie under `root`
/// (canonical).
fn walk(
    store: &dyn Store,
    root: &Path,
    directory: &Path,
    keep: &dyn Fn(&Entry) -> bool,
    found: &mut Vec<PathBuf>,
    session: &mut Session,
) {
    let entries = match store.list(directory) {
        Ok(entries) => entries,
        Err(reason) => {
            session.report_io(directory, unreadable(directory, reason));
            return;
        }
    };
    for entry in entries.into_iter().filter(|entry| keep(entry)) {
        // Directories reached through symbolic links are not followed: they may lead out of
        // the fleet, which imports cannot leave either, or back into it, without end.
        if entry.kind == Kind::Directory {
            if !entry.is_link {
                walk(store, root, &entry.path, keep, found, session);
            }
            continue;
        }
        let path = &entry.path;
        if entry.kind == Kind::Other {
            session.report_io(path, not_a_file(path));
            continue;
        }
        if is_inside(store, root, path, session) {
            found.push(entry.path);
        }
    }
}
