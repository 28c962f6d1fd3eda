//! Replacing a few files of a large output in place, all or nothing. Where a build changes a
//! small part of its output, swapping in a whole new tree would cost a link per unchanged file;
//! instead the changed files and the new marker are written into a staging directory beside the
//! output, then a journal listing what to put and what to remove, which commits the build.
//! Each file is then renamed into place (each rename atomic), the removed ones removed, and the
//! marker renamed last. A build killed before the journal leaves the output as it was (the
//! staging directory is removed by the next build); one killed after is finished by the next
//! ([`finish`]), so the output is always the old one or, once recovered, the new one. A reader
//! looking at the output while the files are renamed may see some new files beside old ones.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::ownership::Stamp;
use super::swap::Steps;

/// The journal's name in the staging directory, and its first line.
const JOURNAL: &str = ".hubc-journal";
const FORMAT: &str = "hubc-journal 1";

/// What a patch does to the output.
pub(super) struct Patch<'a> {
    /// Files to write, by path: new ones and changed ones.
    pub put: Vec<(&'a str, &'a str)>,
    /// Files of the earlier output that the new one does not have.
    pub remove: Vec<&'a str>,
    /// The new marker's text.
    pub marker: &'a str,
}

/// Stages `patch` in `staging`: its files and its marker. Returns the stamp of each file to
/// put, as written (renaming it into place keeps it). Leaves `directory` untouched.
pub(super) fn stage(
    staging: &Path,
    patch: &Patch<'_>,
    steps: &mut Steps,
) -> std::io::Result<Vec<Stamp>> {
    super::create_dir_all(staging)?;
    let mut stamps = Vec::with_capacity(patch.put.len());
    for (relative, text) in &patch.put {
        let path = staging.join(relative);
        if let Some(parent) = path.parent() {
            super::create_dir_all(parent)?;
        }
        let mut file = std::fs::File::create(path)?;
        file.write_all(text.as_bytes())?;
        let stamp =
            Stamp::of(&file.metadata()?).ok_or_else(|| std::io::Error::other("no mtime"))?;
        stamps.push(stamp);
        steps.step();
    }
    std::fs::write(staging.join(super::OUTPUT_MARKER), patch.marker)?;
    Ok(stamps)
}

/// Commits the patch staged in `staging` ([`stage`]) with the journal, then applies it to
/// `directory`. An error before the journal is written leaves `directory` untouched.
pub(super) fn commit(
    directory: &Path,
    staging: &Path,
    patch: &Patch<'_>,
    steps: &mut Steps,
) -> std::io::Result<()> {
    let mut journal = format!("{FORMAT}\n");
    for (relative, _) in &patch.put {
        journal.push_str(&format!("put {relative}\n"));
    }
    for relative in &patch.remove {
        journal.push_str(&format!("remove {relative}\n"));
    }
    journal.push_str("end\n");
    // Written whole under another name, then renamed: a journal that exists is complete.
    let pending = staging.join(format!("{JOURNAL}.tmp"));
    let mut file = std::fs::File::create(&pending)?;
    file.write_all(journal.as_bytes())?;
    file.sync_all()?;
    std::fs::rename(&pending, staging.join(JOURNAL))?;
    steps.step();
    finish(directory, staging, steps).map(|_| ())
}

/// Applies the committed journal of `staging` to `directory`, from wherever an interrupted
/// build stopped: a file already renamed is no longer staged, and removing is done once.
/// Removes `staging` when done. `Ok(false)` when `staging` holds no journal (the build that
/// staged it was killed before it committed): nothing is applied.
pub(super) fn finish(directory: &Path, staging: &Path, steps: &mut Steps) -> std::io::Result<bool> {
    let Ok(journal) = std::fs::read_to_string(staging.join(JOURNAL)) else {
        return Ok(false);
    };
    let mut lines = journal.lines();
    if lines.next() != Some(FORMAT) || journal.lines().last() != Some("end") {
        return Err(std::io::Error::other(format!(
            "`{}` is not a journal hubc wrote",
            staging.join(JOURNAL).display()
        )));
    }
    for line in lines {
        if let Some(relative) = line.strip_prefix("put ") {
            let staged = staging.join(relative);
            if staged.exists() {
                let target = directory.join(relative);
                if let Some(parent) = target.parent() {
                    super::create_dir_all(parent)?;
                }
                std::fs::rename(&staged, &target)?;
            }
        } else if let Some(relative) = line.strip_prefix("remove ") {
            match std::fs::remove_file(directory.join(relative)) {
                Err(error) if error.kind() != std::io::ErrorKind::NotFound => return Err(error),
                _ => remove_empty_parents(directory, relative),
            }
        } else {
            continue;
        }
        steps.step();
    }
    let marker = staging.join(super::OUTPUT_MARKER);
    if marker.exists() {
        std::fs::rename(&marker, directory.join(super::OUTPUT_MARKER))?;
    }
    steps.step();
    std::fs::remove_dir_all(staging)?;
    steps.step();
    Ok(true)
}

/// Removes the directories above `relative` that its removal left empty, up to `directory`: a
/// build's output holds no empty directory.
fn remove_empty_parents(directory: &Path, relative: &str) {
    let mut parent: Option<PathBuf> = Path::new(relative).parent().map(Path::to_path_buf);
    while let Some(next) = parent.filter(|next| !next.as_os_str().is_empty()) {
        if std::fs::remove_dir(directory.join(&next)).is_err() {
            break;
        }
        parent = next.parent().map(Path::to_path_buf);
    }
}

/// Whether the files of an earlier output (`before`) can be patched into those of a new one
/// (`after`): no path of one is a directory in the other, so every file renamed into place has
/// a directory to go to, and a committed patch cannot fail on the shape of the tree.
pub(super) fn fits<'a>(
    before: &super::record::Written,
    after: impl Iterator<Item = &'a str> + Clone,
) -> bool {
    let after_set: std::collections::BTreeSet<&str> = after.clone().collect();
    fn directories(path: &str) -> impl Iterator<Item = &str> {
        path.char_indices()
            .filter(|(_, c)| *c == '/')
            .map(move |(at, _)| &path[..at])
    }
    let listed = |path: &str| before.get(path).is_some();
    let new_paths_fit = after
        .filter(|path| !listed(path))
        .all(|path| directories(path).all(|above| !listed(above)));
    let old_paths_fit = before
        .iter()
        .map(|file| file.relative)
        .filter(|path| !after_set.contains(*path))
        .all(|path| directories(path).all(|above| !after_set.contains(above)));
    new_paths_fit && old_paths_fit
}
