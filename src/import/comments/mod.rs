//! Comments of a YAML values file, attached to the keys they sit on, so that the importer can keep them in the `.hub` file it writes.
//!
//! The scanner works line by line over block-style YAML, the style of Helm values files, and
//! never builds the document tree. It keeps a stack of the open mapping keys and list items with
//! their columns, which gives the path of every key. Two kinds of comment are attached to a key:
//!
//! - the run of full-line comments directly above a content line, with no blank line between
//!   them, is attached to that line's key, whatever the indentation of the comments;
//! - a comment at the end of a content line (`key: value # comment`) is attached to that line's
//!   key.
//!
//! The rules, in detail:
//!
//! - a list item and every key inside a list item have no path of their own: their comments are
//!   attached to the key that holds the outermost list, because the `.hub` file writes a list as
//!   one value;
//! - the comments at the top of the file that a blank line (or a `---` marker) separates from the
//!   first key are the document's comments, and are attached to the empty path;
//! - every other run of comment lines followed by a blank line is dropped, as are the comments
//!   after the last content line, the comments inside a flow collection (`[...]`, `{...}`) that
//!   spans several lines, and the comments of every document after the first;
//! - `#` starts a comment only at the start of a line or after a space or a tab, and never inside
//!   a quoted string (`'...'`, `"..."`) or a block scalar (`|`, `>`, with any indicators), so
//!   `url: http://host/#fragment` holds no comment;
//! - a merge key (`<<: *defaults`) is not a key of its own: the comments on its line go to the
//!   mapping it sits in, and the keys of a mapping written under `<<:` get the path of that
//!   mapping;
//! - anchors (`&name`) and tags (`!tag`) in front of a key or a value are skipped, and an alias
//!   (`*name`) is a value like any other;
//! - keys may be plain, single-quoted or double-quoted, and may hold any character, such as `.`,
//!   `/` or a space.
//!
//! A comment line loses its `#` and one space after it, and its trailing spaces. Each path
//! appears once in the result, in the order of its first comment, with all of its comment lines
//! in document order.
//!
//! The scanner never panics: on YAML that it does not understand, it attaches the comments to the
//! nearest enclosing key it knows, or drops them.

mod tokens;

use std::collections::HashMap;

use tokens::{
    InlineState, block_scalar_header, comment_text, document_marker, indentation, is_blank,
    is_dash_at, parse_key, scan_inline, skip_properties, skip_spaces,
};

/// A comment attached to a key of a block mapping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyComment {
    /// The path of keys from the document root to the key. List items are skipped: a key inside
    /// a list element gets the path of the list's key, and its comment is then attached to the
    /// list's key. The empty path holds the comments of the whole document.
    pub path: Vec<String>,
    /// The comment lines, without the leading `#`, one space after it and trailing spaces, in
    /// document order.
    pub lines: Vec<String>,
}

/// Returns the comments of a YAML document, attached to the keys they sit on.
///
/// A comment sits on a key when it is in the run of full-line comments immediately before the
/// key's line (a blank line ends a run), or when it ends the key's line (`key: value # comment`).
/// The module documentation lists the rules for lists, block scalars, flow collections, quoted
/// strings, merge keys and the comments at the top of the document.
pub fn key_comments(yaml: &str) -> Vec<KeyComment> {
    scan(yaml).attached
}

/// The outcome of scanning a document: the comments attached to keys, and the ones dropped.
struct Scan {
    /// The comments attached to keys, one entry for each path.
    attached: Vec<KeyComment>,
    /// The comments that could not be attached to any key, with the reason for each.
    // Only the tests read the dropped comments, to report what the importer loses.
    #[cfg_attr(not(test), allow(dead_code))]
    dropped: Vec<DroppedComment>,
}

/// A comment that the scanner found but did not attach to any key.
#[cfg_attr(not(test), allow(dead_code))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DroppedComment {
    /// The line of the comment, counting from 1.
    line_number: usize,
    /// Why the comment was not attached.
    reason: DropReason,
}

/// Why a comment was not attached to any key.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum DropReason {
    /// The comment is in a run of comment lines that a blank line separates from the next key.
    FollowedByBlankLine,
    /// The comment comes after the last content line of the document.
    AfterLastKey,
    /// The comment is inside a flow collection (`[...]` or `{...}`) that spans several lines.
    InsideFlowCollection,
    /// The comment is in a document after the first `---` or `...` that follows content.
    InLaterDocument,
}

