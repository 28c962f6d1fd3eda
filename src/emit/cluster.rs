//! Clusters: the deploy manifest (`cluster.yaml`, in the deployer's format) and the Terraform
//! variables of the provider module, from a cluster and what its communities declare.

use miette::Diagnostic;
use thiserror::Error;

use super::Value;
use super::helm::{Converter, chart_of};
use crate::analysis::Analysis;
use crate::diagnostics::Located;
use crate::resolve::value::{DeclId, Node, NodeKind, Scalar};
use crate::source::Loc;

/// Keys of a cluster's body that belong to the deploy manifest; every other key is a variable
/// of the Terraform module.
pub const MANIFEST_KEYS: &[&str] = &["provider_url", "tenancy", "metadata", "support"];

/// Keys of a cluster's body hubc interprets itself.
const SPECIAL_KEYS: &[&str] = &[
    "provider",
    "node_pool",
    "dask_node_pool",
    "terraform_provider",
    "terraform_project",
    "manifest",
];

/// Problems found building a cluster's files: the `hub::emit::*` diagnostics.
#[derive(Debug, Clone, Error, Diagnostic, PartialEq, Eq)]
pub enum EmitError {
    #[error("cluster `{cluster}` has no `provider`")]
    #[diagnostic(
        code(hub::emit::missing_provider),
        help(
            "say how the deployer reaches the cluster: `provider = gcp {{ project = \"...\", zone = \"...\" }}` (or aws, azure, kubeconfig)"
        )
    )]
    MissingProvider { cluster: String, at: Loc },

    #[error("`{kind}` blocks are not mapped to Terraform on {provider}")]
    #[diagnostic(
        code(hub::emit::unsupported_node_pool),
        help(
            "node pools become `notebook_nodes`/`dask_nodes` on gcp and `node_pools` on azure; on {provider}, manage them with the provider's own tools and remove this block"
        )
    )]
    UnsupportedNodePool {
        kind: String,
        provider: String,
        at: Loc,
    },

    #[error("`{name}` cannot be a Terraform variable")]
    #[diagnostic(
        code(hub::emit::invalid_variable),
        help(
            "Terraform variable names are letters, digits, `_` and `-`, starting with a letter or `_`; rename it or move it under the variable it belongs to"
        )
    )]
    InvalidVariable { name: String, at: Loc },

    #[error("clusters `{first}` and `{second}` both write `{path}`")]
    #[diagnostic(
        code(hub::emit::duplicate_output),
        help(
            "give one of them its own `terraform_project = \"...\"`, the name of its variables file"
        )
    )]
    DuplicateOutput {
        path: String,
        first: String,
        second: String,
        at: Loc,
        first_at: Loc,
    },

    #[error("community `{community}` has no `{property}`")]
    #[diagnostic(
        code(hub::emit::missing_property),
        help("the deploy manifest needs it: add `{property} = \"...\"` to the community")
    )]
    MissingProperty {
        community: String,
        property: &'static str,
        at: Loc,
    },
}

impl Located for EmitError {
    fn primary(&self) -> (Loc, Option<String>) {
        let (at, label) = match self {
            EmitError::MissingProvider { at, .. } => (at, "no provider"),
            EmitError::UnsupportedNodePool { at, .. } => (at, "not emitted"),
            EmitError::MissingProperty { at, .. } => (at, "missing a property"),
            EmitError::InvalidVariable { at, .. } => (at, "not a variable name"),
            EmitError::DuplicateOutput { at, .. } => (at, "writes the same file"),
        };
        (*at, Some(label.to_string()))
    }

    fn related(&self) -> Vec<(Loc, String)> {
        match self {
            EmitError::DuplicateOutput { first_at, .. } => {
                vec![(*first_at, "this cluster writes it first".to_string())]
            }
            _ => Vec::new(),
        }
    }
}

/// A cluster's provider: how the deployer reaches it, and its Terraform module.
pub struct Provider {
    /// `gcp`, `aws`, `azure` or `kubeconfig`, with its settings; `None` for a Terraform project
    /// alone, which has no deploy manifest.
    pub kind: Option<String>,
    pub settings: Value,
    /// The directory of the Terraform module (`terraform/<module>/`), if the cluster has one.
    pub terraform: Option<String>,
    /// The name of the variables file in the module's directory, without `.tfvars`.
    pub project: String,
    /// Whether the module's schema is a standard one (`std.terraform`), whose variables hubc
    /// derives from the provider's settings when the cluster does not set them.
    pub derives: bool,
}

