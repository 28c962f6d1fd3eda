//! `hubc import`: an existing fleet of YAML values files and Terraform variables becomes `.hub`
//! files that build back to the same values.
//!
//! The layout read is `config/clusters/<cluster>/cluster.yaml`, the values files each hub lists
//! beside it, `terraform/<provider>/projects/<cluster>.tfvars`, and each chart's
//! `helm-charts/<chart>/values.yaml`. A chart's defaults become a `chart` declaration; each hub's
//! files, merged as Helm merges them, become its community, less what most hubs of its cluster
//! and chart share, which becomes the archetype found for them (`groups`); each group, or hub in
//! none, is then placed under the standard archetype it fits best (`placement`). Works on text
//! only: the driver reads the files.

mod charts;
mod cluster;
mod comments;
mod community;
mod error;
mod groups;
pub mod hcl;
mod instances;
mod inventory;
mod placement;
mod projects;
pub mod terraform;
mod values;
pub mod verify;
pub mod write;
pub mod yaml;
mod yaml_tags;

use std::collections::{BTreeMap, BTreeSet};

pub use inventory::Summary;
use projects::{ClusterIdentity, Matched};

pub use error::ImportError;
pub use placement::place;
use write::Types;

use crate::diagnostics::Diagnostic;
use crate::emit::Value;
use crate::source::{FileId, Loc, SourceMap, Span};

/// The files of the fleet to import, by path relative to its root (with `/`).
#[derive(Debug, Default)]
pub struct ImportInput {
    pub files: BTreeMap<String, Vec<u8>>,
}

impl ImportInput {
    /// Whether the import reads the file at `relative` (a path from the fleet's root, with `/`):
    /// everything under `config/clusters/` and `terraform/<module>/projects/`, each module's
    /// `terraform/<module>/variables.tf`, and each chart's `helm-charts/<chart>/values.yaml`.
    pub fn reads(relative: &str) -> bool {
        let parts: Vec<&str> = relative.split('/').collect();
        matches!(
            parts[..],
            ["config", "clusters", _, ..]
                | ["terraform", _, "projects", _, ..]
                | ["terraform", _, "variables.tf"]
                | ["helm-charts", _, "values.yaml"]
        ) || instances::TABLES.contains(&relative)
    }

    /// Whether the directory at `relative` may hold files the import reads.
    pub fn searches(relative: &str) -> bool {
        let parts: Vec<&str> = relative.split('/').collect();
        matches!(
            parts[..],
            ["config" | "terraform" | "helm-charts"]
                | ["config", "clusters", ..]
                | ["terraform", _, "projects", ..]
                | ["terraform", _]
                | ["helm-charts", _]
        ) || instances::leads_to_table(relative)
    }
}

/// The `.hub` files written, by path relative to the new fleet's root, and what they hold.
#[derive(Debug, Default)]
pub struct Imported {
    pub files: BTreeMap<String, String>,
    pub n_clusters: usize,
    pub n_hubs: usize,
    /// Hubs placed in a standard archetype, or in a group's archetype that extends one; the
    /// others are in `imported`.
    pub n_fitted: usize,
    /// The archetypes found for groups of hubs of one cluster and chart.
    pub groups: Vec<Group>,
    /// The charts whose defaults became `chart` declarations.
    pub charts: Vec<String>,
    /// The mixins found for values hubs of several clusters share.
    pub n_mixins: usize,
    /// What became of the input's files and Terraform projects.
    pub summary: Summary,
    /// What building the imported fleet must give back.
    pub expected: verify::Expected,
}

/// The archetype found for the hubs of one cluster and chart.
#[derive(Debug, Clone)]
pub struct Group {
    pub archetype: String,
    /// The file that declares it.
    pub file: String,
    /// The files of its communities.
    pub members: Vec<String>,
}

/// A hub's values, merged from its files.
#[derive(Clone)]
struct HubValues {
    /// What the schema types: the hub values (under `basehub:` in a daskhub file).
    tree: Value,
    /// What it does not, and the chart's own keys: written as they are.
    raw: Value,
    comments: Vec<comments::KeyComment>,
}