/// Scans a whole document.
fn scan(yaml: &str) -> Scan {
    let text = yaml.strip_prefix('\u{feff}').unwrap_or(yaml);
    let mut scanner = Scanner::default();
    for (index, line) in text.lines().enumerate() {
        scanner.line(index + 1, line);
    }
    scanner.finish()
}

/// An open node on the indentation stack.
#[derive(Debug, Clone)]
enum Frame {
    /// A mapping key that starts at `column`. A merge key (`<<`) has no name: it adds nothing
    /// to the path of the keys under it.
    Key { column: usize, name: Option<String> },
    /// A list item whose `-` is at `column`.
    Item { column: usize },
}

impl Frame {
    /// The column where the key or the item's `-` starts.
    fn column(&self) -> usize {
        match self {
            Frame::Key { column, .. } | Frame::Item { column } => *column,
        }
    }
}

/// What a content line starts with, which decides the frames it closes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LineStart {
    /// The line starts with a list item's `- `.
    Item,
    /// The line starts with a mapping key.
    Key,
    /// The line starts with a value, such as the continuation of a plain scalar.
    Value,
}

/// How the scanner reads the next line.
#[derive(Debug, Default)]
enum Mode {
    /// The next line is a block-style line: blank, a comment, a marker or content.
    #[default]
    Block,
    /// The next line may belong to a block scalar (`|` or `>`) that belongs to the node starting
    /// at `parent_column` (none for the document root). The scalar's content is indented by
    /// `content_indent` spaces, which the first non-blank line decides when no indentation
    /// indicator gave it.
    BlockScalar {
        parent_column: Option<usize>,
        content_indent: Option<usize>,
    },
    /// The next line continues a quoted string or a flow collection that a line at `path`
    /// opened.
    Inline {
        state: InlineState,
        path: Vec<String>,
    },
}

/// The state of the line-by-line scan.
#[derive(Debug, Default)]
struct Scanner {
    /// The open keys and list items, outermost first.
    frames: Vec<Frame>,
    /// The run of full-line comments waiting for the next content line, with their line numbers.
    run: Vec<(usize, String)>,
    /// Whether a content line has been seen in the first document.
    seen_content: bool,
    /// Whether the scan has passed the end of the first document.
    in_later_document: bool,
    /// Whether the last content line ended inside a plain scalar that the next, more indented
    /// line may continue.
    open_plain: bool,
    /// How the next line is read.
    mode: Mode,
    /// The comments attached so far.
    attached: Vec<KeyComment>,
    /// The index in `attached` of the entry for each path.
    positions: HashMap<Vec<String>, usize>,
    /// The comments dropped so far.
    dropped: Vec<DroppedComment>,
}

impl Scanner {
    /// Reads one line, without its line break.
    fn line(&mut self, line_number: usize, line: &str) {
        match std::mem::take(&mut self.mode) {
            Mode::Block => {}
            Mode::BlockScalar {
                parent_column,
                content_indent,
            } => {
                // Blank lines and lines indented as the content belong to the scalar; the first
                // less indented line ends it, and is then read as a block-style line.
                let indent = indentation(line);
                let inside = is_blank(line)
                    || match content_indent {
                        Some(content_indent) => indent >= content_indent,
                        None => parent_column.is_none_or(|parent| indent > parent),
                    };
                if inside {
                    let content_indent = if is_blank(line) {
                        content_indent
                    } else {
                        Some(content_indent.unwrap_or(indent))
                    };
                    self.mode = Mode::BlockScalar {
                        parent_column,
                        content_indent,
                    };
                    return;
                }
            }
            Mode::Inline { state, path } => {
                self.continue_inline(line_number, line, 0, state, path);
                return;
            }
        }
        self.block_line(line_number, line);
    }

    /// Reads a line outside block scalars, quoted strings and flow collections.
    fn block_line(&mut self, line_number: usize, line: &str) {
        if is_blank(line) {
            self.end_run();
            return;
        }
        let content = line.trim_start_matches([' ', '\t']);
        if let Some(comment) = content.strip_prefix('#') {
            self.run.push((line_number, comment_text(comment)));
            return;
        }
        if let Some(rest) = document_marker(line) {
            self.document_marker(line_number, rest);
            return;
        }
        if line.starts_with('%') {
            // A directive such as `%YAML 1.2` comes before a document's `---` marker.
            self.end_run();
            return;
        }
        self.content_line(line_number, line);
    }

