//! Writing files: `hubc fmt` rewrites, and the output directories of `hubc build` and
//! `hubc import`, all or nothing.

use std::io::Write;
use std::path::{Path, PathBuf};

use ownership::Stamp;

use super::*;

mod ownership;
mod patch;
mod record;
mod swap;

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
/// reader never sees a half-written file. A symbolic link stays one: the file it points to is
/// rewritten. The file keeps its permissions, given to the temporary file before anything is
/// written to it, so a private file's new text is never readable by others.
pub fn write_atomically(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    replace_file(path, contents, true)
}

/// Writes a file that must not exist yet, whole or not at all: the text goes to a temporary
/// file beside it, which is then linked to its name, which fails (`AlreadyExists`) when the name
/// is taken, even by a file made meanwhile. Makes the directories it needs.
pub fn create_new_file(path: &Path, contents: &[u8]) -> std::io::Result<()> {
    if std::fs::symlink_metadata(path).is_ok() {
        return Err(std::io::ErrorKind::AlreadyExists.into());
    }
    let temporary = temporary_beside(path);
    if let Some(directory) = temporary.parent() {
        create_dir_all(directory)?;
    }
    let result = (|| {
        let mut file = std::fs::File::create_new(&temporary)?;
        file.write_all(contents)?;
        file.sync_all()?;
        std::fs::hard_link(&temporary, path)
    })();
    let _ = std::fs::remove_file(&temporary);
    result
}

/// `std::fs::create_dir_all`, saying which part of the path is a file where a directory must
/// be: the standard library says "already exists" of the last part, which reads as if the
/// directory, or a file being created in it, were there, and "not a directory" of one above,
/// without saying which.
pub(crate) fn create_dir_all(directory: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(directory).map_err(|error| {
        use std::io::ErrorKind::{AlreadyExists, NotADirectory};
        if !matches!(error.kind(), AlreadyExists | NotADirectory) {
            return error;
        }
        let Some(file) = directory
            .ancestors()
            .find(|part| std::fs::metadata(part).is_ok_and(|found| !found.is_dir()))
        else {
            return error;
        };
        std::io::Error::new(
            std::io::ErrorKind::NotADirectory,
            format!("`{}` is not a directory", file.display()),
        )
    })
}

/// The temporary file a file is written as before it takes its name: beside it, hidden, and
/// named for this process.
fn temporary_beside(path: &Path) -> PathBuf {
    let directory = path
        .parent()
        .filter(|parent| !parent.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let file_name = path
        .file_name()
        .and_then(|name| name.to_str())
        .unwrap_or("file");
    directory.join(format!(".{file_name}.hubc-{}.tmp", std::process::id()))
}

/// [`write_atomically`], syncing the new text to the disk before it takes the old one's place
/// when `sync` is set.
fn replace_file(path: &Path, contents: &[u8], sync: bool) -> std::io::Result<()> {
    let target;
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|found| found.file_type().is_symlink());
    let path = if is_link {
        target = std::fs::canonicalize(path)?;
        target.as_path()
    } else {
        path
    };
    let temporary = temporary_beside(path);
    let result = (|| {
        let mut file = std::fs::File::create(&temporary)?;
        if let Ok(metadata) = std::fs::metadata(path) {
            file.set_permissions(metadata.permissions())?;
        }
        file.write_all(contents)?;
        if sync {
            file.sync_all()?;
        }
        std::fs::rename(&temporary, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&temporary);
    }
    result
}

/// The file that marks a directory as `hubc build` output: it lists every file the build
/// wrote, with a hash, so that the next build replaces only what it wrote.
pub const OUTPUT_MARKER: &str = ".hubc-output";

/// What a build records beside its output for the next build (see [`super::cache`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    /// The digest of everything the build read.
    pub inputs: String,
    /// The digest of what it read besides the fleet: hubc, its standard modules, the day.
    pub context: String,
    /// Each fleet file, in the order the build loaded them.
    pub sources: Vec<SourceRecord>,
    /// Its diagnostics, each a JSON record.
    pub diagnostics: Vec<String>,
}

