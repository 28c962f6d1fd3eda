//! What a build records beside its output for the next build: the hash of the marker it wrote,
//! the digests of its inputs, what each fleet file declared, the hash, size, modification time
//! and cluster of each file it wrote, and its diagnostics. Kept out of the output itself, which
//! must hold the same bytes whoever built it, wherever and whenever; written after the output
//! is in place, and trusted only for the output whose marker it names, so a lost or stale
//! record costs a rebuild, never a wrong one.

use std::collections::BTreeMap;
use std::path::Path;

use super::ownership::{self, Stamp, Stamps};
use super::{OUTPUT_MARKER, Record, SourceRecord, swap};

const FORMAT: &str = "hubc-record 2";

const COMMENT: &str = "\
# Written by `hubc build` beside the output directory it names, for the next build: the hash
# of that directory's marker, digests of what the build read (`context`: hubc, its standard
# modules and the day), each fleet file (digest, `layer` or `communities` with how many and on
# which clusters, path), each file it wrote (hash, size, modification time in nanoseconds,
# cluster, path) and each diagnostic it reported. Safe to delete.
";

/// A record as read back.
pub(super) struct Recorded {
    pub marker: u64,
    pub record: Record,
    pub stamps: Stamps,
    /// The cluster each written file belongs to.
    pub owners: BTreeMap<String, String>,
}

/// A file of the output as the record lists it.
pub(super) struct Entry<'a> {
    pub relative: &'a str,
    pub hash: u64,
    pub owner: &'a str,
    /// Its stamp when it is known to be unchanged since the last record; read from the disk
    /// otherwise.
    pub stamp: Option<Stamp>,
}

