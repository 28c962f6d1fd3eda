//! Generated fleets in the layout `hubc import` reads: clusters listing hubs, shared and own
//! values files, secret files listed but absent, and Terraform variables; the files they are
//! written as, and what each hub's values and each cluster's variables must come back as.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use proptest::prelude::*;

use super::model::{self, Map, Meaning};
use super::strategy::{double_quoted, text, values_file};

#[derive(Clone)]
pub struct Fleet {
    pub clusters: Vec<Cluster>,
}

/// A fleet shows as its files, so that a failing case reads as the fleet it is.
impl std::fmt::Debug for Fleet {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (path, text) in self.files() {
            writeln!(formatter, "### {path}\n{text}")?;
        }
        Ok(())
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Provider {
    Gcp,
    Aws,
    /// A kubeconfig cluster whose infrastructure is the `azure` Terraform module.
    Azure,
    /// A kubeconfig cluster without Terraform variables.
    Kubeconfig,
}

#[derive(Clone, Debug)]
pub struct Cluster {
    pub name: String,
    pub provider: Provider,
    pub hubs: Vec<Hub>,
    /// Files several hubs may list: name, whether for daskhub hubs, and the document.
    pub shared: Vec<(String, bool, Map)>,
    pub tfvars: Vec<(String, Tf)>,
}

#[derive(Clone, Debug)]
pub struct Hub {
    pub name: String,
    pub daskhub: bool,
    pub display_name: String,
    /// The values files in Helm order.
    pub files: Vec<Listed>,
}

#[derive(Clone, Debug)]
pub enum Listed {
    /// The shared file of this index in the cluster's `shared`.
    Shared(usize),
    /// A file of the hub's own, with its number among them.
    Own(usize, Map),
    /// An encrypted file, listed but absent.
    Secret(usize),
}

/// A Terraform value.
#[derive(Clone, Debug)]
pub enum Tf {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    List(Vec<Tf>),
}

impl Cluster {
    /// The name of a file a hub lists.
    pub fn file_name(&self, hub: &Hub, listed: &Listed) -> String {
        match listed {
            Listed::Shared(index) => self.shared[*index].0.clone(),
            Listed::Own(0, _) => format!("{}.values.yaml", hub.name),
            Listed::Own(number, _) => format!("{}-{number}.values.yaml", hub.name),
            Listed::Secret(0) => format!("enc-{}.secret.values.yaml", hub.name),
            Listed::Secret(number) => format!("enc-{}-{number}.secret.values.yaml", hub.name),
        }
    }

    /// What Helm reads for a hub: the deep merge of its plaintext values files, in order.
    pub fn merged_values(&self, hub: &Hub) -> Meaning {
        let mut merged = Meaning::Map(BTreeMap::new());
        for listed in &hub.files {
            let document = match listed {
                Listed::Shared(index) => &self.shared[*index].2,
                Listed::Own(_, document) => document,
                Listed::Secret(_) => continue,
            };
            model::merge(&mut merged, &model::meaning(document));
        }
        // FIXME: a daskhub hub none of whose files has a `basehub` key still gets `basehub: {}`
        // from the build, as `.hub` has no way to say that the hub values are absent. Helm reads
        // both the same once the chart's defaults are merged in.
        if let Meaning::Map(entries) = &mut merged
            && hub.daskhub
        {
            entries
                .entry("basehub".to_string())
                .or_insert_with(|| Meaning::Map(BTreeMap::new()));
        }
        merged
    }

    /// The Terraform module of the cluster's variables, if it has any.
    pub fn module(&self) -> Option<&'static str> {
        match self.provider {
            Provider::Gcp => Some("gcp"),
            Provider::Aws => Some("aws"),
            Provider::Azure => Some("azure"),
            Provider::Kubeconfig => None,
        }
    }
}

impl Fleet {
    /// Every file of the fleet, by path relative to its root.
    pub fn files(&self) -> BTreeMap<String, String> {
        let mut files = BTreeMap::new();
        for cluster in &self.clusters {
            let directory = format!("config/clusters/{}", cluster.name);
            files.insert(format!("{directory}/cluster.yaml"), manifest(cluster));
            for (name, _, document) in &cluster.shared {
                let text = model::to_yaml(document, Some("shared by several hubs"));
                files.insert(format!("{directory}/{name}"), text);
            }
            for hub in &cluster.hubs {
                for listed in &hub.files {
                    if let Listed::Own(_, document) = listed {
                        let name = cluster.file_name(hub, listed);
                        files.insert(
                            format!("{directory}/{name}"),
                            model::to_yaml(document, None),
                        );
                    }
                }
            }
            if let Some(module) = cluster.module() {
                files.insert(
                    format!("terraform/{module}/projects/{}.tfvars", cluster.name),
                    tfvars(&cluster.tfvars),
                );
            }
        }
        files
    }
}

