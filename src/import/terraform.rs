//! Placeholder until the variables.tf reader lands.
use super::hcl::HclError;
pub fn module_schema(module: &str, _text: &str) -> Result<String, HclError> {
    Ok(super::canonical(&format!(
        "schema terraform_{module} {{\n  ...\n}}\n"
    )))
}
