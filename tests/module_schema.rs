//! Terraform modules' `variables.tf` as `.hub` schemas (`hubc::import::terraform::module_schema`):
//! the corpus's modules and generated ones compile with no diagnostics, and the values their
//! variables files set, written in a platform checked against the schema, type-check.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use common::Random;
use hubc::emit::Value;
use hubc::import::terraform::{module_schema, parse_tfvars, schema_name};
use hubc::import::write::{key, untyped_literal};

/// The diagnostics of a fleet of the module's schema and a platform that sets `variables`
/// under the schema, or `(no diagnostics)`.
fn check_values(module: &str, schema: &str, variables: &[(String, Value)]) -> String {
    let mut fleet = format!(
        "### terraform.hub\n{schema}### fleet.hub\nimport std.clusters\n\nplatform terraform {{\n  chart = \"{}\"\n",
        schema_name(module)
    );
    for (name, value) in variables {
        fleet.push_str(&format!("  {} = {}\n", key(name), untyped_literal(value)));
    }
    fleet.push_str("}\n");
    common::check_fleet(&fleet)
}

#[cfg_attr(hubc_no_corpus, ignore = "../shared/corpus is missing")]
#[test]
fn the_corpus_modules_become_schemas_their_variables_files_fit() {
    let Some(corpus) = common::corpus() else {
        return;
    };
    let mut n_files = 0;
    for module in ["gcp", "aws", "azure", "openstack"] {
        let directory = corpus.join("2i2c/terraform").join(module);
        let variables_tf = std::fs::read_to_string(directory.join("variables.tf"))
            .expect("the module has a variables.tf");
        let schema = module_schema(module, &variables_tf)
            .unwrap_or_else(|error| panic!("{module}: {error:?}"));
        assert!(
            schema.contains(&format!("schema terraform_{module} {{")),
            "{schema}"
        );
        assert_eq!(
            check_values(module, &schema, &[]),
            "(no diagnostics)\n",
            "{schema}"
        );
        // The check can fail: a misspelt variable and a value of the wrong type are errors.
        // (The first variable of each module is a string.)
        let first = variables_tf
            .split('"')
            .nth(1)
            .expect("a variable")
            .to_string();
        let wrong = [
            ("not_a_variable".to_string(), Value::Int(1)),
            (first, Value::List(Vec::new())),
        ];
        let diagnostics = check_values(module, &schema, &wrong);
        assert!(
            diagnostics.contains("hub::check::unknown_key"),
            "{diagnostics}"
        );
        assert!(
            diagnostics.contains("hub::check::type_mismatch"),
            "{diagnostics}"
        );
        for tfvars in common::files_under(&directory.join("projects")) {
            let text = std::fs::read_to_string(&tfvars).expect("readable");
            let variables = parse_tfvars(&text).unwrap_or_else(|error| panic!("{error:?}"));
            assert_eq!(
                check_values(module, &schema, &variables),
                "(no diagnostics)\n",
                "{}",
                tfvars.display()
            );
            n_files += 1;
        }
    }
    assert_eq!(n_files, 10, "every variables file of the corpus");
}

/// A Terraform type, to write in `variables.tf` and to make values of.
enum TfType {
    String,
    Number,
    Bool,
    Any,
    List(Box<TfType>),
    Set(Box<TfType>),
    Map(Box<TfType>),
    Tuple(Vec<TfType>),
    /// Attributes: name, type, and for an `optional` one, whether it has a default.
    Object(Vec<(String, TfType, Option<bool>)>),
}

/// Names, including the keywords of `.hub` structs and names that need care.
const NAMES: [&str; 10] = [
    "size",
    "type",
    "check",
    "required",
    "matching",
    "dash-name",
    "_under",
    "count",
    "zone2",
    "schema",
];

impl TfType {
    fn random(random: &mut Random, depth: usize) -> TfType {
        let choice = random.below(if depth == 0 { 4 } else { 9 });
        let inner = |random: &mut Random| Box::new(TfType::random(random, depth - 1));
        match choice {
            0 => TfType::String,
            1 => TfType::Number,
            2 => TfType::Bool,
            3 => TfType::Any,
            4 => TfType::List(inner(random)),
            5 => TfType::Set(inner(random)),
            6 => TfType::Map(inner(random)),
            7 => TfType::Tuple(
                (0..random.below(3))
                    .map(|_| TfType::random(random, depth - 1))
                    .collect(),
            ),
            _ => {
                let mut attributes = Vec::new();
                for name in NAMES.iter().take(1 + random.below(4)) {
                    let optional = match random.below(3) {
                        0 => None,
                        1 => Some(false),
                        _ => Some(true),
                    };
                    attributes.push((
                        name.to_string(),
                        TfType::random(random, depth - 1),
                        optional,
                    ));
                }
                TfType::Object(attributes)
            }
        }
    }