    /// Reads a `---` or `...` marker line, whose rest (after the three characters) may hold a
    /// comment or the document's root node.
    fn document_marker(&mut self, line_number: usize, rest: &str) {
        if self.seen_content || self.in_later_document {
            // A marker after content ends the first document: the rest of the input is dropped.
            self.drop_run(DropReason::AfterLastKey);
            self.in_later_document = true;
            self.frames.clear();
            self.open_plain = false;
        } else {
            // The comments above the first marker are the document's comments.
            self.end_run();
        }
        let after_marker = rest.trim_start_matches([' ', '\t']);
        if after_marker.is_empty() {
            return;
        }
        if let Some(comment) = after_marker.strip_prefix('#') {
            let lines = vec![(line_number, comment_text(comment))];
            self.attach(Vec::new(), lines);
            return;
        }
        // The root node starts on the marker line: read it as if the marker were spaces, so
        // that its columns stay the same.
        let shifted = format!("   {rest}");
        self.content_line(line_number, &shifted);
    }

    /// Reads a line that holds a key, a list item or a value.
    fn content_line(&mut self, line_number: usize, line: &str) {
        self.seen_content = true;
        let bytes = line.as_bytes();
        let indent = indentation(line);
        let start = if is_dash_at(bytes, indent) {
            LineStart::Item
        } else if parse_key(line, skip_properties(bytes, indent)).is_some() {
            LineStart::Key
        } else {
            LineStart::Value
        };
        let continues_plain = start == LineStart::Value
            && self.open_plain
            && self
                .frames
                .last()
                .is_none_or(|frame| indent > frame.column());
        self.open_plain = false;
        if continues_plain {
            // The line continues a plain scalar that spans several lines.
            let path = self.current_path();
            self.attach_run(path.clone());
            self.open_plain = true;
            self.continue_inline(line_number, line, indent, InlineState::default(), path);
            return;
        }
        self.close_frames(indent, start);
        let mut parent_column = self.frames.last().map(Frame::column);
        let mut position = indent;
        while is_dash_at(bytes, position) {
            self.frames.push(Frame::Item { column: position });
            parent_column = Some(position);
            position = skip_spaces(bytes, position + 1);
        }
        let key_start = skip_properties(bytes, position);
        if let Some(key) = parse_key(line, key_start) {
            let name = if key.plain && key.name == "<<" {
                None
            } else {
                Some(key.name)
            };
            self.frames.push(Frame::Key {
                column: key_start,
                name,
            });
            parent_column = Some(key_start);
            position = key.end;
        }
        let path = self.current_path();
        self.attach_run(path.clone());
        self.scan_value(line_number, line, position, parent_column, path);
    }

    /// Closes the frames that a content line starting at `column` ends.
    fn close_frames(&mut self, column: usize, start: LineStart) {
        while let Some(frame) = self.frames.last() {
            let closes = match frame {
                // A list item ends at the next line that is not more indented than its `-`.
                Frame::Item {
                    column: item_column,
                } => *item_column >= column,
                // A key ends at the next line that is not more indented than the key, except for
                // the items of a list written at the key's own indentation (`key:\n- item`).
                Frame::Key {
                    column: key_column, ..
                } => *key_column > column || (*key_column == column && start != LineStart::Item),
            };
            if !closes {
                break;
            }
            self.frames.pop();
        }
    }

    /// The path that the comments of the current line attach to: the open keys, up to the first
    /// list item.
    fn current_path(&self) -> Vec<String> {
        let mut path = Vec::new();
        for frame in &self.frames {
            match frame {
                Frame::Item { .. } => break,
                Frame::Key {
                    name: Some(name), ..
                } => path.push(name.clone()),
                Frame::Key { name: None, .. } => {}
            }
        }
        path
    }