fn text(node: &Node) -> Option<&str> {
    match node.as_scalar()? {
        Scalar::Str(text) | Scalar::Reference(text) => Some(text),
        _ => None,
    }
}

impl Provider {
    /// Where the cluster's Terraform variables are written, if it has a module.
    pub fn tfvars_path(&self) -> Option<String> {
        let module = self.terraform.as_ref()?;
        Some(format!("terraform/{module}/{}.tfvars", self.project))
    }
}

/// The provider of a cluster, or an error pointing at the cluster. A cluster without a provider
/// is a Terraform project alone when it names its module and no community runs on it.
pub fn provider(
    analysis: &Analysis,
    cluster: DeclId,
    hubs: &[DeclId],
) -> Result<Provider, EmitError> {
    let names = &analysis.names;
    let fleet = &analysis.fleet;
    let decl = fleet.decl(cluster);
    let body = fleet.values(cluster);
    let converter = Converter::of(analysis);
    let missing = || EmitError::MissingProvider {
        cluster: decl.display.clone(),
        at: decl.loc(),
    };
    let kind = fleet.cluster_provider(cluster, names).map(str::to_string);
    let settings = match names
        .get("provider")
        .and_then(|key| body.get(key))
        .map(Node::kind)
    {
        Some(NodeKind::Map(entries)) if entries.len() == 1 => converter.value(&entries[0].1, None),
        Some(NodeKind::Scalar(Scalar::Str(_) | Scalar::Reference(_))) => Value::Map(Vec::new()),
        Some(_) => return Err(missing()),
        None => Value::Null,
    };
    let terraform = fleet.cluster_module(cluster, names).map(str::to_string);
    if kind.is_none() && (terraform.is_none() || !hubs.is_empty()) {
        return Err(missing());
    }
    let project = names
        .get("terraform_project")
        .and_then(|key| body.get(key))
        .and_then(text)
        .unwrap_or_else(|| names.resolve(decl.name))
        .to_string();
    let derives = terraform.as_ref().is_some_and(|module| {
        names
            .get(&crate::resolve::module_schema_name(module))
            .and_then(|name| analysis.schema.named.get(&name))
            .is_some_and(|named| analysis.standard_files.binary_search(&named.file).is_ok())
    });
    Ok(Provider {
        kind,
        settings,
        terraform,
        project,
        derives,
    })
}

/// The deploy manifest of a cluster, in the layout of the deployer's `cluster.yaml`; none for a
/// Terraform project alone.
pub fn manifest(
    analysis: &Analysis,
    cluster: DeclId,
    provider: &Provider,
    hubs: &[DeclId],
    errors: &mut Vec<EmitError>,
) -> Option<Value> {
    let kind = provider.kind.as_deref()?;
    let names = &analysis.names;
    let fleet = &analysis.fleet;
    let body = fleet.values(cluster);
    let converter = Converter::of(analysis);
    let mut manifest = vec![
        (
            "name".to_string(),
            Value::str(names.resolve(fleet.decl(cluster).name)),
        ),
        ("provider".to_string(), Value::str(kind)),
    ];
    for key in MANIFEST_KEYS {
        if let Some(node) = names.get(key).and_then(|symbol| body.get(symbol)) {
            manifest.push((key.to_string(), converter.value(node, None)));
        }
    }
    manifest.push((kind.to_string(), provider.settings.clone()));
    let hubs: Vec<Value> = hubs
        .iter()
        .map(|&hub| hub_entry(analysis, cluster, hub, errors))
        .collect();
    manifest.push(("hubs".to_string(), Value::List(hubs)));
    let mut manifest = Value::Map(manifest);
    // Keys the cluster carries verbatim for the manifest.
    if let Some(raw) = names.get("manifest").and_then(|key| body.get(key)) {
        super::overlay(&mut manifest, converter.value(raw, None));
    }
    Some(manifest)
}