    /// The type as Terraform writes it; optional attributes with a default get one of their
    /// type (or `null`).
    fn text(&self, random: &mut Random) -> String {
        match self {
            TfType::String => "string".into(),
            TfType::Number => "number".into(),
            TfType::Bool => "bool".into(),
            TfType::Any => "any".into(),
            TfType::List(element) => format!("list({})", element.text(random)),
            TfType::Set(element) => format!("set({})", element.text(random)),
            TfType::Map(element) => format!("map({})", element.text(random)),
            TfType::Tuple(elements) => {
                let elements: Vec<String> = elements.iter().map(|e| e.text(random)).collect();
                format!("tuple([{}])", elements.join(", "))
            }
            TfType::Object(attributes) => {
                let mut text = String::from("object({\n");
                for (name, ty, optional) in attributes {
                    let ty_text = ty.text(random);
                    let written = match optional {
                        None => ty_text,
                        Some(false) => format!("optional({ty_text})"),
                        Some(true) => {
                            let default = if random.below(3) == 0 {
                                Value::Null
                            } else {
                                ty.value(random)
                            };
                            format!("optional({ty_text}, {})", hubc::emit::hcl::value(&default))
                        }
                    };
                    text.push_str(&format!("    {name} = {written}\n"));
                }
                text.push_str("  })");
                text
            }
        }
    }

    /// A value of the type; a set's elements are distinct, as Terraform makes them.
    fn value(&self, random: &mut Random) -> Value {
        match self {
            TfType::String => {
                Value::str(["", "a", "us-central1", "4Gi", "é 日本"][random.below(5)])
            }
            TfType::Number => {
                [Value::Int(0), Value::Int(42), Value::Float(2.5)][random.below(3)].clone()
            }
            TfType::Bool => Value::Bool(random.below(2) == 0),
            TfType::Any => {
                [Value::Int(1), Value::str("x"), Value::List(Vec::new())][random.below(3)].clone()
            }
            TfType::List(element) | TfType::Set(element) => {
                let n = if matches!(self, TfType::Set(_)) {
                    1
                } else {
                    random.below(3)
                };
                Value::List((0..n).map(|_| element.value(random)).collect())
            }
            TfType::Map(element) => Value::Map(
                (0..random.below(3))
                    .map(|index| (format!("key-{index}"), element.value(random)))
                    .collect(),
            ),
            TfType::Tuple(elements) => {
                Value::List(elements.iter().map(|e| e.value(random)).collect())
            }
            TfType::Object(attributes) => {
                let mut entries = Vec::new();
                for (name, ty, optional) in attributes {
                    if optional.is_none() || random.below(2) == 0 {
                        entries.push((name.clone(), ty.value(random)));
                    }
                }
                Value::Map(entries)
            }
        }
    }
}

/// Generated `variables.tf` files, with every type constructor nested in every other, defaults,
/// descriptions and validations, become schemas that compile clean and accept values of the
/// Terraform types.
#[test]
fn generated_modules_become_schemas_that_accept_their_values() {
    let n_modules: usize = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(100);
    let mut random = Random(0x5EED);
    for module in 0..n_modules {
        let mut variables_tf = String::new();
        let mut values = Vec::new();
        for index in 0..1 + random.below(6) {
            let name = format!("{}_{index}", NAMES[random.below(NAMES.len())]);
            let ty = TfType::random(&mut random, 3);
            variables_tf.push_str(&format!(
                "variable \"{name}\" {{\n  type = {}\n",
                ty.text(&mut random)
            ));
            match random.below(4) {
                0 => variables_tf.push_str("  default = null\n"),
                1 => {
                    let default = hubc::emit::hcl::value(&ty.value(&mut random));
                    variables_tf.push_str(&format!("  default = {default}\n"));
                }
                _ => {}
            }
            if random.below(2) == 0 {
                variables_tf
                    .push_str("  description = <<-EOT\n    What it is.\n\n    More.\n  EOT\n");
            }
            if let TfType::String = ty
                && random.below(2) == 0
            {
                variables_tf.push_str(&format!(
                    "  validation {{\n    condition     = contains([\"a\", \"us-central1\"], var.{name})\n    error_message = \"No.\"\n  }}\n"
                ));
                values.push((name.clone(), Value::str("a")));
            } else {
                values.push((name.clone(), ty.value(&mut random)));
            }
            if random.below(4) == 0 {
                variables_tf.push_str(&format!(
                    "  validation {{\n    condition     = length(var.{name}) > 0\n    error_message = \"Empty.\"\n  }}\n"
                ));
            }
            variables_tf.push_str("}\n\n");
        }
        let module_name = format!("generated-{module}");
        let schema = module_schema(&module_name, &variables_tf)
            .unwrap_or_else(|error| panic!("{error:?}\n{variables_tf}"));
        let diagnostics = check_values(&module_name, &schema, &values);
        assert_eq!(
            diagnostics, "(no diagnostics)\n",
            "{variables_tf}\n{schema}\n{values:?}"
        );
    }
}
