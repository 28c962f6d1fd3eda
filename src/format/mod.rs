//! The canonical layout of `.hub` files (`hubc fmt`).
//!
//! Layout rules: two-space indentation; one blank line between items; at most one blank line
//! kept between statements; blocks one statement per line; lists and maps on one line when they
//! fit in [`WIDTH`] columns and hold no comment or text block, otherwise one element per line.
//! Comments are printed where they were: before the node they precede, or at the end of the
//! line they ended. Literals keep their source text, except keys, which are unquoted when they
//! can be.
//!
//! This file prints items, declarations and statements; `values.rs` prints values and
//! `types.rs` types and schemas.

mod types;
mod values;

use crate::source::Span;
use crate::syntax::ast::{
    Annotation, Block, Bound, BoundTarget, Comment, Decl, DeclKind, File, Ident, Item, ItemKind,
    Path, Statement, StatementKind,
};
use crate::syntax::{is_bare_key, quote};

/// The line width lists and maps must fit in to stay on one line.
pub const WIDTH: usize = 100;

const INDENT: &str = "  ";

/// Prints a parsed file in the canonical layout, keeping every comment. The file must have
/// parsed without errors.
pub fn format(text: &str, file: &File) -> String {
    let mut printer = Printer::new(text, &file.comments);
    for item in &file.items {
        if !printer.out.is_empty() {
            printer.blank_line();
        }
        printer.comments_before(item.span.start);
        printer.blank_line_if_source_has(item.span.start);
        printer.item(item);
        printer.trailing_comment(item.span.end);
        printer.newline();
    }
    if !file.items.is_empty() && printer.has_comments_before(text.len() as u32) {
        printer.blank_line();
    }
    printer.comments_before(text.len() as u32);
    let mut out = printer.out;
    let trimmed_len = out.trim_end().len();
    out.truncate(trimmed_len);
    if !out.is_empty() {
        out.push('\n');
    }
    out
}

struct Printer<'a> {
    text: &'a str,
    comments: &'a [Comment],
    next_comment: usize,
    out: String,
    depth: usize,
    /// Source offset of the end of the last thing printed, to find blank lines in between.
    last_end: u32,
    /// True right after an opening brace, where no blank line is printed.
    fresh: bool,
}