/// A fleet file as a build recorded it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceRecord {
    pub path: String,
    /// The digest of its text.
    pub digest: String,
    /// How many communities it declares.
    pub count: usize,
    /// For a file that declares only communities (and imports), the clusters they are on;
    /// `None` for a file that declares anything else.
    pub communities: Option<Vec<String>>,
}

/// What writing the output changed.
#[derive(Debug, Default)]
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
            let relative = super::slash_path(&path, directory);
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

/// The files of a build, to write as an output directory.
pub struct NewOutput<'a> {
    /// The files built, by path, with the cluster each belongs to.
    pub files: &'a std::collections::BTreeMap<String, String>,
    pub owners: &'a std::collections::BTreeMap<String, String>,
    /// Files of the earlier output that this one keeps as they are, unbuilt: an incremental
    /// build has not made them again. Each must be in [`OutputDir::previous`]'s output; they
    /// come in order of path, as [`PreviousBuild::files`] gives them.
    pub kept: Vec<String>,
}

/// A build's output directory, held for the build: under a lock beside it
/// (`hub::io::output_locked` when another build holds it), with what an interrupted build left
/// finished ([`swap::recover`]), and what the build that wrote it recorded.
pub struct OutputDir {
    directory: PathBuf,
    _lock: swap::OutputLock,
    /// What opening did to finish an earlier, interrupted build (`hub::io::recovered_output`).
    pub recovered: Vec<IoError>,
    recorded: Option<record::Recorded>,
    /// Whether the directory is exactly what the recorded build wrote.
    intact: bool,
}

/// The build that wrote an output directory, as it recorded it, when the directory is still
/// exactly what it wrote.
pub struct PreviousBuild<'a> {
    pub record: &'a Record,
    written: &'a record::Written,
}

impl<'a> PreviousBuild<'a> {
    /// The files it wrote, by path, each with the cluster it belongs to.
    pub fn files(&self) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
        self.written.iter().map(|file| (file.relative, file.owner))
    }
}

impl OutputDir {
    pub fn open(directory: &Path) -> Result<OutputDir, IoError> {
        let mut opened = OutputDir::open_unchecked(directory)?;
        let intact = opened.is_as_recorded();
        opened.checked(intact);
        Ok(opened)
    }

    /// [`OutputDir::open`] without checking the directory against its record, so that the
    /// check ([`OutputDir::is_as_recorded`]) can run beside work that needs only the record
    /// ([`OutputDir::recorded_build`]). Until [`OutputDir::checked`] says otherwise, the
    /// directory is taken to be other than recorded.
    pub fn open_unchecked(directory: &Path) -> Result<OutputDir, IoError> {
        let lock = swap::lock(directory)?;
        let recovered = swap::recover(directory)?;
        // The record of a directory that is gone is of no use: nothing it lists can be kept.
        let phase = crate::timings::phase("read record");
        let recorded = directory
            .is_dir()
            .then(|| record::read(directory))
            .flatten();
        drop(phase);
        Ok(OutputDir {
            directory: directory.to_path_buf(),
            _lock: lock,
            recovered,
            recorded,
            intact: false,
        })
    }

    /// Whether the directory is exactly what the build that recorded it wrote.
    pub fn is_as_recorded(&self) -> bool {
        let _phase = crate::timings::phase("check output");
        self.recorded
            .as_ref()
            .is_some_and(|recorded| record::is_intact(&self.directory, recorded))
    }

    /// Takes the result of [`OutputDir::is_as_recorded`].
    pub fn checked(&mut self, intact: bool) {
        self.intact = intact;
    }

