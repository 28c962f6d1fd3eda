//! Templates: quoted strings with `${...}` interpolations and `%{ if }` / `%{ for }`
//! directives, and heredocs, as Terraform's HCL reads them.
//!
//! HCL works on a flat list of tokens before it evaluates anything: first the strip markers
//! (`${~ x ~}`) trim the whitespace of the literal tokens beside them, then a `<<-` heredoc
//! loses the smallest indentation of its lines. In a heredoc each line is a token of its own,
//! so a strip marker trims one line at most. hcl-edit keeps a tree of elements and dedents
//! heredocs its own way, so the literals are re-read from the source and these two steps are
//! redone here, keyed by where each literal starts.

use std::collections::HashMap;

use hcl_edit::template::{Directive, Element, Template};

use super::HclError;
use super::eval::{Evaluator, Range, Val, span_of};
use super::types::to_text;

/// A token of the flat list: a piece of literal text (a whole literal of a quoted string, one
/// line of a heredoc), or an interpolation or directive marker with its strip flags.
enum Token {
    Literal {
        start: usize,
        text: String,
    },
    Marker {
        strip_before: bool,
        strip_after: bool,
    },
}

impl<'a> Evaluator<'a> {
    /// The value of a template: a string, or, for a template that is a single interpolation
    /// (`"${x}"`), the value of `x` itself, whatever its type.
    pub fn template(
        &mut self,
        template: &Template,
        flush: bool,
        span: &Range,
    ) -> Result<Val, HclError> {
        if let (1, Some(Element::Interpolation(interpolation))) = (template.len(), template.get(0))
        {
            return self.evaluate(&interpolation.expr);
        }
        let heredoc = self.source(span).starts_with("<<");
        let mut tokens = Vec::new();
        self.tokens(template, heredoc, &mut tokens);
        strip(&mut tokens);
        if flush {
            flush_indentation(&mut tokens);
        }
        let mut literals: HashMap<usize, String> = HashMap::new();
        for token in tokens {
            if let Token::Literal { start, text } = token {
                literals.entry(start).or_default().push_str(&text);
            }
        }
        let mut output = String::new();
        self.render(template, &literals, &mut output)?;
        Ok(Val::String(output))
    }

    /// The source text of a range.
    fn source(&self, span: &Range) -> &'a str {
        self.text.get(span.clone()).unwrap_or_default()
    }

    /// Appends the tokens of a template, in source order.
    fn tokens(&self, template: &Template, heredoc: bool, tokens: &mut Vec<Token>) {
        let marker = |strip: hcl_edit::template::Strip| Token::Marker {
            strip_before: strip.strip_start(),
            strip_after: strip.strip_end(),
        };
        for element in template.iter() {
            match element {
                Element::Literal(literal) => {
                    let span = span_of(literal);
                    if !heredoc {
                        let text = literal.value().clone();
                        tokens.push(Token::Literal {
                            start: span.start,
                            text,
                        });
                        continue;
                    }
                    let text = unescape_heredoc(self.source(&span));
                    for line in text.split_inclusive('\n') {
                        let text = line.to_string();
                        tokens.push(Token::Literal {
                            start: span.start,
                            text,
                        });
                    }
                }
                Element::Interpolation(interpolation) => tokens.push(marker(interpolation.strip)),
                Element::Directive(directive) => match directive.as_ref() {
                    Directive::If(conditional) => {
                        tokens.push(marker(conditional.if_expr.strip));
                        self.tokens(&conditional.if_expr.template, heredoc, tokens);
                        if let Some(otherwise) = &conditional.else_expr {
                            tokens.push(marker(otherwise.strip));
                            self.tokens(&otherwise.template, heredoc, tokens);
                        }
                        tokens.push(marker(conditional.endif_expr.strip));
                    }
                    Directive::For(repeat) => {
                        tokens.push(marker(repeat.for_expr.strip));
                        self.tokens(&repeat.for_expr.template, heredoc, tokens);
                        tokens.push(marker(repeat.endfor_expr.strip));
                    }
                },
            }
        }
    }

    /// Appends the text of a template, with each literal as `literals` has it by its start.
    fn render(
        &mut self,
        template: &Template,
        literals: &HashMap<usize, String>,
        output: &mut String,
    ) -> Result<(), HclError> {
        for element in template.iter() {
            match element {
                Element::Literal(literal) => {
                    let span = span_of(literal);
                    let text = literals.get(&span.start).map_or("", String::as_str);
                    self.charge(1 + text.len() as u64 / 16, &span)?;
                    output.push_str(text);
                }
                Element::Interpolation(interpolation) => {
                    let span = span_of(&interpolation.expr);
                    let value = self.evaluate(&interpolation.expr)?;
                    let text = to_text(&value).map_err(|reason| {
                        self.error(span.clone(), format!("a template value {reason}"))
                    })?;
                    self.charge(text.len() as u64 / 16, &span)?;
                    output.push_str(&text);
                }
                Element::Directive(directive) => match directive.as_ref() {
                    Directive::If(conditional) => {
                        let condition = &conditional.if_expr.cond_expr;
                        let span = span_of(condition);
                        let value = self.evaluate(condition)?;
                        if self.to_bool_operand(&value, span)? {
                            self.render(&conditional.if_expr.template, literals, output)?;
                        } else if let Some(otherwise) = &conditional.else_expr {
                            self.render(&otherwise.template, literals, output)?;
                        }
                    }
                    Directive::For(repeat) => {
                        let intro = &repeat.for_expr;
                        let span = span_of(&intro.collection_expr);
                        let collection = self.evaluate(&intro.collection_expr)?;
                        for (key, value) in self.items(collection, span.clone())? {
                            self.charge(1, &span)?;
                            let mut bindings = Vec::new();
                            if let Some(key_variable) = &intro.key_var {
                                bindings.push((key_variable.as_str().to_string(), key));
                            }
                            bindings.push((intro.value_var.as_str().to_string(), value));
                            self.with_bindings(bindings, |this| {
                                this.render(&intro.template, literals, output)
                            })?;
                        }
                    }
                },
            }
        }
        Ok(())
    }
}

