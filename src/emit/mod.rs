//! Emission: the files the deploy tools consume, built from a checked fleet. Each emitter builds
//! its own output values ([`Value`]) and hands them to an encoder; templates lay out the files.

pub mod cluster;
pub mod hcl;
pub mod helm;
pub mod readback;
mod templates;
pub mod yaml;

use std::collections::BTreeMap;

pub use cluster::EmitError;

use crate::analysis::Analysis;
use crate::resolve::value::DeclId;
use crate::source::FileId;

/// A value to write out: the data model shared by YAML and HCL, with map entries in the order
/// they are written.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    List(Vec<Value>),
    /// Entries in output order; emitters sort keys where the format has no order of its own.
    Map(Vec<(String, Value)>),
}

impl Value {
    pub fn str(text: impl Into<String>) -> Value {
        Value::Str(text.into())
    }

    /// A map of `entries`, in their order: a shorthand for tests.
    #[cfg(test)]
    pub(crate) fn map_of(entries: &[(&str, Value)]) -> Value {
        Value::Map(
            entries
                .iter()
                .map(|(key, value)| (key.to_string(), value.clone()))
                .collect(),
        )
    }

    /// A map with its entries sorted by key, the order every emitted file uses.
    pub fn sorted_map(mut entries: Vec<(String, Value)>) -> Value {
        entries.sort_by(|left, right| left.0.cmp(&right.0));
        Value::Map(entries)
    }
}

/// Everything a build writes: file contents by path relative to the output directory (with
/// `/` separators), in a stable order.
#[derive(Debug, Default)]
pub struct Output {
    pub files: BTreeMap<String, String>,
    /// The cluster each file is written for: every file of a build belongs to one.
    pub owners: BTreeMap<String, String>,
    pub n_communities: usize,
    pub n_clusters: usize,
}

/// Builds every file of a checked fleet: for each cluster, the values file of each of its
/// communities, its deploy manifest, and its Terraform variables. `source` names a file the way
/// headers should (relative to the fleet, so output does not depend on where hubc runs).
pub fn build(
    analysis: &Analysis,
    source: &(dyn Fn(FileId) -> String + Sync),
) -> (Output, Vec<EmitError>) {
    run(analysis, source, true)
}

/// What a build would report, without writing any file's text: `hubc check` runs this so that
/// a fleet that checks clean also builds.
pub fn check(analysis: &Analysis) -> Vec<EmitError> {
    run(analysis, &|_| String::new(), false).1
}

fn run(
    analysis: &Analysis,
    source: &(dyn Fn(FileId) -> String + Sync),
    encode: bool,
) -> (Output, Vec<EmitError>) {
    let templates = templates::Templates::new();
    let fleet = &analysis.fleet;
    let names = &analysis.names;
    let mut output = Output::default();
    let mut errors = Vec::new();
    let mut by_cluster: BTreeMap<String, (DeclId, Vec<DeclId>)> = BTreeMap::new();
    for (index, decl) in fleet.decls.iter().enumerate() {
        if decl.kind == crate::syntax::ast::DeclKind::Cluster {
            let name = names.resolve(decl.name).to_string();
            by_cluster.insert(name, (DeclId(index as u32), Vec::new()));
        }
    }
    for &community in &fleet.communities {
        let Some(cluster) = fleet.decl(community).cluster else {
            continue;
        };
        let cluster_name = names.resolve(fleet.decl(cluster).name);
        if let Some((_, hubs)) = by_cluster.get_mut(cluster_name) {
            hubs.push(community);
        }
    }
    // The values file of every community, on every core: each depends on its community alone.
    if encode {
        use rayon::prelude::*;
        let hubs: Vec<(&str, DeclId)> = by_cluster
            .iter()
            .flat_map(|(cluster_name, (_, hubs))| {
                hubs.iter().map(|&hub| (cluster_name.as_str(), hub))
            })
            .collect();
        let values: Vec<(String, String, &str)> = hubs
            .par_iter()
            .map(|&(cluster_name, hub)| {
                let decl = fleet.decl(hub);
                let hub_name = names.resolve(decl.name);
                let body = yaml::to_string(&helm::values(analysis, hub));
                let text = templates.yaml("community", &decl.display, &source(decl.file), &body);
                let path = format!("helm/{cluster_name}/{hub_name}.values.yaml");
                (path, text, cluster_name)
            })
            .collect();
        for (path, text, cluster_name) in values {
            output.owners.insert(path.clone(), cluster_name.to_string());
            output.files.insert(path, text);
        }
    }
    // Each cluster's manifest and variables, on every core, with what each cluster's own
    // emission found; then, in cluster order, which cluster writes each variables file (two
    // may not write the same) and the files.
    let made: Vec<(Result<ClusterFiles, EmitError>, Vec<EmitError>)> = {
        use rayon::prelude::*;
        let emitting = Emitting {
            analysis,
            templates: &templates,
            source,
            encode,
        };
        let clusters: Vec<(&String, &(DeclId, Vec<DeclId>))> = by_cluster.iter().collect();
        clusters
            .par_iter()
            .map(|&(cluster_name, (cluster, hubs))| {
                let mut errors = Vec::new();
                let made = emitting.cluster_files(cluster_name, *cluster, hubs, &mut errors);
                (made, errors)
            })
            .collect()
    };
    let mut tfvars_writers: BTreeMap<String, DeclId> = BTreeMap::new();
    for ((cluster_name, (cluster, hubs)), (made, found)) in by_cluster.iter().zip(made) {
        let cluster_decl = fleet.decl(*cluster);
        output.n_communities += hubs.len();
        output.n_clusters += 1;
        let made = match made {
            Ok(made) => made,
            Err(error) => {
                errors.push(error);
                continue;
            }
        };
        errors.extend(found);
        if let Some(path) = made.tfvars_path.clone() {
            if let Some(&first) = tfvars_writers.get(&path) {
                errors.push(EmitError::DuplicateOutput {
                    path,
                    first: fleet.decl(first).display.clone(),
                    second: cluster_decl.display.clone(),
                    at: cluster_decl.loc(),
                    first_at: fleet.decl(first).loc(),
                });
                continue;
            }
            tfvars_writers.insert(path, *cluster);
        }
        for (path, text) in made.files {
            output.owners.insert(path.clone(), cluster_name.clone());
            output.files.insert(path, text);
        }
    }
    (output, errors)
}

