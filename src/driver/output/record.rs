//! What a build records beside its output for the next build: the hash of the marker it wrote,
//! the digests of its inputs, what each fleet file declared, the hash, size, modification time
//! and cluster of each file it wrote, and its diagnostics. Kept out of the output itself, which
//! must hold the same bytes whoever built it, wherever and whenever; written after the output
//! is in place, and trusted only for the output whose marker it names, so a lost or stale
//! record costs a rebuild, never a wrong one.

use std::collections::BTreeMap;
use std::path::Path;

use super::ownership::{self, Stamp};
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
    /// The files the recorded build wrote.
    pub files: Written,
}

/// The files a build wrote, as its record lists them: sorted by path, each with its hash, its
/// stamp and the cluster it belongs to. Their names stay in the record's text: reading a
/// record of ten thousand files makes two allocations, not twenty thousand, and finding a
/// file is a binary search (or a step of a walk in order, [`Written::in_order`]).
#[derive(Default)]
pub(super) struct Written {
    text: String,
    files: Vec<WrittenFile>,
}

/// A file of [`Written`]: its path and owner as ranges of the text.
#[derive(Clone, Copy)]
struct WrittenFile {
    path: (u32, u32),
    owner: (u32, u32),
    hash: u64,
    stamp: Stamp,
}

/// A file a build wrote, as its record lists it.
#[derive(Clone, Copy)]
pub(super) struct WrittenRef<'a> {
    pub relative: &'a str,
    pub hash: u64,
    pub stamp: Stamp,
    /// The cluster it belongs to.
    pub owner: &'a str,
}

impl Written {
    pub fn len(&self) -> usize {
        self.files.len()
    }

    fn text(&self, (start, end): (u32, u32)) -> &str {
        &self.text[start as usize..end as usize]
    }

    fn file(&self, file: &WrittenFile) -> WrittenRef<'_> {
        WrittenRef {
            relative: self.text(file.path),
            hash: file.hash,
            stamp: file.stamp,
            owner: self.text(file.owner),
        }
    }

    /// Every file, by path.
    pub fn iter(&self) -> impl Iterator<Item = WrittenRef<'_>> {
        self.files.iter().map(|file| self.file(file))
    }

    /// The file at `relative`.
    pub fn get(&self, relative: &str) -> Option<WrittenRef<'_>> {
        let at = self
            .files
            .binary_search_by(|file| self.text(file.path).cmp(relative))
            .ok()?;
        Some(self.file(&self.files[at]))
    }

    /// The files under the directory `prefix` (empty, or ending in `/`), to look up by their
    /// path's rest ([`Under::get`]).
    pub fn under<'a>(&'a self, prefix: &'a str) -> Under<'a> {
        let start = self
            .files
            .partition_point(|file| self.text(file.path) < prefix);
        let len =
            self.files[start..].partition_point(|file| self.text(file.path).starts_with(prefix));
        Under {
            written: self,
            prefix,
            files: &self.files[start..start + len],
        }
    }

    /// For each of `paths`, which must come in order, the file at it: one walk over both.
    pub fn in_order<'a, 'b>(
        &'a self,
        paths: impl Iterator<Item = &'b str>,
    ) -> impl Iterator<Item = Option<WrittenRef<'a>>> {
        let mut files = self.files.iter().peekable();
        paths.map(move |path| {
            while files.next_if(|file| self.text(file.path) < path).is_some() {}
            files
                .next_if(|file| self.text(file.path) == path)
                .map(|file| self.file(file))
        })
    }

    /// The files of `hashes`, with the hash of each: what a look at an output found, without
    /// stamps or owners.
    pub fn of_hashes(hashes: &BTreeMap<String, u64>) -> Written {
        let mut written = Written::default();
        for (relative, &hash) in hashes {
            let start = written.text.len() as u32;
            written.text.push_str(relative);
            let end = written.text.len() as u32;
            written.files.push(WrittenFile {
                path: (start, end),
                owner: (end, end),
                hash,
                stamp: Stamp {
                    size: 0,
                    modified: 0,
                },
            });
        }
        written
    }
}

/// The files of a [`Written`] under one directory.
pub(super) struct Under<'a> {
    written: &'a Written,
    prefix: &'a str,
    files: &'a [WrittenFile],
}