    /// Scans the value that starts at byte `start` of a content line, if any, for its comment,
    /// and for a block scalar, quoted string or flow collection that continues on the next lines.
    fn scan_value(
        &mut self,
        line_number: usize,
        line: &str,
        start: usize,
        parent_column: Option<usize>,
        path: Vec<String>,
    ) {
        let bytes = line.as_bytes();
        let position = skip_properties(bytes, skip_spaces(bytes, start));
        let Some(&first) = bytes.get(position) else {
            return;
        };
        let (state, scan_from) = match first {
            // The caller has skipped at least one space before the value, so this `#` starts a
            // comment.
            b'#' => {
                self.trailing_comment(line_number, path, line, position);
                return;
            }
            b'|' | b'>' => {
                if let Some(header) = block_scalar_header(bytes, position) {
                    let content_indent = header.indentation.map(|indicator| {
                        parent_column.map_or(indicator.saturating_sub(1), |column| {
                            column.saturating_add(indicator)
                        })
                    });
                    self.mode = Mode::BlockScalar {
                        parent_column,
                        content_indent,
                    };
                    if let Some(comment) = header.comment {
                        self.trailing_comment(line_number, path, line, comment);
                    }
                    return;
                }
                self.open_plain = true;
                (InlineState::default(), position)
            }
            b'"' | b'\'' => (
                InlineState {
                    flow_depth: 0,
                    quote: Some(first),
                    last: Some(first),
                },
                position + 1,
            ),
            b'[' | b'{' => (
                InlineState {
                    flow_depth: 1,
                    quote: None,
                    last: Some(first),
                },
                position + 1,
            ),
            _ => {
                self.open_plain = true;
                (InlineState::default(), position)
            }
        };
        self.continue_inline(line_number, line, scan_from, state, path);
    }

    /// Scans a line from byte `start` on, in the given inline state, and records the comment it
    /// ends with and the state the next line continues in.
    fn continue_inline(
        &mut self,
        line_number: usize,
        line: &str,
        start: usize,
        state: InlineState,
        path: Vec<String>,
    ) {
        let outcome = scan_inline(line.as_bytes(), start, state);
        if let Some(comment) = outcome.comment {
            // A comment ends a plain scalar: the next line cannot continue it.
            self.open_plain = false;
            if outcome.open.is_some() {
                self.dropped.push(DroppedComment {
                    line_number,
                    reason: DropReason::InsideFlowCollection,
                });
            } else {
                self.trailing_comment(line_number, path.clone(), line, comment);
            }
        }
        if let Some(state) = outcome.open {
            self.mode = Mode::Inline { state, path };
        }
    }

    /// Attaches the comment whose `#` is at byte `hash` of the line.
    fn trailing_comment(&mut self, line_number: usize, path: Vec<String>, line: &str, hash: usize) {
        let text = line.get(hash + 1..).unwrap_or("");
        self.attach(path, vec![(line_number, comment_text(text))]);
    }

    /// Attaches the waiting run of comment lines to a path.
    fn attach_run(&mut self, path: Vec<String>) {
        let run = std::mem::take(&mut self.run);
        if !run.is_empty() {
            self.attach(path, run);
        }
    }

    /// Ends the waiting run of comment lines at a blank line: at the top of the document it holds
    /// the document's comments, and elsewhere it is dropped.
    fn end_run(&mut self) {
        if self.seen_content || self.in_later_document {
            self.drop_run(DropReason::FollowedByBlankLine);
        } else {
            self.attach_run(Vec::new());
        }
    }

    /// Drops the waiting run of comment lines.
    fn drop_run(&mut self, reason: DropReason) {
        let reason = if self.in_later_document {
            DropReason::InLaterDocument
        } else {
            reason
        };
        for (line_number, _) in std::mem::take(&mut self.run) {
            self.dropped.push(DroppedComment {
                line_number,
                reason,
            });
        }
    }

    /// Attaches comment lines to a path, or drops them in a document after the first.
    fn attach(&mut self, path: Vec<String>, lines: Vec<(usize, String)>) {
        if self.in_later_document {
            for (line_number, _) in lines {
                self.dropped.push(DroppedComment {
                    line_number,
                    reason: DropReason::InLaterDocument,
                });
            }
            return;
        }
        let texts = lines.into_iter().map(|(_, text)| text);
        if let Some(&index) = self.positions.get(&path) {
            if let Some(entry) = self.attached.get_mut(index) {
                entry.lines.extend(texts);
            }
        } else {
            self.positions.insert(path.clone(), self.attached.len());
            self.attached.push(KeyComment {
                path,
                lines: texts.collect(),
            });
        }
    }

    /// Ends the scan: a run of comments at the end is the document's comments when the document
    /// has no content, and is dropped otherwise.
    fn finish(mut self) -> Scan {
        if self.seen_content || self.in_later_document {
            self.drop_run(DropReason::AfterLastKey);
        } else {
            self.attach_run(Vec::new());
        }
        Scan {
            attached: self.attached,
            dropped: self.dropped,
        }
    }
}

