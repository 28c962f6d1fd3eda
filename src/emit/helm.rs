//! Helm values: the complete values of one hub, for one `helm upgrade -f`.

use super::Value;
use crate::analysis::Analysis;
use crate::intern::{Interner, Symbol};
use crate::resolve::value::{DeclId, Node, NodeKind, Scalar};
use crate::schema::quantity::{Measure, Quantity};
use crate::schema::{Schema, Step, TypeId};
use crate::syntax::ast::DeclKind;

/// The chart a community deploys: its platform's `chart` property.
pub fn chart_of(analysis: &Analysis, community: DeclId) -> Option<String> {
    let chart = analysis.names.get("chart")?;
    analysis
        .fleet
        .text_property(community, chart)
        .map(str::to_string)
}

/// The values file of a community. A `daskhub` chart takes the hub's values under `basehub:`.
pub fn values(analysis: &Analysis, community: DeclId) -> Value {
    let root = analysis.fleet.root_type(community);
    let converter = Converter::of(analysis);
    let values = analysis.fleet.values(community);
    let tree = match chart_defaults(analysis, community) {
        Some(defaults) => converter
            .beyond_chart(values, defaults, root)
            .unwrap_or(Value::Map(Vec::new())),
        None => converter.value(values, root),
    };
    let mut values = match chart_of(analysis, community).as_deref() {
        Some("daskhub") => Value::Map(vec![("basehub".to_string(), tree)]),
        _ => tree,
    };
    // `chart_values` are written as they are, beside the hub values.
    if let Some(raw) = analysis
        .names
        .get("chart_values")
        .and_then(|key| analysis.fleet.properties(community).get(key))
    {
        super::overlay(&mut values, converter.value(raw, None));
        if let Value::Map(entries) = &mut values {
            entries.sort_by(|left, right| left.0.cmp(&right.0));
        }
    }
    values
}

/// The values the community's chart supplies, when the fleet declares the chart: those of the
/// nearest `chart` declaration in its chain.
pub fn chart_defaults(analysis: &Analysis, community: DeclId) -> Option<&Node> {
    let fleet = &analysis.fleet;
    let chart = fleet
        .chain(community)
        .into_iter()
        .rev()
        .find(|&id| fleet.decl(id).kind == DeclKind::Chart)?;
    Some(fleet.values(chart))
}

/// Turns resolved nodes into output values, in the form the chart expects: a duration is whole
/// seconds (what zero-to-jupyterhub's timeouts take); `cores` are a number (`500m` is `0.5`);
/// memory is spelled as Kubernetes spells it
/// (`4GiB` is `4Gi`), or as KubeSpawner and Dask Gateway do for `binary_memory` (`4GiB` is `4G`,
/// their `G` being 1024³); otherwise quantities keep the text they were written in (`4G`,
/// `500m`), and plain numbers stay numbers.
pub struct Converter<'a> {
    pub schema: &'a Schema,
    pub names: &'a Interner,
    /// The fleet, whose `chart` declarations hold the values Helm supplies.
    pub fleet: &'a crate::resolve::Fleet,
}

