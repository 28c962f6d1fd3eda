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

mod comments;
mod error;
mod groups;
pub mod hcl;
mod inventory;
mod placement;
mod projects;
pub mod terraform;
pub mod verify;
pub mod write;
pub mod yaml;

use std::collections::{BTreeMap, BTreeSet};

pub use inventory::Summary;
use projects::{ClusterIdentity, Matched, Project};

pub use error::ImportError;
pub use placement::place;
use write::{Types, key, literal, path};

use crate::diagnostics::Diagnostic;
use crate::emit::Value;
use crate::source::{FileId, Loc, SourceMap, Span};

/// The files of the fleet to import, by path relative to its root (with `/`).
#[derive(Debug, Default)]
pub struct ImportInput {
    pub files: BTreeMap<String, Vec<u8>>,
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

/// Keys of a hub entry of cluster.yaml that the import understands.
const HUB_KEYS: &[&str] = &[
    "name",
    "display_name",
    "domain",
    "helm_chart",
    "helm_chart_values_files",
    "chart_override",
];

/// Keys of cluster.yaml that the import understands.
const CLUSTER_KEYS: &[&str] = &[
    "name",
    "provider",
    "provider_url",
    "tenancy",
    "metadata",
    "support",
    "hubs",
    "gcp",
    "aws",
    "azure",
    "kubeconfig",
];

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

    /// A `chart` declaration for each chart whose `values.yaml` the fleet has: its defaults,
    /// which every hub on it inherits and Helm supplies. The daskhub chart nests basehub's values
    /// under `basehub:`.
    fn charts(&mut self, imported: &mut Imported) {
        let found: Vec<String> = self
            .input
            .files
            .keys()
            .filter_map(|path| {
                let chart = path
                    .strip_prefix("helm-charts/")?
                    .strip_suffix("/values.yaml")?;
                (!chart.contains('/')).then(|| chart.to_string())
            })
            .collect();
        for chart in found {
            let relative = format!("helm-charts/{chart}/values.yaml");
            let Some((file_id, value)) = self.yaml(&relative) else {
                continue;
            };
            let (mut tree, _) = split_chart(&value, &chart);
            let mut unknown = Vec::new();
            self.split_unknown(
                &mut tree,
                &mut Vec::new(),
                &mut Value::Map(Vec::new()),
                &mut unknown,
            );
            let mut text = format!(
                "//! The defaults of the `{chart}` chart, imported from `{relative}`. Every hub on the\n\
                 //! chart inherits them, and hubc never writes them into a hub's values file: Helm\n\
                 //! supplies them.\n"
            );
            if !unknown.is_empty() {
                let listed: Vec<String> =
                    unknown.iter().map(|at| format!("`{}`", path(at))).collect();
                text.push_str(&format!(
                    "//!\n//! Left out, as the values schema does not know them: {}.\n",
                    listed.join(", ")
                ));
            }
            let comments = self.comments(file_id, &chart);
            text.push_str(&format!("\nchart {} {{\n", name_literal(&chart)));
            text.push_str(&self.body(&tree, &[], &comments));
            text.push_str("}\n");
            imported
                .files
                .insert(format!("charts/{chart}.hub"), canonical(&text));
            imported.charts.push(chart.clone());
            self.chart_defaults.insert(chart, tree);
        }
    }

    /// The cluster declaration of a Terraform project no cluster of the fleet uses.
    fn project_alone(&mut self, name: &str, project: &Project) -> String {
        let mut text = format!(
            "//! The Terraform project `{}`, which no cluster of `config/clusters` uses: its variables\n\
             //! are written back, and no deploy manifest.\n\n",
            project.path
        );
        text.push_str(&format!("cluster {} {{\n", name_literal(name)));
        text.push_str(&format!(
            "  terraform_provider = {}\n",
            crate::syntax::quote(&project.module)
        ));
        if project.stem != name {
            text.push_str(&format!(
                "  terraform_project = {}\n",
                crate::syntax::quote(&project.stem)
            ));
        }
        self.variables(&mut text, &project.variables);
        text.push_str("}\n");
        text
    }