    /// [`OutputDir::previous`], before the directory is checked against the record: what
    /// only a directory found intact may use.
    pub fn recorded_build(&self) -> Option<PreviousBuild<'_>> {
        let recorded = self.recorded.as_ref()?;
        Some(PreviousBuild {
            record: &recorded.record,
            written: &recorded.files,
        })
    }

    pub fn previous(&self) -> Option<PreviousBuild<'_>> {
        self.recorded_build().filter(|_| self.intact)
    }

    /// Writes a build's files as the directory, all or nothing, and only over what an earlier
    /// build wrote: it refuses a directory holding anything its marker does not list as
    /// written, unchanged (`hub::io::foreign_output`). A build that changes a small part of a
    /// large output replaces those files in place under a journal (see `patch.rs`); otherwise
    /// the files and the marker are written into a directory beside it, which then takes its
    /// place ([`swap::replace`]), files that did not change linked rather than written. Files
    /// of the earlier build that the new one does not write disappear; nothing outside the
    /// directory, its lock and its temporary siblings is touched. `record`, when given, is
    /// written beside it for the next build.
    pub fn write(
        self,
        output: &NewOutput<'_>,
        record: Option<&Record>,
        progress: &mut dyn FnMut(usize, usize),
    ) -> Result<WriteReport, IoError> {
        let directory = self.directory.as_path();
        let no_record = record::Written::default();
        let recorded = self.recorded.as_ref().map_or(&no_record, |r| &r.files);
        // The files of the earlier output with their hashes: as recorded, when it is intact;
        // as found, otherwise.
        let found;
        let before = if self.recorded.is_some() && self.intact {
            recorded
        } else {
            found = record::Written::of_hashes(&ownership::check(directory, recorded)?);
            &found
        };
        use rayon::prelude::*;
        // Hashed on every core: the hashes are a pass over every byte of the output.
        let files: Vec<(&String, &String)> = output.files.iter().collect();
        let hashes: Vec<u64> = files
            .par_iter()
            .map(|(_, text)| ownership::fnv1a(text.as_bytes()))
            .collect();
        // Both in order of path: each file's earlier self found in one walk.
        let earlier = before.in_order(files.iter().map(|(relative, _)| relative.as_str()));
        let mut entries: Vec<Entry<'_>> = files
            .iter()
            .zip(hashes)
            .zip(earlier)
            .map(|((&(relative, text), hash), earlier)| {
                let unchanged = earlier.is_some_and(|earlier| earlier.hash == hash);
                Entry {
                    relative,
                    hash,
                    owner: output.owners.get(relative).map_or("", String::as_str),
                    text: Some(text),
                    unchanged,
                    stamp: earlier
                        .filter(|_| unchanged && self.intact)
                        .map(|earlier| earlier.stamp),
                }
            })
            .collect();
        let previous = self.recorded.as_ref().filter(|_| self.intact);
        // In order of path too: found in one walk over the record.
        let kept: Option<Vec<Entry<'_>>> = if output.kept.is_empty() {
            Some(Vec::new())
        } else {
            previous.and_then(|previous| {
                previous
                    .files
                    .in_order(output.kept.iter().map(String::as_str))
                    .map(|file| {
                        let file = file?;
                        Some(Entry {
                            relative: file.relative,
                            hash: file.hash,
                            owner: file.owner,
                            text: None,
                            unchanged: true,
                            stamp: Some(file.stamp),
                        })
                    })
                    .collect()
            })
        };
        let Some(kept) = kept else {
            let missing = output.kept.iter().find(|relative| {
                previous.is_none_or(|recorded| recorded.files.get(relative).is_none())
            });
            let reason = match missing {
                Some(missing) => format!("`{missing}` is not in the earlier output"),
                None => "the files kept from the earlier output are not in order".to_string(),
            };
            return Err(output_error(directory, std::io::Error::other(reason)));
        };
        entries.extend(kept);
        entries.par_sort_unstable_by(|left, right| left.relative.cmp(right.relative));
        if entries
            .windows(2)
            .any(|pair| pair[0].relative == pair[1].relative)
        {
            return Err(output_error(
                directory,
                std::io::Error::other("a file kept from the earlier output was also built"),
            ));
        }
        let marker = ownership::marker_text(entries.iter().map(|e| (e.relative, e.hash)));
        let n_changed = entries.iter().filter(|entry| !entry.unchanged).count();
        // Both sorted by path: the earlier files that no entry has.
        let mut listed = entries.iter().map(|entry| entry.relative).peekable();
        let removed: Vec<&str> = before
            .iter()
            .map(|file| file.relative)
            .filter(|&relative| {
                while listed.next_if(|&next| next < relative).is_some() {}
                listed.peek() != Some(&relative)
            })
            .collect();
        // Every path the same as before: a tree that fits as it is.
        let same_paths = removed.is_empty() && entries.len() == before.len();
        let phase = crate::timings::phase("prepare write");
        let small_change = (n_changed + removed.len()) * 4 <= entries.len();
        let mut steps = swap::Steps::from_environment();
        steps.step();
        let patched = self.intact
            && small_change
            && (same_paths || patch::fits(before, entries.iter().map(|entry| entry.relative)));
        drop(phase);
        // The record's text, given the stamp of each entry written (by index). Without a
        // record the next build builds again; nothing is lost.
        let record_text = |written: &[Option<Stamp>]| -> Option<String> {
            let record = record?;
            let _phase = crate::timings::phase("render record");
            let listed: Vec<record::Entry<'_>> = entries
                .iter()
                .enumerate()
                .map(|(index, entry)| record::Entry {
                    relative: entry.relative,
                    hash: entry.hash,
                    owner: entry.owner,
                    stamp: entry
                        .stamp
                        .or_else(|| written.get(index).copied().flatten()),
                })
                .collect();
            record::render(directory, &marker, &listed, record).ok()
        };
        let phase = crate::timings::phase("put files");
        // The record of the output being replaced goes before it does.
        let result = if patched {
            record::remove(directory);
            let put: Vec<(&str, &str)> = entries
                .iter()
                .filter(|entry| !entry.unchanged)
                .filter_map(|entry| Some((entry.relative, entry.text?.as_str())))
                .collect();
            let staging = swap::sibling(directory, "patch");
            let patch = patch::Patch {
                put,
                remove: removed.clone(),
                marker: &marker,
            };
            progress(0, n_changed);
            let applied = patch::stage(&staging, &patch, &mut steps).and_then(|stamps| {
                let mut stamps = stamps.into_iter();
                let written: Vec<Option<Stamp>> = entries
                    .iter()
                    .map(|entry| match (entry.unchanged, entry.text) {
                        (false, Some(_)) => stamps.next(),
                        _ => None,
                    })
                    .collect();
                // The record is made while the journal goes to the disk and the files into
                // place: every stamp is known once the files are staged.
                let (committed, text) = rayon::join(
                    || patch::commit(directory, &staging, &patch, &mut steps),
                    || record_text(&written),
                );
                committed.map(|_| text)
            });
            if applied.is_err() && !staging.join(".hubc-journal").exists() {
                let _ = std::fs::remove_dir_all(&staging);
            }
            applied
        } else {
            replace_tree(directory, &entries, &marker, &mut steps, progress)
                .map(|written| record_text(&written))
        };
        drop(phase);
        let text = result.map_err(|error| output_error(directory, error))?;
        if let Some(text) = text {
            let _phase = crate::timings::phase("write record");
            let _ = record::put(directory, &text);
        }
        let unchanged = entries.iter().filter(|entry| entry.unchanged).count();
        Ok(WriteReport {
            written: entries.len() - unchanged,
            unchanged,
            removed: removed.len(),
        })
    }
}