#[cfg(test)]
#[allow(clippy::disallowed_methods)] // the tests read the corpus
mod tests {
    use super::*;

    use std::collections::BTreeMap;
    use std::path::{Path, PathBuf};

    /// Shortens the result to `(path joined with ".", lines)` pairs for compact assertions.
    fn comments(yaml: &str) -> Vec<(String, Vec<String>)> {
        key_comments(yaml)
            .into_iter()
            .map(|comment| (comment.path.join("."), comment.lines))
            .collect()
    }

    /// Builds the expected `(path, lines)` pairs from string slices.
    fn expected(pairs: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
        pairs
            .iter()
            .map(|(path, lines)| {
                (
                    (*path).to_string(),
                    lines.iter().map(|line| (*line).to_string()).collect(),
                )
            })
            .collect()
    }

    /// The reasons of the dropped comments, in document order.
    fn dropped(yaml: &str) -> Vec<(usize, DropReason)> {
        scan(yaml)
            .dropped
            .into_iter()
            .map(|comment| (comment.line_number, comment.reason))
            .collect()
    }

    #[test]
    fn a_run_of_comment_lines_attaches_to_the_key_below_it() {
        let yaml = "a:\n  # first\n  # second\n  b: 1\n  c: 2\n";
        assert_eq!(comments(yaml), expected(&[("a.b", &["first", "second"])]));
    }

    #[test]
    fn a_comment_attaches_to_the_key_below_it_whatever_its_indentation() {
        let yaml = "a:\n  b:\n      # deeper\n    c: 1\n# shallower\n  d: 2\n";
        assert_eq!(
            comments(yaml),
            expected(&[("a.b.c", &["deeper"]), ("a.d", &["shallower"])])
        );
    }

    #[test]
    fn a_comment_before_a_less_indented_key_attaches_to_that_key() {
        let yaml = "a:\n  b:\n    c: 1\n  # about d\nd: 2\n";
        assert_eq!(comments(yaml), expected(&[("d", &["about d"])]));
    }

    #[test]
    fn a_blank_line_ends_a_run_and_drops_it() {
        let yaml = "a: 1\n# lost\n\n# kept\nb: 2\n";
        assert_eq!(comments(yaml), expected(&[("b", &["kept"])]));
        assert_eq!(dropped(yaml), [(2, DropReason::FollowedByBlankLine)]);
    }

    #[test]
    fn a_trailing_comment_attaches_to_the_key_of_its_line() {
        let yaml = "a:\n  b: 20 # in GiB\n  c: # about c\n    d: x\n";
        assert_eq!(
            comments(yaml),
            expected(&[("a.b", &["in GiB"]), ("a.c", &["about c"])])
        );
    }

    #[test]
    fn comments_above_and_after_a_key_are_merged_in_document_order() {
        let yaml = "# above\na: 1 # after\n";
        assert_eq!(comments(yaml), expected(&[("a", &["above", "after"])]));
    }

    #[test]
    fn a_hash_needs_a_space_before_it_to_start_a_comment() {
        let yaml = "url: http://host/#fragment\nname: C#\nother: x\t# tab\n";
        assert_eq!(comments(yaml), expected(&[("other", &["tab"])]));
    }

    #[test]
    fn a_hash_inside_a_quoted_string_is_not_a_comment() {
        let yaml = concat!(
            "a: \"x # y\"\n",
            "b: 'it''s # z' # real\n",
            "c: \"escaped \\\" # quote\" # also real\n",
            "d: plain 'quote # comment\n",
        );
        assert_eq!(
            comments(yaml),
            expected(&[("b", &["real"]), ("c", &["also real"]), ("d", &["comment"])])
        );
    }

    #[test]
    fn a_quoted_string_may_span_several_lines() {
        let yaml = "a: \"first\n  # not a comment\n  last\" # a comment\nb: 'x\n\n  # no' \n# about c\nc: 1\n";
        assert_eq!(
            comments(yaml),
            expected(&[("a", &["a comment"]), ("c", &["about c"])])
        );
    }