/// The cluster's `cluster.yaml`.
fn manifest(cluster: &Cluster) -> String {
    let name = &cluster.name;
    let mut out = format!("name: {name}\n");
    match cluster.provider {
        Provider::Gcp => {
            let _ = write!(
                out,
                "provider: gcp\ngcp:\n  key: enc-deployer-credentials.secret.json\n  project: {name}\n  cluster: {name}-cluster\n  zone: us-central1-b\n  billing:\n    paid_by_us: true\n"
            );
        }
        Provider::Aws => {
            let _ = write!(
                out,
                "provider: aws\naws:\n  account: 123456789012\n  key: enc-deployer-credentials.secret.json\n  clusterType: eks\n  clusterName: {name}\n  region: us-west-2\n  billing:\n    paid_by_us: false\n"
            );
        }
        Provider::Azure | Provider::Kubeconfig => {
            out.push_str(
                "provider: kubeconfig # the deployer reads a kubeconfig\nkubeconfig:\n  file: enc-deployer-credentials.secret.yaml\n",
            );
        }
    }
    out.push_str("metadata:\n  2i2c:\n    hubspot_deal_id: 12345\nhubs:\n");
    for hub in &cluster.hubs {
        let _ = writeln!(out, "- name: {}", hub.name);
        let _ = writeln!(out, "  display_name: {}", double_quoted(&hub.display_name));
        let _ = writeln!(out, "  domain: {}.{name}.example.org", hub.name);
        let chart = if hub.daskhub { "daskhub" } else { "basehub" };
        let _ = writeln!(out, "  helm_chart: {chart}\n  helm_chart_values_files:");
        for listed in &hub.files {
            let _ = writeln!(out, "  - {}", cluster.file_name(hub, listed));
        }
    }
    out
}

/// A `.tfvars` file: one attribute per variable, some with a comment above.
fn tfvars(variables: &[(String, Tf)]) -> String {
    let mut out = String::from("# Generated variables.\n");
    for (index, (name, value)) in variables.iter().enumerate() {
        match index % 3 {
            0 => out.push_str("// a comment\n"),
            1 => out.push_str("/* a\n   block comment */\n"),
            _ => {}
        }
        let _ = writeln!(out, "{name} = {}", tf_literal(value));
    }
    out
}

fn tf_literal(value: &Tf) -> String {
    match value {
        Tf::Str(text)
            if text.ends_with('\n') && !text.chars().any(|c| c.is_control() && c != '\n') =>
        {
            // A heredoc keeps its lines as they are; `${` and `%{` are escaped there too.
            let body = text.replace("${", "$${").replace("%{", "%%{");
            if body.lines().any(|line| line.trim() == "EOT") {
                return tf_string(text);
            }
            format!("<<EOT\n{body}EOT")
        }
        Tf::Str(text) => tf_string(text),
        Tf::Int(int) => int.to_string(),
        Tf::Float(float) => format!("{float:?}"),
        Tf::Bool(boolean) => boolean.to_string(),
        Tf::List(items) => {
            let items: Vec<String> = items.iter().map(tf_literal).collect();
            format!("[{}]", items.join(", "))
        }
    }
}

/// A quoted HCL string, with template sequences escaped.
fn tf_string(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out.replace("${", "$${").replace("%{", "%%{")
}

const CLUSTER_NAMES: &[&str] = &["alpha", "b-2", "delete", "2i2c-us", "mixin"];
const HUB_NAMES: &[&str] = &["staging", "prod", "with", "2i2c", "a-b", "tunable", "hub_1"];

fn tf_string_value() -> BoxedStrategy<Tf> {
    text()
        .prop_filter("terraform strings hold no NUL", |text| !text.contains('\0'))
        .prop_map(Tf::Str)
        .boxed()
}

