//! What a build records beside its output for the next build: the hash of the marker it wrote,
//! the digest of its inputs, the hash, size and modification time of each file it wrote, and
//! its diagnostics. Kept out of the output itself, which must hold the same bytes whoever built
//! it, wherever and whenever; written after the output is in place, and trusted only for the
//! output whose marker it names, so a lost or stale record costs a rebuild, never a wrong one.

use std::path::Path;

use super::ownership::{self, Stamp, Stamps};
use super::{OUTPUT_MARKER, Record, swap};

const FORMAT: &str = "hubc-record 1";

const COMMENT: &str = "\
# Written by `hubc build` beside the output directory it names, for the next build: the hash
# of that directory's marker, a digest of what the build read, each file it wrote (hash, size,
# modification time in nanoseconds, path) and each diagnostic it reported. Safe to delete.
";

/// A record as read back.
pub(super) struct Recorded {
    pub marker: u64,
    pub record: Record,
    pub stamps: Stamps,
}

/// Writes the record of the output now at `directory`, whose marker text is `marker`.
pub(super) fn write(
    directory: &Path,
    marker: &str,
    files: &std::collections::BTreeMap<String, String>,
    hashes: &[u64],
    record: &Record,
) -> std::io::Result<()> {
    let mut text = format!(
        "{FORMAT}\n{COMMENT}marker {:016x}\ninputs {}\n",
        ownership::fnv1a(marker.as_bytes()),
        record.inputs
    );
    for (relative, hash) in files.keys().zip(hashes) {
        let metadata = std::fs::symlink_metadata(directory.join(relative))?;
        let stamp = Stamp::of(&metadata).ok_or_else(|| std::io::Error::other("no mtime"))?;
        text.push_str(&format!(
            "file {hash:016x} {} {} {relative}\n",
            stamp.size, stamp.modified
        ));
    }
    for diagnostic in &record.diagnostics {
        text.push_str(&format!("diagnostic {diagnostic}\n"));
    }
    super::write_atomically(&swap::sibling(directory, "record"), text.as_bytes())
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
    let mut stamps = Stamps::new();
    for line in lines.filter(|line| !line.starts_with('#')) {
        let (kind, rest) = line.split_once(' ')?;
        match kind {
            "marker" => marker = Some(u64::from_str_radix(rest, 16).ok()?),
            "inputs" => record.inputs = rest.to_string(),
            "diagnostic" => record.diagnostics.push(rest.to_string()),
            "file" => {
                let mut fields = rest.splitn(4, ' ');
                let hash = u64::from_str_radix(fields.next()?, 16).ok()?;
                let size = fields.next()?.parse().ok()?;
                let modified = fields.next()?.parse().ok()?;
                let relative = fields.next()?.to_string();
                stamps.insert(relative, (hash, Stamp { size, modified }));
            }
            _ => return None,
        }
    }
    Some(Recorded {
        marker: marker?,
        record,
        stamps,
    })
}

/// The record of the output at `directory` when that output is exactly what the build that
/// recorded it wrote: its marker is the one recorded, and it holds the files the marker lists,
/// each as written.
pub(super) fn of_intact(directory: &Path) -> Option<Record> {
    let recorded = read(directory)?;
    let marker = std::fs::read(directory.join(OUTPUT_MARKER)).ok()?;
    if ownership::fnv1a(&marker) != recorded.marker {
        return None;
    }
    ownership::intact(directory, &recorded.stamps)?;
    Some(recorded.record)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_record_reads_back() {
        let text = format!(
            "{FORMAT}\n# a comment\nmarker 00000000000000ff\ninputs abc\nfile 0000000000000001 5 \
             -3 a b.yaml\ndiagnostic {{\"code\":\"x\"}}\n"
        );
        let recorded = parse(&text).expect("a record");
        assert_eq!(recorded.marker, 0xff);
        assert_eq!(recorded.record.inputs, "abc");
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
        assert!(parse("hubc-record 1\nmystery line\n").is_none());
        assert!(
            parse("hubc-record 1\ninputs abc\n").is_none(),
            "no marker hash"
        );
        assert!(parse("").is_none());
    }
}