    #[test]
    fn quoted_keys_may_hold_dots_slashes_spaces_and_escapes() {
        let yaml = concat!(
            "a:\n",
            "  # one\n",
            "  \"hub.jupyter.org/node-purpose\": user\n",
            "  'key with spaces' : x # two\n",
            "  \"tab\\there\": y # three\n",
            "  'it''s': z # four\n",
            "  plain key.with/dots: w # five\n",
        );
        assert_eq!(
            comments(yaml),
            expected(&[
                ("a.hub.jupyter.org/node-purpose", &["one"]),
                ("a.key with spaces", &["two"]),
                ("a.tab\there", &["three"]),
                ("a.it's", &["four"]),
                ("a.plain key.with/dots", &["five"]),
            ])
        );
        let paths: Vec<Vec<String>> = key_comments(yaml)
            .into_iter()
            .map(|comment| comment.path)
            .collect();
        assert_eq!(paths[0], ["a", "hub.jupyter.org/node-purpose"]);
    }

    #[test]
    fn comment_lines_inside_a_block_scalar_are_not_comments() {
        let yaml = concat!(
            "a:\n",
            "  script: | # header\n",
            "    # inside\n",
            "\n",
            "    echo # inside too\n",
            "  # about b\n",
            "  b: 1\n",
            "c: >-\n",
            "  # folded\n",
            "d: |2+\n",
            "    # indented by the indicator\n",
            "e: 1\n",
        );
        assert_eq!(
            comments(yaml),
            expected(&[("a.script", &["header"]), ("a.b", &["about b"])])
        );
    }

    #[test]
    fn a_block_scalar_ends_at_the_first_line_less_indented_than_its_content() {
        let yaml = "a:\n  b: |\n      text\n    # about c\n  c: 1\n";
        assert_eq!(comments(yaml), expected(&[("a.c", &["about c"])]));
    }

    #[test]
    fn an_empty_block_scalar_ends_at_once() {
        let yaml = "a: |\n# about b\nb: 1\n";
        assert_eq!(comments(yaml), expected(&[("b", &["about b"])]));
    }

    #[test]
    fn a_block_scalar_in_a_list_item_is_skipped() {
        let yaml =
            "a:\n  - |\n    # inside\n  - name: x\n    run: >\n      # inside\n# about b\nb: 1\n";
        assert_eq!(comments(yaml), expected(&[("b", &["about b"])]));
    }

    #[test]
    fn comments_inside_a_flow_collection_on_several_lines_are_dropped() {
        let yaml = concat!(
            "a: [1, # one\n",
            "  # two\n",
            "  \"# three\", {b: '#'}, # four\n",
            "  2] # after\n",
            "c: {d: [x]} # inline\n",
        );
        assert_eq!(
            comments(yaml),
            expected(&[("a", &["after"]), ("c", &["inline"])])
        );
        assert_eq!(
            dropped(yaml),
            [
                (1, DropReason::InsideFlowCollection),
                (2, DropReason::InsideFlowCollection),
                (3, DropReason::InsideFlowCollection),
            ]
        );
    }

    #[test]
    fn comments_in_a_list_attach_to_the_key_of_the_list() {
        let yaml = concat!(
            "admins:\n",
            "  # first admins\n",
            "  - alice # Alice\n",
            "  # tutors\n",
            "  - name: bob # Bob\n",
            "    # about the role\n",
            "    role:\n",
            "      # nested\n",
            "      level: 2\n",
            "    groups:\n",
            "      - - deep # deep\n",
            "# about next\n",
            "next: 1\n",
        );
        assert_eq!(
            comments(yaml),
            expected(&[
                (
                    "admins",
                    &[
                        "first admins",
                        "Alice",
                        "tutors",
                        "Bob",
                        "about the role",
                        "nested",
                        "deep",
                    ]
                ),
                ("next", &["about next"]),
            ])
        );
    }

    #[test]
    fn a_list_at_the_indentation_of_its_key_ends_at_the_next_key() {
        let yaml = concat!(
            "a:\n",
            "  list:\n",
            "  - one # item\n",
            "  - two: 2\n",
            "    three: 3 # inside\n",
            "  # about b\n",
            "  b: 1\n",
        );
        assert_eq!(
            comments(yaml),
            expected(&[("a.list", &["item", "inside"]), ("a.b", &["about b"])])
        );
    }

    #[test]
    fn top_comments_separated_by_a_blank_line_belong_to_the_document() {
        let yaml = "# document\n# more\n\n# second paragraph\n\n# about a\na: 1\n";
        assert_eq!(
            comments(yaml),
            expected(&[
                ("", &["document", "more", "second paragraph"]),
                ("a", &["about a"]),
            ])
        );
        let without_blank = "# about a\na: 1\n";
        assert_eq!(comments(without_blank), expected(&[("a", &["about a"])]));
    }

