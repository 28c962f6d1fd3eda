//! Indexes, attribute accesses and splats over literal values: `[1, 2][0]`, `{a = 1}.a`,
//! `[{a = 1}, {a = 2}][*].a`, as Terraform applies them.

use hcl_edit::expr::TraversalOperator;

use super::HclError;
use super::eval::{Evaluator, Range, Val, span_of};
use super::number::{INDEX_PRECISION, Number};
use super::types::{Type, to_number};

impl Evaluator<'_> {
    /// Applies attribute accesses, indexes and splats to `value`.
    pub(super) fn traverse(
        &mut self,
        mut value: Val,
        operators: &[hcl_edit::Decorated<TraversalOperator>],
    ) -> Result<Val, HclError> {
        for (index, operator) in operators.iter().enumerate() {
            let span = span_of(operator);
            self.charge(1, &span)?;
            value = match operator.value() {
                TraversalOperator::GetAttr(name) => self.attribute(value, name.as_str(), span)?,
                TraversalOperator::LegacyIndex(position) => {
                    let key = Val::Number(Number::from_u64(*position.value(), INDEX_PRECISION));
                    self.index(value, key, span)?
                }
                TraversalOperator::Index(key) => {
                    let key = self.evaluate(key)?;
                    self.index(value, key, span)?
                }
                TraversalOperator::AttrSplat(_) | TraversalOperator::FullSplat(_) => {
                    // An attribute splat applies the attribute accesses after it to each
                    // element; a full splat applies every operator after it.
                    let full = matches!(operator.value(), TraversalOperator::FullSplat(_));
                    let rest = &operators[index + 1..];
                    let length = if full {
                        rest.len()
                    } else {
                        rest.iter()
                            .take_while(|operator| {
                                matches!(
                                    operator.value(),
                                    TraversalOperator::GetAttr(_)
                                        | TraversalOperator::LegacyIndex(_)
                                )
                            })
                            .count()
                    };
                    let elements = match value {
                        Val::Null => Vec::new(),
                        Val::Tuple(elements) => elements,
                        other => vec![other],
                    };
                    let mut results = Vec::with_capacity(elements.len());
                    for element in elements {
                        results.push(self.traverse(element, &rest[..length])?);
                    }
                    let splatted = Val::Tuple(results);
                    return self.traverse(splatted, &rest[length..]);
                }
            };
        }
        Ok(value)
    }

    /// `value.name`.
    fn attribute(&self, value: Val, name: &str, span: Range) -> Result<Val, HclError> {
        match value {
            Val::Object(entries) => match entries.into_iter().find(|(key, _)| key == name) {
                Some((_, found)) => Ok(found),
                None => Err(self.error(span, format!("this object has no attribute `{name}`"))),
            },
            Val::Null => Err(self.error(span, "a null value has no attributes")),
            other => Err(self.error(
                span,
                format!("a {} has no attributes", Type::of(&other).name()),
            )),
        }
    }

    /// `value[key]`.
    fn index(&self, value: Val, key: Val, span: Range) -> Result<Val, HclError> {
        match (value, key) {
            (_, Val::Null) => Err(self.error(span, "an index cannot be null")),
            (Val::Tuple(mut elements), key) => {
                let position = to_number(&key)
                    .ok()
                    .and_then(|number| number.to_i64())
                    .ok_or_else(|| {
                        self.error(span.clone(), "a list is indexed by a whole number")
                    })?;
                match usize::try_from(position) {
                    Ok(position) if position < elements.len() => Ok(elements.swap_remove(position)),
                    _ => Err(self.error(
                        span,
                        format!("index {position} is outside a list of {}", elements.len()),
                    )),
                }
            }
            (Val::Object(entries), Val::String(name)) => {
                self.attribute(Val::Object(entries), &name, span)
            }
            (Val::Object(_), _) => Err(self.error(span, "an object is indexed by a string")),
            (Val::Null, _) => Err(self.error(span, "a null value cannot be indexed")),
            (other, _) => Err(self.error(
                span,
                format!("a {} cannot be indexed", Type::of(&other).name()),
            )),
        }
    }
}