/// A file of a new output.
struct Entry<'a> {
    relative: &'a str,
    hash: u64,
    owner: &'a str,
    /// Its text; `None` for a file kept from the earlier output.
    text: Option<&'a String>,
    /// Whether the earlier output holds it with these bytes.
    unchanged: bool,
    /// Its stamp as recorded, for a file the earlier output holds unchanged, as recorded.
    stamp: Option<Stamp>,
}

/// Writes a new tree beside `directory`, linking the files that did not change from it, and
/// puts the tree in its place. Returns the stamp of each file of `entries` it wrote.
fn replace_tree(
    directory: &Path,
    entries: &[Entry<'_>],
    marker: &str,
    steps: &mut swap::Steps,
    progress: &mut dyn FnMut(usize, usize),
) -> std::io::Result<Vec<Option<Stamp>>> {
    let staging = swap::sibling(directory, "new");
    let result = (|| {
        let files: Vec<StagedFile<'_>> = entries
            .iter()
            .map(|entry| StagedFile {
                relative: entry.relative,
                text: entry.text.map(String::as_str),
                linked_from: entry.unchanged.then_some(directory),
            })
            .collect();
        let phase = crate::timings::phase("stage files");
        let staged = stage_files(&staging, &files, &mut |done, total| {
            steps.step();
            progress(done, total);
        });
        drop(phase);
        let stamps = staged?;
        // The marker last: a tree with a marker that lists its files is complete.
        std::fs::write(staging.join(OUTPUT_MARKER), marker)?;
        record::remove(directory);
        steps.step();
        swap::replace(directory, &staging, steps)?;
        Ok(stamps)
    })();
    if result.is_err() {
        let _ = std::fs::remove_dir_all(&staging);
    }
    result
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

/// Writes a new directory of files, all or nothing: refuses a directory that exists and is not
/// empty, writes into a temporary sibling, then renames it into place.
pub fn write_new_directory(
    directory: &Path,
    files: &std::collections::BTreeMap<String, String>,
) -> Result<(), IoError> {
    if directory.exists() {
        let mut names: Vec<String> = std::fs::read_dir(directory)
            .and_then(|entries| {
                entries
                    .map(|entry| Ok(entry?.file_name().to_string_lossy().into_owned()))
                    .collect()
            })
            .map_err(|e| output_error(directory, e))?;
        if !names.is_empty() {
            names.sort();
            return Err(IoError::ForeignOutput {
                path: directory.display().to_string(),
                reason: format!(
                    "hubc did not write {}",
                    ownership::name_list(directory, &names)
                ),
            });
        }
    }
    let staging = swap::sibling(directory, "new");
    let _ = std::fs::remove_dir_all(&staging);
    let result = (|| {
        let staged: Vec<StagedFile<'_>> = files
            .iter()
            .map(|(relative, text)| StagedFile {
                relative,
                text: Some(text),
                linked_from: None,
            })
            .collect();
        stage_files(&staging, &staged, &mut |_, _| {})?;
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

/// A file to write into a new tree: its text, or the earlier tree to link it from.
struct StagedFile<'a> {
    relative: &'a str,
    text: Option<&'a str>,
    linked_from: Option<&'a Path>,
}

/// Writes `files` under `staging`, linking those that an earlier tree holds unchanged (a hard
/// link shares the file, which the earlier tree's removal then leaves to the new one). Every
/// path must stay inside it, whatever a name says. Returns the stamp of each file written
/// (`None` for those linked), read from the open file rather than looked up again.
fn stage_files(
    staging: &Path,
    files: &[StagedFile<'_>],
    progress: &mut dyn FnMut(usize, usize),
) -> std::io::Result<Vec<Option<Stamp>>> {
    use rayon::prelude::*;
    create_dir_all(staging)?;
    // Every name checked, and every directory made, before any file is written.
    let mut directories = std::collections::BTreeSet::new();
    for file in files {
        let relative = file.relative;
        let inside = Path::new(relative)
            .components()
            .all(|part| matches!(part, std::path::Component::Normal(_)))
            && !relative.contains(['\n', '\r']);
        if !inside {
            return Err(std::io::Error::other(format!(
                "`{relative}` would leave the output directory"
            )));
        }
        if let Some(parent) = Path::new(relative).parent() {
            directories.insert(parent);
        }
    }
    for directory in directories {
        create_dir_all(&staging.join(directory))?;
    }
    // Then the files, on every core, a chunk at a time: progress is reported, and a test's
    // fault is injected, between chunks (about 64 of them, or one file each for few files).
    let write = |file: &StagedFile<'_>| {
        let path = staging.join(file.relative);
        let linked = file
            .linked_from
            .is_some_and(|from| std::fs::hard_link(from.join(file.relative), &path).is_ok());
        match (linked, file.text) {
            (true, _) => Ok(None),
            (false, Some(text)) => {
                let mut written = std::fs::File::create(&path)?;
                written.write_all(text.as_bytes())?;
                Ok(Stamp::of(&written.metadata()?))
            }
            (false, None) => Err(std::io::Error::other(format!(
                "`{}` of the earlier output could not be linked",
                file.relative
            ))),
        }
    };
    let chunk = (files.len() / 64).max(1);
    let mut stamps = Vec::with_capacity(files.len());
    for part in files.chunks(chunk) {
        let written: Vec<Option<Stamp>> = part.par_iter().map(write).collect::<Result<_, _>>()?;
        stamps.extend(written);
        progress(stamps.len(), files.len());
    }
    Ok(stamps)
}
