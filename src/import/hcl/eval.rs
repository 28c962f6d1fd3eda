//! Evaluating the expressions a variables file may hold, as Terraform evaluates them without
//! variables or functions: literals, operators, conditionals and `for` expressions here;
//! indexes and splats in `traversal.rs`, templates in `template.rs`.
//!
//! Terraform evaluates lazily: a reference in a branch or a `for` body that is never evaluated
//! is no error (`false ? var.x : 1` is 1), and neither is an error in the branch a conditional
//! does not take. So references and function calls are refused where they are evaluated.

use std::collections::HashMap;

use hcl_edit::expr::{BinaryOperator, Expression, ForExpr, ObjectKey, UnaryOperator};

use super::number::{INDEX_PRECISION, Number, NumberError};
use super::types::{Type, convert, to_bool, to_number, to_text, unify};
use super::{HclError, HclErrorKind};

/// A value during evaluation. Objects keep their keys unique, in the order they were written.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Tuple(Vec<Val>),
    Object(Vec<(String, Val)>),
}

/// How much evaluation may do: about one unit per expression, per value copied and per 16 bytes
/// of text. Nested `for` expressions multiply, so a short file could otherwise ask for more
/// work than there is time. A file may spend a million units and one more per byte of its text,
/// so that a large file of plain values always fits.
const BUDGET: u64 = 1_000_000;

/// Evaluates expressions of one file.
pub struct Evaluator<'a> {
    /// The whole text: number literals and heredocs are re-read from it, and refused
    /// constructs are named by it.
    pub(super) text: &'a str,
    budget: u64,
    /// The variables of the enclosing `for` expressions and directives, innermost last.
    scope: Vec<(String, Val)>,
}

/// A byte range of the text.
pub type Range = std::ops::Range<usize>;

/// The span of a node, or an empty one where the parser recorded none.
pub fn span_of(node: &impl hcl_edit::Span) -> Range {
    node.span().unwrap_or(0..0)
}

