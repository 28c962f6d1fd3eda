//! Unit tests of `variables.tf` to `.hub` schemas: each type constructor, defaults, docs and
//! validations, and the errors of a broken `variables.tf`.

use super::*;

/// The syntax and schema errors of `.hub` text, as messages, compiled beside `std.clusters`,
/// which declares Terraform's primitive types.
fn problems(text: &str) -> Vec<String> {
    let parsed = crate::syntax::parse(text);
    let standard =
        crate::syntax::parse(crate::stdlib::module("std.clusters").expect("std.clusters"));
    let mut problems: Vec<String> = parsed.errors.iter().map(ToString::to_string).collect();
    let sources: Vec<crate::schema::TypeSource<'_>> = (parsed.file.items.iter())
        .map(|item| crate::schema::TypeSource {
            file: crate::source::FileId(0),
            item,
        })
        .chain(
            standard
                .file
                .items
                .iter()
                .map(|item| crate::schema::TypeSource {
                    file: crate::source::FileId(1),
                    item,
                }),
        )
        .collect();
    let mut names = crate::intern::Interner::default();
    let mut errors = Vec::new();
    crate::schema::compile(&sources, &mut names, &mut errors);
    problems.extend(errors.iter().map(ToString::to_string));
    problems
}

/// The schema of `variables_tf`, checked to compile with no problem.
fn schema(variables_tf: &str) -> String {
    let text = module_schema("test-module", variables_tf).expect("a valid variables.tf");
    assert_eq!(problems(&text), Vec::<String>::new(), "{text}");
    text
}

#[test]
fn every_type_constructor() {
    let variables_tf = r#"
variable "name" {
  type = string
}
variable "count" {
  type    = number
  default = 3
}
variable "enabled" {
  type    = bool
  default = false
}
variable "zones" {
  type    = list(string)
  default = ["a", "b"]
}
variable "roles" {
  type = set(string)
}
variable "pair" {
  type = tuple([string, number, string])
}
variable "labels" {
  type    = map(string)
  default = {}
}
variable "anything" {
  default = null
}
variable "untyped" {}
variable "pools" {
  type = map(object({
    min          = number
    machine_type = string
    disk         = optional(string, "pd-balanced")
    gpu          = optional(object({ count = optional(number, 1) }), {})
    version      = optional(string)
    "node-label" = optional(string, null)
    taints       = optional(list(object({ key = string, effect = string })), [])
  }))
  default = { core = { min = 1, machine_type = "n2" } }
}
"#;
    // Terraform accepts null for every variable and attribute, so every type takes it.
    let expected = r#"/// The variables of the Terraform module `test-module`, from its `variables.tf`.
schema terraform_test_module {
  required name: TerraformString | null

  count: TerraformNumber | null = 3

  enabled: TerraformBool | null = false

  zones: list<TerraformString> | null = ["a", "b"]

  required roles: list<TerraformString> | null

  required pair: list<TerraformString | TerraformNumber> | null

  labels: map<TerraformString> | null = {}

  anything: any = null

  required untyped: any

  pools: map<{
      required min: TerraformNumber | null
      required machine_type: TerraformString | null
      disk: TerraformString | null = "pd-balanced"
      gpu: { count: TerraformNumber | null = 1 } | null = {}
      version: TerraformString | null
      node-label: TerraformString | null = null
      taints: list<{ required key: TerraformString | null, required effect: TerraformString | null }>
        | null = []
    }>
    | null = { core = { min = 1, machine_type = "n2" } }
}
"#;
    assert_eq!(schema(variables_tf), expected);
}

