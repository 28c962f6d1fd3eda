//! The tokens of one YAML line that the comment scanner needs: quoted strings and flow
//! collections (where a `#` starts no comment), keys, block scalar headers, document markers,
//! anchors and tags, and the comment text itself.

/// Where an inline scan stands inside quoted strings and flow collections.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct InlineState {
    /// How many flow collections (`[` or `{`) are open.
    pub(super) flow_depth: usize,
    /// The quote character of the open quoted string, if any.
    pub(super) quote: Option<u8>,
    /// The last character outside quotes that was not a space, which tells whether a quote
    /// inside a flow collection starts a quoted string.
    pub(super) last: Option<u8>,
}

/// What an inline scan of the rest of a line found.
#[derive(Debug, Clone, Copy)]
pub(super) struct InlineOutcome {
    /// The state to continue with on the next line, when a quoted string or a flow collection
    /// is still open at the end of the line.
    pub(super) open: Option<InlineState>,
    /// The byte offset of the `#` that starts a comment on the line, if any.
    pub(super) comment: Option<usize>,
}

/// A mapping key found at the start of a line's content.
#[derive(Debug, Clone)]
pub(super) struct KeyToken {
    /// The key, with quotes removed and escapes resolved.
    pub(super) name: String,
    /// Whether the key was written plain, without quotes.
    pub(super) plain: bool,
    /// The byte offset just after the `:` that ends the key.
    pub(super) end: usize,
}

/// The header of a block scalar (`|`, `>-`, `|2+`, and so on).
#[derive(Debug, Clone, Copy)]
pub(super) struct BlockScalarHeader {
    /// The indentation indicator, if the header has one.
    pub(super) indentation: Option<usize>,
    /// The byte offset of the `#` of a comment after the header, if any.
    pub(super) comment: Option<usize>,
}

/// Scans bytes from `start` on in the given state, up to the end of the line or a comment.
pub(super) fn scan_inline(bytes: &[u8], start: usize, mut state: InlineState) -> InlineOutcome {
    let mut after_space = start == 0
        || start
            .checked_sub(1)
            .and_then(|before| bytes.get(before))
            .is_some_and(|&byte| is_space(byte));
    let mut index = start;
    while let Some(&byte) = bytes.get(index) {
        if let Some(quote) = state.quote {
            if quote == b'"' && byte == b'\\' {
                // The escaped character, or the line break after a final `\`, is skipped.
                index = index.saturating_add(2);
                continue;
            }
            if byte == quote {
                if quote == b'\'' && bytes.get(index + 1) == Some(&b'\'') {
                    // `''` is an escaped quote inside a single-quoted string.
                    index += 2;
                    continue;
                }
                state.quote = None;
                state.last = Some(byte);
            }
            after_space = false;
            index += 1;
            continue;
        }
        if is_space(byte) {
            after_space = true;
            index += 1;
            continue;
        }
        if byte == b'#' && after_space {
            return InlineOutcome {
                open: open_state(state),
                comment: Some(index),
            };
        }
        if state.flow_depth > 0 {
            match byte {
                // A quote starts a quoted string only where a flow node starts.
                b'"' | b'\''
                    if matches!(state.last, None | Some(b'[' | b'{' | b',' | b':' | b'?')) =>
                {
                    state.quote = Some(byte);
                }
                b'[' | b'{' => state.flow_depth += 1,
                b']' | b'}' => state.flow_depth -= 1,
                _ => {}
            }
        }
        state.last = Some(byte);
        after_space = false;
        index += 1;
    }
    InlineOutcome {
        open: open_state(state),
        comment: None,
    }
}

/// The state to continue with on the next line, if a quoted string or flow collection is open.
fn open_state(state: InlineState) -> Option<InlineState> {
    (state.quote.is_some() || state.flow_depth > 0).then_some(state)
}

/// Parses a mapping key that starts at byte `start`: a plain, single-quoted or double-quoted
/// scalar on one line, followed by `:` and a space or the end of the line.
pub(super) fn parse_key(line: &str, start: usize) -> Option<KeyToken> {
    let bytes = line.as_bytes();
    let first = *bytes.get(start)?;
    match first {
        b'"' | b'\'' => {
            let close = closing_quote(bytes, start)?;
            let raw = line.get(start + 1..close)?;
            let colon = skip_spaces(bytes, close + 1);
            if bytes.get(colon) != Some(&b':') || !ends_token(bytes, colon + 1) {
                return None;
            }
            let name = if first == b'"' {
                unescape_double_quoted(raw)
            } else {
                raw.replace("''", "'")
            };
            Some(KeyToken {
                name,
                plain: false,
                end: colon + 1,
            })
        }
        // These indicators cannot start a plain key. An alias or a flow collection used as a key
        // is not supported, and its line is read as a value.
        b'[' | b']' | b'{' | b'}' | b',' | b'#' | b'&' | b'*' | b'!' | b'|' | b'>' | b'%'
        | b'@' | b'`' => None,
        b'-' | b'?' | b':' if ends_token(bytes, start + 1) => None,
        _ => {
            let mut index = start;
            while let Some(&byte) = bytes.get(index) {
                if byte == b':' && ends_token(bytes, index + 1) {
                    let name = line.get(start..index)?.trim_end_matches([' ', '\t']);
                    if name.is_empty() {
                        return None;
                    }
                    return Some(KeyToken {
                        name: name.to_string(),
                        plain: true,
                        end: index + 1,
                    });
                }
                if byte == b'#'
                    && index > start
                    && bytes.get(index - 1).is_some_and(|&b| is_space(b))
                {
                    return None;
                }
                index += 1;
            }
            None
        }
    }
}