    #[test]
    fn a_document_marker_separates_the_document_comments() {
        let yaml = "# document\n---\n# about a\na: 1\n";
        assert_eq!(
            comments(yaml),
            expected(&[("", &["document"]), ("a", &["about a"])])
        );
        let marker_comment = "--- # document\na: 1 # about a\n";
        assert_eq!(
            comments(marker_comment),
            expected(&[("", &["document"]), ("a", &["about a"])])
        );
    }

    #[test]
    fn later_documents_are_dropped() {
        let yaml = "a: 1\n# end\n---\n# about b\nb: 2 # b\n...\n";
        assert_eq!(comments(yaml), Vec::new());
        assert_eq!(
            dropped(yaml),
            [
                (2, DropReason::AfterLastKey),
                (4, DropReason::InLaterDocument),
                (5, DropReason::InLaterDocument),
            ]
        );
    }

    #[test]
    fn comments_after_the_last_key_are_dropped() {
        let yaml = "a:\n  b: 1\n  # trailing\n";
        assert_eq!(comments(yaml), Vec::new());
        assert_eq!(dropped(yaml), [(3, DropReason::AfterLastKey)]);
    }

    #[test]
    fn a_document_of_comments_only_has_document_comments() {
        assert_eq!(comments("# only\n"), expected(&[("", &["only"])]));
        assert_eq!(comments(""), Vec::new());
    }

    #[test]
    fn anchors_aliases_and_merge_keys_do_not_change_paths() {
        let yaml = concat!(
            "defaults: &defaults # anchored\n",
            "  cpu: 1\n",
            "a:\n",
            "  # merged in\n",
            "  <<: *defaults # alias\n",
            "  # about memory\n",
            "  memory: 2\n",
            "b:\n",
            "  <<:\n",
            "    # under the merge key\n",
            "    cpu: 3\n",
            "  &key gpu: !!int 4 # tagged\n",
            "c: !!str &value x # both\n",
        );
        assert_eq!(
            comments(yaml),
            expected(&[
                ("defaults", &["anchored"]),
                ("a", &["merged in", "alias"]),
                ("a.memory", &["about memory"]),
                ("b.cpu", &["under the merge key"]),
                ("b.gpu", &["tagged"]),
                ("c", &["both"]),
            ])
        );
    }

    #[test]
    fn a_plain_scalar_may_continue_on_more_indented_lines() {
        let yaml = "a: first\n  second # end\n  - third\n# about b\nb: 1\n";
        assert_eq!(
            comments(yaml),
            expected(&[("a", &["end"]), ("b", &["about b"])])
        );
    }

    #[test]
    fn a_value_may_start_on_the_line_after_its_key() {
        let yaml = "a:\n  \"quoted\n  # not a comment\" # about a\nb:\n  [1,\n  2] # about b\n";
        assert_eq!(
            comments(yaml),
            expected(&[("a", &["about a"]), ("b", &["about b"])])
        );
    }

    #[test]
    fn comment_text_loses_the_hash_one_space_and_trailing_spaces() {
        let yaml = "#\n#no space\n#   indented  \n## double\na: 1\n";
        assert_eq!(
            comments(yaml),
            expected(&[("a", &["", "no space", "  indented", "# double"])])
        );
    }

    #[test]
    fn windows_line_breaks_and_a_byte_order_mark_are_accepted() {
        let yaml = "\u{feff}# about a\r\na: 1 # one\r\nb:\r\n  c: 2\r\n";
        assert_eq!(comments(yaml), expected(&[("a", &["about a", "one"])]));
    }

    #[test]
    fn the_root_may_be_a_list() {
        let yaml = "# about the list\n- a: 1 # one\n- b\n";
        assert_eq!(
            comments(yaml),
            expected(&[("", &["about the list", "one"])])
        );
    }

    #[test]
    fn unusual_input_never_panics() {
        // A small generator of random documents built from the characters that matter to the
        // scanner, with a fixed seed so that a failure can be reproduced.
        let alphabet: Vec<char> = " \t\n\r-:#'\"|>[]{},&*!<?%.\\ab1é".chars().collect();
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        for _ in 0..20_000 {
            let mut document = String::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let length = (seed % 60) as usize;
            for _ in 0..length {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                let index = (seed % alphabet.len() as u64) as usize;
                document.push(alphabet[index]);
            }
            let result = scan(&document);
            let total: usize = result.attached.iter().map(|c| c.lines.len()).sum();
            assert!(total + result.dropped.len() <= document.matches('#').count());
        }
        for document in [
            "\"",
            "'",
            "[",
            "{",
            "|",
            "|9",
            ">-+",
            "- - -",
            "? a\n: b",
            "\\",
            "\"\\",
            "---",
            "...",
            "%YAML",
            "a: \"\\u12",
            "a: \"\\U0011ffff\": b",
            "é: é # é",
            "- #",
            ":",
            "::",
            "a:#",
        ] {
            let _ = key_comments(document);
        }
    }