/// The text of a heredoc's literal: `$${` and `%%{` stand for `${` and `%{`; backslashes are
/// themselves.
fn unescape_heredoc(source: &str) -> String {
    source.replace("$${", "${").replace("%%{", "%{")
}

/// Applies strip markers: `${~` trims the whitespace at the end of the token before it, `~}`
/// the whitespace at the start of the token after it.
fn strip(tokens: &mut [Token]) {
    for index in 0..tokens.len() {
        let Token::Marker {
            strip_before,
            strip_after,
        } = tokens[index]
        else {
            continue;
        };
        if strip_before
            && index > 0
            && let Token::Literal { text, .. } = &mut tokens[index - 1]
        {
            text.truncate(text.trim_end().len());
        }
        if strip_after && let Some(Token::Literal { text, .. }) = tokens.get_mut(index + 1) {
            *text = text.trim_start().to_string();
        }
    }
}

/// Removes the smallest indentation of the lines of a `<<-` heredoc, as HCL does: a line that
/// starts with an interpolation or a directive has none, a line of only whitespace is not
/// counted and keeps its whitespace, and every whitespace character counts as one.
fn flush_indentation(tokens: &mut [Token]) {
    let mut smallest = usize::MAX;
    let mut at_line_start = true;
    let mut indented = Vec::new();
    for (index, token) in tokens.iter().enumerate() {
        if at_line_start {
            at_line_start = false;
            match token {
                Token::Literal { text, .. } => {
                    let trimmed = text.trim_start();
                    if !(trimmed.is_empty() && text.ends_with('\n')) {
                        let spaces = text[..text.len() - trimmed.len()].chars().count();
                        smallest = smallest.min(spaces);
                        indented.push(index);
                    }
                }
                Token::Marker { .. } => smallest = 0,
            }
        }
        if let Token::Literal { text, .. } = token
            && text.ends_with('\n')
        {
            at_line_start = true;
        }
    }
    if smallest == 0 || smallest == usize::MAX {
        return;
    }
    for index in indented {
        if let Token::Literal { text, .. } = &mut tokens[index] {
            let cut = text
                .char_indices()
                .nth(smallest)
                .map_or(text.len(), |(at, _)| at);
            text.replace_range(..cut, "");
        }
    }
}
