//! Import errors and warnings: the `hub::import::*` diagnostics, pointing into the YAML and
//! Terraform files being imported.

use miette::Diagnostic;
use thiserror::Error;

use crate::diagnostics::Located;
use crate::source::Loc;

#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum ImportError {
    #[error("no clusters under `{path}`")]
    #[diagnostic(
        code(hub::import::no_fleet),
        help(
            "import a directory laid out as `config/clusters/<cluster>/cluster.yaml`, with each hub's values files beside it"
        )
    )]
    NoFleet { path: String, at: Loc },

    #[error("`{file}` nests deeper than {limit} levels")]
    #[diagnostic(
        code(hub::import::too_deep),
        help("no values file nests this deep; check how it was generated. Nothing was written")
    )]
    TooDeep { file: String, limit: usize, at: Loc },

    #[error("`{file}` is not valid YAML: {reason}")]
    #[diagnostic(
        code(hub::import::malformed_yaml),
        help("fix the YAML; nothing was written")
    )]
    MalformedYaml {
        file: String,
        reason: String,
        at: Loc,
    },

    #[error("`{file}` repeats a key: {reason}")]
    #[diagnostic(
        code(hub::import::duplicate_key),
        help("keep one of the two entries: YAML readers disagree on which one wins")
    )]
    DuplicateKey {
        file: String,
        reason: String,
        at: Loc,
    },

    #[error("`{file}` is not a map of values")]
    #[diagnostic(
        code(hub::import::not_a_map),
        help("a values file (and a cluster.yaml) holds a map at its top level")
    )]
    NotAMap { file: String, at: Loc },

    #[error("hub `{hub}` lists `{file}`, which does not exist")]
    #[diagnostic(
        code(hub::import::missing_file),
        help("add the file beside cluster.yaml, or remove it from `helm_chart_values_files`")
    )]
    MissingFile { hub: String, file: String, at: Loc },

    #[error("hub `{hub}` uses the chart `{chart}`, which hubc has no platform for")]
    #[diagnostic(
        code(hub::import::unknown_chart),
        help(
            "hubc imports hubs of the `basehub` and `daskhub` charts, the two the deployer knows; deploy this hub with one of them, or leave it out of the import"
        )
    )]
    UnknownChart { hub: String, chart: String, at: Loc },

    #[error("`{file}` is not valid Terraform variables: {reason}")]
    #[diagnostic(
        code(hub::import::malformed_tfvars),
        help("fix the file so that `terraform plan -var-file` reads it; nothing was written")
    )]
    MalformedTfvars {
        file: String,
        reason: String,
        at: Loc,
    },

    #[error("the variables of Terraform module `{module}` are not typed: {reason}")]
    #[diagnostic(
        code(hub::import::untyped_module),
        severity(Warning),
        help(
            "the imported fleet accepts any variable of this module; add its `variables.tf` and import again to have them checked"
        )
    )]
    UntypedModule {
        module: String,
        reason: String,
        at: Loc,
    },

    #[error("`{file}` is not imported: {reason}")]
    #[diagnostic(code(hub::import::not_imported), severity(Warning), help("{action}"))]
    NotImported {
        file: String,
        reason: String,
        action: String,
        at: Loc,
    },

    #[error("{subject} would not build back to its input: {difference}")]
    #[diagnostic(
        code(hub::import::inexact),
        help(
            "nothing was written; this is a gap in `hubc import`: report it with the values files of the hub"
        )
    )]
    Inexact {
        /// `hub `cluster/name``, `the variables file `...``, `the imported fleet`.
        subject: String,
        difference: String,
        at: Loc,
    },

    #[error("`{file}` uses {construct}, which a variables file cannot hold")]
    #[diagnostic(
        code(hub::import::tfvars_expression),
        help(
            "write the value itself: Terraform reads a variables file without variables or functions, so compute the value in the module or paste its result here"
        )
    )]
    TfvarsExpression {
        file: String,
        construct: String,
        at: Loc,
    },

    #[error("`{file}` holds {what}, which a `.hub` file cannot hold")]
    #[diagnostic(
        code(hub::import::unrepresentable),
        help(
            "change the value in the YAML so that a `.hub` file can hold it; nothing was written"
        )
    )]
    Unrepresentable { file: String, what: String, at: Loc },

    #[error("`{file}` tags a value `{tag}`, which the import cannot keep")]
    #[diagnostic(
        code(hub::import::yaml_tag),
        help(
            "remove the tag and write the value Helm should read; a `.hub` file keeps no tags, and only `!!str`, `!!int`, `!!float`, `!!bool`, `!!null`, `!!map` and `!!seq` are read as Helm reads them; nothing was written"
        )
    )]
    YamlTag { file: String, tag: String, at: Loc },

    #[error("importing `{file}` gives a fleet that `hubc check` rejects: {reason}")]
    #[diagnostic(
        code(hub::import::fails_check),
        help(
            "change the value in the YAML so that the chart's schema takes it; nothing was written"
        )
    )]
    FailsCheck {
        file: String,
        reason: String,
        at: Loc,
    },

    #[error("`{what}` in `{file}` is not understood; it is kept as it is")]
    #[diagnostic(
        code(hub::import::kept_raw),
        severity(Warning),
        help(
            "the imported fleet carries it verbatim in `{carrier}`; give it a proper place once you know what it is"
        )
    )]
    KeptRaw {
        what: String,
        file: String,
        carrier: String,
        at: Loc,
    },
}

impl Located for ImportError {
    fn primary(&self) -> (Loc, Option<String>) {
        use ImportError::*;
        let (at, label) = match self {
            NoFleet { at, .. } => (at, "no config/clusters here"),
            MalformedYaml { at, .. } => (at, "here"),
            TooDeep { at, .. } => (at, "too deep here"),
            DuplicateKey { at, .. } => (at, "repeated here"),
            NotAMap { at, .. } => (at, "not a map"),
            MissingFile { at, .. } => (at, "listed here"),
            MalformedTfvars { at, .. } => (at, "here"),
            UnknownChart { at, .. } => (at, "not `basehub` or `daskhub`"),
            TfvarsExpression { at, .. } => (at, "not a value"),
            KeptRaw { at, .. } => (at, "kept verbatim"),
            UntypedModule { at, .. } => (at, "this module"),
            NotImported { at, .. } => (at, "not imported"),
            Inexact { at, .. } => (at, "this hub"),
            Unrepresentable { at, .. } => (at, "no `.hub` literal for this"),
            FailsCheck { at, .. } => (at, "from here"),
            YamlTag { at, .. } => (at, "this tag"),
        };
        (*at, Some(label.to_string()))
    }
}