    /// The directory of the 2i2c cluster configurations in the shared corpus.
    fn corpus_clusters() -> PathBuf {
        Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/corpus"))
            .join("2i2c/config/clusters")
    }

    /// Every `*.values.yaml` file of the corpus, in a stable order.
    fn corpus_values_files() -> Vec<PathBuf> {
        let mut files = Vec::new();
        let Ok(clusters) = std::fs::read_dir(corpus_clusters()) else {
            return files;
        };
        for cluster in clusters.flatten() {
            let Ok(entries) = std::fs::read_dir(cluster.path()) else {
                continue;
            };
            for entry in entries.flatten() {
                let path = entry.path();
                let is_values = path
                    .file_name()
                    .and_then(|name| name.to_str())
                    .is_some_and(|name| name.ends_with(".values.yaml"));
                if is_values {
                    files.push(path);
                }
            }
        }
        files.sort();
        files
    }

    /// Whether a mapping key of the parsed document is written as `name`.
    fn key_matches(key: &serde_yaml_ng::Value, name: &str) -> bool {
        match key {
            serde_yaml_ng::Value::String(text) => text == name,
            serde_yaml_ng::Value::Number(number) => number.to_string() == name,
            serde_yaml_ng::Value::Bool(flag) => flag.to_string() == name,
            serde_yaml_ng::Value::Null => matches!(name, "null" | "Null" | "NULL" | "~"),
            _ => false,
        }
    }

    /// Whether the path of keys exists in the parsed document.
    fn path_exists(document: &serde_yaml_ng::Value, path: &[String]) -> bool {
        let mut node = document;
        for name in path {
            let serde_yaml_ng::Value::Mapping(mapping) = node else {
                return false;
            };
            let Some((_, value)) = mapping.iter().find(|(key, _)| key_matches(key, name)) else {
                return false;
            };
            node = value;
        }
        true
    }

    #[test]
    fn every_corpus_comment_path_exists_in_its_document() {
        let files = corpus_values_files();
        if files.is_empty() {
            // CI sets `HUBC_REQUIRE_CORPUS`, and then a missing corpus fails the test.
            assert!(
                std::env::var_os("HUBC_REQUIRE_CORPUS").is_none(),
                "no corpus at {}, and HUBC_REQUIRE_CORPUS is set",
                corpus_clusters().display()
            );
            eprintln!("skipped: no corpus at {}", corpus_clusters().display());
            return;
        }
        let mut full_line_hashes = 0;
        let mut attached_lines = 0;
        let mut attached_paths = 0;
        let mut dropped_by_reason: BTreeMap<DropReason, usize> = BTreeMap::new();
        let mut missing = Vec::new();
        for file in &files {
            let Ok(text) = std::fs::read_to_string(file) else {
                continue;
            };
            full_line_hashes += text
                .lines()
                .filter(|line| line.trim_start().starts_with('#'))
                .count();
            let mut document: serde_yaml_ng::Value =
                serde_yaml_ng::from_str(&text).expect("the corpus file parses");
            document.apply_merge().expect("the merge keys apply");
            let result = scan(&text);
            for comment in &result.attached {
                attached_paths += 1;
                attached_lines += comment.lines.len();
                if !path_exists(&document, &comment.path) {
                    missing.push(format!("{}: {:?}", file.display(), comment.path));
                }
            }
            for comment in &result.dropped {
                *dropped_by_reason.entry(comment.reason).or_default() += 1;
            }
        }
        let dropped_total: usize = dropped_by_reason.values().sum();
        eprintln!(
            "{} files: {} comments found ({} attached to {} paths, {} dropped: {:?}); \
             {} lines start with `#`",
            files.len(),
            attached_lines + dropped_total,
            attached_lines,
            attached_paths,
            dropped_total,
            dropped_by_reason,
            full_line_hashes,
        );
        assert!(
            missing.is_empty(),
            "paths not in the document: {missing:#?}"
        );
    }
}
