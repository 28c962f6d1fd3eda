//! Terraform's own files, for the importer: variables files (`.tfvars`, read by `hcl/`) and a
//! module's `variables.tf`, turned into a `.hub` schema by [`module_schema`].
//!
//! Types translate as `stdlib/clusters.hub` writes them by hand: `string` to `string`, `number`
//! to `int | float`, `bool` to `bool`, `list(T)` and `set(T)` to `list<T>`, `tuple([A, B])` to
//! `list<A | B>`, `map(T)` to `map<T>`, `object({...})` to an inline closed struct, `any` (or no
//! `type`) to `any`. Only inline types are written, never a named `type`, so a generated schema
//! cannot collide with the names of the standard modules. A variable without a default, and an
//! object attribute that is not `optional(...)`, is `required`; a default is written as
//! `= default`. Terraform accepts `null` for every variable (unless it is `nullable = false`)
//! and every object attribute, `required` ones included (the corpus sets a required
//! `delete_after` to `null`), so their types are all `T | null`; elements of lists and maps are
//! not, the one place where a generated schema is stricter than Terraform. A validation
//! `contains([...], var.x)` becomes a literal union, and `can(regex("^...$", var.x))` a
//! `matching` pattern; other validations are noted in a comment above the field.

use hcl_edit::expr::{Expression, ObjectKey};
use hcl_edit::structure::{Attribute, Block, Structure};

use super::hcl::{self, evaluate};
pub use super::hcl::{HclError, HclErrorKind, parse_tfvars};
use super::write::{key, untyped_literal};
use crate::emit::Value;

/// The `.hub` text of `schema terraform_<module> { ... }`, one field per `variable` block of
/// `variables_tf`, in file order, formatted as `hubc fmt` formats it.
pub fn module_schema(module: &str, variables_tf: &str) -> Result<String, HclError> {
    let body = hcl::parse_body(variables_tf)?;
    let mut text = format!(
        "/// The variables of the Terraform module `{module}`, from its `variables.tf`.\nschema {} {{\n",
        schema_name(module)
    );
    for structure in body.iter() {
        match structure {
            Structure::Block(block) if block.ident.as_str() == "variable" => {
                text.push_str(&Variable::read(variables_tf, block)?.field());
            }
            // Outputs, locals and the other blocks a module may keep beside its variables.
            Structure::Block(_) => {}
            Structure::Attribute(attribute) => {
                let message = format!(
                    "`{}` is an attribute outside any block, which Terraform does not allow here",
                    attribute.key.as_str()
                );
                let span = span(&attribute.key);
                return Err(HclError::new(span, message, HclErrorKind::Malformed));
            }
        }
    }
    text.push_str("}\n");
    Ok(super::canonical(&text))
}

/// The name of a module's schema: `terraform_` and the module's name, with every character
/// that cannot be in an identifier replaced by `_`.
pub fn schema_name(module: &str) -> String {
    crate::resolve::module_schema_name(module)
}

/// The span of a node.
fn span(node: &impl hcl_edit::Span) -> std::ops::Range<usize> {
    node.span().unwrap_or(0..0)
}

/// An error at a node.
fn error_at(node: &impl hcl_edit::Span, message: impl Into<String>) -> HclError {
    HclError::new(span(node), message, HclErrorKind::Malformed)
}

/// What a `variable` block declares.
struct Variable {
    name: String,
    /// The `.hub` type.
    ty: String,
    default: Option<Value>,
    description: Option<String>,
    sensitive: bool,
    /// Whether Terraform accepts `null` for it: unless `nullable = false`.
    nullable: bool,
    /// Validations `.hub` cannot express, as comment lines.
    unchecked: Vec<String>,
}

impl Variable {
    /// Reads a `variable "name" { ... }` block.
    fn read(text: &str, block: &Block) -> Result<Variable, HclError> {
        let name = match block.labels.as_slice() {
            [label] => label.as_str().to_string(),
            _ => {
                return Err(error_at(
                    &block.ident,
                    "a variable block has exactly one label, its name",
                ));
            }
        };
        let mut variable = Variable {
            name,
            ty: "any".to_string(),
            default: None,
            description: None,
            sensitive: false,
            nullable: true,
            unchecked: Vec::new(),
        };
        let mut validations = Vec::new();
        for structure in block.body.iter() {
            match structure {
                Structure::Attribute(attribute) => variable.attribute(text, attribute)?,
                Structure::Block(inner) if inner.ident.as_str() == "validation" => {
                    validations.push(inner);
                }
                Structure::Block(inner) => {
                    let message = format!("a variable has no `{}` block", inner.ident.as_str());
                    return Err(error_at(&inner.ident, message));
                }
            }
        }
        for validation in validations {
            variable.validation(text, validation)?;
        }
        if variable.nullable || variable.default == Some(Value::Null) {
            variable.ty = nullable(variable.ty);
        }
        Ok(variable)
    }