/// The variables of a module, with values of the types it declares.
fn variables(provider: &Provider) -> BoxedStrategy<Vec<(String, Tf)>> {
    let string = tf_string_value;
    let boolean = || any::<bool>().prop_map(Tf::Bool).boxed();
    let (required, optional): (Vec<&str>, Vec<(&str, BoxedStrategy<Tf>)>) = match provider {
        Provider::Gcp => (
            vec!["billing_account_id"],
            vec![
                ("prefix", string()),
                ("project_id", string()),
                ("budget_alert_enabled", boolean()),
                (
                    "k8s_version_prefixes",
                    prop::collection::vec(string(), 0..3)
                        .prop_map(Tf::List)
                        .boxed(),
                ),
                ("zone", string()),
            ],
        ),
        Provider::Aws => (
            vec!["cluster_nodes_location"],
            vec![
                ("region", string()),
                ("db_enabled", boolean()),
                (
                    "db_storage_size",
                    prop_oneof![
                        any::<i32>().prop_map(|int| Tf::Int(i64::from(int))),
                        Just(Tf::Float(2.5)),
                    ]
                    .boxed(),
                ),
            ],
        ),
        Provider::Azure => (
            vec!["tenant_id", "subscription_id", "resourcegroup_name"],
            vec![
                ("kubernetes_rbac_enabled", boolean()),
                ("location", string()),
            ],
        ),
        Provider::Kubeconfig => (Vec::new(), Vec::new()),
    };
    let required: Vec<BoxedStrategy<(String, Tf)>> = required
        .into_iter()
        .map(|name| {
            string()
                .prop_map(move |value| (name.to_string(), value))
                .boxed()
        })
        .collect();
    let optional: Vec<BoxedStrategy<Option<(String, Tf)>>> = optional
        .into_iter()
        .map(|(name, value)| {
            prop::option::of(value.prop_map(move |value| (name.to_string(), value))).boxed()
        })
        .collect();
    (required, optional)
        .prop_map(|(required, optional)| {
            required
                .into_iter()
                .chain(optional.into_iter().flatten())
                .collect()
        })
        .boxed()
}

/// One hub: its chart, its own files, its secret files, and which shared files it lists, in
/// a shuffled order.
fn hub(name: &'static str) -> BoxedStrategy<(Hub, [bool; 2])> {
    any::<bool>()
        .prop_flat_map(move |daskhub| {
            (
                prop::collection::vec(values_file(daskhub), 1..3),
                0..3usize,
                any::<[bool; 2]>(),
                text(),
            )
                .prop_flat_map(move |(own, n_secrets, shared, display_name)| {
                    let mut files: Vec<Listed> = own
                        .into_iter()
                        .enumerate()
                        .map(|(number, document)| Listed::Own(number, document))
                        .collect();
                    files.extend((0..n_secrets).map(Listed::Secret));
                    // Placeholders for the shared files, numbered when the cluster is known.
                    for (index, listed) in shared.iter().enumerate() {
                        if *listed {
                            files.push(Listed::Shared(index));
                        }
                    }
                    (Just(files).prop_shuffle(), Just(display_name), Just(shared))
                })
                .prop_map(move |(files, display_name, shared)| {
                    let hub = Hub {
                        name: name.to_string(),
                        daskhub,
                        display_name,
                        files,
                    };
                    (hub, shared)
                })
        })
        .boxed()
}

fn cluster(name: &'static str) -> BoxedStrategy<Cluster> {
    let provider = prop_oneof![
        Just(Provider::Gcp),
        Just(Provider::Aws),
        Just(Provider::Azure),
        Just(Provider::Kubeconfig),
    ];
    (
        provider,
        prop::sample::subsequence(HUB_NAMES, 1..=3),
        prop::collection::vec(values_file(false), 2),
        prop::collection::vec(values_file(true), 2),
    )
        .prop_flat_map(move |(provider, names, basehub_shared, daskhub_shared)| {
            let hubs: Vec<BoxedStrategy<(Hub, [bool; 2])>> = names.into_iter().map(hub).collect();
            (hubs, variables(&provider)).prop_map(move |(hubs, tfvars)| {
                let mut shared = Vec::new();
                for (index, document) in basehub_shared.iter().enumerate() {
                    let name = ["common.values.yaml", "more.common.values.yaml"][index];
                    shared.push((name.to_string(), false, document.clone()));
                }
                for (index, document) in daskhub_shared.iter().enumerate() {
                    let name = ["dask-common.values.yaml", "dask_2.values.yaml"][index];
                    shared.push((name.to_string(), true, document.clone()));
                }
                let hubs = hubs
                    .into_iter()
                    .map(|(mut hub, _)| {
                        // A hub lists the shared files of its own chart.
                        let offset = if hub.daskhub { 2 } else { 0 };
                        for listed in &mut hub.files {
                            if let Listed::Shared(index) = listed {
                                *index += offset;
                            }
                        }
                        hub
                    })
                    .collect();
                Cluster {
                    name: name.to_string(),
                    provider: provider.clone(),
                    hubs,
                    shared,
                    tfvars,
                }
            })
        })
        .boxed()
}

/// A fleet of one or two clusters.
pub fn fleet() -> BoxedStrategy<Fleet> {
    prop::sample::subsequence(CLUSTER_NAMES, 1..=2)
        .prop_flat_map(|names| {
            let clusters: Vec<BoxedStrategy<Cluster>> = names.into_iter().map(cluster).collect();
            clusters
        })
        .prop_map(|clusters| Fleet { clusters })
        .boxed()
}
