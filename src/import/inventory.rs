//! What became of every input file: imported, referenced, or named in a warning saying why not.
//! Nothing under `config/clusters/` or `terraform/*/projects/` is dropped without a word.

use super::projects::{Matched, project_file};
use super::{ImportError, Importer};
use crate::emit::Value;
use crate::source::{Loc, Span};

/// Counts of what the import did with its input, for the closing summary.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Summary {
    /// Files under `config/clusters/` and `terraform/*/projects/`, and modules' `variables.tf`.
    pub n_files: usize,
    /// Files whose content is in the imported fleet.
    pub n_imported: usize,
    /// Files the fleet names without holding them: encrypted secrets, chart overrides.
    pub n_referenced: usize,
    /// Files named in a `hub::import::not_imported` warning.
    pub n_not_imported: usize,
    pub n_projects_by_name: usize,
    pub n_projects_by_contents: usize,
    pub n_projects_alone: usize,
}

impl Summary {
    pub(super) fn count_project(&mut self, matched: Matched) {
        match matched {
            Matched::ByName => self.n_projects_by_name += 1,
            Matched::ByContents => self.n_projects_by_contents += 1,
            Matched::Alone => self.n_projects_alone += 1,
        }
    }

    pub fn n_projects(&self) -> usize {
        self.n_projects_by_name + self.n_projects_by_contents + self.n_projects_alone
    }
}

impl Importer<'_> {
    /// Counts every input file and warns about each one the fleet neither holds nor names.
    pub(super) fn inventory(&mut self, summary: &mut Summary) {
        let paths: Vec<String> = self.input.files.keys().cloned().collect();
        for path in paths {
            let in_scope = path.starts_with("config/clusters/")
                || super::instances::TABLES.contains(&path.as_str())
                || project_file(&path).is_some()
                || self.accounted.contains(&path);
            if !in_scope {
                continue;
            }
            summary.n_files += 1;
            if self.accounted.contains(&path) {
                summary.n_imported += 1;
                continue;
            }
            if self.referenced.contains(&path) {
                summary.n_referenced += 1;
                continue;
            }
            summary.n_not_imported += 1;
            let (reason, action) = self.why_not_imported(&path);
            let file = self.sources.add(path.as_str(), "");
            self.errors.push(ImportError::NotImported {
                file: path,
                reason: reason.to_string(),
                action: action.to_string(),
                at: Loc::new(file, Span::default()),
            });
        }
    }

    /// Why a file was not imported, and what to do about it.
    fn why_not_imported(&self, path: &str) -> (&'static str, &'static str) {
        if let Some((_, file)) = project_file(path) {
            return if file.ends_with(".tfvars.json") {
                (
                    "JSON variables files are not imported",
                    "write it as a `.tfvars` file and import again",
                )
            } else if file.ends_with(".tfvars") {
                (
                    "it could not be read",
                    "fix the problem reported for it and import again",
                )
            } else {
                (
                    "it is not a `.tfvars` file",
                    "if it holds Terraform variables, name it `*.tfvars` and import again",
                )
            };
        }
        if super::instances::TABLES.contains(&path) {
            return (
                "it is not a table of instance types (a map of each type's `cpu_capacity_low`, `cpu_allocatable_low`, `mem_capacity_low` and `mem_allocatable_low`)",
                "fix the table and import again, or declare the instance types in `.hub`",
            );
        }
        let Some(rest) = path.strip_prefix("config/clusters/") else {
            return ("it is not a file hubc imports", "leave it where it is");
        };
        let Some((cluster, file)) = rest.split_once('/') else {
            return (
                "it is in no cluster's directory",
                "move it into the directory of the cluster it belongs to",
            );
        };
        let manifest_path = format!("config/clusters/{cluster}/cluster.yaml");
        let Some(Some((_, manifest))) = self.parsed.get(&manifest_path) else {
            return if self.input.files.contains_key(&manifest_path) {
                (
                    "the `cluster.yaml` beside it could not be read",
                    "fix the problem reported for `cluster.yaml` and import again",
                )
            } else {
                (
                    "its directory has no `cluster.yaml`",
                    "add the cluster's `cluster.yaml`, or move the file out of `config/clusters`",
                )
            };
        };
        if support_files(manifest).iter().any(|listed| listed == file) {
            return (
                "it holds values of the cluster's support chart, which hubc does not build",
                "keep it beside the deploy manifest: the cluster's `support` setting still lists it",
            );
        }
        if file.starts_with("enc-") || file.contains(".secret.") {
            return (
                "it is an encrypted file that no hub lists",
                "list it in the `helm_chart_values_files` of the hubs it is for, or delete it",
            );
        }
        if file.ends_with(".yaml") || file.ends_with(".yml") {
            return (
                "no hub lists it in `helm_chart_values_files`",
                "list it in the hubs it is for, or delete it",
            );
        }
        (
            "it is not a file hubc imports",
            "keep it beside the deploy manifest if the deployer needs it",
        )
    }
}

/// The files a cluster's `support.helm_chart_values_files` lists.
fn support_files(manifest: &Value) -> Vec<String> {
    let field = |value: &Value, key: &str| match value {
        Value::Map(entries) => entries
            .iter()
            .find(|(entry, _)| entry == key)
            .map(|(_, value)| value.clone()),
        _ => None,
    };
    let Some(support) = field(manifest, "support") else {
        return Vec::new();
    };
    match field(&support, "helm_chart_values_files") {
        Some(Value::List(files)) => files
            .into_iter()
            .filter_map(|file| match file {
                Value::Str(file) => Some(file),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    }
}
