//! Terraform projects and modules of an imported fleet: every `terraform/<module>/projects/*.tfvars`
//! is read and given to the cluster it belongs to (by name, else by what it holds), or kept as a
//! project of its own; every module's `variables.tf` becomes the `.hub` schema of its variables.

use std::collections::{BTreeMap, BTreeSet};

use super::{ImportError, Importer, hcl};
use crate::emit::Value;
use crate::source::{Loc, Span};

/// How a variables file found its cluster.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Matched {
    /// The file is named after the cluster.
    ByName,
    /// Its `prefix`, `project_id`, `cluster_name` or `resourcegroup_name` names the cluster.
    ByContents,
    /// No cluster: the project is imported on its own.
    Alone,
}

/// One `.tfvars` file of the input.
#[derive(Debug, Clone)]
pub struct Project {
    /// The file, relative to the input's root.
    pub path: String,
    /// The module directory: `terraform/<module>/projects/`.
    pub module: String,
    /// The file's name without `.tfvars`, which the build writes it as again.
    pub stem: String,
    pub variables: Vec<(String, Value)>,
    pub matched: Matched,
    /// The start of the file, for diagnostics.
    pub at: Loc,
}

impl Project {
    /// Where the build writes the project's variables.
    pub fn output_path(&self) -> String {
        format!("terraform/{}/{}.tfvars", self.module, self.stem)
    }
}

/// The projects of the input, by the cluster they belong to, and those of no cluster.
#[derive(Debug, Default)]
pub struct Projects {
    pub by_cluster: BTreeMap<String, Project>,
    pub alone: Vec<Project>,
}

/// What a cluster's `cluster.yaml` says that a variables file may repeat: its name, and the
/// names of its cloud project, cluster and resource group.
pub struct ClusterIdentity {
    pub name: String,
    /// `gcp`, `aws`, `azure` or `kubeconfig`.
    pub provider: String,
    pub identifiers: BTreeSet<String>,
}

impl ClusterIdentity {
    pub fn of(name: &str, manifest: Option<&Value>) -> ClusterIdentity {
        let field = |value: Option<&Value>, key: &str| -> Option<Value> {
            match value? {
                Value::Map(entries) => entries
                    .iter()
                    .find(|(entry, _)| entry == key)
                    .map(|(_, value)| value.clone()),
                _ => None,
            }
        };
        let provider = match field(manifest, "provider") {
            Some(Value::Str(provider)) => provider,
            _ => "kubeconfig".to_string(),
        };
        let settings = field(manifest, &provider);
        let mut identifiers = BTreeSet::from([name.to_string()]);
        for key in ["project", "cluster", "clusterName", "resource_group"] {
            if let Some(Value::Str(text)) = field(settings.as_ref(), key) {
                identifiers.insert(text);
            }
        }
        ClusterIdentity {
            name: name.to_string(),
            provider,
            identifiers,
        }
    }

    /// Whether a project of `module` can be this cluster's: the module of its provider, or any
    /// module for a cluster reached by kubeconfig.
    fn accepts(&self, module: &str) -> bool {
        self.provider == module || self.provider == "kubeconfig"
    }
}

/// The variables of a project that name the cluster it is for.
const IDENTIFYING_VARIABLES: &[&str] =
    &["prefix", "project_id", "cluster_name", "resourcegroup_name"];

