//! Whether a value conforms to its type: structure, scalars, quantities and enumerations, with
//! the message that says what was expected.

use super::Checker;
use crate::check::error::CheckError;
use crate::check::quantity::{Measure, Quantity};
use crate::check::schema::{Type, TypeId};
use crate::intern::{Interner, Symbol};
use crate::resolve::lower::Op;
use crate::resolve::value::{Node, NodeKind, Scalar, path_text, value_text};
use crate::source::Loc;

impl Checker<'_> {
    /// Checks that `node` has type `ty`. `whole` is true for list elements, which are complete
    /// values, so their required fields must be there.
    pub(super) fn conform(
        &mut self,
        node: &Node,
        ty: TypeId,
        path: &[Symbol],
        op: &Op,
        whole: bool,
    ) {
        let at = location(node, op);
        match (self.schema.get(ty), node.kind()) {
            // A value still to be written is reported where it is written, and fits anywhere.
            (Type::Any, _) | (_, NodeKind::Scalar(Scalar::Placeholder(_))) => {}
            (Type::Union(alternatives), _) => {
                let alternatives = alternatives.clone();
                let mut best: Option<Vec<CheckError>> = None;
                for alternative in alternatives {
                    let mut trial = Checker {
                        schema: self.schema,
                        names: self.names,
                        errors: Vec::new(),
                        cluster: self.cluster.clone(),
                    };
                    trial.conform(node, alternative, path, op, whole);
                    if trial.errors.is_empty() {
                        return;
                    }
                    // A map checked against a struct alternative explains itself best, and a
                    // quantity against a quantity type.
                    let is_map_match = matches!(node.kind(), NodeKind::Map(_))
                        && self.schema.as_struct(alternative).is_some();
                    // A number is explained by the first alternative that takes numbers of
                    // its kind and rejects it: `-1` on `cores | float >= 0` is a negative cpu.
                    let is_quantity_match = match node.as_scalar() {
                        Some(Scalar::Quantity { .. }) => self.schema.measure(alternative).is_some(),
                        Some(Scalar::Int(_) | Scalar::Float(_)) => {
                            trial.errors.iter().all(|error| {
                                matches!(
                                    error,
                                    CheckError::BadQuantity { .. } | CheckError::OutOfRange { .. }
                                )
                            })
                        }
                        _ => false,
                    };
                    if (is_map_match || is_quantity_match) && best.is_none() {
                        best = Some(trial.errors);
                    }
                }
                match best {
                    Some(errors) => self.errors.extend(errors),
                    None => self.mismatch(node, ty, path, at),
                }
            }
            (Type::Struct(body), NodeKind::Map(entries)) => {
                for (key, child) in entries {
                    let mut child_path = path.to_vec();
                    child_path.push(*key);
                    match body.fields.iter().find(|field| field.key == *key) {
                        Some(field) => {
                            let field_type = field.ty;
                            self.conform(child, field_type, &child_path, op, whole);
                        }
                        None if body.open => {}
                        None => {
                            let known: Vec<Symbol> = body.fields.iter().map(|f| f.key).collect();
                            self.unknown_key(*key, path, &known, location(child, op));
                        }
                    }
                }
                if whole {
                    for field in body.fields.iter().filter(|field| field.required) {
                        if !entries.iter().any(|(key, _)| *key == field.key) {
                            self.errors.push(CheckError::MissingField {
                                path: path_text(path, self.names),
                                field: self.names.resolve(field.key).to_string(),
                                at,
                            });
                        }
                    }
                }
            }
            (Type::Map(value_type), NodeKind::Map(entries)) => {
                let value_type = *value_type;
                for (key, child) in entries {
                    let mut child_path = path.to_vec();
                    child_path.push(*key);
                    self.conform(child, value_type, &child_path, op, whole);
                }
            }
            (Type::List { element, keyed_by }, NodeKind::List(elements)) => {
                // Elements of a keyed list may be partial: they merge into inherited elements
                // with the same key, so their required fields are checked once merged.
                let (element, whole) = (*element, keyed_by.is_none());
                for element_node in elements {
                    self.conform(element_node, element, path, op, whole);
                }
            }
            (Type::Image, NodeKind::Map(entries)) => {
                let allowed = ["name", "tag", "pullPolicy", "pullSecrets"];
                for (key, child) in entries {
                    if !allowed.contains(&self.names.resolve(*key)) {
                        let known: Vec<Symbol> = allowed
                            .iter()
                            .filter_map(|name| self.names.get(name))
                            .collect();
                        self.unknown_key(*key, path, &known, location(child, op));
                    }
                }
            }
            (
                Type::Matching {
                    base,
                    pattern,
                    source,
                },
                _,
            ) => {
                let (base, pattern, source) = (*base, pattern.clone(), source.clone());
                let errors_before = self.errors.len();
                self.conform(node, base, path, op, whole);
                if self.errors.len() == errors_before
                    && let Some(Scalar::Str(text)) = node.as_scalar()
                    && !pattern.is_match(text)
                {
                    self.errors.push(CheckError::PatternMismatch {
                        path: path_text(path, self.names),
                        pattern: source.to_string(),
                        at,
                    });
                }
            }
            (_, NodeKind::Scalar(scalar)) => self.scalar(scalar, node, ty, path, at),
            _ => self.mismatch(node, ty, path, at),
        }
    }

    fn scalar(&mut self, scalar: &Scalar, node: &Node, ty: TypeId, path: &[Symbol], at: Loc) {
        let measure = match self.schema.get(ty) {
            Type::Memory | Type::BinaryMemory => Some(Measure::Memory),
            Type::Cpu | Type::Cores => Some(Measure::Cpu),
            Type::Duration => Some(Measure::Duration),
            _ => None,
        };
        if let Some(measure) = measure {
            let parts = match scalar {
                Scalar::Quantity { number, unit } => Some((number.to_string(), unit.to_string())),
                Scalar::Int(int) => Some((int.to_string(), String::new())),
                Scalar::Float(float) => Some((float.to_string(), String::new())),
                _ => None,
            };
            match parts {
                Some((number, unit)) => {
                    if let Err(error) = Quantity::parse(&number, &unit, measure) {
                        self.errors.push(CheckError::BadQuantity {
                            path: path_text(path, self.names),
                            reason: error.to_string(),
                            at,
                            help: quantity_help(measure),
                        });
                    }
                }
                None => self.mismatch(node, ty, path, at),
            }
            return;
        }
        let number = match scalar {
            Scalar::Int(int) => Some(*int as f64),
            Scalar::Float(float) => Some(*float),
            _ => None,
        };
        let bounds = match (self.schema.get(ty), scalar) {
            (Type::Int(bounds), Scalar::Int(_)) => Some(bounds),
            (Type::Float(bounds), Scalar::Int(_) | Scalar::Float(_)) => Some(bounds),
            _ => None,
        };
        if let (Some(bounds), Some(number)) = (bounds, number) {
            if let Some(bound) = bounds.iter().find(|bound| !bound.holds(number)) {
                self.errors.push(CheckError::OutOfRange {
                    path: path_text(path, self.names),
                    bound: bound.text(),
                    value: format!("`{}`", value_text(node, self.names)),
                    at,
                });
            }
            return;
        }
        let fits = match (self.schema.get(ty), scalar) {
            (Type::String, Scalar::Str(_)) => true,
            (Type::Bool, Scalar::Bool(_)) => true,
            (Type::Null, Scalar::Null) => true,
            (Type::Date, Scalar::Date { .. }) => true,
            (Type::Secret, Scalar::Secret(_)) => true,
            (Type::Url, Scalar::Str(text)) => {
                text.starts_with("https://") || text.starts_with("http://")
            }
            (Type::Literal(expected), actual) => expected == actual,
            _ => false,
        };
        if !fits {
            self.mismatch(node, ty, path, at);
        }
    }

    fn mismatch(&mut self, node: &Node, ty: TypeId, path: &[Symbol], at: Loc) {
        let expected = self.schema.describe(ty, self.names);
        let found = describe_node(node, self.names);
        let is_quantity = self.schema.measure(ty).is_some();
        let help = match (self.schema.get(ty), node.as_scalar()) {
            (_, Some(Scalar::Str(text))) if is_quantity => {
                Some(format!("write the quantity without quotes: `{text}`"))
            }
            (Type::String, Some(Scalar::Quantity { number, unit })) => {
                Some(format!("quote it if it is text: `\"{number}{unit}\"`"))
            }
            (Type::String, Some(Scalar::Int(int))) => Some(format!("quote it: `\"{int}\"`")),
            (Type::String, Some(Scalar::Reference(name))) => {
                Some(format!("quote it: `\"{name}\"`"))
            }
            _ => Some(format!(
                "write {expected} here, or remove the assignment to keep the inherited value"
            )),
        };
        self.errors.push(CheckError::TypeMismatch {
            path: path_text(path, self.names),
            expected,
            found,
            at,
            help,
        });
    }
}

