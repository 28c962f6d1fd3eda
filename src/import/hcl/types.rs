//! The types of values, as far as a conditional needs them: Terraform converts both results of
//! `c ? a : b` to one type, so `true ? 1 : "a"` is the string `"1"` and `true ? [1] : [1, 2]`
//! is a list of numbers. And the conversions `cty` makes of an operand: to a number, a bool or
//! a string.

use super::eval::Val;
use super::number::Number;

/// The type of a value, or one both results of a conditional can take.
#[derive(Debug, Clone, PartialEq)]
pub enum Type {
    /// The type of `null`, which converts to any other.
    Dynamic,
    Bool,
    Number,
    String,
    Tuple(Vec<Type>),
    /// Attributes sorted by name.
    Object(Vec<(String, Type)>),
    List(Box<Type>),
    Map(Box<Type>),
}

impl Type {
    /// The type of a value, as `cty` gives it: tuples and objects keep each element's type.
    pub fn of(value: &Val) -> Type {
        match value {
            Val::Null => Type::Dynamic,
            Val::Bool(_) => Type::Bool,
            Val::Number(_) => Type::Number,
            Val::String(_) => Type::String,
            Val::Tuple(elements) => Type::Tuple(elements.iter().map(Type::of).collect()),
            Val::Object(entries) => {
                let mut attributes: Vec<(String, Type)> = entries
                    .iter()
                    .map(|(key, value)| (key.clone(), Type::of(value)))
                    .collect();
                attributes.sort_by(|left, right| left.0.cmp(&right.0));
                Type::Object(attributes)
            }
        }
    }

    /// The name of the type in messages.
    pub fn name(&self) -> &'static str {
        match self {
            Type::Dynamic => "null",
            Type::Bool => "bool",
            Type::Number => "number",
            Type::String => "string",
            Type::Tuple(_) | Type::List(_) => "list",
            Type::Object(_) | Type::Map(_) => "object",
        }
    }

    /// The types of the elements of a collection type.
    fn elements(&self) -> Vec<Type> {
        match self {
            Type::Tuple(elements) => elements.clone(),
            Type::Object(attributes) => attributes.iter().map(|(_, ty)| ty.clone()).collect(),
            Type::List(element) | Type::Map(element) => vec![(**element).clone()],
            _ => Vec::new(),
        }
    }
}

/// The type both `left` and `right` convert to, as `cty`'s unification finds it, or `None`.
pub fn unify(left: &Type, right: &Type) -> Option<Type> {
    use Type::*;
    if left == right {
        return Some(left.clone());
    }
    match (left, right) {
        (Dynamic, other) | (other, Dynamic) => Some(other.clone()),
        (String, Number | Bool) | (Number | Bool, String) => Some(String),
        (Tuple(lefts), Tuple(rights)) if lefts.len() == rights.len() => {
            let pairs = lefts.iter().zip(rights);
            Some(Tuple(
                pairs.map(|(l, r)| unify(l, r)).collect::<Option<_>>()?,
            ))
        }
        (Object(lefts), Object(rights))
            if lefts
                .iter()
                .map(|(k, _)| k)
                .eq(rights.iter().map(|(k, _)| k)) =>
        {
            let pairs = lefts.iter().zip(rights);
            let attributes = pairs.map(|((key, l), (_, r))| Some((key.clone(), unify(l, r)?)));
            Some(Object(attributes.collect::<Option<_>>()?))
        }
        (Tuple(_) | List(_), Tuple(_) | List(_)) => Some(List(Box::new(unify_all(
            left.elements().iter().chain(&right.elements()),
        )?))),
        (Object(_) | Map(_), Object(_) | Map(_)) => Some(Map(Box::new(unify_all(
            left.elements().iter().chain(&right.elements()),
        )?))),
        _ => None,
    }
}

