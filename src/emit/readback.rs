//! Reading back YAML: a document parsed by the YAML library, as output values.

use super::Value;

/// Converts a value the YAML library parsed, keys in document order; keys that are not strings
/// become the text a JSON encoder would give them. For YAML hubc wrote itself, which quotes
/// every string a YAML 1.1 reader could misread.
pub fn read_back(value: &serde_yaml_ng::Value) -> Value {
    match value {
        serde_yaml_ng::Value::Null => Value::Null,
        serde_yaml_ng::Value::Bool(boolean) => Value::Bool(*boolean),
        serde_yaml_ng::Value::Number(number) => match number.as_i64() {
            Some(int) => Value::Int(int),
            None => Value::Float(number.as_f64().unwrap_or(0.0)),
        },
        serde_yaml_ng::Value::String(text) => Value::Str(text.clone()),
        serde_yaml_ng::Value::Sequence(elements) => {
            Value::List(elements.iter().map(read_back).collect())
        }
        serde_yaml_ng::Value::Mapping(entries) => Value::Map(
            entries
                .iter()
                .map(|(key, value)| {
                    let key = match key {
                        serde_yaml_ng::Value::String(text) => text.clone(),
                        serde_yaml_ng::Value::Bool(boolean) => boolean.to_string(),
                        serde_yaml_ng::Value::Number(number) => number.to_string(),
                        serde_yaml_ng::Value::Null => "null".to_string(),
                        other => serde_yaml_ng::to_string(other)
                            .unwrap_or_default()
                            .trim()
                            .to_string(),
                    };
                    (key, read_back(value))
                })
                .collect(),
        ),
        serde_yaml_ng::Value::Tagged(tagged) => read_back(&tagged.value),
    }
}