impl Under<'_> {
    /// How many files there are under the directory, at any depth.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// The files directly in the directory, in order of name: each name with its hash and
    /// stamp.
    pub fn direct(&self) -> impl Iterator<Item = (&str, u64, Stamp)> {
        self.files.iter().filter_map(|file| {
            let name = &self.written.text(file.path)[self.prefix.len()..];
            (!name.contains('/')).then_some((name, file.hash, file.stamp))
        })
    }
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
        // Written out by hand: `write!` is most of the time of a record of ten thousand files.
        text.push_str("file ");
        push_hex(&mut text, entry.hash);
        text.push(' ');
        push_decimal(&mut text, i128::from(stamp.size));
        text.push(' ');
        push_decimal(&mut text, stamp.modified);
        text.push(' ');
        text.push_str(entry.owner);
        text.push(' ');
        text.push_str(entry.relative);
        text.push('\n');
    }
    for diagnostic in &record.diagnostics {
        let _ = writeln!(text, "diagnostic {diagnostic}");
    }
    Ok(text)
}

/// `value` in sixteen hexadecimal digits, as `{:016x}` writes it.
pub(super) fn push_hex(text: &mut String, value: u64) {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let digits: [u8; 16] =
        std::array::from_fn(|at| DIGITS[(value >> (60 - 4 * at) & 0xf) as usize]);
    text.push_str(std::str::from_utf8(&digits).unwrap_or_default());
}

/// `value` in decimal, as `{}` writes it.
fn push_decimal(text: &mut String, value: i128) {
    let mut digits = [0u8; 40];
    let mut at = digits.len();
    let mut rest = value.unsigned_abs();
    // Divided as 64 bits where the value fits, as sizes and times of this age do: dividing
    // 128 bits is a call a digit.
    let mut short = u64::try_from(rest).unwrap_or(0);
    while rest > u128::from(u64::MAX) {
        at -= 1;
        digits[at] = b'0' + (rest % 10) as u8;
        rest /= 10;
        short = u64::try_from(rest).unwrap_or(0);
    }
    loop {
        at -= 1;
        digits[at] = b'0' + (short % 10) as u8;
        short /= 10;
        if short == 0 {
            break;
        }
    }
    if value < 0 {
        at -= 1;
        digits[at] = b'-';
    }
    text.push_str(std::str::from_utf8(&digits[at..]).unwrap_or_default());
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
    parse(text)
}

fn parse(text: String) -> Option<Recorded> {
    // Where a part of `text` is in it.
    let base = text.as_ptr() as usize;
    let range = |part: &str| -> Option<(u32, u32)> {
        let start = u32::try_from(part.as_ptr() as usize - base).ok()?;
        Some((start, start.checked_add(u32::try_from(part.len()).ok()?)?))
    };
    let mut lines = text.lines();
    if lines.next()? != FORMAT {
        return None;
    }
    let mut marker = None;
    let mut record = Record::default();
    let mut files: Vec<WrittenFile> = Vec::new();
    let mut last: &str = "";
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
                let owner = fields.next()?;
                let relative = fields.next()?;
                // A build lists its files by path, each once.
                if !files.is_empty() && relative <= last {
                    return None;
                }
                last = relative;
                files.push(WrittenFile {
                    path: range(relative)?,
                    owner: range(owner)?,
                    hash,
                    stamp: Stamp { size, modified },
                });
            }
            _ => return None,
        }
    }
    Some(Recorded {
        marker: marker?,
        record,
        files: Written { text, files },
    })
}