fn hub_entry(
    analysis: &Analysis,
    cluster: DeclId,
    hub: DeclId,
    errors: &mut Vec<EmitError>,
) -> Value {
    let names = &analysis.names;
    let fleet = &analysis.fleet;
    let decl = fleet.decl(hub);
    let name = names.resolve(decl.name).to_string();
    let mut property = |key: &'static str| -> Value {
        let symbol = names.get(key);
        match symbol.and_then(|symbol| fleet.text_property(hub, symbol)) {
            Some(text) => Value::str(text),
            // Still to be written, and reported where it is.
            None if symbol
                .and_then(|symbol| fleet.properties(hub).get(symbol)?.as_scalar())
                .is_some_and(|scalar| matches!(scalar, Scalar::Placeholder(_))) =>
            {
                Value::Null
            }
            None => {
                errors.push(EmitError::MissingProperty {
                    community: decl.display.clone(),
                    property: key,
                    at: decl.loc(),
                });
                Value::Null
            }
        }
    };
    let display_name = property("display_name");
    let domain = property("domain");
    let cluster_name = names.resolve(fleet.decl(cluster).name);
    let mut files = secrets(analysis, hub, "secrets_first");
    files.push(Value::Str(format!(
        "../../helm/{cluster_name}/{name}.values.yaml"
    )));
    files.extend(secrets(analysis, hub, "secrets"));
    let mut entry = Value::Map(vec![
        ("name".to_string(), Value::Str(name)),
        ("display_name".to_string(), display_name),
        ("domain".to_string(), domain),
        (
            "helm_chart".to_string(),
            Value::str(chart_of(analysis, hub).unwrap_or_else(|| "basehub".to_string())),
        ),
        ("helm_chart_values_files".to_string(), Value::List(files)),
    ]);
    // Keys the community carries verbatim for its entry, such as `chart_override`.
    if let Some(raw) = names
        .get("manifest")
        .and_then(|key| fleet.properties(hub).get(key))
    {
        super::overlay(&mut entry, Converter::of(analysis).value(raw, None));
    }
    entry
}

