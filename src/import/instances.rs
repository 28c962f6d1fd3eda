//! The instance types a fleet has measured: 2i2c's `instance_capacities.yaml`, the capacity and
//! allocatable cpu and memory of each instance type as `kubectl get node` reported them on its
//! clusters, the lowest and highest seen. Imported as `instance_types.hub`, one
//! `instance_type "NAME" { }` each with the lowest values, which take the place of
//! `std.instances`' estimates; a type the table lacks keeps the standard one.

use std::fmt::Write;

use crate::emit::Value;

/// Where a fleet keeps its table of instance types.
pub const TABLES: &[&str] = &[
    "instance_capacities.yaml",
    "src/deployer/dev/commands/generate/resource_allocation/instance_capacities.yaml",
];

/// The directories leading to the tables, which the import searches.
pub fn leads_to_table(relative: &str) -> bool {
    TABLES
        .iter()
        .any(|table| table.starts_with(&format!("{relative}/")))
}

/// The `.hub` text declaring the instance types of `table`, read from `path`; `None` when it
/// is not such a table (not a map of maps), or declares none.
pub fn declarations(path: &str, table: &Value) -> Option<String> {
    let Value::Map(entries) = table else {
        return None;
    };
    let mut text = format!(
        "//! The instance types of the fleet's clusters as `kubectl get node` reported them: the\n\
         //! lowest capacity and allocatable seen of each, in place of the estimates of\n\
         //! `std.instances`, which the types it lacks keep. From\n\
         //! `{path}`.\n\nimport std.instances\n"
    );
    let mut declared = 0;
    for (name, measured) in entries {
        let Value::Map(fields) = measured else {
            return None;
        };
        let field = |key: &str| fields.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        let cpu = |key| field(key).and_then(millicores);
        let memory = |key| field(key).and_then(mebibytes);
        let (Some(cpu_capacity), Some(cpu_allocatable), Some(mem_capacity), Some(mem_allocatable)) = (
            cpu("cpu_capacity_low"),
            cpu("cpu_allocatable_low"),
            memory("mem_capacity_low"),
            memory("mem_allocatable_low"),
        ) else {
            return None;
        };
        let _ = write!(
            text,
            "\ninstance_type {} {{\n  capacity = {{ cpu = {}, memory = {mem_capacity}MiB }}\n  \
             allocatable = {{ cpu = {}, memory = {mem_allocatable}MiB }}\n}}\n",
            crate::syntax::quote(name),
            cores(cpu_capacity),
            cores(cpu_allocatable),
        );
        declared += 1;
    }
    (declared > 0).then_some(text)
}

/// Whole millicores of a number of cores, rounded down (what is allocatable is never overstated).
fn millicores(value: &Value) -> Option<u64> {
    let cores = match value {
        Value::Int(int) => *int as f64,
        Value::Float(float) => *float,
        Value::Str(text) => text.trim().parse().ok()?,
        _ => return None,
    };
    (cores.is_finite() && cores >= 0.0).then(|| (cores * 1000.0 + 1e-6).floor() as u64)
}

/// Whole MiB of a Kubernetes memory quantity (`15.627Gi`, `16000Mi`, bytes), rounded down.
fn mebibytes(value: &Value) -> Option<u64> {
    let text = match value {
        Value::Int(int) => return u64::try_from(*int).ok().map(|bytes| bytes >> 20),
        Value::Str(text) => text.trim(),
        _ => return None,
    };
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let number: f64 = text[..split].parse().ok()?;
    let factor = match &text[split..] {
        "" => 1.0 / f64::from(1u32 << 20),
        "Ki" => 1.0 / 1024.0,
        "Mi" => 1.0,
        "Gi" => 1024.0,
        "Ti" => 1024.0 * 1024.0,
        "k" => 1000.0 / f64::from(1u32 << 20),
        "M" => 1e6 / f64::from(1u32 << 20),
        "G" => 1e9 / f64::from(1u32 << 20),
        "T" => 1e12 / f64::from(1u32 << 20),
        _ => return None,
    };
    let mib = number * factor;
    (mib.is_finite() && mib >= 0.0).then(|| (mib + 1e-6).floor() as u64)
}

/// Millicores as a number of cores: `1.93`, `4`.
fn cores(millicores: u64) -> String {
    if millicores.is_multiple_of(1000) {
        return (millicores / 1000).to_string();
    }
    let text = format!("{}.{:03}", millicores / 1000, millicores % 1000);
    text.trim_end_matches('0').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_round_down_to_what_is_surely_there() {
        assert_eq!(mebibytes(&Value::str("15.627Gi")), Some(16002));
        assert_eq!(mebibytes(&Value::str("27.734Gi")), Some(28399));
        assert_eq!(mebibytes(&Value::str("512Mi")), Some(512));
        assert_eq!(mebibytes(&Value::Int(1 << 30)), Some(1024));
        assert_eq!(mebibytes(&Value::str("lots")), None);
        assert_eq!(millicores(&Value::Float(1.93)), Some(1930));
        assert_eq!(millicores(&Value::Float(3.6505)), Some(3650));
        assert_eq!(cores(1930), "1.93");
        assert_eq!(cores(4000), "4");
    }
}