/// A community to write once every cluster is read: what it sets itself is known, and the
/// fleet-wide mixins it takes are not yet.
struct PendingCommunity {
    cluster: String,
    directory: String,
    hub: Hub,
    values: HubValues,
    archetype: String,
    /// What it sets beyond its archetype's values.
    own: Value,
    /// The chart's defaults and its archetype's values.
    inherited: std::rc::Rc<Value>,
}

/// The header of the imported fleet: the standard schemas, two platforms, and the archetypes
/// every imported hub starts in.
const PLATFORM: &str = r#"//! The platform of the imported fleet: the standard platform, and the archetypes of hubs that
//! fit no standard archetype.

import std.basehub
import std.clusters
import std.platform

/// Where an imported `basehub` hub that fits no standard archetype starts: nothing is tunable,
/// so `hubc drift` shows all of its customization as bespoke until archetypes say what is
/// sanctioned.
archetype imported extends basehub {}

/// Where an imported `daskhub` hub that fits no standard archetype starts.
archetype imported_daskhub extends daskhub {}
"#;

/// Imports a fleet. Returns the files to write, or nothing when an error was found; warnings
/// come back either way.
pub fn import(
    input: &ImportInput,
    sources: &mut SourceMap,
    types: &Types<'_>,
) -> (Option<Imported>, Vec<Diagnostic>) {
    let mut importer = Importer {
        input,
        sources,
        types,
        errors: Vec::new(),
        parsed: BTreeMap::new(),
        accounted: BTreeSet::new(),
        referenced: BTreeSet::new(),
        chart_defaults: BTreeMap::new(),
        kept_raw: BTreeSet::new(),
        layer_names: ["basehub", "daskhub", "imported", "imported_daskhub"]
            .into_iter()
            .map(str::to_string)
            .collect(),
        pending: Vec::new(),
    };
    let imported = importer.run();
    let failed = importer.errors.iter().any(|error| {
        !matches!(
            miette::Diagnostic::severity(error),
            Some(miette::Severity::Warning)
        )
    });
    let diagnostics = importer
        .errors
        .iter()
        .map(Diagnostic::from_located)
        .collect();
    (imported.filter(|_| !failed), diagnostics)
}

struct Importer<'a> {
    input: &'a ImportInput,
    sources: &'a mut SourceMap,
    types: &'a Types<'a>,
    errors: Vec<ImportError>,
    parsed: BTreeMap<String, Option<(FileId, Value)>>,
    /// Input files whose content is in the imported fleet.
    accounted: BTreeSet<String>,
    /// Input files the imported fleet names without holding them (secrets, chart overrides).
    referenced: BTreeSet<String>,
    /// The typed defaults of each chart whose `values.yaml` the fleet has.
    chart_defaults: BTreeMap<String, Value>,
    /// Raw values warned about, by file and path: once each.
    kept_raw: BTreeSet<(String, String)>,
    /// Names of the platforms and archetypes written so far.
    layer_names: BTreeSet<String>,
    /// The communities of every cluster, written last.
    pending: Vec<PendingCommunity>,
}

/// One hub of a cluster.yaml.
#[derive(Clone)]
struct Hub {
    name: String,
    /// The hub's entry in `cluster.yaml`.
    at: Loc,
    chart: String,
    display_name: Option<String>,
    domain: Option<String>,
    /// Plaintext values files, in Helm order.
    values: Vec<String>,
    secrets_first: Vec<String>,
    secrets: Vec<String>,
    chart_override: Option<String>,
    raw: Vec<(String, Value)>,
}