impl<'a> Evaluator<'a> {
    pub fn new(text: &'a str) -> Evaluator<'a> {
        Evaluator {
            text,
            budget: BUDGET + text.len() as u64,
            scope: Vec::new(),
        }
    }

    /// An evaluation error over `span`.
    pub fn error(&self, span: Range, message: impl Into<String>) -> HclError {
        HclError::new(span, message, HclErrorKind::Malformed)
    }

    /// Spends `units` of the budget, or fails at `span` when it is spent.
    pub fn charge(&mut self, units: u64, span: &Range) -> Result<(), HclError> {
        match self.budget.checked_sub(units) {
            Some(rest) => {
                self.budget = rest;
                Ok(())
            }
            None => {
                self.budget = 0;
                let message = "this expression takes too much work to evaluate: it builds more than a million values";
                Err(self.error(span.clone(), message))
            }
        }
    }

    /// The value of an expression.
    pub fn evaluate(&mut self, expression: &Expression) -> Result<Val, HclError> {
        let span = span_of(expression);
        self.charge(1, &span)?;
        match expression {
            Expression::Null(_) => Ok(Val::Null),
            Expression::Bool(boolean) => Ok(Val::Bool(*boolean.value())),
            Expression::Number(_) => self.number_literal(span),
            Expression::String(text) => {
                self.single_line(span.clone())?;
                self.charge(text.len() as u64 / 16, &span)?;
                Ok(Val::String(text.value().clone()))
            }
            Expression::Array(array) => {
                let mut elements = Vec::with_capacity(array.len());
                for element in array.iter() {
                    elements.push(self.evaluate(element)?);
                }
                Ok(Val::Tuple(elements))
            }
            Expression::Object(object) => {
                let mut entries = Entries::default();
                for (key, value) in object.iter() {
                    let key = match key {
                        ObjectKey::Ident(identifier) => identifier.as_str().to_string(),
                        ObjectKey::Expression(expression) => self.object_key(expression)?,
                    };
                    let value = self.evaluate(value.expr())?;
                    // A repeated key keeps its last value, as in Terraform.
                    entries.insert(key, value);
                }
                Ok(Val::Object(entries.entries))
            }
            Expression::StringTemplate(template) => {
                for element in template.iter() {
                    if let hcl_edit::template::Element::Literal(literal) = element {
                        self.single_line(span_of(literal))?;
                    }
                }
                self.template(template, false, &span)
            }
            Expression::HeredocTemplate(heredoc) => {
                // Terraform ends a heredoc only at a line holding nothing but the marker.
                let after = self.text.get(span.end..).unwrap_or_default();
                if !(after.is_empty() || after.starts_with('\n') || after.starts_with("\r\n")) {
                    let marker = heredoc.delimiter.as_str();
                    let message =
                        format!("the closing `{marker}` of a heredoc must be alone on its line");
                    return Err(self.error(span.end..span.end + 1, message));
                }
                let flush = self
                    .text
                    .get(span.clone())
                    .unwrap_or_default()
                    .starts_with("<<-");
                self.template(&heredoc.template, flush, &span)
            }
            Expression::Parenthesis(inner) => self.evaluate(inner.inner()),
            Expression::Variable(name) => match self.lookup(name.as_str()) {
                Some(value) => {
                    let value = value.clone();
                    self.charge(weight(&value), &span)?;
                    Ok(value)
                }
                None => Err(self.refused(span, "a reference")),
            },
            Expression::Conditional(conditional) => {
                let condition = self.evaluate(&conditional.cond_expr)?;
                let condition_span = span_of(&conditional.cond_expr);
                let condition = match condition {
                    Val::Null => {
                        return Err(self.error(
                            condition_span,
                            "the condition is null: it must be true or false",
                        ));
                    }
                    other => to_bool(&other).map_err(|_| {
                        self.error(condition_span, "the condition must be true or false")
                    })?,
                };
                self.conditional(
                    condition,
                    &conditional.true_expr,
                    &conditional.false_expr,
                    &span,
                )
            }
            Expression::FuncCall(call) => {
                let mut name: Vec<&str> = call
                    .name
                    .namespace
                    .iter()
                    .map(|part| part.as_str())
                    .collect();
                name.push(call.name.name.as_str());
                let construct = format!("a function call `{}(...)`", name.join("::"));
                Err(HclError::new(span, construct, HclErrorKind::Refused))
            }
            Expression::Traversal(traversal) => {
                if let Expression::Variable(root) = &traversal.expr
                    && self.lookup(root.as_str()).is_none()
                {
                    return Err(self.refused(span, "a reference"));
                }
                let value = self.evaluate(&traversal.expr)?;
                self.traverse(value, &traversal.operators)
            }
            Expression::UnaryOp(operation) => {
                let operand = self.evaluate(&operation.expr)?;
                let operand_span = span_of(&operation.expr);
                match operation.operator.value() {
                    UnaryOperator::Neg => {
                        let number = self.to_number(&operand, operand_span)?;
                        Ok(Val::Number(number.negate()))
                    }
                    UnaryOperator::Not => {
                        let boolean = self.to_bool_operand(&operand, operand_span)?;
                        Ok(Val::Bool(!boolean))
                    }
                }
            }
            Expression::BinaryOp(operation) => {
                let left = self.evaluate(&operation.lhs_expr)?;
                let right = self.evaluate(&operation.rhs_expr)?;
                let spans = (span_of(&operation.lhs_expr), span_of(&operation.rhs_expr));
                self.binary(*operation.operator.value(), left, right, spans, span)
            }
            Expression::ForExpr(for_expression) => self.for_expression(for_expression, &span),
        }
    }

    /// A refusal of the construct at `span`, named by `what` and its source text.
    fn refused(&self, span: Range, what: &str) -> HclError {
        let source = self.text.get(span.clone()).unwrap_or_default();
        let shown = if source.len() <= 40 && !source.contains('\n') {
            source.to_string()
        } else {
            let head: String = source
                .chars()
                .take_while(|character| character.is_alphanumeric() || "_-.".contains(*character))
                .take(40)
                .collect();
            format!("{head}...")
        };
        HclError::new(span, format!("{what} `{shown}`"), HclErrorKind::Refused)
    }

    /// Fails at the first line break of the literal text at `span`: a quoted string stays on
    /// one line, as in Terraform (hcl-edit reads it across lines).
    fn single_line(&self, span: Range) -> Result<(), HclError> {
        let source = self.text.get(span.clone()).unwrap_or_default();
        match source.find('\n') {
            Some(at) => {
                let at = span.start + at;
                let message = "a quoted string cannot span lines: use a heredoc (`<<EOT`)";
                Err(self.error(at..at + 1, message))
            }
            None => Ok(()),
        }
    }

    /// The value bound to a `for` variable, innermost first.
    fn lookup(&self, name: &str) -> Option<&Val> {
        let mut bindings = self.scope.iter().rev();
        bindings
            .find(|(bound, _)| bound == name)
            .map(|(_, value)| value)
    }

    /// A number literal, read exactly from its source text.
    fn number_literal(&mut self, span: Range) -> Result<Val, HclError> {
        let source = self.text.get(span.clone()).unwrap_or_default();
        // hcl-edit folds a minus sign into the literal, with any spaces after it.
        let number = match source.strip_prefix('-') {
            Some(digits) => Number::parse(digits.trim_start())
                .map(|number| number.map(|number| number.negate())),
            None => Number::parse(source),
        };
        match number {
            Some(Ok(number)) => Ok(Val::Number(number)),
            Some(Err(_)) => Err(self.error(span, format!("the number `{source}` is out of range"))),
            None => Err(self.error(span, format!("`{source}` is not a number"))),
        }
    }

    /// The key of an object entry written as an expression: a string, or a number or a bool
    /// written as one.
    fn object_key(&mut self, expression: &Expression) -> Result<String, HclError> {
        let span = span_of(expression);
        // A bare word is the key itself, even `null` or `true`, as in Terraform.
        if let Expression::Null(_) = expression {
            return Ok("null".to_string());
        }
        if let Expression::Traversal(_) = expression {
            let source = self.text.get(span.clone()).unwrap_or_default();
            let message = format!(
                "the object key `{source}` is ambiguous: quote a key with dots, or put a reference in parentheses"
            );
            return Err(self.error(span, message));
        }
        let key = self.evaluate(expression)?;
        to_text(&key).map_err(|reason| self.error(span, format!("an object key {reason}")))
    }

    /// `true_expression` or `false_expression`, converted to the type both can take. An error in
    /// the branch not taken is ignored, as Terraform ignores it.
    fn conditional(
        &mut self,
        condition: bool,
        true_expression: &Expression,
        false_expression: &Expression,
        span: &Range,
    ) -> Result<Val, HclError> {
        let (taken, other) = if condition {
            (true_expression, false_expression)
        } else {
            (false_expression, true_expression)
        };
        let value = self.evaluate(taken)?;
        let other_type = match self.evaluate(other) {
            Ok(other) => Type::of(&other),
            Err(error) if self.budget == 0 => return Err(error),
            Err(_) => Type::Dynamic,
        };
        let (true_type, false_type) = if condition {
            (Type::of(&value), other_type)
        } else {
            (other_type, Type::of(&value))
        };
        match unify(&true_type, &false_type) {
            Some(common) => Ok(convert(value, &common)),
            None => Err(self.error(
                span.clone(),
                format!(
                    "the results of this conditional have inconsistent types: {} if true, {} if false",
                    true_type.name(),
                    false_type.name()
                ),
            )),
        }
    }

    /// The items a `for` iterates over: a tuple's indexes and elements, or an object's keys and
    /// values in the lexical order of the keys.
    pub fn items(&self, collection: Val, span: Range) -> Result<Vec<(Val, Val)>, HclError> {
        match collection {
            Val::Tuple(elements) => Ok(elements
                .into_iter()
                .enumerate()
                .map(|(index, element)| {
                    let index = Number::from_u64(index as u64, INDEX_PRECISION);
                    (Val::Number(index), element)
                })
                .collect()),
            Val::Object(mut entries) => {
                entries.sort_by(|left, right| left.0.cmp(&right.0));
                Ok(entries
                    .into_iter()
                    .map(|(key, value)| (Val::String(key), value))
                    .collect())
            }
            Val::Null => Err(self.error(span, "a null value cannot be iterated by `for`")),
            other => Err(self.error(
                span,
                format!("a {} cannot be iterated by `for`", Type::of(&other).name()),
            )),
        }
    }

    /// Binds the variables of a `for`, runs `body`, and unbinds them, even on an error.
    pub fn with_bindings<T>(
        &mut self,
        bindings: Vec<(String, Val)>,
        body: impl FnOnce(&mut Self) -> Result<T, HclError>,
    ) -> Result<T, HclError> {
        let depth = self.scope.len();
        self.scope.extend(bindings);
        let result = body(self);
        self.scope.truncate(depth);
        result
    }

    /// `[for ...]` or `{for ...}`.
    fn for_expression(&mut self, expression: &ForExpr, span: &Range) -> Result<Val, HclError> {
        let intro = &expression.intro;
        let collection_span = span_of(&intro.collection_expr);
        let collection = self.evaluate(&intro.collection_expr)?;
        let items = self.items(collection, collection_span)?;
        let mut elements = Vec::new();
        let mut entries = Entries::default();
        let mut groups: Vec<(String, Vec<Val>)> = Vec::new();
        let mut group_index: HashMap<String, usize> = HashMap::new();
        for (key, value) in items {
            let mut bindings = Vec::new();
            if let Some(key_variable) = &intro.key_var {
                bindings.push((key_variable.as_str().to_string(), key));
            }
            bindings.push((intro.value_var.as_str().to_string(), value));
            self.charge(1, span)?;
            self.with_bindings(bindings, |this| {
                if let Some(condition) = &expression.cond {
                    let condition_span = span_of(&condition.expr);
                    let value = this.evaluate(&condition.expr)?;
                    if !this.to_bool_operand(&value, condition_span)? {
                        return Ok(());
                    }
                }
                let Some(key_expression) = &expression.key_expr else {
                    elements.push(this.evaluate(&expression.value_expr)?);
                    return Ok(());
                };
                let key_span = span_of(key_expression);
                let key = match this.evaluate(key_expression)? {
                    Val::Null => {
                        return Err(this.error(key_span, "the key of a `for` entry is null"));
                    }
                    key => to_text(&key).map_err(|reason| {
                        this.error(
                            key_span.clone(),
                            format!("the key of a `for` entry {reason}"),
                        )
                    })?,
                };
                let value = this.evaluate(&expression.value_expr)?;
                if expression.grouping {
                    match group_index.get(&key) {
                        Some(&index) => groups[index].1.push(value),
                        None => {
                            group_index.insert(key.clone(), groups.len());
                            groups.push((key, vec![value]));
                        }
                    }
                } else if entries.contains(&key) {
                    let message = format!(
                        "two items produce the key `{key}`: add `...` after the value to group them"
                    );
                    return Err(this.error(key_span, message));
                } else {
                    entries.insert(key, value);
                }
                Ok(())
            })?;
        }
        Ok(match (&expression.key_expr, expression.grouping) {
            (None, _) => Val::Tuple(elements),
            (Some(_), false) => Val::Object(entries.entries),
            (Some(_), true) => Val::Object(
                groups
                    .into_iter()
                    .map(|(key, values)| (key, Val::Tuple(values)))
                    .collect(),
            ),
        })
    }

    /// A binary operation on two evaluated operands.
    fn binary(
        &mut self,
        operator: BinaryOperator,
        left: Val,
        right: Val,
        (left_span, right_span): (Range, Range),
        span: Range,
    ) -> Result<Val, HclError> {
        use BinaryOperator::*;
        match operator {
            Eq => Ok(Val::Bool(left == right)),
            NotEq => Ok(Val::Bool(left != right)),
            And | Or => {
                let left = self.to_bool_operand(&left, left_span)?;
                let right = self.to_bool_operand(&right, right_span)?;
                Ok(Val::Bool(if operator == And {
                    left && right
                } else {
                    left || right
                }))
            }
            _ => {
                let left = self.to_number(&left, left_span)?;
                let right = self.to_number(&right, right_span)?;
                let result = match operator {
                    Less => return Ok(Val::Bool(left.compare(&right).is_lt())),
                    LessEq => return Ok(Val::Bool(left.compare(&right).is_le())),
                    Greater => return Ok(Val::Bool(left.compare(&right).is_gt())),
                    GreaterEq => return Ok(Val::Bool(left.compare(&right).is_ge())),
                    Plus => left.add(&right),
                    Minus => left.subtract(&right),
                    Mul => left.multiply(&right),
                    Div => left.divide(&right),
                    _ => left.remainder(&right),
                };
                result.map(Val::Number).map_err(|error| match error {
                    NumberError::DivisionByZero => self.error(span, "division by zero"),
                    NumberError::OutOfRange => self.error(span, "the result is out of range"),
                })
            }
        }
    }

    /// An operand as a number, or an error at its span.
    pub fn to_number(&self, value: &Val, span: Range) -> Result<Number, HclError> {
        to_number(value).map_err(|reason| self.error(span, reason))
    }

    /// An operand as a bool, or an error at its span.
    pub fn to_bool_operand(&self, value: &Val, span: Range) -> Result<bool, HclError> {
        to_bool(value).map_err(|reason| self.error(span, reason))
    }
}

/// An object under construction: its entries in order, and where each key is.
#[derive(Default)]
struct Entries {
    entries: Vec<(String, Val)>,
    positions: HashMap<String, usize>,
}

impl Entries {
    fn contains(&self, key: &str) -> bool {
        self.positions.contains_key(key)
    }

    /// Adds an entry, or replaces the value of the entry with that key.
    fn insert(&mut self, key: String, value: Val) {
        match self.positions.get(&key) {
            Some(&position) => self.entries[position].1 = value,
            None => {
                self.positions.insert(key.clone(), self.entries.len());
                self.entries.push((key, value));
            }
        }
    }
}

/// What copying a value costs: one unit per value and per 16 bytes of text.
fn weight(value: &Val) -> u64 {
    match value {
        Val::String(text) => 1 + text.len() as u64 / 16,
        Val::Tuple(elements) => 1 + elements.iter().map(weight).sum::<u64>(),
        Val::Object(entries) => {
            1 + entries
                .iter()
                .map(|(key, value)| key.len() as u64 / 16 + weight(value))
                .sum::<u64>()
        }
        Val::Null | Val::Bool(_) | Val::Number(_) => 1,
    }
}
