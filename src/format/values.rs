//! Printing of values in the canonical layout: on one line when they fit, else one element
//! per line; calls, and text blocks.

use super::{Printer, WIDTH, path_text};
use crate::source::Span;
use crate::syntax::ast::{Entry, Value, ValueKind};

impl Printer<'_> {
    pub(super) fn value(&mut self, value: &Value) {
        if let Some(inline) = self.inline(value)
            && self.column() + inline.chars().count() <= WIDTH
        {
            self.write(&inline);
            self.last_end = value.span.end;
            return;
        }
        match &value.kind {
            ValueKind::Str {
                value: text,
                block: true,
            } => self.text_block(text),
            ValueKind::List(values) => self.multiline_list(values, value.span),
            ValueKind::Map(entries) => self.multiline_map(entries, value.span),
            ValueKind::Tagged { tag, entries } => {
                self.write(&tag.name);
                self.write(" ");
                let map_start = entries.first().map_or(value.span.start, |_| {
                    value.span.start + self.source(value.span).find('{').unwrap_or(0) as u32
                });
                self.multiline_map(
                    entries,
                    Span::new(map_start as usize, value.span.end as usize),
                );
            }
            ValueKind::Call { name, args } => {
                self.write(&name.name);
                let arguments_span = Span::new(name.span.end as usize, value.span.end as usize);
                self.arguments(args, arguments_span);
            }
            _ => {
                let text = self.source(value.span);
                self.write(text);
            }
        }
        self.last_end = value.span.end;
    }

    /// `(args)`: on one line, or one argument per line when comments sit among them.
    pub(super) fn arguments(&mut self, args: &[Value], span: Span) {
        if !self.has_comments_within(span) {
            self.write("(");
            for (index, argument) in args.iter().enumerate() {
                if index > 0 {
                    self.write(", ");
                }
                self.value(argument);
            }
            self.write(")");
            return;
        }
        let open = span.start + self.source(span).find('(').unwrap_or(0) as u32;
        self.write("(");
        self.opener_comment(open + 1, args.first().map(|first| first.span.start));
        self.newline();
        self.depth += 1;
        self.fresh = true;
        for argument in args {
            self.comments_before(argument.span.start);
            self.value(argument);
            self.write(",");
            self.trailing_comment(argument.span.end);
            self.newline();
        }
        self.comments_before(span.end.saturating_sub(1));
        self.depth -= 1;
        self.write(")");
    }

    /// The value on one line, or `None` when it must span lines.
    pub(super) fn inline(&self, value: &Value) -> Option<String> {
        if self.has_comments_within(value.span) {
            return None;
        }
        let text = match &value.kind {
            ValueKind::Str { block: true, .. } => return None,
            ValueKind::List(values) => {
                let parts: Option<Vec<String>> = values.iter().map(|v| self.inline(v)).collect();
                format!("[{}]", parts?.join(", "))
            }
            ValueKind::Map(entries) => self.inline_map(entries)?,
            ValueKind::Tagged { tag, entries } => {
                format!("{} {}", tag.name, self.inline_map(entries)?)
            }
            ValueKind::Call { name, args } => {
                let parts: Option<Vec<String>> = args.iter().map(|v| self.inline(v)).collect();
                format!("{}({})", name.name, parts?.join(", "))
            }
            ValueKind::Reference(names) => {
                let parts: Vec<&str> = names.iter().map(|name| name.name.as_str()).collect();
                parts.join(".")
            }
            _ => self.source(value.span).to_string(),
        };
        Some(text)
    }

    fn inline_map(&self, entries: &[Entry]) -> Option<String> {
        if entries.is_empty() {
            return Some("{}".to_string());
        }
        let parts: Option<Vec<String>> = entries
            .iter()
            .map(|entry| {
                Some(format!(
                    "{} = {}",
                    path_text(&entry.path),
                    self.inline(&entry.value)?
                ))
            })
            .collect();
        Some(format!("{{ {} }}", parts?.join(", ")))
    }

    fn multiline_list(&mut self, values: &[Value], span: Span) {
        self.write("[");
        self.opener_comment(span.start + 1, values.first().map(|first| first.span.start));
        self.newline();
        self.depth += 1;
        self.fresh = true;
        for element in values {
            self.comments_before(element.span.start);
            self.blank_line_if_source_has(element.span.start);
            self.value(element);
            self.write(",");
            self.trailing_comment(element.span.end);
            self.newline();
        }
        self.comments_before(span.end.saturating_sub(1));
        self.depth -= 1;
        self.write("]");
    }

    fn multiline_map(&mut self, entries: &[Entry], span: Span) {
        self.write("{");
        self.opener_comment(
            span.start + 1,
            entries.first().map(|first| first.span.start),
        );
        self.newline();
        self.depth += 1;
        self.fresh = true;
        for entry in entries {
            self.comments_before(entry.span.start);
            self.blank_line_if_source_has(entry.span.start);
            self.path(&entry.path);
            self.write(" = ");
            self.value(&entry.value);
            self.trailing_comment(entry.span.end);
            self.newline();
        }
        self.comments_before(span.end.saturating_sub(1));
        self.depth -= 1;
        self.write("}");
    }

    /// A `"""` block: content one level deeper than the statement, closing delimiter too.
    fn text_block(&mut self, text: &str) {
        self.write("\"\"\"");
        self.newline();
        self.depth += 1;
        let body = text.strip_suffix('\n').unwrap_or(text);
        if !text.is_empty() {
            for line in body.split('\n') {
                if line.is_empty() {
                    self.out.push('\n');
                } else {
                    self.write(line);
                    self.out.push('\n');
                }
            }
        }
        self.write("\"\"\"");
        self.depth -= 1;
    }
}
