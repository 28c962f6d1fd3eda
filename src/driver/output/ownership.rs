//! Which files of an output directory a build wrote: the `.hubc-output` marker lists each with
//! a hash, and a build replaces a directory only when it holds nothing else.

use std::collections::BTreeMap;
use std::path::Path;

use super::record::Written;
use super::{IoError, OUTPUT_MARKER, output_error};

/// The first line of a marker, naming its format.
const MARKER_FORMAT: &str = "hubc-output 1";

const MARKER_COMMENT: &str = "\
# This directory is written by `hubc build`, which replaces it whole on the next build.
# Each line below is a file the build wrote: the FNV-1a hash (64 bits) of its bytes, then its
# path. The next build refuses to replace the directory while it holds a file that is not
# listed here, or one whose hash differs (a file changed since), and removes nothing.
";

/// The 64-bit FNV-1a hash of `bytes`, written out here because it must never change: markers
/// written by one version of hubc are read by the next. (`DefaultHasher` may change between
/// Rust releases.) It detects files changed by hand, not files crafted to collide.
pub(super) fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The text of the marker of a build that writes `files`.
pub(super) fn marker_text<'a>(files: impl Iterator<Item = (&'a str, u64)>) -> String {
    use std::fmt::Write;
    let files = files.into_iter();
    // A hash, a space, a path of about sixty bytes and a newline a line.
    let mut text = String::with_capacity(MARKER_COMMENT.len() + 80 * files.size_hint().0);
    let _ = write!(text, "{MARKER_FORMAT}\n{MARKER_COMMENT}");
    for (relative, hash) in files {
        super::record::push_hex(&mut text, hash);
        text.push(' ');
        text.push_str(relative);
        text.push('\n');
    }
    text
}

/// The files a marker lists, with their hashes; `None` when it is not a marker hubc wrote
/// (empty, another format, a malformed line).
fn parse_marker(text: &str) -> Option<BTreeMap<String, u64>> {
    let mut lines = text.lines();
    if lines.next()? != MARKER_FORMAT {
        return None;
    }
    let mut listed = BTreeMap::new();
    for line in lines.filter(|line| !line.starts_with('#')) {
        let (hash, relative) = line.split_once(' ')?;
        if hash.len() != 16 || relative.is_empty() {
            return None;
        }
        listed.insert(relative.to_string(), u64::from_str_radix(hash, 16).ok()?);
    }
    Some(listed)
}

/// A file's size and modification time, in nanoseconds since the epoch: what tells, without
/// reading it, that a file is the one a build recorded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Stamp {
    pub size: u64,
    pub modified: i128,
}

impl Stamp {
    pub(super) fn of(metadata: &std::fs::Metadata) -> Option<Stamp> {
        let modified = metadata.modified().ok()?;
        let nanos = match modified.duration_since(std::time::UNIX_EPOCH) {
            Ok(after) => after.as_nanos() as i128,
            Err(before) => -(before.duration().as_nanos() as i128),
        };
        Some(Stamp {
            size: metadata.len(),
            modified: nanos,
        })
    }
}

/// What a directory holds, measured against its marker.
struct Survey {
    /// The files its marker lists, or `None` when it has no marker hubc wrote.
    listed: Option<BTreeMap<String, u64>>,
    /// Every regular file but the marker, with the hash of its bytes.
    files: BTreeMap<String, u64>,
    /// What no build writes: symbolic links, empty directories, other kinds of file, and a
    /// marker hubc did not write.
    strays: Vec<String>,
}