    /// Reads one attribute of the block.
    fn attribute(&mut self, text: &str, attribute: &Attribute) -> Result<(), HclError> {
        let value = &attribute.value;
        match attribute.key.as_str() {
            "type" => self.ty = hub_type(text, value)?,
            "default" => self.default = Some(evaluate(text, value)?),
            "description" => match evaluate(text, value)? {
                Value::Str(description) => self.description = Some(description),
                _ => return Err(error_at(value, "a description is a string")),
            },
            "sensitive" => self.sensitive = evaluate(text, value)? == Value::Bool(true),
            "nullable" => self.nullable = evaluate(text, value)? != Value::Bool(false),
            // Whether the value is kept out of state changes nothing of what may be set.
            "ephemeral" => {}
            other => {
                let message = format!("a variable has no `{other}` attribute");
                return Err(error_at(&attribute.key, message));
            }
        }
        Ok(())
    }

    /// Reads a `validation { condition = ... }` block: a condition `.hub` can express narrows
    /// the type, any other is noted.
    fn validation(&mut self, text: &str, block: &Block) -> Result<(), HclError> {
        let condition = block.body.iter().find_map(|structure| match structure {
            Structure::Attribute(attribute) if attribute.key.as_str() == "condition" => {
                Some(&attribute.value)
            }
            _ => None,
        });
        let Some(condition) = condition else {
            return Err(error_at(
                &block.ident,
                "a validation block needs a `condition`",
            ));
        };
        if let Some(narrowed) = self.narrowed(text, condition)? {
            self.ty = narrowed;
            return Ok(());
        }
        let source = text.get(span(condition)).unwrap_or_default();
        let source = source.split_whitespace().collect::<Vec<_>>().join(" ");
        self.unchecked.push(format!(
            "Terraform also requires `{source}`, which hubc does not check."
        ));
        Ok(())
    }

    /// The type a condition narrows this variable's type to, if `.hub` can say it.
    fn narrowed(&self, text: &str, condition: &Expression) -> Result<Option<String>, HclError> {
        let Expression::FuncCall(call) = condition else {
            return Ok(None);
        };
        let arguments: Vec<&Expression> = call.args.iter().collect();
        let is_this = |expression: &Expression| self.is_reference(expression);
        let scalar = matches!(self.ty.as_str(), STRING | NUMBER);
        match (call.name.name.as_str(), arguments.as_slice()) {
            ("contains", [Expression::Array(_), variable]) if is_this(variable) && scalar => {
                let Value::List(allowed) = evaluate(text, arguments[0])? else {
                    return Ok(None);
                };
                let literals: Option<Vec<String>> = allowed
                    .iter()
                    .map(|value| match value {
                        Value::Str(_) | Value::Int(_) | Value::Float(_) => {
                            Some(untyped_literal(value))
                        }
                        _ => None,
                    })
                    .collect();
                Ok(literals
                    .filter(|literals| !literals.is_empty())
                    .map(|literals| literals.join(" | ")))
            }
            ("can", [Expression::FuncCall(inner)]) if self.ty == STRING => {
                let inner_arguments: Vec<&Expression> = inner.args.iter().collect();
                let ("regex", [pattern, variable]) =
                    (inner.name.name.as_str(), inner_arguments.as_slice())
                else {
                    return Ok(None);
                };
                if !is_this(variable) {
                    return Ok(None);
                }
                // `matching` anchors its pattern; Terraform's `regex` does not.
                match evaluate(text, pattern)? {
                    Value::Str(pattern) if pattern.starts_with('^') && pattern.ends_with('$') => {
                        Ok(Some(format!(
                            "string matching {}",
                            crate::syntax::quote(&pattern)
                        )))
                    }
                    _ => Ok(None),
                }
            }
            _ => Ok(None),
        }
    }

    /// Whether an expression is `var.<this variable>`.
    fn is_reference(&self, expression: &Expression) -> bool {
        let Expression::Traversal(traversal) = expression else {
            return false;
        };
        let Expression::Variable(root) = &traversal.expr else {
            return false;
        };
        let [operator] = traversal.operators.as_slice() else {
            return false;
        };
        let hcl_edit::expr::TraversalOperator::GetAttr(name) = operator.value() else {
            return false;
        };
        root.as_str() == "var" && name.as_str() == self.name
    }