/// What one cluster emits: the path of its variables file, if it writes one, and its files'
/// texts (none when not `encode`).
struct ClusterFiles {
    tfvars_path: Option<String>,
    files: Vec<(String, String)>,
}

/// What emission works from: the fleet, the templates of the files' headers, the name of each
/// fleet file, and whether to write the files' texts or only look for errors.
struct Emitting<'a> {
    analysis: &'a Analysis,
    templates: &'a templates::Templates,
    source: &'a (dyn Fn(FileId) -> String + Sync),
    encode: bool,
}

impl Emitting<'_> {
    /// The manifest and variables of `cluster`, with what emitting them finds added to
    /// `errors`; an error of its provider is the one error of a cluster that has none.
    fn cluster_files(
        &self,
        cluster_name: &str,
        cluster: DeclId,
        hubs: &[DeclId],
        errors: &mut Vec<EmitError>,
    ) -> Result<ClusterFiles, EmitError> {
        let Emitting {
            analysis,
            templates,
            source,
            encode,
        } = *self;
        let cluster_decl = analysis.fleet.decl(cluster);
        let provider = cluster::provider(analysis, cluster, hubs)?;
        let manifest = cluster::manifest(analysis, cluster, &provider, hubs, errors);
        // A cluster that sets no variable of its module writes no variables file.
        let variables = provider
            .terraform
            .as_ref()
            .map(|module| {
                cluster::terraform_variables(analysis, cluster, &provider, module, hubs, errors)
            })
            .filter(|variables| !variables.is_empty());
        let tfvars_path = provider.tfvars_path().filter(|_| variables.is_some());
        let mut files = Vec::new();
        if encode {
            if let Some(manifest) = manifest {
                let text = templates.yaml(
                    "cluster",
                    cluster_name,
                    &source(cluster_decl.file),
                    &yaml::to_string(&manifest),
                );
                files.push((format!("clusters/{cluster_name}/cluster.yaml"), text));
            }
            if let (Some(variables), Some(path)) = (variables, &tfvars_path) {
                let text = templates.tfvars(
                    cluster_name,
                    &source(cluster_decl.file),
                    &hcl::tfvars(&variables),
                );
                files.push((path.clone(), text));
            }
        }
        Ok(ClusterFiles { tfvars_path, files })
    }
}

/// Merges `new` into `base`: maps key by key (sorted again), lists under a key concatenated,
/// anything else replaced. Used to gather Terraform variables from several places.
pub(crate) fn merge_values(base: &mut Value, new: Value) {
    combine(base, new, true);
}

/// Lays `new` over `base` as Helm layers values files: maps merge key by key (new keys after the
/// old ones), anything else is replaced.
pub fn overlay(base: &mut Value, new: Value) {
    combine(base, new, false);
}

fn combine(base: &mut Value, new: Value, gather: bool) {
    match (base, new) {
        (Value::Map(base_entries), Value::Map(new_entries)) => {
            for (key, value) in new_entries {
                match base_entries
                    .iter_mut()
                    .find(|(existing, _)| *existing == key)
                {
                    Some((_, existing)) => combine(existing, value, gather),
                    None => base_entries.push((key, value)),
                }
            }
            if gather {
                base_entries.sort_by(|left, right| left.0.cmp(&right.0));
            }
        }
        (Value::List(base_elements), Value::List(new_elements)) if gather => {
            base_elements.extend(new_elements);
        }
        (base, new) => *base = new,
    }
}