/// What `directory` holds. A file with the stamp `written` records for it is taken to have the
/// recorded hash, without reading it.
fn survey(directory: &Path, written: &Written) -> std::io::Result<Survey> {
    use rayon::prelude::*;
    let mut found = Survey {
        listed: None,
        files: BTreeMap::new(),
        strays: Vec::new(),
    };
    // The tree is listed first; then each file is measured, on every core.
    let mut files: Vec<(String, std::fs::DirEntry)> = Vec::new();
    let mut pending = vec![directory.to_path_buf()];
    while let Some(next) = pending.pop() {
        let mut empty = true;
        for entry in std::fs::read_dir(&next)? {
            let entry = entry?;
            empty = false;
            let path = entry.path();
            let relative = super::super::slash_path(&path, directory);
            let kind = entry.file_type()?;
            if kind.is_dir() {
                pending.push(path);
            } else if !kind.is_file() {
                found.strays.push(relative);
            } else if relative == OUTPUT_MARKER {
                let text = std::fs::read(&path)?;
                found.listed = std::str::from_utf8(&text).ok().and_then(parse_marker);
                if found.listed.is_none() {
                    found.strays.push(relative);
                }
            } else {
                files.push((relative, entry));
            }
        }
        if empty && next != directory {
            found
                .strays
                .push(format!("{}/", super::super::slash_path(&next, directory)));
        }
    }
    let hashes: Vec<u64> = files
        .par_iter()
        .map(|(relative, entry)| {
            let stamp = Stamp::of(&entry.metadata()?);
            match written.get(relative) {
                Some(recorded) if stamp == Some(recorded.stamp) => Ok(recorded.hash),
                _ => Ok(fnv1a(&std::fs::read(entry.path())?)),
            }
        })
        .collect::<std::io::Result<_>>()?;
    found.files = files
        .into_iter()
        .map(|(relative, _)| relative)
        .zip(hashes)
        .collect();
    Ok(found)
}

/// Checks that a build may replace `directory`: it is absent or empty, or holds only files its
/// marker lists, unchanged. Returns the files it holds, with their hashes (some of those the
/// marker lists may be gone).
pub(super) fn check(directory: &Path, written: &Written) -> Result<BTreeMap<String, u64>, IoError> {
    let refuse = |reason: String| IoError::ForeignOutput {
        path: directory.display().to_string(),
        reason,
    };
    match std::fs::symlink_metadata(directory) {
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(BTreeMap::new()),
        Err(error) => return Err(output_error(directory, error)),
        Ok(metadata) if metadata.file_type().is_symlink() => {
            return Err(refuse("it is a symbolic link".into()));
        }
        Ok(metadata) if !metadata.is_dir() => return Err(refuse("it is not a directory".into())),
        Ok(_) => {}
    }
    let found = survey(directory, written).map_err(|error| output_error(directory, error))?;
    let listed = found.listed.unwrap_or_default();
    let mut unknown = found.strays;
    let mut changed = Vec::new();
    for (relative, hash) in &found.files {
        match listed.get(relative) {
            None => unknown.push(relative.clone()),
            Some(written) if written != hash => changed.push(relative.clone()),
            Some(_) => {}
        }
    }
    if unknown.is_empty() && changed.is_empty() {
        return Ok(found.files);
    }
    unknown.sort();
    let mut reasons = Vec::new();
    if !unknown.is_empty() {
        reasons.push(format!(
            "hubc did not write {}",
            name_list(directory, &unknown)
        ));
    }
    if !changed.is_empty() {
        let verb = if changed.len() == 1 { "was" } else { "were" };
        reasons.push(format!(
            "{} {verb} changed since the last build",
            name_list(directory, &changed)
        ));
    }
    Err(refuse(reasons.join("; ")))
}

/// Whether `directory` holds exactly the files its marker lists, each as written: a complete
/// build output.
pub(super) fn verified(directory: &Path) -> bool {
    intact(directory, &Written::default()).is_some()
}

/// The files the marker of `directory` lists, with their hashes, when it holds exactly those
/// files, each as written.
pub(super) fn intact(directory: &Path, written: &Written) -> Option<BTreeMap<String, u64>> {
    let found = survey(directory, written).ok()?;
    (found.strays.is_empty() && found.listed.as_ref() == Some(&found.files)).then_some(found.files)
}

