//! Writing files: `hubc fmt` rewrites, and the output directories of `hubc build` and
//! `hubc import`, all or nothing.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::*;

mod ownership;
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
    let target;
    let is_link = std::fs::symlink_metadata(path).is_ok_and(|found| found.file_type().is_symlink());
    let path = if is_link {
        target = std::fs::canonicalize(path)?;
        target.as_path()
    } else {
        path
    };
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
        if let Ok(metadata) = std::fs::metadata(path) {
            file.set_permissions(metadata.permissions())?;
        }
        file.write_all(contents)?;
        file.sync_all()?;
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

/// What a build records in its output's marker for the next build: the digest of its inputs
/// and its diagnostics, each a JSON record (see [`super::cache`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Record {
    pub inputs: String,
    pub diagnostics: Vec<String>,
}

/// What writing the output changed.
#[derive(Debug, Default)]
pub struct WriteReport {
    pub written: usize,
    pub unchanged: usize,
    pub removed: usize,
    /// What the build did to finish an earlier, interrupted one (`hub::io::recovered_output`).
    pub recovered: Vec<IoError>,
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

/// Writes a build's files as `directory`, all or nothing, and only over what an earlier build
/// wrote. Under a lock beside `directory` (`hub::io::output_locked` when another build holds
/// it), it first finishes what an interrupted build left ([`swap::recover`]), then refuses a
/// `directory` holding anything its marker does not list as written, unchanged
/// (`hub::io::foreign_output`); it writes the files and the marker into a directory beside
/// `directory`, which then takes its place ([`swap::replace`]). Files of the earlier build
/// that the new one does not write disappear with the old directory; nothing outside
/// `directory`, its lock and its two temporary siblings is touched.
pub fn write_output(
    directory: &Path,
    files: &std::collections::BTreeMap<String, String>,
    record: Option<&Record>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<WriteReport, (IoError, Vec<IoError>)> {
    let _lock = swap::lock(directory).map_err(|error| (error, Vec::new()))?;
    let recovered = swap::recover(directory).map_err(|error| (error, Vec::new()))?;
    match replace_output(directory, files, record, progress) {
        Ok(mut report) => {
            report.recovered = recovered;
            Ok(report)
        }
        Err(error) => Err((error, recovered)),
    }
}

/// What the build that wrote `directory` recorded, when the directory is exactly what it
/// wrote (see `record.rs`): taken under the lock, after finishing an interrupted build (whose
/// notices come back either way). Writes nothing else.
pub fn previous_build(directory: &Path) -> Result<(Option<Record>, Vec<IoError>), IoError> {
    let _lock = swap::lock(directory)?;
    let recovered = swap::recover(directory)?;
    Ok((record::of_intact(directory), recovered))
}

fn replace_output(
    directory: &Path,
    files: &std::collections::BTreeMap<String, String>,
    record: Option<&Record>,
    progress: &mut dyn FnMut(usize, usize),
) -> Result<WriteReport, IoError> {
    let stamps = record::read(directory)
        .map(|r| r.stamps)
        .unwrap_or_default();
    let before = ownership::check(directory, &stamps)?;
    let hashes: Vec<u64> = files
        .values()
        .map(|text| ownership::fnv1a(text.as_bytes()))
        .collect();
    // A file the earlier build wrote with the same bytes is linked into the new tree rather
    // than written again.
    let unchanged: Vec<bool> = files
        .keys()
        .zip(&hashes)
        .map(|(relative, hash)| before.get(relative) == Some(hash))
        .collect();
    let marker = ownership::marker_text(files.keys().zip(hashes.iter().copied()));
    let mut steps = swap::Steps::from_environment();
    steps.step();
    let staging = swap::sibling(directory, "new");
    let result = (|| {
        let reuse = Reuse {
            from: directory,
            unchanged: &unchanged,
        };
        stage_files(&staging, files, Some(reuse), &mut |done, total| {
            steps.step();
            progress(done, total);
        })?;
        // The marker last: a tree with a marker that lists its files is complete.
        std::fs::write(staging.join(OUTPUT_MARKER), &marker)?;
        // The record of the output being replaced goes before it does.
        record::remove(directory);
        steps.step();
        swap::replace(directory, &staging, &mut steps)
    })();
    if let Err(error) = result {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(output_error(directory, error));
    }
    if let Some(record) = record {
        // Without it the next build builds again; nothing is lost.
        let _ = record::write(directory, &marker, files, &hashes, record);
    }
    let mut report = WriteReport::default();
    report.unchanged = unchanged.iter().filter(|same| **same).count();
    report.written = files.len() - report.unchanged;
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
        stage_files(&staging, files, None, &mut |_, _| {})?;
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

/// The files of an earlier output that a new one may take as they are: a hard link shares
/// the file, which the earlier tree's removal then leaves to the new one.
struct Reuse<'a> {
    from: &'a Path,
    /// For each file to write, in order, whether the earlier output holds it, unchanged.
    unchanged: &'a [bool],
}

/// Writes `files` under `staging`, linking those `reuse` holds unchanged. Every path must stay
/// inside it, whatever a name says.
fn stage_files(
    staging: &Path,
    files: &std::collections::BTreeMap<String, String>,
    reuse: Option<Reuse<'_>>,
    progress: &mut dyn FnMut(usize, usize),
) -> std::io::Result<()> {
    use rayon::prelude::*;
    std::fs::create_dir_all(staging)?;
    let files: Vec<(usize, &String, &String)> = files
        .iter()
        .enumerate()
        .map(|(index, (relative, text))| (index, relative, text))
        .collect();
    // Every name checked, and every directory made, before any file is written.
    let mut directories = std::collections::BTreeSet::new();
    for &(_, relative, _) in &files {
        let inside = Path::new(relative)
            .components()
            .all(|part| matches!(part, std::path::Component::Normal(_)))
            && !relative.contains(['\n', '\r']);
        if !inside {
            return Err(std::io::Error::other(format!(
                "`{relative}` would leave the output directory"
            )));
        }
        if let Some(parent) = Path::new(relative.as_str()).parent() {
            directories.insert(parent);
        }
    }
    for directory in directories {
        std::fs::create_dir_all(staging.join(directory))?;
    }
    // Then the files, on every core, a chunk at a time: progress is reported, and a test's
    // fault is injected, between chunks (about 64 of them, or one file each for few files).
    let write = |&(index, relative, text): &(usize, &String, &String)| {
        let path = staging.join(relative);
        let linked = reuse.as_ref().is_some_and(|reuse| {
            reuse.unchanged.get(index) == Some(&true)
                && std::fs::hard_link(reuse.from.join(relative), &path).is_ok()
        });
        if linked {
            Ok(())
        } else {
            std::fs::write(&path, text)
        }
    };
    let chunk = (files.len() / 64).max(1);
    let mut done = 0;
    for part in files.chunks(chunk) {
        part.par_iter().try_for_each(write)?;
        done += part.len();
        progress(done, files.len());
    }
    Ok(())
}