impl Importer<'_> {
    fn run(&mut self) -> Option<Imported> {
        let clusters: Vec<String> = self
            .input
            .files
            .keys()
            .filter_map(|path| {
                let rest = path.strip_prefix("config/clusters/")?;
                let (cluster, file) = rest.split_once('/')?;
                (file == "cluster.yaml").then(|| cluster.to_string())
            })
            .collect();
        if clusters.is_empty() {
            let file = self.sources.add("config/clusters", "");
            self.errors.push(ImportError::NoFleet {
                path: "config/clusters".to_string(),
                at: Loc::new(file, Span::default()),
            });
            return None;
        }
        let mut imported = Imported::default();
        imported
            .files
            .insert("platform.hub".to_string(), canonical(PLATFORM));
        let identities: Vec<ClusterIdentity> = clusters
            .iter()
            .map(|cluster| {
                let manifest = self.yaml(&format!("config/clusters/{cluster}/cluster.yaml"));
                ClusterIdentity::of(cluster, manifest.as_ref().map(|(_, value)| value))
            })
            .collect();
        self.charts(&mut imported);
        let mut projects = self.projects(&identities);
        imported.files.extend(self.module_schemas(&projects));
        for cluster in &clusters {
            let project = projects.by_cluster.remove(cluster);
            if let Some(project) = &project {
                imported.summary.count_project(project.matched);
            }
            self.cluster(cluster, project, &mut imported);
        }
        self.communities(&mut imported);
        self.instance_types(&mut imported);
        let mut taken: BTreeSet<String> = clusters.iter().cloned().collect();
        for project in std::mem::take(&mut projects.alone) {
            imported.summary.count_project(Matched::Alone);
            let name = projects::project_cluster_name(&project, &taken);
            taken.insert(name.clone());
            let text = self.project_alone(&name, &project);
            imported.expected.tfvars.insert(
                project.output_path(),
                (Value::Map(project.variables.clone()), project.at),
            );
            imported.files.insert(
                format!("terraform/{}/projects/{}.hub", project.module, project.stem),
                canonical(&text),
            );
        }
        imported.n_clusters = clusters.len();
        self.inventory(&mut imported.summary);
        Some(imported)
    }

    /// The instance types the fleet measured, when it has a table of them, as
    /// `instance_types.hub`.
    fn instance_types(&mut self, imported: &mut Imported) {
        for table in instances::TABLES {
            if !self.input.files.contains_key(*table) {
                continue;
            }
            let Some((_, value)) = self.yaml(table) else {
                continue;
            };
            match instances::declarations(table, &value) {
                Some(text) => {
                    imported
                        .files
                        .insert("instance_types.hub".to_string(), canonical(&text));
                    return;
                }
                // Not a table of instance types: the inventory says it was not imported.
                None => {
                    self.accounted.remove(*table);
                }
            }
        }
    }

    /// Parses a YAML file of the input once.
    fn yaml(&mut self, relative: &str) -> Option<(FileId, Value)> {
        let relative = normalize(relative);
        let relative = relative.as_str();
        if let Some(parsed) = self.parsed.get(relative) {
            return parsed.clone();
        }
        let bytes = self.input.files.get(relative)?;
        let (text, _) = crate::syntax::decode(bytes);
        let file = self.sources.add(relative, text.as_ref());
        let parsed = match yaml::parse(file, self.sources.get(file)) {
            Ok(value) => {
                self.accounted.insert(relative.to_string());
                Some((file, value))
            }
            Err(error) => {
                self.errors.push(error);
                None
            }
        };
        self.parsed.insert(relative.to_string(), parsed.clone());
        parsed
    }

    /// The place of the first mention of `needle` in a file, for diagnostics.
    fn locate(&self, file: FileId, needle: &str) -> Loc {
        let text = &self.sources.get(file).text;
        match text.find(needle) {
            Some(start) => Loc::new(file, Span::new(start, start + needle.len())),
            None => Loc::new(file, Span::default()),
        }
    }
}

/// A path with its `.` and `..` steps taken, as the file system would: `a/b/../c` is `a/c`.
fn normalize(path: &str) -> String {
    let mut steps: Vec<&str> = Vec::new();
    for step in path.split('/') {
        match step {
            "" | "." => {}
            ".." => {
                steps.pop();
            }
            _ => steps.push(step),
        }
    }
    steps.join("/")
}

/// A declaration name: bare when it is an identifier, quoted otherwise.
fn name_literal(name: &str) -> String {
    let is_ident = name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
    if is_ident {
        name.to_string()
    } else {
        crate::syntax::quote(name)
    }
}

/// The text in the canonical layout; text that does not parse is returned as it is, for the
/// check of the imported fleet to report.
fn canonical(text: &str) -> String {
    let parsed = crate::syntax::parse(text);
    if parsed.errors.iter().any(|error| {
        !matches!(
            miette::Diagnostic::severity(error),
            Some(miette::Severity::Warning)
        )
    }) {
        return text.to_string();
    }
    crate::format::format(text, &parsed.file)
}