impl Importer<'_> {
    /// Reads every variables file under `terraform/*/projects/` and matches it to a cluster.
    pub(super) fn projects(&mut self, clusters: &[ClusterIdentity]) -> Projects {
        let mut found = Vec::new();
        let paths: Vec<String> = self.input.files.keys().cloned().collect();
        for path in paths {
            let Some((module, file)) = project_file(&path) else {
                continue;
            };
            let Some(stem) = file.strip_suffix(".tfvars") else {
                continue;
            };
            let (module, stem) = (module.to_string(), stem.to_string());
            if let Some((variables, at)) = self.tfvars(&path) {
                self.accounted.insert(path.clone());
                found.push(Project {
                    path,
                    module,
                    stem,
                    variables,
                    matched: Matched::Alone,
                    at,
                });
            }
        }
        let mut projects = Projects::default();
        let mut unmatched: Vec<Project> = Vec::new();
        // By name first: a file named after a cluster, in the module of its provider if several
        // modules have one of that name.
        for in_its_module in [true, false] {
            for mut project in std::mem::take(&mut found) {
                let owner = clusters.iter().find(|cluster| {
                    cluster.name == project.stem
                        && (cluster.accepts(&project.module) || !in_its_module)
                        && !projects.by_cluster.contains_key(&cluster.name)
                });
                match owner {
                    Some(cluster) => {
                        project.matched = Matched::ByName;
                        projects.by_cluster.insert(cluster.name.clone(), project);
                    }
                    None => unmatched.push(project),
                }
            }
            found = std::mem::take(&mut unmatched);
        }
        let unmatched = found;
        // Then by contents, when exactly one cluster without a project fits and no other file
        // claims it.
        let mut claims: BTreeMap<String, Vec<usize>> = BTreeMap::new();
        let mut owners = Vec::new();
        for (index, project) in unmatched.iter().enumerate() {
            let named: BTreeSet<&str> = project
                .variables
                .iter()
                .filter(|(name, _)| IDENTIFYING_VARIABLES.contains(&name.as_str()))
                .filter_map(|(_, value)| match value {
                    Value::Str(text) => Some(text.as_str()),
                    _ => None,
                })
                .collect();
            let fitting: Vec<&ClusterIdentity> = clusters
                .iter()
                .filter(|cluster| {
                    !projects.by_cluster.contains_key(&cluster.name)
                        && cluster.accepts(&project.module)
                        && cluster
                            .identifiers
                            .iter()
                            .any(|identifier| named.contains(identifier.as_str()))
                })
                .collect();
            let owner = match fitting.as_slice() {
                [only] => Some(only.name.clone()),
                _ => None,
            };
            if let Some(owner) = &owner {
                claims.entry(owner.clone()).or_default().push(index);
            }
            owners.push(owner);
        }
        for (mut project, owner) in unmatched.into_iter().zip(owners) {
            match owner.filter(|owner| claims[owner].len() == 1) {
                Some(owner) => {
                    project.matched = Matched::ByContents;
                    projects.by_cluster.insert(owner, project);
                }
                None => projects.alone.push(project),
            }
        }
        projects
    }

    /// The variables of a `.tfvars` file, or nothing after reporting why it cannot be read.
    fn tfvars(&mut self, relative: &str) -> Option<(Vec<(String, Value)>, Loc)> {
        let bytes = &self.input.files[relative];
        let (text, _) = crate::syntax::decode(bytes);
        let file = self.sources.add(relative, text.as_ref());
        match hcl::parse_tfvars(&text) {
            Ok(variables) => Some((variables, Loc::new(file, Span::default()))),
            Err(error) => {
                let at = Loc::new(file, Span::new(error.offset, error.end));
                self.errors.push(match error.kind {
                    hcl::HclErrorKind::Refused => ImportError::TfvarsExpression {
                        file: relative.to_string(),
                        construct: error.message,
                        at,
                    },
                    hcl::HclErrorKind::Malformed => ImportError::MalformedTfvars {
                        file: relative.to_string(),
                        reason: error.message,
                        at,
                    },
                });
                None
            }
        }
    }

    /// The `.hub` schema of every module's variables: from the module's `variables.tf`, or, for
    /// a module some project uses without one, an open schema that checks nothing, with a
    /// warning. Returns the files to write by path.
    pub(super) fn module_schemas(&mut self, projects: &Projects) -> BTreeMap<String, String> {
        let mut schemas = BTreeMap::new();
        let mut modules: BTreeSet<String> = projects
            .by_cluster
            .values()
            .chain(&projects.alone)
            .map(|project| project.module.clone())
            .collect();
        let declared: Vec<(String, String)> = self
            .input
            .files
            .keys()
            .filter_map(|path| {
                let module = path
                    .strip_prefix("terraform/")?
                    .strip_suffix("/variables.tf")?;
                (!module.contains('/')).then(|| (module.to_string(), path.clone()))
            })
            .collect();
        for (module, path) in declared {
            modules.insert(module.clone());
            let bytes = &self.input.files[&path];
            let (text, _) = crate::syntax::decode(bytes);
            match super::terraform::module_schema(&module, &text) {
                Ok(schema) => {
                    self.accounted.insert(path.clone());
                    schemas.insert(format!("terraform/{module}/variables.hub"), schema);
                }
                Err(error) => {
                    let file = self.sources.add(path.as_str(), text.as_ref());
                    self.errors.push(ImportError::UntypedModule {
                        module: module.clone(),
                        reason: format!("`{path}` could not be read: {}", error.message),
                        at: Loc::new(file, Span::new(error.offset, error.offset)),
                    });
                }
            }
        }
        for module in modules {
            let path = format!("terraform/{module}/variables.hub");
            if schemas.contains_key(&path) {
                continue;
            }
            if !self
                .input
                .files
                .contains_key(&format!("terraform/{module}/variables.tf"))
            {
                let file = self.sources.add(format!("terraform/{module}"), "");
                self.errors.push(ImportError::UntypedModule {
                    module: module.clone(),
                    reason: format!("`terraform/{module}/variables.tf` is missing"),
                    at: Loc::new(file, Span::default()),
                });
            }
            schemas.insert(path, open_schema(&module));
        }
        schemas
    }
}

/// `terraform/<module>/projects/<file>`, as the module and the file's path below `projects/`.
pub fn project_file(path: &str) -> Option<(&str, &str)> {
    let rest = path.strip_prefix("terraform/")?;
    let (module, file) = rest.split_once("/projects/")?;
    (!module.contains('/')).then_some((module, file))
}

/// A cluster name for a project of its own: its file's name, unless a cluster has it.
pub fn project_cluster_name(project: &Project, taken: &BTreeSet<String>) -> String {
    let mut candidates = vec![
        project.stem.clone(),
        format!("{}-{}", project.stem, project.module),
    ];
    candidates.extend(
        (2..)
            .take(1000)
            .map(|n| format!("{}-{}-{n}", project.stem, project.module)),
    );
    candidates
        .into_iter()
        .find(|name| !taken.contains(name))
        .unwrap_or_else(|| project.path.replace('/', "-"))
}

/// The schema of a module whose `variables.tf` could not be read: open, so that its variables
/// are kept and not checked.
fn open_schema(module: &str) -> String {
    super::canonical(&format!(
        "//! The variables of the Terraform module `terraform/{module}`, whose `variables.tf` was not\n\
         //! imported: any variable is accepted. Declare them here to have them checked.\n\n\
         /// The variables of the `terraform/{module}` module.\n\
         schema {} {{\n  ...\n}}\n",
        super::terraform::schema_name(module)
    ))
}