#[test]
fn docs_validations_and_keywords() {
    let variables_tf = r#"
# A comment of the module.
variable "tier" {
  type        = string
  default     = "Free"
  description = <<-EOT
    Support tier of the cluster.

      Indented detail.
    EOT
  validation {
    condition     = contains(["Free", "Standard", "Premium"], var.tier)
    error_message = "Not a tier."
  }
}
variable "size" {
  type = number
  validation {
    condition     = contains([1, 2.5], var.size)
    error_message = "Not a size."
  }
  validation {
    condition     = var.size >= 1
    error_message = "Too small."
  }
}
variable "prefix" {
  type      = string
  sensitive = true
  nullable  = false
  ephemeral = false
  validation {
    condition     = can(regex("^[a-z]+$", var.prefix))
    error_message = "Lowercase letters."
  }
  validation {
    condition     = can(regex("[a-z]", var.prefix))
    error_message = "A letter."
  }
}
variable "check" {
  type    = string
  default = null
}
variable "required" {
  type = object({ required = bool, check = optional(bool), matching = string, type = string })
}
variable "schema" {
  type    = bool
  default = true
}
"#;
    let expected = r#"/// The variables of the Terraform module `test-module`, from its `variables.tf`.
schema terraform_test_module {
  /// Support tier of the cluster.
  ///
  ///   Indented detail.
  tier: "Free" | "Standard" | "Premium" | null = "Free"

  // Terraform also requires `var.size >= 1`, which hubc does not check.
  required size: 1 | 2.5 | null

  // Terraform also requires `can(regex("[a-z]", var.prefix))`, which hubc does not check.
  /// Sensitive: Terraform does not show its value.
  required prefix: string matching "^[a-z]+$"

  check: TerraformString | null = null

  required required: {
      required required: TerraformBool | null
      check: TerraformBool | null
      required matching: TerraformString | null
      required type: TerraformString | null
    }
    | null

  schema: TerraformBool | null = true
}
"#;
    assert_eq!(schema(variables_tf), expected);
}

#[test]
fn other_blocks_are_skipped_and_names_sanitised() {
    let text = module_schema(
        "my.module",
        "output \"x\" {\n  value = 1\n}\nlocals {\n  a = 1\n}\n",
    )
    .expect("valid");
    assert_eq!(
        text,
        "/// The variables of the Terraform module `my.module`, from its `variables.tf`.\nschema terraform_my_module {}\n"
    );
    assert_eq!(problems(&text), Vec::<String>::new());
}

#[test]
fn broken_variables_files_fail_where_they_are_broken() {
    let cases = [
        (
            "variable \"a\" {\n  type = strin\n}\n",
            24,
            "`strin` is not a Terraform type",
        ),
        (
            "variable \"a\" {\n  type = foo(string)\n}\n",
            24,
            "`foo(...)` is not a Terraform type constructor",
        ),
        (
            "variable \"a\" {\n  type = optional(string)\n}\n",
            24,
            "`optional(...)` is only allowed on an attribute of an object type",
        ),
        (
            "variable \"a\" {\n  defualt = 1\n}\n",
            17,
            "a variable has no `defualt` attribute",
        ),
        (
            "variable \"a\" \"b\" {}\n",
            0,
            "a variable block has exactly one label, its name",
        ),
        (
            "variable \"a\" {\n  type = \"string\"\n}\n",
            24,
            "a Terraform type is a name such as `string` or a constructor such as `list(string)`",
        ),
        (
            "variable \"a\" {\n  validation {}\n}\n",
            17,
            "a validation block needs a `condition`",
        ),
        (
            "region = \"x\"\n",
            0,
            "`region` is an attribute outside any block, which Terraform does not allow here",
        ),
        (
            "variable \"a\" {\n  default = max(1)\n}\n",
            27,
            "a function call `max(...)`",
        ),
        (
            "variable \"a\" {\n  type = object({ b = string\n}\n",
            30,
            "`(` is never closed",
        ),
    ];
    for (text, offset, message) in cases {
        let error = module_schema("m", text).expect_err(text);
        assert_eq!(
            (error.offset, error.message.as_str()),
            (offset, message),
            "{text:?}"
        );
    }
}