impl<'a> Converter<'a> {
    /// A converter for the values of a checked fleet.
    pub fn of(analysis: &'a Analysis) -> Converter<'a> {
        Converter {
            schema: &analysis.schema,
            names: &analysis.names,
            fleet: &analysis.fleet,
        }
    }

    pub fn value(&self, node: &Node, ty: Option<TypeId>) -> Value {
        match node.kind() {
            NodeKind::Scalar(scalar) => self.scalar(scalar, ty),
            NodeKind::List(elements) => {
                let element_type = ty.and_then(|ty| match self.schema.get(ty) {
                    crate::schema::Type::List { element, .. } => Some(*element),
                    crate::schema::Type::Union(alternatives) => {
                        alternatives.iter().find_map(|&a| match self.schema.get(a) {
                            crate::schema::Type::List { element, .. } => Some(*element),
                            _ => None,
                        })
                    }
                    _ => None,
                });
                Value::List(
                    elements
                        .iter()
                        .map(|element| self.value(element, element_type))
                        .collect(),
                )
            }
            NodeKind::Map(entries) => Value::sorted_map(
                entries
                    .iter()
                    .map(|(key, child)| {
                        let child_type = ty.and_then(|ty| self.child(ty, *key));
                        (
                            self.names.resolve(*key).to_string(),
                            self.value(child, child_type),
                        )
                    })
                    .collect(),
            ),
        }
    }

    /// The output of `node` less what Helm supplies from the chart's `defaults`: a value set by
    /// a `chart` declaration is left out, and a default the hub's values no longer have is
    /// written as `null`, which is how Helm drops a default. `None` when nothing is left.
    pub fn beyond_chart(&self, node: &Node, defaults: &Node, ty: Option<TypeId>) -> Option<Value> {
        if std::sync::Arc::ptr_eq(&node.0, &defaults.0) {
            return None;
        }
        let (NodeKind::Map(entries), NodeKind::Map(default_entries)) =
            (node.kind(), defaults.kind())
        else {
            let from_chart = node
                .provenance()
                .is_some_and(|p| self.is_chart(p.origin.decl));
            return (!from_chart).then(|| self.value(node, ty));
        };
        let mut out = Vec::new();
        for (key, child) in entries {
            let child_type = ty.and_then(|ty| self.child(ty, *key));
            let emitted = match defaults.get(*key) {
                Some(default) => self.beyond_chart(child, default, child_type),
                None => Some(self.value(child, child_type)),
            };
            if let Some(emitted) = emitted {
                out.push((self.names.resolve(*key).to_string(), emitted));
            }
        }
        for (key, _) in default_entries {
            if node.get(*key).is_none() {
                out.push((self.names.resolve(*key).to_string(), Value::Null));
            }
        }
        (!out.is_empty()).then(|| Value::sorted_map(out))
    }

    fn is_chart(&self, decl: DeclId) -> bool {
        self.fleet.decl(decl).kind == DeclKind::Chart
    }

    fn child(&self, ty: TypeId, key: Symbol) -> Option<TypeId> {
        match self.schema.step(ty, key) {
            Step::Found(next) => Some(next),
            _ => None,
        }
    }

    fn scalar(&self, scalar: &Scalar, ty: Option<TypeId>) -> Value {
        let measure = ty.and_then(|ty| self.schema.measure(ty));
        match scalar {
            // A placeholder is an error, so it is only emitted to report the errors of emitting.
            Scalar::Str(text)
            | Scalar::Reference(text)
            | Scalar::Secret(text)
            | Scalar::Placeholder(text) => Value::str(text.as_ref()),
            Scalar::Int(int) => Value::Int(*int),
            Scalar::Float(float) => Value::Float(*float),
            Scalar::Bool(boolean) => Value::Bool(*boolean),
            Scalar::Null => Value::Null,
            Scalar::Date { year, month, day } => {
                Value::Str(format!("{year:04}-{month:02}-{day:02}"))
            }
            Scalar::Quantity { number, unit } => {
                if measure == Some(Measure::Duration)
                    && let Ok(duration) = Quantity::parse(number, unit, Measure::Duration)
                    && let Some(seconds) = duration.as_seconds()
                {
                    return Value::Int(seconds);
                }
                if ty.is_some_and(|ty| self.schema.is_cores(ty))
                    && let Ok(cpu) = Quantity::parse(number, unit, Measure::Cpu)
                    && let Some(cores) = cpu.as_cores()
                {
                    return Value::Float(cores);
                }
                if ty.is_some_and(|ty| self.schema.is_binary_memory(ty)) {
                    if let Some(suffix) = kubespawner_suffix(unit) {
                        return Value::Str(format!("{number}{suffix}"));
                    }
                    // KubeSpawner knows the suffixes `K`, `M`, `G` and `T` (as powers of 1024,
                    // kept as written) and plain bytes: any other unit (`8GB`, `500k`) is
                    // written as the exact number of bytes it means.
                    if !matches!(&**unit, "K" | "M" | "G" | "T")
                        && let Ok(memory) = Quantity::parse(number, unit, Measure::Memory)
                        && let Ok(bytes) = i64::try_from(memory.base_value())
                    {
                        return Value::Int(bytes);
                    }
                } else if measure == Some(Measure::Memory)
                    && let Some(suffix) = kubernetes_suffix(unit)
                {
                    if suffix.is_empty()
                        && let Ok(bytes) = number.replace('_', "").parse::<i64>()
                    {
                        return Value::Int(bytes);
                    }
                    return Value::Str(format!("{number}{suffix}"));
                }
                Value::Str(format!("{number}{unit}"))
            }
        }
    }
}

/// The Kubernetes spelling of a memory unit hubc also accepts in other spellings (`GiB` is `Gi`,
/// `KB` is `k`, `B` is no unit); `None` when the unit is already a Kubernetes one.
fn kubernetes_suffix(unit: &str) -> Option<&'static str> {
    match unit {
        "KiB" => Some("Ki"),
        "MiB" => Some("Mi"),
        "GiB" => Some("Gi"),
        "TiB" => Some("Ti"),
        "PiB" => Some("Pi"),
        "EiB" => Some("Ei"),
        "K" | "KB" => Some("k"),
        "MB" => Some("M"),
        "GB" => Some("G"),
        "TB" => Some("T"),
        "PB" => Some("P"),
        "EB" => Some("E"),
        "B" => Some(""),
        _ => None,
    }
}

/// KubeSpawner's suffix for a binary unit: its `K`, `M`, `G`, `T` are powers of 1024.
fn kubespawner_suffix(unit: &str) -> Option<&'static str> {
    match unit {
        "Ki" | "KiB" => Some("K"),
        "Mi" | "MiB" => Some("M"),
        "Gi" | "GiB" => Some("G"),
        "Ti" | "TiB" => Some("T"),
        _ => None,
    }
}
