//! The base of `hubc diff`: a directory, or the fleet at a git revision, materialised with
//! `git archive` into a temporary directory.

use std::path::{Path, PathBuf};

/// The version of a fleet `hubc diff --base REF` compares against: a directory as it is, or the
/// fleet as it was at a git revision, extracted into a temporary directory that goes away with
/// this value.
#[derive(Debug)]
pub struct BaseFleet {
    /// The fleet to load: a directory, or a file and its imports.
    pub fleet: PathBuf,
    /// Whether it came from git, rather than a directory given as it is.
    pub from_git: bool,
    temporary: Option<PathBuf>,
}

impl Drop for BaseFleet {
    fn drop(&mut self) {
        if let Some(temporary) = &self.temporary {
            let _ = std::fs::remove_dir_all(temporary);
        }
    }
}

/// The directory a fleet's module names and file names are relative to: the fleet itself, or
/// the directory of a fleet given as a file.
pub fn fleet_root(fleet: &Path) -> PathBuf {
    if fleet.is_dir() {
        fleet.to_path_buf()
    } else {
        fleet
            .parent()
            .filter(|parent| !parent.as_os_str().is_empty())
            .unwrap_or(Path::new("."))
            .to_path_buf()
    }
}

/// The git repository `path` is in: its top directory, and `path` relative to it (empty for
/// the top itself). `None` outside a repository, or without git.
pub fn repository_of(path: &Path) -> Option<(PathBuf, PathBuf)> {
    let canonical = path.canonicalize().ok()?;
    let directory = if canonical.is_dir() {
        canonical.clone()
    } else {
        canonical.parent()?.to_path_buf()
    };
    let output = std::process::Command::new("git")
        .arg("-C")
        .arg(&directory)
        .args(["rev-parse", "--show-toplevel"])
        .stdin(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .output()
        .ok()?;
    if !output.status.success() {
        return None;
    }
    let top = String::from_utf8(output.stdout).ok()?;
    let top = PathBuf::from(top.trim_end_matches(['\n', '\r']))
        .canonicalize()
        .ok()?;
    let relative = canonical.strip_prefix(&top).ok()?.to_path_buf();
    Some((top, relative))
}

/// Materialises the base of `hubc diff`. A `base` that is an existing directory is the base
/// fleet itself (for a `fleet` given as a file, the directory holds a file of the same name).
/// Otherwise `base` is a git revision of the repository `fleet` is in: the fleet's directory
/// at that revision is extracted with `git archive | tar -x` into a new directory under the
/// system's temporary directory. Nothing in the repository is touched.
pub fn checkout_base(base: &str, fleet: &Path) -> Result<BaseFleet, String> {
    let directory = Path::new(base);
    if directory.is_dir() {
        let fleet = if fleet.is_dir() {
            directory.to_path_buf()
        } else {
            directory.join(fleet.file_name().unwrap_or_default())
        };
        return Ok(BaseFleet {
            fleet,
            from_git: false,
            temporary: None,
        });
    }
    if !fleet.exists() {
        return Err(format!("`{}` does not exist", fleet.display()));
    }
    let Some((top, relative)) = repository_of(fleet) else {
        return Err(format!(
            "`{base}` is not a directory, and `{}` is not in a git repository to find it in",
            fleet.display()
        ));
    };
    if base.starts_with('-') || base.is_empty() {
        return Err(format!("`{base}` is not a git revision"));
    }
    let git = |args: &[&str]| {
        let mut command = std::process::Command::new("git");
        command
            .arg("-C")
            .arg(&top)
            .args(args)
            .stdin(std::process::Stdio::null());
        command
    };
    let verified = git(&[
        "rev-parse",
        "--verify",
        "--quiet",
        &format!("{base}^{{commit}}"),
    ])
    .stderr(std::process::Stdio::null())
    .output()
    .map_err(|error| format!("cannot run git: {error}"))?;
    if !verified.status.success() {
        return Err(format!(
            "`{base}` is neither a directory nor a revision of the git repository `{}`",
            top.display()
        ));
    }
    let commit = String::from_utf8_lossy(&verified.stdout).trim().to_string();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.subsec_nanos());
    let temporary =
        std::env::temp_dir().join(format!("hubc-diff-{}-{nanos:09}", std::process::id()));
    std::fs::create_dir_all(&temporary).map_err(|error| {
        format!(
            "cannot create the temporary directory `{}`: {error}",
            temporary.display()
        )
    })?;
    // Made now, so that the directory is removed whatever fails below.
    let checkout = BaseFleet {
        fleet: temporary.join(&relative),
        from_git: true,
        temporary: Some(temporary.clone()),
    };
    // The fleet's directory: a fleet given as a file imports its siblings.
    let fleet_directory = if fleet.is_dir() {
        relative.clone()
    } else {
        relative.parent().map(Path::to_path_buf).unwrap_or_default()
    };
    let pathspec: Vec<String> = fleet_directory
        .components()
        .map(|part| part.as_os_str().to_string_lossy().into_owned())
        .collect();
    let mut archive_command = git(&["archive", "--format=tar", &commit]);
    if !pathspec.is_empty() {
        archive_command.arg("--").arg(pathspec.join("/"));
    }
    let mut archive = archive_command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .map_err(|error| format!("cannot run git: {error}"))?;
    let archive_stdout = archive.stdout.take().expect("stdout is piped");
    let extracted = std::process::Command::new("tar")
        .arg("-x")
        .arg("-f")
        .arg("-")
        .arg("-C")
        .arg(&temporary)
        .stdin(archive_stdout)
        .stderr(std::process::Stdio::piped())
        .output();
    let archived = archive
        .wait_with_output()
        .map_err(|error| format!("cannot run git: {error}"))?;
    if !archived.status.success() {
        let reason = String::from_utf8_lossy(&archived.stderr).trim().to_string();
        return Err(format!(
            "cannot read `{}` at `{base}`: {reason}",
            fleet_directory.display()
        ));
    }
    match extracted {
        Ok(output) if output.status.success() => {}
        Ok(output) => {
            return Err(format!(
                "cannot extract the fleet at `{base}`: {}",
                String::from_utf8_lossy(&output.stderr).trim()
            ));
        }
        Err(error) => return Err(format!("cannot run tar: {error}")),
    }
    if !checkout.fleet.exists() {
        return Err(format!(
            "`{}` does not exist at `{base}`",
            relative.display()
        ));
    }
    Ok(checkout)
}
