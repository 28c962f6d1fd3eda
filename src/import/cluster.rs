//! Reading a cluster: its `cluster.yaml` as a `cluster` declaration, each hub entry of it, each
//! hub's values files merged in Helm order, and the Terraform variables of its project.

use super::charts::{placeholder_archetype, split_chart, under_chart};
use super::projects::Project;
use super::values::{is_empty_map, lookup};
use super::write::{Types, key, literal, path};
use super::{
    Group, Hub, HubValues, ImportError, Imported, Importer, PendingCommunity, canonical, comments,
    groups, name_literal, normalize, placement, yaml,
};
use crate::emit::Value;
use crate::source::FileId;

impl Importer<'_> {
    pub(super) fn cluster(
        &mut self,
        cluster: &str,
        project: Option<Project>,
        imported: &mut Imported,
    ) {
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

    /// The cluster declaration of a Terraform project no cluster of the fleet uses.
    pub(super) fn project_alone(&mut self, name: &str, project: &Project) -> String {
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