/// The byte offset of the quote that closes the quoted string opening at `start`, on the same
/// line.
fn closing_quote(bytes: &[u8], start: usize) -> Option<usize> {
    let quote = *bytes.get(start)?;
    let mut index = start + 1;
    while let Some(&byte) = bytes.get(index) {
        if quote == b'"' && byte == b'\\' {
            index = index.saturating_add(2);
            continue;
        }
        if byte == quote {
            if quote == b'\'' && bytes.get(index + 1) == Some(&b'\'') {
                index += 2;
                continue;
            }
            return Some(index);
        }
        index += 1;
    }
    None
}

/// Resolves the escapes of a double-quoted YAML string written on one line.
fn unescape_double_quoted(raw: &str) -> String {
    let mut result = String::with_capacity(raw.len());
    let mut characters = raw.chars();
    while let Some(character) = characters.next() {
        if character != '\\' {
            result.push(character);
            continue;
        }
        let Some(escape) = characters.next() else {
            break;
        };
        let digits = match escape {
            'x' => 2,
            'u' => 4,
            'U' => 8,
            _ => 0,
        };
        if digits > 0 {
            let hex: String = characters.by_ref().take(digits).collect();
            let decoded = u32::from_str_radix(&hex, 16)
                .ok()
                .and_then(char::from_u32)
                .unwrap_or(char::REPLACEMENT_CHARACTER);
            result.push(decoded);
            continue;
        }
        let decoded = match escape {
            '0' => '\0',
            'a' => '\u{7}',
            'b' => '\u{8}',
            't' | '\t' => '\t',
            'n' => '\n',
            'v' => '\u{b}',
            'f' => '\u{c}',
            'r' => '\r',
            'e' => '\u{1b}',
            'N' => '\u{85}',
            '_' => '\u{a0}',
            'L' => '\u{2028}',
            'P' => '\u{2029}',
            // `\"`, `\\`, `\/`, `\ ` and unknown escapes stand for the character itself.
            other => other,
        };
        result.push(decoded);
    }
    result
}

/// Parses the header of a block scalar that starts at byte `start` with `|` or `>`: up to one
/// indentation indicator and one chomping indicator, then the end of the line or a comment.
pub(super) fn block_scalar_header(bytes: &[u8], start: usize) -> Option<BlockScalarHeader> {
    let mut index = start + 1;
    let mut indentation = None;
    let mut chomping = false;
    while let Some(&byte) = bytes.get(index) {
        match byte {
            b'1'..=b'9' if indentation.is_none() => indentation = Some(usize::from(byte - b'0')),
            b'-' | b'+' if !chomping => chomping = true,
            _ => break,
        }
        index += 1;
    }
    match bytes.get(index) {
        None => Some(BlockScalarHeader {
            indentation,
            comment: None,
        }),
        Some(&byte) if is_space(byte) => {
            let after = skip_spaces(bytes, index);
            match bytes.get(after) {
                None => Some(BlockScalarHeader {
                    indentation,
                    comment: None,
                }),
                Some(b'#') => Some(BlockScalarHeader {
                    indentation,
                    comment: Some(after),
                }),
                Some(_) => None,
            }
        }
        Some(_) => None,
    }
}

/// The rest of a line after a `---` or `...` document marker, if the line starts with one.
pub(super) fn document_marker(line: &str) -> Option<&str> {
    let rest = line
        .strip_prefix("---")
        .or_else(|| line.strip_prefix("..."))?;
    (rest.is_empty() || rest.starts_with([' ', '\t'])).then_some(rest)
}

/// The text of a comment, given what follows its `#`.
pub(super) fn comment_text(after_hash: &str) -> String {
    let text = after_hash.strip_prefix(' ').unwrap_or(after_hash);
    text.trim_end().to_string()
}

/// Skips anchors (`&name`) and tags (`!tag`) at byte `start`, with the spaces after them.
pub(super) fn skip_properties(bytes: &[u8], start: usize) -> usize {
    let mut index = start;
    while matches!(bytes.get(index), Some(b'&' | b'!')) {
        while bytes.get(index).is_some_and(|&byte| !is_space(byte)) {
            index += 1;
        }
        index = skip_spaces(bytes, index);
    }
    index
}

/// The first byte offset from `start` on that is not a space or a tab.
pub(super) fn skip_spaces(bytes: &[u8], start: usize) -> usize {
    let mut index = start;
    while bytes.get(index).is_some_and(|&byte| is_space(byte)) {
        index += 1;
    }
    index
}

/// Whether a list item's `- ` starts at byte `position`.
pub(super) fn is_dash_at(bytes: &[u8], position: usize) -> bool {
    bytes.get(position) == Some(&b'-') && ends_token(bytes, position + 1)
}

/// Whether byte `position` is a space, a tab or the end of the line.
fn ends_token(bytes: &[u8], position: usize) -> bool {
    bytes.get(position).is_none_or(|&byte| is_space(byte))
}

/// The number of spaces that start a line.
pub(super) fn indentation(line: &str) -> usize {
    line.bytes().take_while(|&byte| byte == b' ').count()
}

/// Whether a line holds only spaces and tabs.
pub(super) fn is_blank(line: &str) -> bool {
    line.bytes().all(is_space)
}

/// Whether a byte separates tokens: a space, a tab, or a carriage return left by a `\r\n` line
/// break.
fn is_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\r')
}