    /// The field, with its doc comment and notes, as `.hub` text.
    fn field(&self) -> String {
        let mut text = String::from("\n");
        for note in &self.unchecked {
            text.push_str(&format!("  // {note}\n"));
        }
        let mut doc: Vec<String> = match &self.description {
            Some(description) => description.trim_end().lines().map(str::to_string).collect(),
            None => Vec::new(),
        };
        if self.sensitive {
            if !doc.is_empty() {
                doc.push(String::new());
            }
            doc.push("Sensitive: Terraform does not show its value.".to_string());
        }
        let indentation = common_indentation(&doc);
        for line in &doc {
            let line = line.get(indentation..).unwrap_or("").trim_end();
            text.push_str(&format!(
                "  ///{}{line}\n",
                if line.is_empty() { "" } else { " " }
            ));
        }
        let required = if self.default.is_none() {
            "required "
        } else {
            ""
        };
        text.push_str(&format!("  {required}{}: {}", key(&self.name), self.ty));
        if let Some(default) = &self.default {
            text.push_str(&format!(" = {}", untyped_literal(default)));
        }
        text.push('\n');
        text
    }
}

/// The smallest indentation of the lines that are not blank, in bytes of spaces.
fn common_indentation(lines: &[String]) -> usize {
    lines
        .iter()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start_matches(' ').len())
        .min()
        .unwrap_or(0)
}

/// Terraform's primitive types, as `std.clusters` declares them: each takes what Terraform
/// converts to it (a number or a bool where a string goes, `"5"` where a number goes, `"true"`
/// where a bool goes), so a variables file Terraform accepts checks.
const STRING: &str = "TerraformString";
const NUMBER: &str = "TerraformNumber";
const BOOL: &str = "TerraformBool";

/// The `.hub` type of a Terraform type expression.
fn hub_type(text: &str, expression: &Expression) -> Result<String, HclError> {
    match expression {
        Expression::Variable(name) => match name.as_str() {
            "string" => Ok(STRING.to_string()),
            "number" => Ok(NUMBER.to_string()),
            "bool" => Ok(BOOL.to_string()),
            "any" => Ok("any".to_string()),
            other => Err(error_at(
                expression,
                format!("`{other}` is not a Terraform type"),
            )),
        },
        Expression::Parenthesis(inner) => hub_type(text, inner.inner()),
        Expression::FuncCall(call) => {
            let arguments: Vec<&Expression> = call.args.iter().collect();
            let name = call.name.name.as_str();
            match (name, arguments.as_slice()) {
                ("list" | "set", [element]) => Ok(format!("list<{}>", hub_type(text, element)?)),
                ("map", [element]) => Ok(format!("map<{}>", hub_type(text, element)?)),
                ("tuple", [Expression::Array(elements)]) => {
                    let mut alternatives: Vec<String> = Vec::new();
                    for element in elements.iter() {
                        let ty = hub_type(text, element)?;
                        if !alternatives.contains(&ty) {
                            alternatives.push(ty);
                        }
                    }
                    if alternatives.is_empty() || alternatives.iter().any(|ty| ty == "any") {
                        return Ok("list<any>".to_string());
                    }
                    Ok(format!("list<{}>", alternatives.join(" | ")))
                }
                ("object", [Expression::Object(attributes)]) => {
                    let mut members = String::from("{\n");
                    for (attribute_key, value) in attributes.iter() {
                        let name = match attribute_key {
                            ObjectKey::Ident(identifier) => identifier.as_str().to_string(),
                            ObjectKey::Expression(Expression::String(name)) => name.value().clone(),
                            ObjectKey::Expression(other) => {
                                return Err(error_at(
                                    other,
                                    "an object attribute is named by an identifier or a string",
                                ));
                            }
                        };
                        members.push_str(&attribute_member(text, &name, value.expr())?);
                    }
                    members.push('}');
                    Ok(members)
                }
                ("optional", _) => Err(error_at(
                    expression,
                    "`optional(...)` is only allowed on an attribute of an object type",
                )),
                _ => Err(error_at(
                    expression,
                    format!("`{name}(...)` is not a Terraform type constructor"),
                )),
            }
        }
        _ => Err(error_at(
            expression,
            "a Terraform type is a name such as `string` or a constructor such as `list(string)`",
        )),
    }
}

/// One member of an inline struct: an attribute of an `object({...})` type.
fn attribute_member(text: &str, name: &str, expression: &Expression) -> Result<String, HclError> {
    let field = key(name);
    if let Expression::FuncCall(call) = expression
        && call.name.name.as_str() == "optional"
    {
        let arguments: Vec<&Expression> = call.args.iter().collect();
        return match arguments.as_slice() {
            [ty] => Ok(format!("  {field}: {}\n", nullable(hub_type(text, ty)?))),
            [ty, default] => {
                let ty = nullable(hub_type(text, ty)?);
                let default = untyped_literal(&evaluate(text, default)?);
                Ok(format!("  {field}: {ty} = {default}\n"))
            }
            _ => Err(error_at(
                expression,
                "`optional` takes a type and an optional default",
            )),
        };
    }
    Ok(format!(
        "  required {field}: {}\n",
        nullable(hub_type(text, expression)?)
    ))
}

/// The type that also accepts `null`.
fn nullable(ty: String) -> String {
    if ty == "any" {
        return ty;
    }
    format!("{ty} | null")
}

#[cfg(test)]
mod tests;