/// Whether the output at `directory` is exactly what the build that wrote `recorded` wrote:
/// its marker is the one recorded, and it holds the files the marker lists, each as written.
pub(super) fn is_intact(directory: &Path, recorded: &Recorded) -> bool {
    std::fs::read(directory.join(OUTPUT_MARKER))
        .is_ok_and(|marker| ownership::fnv1a(&marker) == recorded.marker)
        && ownership::as_stamped(directory, &recorded.files)
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
        let recorded = parse(text).expect("a record");
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
        assert_eq!(recorded.record.diagnostics, ["{\"code\":\"x\"}"]);
        let file = recorded.files.get("a b.yaml").expect("a file");
        assert_eq!((file.hash, file.owner), (1, "c1"));
        assert_eq!(
            file.stamp,
            Stamp {
                size: 5,
                modified: -3
            }
        );
        let parse = |text: &str| parse(text.to_string());
        assert!(parse("hubc-record 2\nmystery line\n").is_none());
        assert!(
            parse("hubc-record 2\ninputs abc\n").is_none(),
            "no marker hash"
        );
        assert!(parse("").is_none());
        let file = |path: &str| format!("file 0000000000000001 5 -3 c1 {path}\n");
        let listing = |paths: &[&str]| {
            let files: String = paths.iter().map(|path| file(path)).collect();
            parse(&format!("{FORMAT}\nmarker 00000000000000ff\n{files}"))
        };
        assert!(listing(&["a", "b/c"]).is_some());
        assert!(listing(&["b/c", "a"]).is_none(), "files out of order");
        assert!(listing(&["a", "a"]).is_none(), "a file listed twice");
    }

    /// The cluster of a test's file: named like its directory's first word.
    fn owner_of(relative: &str) -> &str {
        relative.split(['/', ' ']).next().unwrap_or("")
    }

    /// A record of `paths` (each owned by the cluster named like its directory), as `render`
    /// writes it and `parse` reads it back.
    fn written(paths: &[&str]) -> Written {
        let entries: Vec<Entry<'_>> = paths
            .iter()
            .enumerate()
            .map(|(index, relative)| Entry {
                relative,
                hash: index as u64 * 0x0123_4567_89ab_cdef,
                owner: owner_of(relative),
                stamp: Some(Stamp {
                    size: index as u64,
                    modified: -(index as i128) * 1_000_000_007,
                }),
            })
            .collect();
        let text = render(Path::new("."), "marker", &entries, &Record::default()).expect("no IO");
        parse(text).expect("a record").files
    }

    #[test]
    fn the_files_of_a_record_are_found_by_path_under_a_directory_and_in_order() {
        let paths = [
            "a/x.yaml",
            "a/y.yaml",
            "a/z/deeper.yaml",
            "ab/x.yaml",
            "b c/x.yaml",
            "top.yaml",
        ];
        let written = written(&paths);
        assert_eq!(written.len(), paths.len());
        for (index, path) in paths.iter().enumerate() {
            let file = written.get(path).expect("listed");
            assert_eq!(file.relative, *path);
            assert_eq!(file.hash, index as u64 * 0x0123_4567_89ab_cdef);
            assert_eq!(file.stamp.modified, -(index as i128) * 1_000_000_007);
            assert_eq!(file.owner, owner_of(path));
        }
        assert!(written.get("a").is_none() && written.get("a/").is_none());
        let under_a = written.under("a/");
        assert_eq!(under_a.len(), 3, "not `ab/x.yaml`");
        let direct: Vec<(&str, u64)> = under_a
            .direct()
            .map(|(name, hash, _)| (name, hash))
            .collect();
        assert_eq!(direct, [("x.yaml", 0), ("y.yaml", 0x0123_4567_89ab_cdef)]);
        assert_eq!(written.under("a/z/").direct().count(), 1);
        assert_eq!(
            written
                .under("")
                .direct()
                .map(|(name, ..)| name)
                .collect::<Vec<_>>(),
            ["top.yaml"]
        );
        assert_eq!(written.under("").len(), paths.len());
        assert_eq!(written.under("nothing/").len(), 0);
        let looked_up: Vec<Option<&str>> = written
            .in_order(["0", "a/y.yaml", "ab/x.yaml", "b", "top.yaml", "zz"].into_iter())
            .map(|file| file.map(|file| file.relative))
            .collect();
        assert_eq!(
            looked_up,
            [
                None,
                Some("a/y.yaml"),
                Some("ab/x.yaml"),
                None,
                Some("top.yaml"),
                None
            ]
        );
    }

    proptest::proptest! {
        #[test]
        fn numbers_are_written_as_format_writes_them(hash: u64, size: u64, modified: i128) {
            let mut text = String::new();
            push_hex(&mut text, hash);
            text.push(' ');
            push_decimal(&mut text, i128::from(size));
            text.push(' ');
            push_decimal(&mut text, modified);
            proptest::prop_assert_eq!(text, format!("{hash:016x} {size} {modified}"));
        }
    }

    #[test]
    fn the_extremes_are_written_as_format_writes_them() {
        for value in [
            0,
            1,
            -1,
            9,
            10,
            -10,
            i128::MAX,
            i128::MIN,
            i128::from(u64::MAX),
        ] {
            let mut text = String::new();
            push_decimal(&mut text, value);
            assert_eq!(text, value.to_string());
        }
        for value in [0, 1, u64::MAX, 0xf000_0000_0000_000f] {
            let mut text = String::new();
            push_hex(&mut text, value);
            assert_eq!(text, format!("{value:016x}"));
        }
    }
}
