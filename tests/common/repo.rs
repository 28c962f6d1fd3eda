//! A git repository in a temporary directory holding a fleet as `fleet/`, for the tests of
//! `hubc diff --base REV`: commits and working-tree edits, with git configured for the test
//! alone.

#![allow(clippy::disallowed_methods)] // tests set up and read files

use std::path::Path;
use std::process::Command;

use super::{TempDir, copy_dir};

pub struct Repo {
    dir: TempDir,
}

impl Repo {
    /// A repository with `examples/fleet` committed as `fleet/`.
    pub fn new(name: &str) -> Repo {
        let repo = Repo::empty(name);
        copy_dir(
            &super::root().join("examples/fleet"),
            &repo.path().join("fleet"),
        );
        repo.commit("the example fleet");
        repo
    }

    /// A repository with no commit yet.
    pub fn empty(name: &str) -> Repo {
        let repo = Repo {
            dir: TempDir::new(&format!("repo-{name}")),
        };
        repo.git(&["init", "-q"]);
        repo.git(&["config", "user.email", "ci@example.org"]);
        repo.git(&["config", "user.name", "hubc tests"]);
        repo.git(&["config", "commit.gpgsign", "false"]);
        repo
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn git(&self, args: &[&str]) -> String {
        let output = Command::new("git")
            .arg("-C")
            .arg(self.path())
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("git runs");
        assert!(
            output.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout).into_owned()
    }

    pub fn commit(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    /// Replaces the one occurrence of `from` in `file` (under `fleet/`) with `to`.
    pub fn edit(&self, file: &str, from: &str, to: &str) {
        let path = self.path().join("fleet").join(file);
        let text = std::fs::read_to_string(&path).expect("the file is readable");
        assert_eq!(text.matches(from).count(), 1, "`{from}` once in {file}");
        std::fs::write(&path, text.replacen(from, to, 1)).expect("the file is writable");
    }
}