impl<'a> Printer<'a> {
    fn new(text: &'a str, comments: &'a [Comment]) -> Printer<'a> {
        Printer {
            text,
            comments,
            next_comment: 0,
            out: String::new(),
            depth: 0,
            last_end: 0,
            fresh: true,
        }
    }

    fn source(&self, span: Span) -> &'a str {
        &self.text[span.range()]
    }

    fn write(&mut self, text: &str) {
        if self.out.ends_with('\n') || self.out.is_empty() {
            for _ in 0..self.depth {
                self.out.push_str(INDENT);
            }
        }
        self.out.push_str(text);
        self.fresh = false;
    }

    fn newline(&mut self) {
        // No trailing whitespace, ever.
        let trimmed_len = self.out.trim_end_matches([' ', '\t']).len();
        self.out.truncate(trimmed_len);
        self.out.push('\n');
    }

    fn blank_line(&mut self) {
        if !self.out.is_empty() && !self.out.ends_with("\n\n") {
            if !self.out.ends_with('\n') {
                self.out.push('\n');
            }
            self.out.push('\n');
        }
    }

    /// The column the next character is printed at.
    fn column(&self) -> usize {
        let line_start = self.out.rfind('\n').map_or(0, |index| index + 1);
        let line = &self.out[line_start..];
        if line.is_empty() {
            self.depth * INDENT.len()
        } else {
            line.chars().count()
        }
    }

    /// Prints a blank line when the source has one between the last printed node and `at`.
    fn blank_line_if_source_has(&mut self, at: u32) {
        if self.fresh || at < self.last_end {
            return;
        }
        let between = &self.text[self.last_end as usize..at as usize];
        if between.matches('\n').count() >= 2 {
            self.blank_line();
        }
    }

    fn has_comments_before(&self, at: u32) -> bool {
        self.comments
            .get(self.next_comment)
            .is_some_and(|comment| comment.span.start < at)
    }

    fn has_comments_within(&self, span: Span) -> bool {
        let first = self
            .comments
            .partition_point(|comment| comment.span.start < span.start);
        self.comments
            .get(first)
            .is_some_and(|comment| comment.span.start < span.end)
    }

    /// Prints the comments that come before `at`, each on its own line.
    fn comments_before(&mut self, at: u32) {
        while let Some(comment) = self.comments.get(self.next_comment) {
            if comment.span.start >= at {
                break;
            }
            self.blank_line_if_source_has(comment.span.start);
            if !self.out.is_empty() && !self.out.ends_with('\n') {
                self.newline();
            }
            let text = self.source(comment.span).trim_end().replace("\r\n", "\n");
            self.write(&text);
            self.newline();
            self.last_end = comment.span.end;
            self.next_comment += 1;
        }
    }

    /// Appends comments that start on the line `end` is on.
    fn trailing_comment(&mut self, end: u32) {
        while let Some(comment) = self.comments.get(self.next_comment) {
            let start = comment.span.start.max(end) as usize;
            if comment.span.start >= end && self.text[end as usize..start].contains('\n') {
                break;
            }
            let text = self.source(comment.span).trim_end().replace("\r\n", "\n");
            self.out.push(' ');
            self.out.push_str(&text);
            self.last_end = self.last_end.max(comment.span.end);
            self.next_comment += 1;
        }
        self.last_end = self.last_end.max(end);
    }

    /// Keeps a comment at the end of an opening bracket's line there, unless the first element
    /// shares that line: then the comment belongs to the element.
    fn opener_comment(&mut self, after_open: u32, first_element: Option<u32>) {
        let first_on_later_line = first_element.is_none_or(|start| {
            start < after_open || self.text[after_open as usize..start as usize].contains('\n')
        });
        if first_on_later_line {
            self.trailing_comment(after_open);
        }
    }

    fn item(&mut self, item: &Item) {
        self.annotations(&item.annotations);
        match &item.kind {
            ItemKind::Import(import) => {
                self.write("import ");
                let module: Vec<&str> = import.path.iter().map(|part| part.name.as_str()).collect();
                self.write(&module.join("."));
                if let Some(alias) = &import.alias {
                    self.write(" as ");
                    self.write(&alias.name);
                }
            }
            ItemKind::Decl(decl) => self.decl(decl),
            ItemKind::Type(type_decl) => {
                self.write("type ");
                self.write(&type_decl.name.name);
                self.write(" = ");
                self.ty(&type_decl.ty);
            }
            ItemKind::Schema(schema) => {
                self.write("schema ");
                self.name(&schema.name);
                self.write(" ");
                self.struct_body(&schema.body);
            }
        }
    }

    fn annotations(&mut self, annotations: &[Annotation]) {
        let (Some(first), Some(last)) = (annotations.first(), annotations.last()) else {
            return;
        };
        let annotated_start = self.after_trivia(last.span.end);
        let with_comments = self.has_comments_within(Span::new(
            first.span.start as usize,
            annotated_start as usize,
        ));
        // All on one line when they fit and no comment sits among them, otherwise one per line
        // with each comment kept after the annotation it followed.
        if !with_comments {
            let inline: Option<Vec<String>> = annotations
                .iter()
                .map(|annotation| self.inline_annotation(annotation))
                .collect();
            if let Some(parts) = inline {
                let line = parts.join(" ");
                if self.column() + line.chars().count() <= WIDTH {
                    self.write(&line);
                    self.newline();
                    self.last_end = last.span.end;
                    return;
                }
            }
        }
        for annotation in annotations {
            self.comments_before(annotation.span.start);
            self.write("@");
            self.write(&annotation.name.name);
            if !annotation.args.is_empty() || self.source(annotation.span).ends_with(')') {
                self.arguments(&annotation.args, annotation.span);
            }
            self.trailing_comment(annotation.span.end);
            self.newline();
        }
        self.comments_before(annotated_start);
    }

    /// The offset of the first token at or after `offset`, past whitespace and comments.
    fn after_trivia(&self, mut offset: u32) -> u32 {
        let mut next = self
            .comments
            .partition_point(|comment| comment.span.start < offset);
        loop {
            let rest = &self.text[offset as usize..];
            let skipped = (rest.len() - rest.trim_start().len()) as u32;
            offset += skipped;
            match self.comments.get(next) {
                Some(comment) if comment.span.start == offset => {
                    offset = comment.span.end;
                    next += 1;
                }
                _ => return offset,
            }
        }
    }

    fn inline_annotation(&self, annotation: &Annotation) -> Option<String> {
        let mut text = format!("@{}", annotation.name.name);
        if !annotation.args.is_empty() || self.source(annotation.span).ends_with(')') {
            let parts: Option<Vec<String>> = annotation
                .args
                .iter()
                .map(|argument| self.inline(argument))
                .collect();
            text.push_str(&format!("({})", parts?.join(", ")));
        }
        Some(text)
    }

    fn name(&mut self, name: &Ident) {
        if name.quoted {
            self.write(&quote(&name.name));
        } else {
            self.write(&name.name);
        }
    }

    fn decl(&mut self, decl: &Decl) {
        self.write(decl.kind.keyword());
        self.write(" ");
        self.name(&decl.name);
        if let Some(parent) = &decl.parent {
            self.write(if decl.kind == DeclKind::Community {
                " : "
            } else {
                " extends "
            });
            self.name(parent);
        }
        for (index, mixin) in decl.mixins.iter().enumerate() {
            self.write(if index == 0 { " with " } else { ", " });
            self.name(mixin);
        }
        self.write(" ");
        self.block(&decl.body);
    }

    fn block(&mut self, block: &Block) {
        let close = block.span.end.saturating_sub(1);
        if block.statements.is_empty() && !self.has_comments_within(block.span) {
            self.write("{}");
            self.last_end = block.span.end;
            return;
        }
        self.write("{");
        self.opener_comment(
            block.span.start + 1,
            block.statements.first().map(|first| first.span.start),
        );
        self.newline();
        self.depth += 1;
        self.fresh = true;
        for statement in &block.statements {
            self.comments_before(statement.span.start);
            self.blank_line_if_source_has(statement.span.start);
            self.statement(statement);
            self.trailing_comment(statement.span.end);
            self.newline();
        }
        self.comments_before(close);
        self.depth -= 1;
        self.write("}");
        self.last_end = block.span.end;
    }

    fn statement(&mut self, statement: &Statement) {
        self.annotations(&statement.annotations);
        match &statement.kind {
            StatementKind::Assign { path, value } => {
                self.path(path);
                self.write(" = ");
                self.value(value);
            }
            StatementKind::Append { path, value } => {
                self.path(path);
                self.write(" += ");
                self.value(value);
            }
            StatementKind::Delete { path } => {
                self.write("delete ");
                self.path(path);
            }
            StatementKind::Nested { path, block } => {
                self.path(path);
                self.write(" ");
                self.block(block);
            }
            StatementKind::Labelled { kind, label, block } => {
                self.write(&kind.name);
                self.write(" ");
                self.name(label);
                self.write(" ");
                self.block(block);
            }
            StatementKind::Tunable { path, bounds } => {
                self.write("tunable ");
                self.path(path);
                for (index, bound) in bounds.iter().enumerate() {
                    self.write(if index == 0 { " " } else { ", " });
                    self.bound(bound);
                }
            }
            StatementKind::Locked { path } => {
                self.write("locked ");
                self.path(path);
            }
            StatementKind::Identity { path, required } => {
                self.write(if *required {
                    "identity required "
                } else {
                    "identity "
                });
                self.path(path);
            }
            StatementKind::Budget { kind, limit } => {
                self.write("budget ");
                self.write(&kind.name);
                self.write(" <= ");
                self.value(limit);
            }
        }
    }

    fn bound(&mut self, bound: &Bound) {
        self.write(bound.op.as_str());
        self.write(" ");
        match &bound.target {
            BoundTarget::Base(_) => self.write("base"),
            BoundTarget::Value(value) => self.value(value),
        }
    }

    fn path(&mut self, path: &Path) {
        self.write(&path_text(path));
    }
}

/// A path with keys unquoted where they can be.
pub fn path_text(path: &Path) -> String {
    let keys: Vec<String> = path
        .keys
        .iter()
        .map(|key| {
            if is_bare_key(&key.name) {
                key.name.clone()
            } else {
                quote(&key.name)
            }
        })
        .collect();
    keys.join(".")
}