/// Whether `directory` holds exactly the files of `written`, each with its stamp, and nothing
/// else but the marker: [`intact`] for an output whose marker is known to be the one recorded
/// with `written` (its hash matched), so the marker need not be read, nor any file whose stamp
/// is as recorded (one touched since is read and hashed). Walks each directory on its own
/// core, measures each file relative to its directory, finds it among the recorded files
/// under that directory, and stops at the first difference.
pub(super) fn as_stamped(directory: &Path, written: &Written) -> bool {
    use rayon::prelude::*;
    /// Whether the directory `path`, which is `prefix` (empty, or ending in `/`) under the
    /// output, holds exactly the recorded files under it, with their recorded stamps.
    fn walk(path: &Path, prefix: &str, written: &Written) -> bool {
        let under = written.under(prefix);
        // A directory with nothing recorded under it is something no build writes, and is
        // not walked down: the walk goes no deeper than the recorded paths, however deep a
        // tree someone made in the output.
        if under.len() == 0 && !prefix.is_empty() {
            return false;
        }
        let Ok(entries) = std::fs::read_dir(path) else {
            return false;
        };
        let entries: Vec<std::fs::DirEntry> = match entries.collect() {
            Ok(entries) => entries,
            Err(_) => return false,
        };
        // An empty directory is something no build writes.
        if entries.is_empty() && !prefix.is_empty() {
            return false;
        }
        // This directory's files (but the marker), by name, and the directories below it.
        let mut files = Vec::with_capacity(entries.len());
        let mut below = Vec::new();
        for entry in &entries {
            let Ok(kind) = entry.file_type() else {
                return false;
            };
            let Ok(name) = entry.file_name().into_string() else {
                return false;
            };
            if kind.is_dir() {
                below.push((entry, format!("{prefix}{name}/")));
            } else if !kind.is_file() {
                return false;
            } else if !(prefix.is_empty() && name == OUTPUT_MARKER) {
                files.push((entry, name));
            }
        }
        // The files here are those recorded directly under this directory, name for name (both
        // in order of name, matched in one walk), and what is recorded further down is in the
        // directories below, each walked in turn: every file recorded is found, and nothing
        // else is.
        files.sort_unstable_by(|(_, left), (_, right)| left.cmp(right));
        let mut recorded = under.direct();
        let mut expected = Vec::with_capacity(files.len());
        for (_, name) in &files {
            match recorded.next() {
                Some((recorded_name, hash, stamp)) if recorded_name == name => {
                    expected.push((hash, stamp))
                }
                _ => return false,
            }
        }
        let n_below: usize = below
            .iter()
            .map(|(_, relative)| written.under(relative).len())
            .sum();
        if recorded.next().is_some() || files.len() + n_below != under.len() {
            return false;
        }
        let files_as_recorded = || {
            (&files, &expected).into_par_iter().with_min_len(256).all(
                |((entry, _), &(hash, recorded))| {
                    let found = entry.metadata().ok().and_then(|m| Stamp::of(&m));
                    // A file touched since, but not changed, is still the one written.
                    found == Some(recorded)
                        || std::fs::read(entry.path()).is_ok_and(|bytes| fnv1a(&bytes) == hash)
                },
            )
        };
        let below_as_recorded = || {
            below
                .par_iter()
                .all(|(entry, relative)| walk(&entry.path(), relative, written))
        };
        let (files, below) = rayon::join(files_as_recorded, below_as_recorded);
        files && below
    }
    walk(directory, "", written)
}

/// At most a few paths under `directory`, in backticks, and how many more there are.
pub(super) fn name_list(directory: &Path, relatives: &[String]) -> String {
    const SHOWN: usize = 5;
    let names: Vec<String> = relatives
        .iter()
        .take(SHOWN)
        .map(|relative| format!("`{}`", directory.join(relative).display()))
        .collect();
    let mut text = names.join(", ");
    if relatives.len() > SHOWN {
        text.push_str(&format!(" and {} more", relatives.len() - SHOWN));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a_matches_the_published_test_vectors() {
        assert_eq!(fnv1a(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn a_marker_reads_back_what_it_lists_and_nothing_else_is_one() {
        let files = BTreeMap::from([
            ("helm/a b.yaml".to_string(), "x: 1\n".to_string()),
            ("terraform/gcp/c.tfvars".to_string(), String::new()),
        ]);
        let hashes = files
            .iter()
            .map(|(relative, text)| (relative.as_str(), fnv1a(text.as_bytes())));
        let listed = parse_marker(&marker_text(hashes)).expect("a marker hubc wrote");
        assert_eq!(
            listed.keys().collect::<Vec<_>>(),
            files.keys().collect::<Vec<_>>()
        );
        assert_eq!(listed["helm/a b.yaml"], fnv1a(b"x: 1\n"));
        assert_eq!(parse_marker(""), None);
        assert_eq!(
            parse_marker("This directory is written by `hubc build`.\n"),
            None
        );
        assert_eq!(parse_marker("hubc-output 1\nnot-a-hash x\n"), None);
    }
}
