//! Reports for people and machines: the drift of a fleet (`hubc drift`) and the diff of two
//! versions of it (`hubc diff`). Each report is its own output type, built from analyses;
//! renderers turn it into text, Markdown, JSON, HTML or GitHub annotations.

pub mod diff;
pub mod doc;
pub mod drift;

/// Text for HTML content and attribute values: what every HTML page of a report escapes.
pub(crate) fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A Markdown code span holding `text` (on one line) as written: its fence is longer than any
/// run of backticks inside, and spaces pad text that starts or ends with one.
pub(crate) fn markdown_code_span(text: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = text.starts_with('`')
        || text.ends_with('`')
        || (text.starts_with(' ') && text.ends_with(' ') && text.trim() != "");
    if pad {
        format!("{fence} {text} {fence}")
    } else {
        format!("{fence}{text}{fence}")
    }
}
