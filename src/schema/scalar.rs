//! Scalars as written in `.hub` files: what a literal type of a schema holds, and what the
//! leaves of a resolved value tree are.

use std::sync::Arc;

/// A scalar as written: literals keep the form they must be emitted in.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Str(Arc<str>),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
    /// `4GiB`, `500m`, `1h`: what it measures is decided by the schema type of its path.
    Quantity {
        number: Arc<str>,
        unit: Arc<str>,
    },
    Date {
        year: u16,
        month: u8,
        day: u8,
    },
    /// `secret("enc-prod.secret.values.yaml")`
    Secret(Arc<str>),
    /// A name, such as the cluster of a community.
    Reference(Arc<str>),
    /// `todo("the hub's domain")`: a value still to be written, which stands for a value of any
    /// type, and is an error until it is (`hub::resolve::placeholder`).
    Placeholder(Arc<str>),
}

/// Whether two scalars are the same value: quantities compare by value (`4GiB` is `4096Mi`)
/// under the first measure both fit.
pub fn same_scalar(left: &Scalar, right: &Scalar) -> bool {
    use super::quantity::{Measure, Quantity};
    match (left, right) {
        (
            Scalar::Quantity {
                number: left_number,
                unit: left_unit,
            },
            Scalar::Quantity {
                number: right_number,
                unit: right_unit,
            },
        ) => {
            if left == right {
                return true;
            }
            [Measure::Memory, Measure::Duration, Measure::Cpu]
                .into_iter()
                .find_map(|measure| {
                    let left = Quantity::parse(left_number, left_unit, measure).ok()?;
                    let right = Quantity::parse(right_number, right_unit, measure).ok()?;
                    left.compare(&right)
                })
                .is_some_and(std::cmp::Ordering::is_eq)
        }
        _ => left == right,
    }
}

/// A scalar as `.hub` source writes it.
pub fn scalar_text(scalar: &Scalar) -> String {
    match scalar {
        Scalar::Str(text) => crate::syntax::quote(text),
        Scalar::Int(value) => value.to_string(),
        Scalar::Float(value) => format!("{value:?}"),
        Scalar::Bool(value) => value.to_string(),
        Scalar::Null => "null".to_string(),
        Scalar::Quantity { number, unit } => format!("{number}{unit}"),
        Scalar::Date { year, month, day } => format!("{year:04}-{month:02}-{day:02}"),
        Scalar::Secret(file) => format!("secret({})", crate::syntax::quote(file)),
        Scalar::Reference(name) => name.to_string(),
        Scalar::Placeholder(what) => format!("todo({})", crate::syntax::quote(what)),
    }
}
