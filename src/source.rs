//! File ids, byte spans and the source map that turns offsets into lines and columns.

use std::sync::Arc;

/// A byte range `start..end` within one file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, PartialOrd, Ord)]
pub struct Span {
    pub start: u32,
    pub end: u32,
}

impl Span {
    pub fn new(start: usize, end: usize) -> Span {
        Span {
            start: start as u32,
            end: end as u32,
        }
    }

    pub fn empty(at: usize) -> Span {
        Span::new(at, at)
    }

    pub fn len(self) -> usize {
        (self.end - self.start) as usize
    }

    pub fn is_empty(self) -> bool {
        self.start == self.end
    }

    pub fn range(self) -> std::ops::Range<usize> {
        self.start as usize..self.end as usize
    }

    /// The smallest span covering both.
    pub fn to(self, other: Span) -> Span {
        Span {
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }
}

/// A place in a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc {
    pub file: FileId,
    pub span: Span,
}

impl Loc {
    pub fn new(file: FileId, span: Span) -> Loc {
        Loc { file, span }
    }
}

/// Index of a file in a [`SourceMap`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileId(pub u32);

/// One source file: its display name, its text and where each line starts.
#[derive(Debug)]
pub struct SourceFile {
    pub name: String,
    pub text: Arc<str>,
    line_starts: Vec<u32>,
    /// Whether a carriage return stands alone, outside a CRLF: a line break to some readers
    /// (miette), not to the line index.
    lone_cr: bool,
    /// Where each line starts when a lone carriage return ends one too: made when first asked
    /// for, and only for a text that has one.
    break_starts: std::sync::OnceLock<Vec<u32>>,
}

/// A 1-based line and column; the column counts Unicode scalar values, not bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LineCol {
    pub line: usize,
    pub column: usize,
}

impl SourceFile {
    pub fn new(name: impl Into<String>, text: impl Into<Arc<str>>) -> SourceFile {
        let text = text.into();
        let bytes = text.as_bytes();
        let mut line_starts = vec![0];
        line_starts.extend(memchr::memchr_iter(b'\n', bytes).map(|index| index as u32 + 1));
        let lone_cr = memchr::memchr_iter(b'\r', bytes).any(|at| bytes.get(at + 1) != Some(&b'\n'));
        SourceFile {
            name: name.into(),
            text,
            line_starts,
            lone_cr,
            break_starts: std::sync::OnceLock::new(),
        }
    }

    /// Where each line starts, 0-based byte offsets, when `\n`, `\r\n` and a lone `\r` each
    /// end a line, as miette reads text: the line index itself when there is no lone `\r`.
    pub fn break_starts(&self) -> &[u32] {
        if !self.lone_cr {
            return &self.line_starts;
        }
        self.break_starts.get_or_init(|| {
            let bytes = self.text.as_bytes();
            let mut starts = vec![0];
            for (at, &byte) in bytes.iter().enumerate() {
                let ends_line =
                    byte == b'\n' || (byte == b'\r' && bytes.get(at + 1) != Some(&b'\n'));
                if ends_line {
                    starts.push(at as u32 + 1);
                }
            }
            starts
        })
    }

    /// Line and column of a byte offset. Offsets inside a multi-byte character count as that
    /// character; offsets past the end are clamped to the end.
    pub fn line_col(&self, offset: usize) -> LineCol {
        let offset = offset.min(self.text.len());
        let line_index = self.line_index(offset);
        let line_start = self.line_starts[line_index] as usize;
        let column = self.text[line_start..]
            .char_indices()
            .take_while(|&(index, _)| line_start + index < offset)
            .count();
        LineCol {
            line: line_index + 1,
            column: column + 1,
        }
    }

    /// The 0-based line a byte offset is on; offsets past the end are on the last line.
    pub fn line_index(&self, offset: usize) -> usize {
        match self
            .line_starts
            .binary_search(&(offset.min(self.text.len()) as u32))
        {
            Ok(index) => index,
            Err(index) => index - 1,
        }
    }

    pub fn line_count(&self) -> usize {
        self.line_starts.len()
    }

    /// The byte offset where a 0-based line starts, if the file has that line.
    pub fn line_start(&self, line_index: usize) -> Option<usize> {
        self.line_starts
            .get(line_index)
            .map(|&start| start as usize)
    }
}

/// Every file of a compilation, addressed by [`FileId`].
#[derive(Debug, Default)]
pub struct SourceMap {
    files: Vec<SourceFile>,
}

impl SourceMap {
    pub fn new() -> SourceMap {
        SourceMap::default()
    }

    pub fn add(&mut self, name: impl Into<String>, text: impl Into<Arc<str>>) -> FileId {
        self.push(SourceFile::new(name, text))
    }

    /// Adds a file made beforehand (on another thread, say).
    pub fn push(&mut self, file: SourceFile) -> FileId {
        self.files.push(file);
        FileId(self.files.len() as u32 - 1)
    }

    pub fn get(&self, id: FileId) -> &SourceFile {
        &self.files[id.0 as usize]
    }

    pub fn files(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files
            .iter()
            .enumerate()
            .map(|(index, file)| (FileId(index as u32), file))
    }

    /// A copy in which every byte of `spans` reads as `*`, but for line breaks and quotes: each
    /// offset, line and column stays where it was, and what the spans held is gone.
    pub fn masked(&self, spans: &[(FileId, Span)]) -> SourceMap {
        let files = self
            .files()
            .map(|(id, file)| {
                let mut bytes = file.text.as_bytes().to_vec();
                for (_, span) in spans.iter().filter(|(file, _)| *file == id) {
                    let text = &file.text;
                    let mut end = (span.end as usize).min(text.len());
                    while !text.is_char_boundary(end) {
                        end += 1;
                    }
                    let mut start = (span.start as usize).min(end);
                    while !text.is_char_boundary(start) {
                        start -= 1;
                    }
                    for byte in &mut bytes[start..end] {
                        if !matches!(byte, b'\n' | b'\r' | b'"') {
                            *byte = b'*';
                        }
                    }
                }
                let text = String::from_utf8(bytes).expect("ASCII in place of whole characters");
                SourceFile {
                    name: file.name.clone(),
                    text: text.into(),
                    line_starts: file.line_starts.clone(),
                    lone_cr: file.lone_cr,
                    break_starts: file.break_starts.clone(),
                }
            })
            .collect();
        SourceMap { files }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_count_characters_after_multibyte_text() {
        let file = SourceFile::new("t.hub", "a = \"é😀\" x\nsecond");
        // `x` is at byte 13: `a = "` is 5 bytes, `é` 2, `😀` 4, `" ` 2.
        assert_eq!(
            file.line_col(13),
            LineCol {
                line: 1,
                column: 10
            }
        );
        assert_eq!(file.line_col(15), LineCol { line: 2, column: 1 });
        assert_eq!(file.line_col(999), LineCol { line: 2, column: 7 });
    }
}