/// The record of the output at `directory`, whose marker text is `marker`: the files of
/// `entries` without a stamp are measured there.
pub(super) fn render(
    directory: &Path,
    marker: &str,
    entries: &[Entry<'_>],
    record: &Record,
) -> std::io::Result<String> {
    use std::fmt::Write;
    // About a hundred bytes a line of a source or file, and each diagnostic as long as it is:
    // made once at its size, never grown and copied.
    let lines = record.sources.len() + entries.len();
    let diagnostics: usize = record.diagnostics.iter().map(|d| d.len() + 12).sum();
    let mut text = String::with_capacity(COMMENT.len() + 128 * lines + diagnostics);
    let _ = write!(
        text,
        "{FORMAT}\n{COMMENT}marker {:016x}\ninputs {}\ncontext {}\n",
        ownership::fnv1a(marker.as_bytes()),
        record.inputs,
        record.context,
    );
    for source in &record.sources {
        let (kind, clusters) = match &source.communities {
            None => ("layer", "-".to_string()),
            Some(on) if on.is_empty() => ("communities", "-".to_string()),
            Some(on) => ("communities", on.join(",")),
        };
        let _ = writeln!(
            text,
            "source {} {kind} {} {clusters} {}",
            source.digest, source.count, source.path
        );
    }
    for entry in entries {
        let stamp = match entry.stamp {
            Some(stamp) => stamp,
            None => {
                let metadata = std::fs::symlink_metadata(directory.join(entry.relative))?;
                Stamp::of(&metadata).ok_or_else(|| std::io::Error::other("no mtime"))?
            }
        };
        let _ = writeln!(
            text,
            "file {:016x} {} {} {} {}",
            entry.hash, stamp.size, stamp.modified, entry.owner, entry.relative
        );
    }
    for diagnostic in &record.diagnostics {
        let _ = writeln!(text, "diagnostic {diagnostic}");
    }
    Ok(text)
}

/// Writes `text`, made by [`render`], as the record of the output at `directory`.
pub(super) fn put(directory: &Path, text: &str) -> std::io::Result<()> {
    // Renamed into place, but not synced to the disk: a record lost to a crash costs a
    // rebuild, never a wrong one.
    super::replace_file(&swap::sibling(directory, "record"), text.as_bytes(), false)
}

/// Removes the record of `directory`, before its output is replaced.
pub(super) fn remove(directory: &Path) {
    let _ = std::fs::remove_file(swap::sibling(directory, "record"));
}

/// The record beside `directory`, if there is one that reads.
pub(super) fn read(directory: &Path) -> Option<Recorded> {
    let text = std::fs::read_to_string(swap::sibling(directory, "record")).ok()?;
    parse(&text)
}

fn parse(text: &str) -> Option<Recorded> {
    let mut lines = text.lines();
    if lines.next()? != FORMAT {
        return None;
    }
    let mut marker = None;
    let mut record = Record::default();
    // Collected in the order written (by path), then made maps in one pass each.
    let mut stamps = Vec::new();
    let mut owners = Vec::new();
    for line in lines.filter(|line| !line.starts_with('#')) {
        let (kind, rest) = line.split_once(' ')?;
        match kind {
            "marker" => marker = Some(u64::from_str_radix(rest, 16).ok()?),
            "inputs" => record.inputs = rest.to_string(),
            "context" => record.context = rest.to_string(),
            "diagnostic" => record.diagnostics.push(rest.to_string()),
            "source" => {
                let mut fields = rest.splitn(5, ' ');
                let digest = fields.next()?.to_string();
                let kind = fields.next()?;
                let count = fields.next()?.parse().ok()?;
                let clusters = fields.next()?;
                let path = fields.next()?.to_string();
                let communities = match (kind, clusters) {
                    ("layer", _) => None,
                    ("communities", "-") => Some(Vec::new()),
                    ("communities", on) => Some(on.split(',').map(str::to_string).collect()),
                    _ => return None,
                };
                record.sources.push(SourceRecord {
                    path,
                    digest,
                    count,
                    communities,
                });
            }
            "file" => {
                let mut fields = rest.splitn(5, ' ');
                let hash = u64::from_str_radix(fields.next()?, 16).ok()?;
                let size = fields.next()?.parse().ok()?;
                let modified = fields.next()?.parse().ok()?;
                let owner = fields.next()?.to_string();
                let relative = fields.next()?.to_string();
                owners.push((relative.clone(), owner));
                stamps.push((relative, (hash, Stamp { size, modified })));
            }
            _ => return None,
        }
    }
    Some(Recorded {
        marker: marker?,
        record,
        stamps: stamps.into_iter().collect(),
        owners: owners.into_iter().collect(),
    })
}

/// Whether the output at `directory` is exactly what the build that wrote `recorded` wrote:
/// its marker is the one recorded, and it holds the files the marker lists, each as written.
pub(super) fn is_intact(directory: &Path, recorded: &Recorded) -> bool {
    std::fs::read(directory.join(OUTPUT_MARKER))
        .is_ok_and(|marker| ownership::fnv1a(&marker) == recorded.marker)
        && ownership::as_stamped(directory, &recorded.stamps)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back() {
        let text = format!(
            "{FORMAT}\n# a comment\nmarker 00000000000000ff\ninputs abc\ncontext def\nsource \
             0a communities 2 c1,c2 x y.hub\nsource 0b layer 0 - p.hub\nfile 0000000000000001 5 \
             -3 c1 a b.yaml\ndiagnostic {{\"code\":\"x\"}}\n"
        );
        let recorded = parse(&text).expect("a record");
        assert_eq!(recorded.marker, 0xff);
        assert_eq!(recorded.record.inputs, "abc");
        assert_eq!(recorded.record.context, "def");
        let sources = &recorded.record.sources;
        assert_eq!(sources.len(), 2);
        assert_eq!((sources[0].path.as_str(), sources[0].count), ("x y.hub", 2));
        assert_eq!(
            sources[0].communities.as_deref(),
            Some(&["c1".to_string(), "c2".to_string()][..])
        );
        assert_eq!(
            (sources[1].digest.as_str(), sources[1].communities.as_ref()),
            ("0b", None)
        );
        assert_eq!(recorded.owners["a b.yaml"], "c1");
        assert_eq!(recorded.record.diagnostics, ["{\"code\":\"x\"}"]);
        assert_eq!(
            recorded.stamps["a b.yaml"],
            (
                1,
                Stamp {
                    size: 5,
                    modified: -3
                }
            )
        );
        assert!(parse("hubc-record 2\nmystery line\n").is_none());
        assert!(
            parse("hubc-record 2\ninputs abc\n").is_none(),
            "no marker hash"
        );
        assert!(parse("").is_none());
    }
}
