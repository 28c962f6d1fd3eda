//! The charts of an imported fleet: each chart's `values.yaml` as a `chart` declaration of its
//! defaults, and where a hub's values sit in a chart's values (under `basehub:` for daskhub).

use super::write::path;
use super::{Imported, Importer, canonical, name_literal};
use crate::emit::Value;

impl Importer<'_> {
    /// A `chart` declaration for each chart whose `values.yaml` the fleet has: its defaults,
    /// which every hub on it inherits and Helm supplies. The daskhub chart nests basehub's values
    /// under `basehub:`.
    pub(super) fn charts(&mut self, imported: &mut Imported) {
        let found: Vec<String> = self
            .input
            .files
            .keys()
            .filter_map(|path| {
                let chart = path
                    .strip_prefix("helm-charts/")?
                    .strip_suffix("/values.yaml")?;
                (!chart.contains('/')).then(|| chart.to_string())
            })
            .collect();
        for chart in found {
            let relative = format!("helm-charts/{chart}/values.yaml");
            let Some((file_id, value)) = self.yaml(&relative) else {
                continue;
            };
            let (mut tree, _) = split_chart(&value, &chart);
            let mut unknown = Vec::new();
            self.split_unknown(
                &mut tree,
                &mut Vec::new(),
                &mut Value::Map(Vec::new()),
                &mut unknown,
            );
            let mut text = format!(
                "//! The defaults of the `{chart}` chart, imported from `{relative}`. Every hub on the\n\
                 //! chart inherits them, and hubc never writes them into a hub's values file: Helm\n\
                 //! supplies them.\n"
            );
            if !unknown.is_empty() {
                let listed: Vec<String> =
                    unknown.iter().map(|at| format!("`{}`", path(at))).collect();
                text.push_str(&format!(
                    "//!\n//! Left out, as the values schema does not know them: {}.\n",
                    listed.join(", ")
                ));
            }
            let comments = self.comments(file_id, &chart);
            text.push_str(&format!("\nchart {} {{\n", name_literal(&chart)));
            text.push_str(&self.body(&tree, &[], &comments));
            text.push_str("}\n");
            imported
                .files
                .insert(format!("charts/{chart}.hub"), canonical(&text));
            imported.charts.push(chart.clone());
            self.chart_defaults.insert(chart, tree);
        }
    }
}

/// Splits a values file into the hub values and what lies outside them: for `daskhub`, the
/// hub values are under `basehub:` and other top-level keys are the chart's own.
pub(super) fn split_chart(value: &Value, chart: &str) -> (Value, Value) {
    if chart != "daskhub" {
        return (value.clone(), Value::Map(Vec::new()));
    }
    let Value::Map(entries) = value else {
        return (Value::Map(Vec::new()), Value::Map(Vec::new()));
    };
    let mut inner = Value::Map(Vec::new());
    let mut outer = Vec::new();
    for (entry_key, entry_value) in entries {
        if entry_key == "basehub" {
            inner = entry_value.clone();
        } else {
            outer.push((entry_key.clone(), entry_value.clone()));
        }
    }
    (inner, Value::Map(outer))
}

/// The archetype a hub of `chart` starts in before it is placed.
pub(super) fn placeholder_archetype(chart: &str) -> &'static str {
    if chart == "daskhub" {
        "imported_daskhub"
    } else {
        "imported"
    }
}

/// Raw hub values, placed where the chart reads them: under `basehub:` for `daskhub`.
pub(super) fn under_chart(raw: Value, chart: &str) -> Value {
    match raw {
        Value::Map(entries) if chart == "daskhub" && !entries.is_empty() => {
            Value::Map(vec![("basehub".to_string(), Value::Map(entries))])
        }
        raw => raw,
    }
}
