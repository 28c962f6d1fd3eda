//! Printing of types, schemas and struct members in the canonical layout.

use super::{Printer, WIDTH, path_text};
use crate::syntax::ast::{Member, MemberKind, Struct, Type, TypeKind};
use crate::syntax::{is_bare_key, quote};

impl Printer<'_> {
    pub(super) fn ty(&mut self, ty: &Type) {
        if let Some(inline) = self.inline_type(ty)
            && self.column() + inline.chars().count() <= WIDTH
        {
            self.write(&inline);
            self.last_end = ty.span.end;
            return;
        }
        match &ty.kind {
            TypeKind::Struct(body) => self.struct_body(body),
            TypeKind::Union(alternatives) => {
                self.depth += 1;
                for (index, alternative) in alternatives.iter().enumerate() {
                    if index > 0 {
                        self.newline();
                        self.comments_before(alternative.span.start);
                        self.write("| ");
                    }
                    self.ty(alternative);
                    if index + 1 < alternatives.len() {
                        self.trailing_comment(alternative.span.end);
                    }
                }
                self.depth -= 1;
            }
            TypeKind::Named { name, args } => {
                self.write(&name.name);
                if !args.is_empty() {
                    self.write("<");
                    for (index, argument) in args.iter().enumerate() {
                        if index > 0 {
                            self.write(", ");
                        }
                        self.ty(argument);
                    }
                    self.write(">");
                }
            }
            TypeKind::Matching { ty: inner, pattern } => {
                self.postfix_operand(inner);
                self.write(" matching ");
                self.value(pattern);
            }
            TypeKind::Bounded {
                ty: inner,
                op,
                limit,
            } => {
                self.postfix_operand(inner);
                self.write(" ");
                self.write(op.as_str());
                self.write(" ");
                self.value(limit);
            }
            TypeKind::KeyedBy { ty: inner, key } => {
                self.postfix_operand(inner);
                self.write(" keyed by ");
                self.write(&key.name);
            }
            TypeKind::Literal(value) => self.value(value),
        }
        self.last_end = ty.span.end;
    }

    /// The type on one line, or `None` when it must span lines.
    fn inline_type(&self, ty: &Type) -> Option<String> {
        if self.has_comments_within(ty.span) {
            return None;
        }
        Some(match &ty.kind {
            TypeKind::Named { name, args } if args.is_empty() => name.name.clone(),
            TypeKind::Named { name, args } => {
                let parts: Option<Vec<String>> = args.iter().map(|a| self.inline_type(a)).collect();
                format!("{}<{}>", name.name, parts?.join(", "))
            }
            TypeKind::Literal(value) => self.source(value.span).to_string(),
            TypeKind::Struct(body) => {
                let simple = body.members.iter().all(|member| {
                    member.doc.is_none()
                        && member.annotations.is_empty()
                        && !matches!(member.kind, MemberKind::Check { .. })
                });
                if !simple {
                    return None;
                }
                if body.members.is_empty() {
                    return Some("{}".to_string());
                }
                let parts: Option<Vec<String>> =
                    body.members.iter().map(|m| self.inline_member(m)).collect();
                format!("{{ {} }}", parts?.join(", "))
            }
            TypeKind::Union(alternatives) => {
                let parts: Option<Vec<String>> =
                    alternatives.iter().map(|a| self.inline_type(a)).collect();
                parts?.join(" | ")
            }
            TypeKind::Matching { ty, pattern } => {
                format!(
                    "{} matching {}",
                    self.inline_operand(ty)?,
                    self.source(pattern.span)
                )
            }
            TypeKind::Bounded { ty, op, limit } => {
                format!(
                    "{} {} {}",
                    self.inline_operand(ty)?,
                    op.as_str(),
                    self.source(limit.span)
                )
            }
            TypeKind::KeyedBy { ty, key } => {
                format!("{} keyed by {}", self.inline_operand(ty)?, key.name)
            }
        })
    }

    /// The operand of `matching`, `keyed by` or a bound: a union needs parentheses to stay whole.
    fn postfix_operand(&mut self, ty: &Type) {
        if matches!(ty.kind, TypeKind::Union(_)) {
            self.write("(");
            self.ty(ty);
            self.write(")");
        } else {
            self.ty(ty);
        }
    }

    fn inline_operand(&self, ty: &Type) -> Option<String> {
        let inline = self.inline_type(ty)?;
        Some(if matches!(ty.kind, TypeKind::Union(_)) {
            format!("({inline})")
        } else {
            inline
        })
    }

    fn inline_member(&self, member: &Member) -> Option<String> {
        Some(match &member.kind {
            MemberKind::Open => "...".to_string(),
            MemberKind::Check { left, op, right } => {
                format!(
                    "check {} {} {}",
                    path_text(left),
                    op.as_str(),
                    path_text(right)
                )
            }
            MemberKind::Field(field) => {
                let mut text = String::new();
                if field.required {
                    text.push_str("required ");
                }
                text.push_str(&field_key(&field.key.name));
                text.push_str(": ");
                text.push_str(&self.inline_type(&field.ty)?);
                if let Some(default) = &field.default {
                    text.push_str(" = ");
                    text.push_str(&self.inline(default)?);
                }
                text
            }
        })
    }

    /// `{ members }`, one member per line.
    pub(super) fn struct_body(&mut self, body: &Struct) {
        if body.members.is_empty() && !self.has_comments_within(body.span) {
            self.write("{}");
            self.last_end = body.span.end;
            return;
        }
        self.write("{");
        self.opener_comment(
            body.span.start + 1,
            body.members.first().map(|first| first.span.start),
        );
        self.newline();
        self.depth += 1;
        self.fresh = true;
        for member in &body.members {
            self.comments_before(member.span.start);
            self.blank_line_if_source_has(member.span.start);
            self.annotations(&member.annotations);
            match &member.kind {
                MemberKind::Open => self.write("..."),
                MemberKind::Check { left, op, right } => {
                    self.write("check ");
                    self.path(left);
                    self.write(" ");
                    self.write(op.as_str());
                    self.write(" ");
                    self.path(right);
                }
                MemberKind::Field(field) => {
                    if field.required {
                        self.write("required ");
                    }
                    self.write(&field_key(&field.key.name));
                    self.write(": ");
                    self.ty(&field.ty);
                    if let Some(default) = &field.default {
                        self.write(" = ");
                        self.value(default);
                    }
                }
            }
            self.trailing_comment(member.span.end);
            self.newline();
        }
        self.comments_before(body.span.end.saturating_sub(1));
        self.depth -= 1;
        self.write("}");
        self.last_end = body.span.end;
    }
}

/// A field key, quoted when it is not a bare key.
fn field_key(key: &str) -> String {
    if is_bare_key(key) {
        key.to_string()
    } else {
        quote(key)
    }
}
