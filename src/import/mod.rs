//! `hubc import`: an existing fleet of YAML values files and Terraform variables becomes `.hub`
//! files that build back to the same values.
//!
//! The layout read is `config/clusters/<cluster>/cluster.yaml`, the values files each hub lists
//! beside it, and `terraform/<provider>/projects/<cluster>.tfvars`. A values file several hubs
//! share becomes a mixin (when it comes before the hub's own files); the rest of a hub's files,
//! merged as Helm merges them, become its community. Works on text only: the driver reads the
//! files.

mod comments;
mod error;
pub mod hcl;
mod inventory;
mod projects;
pub mod terraform;
pub mod verify;
pub mod write;
pub mod yaml;

use std::collections::{BTreeMap, BTreeSet};

pub use inventory::Summary;
use projects::{ClusterIdentity, Matched, Project};

pub use error::ImportError;
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
    pub n_mixins: usize,
    /// Hubs placed in a standard archetype; the others are in `imported`.
    pub n_fitted: usize,
    /// What became of the input's files and Terraform projects.
    pub summary: Summary,
    /// What building the imported fleet must give back.
    pub expected: verify::Expected,
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
}

/// One hub of a cluster.yaml.
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
        let mut projects = self.projects(&identities);
        imported.files.extend(self.module_schemas(&projects));
        for cluster in &clusters {
            let project = projects.by_cluster.remove(cluster);
            if let Some(project) = &project {
                imported.summary.count_project(project.matched);
            }
            self.cluster(cluster, project, &mut imported);
        }
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
        // A plaintext file several hubs list is shared: it becomes a mixin.
        let mut listed: BTreeMap<&str, usize> = BTreeMap::new();
        for hub in &hubs {
            for file in &hub.values {
                *listed.entry(file.as_str()).or_default() += 1;
            }
        }
        let shared: BTreeSet<String> = listed
            .iter()
            .filter(|(_, count)| **count > 1)
            .map(|(file, _)| file.to_string())
            .collect();

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

        // Mixins: the shared files.
        let mixin_names: BTreeMap<String, String> = shared
            .iter()
            .map(|file| (file.clone(), mixin_name(cluster, file)))
            .collect();
        for file in &shared {
            let Some((file_id, value)) = self.yaml(&format!("{directory}/{file}")) else {
                continue;
            };
            let chart = hubs
                .iter()
                .find(|hub| hub.values.contains(file))
                .map_or("basehub", |hub| hub.chart.as_str());
            let (mut inner, outer) = split_chart(&value, chart);
            let comments = self.comments(file_id, chart);
            let mut raw = Value::Map(Vec::new());
            let mut unknown = Vec::new();
            self.split_unknown(&mut inner, &mut Vec::new(), &mut raw, &mut unknown);
            for unknown_path in unknown {
                let last = unknown_path.last().cloned().unwrap_or_default();
                self.errors.push(ImportError::KeptRaw {
                    what: path(&unknown_path),
                    file: format!("{directory}/{file}"),
                    carrier: format!("the `chart_values` of mixin `{}`", mixin_names[file]),
                    at: self.locate(file_id, &last),
                });
            }
            raw = under_chart(raw, chart);
            yaml::merge(&mut raw, &outer);
            text.push_str(&format!(
                "\n/// The values `{file}` gives every hub that lists it.\nmixin {} {{\n",
                mixin_names[file]
            ));
            if !matches!(&raw, Value::Map(entries) if entries.is_empty()) {
                text.push_str(&format!(
                    "  chart_values = {}\n",
                    literal(&raw, &[], &Types::untyped(self.types))
                ));
            }
            text.push_str(&self.body(&inner, &[], &comments));
            text.push_str("}\n");
            imported.n_mixins += 1;
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
            let community = self.community(
                cluster,
                &format!("{directory}/"),
                hub,
                &shared,
                &mixin_names,
            );
            imported.files.insert(
                format!("clusters/{cluster}/{}.hub", hub.name),
                canonical(&community),
            );
            imported.n_hubs += 1;
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

    /// The text of a community.
    fn community(
        &mut self,
        cluster: &str,
        directory: &str,
        hub: &Hub,
        shared: &BTreeSet<String>,
        mixin_names: &BTreeMap<String, String>,
    ) -> String {
        // Shared files before the hub's first own file are mixins; from there on, every file is
        // merged into the community, so that Helm's order is kept.
        let mut split = hub
            .values
            .iter()
            .position(|file| !shared.contains(file))
            .unwrap_or(hub.values.len());
        // When the hub's own files replace a map the mixins set and then set a map there again,
        // Helm drops what the mixins put in it, and hubc would merge: the hub then takes all of
        // its files in its own statements.
        let layers: Vec<Value> = hub
            .values
            .iter()
            .filter_map(|file| {
                self.yaml(&format!("{directory}{file}"))
                    .map(|(_, value)| value)
            })
            .collect();
        let mut inherited = Value::Map(Vec::new());
        for layer in layers.iter().take(split) {
            yaml::merge(&mut inherited, layer);
        }
        let own_layers: Vec<&Value> = layers.iter().skip(split).collect();
        if yaml::replaces_then_remaps(&inherited, &own_layers) {
            split = 0;
        }
        let (mixin_files, own_files) = hub.values.split_at(split);
        let mut mixins_merged = Value::Map(Vec::new());
        let mut mixin_layers = Vec::new();
        for file in mixin_files {
            if let Some((_, value)) = self.yaml(&format!("{directory}{file}")) {
                let (inner, _) = split_chart(&value, &hub.chart);
                yaml::merge(&mut mixins_merged, &inner);
                mixin_layers.push(inner);
            }
        }
        let mut own = Value::Map(Vec::new());
        let mut outer = Value::Map(Vec::new());
        let mut comments = Vec::new();
        let mut own_file = None;
        for file in own_files {
            if let Some((file_id, value)) = self.yaml(&format!("{directory}{file}")) {
                own_file.get_or_insert((file_id, format!("{directory}{file}")));
                let (inner, outside) = split_chart(&value, &hub.chart);
                yaml::merge(&mut own, &inner);
                yaml::merge(&mut outer, &outside);
                comments.extend(self.comments(file_id, &hub.chart));
            }
        }
        // Where two mixins set one value differently, Helm takes the later; the community says
        // so, since hubc asks a community to decide such conflicts.
        let mut decided = Vec::new();
        conflicts(&mixin_layers, &mut decided);
        for (conflict_path, value) in decided {
            if lookup(&own, &conflict_path).is_none() {
                insert(&mut own, &conflict_path, value);
            }
        }
        // Schema-unknown values are carried verbatim outside the typed values.
        let mut raw = Value::Map(Vec::new());
        let mut unknown = Vec::new();
        self.split_unknown(&mut own, &mut Vec::new(), &mut raw, &mut unknown);
        if let Some((file_id, file_name)) = &own_file {
            for unknown_path in unknown {
                let last = unknown_path.last().cloned().unwrap_or_default();
                self.errors.push(ImportError::KeptRaw {
                    what: path(&unknown_path),
                    file: file_name.clone(),
                    carrier: format!("the `chart_values` of community `{}`", hub.name),
                    at: self.locate(*file_id, &last),
                });
            }
        }
        let archetype = if hub.chart == "daskhub" {
            "imported_daskhub"
        } else {
            "imported"
        };
        let mut text = format!(
            "//! The hub `{}` of cluster `{cluster}`, imported from `{directory}cluster.yaml`.\n\n",
            hub.name
        );
        text.push_str(&format!(
            "community {} : {archetype}",
            name_literal(&hub.name)
        ));
        let names: Vec<&str> = mixin_files
            .iter()
            .map(|file| mixin_names[file].as_str())
            .collect();
        if !names.is_empty() {
            text.push_str(&format!(" with {}", names.join(", ")));
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
        raw = under_chart(raw, &hub.chart);
        yaml::merge(&mut raw, &outer);
        if !matches!(&raw, Value::Map(entries) if entries.is_empty()) {
            text.push_str(&format!(
                "  chart_values = {}\n",
                literal(&raw, &[], &Types::untyped(self.types))
            ));
        }
        // A list keyed by a field, set again here over a layer above, replaces it in Helm; in
        // hubc it would merge, so the community deletes the inherited one first.
        let mut deletes = Vec::new();
        keyed_lists(&own, &mut Vec::new(), self.types, &mut |list_path| {
            if lookup(&mixins_merged, list_path).is_some() {
                deletes.push(list_path.to_vec());
            }
        });
        text.push('\n');
        for delete in &deletes {
            text.push_str(&format!("  delete {}\n", path(delete)));
        }
        text.push_str(&self.body(&own, &[], &comments));
        text.push_str("}\n");
        text
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

/// Leaves that several layers set to different values, with the value Helm ends up with.
fn conflicts(layers: &[Value], decided: &mut Vec<(Vec<String>, Value)>) {
    let mut leaves: BTreeMap<Vec<String>, Vec<&Value>> = BTreeMap::new();
    for layer in layers {
        let mut found = Vec::new();
        collect_leaves(layer, &mut Vec::new(), &mut found);
        for (leaf_path, value) in found {
            leaves.entry(leaf_path).or_default().push(value);
        }
    }
    for (leaf_path, values) in leaves {
        if values.windows(2).any(|pair| pair[0] != pair[1])
            && let Some(last) = values.last()
        {
            decided.push((leaf_path, (*last).clone()));
        }
    }
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

/// `common.values.yaml` of cluster `leap` is the mixin `leap_common`.
fn mixin_name(cluster: &str, file: &str) -> String {
    let stem = file
        .trim_end_matches(".yaml")
        .trim_end_matches(".yml")
        .trim_end_matches(".values");
    let raw = format!("{cluster}_{stem}");
    let mut name: String = raw
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if name.starts_with(|c: char| c.is_ascii_digit()) {
        name.insert(0, '_');
    }
    name
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

/// Moves each imported community that fits a standard archetype into it: no violation, nothing
/// expired, its bespoke overrides within the budget; among several, the one leaving the fewest
/// bespoke overrides. `analysis` is of the imported files, `standard` the archetypes of
/// `std.platform`.
pub fn fit_archetypes(
    imported: &mut Imported,
    analysis: &crate::driver::Analysis,
    standard: &[crate::resolve::value::DeclId],
    file_of: &dyn Fn(crate::resolve::value::DeclId) -> Option<String>,
    today: (u16, u8, u8),
) {
    let fleet = &analysis.fleet;
    let chart_key = analysis.names.get("chart");
    let chart = |id| {
        chart_key
            .and_then(|key| fleet.text_property(id, key))
            .map(str::to_string)
    };
    for &community in &fleet.communities {
        let hub_chart = chart(community);
        let best = standard
            .iter()
            .filter(|&&archetype| chart(archetype) == hub_chart)
            .filter_map(|&archetype| {
                let bespoke = crate::check::policy::fit(
                    fleet,
                    &analysis.schema,
                    &analysis.names,
                    today,
                    community,
                    archetype,
                )?;
                Some((bespoke, fleet.decl(archetype).display.clone()))
            })
            .min();
        let (Some((_, archetype)), Some(file)) = (best, file_of(community)) else {
            continue;
        };
        if let Some(text) = imported.files.get_mut(&file) {
            let placed = text
                .replacen(" : imported_daskhub", &format!(" : {archetype}"), 1)
                .replacen(" : imported ", &format!(" : {archetype} "), 1);
            if placed != *text {
                *text = placed;
                imported.n_fitted += 1;
            }
        }
    }
}