    /// The statements that set a project's variables in a cluster.
    fn variables(&self, text: &mut String, variables: &[(String, Value)]) {
        text.push('\n');
        for (variable, value) in variables {
            text.push_str(&format!(
                "  {} = {}\n",
                key(variable),
                literal(value, &[], &Types::untyped(self.types))
            ));
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

    fn cluster(&mut self, cluster: &str, project: Option<Project>, imported: &mut Imported) {
        let directory = format!("config/clusters/{cluster}");
        let manifest_path = format!("{directory}/cluster.yaml");
        let Some((manifest_file, manifest)) = self.yaml(&manifest_path) else {
            return;
        };
        let entries = match &manifest {
            Value::Map(entries) => entries.clone(),
            _ => Vec::new(),
        };
        let field = |name: &str| entries.iter().find(|(k, _)| k == name).map(|(_, v)| v);
        let provider = match field("provider") {
            Some(Value::Str(provider)) => provider.clone(),
            _ => "kubeconfig".to_string(),
        };
        let hubs: Vec<Hub> = match field("hubs") {
            Some(Value::List(hubs)) => hubs
                .iter()
                .filter_map(|hub| self.hub(hub, &manifest_path, manifest_file))
                .collect(),
            _ => Vec::new(),
        };

        let mut text = format!("//! The cluster `{cluster}`, imported from `{manifest_path}`.\n\n");
        text.push_str(&format!("cluster {} {{\n", name_literal(cluster)));
        if let Some(block) = field(&provider) {
            text.push_str(&format!(
                "  provider = {} {}\n",
                key(&provider),
                literal(block, &[], &Types::untyped(self.types))
            ));
        } else {
            text.push_str(&format!("  provider = {} {{}}\n", key(&provider)));
        }
        for name in ["provider_url", "tenancy", "metadata", "support"] {
            if let Some(value) = field(name) {
                text.push_str(&format!(
                    "  {name} = {}\n",
                    literal(value, &[], &Types::untyped(self.types))
                ));
            }
        }
        let raw: Vec<(String, Value)> = entries
            .iter()
            .filter(|(k, _)| !CLUSTER_KEYS.contains(&k.as_str()) && k != &provider)
            .cloned()
            .collect();
        if !raw.is_empty() {
            for (raw_key, _) in &raw {
                self.errors.push(ImportError::KeptRaw {
                    what: raw_key.clone(),
                    file: manifest_path.clone(),
                    carrier: "manifest".to_string(),
                    at: self.locate(manifest_file, raw_key),
                });
            }
            text.push_str(&format!(
                "  manifest = {}\n",
                literal(&Value::Map(raw), &[], &Types::untyped(self.types))
            ));
        }
        if let Some(project) = project {
            imported.expected.tfvars.insert(
                project.output_path(),
                (Value::Map(project.variables.clone()), project.at),
            );
            if project.module != provider {
                text.push_str(&format!(
                    "  terraform_provider = {}\n",
                    crate::syntax::quote(&project.module)
                ));
            }
            if project.stem != cluster {
                text.push_str(&format!(
                    "  terraform_project = {}\n",
                    crate::syntax::quote(&project.stem)
                ));
            }
            self.variables(&mut text, &project.variables);
        }
        text.push_str("}\n");

        // Each hub's values, merged from its files as Helm merges them; the hubs of one chart
        // share what most of them set alike in an archetype of their own.
        let values: Vec<HubValues> = hubs
            .iter()
            .map(|hub| self.hub_values(&directory, hub))
            .collect();
        let listed: Vec<(&str, &[String])> = hubs
            .iter()
            .map(|hub| (hub.chart.as_str(), hub.values.as_slice()))
            .collect();
        let partition = groups::partition(&listed);
        let groups_of_chart = |chart: &str| {
            partition
                .iter()
                .filter(|((other, _), members)| {
                    other == chart && members.len() >= groups::MIN_GROUP
                })
                .count()
        };
        for (key, members) in &partition {
            let chart = key.0.as_str();
            let trees: Vec<&Value> = members.iter().map(|&index| &values[index].tree).collect();
            let shared = groups::shared_values(&trees);
            let placeholder = placeholder_archetype(chart);
            let starting = key
                .1
                .as_ref()
                .map_or(String::new(), |file| format!(" that start from `{file}`"));
            let group = (!is_empty_map(&shared)).then(|| {
                let several = groups_of_chart(chart) > 1;
                let name = self.unique_name(groups::archetype_name(cluster, key, several));
                let comments: Vec<comments::KeyComment> = members
                    .iter()
                    .flat_map(|&index| values[index].comments.iter().cloned())
                    .collect();
                let doc = format!(
                    "The {} {chart} hubs of cluster `{cluster}`{starting}, found by `hubc import`: \
                     each value here is set the same way by at least two thirds of them, and every \
                     one of them sets it; a hub that sets it otherwise overrides it.",
                    members.len()
                );
                text.push('\n');
                text.push_str(&placement::doc_lines(&doc));
                text.push_str(&format!("archetype {name} extends {placeholder} {{\n"));
                text.push_str(&self.body(&shared, &[], &comments));
                text.push_str("}\n");
                imported.groups.push(Group {
                    archetype: name.clone(),
                    file: format!("clusters/{cluster}/cluster.hub"),
                    members: members
                        .iter()
                        .map(|&index| format!("clusters/{cluster}/{}.hub", hubs[index].name))
                        .collect(),
                });
                name
            });
            let mut inherited = self
                .chart_defaults
                .get(chart)
                .cloned()
                .unwrap_or(Value::Map(Vec::new()));
            yaml::merge(&mut inherited, &shared);
            let inherited = std::rc::Rc::new(inherited);
            for &index in members {
                self.pending.push(PendingCommunity {
                    cluster: cluster.to_string(),
                    directory: directory.clone(),
                    hub: hubs[index].clone(),
                    values: values[index].clone(),
                    archetype: group.as_deref().unwrap_or(placeholder).to_string(),
                    own: groups::own_values(&values[index].tree, &shared),
                    inherited: inherited.clone(),
                });
            }
        }
        imported
            .files
            .insert(format!("clusters/{cluster}/cluster.hub"), canonical(&text));
        for hub in &hubs {
            let mut expected = Value::Map(Vec::new());
            for file in &hub.values {
                if let Some((_, value)) = self.yaml(&format!("{directory}/{file}")) {
                    yaml::merge(&mut expected, &value);
                }
            }
            imported.expected.values.insert(
                format!("helm/{cluster}/{}.values.yaml", hub.name),
                (expected, hub.at),
            );
        }
    }

    /// Reads one hub entry of cluster.yaml.
    fn hub(&mut self, entry: &Value, manifest_path: &str, manifest_file: FileId) -> Option<Hub> {
        let Value::Map(fields) = entry else {
            return None;
        };
        let text = |name: &str| {
            fields
                .iter()
                .find(|(k, _)| k == name)
                .and_then(|(_, v)| match v {
                    Value::Str(text) => Some(text.clone()),
                    _ => None,
                })
        };
        let name = text("name")?;
        let directory = manifest_path.trim_end_matches("cluster.yaml");
        let mut hub = Hub {
            at: self.locate(manifest_file, &name),
            chart: text("helm_chart").unwrap_or_else(|| "basehub".to_string()),
            display_name: text("display_name"),
            domain: text("domain"),
            values: Vec::new(),
            secrets_first: Vec::new(),
            secrets: Vec::new(),
            chart_override: text("chart_override"),
            raw: fields
                .iter()
                .filter(|(k, _)| !HUB_KEYS.contains(&k.as_str()))
                .cloned()
                .collect(),
            name,
        };
        for (raw_key, _) in &hub.raw {
            self.errors.push(ImportError::KeptRaw {
                what: format!("hubs.{}.{raw_key}", hub.name),
                file: manifest_path.to_string(),
                carrier: format!("the `manifest` of community `{}`", hub.name),
                at: self.locate(manifest_file, raw_key),
            });
        }
        let files = fields
            .iter()
            .find(|(k, _)| k == "helm_chart_values_files")
            .and_then(|(_, v)| match v {
                Value::List(files) => Some(files.clone()),
                _ => None,
            })
            .unwrap_or_default();
        for file in files {
            let Value::Str(file) = file else {
                continue;
            };
            let is_secret = file.starts_with("enc-") || file.contains(".secret.");
            let relative = normalize(&format!("{directory}{file}"));
            if is_secret {
                self.referenced.insert(relative);
                if hub.values.is_empty() {
                    hub.secrets_first.push(file);
                } else {
                    hub.secrets.push(file);
                }
                continue;
            }
            if !self.input.files.contains_key(&relative) {
                self.errors.push(ImportError::MissingFile {
                    hub: hub.name.clone(),
                    file: file.clone(),
                    at: self.locate(manifest_file, &file),
                });
                continue;
            }
            hub.values.push(file);
        }
        if !["basehub", "daskhub"].contains(&hub.chart.as_str()) {
            self.errors.push(ImportError::UnknownChart {
                hub: hub.name.clone(),
                chart: hub.chart.clone(),
                at: self.locate(manifest_file, &hub.chart),
            });
        }
        if let Some(chart_override) = &hub.chart_override {
            self.referenced
                .insert(normalize(&format!("{directory}{chart_override}")));
        }
        Some(hub)
    }

    /// A hub's values: its files merged in Helm order, split into what the schema types, what it
    /// does not (kept verbatim, with a warning), and the chart's own keys beside the hub values.
    fn hub_values(&mut self, directory: &str, hub: &Hub) -> HubValues {
        let mut merged = Value::Map(Vec::new());
        let mut files = Vec::new();
        let mut comments = Vec::new();
        for file in &hub.values {
            let relative = format!("{directory}/{file}");
            if let Some((file_id, value)) = self.yaml(&relative) {
                yaml::merge(&mut merged, &value);
                comments.extend(self.comments(file_id, &hub.chart));
                files.push((file_id, relative, value));
            }
        }
        let (mut tree, outer) = split_chart(&merged, &hub.chart);
        let mut raw = Value::Map(Vec::new());
        let mut unknown = Vec::new();
        self.split_unknown(&mut tree, &mut Vec::new(), &mut raw, &mut unknown);
        for unknown_path in unknown {
            // Reported once, at the first file that sets it.
            let mut in_file = unknown_path.clone();
            if hub.chart == "daskhub" {
                in_file.insert(0, "basehub".to_string());
            }
            let Some((file_id, relative, _)) = files
                .iter()
                .find(|(_, _, value)| lookup(value, &in_file).is_some())
            else {
                continue;
            };
            if !self
                .kept_raw
                .insert((relative.clone(), path(&unknown_path)))
            {
                continue;
            }
            let last = unknown_path.last().cloned().unwrap_or_default();
            self.errors.push(ImportError::KeptRaw {
                what: path(&unknown_path),
                file: relative.clone(),
                carrier: format!("the `chart_values` of community `{}`", hub.name),
                at: self.locate(*file_id, &last),
            });
        }
        let mut raw = under_chart(raw, &hub.chart);
        yaml::merge(&mut raw, &outer);
        HubValues {
            tree,
            raw,
            comments,
        }
    }

    /// The text of a community: what its values set beyond the values of its archetype
    /// (`archetype_values`); `inherited` adds the chart's defaults below them. Every value the
    /// hub's files set is written, even one equal to the chart's default, since Helm does not
    /// write those.
    fn community(
        &mut self,
        cluster: &str,
        directory: &str,
        hub: &Hub,
        values: &HubValues,
        (archetype, mixins): (&str, &[String]),
        (own, inherited): (&Value, &Value),
    ) -> String {
        let mut text = format!(
            "//! The hub `{}` of cluster `{cluster}`, imported from `{directory}/cluster.yaml`.\n\n",
            hub.name
        );
        text.push_str(&format!(
            "community {} : {archetype}",
            name_literal(&hub.name)
        ));
        if !mixins.is_empty() {
            text.push_str(&format!(" with {}", mixins.join(", ")));
        }
        text.push_str(" {\n");
        text.push_str(&format!("  cluster = {}\n", name_literal(cluster)));
        if let Some(domain) = &hub.domain {
            text.push_str(&format!("  domain = {}\n", crate::syntax::quote(domain)));
        }
        if let Some(display_name) = &hub.display_name {
            text.push_str(&format!(
                "  display_name = {}\n",
                crate::syntax::quote(display_name)
            ));
        }
        for (property, files) in [
            ("secrets_first", &hub.secrets_first),
            ("secrets", &hub.secrets),
        ] {
            if !files.is_empty() {
                let list: Vec<String> = files
                    .iter()
                    .map(|file| format!("secret({})", crate::syntax::quote(file)))
                    .collect();
                text.push_str(&format!("  {property} = [{}]\n", list.join(", ")));
            }
        }
        if let Some(chart_override) = &hub.chart_override {
            text.push_str(&format!(
                "  manifest.chart_override = {}\n",
                crate::syntax::quote(chart_override)
            ));
        }
        if !hub.raw.is_empty() {
            text.push_str(&format!(
                "  manifest = {}\n",
                literal(
                    &Value::Map(hub.raw.clone()),
                    &[],
                    &Types::untyped(self.types)
                )
            ));
        }
        if !is_empty_map(&values.raw) {
            text.push_str(&format!(
                "  chart_values = {}\n",
                literal(&values.raw, &[], &Types::untyped(self.types))
            ));
        }
        // A list keyed by a field, set again here over one it inherits, replaces it in Helm; in
        // hubc it would merge, so the community deletes the inherited one first.
        let mut deletes = Vec::new();
        keyed_lists(own, &mut Vec::new(), self.types, &mut |list_path| {
            if lookup(inherited, list_path).is_some() {
                deletes.push(list_path.to_vec());
            }
        });
        text.push('\n');
        for delete in &deletes {
            text.push_str(&format!("  delete {}\n", path(delete)));
        }
        text.push_str(&self.body(own, &[], &values.comments));
        text.push_str("}\n");
        text
    }

    /// Writes every community, after finding the fleet-wide mixins: the bundles of values that
    /// the same hubs of several clusters set the same way themselves. A mixin's values are still
    /// measured against each hub's archetype; the mixin says they are shared.
    fn communities(&mut self, imported: &mut Imported) {
        let pending = std::mem::take(&mut self.pending);
        let owns: Vec<(&str, &Value)> = pending
            .iter()
            .map(|community| (community.cluster.as_str(), &community.own))
            .collect();
        // A list keyed by a field merges in hubc where Helm replaces it: a community sets those.
        let types = self.types;
        let shareable = |at: &[String]| {
            types
                .type_at(at)
                .and_then(|ty| types.schema.keyed_by(ty))
                .is_none()
        };
        let bundles = groups::bundles(&owns, &shareable);
        let mut taken: Vec<Vec<String>> = vec![Vec::new(); pending.len()];
        let mut text = String::from(
            "//! Mixins of the fleet, found by `hubc import`: values that hubs of several clusters set\n\
             //! the same way themselves. Each is still measured against every hub's archetype.\n",
        );
        for bundle in &bundles {
            let name = self.unique_name(groups::bundle_name(&bundle.values));
            let doc = format!(
                "The values that {} hubs of the clusters {} set the same way.",
                bundle.members.len(),
                bundle
                    .clusters
                    .iter()
                    .map(|cluster| format!("`{cluster}`"))
                    .collect::<Vec<_>>()
                    .join(", ")
            );
            text.push('\n');
            text.push_str(&placement::doc_lines(&doc));
            text.push_str(&format!("mixin {name} {{\n"));
            text.push_str(&self.body(&bundle.values, &[], &[]));
            text.push_str("}\n");
            for &member in &bundle.members {
                taken[member].push(name.clone());
            }
        }
        if !bundles.is_empty() {
            imported
                .files
                .insert("mixins.hub".to_string(), canonical(&text));
        }
        imported.n_mixins = bundles.len();
        for (index, community) in pending.iter().enumerate() {
            let mut own = community.own.clone();
            for bundle in bundles.iter().filter(|b| b.members.contains(&index)) {
                own = groups::own_values(&own, &bundle.values);
            }
            let text = self.community(
                &community.cluster,
                &community.directory,
                &community.hub,
                &community.values,
                (&community.archetype, &taken[index]),
                (&own, &community.inherited),
            );
            imported.files.insert(
                format!("clusters/{}/{}.hub", community.cluster, community.hub.name),
                canonical(&text),
            );
            imported.n_hubs += 1;
        }
    }

    /// `wanted`, or `wanted` with a number when the fleet has a layer of that name already.
    fn unique_name(&mut self, wanted: String) -> String {
        let mut name = wanted.clone();
        let mut next = 2;
        while !self.layer_names.insert(name.clone()) {
            name = format!("{wanted}_{next}");
            next += 1;
        }
        name
    }

    /// Moves the parts of `tree` the schema does not know into `raw`, warning for each.
    fn split_unknown(
        &mut self,
        tree: &mut Value,
        at: &mut Vec<String>,
        raw: &mut Value,
        unknown: &mut Vec<Vec<String>>,
    ) {
        let Value::Map(entries) = tree else {
            return;
        };
        let mut kept = Vec::new();
        for (entry_key, mut value) in std::mem::take(entries) {
            at.push(entry_key.clone());
            if self.types.knows(at) {
                self.split_unknown(&mut value, at, raw, unknown);
                kept.push((entry_key, value));
            } else {
                insert(raw, at, value);
                unknown.push(at.clone());
            }
            at.pop();
        }
        *entries = kept;
    }

    /// The statements of a values tree: a nested block per top-level key, one statement per
    /// value inside, with the comments that sat on the keys before them.
    fn body(&self, tree: &Value, prefix: &[String], comments: &[comments::KeyComment]) -> String {
        let mut text = String::new();
        let mut emitted: BTreeSet<Vec<String>> = BTreeSet::new();
        let Value::Map(entries) = tree else {
            return text;
        };
        for (top, value) in entries {
            let mut leaves = Vec::new();
            let mut top_path = prefix.to_vec();
            top_path.push(top.clone());
            collect_leaves(value, &mut top_path.clone(), &mut leaves);
            match value {
                Value::Map(inner) if !inner.is_empty() => {
                    text.push_str(&format!("  {} {{\n", key(top)));
                    for (leaf_path, leaf) in leaves {
                        write_comments(&mut text, comments, &leaf_path, &mut emitted, "    ");
                        text.push_str(&format!(
                            "    {} = {}\n",
                            path(&leaf_path[top_path.len()..]),
                            literal(leaf, &leaf_path, self.types)
                        ));
                    }
                    text.push_str("  }\n");
                }
                _ => {
                    write_comments(&mut text, comments, &top_path, &mut emitted, "  ");
                    text.push_str(&format!(
                        "  {} = {}\n",
                        key(top),
                        literal(value, &top_path, self.types)
                    ));
                }
            }
        }
        text
    }

    /// The comments of a values file, by path in the hub values (under `basehub:` for daskhub).
    fn comments(&self, file: FileId, chart: &str) -> Vec<comments::KeyComment> {
        let mut found = comments::key_comments(&self.sources.get(file).text);
        if chart == "daskhub" {
            for comment in &mut found {
                if comment.path.first().map(String::as_str) == Some("basehub") {
                    comment.path.remove(0);
                }
            }
        }
        found
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

impl<'a> Types<'a> {
    /// The same schema, for values it does not type (cluster settings, raw values).
    fn untyped(types: &Types<'a>) -> Types<'a> {
        Types {
            schema: types.schema,
            names: types.names,
            root: None,
        }
    }
}

/// Splits a values file into the hub values and what lies outside them: for `daskhub`, the
/// hub values are under `basehub:` and other top-level keys are the chart's own.
fn split_chart(value: &Value, chart: &str) -> (Value, Value) {
    if chart != "daskhub" {
        return (value.clone(), Value::Map(Vec::new()));
    }
    let Value::Map(entries) = value else {
        return (Value::Map(Vec::new()), Value::Map(Vec::new()));
    };
    let mut inner = Value::Map(Vec::new());
    let mut outer = Vec::new();
    for (entry_key, entry_value) in entries {
        if entry_key == "basehub" {
            inner = entry_value.clone();
        } else {
            outer.push((entry_key.clone(), entry_value.clone()));
        }
    }
    (inner, Value::Map(outer))
}

/// The archetype a hub of `chart` starts in before it is placed.
fn placeholder_archetype(chart: &str) -> &'static str {
    if chart == "daskhub" {
        "imported_daskhub"
    } else {
        "imported"
    }
}

fn is_empty_map(value: &Value) -> bool {
    matches!(value, Value::Map(entries) if entries.is_empty())
}

/// Raw hub values, placed where the chart reads them: under `basehub:` for `daskhub`.
fn under_chart(raw: Value, chart: &str) -> Value {
    match raw {
        Value::Map(entries) if chart == "daskhub" && !entries.is_empty() => {
            Value::Map(vec![("basehub".to_string(), Value::Map(entries))])
        }
        raw => raw,
    }
}

/// Every leaf (a scalar, a list, or an empty map) under a value, with its path.
fn collect_leaves<'v>(
    value: &'v Value,
    at: &mut Vec<String>,
    leaves: &mut Vec<(Vec<String>, &'v Value)>,
) {
    match value {
        Value::Map(entries) if !entries.is_empty() => {
            for (entry_key, entry_value) in entries {
                at.push(entry_key.clone());
                collect_leaves(entry_value, at, leaves);
                at.pop();
            }
        }
        _ => leaves.push((at.clone(), value)),
    }
}

fn write_comments(
    text: &mut String,
    comments: &[comments::KeyComment],
    leaf_path: &[String],
    emitted: &mut BTreeSet<Vec<String>>,
    indent: &str,
) {
    for comment in comments {
        if leaf_path.starts_with(&comment.path) && emitted.insert(comment.path.clone()) {
            for line in &comment.lines {
                text.push_str(indent);
                text.push_str("//");
                if !line.is_empty() {
                    text.push(' ');
                    text.push_str(line);
                }
                text.push('\n');
            }
        }
    }
}

/// The value at a path, if any.
fn lookup<'v>(value: &'v Value, at: &[String]) -> Option<&'v Value> {
    let mut value = value;
    for step in at {
        let Value::Map(entries) = value else {
            return None;
        };
        value = &entries.iter().find(|(k, _)| k == step)?.1;
    }
    Some(value)
}

/// Sets a path, creating maps on the way.
fn insert(tree: &mut Value, at: &[String], value: Value) {
    let Some((first, rest)) = at.split_first() else {
        *tree = value;
        return;
    };
    if !matches!(tree, Value::Map(_)) {
        *tree = Value::Map(Vec::new());
    }
    let Value::Map(entries) = tree else {
        return;
    };
    let index = match entries.iter().position(|(k, _)| k == first) {
        Some(index) => index,
        None => {
            entries.push((first.clone(), Value::Map(Vec::new())));
            entries.len() - 1
        }
    };
    insert(&mut entries[index].1, rest, value);
}

/// Calls `found` with the path of every list in `tree` that the schema keys by a field.
fn keyed_lists(
    tree: &Value,
    at: &mut Vec<String>,
    types: &Types<'_>,
    found: &mut dyn FnMut(&[String]),
) {
    match tree {
        Value::Map(entries) => {
            for (entry_key, value) in entries {
                at.push(entry_key.clone());
                keyed_lists(value, at, types, found);
                at.pop();
            }
        }
        Value::List(_)
            if types
                .type_at(at)
                .and_then(|ty| types.schema.keyed_by(ty))
                .is_some() =>
        {
            found(at);
        }
        _ => {}
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