/// The encrypted values files a hub lists under `key`, in order.
fn secrets(analysis: &Analysis, hub: DeclId, key: &str) -> Vec<Value> {
    let Some(symbol) = analysis.names.get(key) else {
        return Vec::new();
    };
    match analysis.fleet.properties(hub).get(symbol).map(Node::kind) {
        Some(NodeKind::List(elements)) => elements
            .iter()
            .filter_map(|element| match element.as_scalar() {
                Some(Scalar::Secret(file)) => Some(Value::str(file.as_ref())),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// The Terraform variables of a cluster: the variables set in its body, the node pools, the
/// provider's location, and the buckets and cloud permissions its communities declare.
pub fn terraform_variables(
    analysis: &Analysis,
    cluster: DeclId,
    provider: &Provider,
    module: &str,
    hubs: &[DeclId],
    errors: &mut Vec<EmitError>,
) -> Vec<(String, Value)> {
    let names = &analysis.names;
    let fleet = &analysis.fleet;
    let body = fleet.values(cluster);
    let converter = Converter::of(analysis);
    let mut variables: Vec<(String, Value)> = Vec::new();
    for (key, node) in body.as_map().unwrap_or_default() {
        let key_text = names.resolve(*key);
        if MANIFEST_KEYS.contains(&key_text) || SPECIAL_KEYS.contains(&key_text) {
            continue;
        }
        let is_identifier = key_text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
            && key_text
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        if !is_identifier {
            let mut at = fleet.decl(cluster).loc();
            node.for_each_leaf(&mut Vec::new(), &mut |_, leaf| {
                if let Some(provenance) = leaf.provenance() {
                    at = Loc::new(provenance.origin.file, provenance.origin.span);
                }
            });
            errors.push(EmitError::InvalidVariable {
                name: key_text.to_string(),
                at,
            });
            continue;
        }
        variables.push((key_text.to_string(), converter.value(node, None)));
    }
    let cluster_name = names.resolve(fleet.decl(cluster).name).to_string();
    let setting = |key: &str| match &provider.settings {
        Value::Map(entries) => entries
            .iter()
            .find(|(entry, _)| entry == key)
            .map(|(_, value)| value.clone()),
        _ => None,
    };
    // What the provider block already says, the module needs too; a value set in the body wins.
    let mut derived: Vec<(&str, Option<Value>)> = Vec::new();
    match if provider.derives { module } else { "" } {
        "gcp" => {
            derived.push(("prefix", Some(Value::str(&cluster_name))));
            derived.push(("project_id", setting("project")));
            // The deployer's `zone` is a zone (`us-central1-b`) for a zonal cluster and the
            // region (`us-central1`) for a regional one; only a zone is the module's zone.
            let zone = setting("zone").filter(|zone| match zone {
                Value::Str(text) => text.matches('-').count() == 2,
                _ => false,
            });
            if let Some(Value::Str(zone_text)) = &zone {
                let region = zone_text
                    .rsplit_once('-')
                    .map(|(region, _)| region.to_string());
                derived.push(("region", region.map(Value::Str)));
            }
            derived.push(("zone", zone));
        }
        "aws" => {
            derived.push(("region", setting("region")));
            derived.push((
                "cluster_name",
                setting("clusterName").or(Some(Value::str(&cluster_name))),
            ));
        }
        _ => {}
    }
    for (key, value) in derived {
        if let Some(value) = value
            && !variables.iter().any(|(existing, _)| existing == key)
        {
            variables.push((key.to_string(), value));
        }
    }
    node_pools(analysis, cluster, provider, module, &mut variables, errors);
    community_resources(analysis, hubs, &mut variables);
    variables.sort_by(|left, right| left.0.cmp(&right.0));
    variables
}

fn node_pools(
    analysis: &Analysis,
    cluster: DeclId,
    provider: &Provider,
    module: &str,
    variables: &mut Vec<(String, Value)>,
    errors: &mut Vec<EmitError>,
) {
    let names = &analysis.names;
    let body = analysis.fleet.values(cluster);
    let converter = Converter::of(analysis);
    for (block, gcp_variable, azure_group) in [
        ("node_pool", "notebook_nodes", "user"),
        ("dask_node_pool", "dask_nodes", "dask"),
    ] {
        let Some(pools_node) = names.get(block).and_then(|key| body.get(key)) else {
            continue;
        };
        let Some(pools) = pools_node.as_map() else {
            continue;
        };
        let pools: Vec<(String, Value)> = pools
            .iter()
            .map(|(name, pool)| {
                (
                    names.resolve(*name).to_string(),
                    converter.value(pool, None),
                )
            })
            .collect();
        match module {
            "gcp" => merge_into(variables, gcp_variable, Value::sorted_map(pools)),
            "azure" => {
                let list: Vec<Value> = pools
                    .into_iter()
                    .map(|(name, pool)| {
                        let mut entries = match pool {
                            Value::Map(entries) => entries,
                            _ => Vec::new(),
                        };
                        entries.push(("name".to_string(), Value::Str(name)));
                        Value::sorted_map(entries)
                    })
                    .collect();
                merge_into(
                    variables,
                    "node_pools",
                    Value::Map(vec![(azure_group.to_string(), Value::List(list))]),
                );
            }
            _ => {
                // Point at the first value written in the blocks.
                let mut at = analysis.fleet.decl(cluster).loc();
                let mut found = false;
                pools_node.for_each_leaf(&mut Vec::new(), &mut |_, leaf| {
                    if let Some(provenance) = leaf.provenance().filter(|_| !found) {
                        at = Loc::new(provenance.origin.file, provenance.origin.span);
                        found = true;
                    }
                });
                errors.push(EmitError::UnsupportedNodePool {
                    kind: block.to_string(),
                    provider: provider.kind.clone().unwrap_or_else(|| module.to_string()),
                    at,
                });
            }
        }
    }
}

/// Buckets and cloud permissions declared by communities join the cluster's variables:
/// `buckets` into `user_buckets`, `cloud_permissions` into `hub_cloud_permissions` under the
/// hub's name.
fn community_resources(analysis: &Analysis, hubs: &[DeclId], variables: &mut Vec<(String, Value)>) {
    let names = &analysis.names;
    let converter = Converter::of(analysis);
    for &hub in hubs {
        let properties = analysis.fleet.properties(hub);
        if let Some(buckets) = names.get("buckets").and_then(|key| properties.get(key)) {
            merge_into(variables, "user_buckets", converter.value(buckets, None));
        }
        if let Some(permissions) = names
            .get("cloud_permissions")
            .and_then(|key| properties.get(key))
        {
            let name = names.resolve(analysis.fleet.decl(hub).name).to_string();
            merge_into(
                variables,
                "hub_cloud_permissions",
                Value::Map(vec![(name, converter.value(permissions, None))]),
            );
        }
    }
}

/// Merges `value` into the variable `name`: maps key by key (lists under a key are
/// concatenated), anything else replaced.
fn merge_into(variables: &mut Vec<(String, Value)>, name: &str, value: Value) {
    match variables.iter_mut().find(|(existing, _)| existing == name) {
        Some((_, existing)) => super::merge_values(existing, value),
        None => variables.push((name.to_string(), value)),
    }
}