/// A scalar read as a quantity of `measure`, if it is one.
pub fn quantity_of(scalar: &Scalar, measure: Measure) -> Option<Quantity> {
    match scalar {
        Scalar::Quantity { number, unit } => Quantity::parse(number, unit, measure).ok(),
        Scalar::Int(int) => Quantity::parse(&int.to_string(), "", measure).ok(),
        Scalar::Float(float) => Quantity::parse(&float.to_string(), "", measure).ok(),
        _ => None,
    }
}

fn quantity_help(measure: Measure) -> String {
    match measure {
        Measure::Memory => {
            "write memory as bytes or with a unit such as `512Mi`, `4Gi` or `4G`".into()
        }
        Measure::Cpu => "write cpu as cores (`2`, `0.5`) or millicores (`500m`)".into(),
        Measure::Duration => {
            "write a duration as seconds or with a unit such as `90s`, `30m` or `1h`".into()
        }
    }
}

/// Where a node was written, falling back to its operation.
pub(super) fn location(node: &Node, op: &Op) -> Loc {
    if let Some(provenance) = node.provenance() {
        return Loc::new(provenance.origin.file, provenance.origin.span);
    }
    let mut found = None;
    let mut prefix = Vec::new();
    node.for_each_leaf(&mut prefix, &mut |_, leaf| {
        if found.is_none() {
            found = leaf
                .provenance()
                .map(|p| Loc::new(p.origin.file, p.origin.span));
        }
    });
    found.unwrap_or(Loc::new(op.origin.file, op.origin.span))
}

/// A short description of a value for messages: `string "4G"`, `a list`, `a map`.
pub fn describe_node(node: &Node, names: &Interner) -> String {
    match node.kind() {
        NodeKind::Scalar(scalar) => {
            let kind = match scalar {
                Scalar::Str(_) => "string",
                Scalar::Int(_) => "integer",
                Scalar::Float(_) => "float",
                Scalar::Bool(_) => "boolean",
                Scalar::Null => return "`null`".to_string(),
                Scalar::Quantity { .. } => "quantity",
                Scalar::Date { .. } => "date",
                Scalar::Secret(_) => "secret",
                Scalar::Reference(_) => "name",
                Scalar::Placeholder(_) => "placeholder",
            };
            format!("{kind} `{}`", value_text(node, names))
        }
        NodeKind::List(_) => "a list".to_string(),
        NodeKind::Map(_) => "a map".to_string(),
    }
}