/// The type every one of `types` converts to; `Dynamic` for none.
fn unify_all<'t>(mut types: impl Iterator<Item = &'t Type>) -> Option<Type> {
    types.try_fold(Type::Dynamic, |common, ty| unify(&common, ty))
}

/// `value` converted to `ty`, a type [`unify`] gave for it: numbers and bools become strings
/// where a string is expected, throughout lists and objects.
pub fn convert(value: Val, ty: &Type) -> Val {
    match (value, ty) {
        (Val::Number(number), Type::String) => Val::String(number.to_text()),
        (Val::Bool(boolean), Type::String) => Val::String(boolean.to_string()),
        (Val::Tuple(elements), Type::Tuple(types)) => Val::Tuple(
            elements
                .into_iter()
                .zip(types)
                .map(|(element, ty)| convert(element, ty))
                .collect(),
        ),
        (Val::Tuple(elements), Type::List(element_type)) => Val::Tuple(
            elements
                .into_iter()
                .map(|element| convert(element, element_type))
                .collect(),
        ),
        (Val::Object(entries), Type::Object(types)) => Val::Object(
            entries
                .into_iter()
                .map(|(key, value)| {
                    let ty = types
                        .iter()
                        .find(|(name, _)| *name == key)
                        .map(|(_, ty)| ty);
                    match ty {
                        Some(ty) => (key, convert(value, ty)),
                        None => (key, value),
                    }
                })
                .collect(),
        ),
        (Val::Object(entries), Type::Map(value_type)) => Val::Object(
            entries
                .into_iter()
                .map(|(key, value)| (key, convert(value, value_type)))
                .collect(),
        ),
        (value, _) => value,
    }
}

/// A value as a number, as `cty` converts it: a number, or a string that reads as one.
pub fn to_number(value: &Val) -> Result<Number, &'static str> {
    match value {
        Val::Number(number) => Ok(number.clone()),
        Val::String(text) => match Number::parse(text) {
            Some(Ok(number)) => Ok(number),
            Some(Err(_)) => Err("the number is out of range"),
            None => Err("a number is required here"),
        },
        Val::Null => Err("a number is required here, not null"),
        _ => Err("a number is required here"),
    }
}

/// A value as a bool, as `cty` converts it: a bool, or one of the strings `true`, `false`, `1`
/// and `0`.
pub fn to_bool(value: &Val) -> Result<bool, &'static str> {
    match value {
        Val::Bool(boolean) => Ok(*boolean),
        Val::String(text) if text == "true" || text == "1" => Ok(true),
        Val::String(text) if text == "false" || text == "0" => Ok(false),
        Val::Null => Err("a bool is required here, not null"),
        _ => Err("a bool is required here"),
    }
}

/// A value as a string, as `cty` converts it: a string, a number in its shortest decimal form,
/// or a bool. The error completes "a template value ..." or "an object key ...".
pub fn to_text(value: &Val) -> Result<String, &'static str> {
    match value {
        Val::String(text) => Ok(text.clone()),
        Val::Number(number) => Ok(number.to_text()),
        Val::Bool(boolean) => Ok(boolean.to_string()),
        Val::Null => Err("cannot be null"),
        Val::Tuple(_) => Err("must be a string, not a list"),
        Val::Object(_) => Err("must be a string, not an object"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unification_follows_cty() {
        use Type::*;
        assert_eq!(unify(&Number, &String), Some(String));
        assert_eq!(unify(&Number, &Bool), None);
        assert_eq!(unify(&Dynamic, &Bool), Some(Bool));
        let short = Tuple(vec![Number]);
        let long = Tuple(vec![Number, Number]);
        assert_eq!(unify(&short, &long), Some(List(Box::new(Number))));
        assert_eq!(unify(&short, &Tuple(vec![Bool])), None);
        let a = Object(vec![("a".into(), Number)]);
        let b = Object(vec![("b".into(), String)]);
        assert_eq!(unify(&a, &b), Some(Map(Box::new(String))));
        assert_eq!(unify(&a, &short), None);
    }
}
