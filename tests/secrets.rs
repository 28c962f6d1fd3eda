//! Secrets are never printed: the encrypted files communities reference with `secret(...)` are
//! named, never read, by every command; a literal credential (`hub::check::literal_secret`) is
//! masked in the snippets of human reports, in `hubc explain`, and in `hubc diff` against a
//! base that still holds it. Each run goes through the real binary, on a git repository whose
//! secret files hold a recognisable sentinel, and every byte printed or written is searched.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::path::Path;

use common::repo::Repo;
use common::run;

/// What every secret file next to the fleet holds.
const SENTINEL: &str = "SENTINEL-7f3a";
/// A literal credential committed in the base, then moved into a secret file.
const LITERAL: &str = "LITERAL-9c2e-hunter2";

const PROD: &str = "clusters/leap/prod.hub";
const USERNAME: &str = "username = \"_json_key\"";

/// Writes every encrypted file the `.hub` files under `directory` name (`enc-...`), beside
/// them, holding the sentinel.
fn plant_secret_files(directory: &Path) {
    for hub in common::hub_files(directory) {
        let text = std::fs::read_to_string(&hub).unwrap();
        for name in text.split('"').filter(|part| part.starts_with("enc-")) {
            let path = hub.parent().unwrap().join(name);
            std::fs::write(path, format!("password: {SENTINEL}\n")).unwrap();
        }
    }
}

/// Fails if the sentinel or the literal is in `text`, naming what printed or wrote it.
fn assert_clean(what: &str, text: &str) {
    for secret in [SENTINEL, LITERAL] {
        assert!(!text.contains(secret), "{what} shows `{secret}`:\n{text}");
    }
}

/// Runs `hubc ARGS` at the repository root and checks that nothing it printed holds a secret:
/// the exit code and stdout.
fn clean_run(repo: &Repo, args: &[&str]) -> (i32, String) {
    let (code, stdout, stderr) = run(repo.path(), args);
    assert_clean(&format!("stdout of hubc {args:?}"), &stdout);
    assert_clean(&format!("stderr of hubc {args:?}"), &stderr);
    (code, stdout)
}

/// The example fleet with its secret files, committed; then the literal credential, committed.
fn repository(name: &str) -> Repo {
    let repo = Repo::new(name);
    plant_secret_files(&repo.path().join("fleet"));
    repo.commit("the secret files");
    repo.edit(
        PROD,
        USERNAME,
        &format!("{USERNAME}\n    password = \"{LITERAL}\""),
    );
    repo.commit("a literal credential");
    repo
}

#[test]
fn a_literal_credential_is_refused_and_masked_in_every_report_of_it() {
    let repo = repository("literal");
    for format in ["human", "json", "github"] {
        let (code, stdout) = clean_run(&repo, &["check", "fleet", "--format", format]);
        assert_eq!(code, 1, "{format}: {stdout}");
        if format != "human" {
            assert!(stdout.contains("literal_secret"), "{stdout}");
        }
    }
    let (_, _, stderr) = run(repo.path(), &["check", "fleet"]);
    assert!(
        stderr.contains("password = \"********************\""),
        "the snippet shows the line, masked: {stderr}"
    );
    for format in ["text", "markdown", "json", "html"] {
        let (code, _) = clean_run(&repo, &["drift", "fleet", "--format", format]);
        assert_eq!(code, 1, "drift --format {format}");
    }
    // `explain` shows the values of a fleet with errors, with the credential masked.
    let (_, stdout) = clean_run(
        &repo,
        &[
            "explain",
            "leap/prod",
            "binderhub-service",
            "--fleet",
            "fleet",
        ],
    );
    assert!(
        stdout.contains("buildPodsRegistryCredentials.password = <redacted>"),
        "{stdout}"
    );
    let (code, _) = clean_run(&repo, &["build", "fleet", "--out", "out"]);
    assert_eq!(code, 1);
    assert!(
        !repo.path().join("out").exists(),
        "a failed build writes nothing"
    );
}

#[test]
fn the_diff_that_moves_a_credential_into_a_secret_file_masks_it_and_reads_no_secret_file() {
    let repo = repository("moved");
    // The head drops the literal and references its secret file by another name.
    repo.edit(PROD, &format!("\n    password = \"{LITERAL}\""), "");
    repo.edit(
        PROD,
        "secret(\"enc-prod.secret.values.yaml\")",
        "secret(\"enc-prod-2026.secret.values.yaml\")",
    );
    plant_secret_files(&repo.path().join("fleet"));
    for base in ["HEAD", "HEAD~1"] {
        for format in ["text", "markdown", "json", "github"] {
            let args = ["diff", "--base", base, "fleet", "--format", format];
            let (code, stdout) = clean_run(&repo, &args);
            assert_eq!(code, 2, "{args:?}: {stdout}");
            if format == "json" {
                let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
                let secrets = report["secrets"].to_string();
                assert!(
                    secrets.contains("enc-prod-2026.secret.values.yaml"),
                    "{secrets}"
                );
            }
            // Against the base that holds the literal, the removed value is masked.
            if base == "HEAD" && format != "github" {
                assert!(stdout.contains("<redacted>"), "{args:?}: {stdout}");
            }
        }
    }
    for format in ["text", "markdown", "json", "html"] {
        let (code, _) = clean_run(&repo, &["drift", "fleet", "--format", format]);
        assert_eq!(code, 0, "drift --format {format}");
    }
    let (code, stdout) = clean_run(&repo, &["explain", "leap/prod", "--fleet", "fleet"]);
    assert_eq!(code, 0);
    assert!(
        stdout.contains("enc-prod-2026.secret.values.yaml"),
        "{stdout}"
    );
    for format in ["human", "json", "github"] {
        let (code, _) = clean_run(&repo, &["check", "fleet", "--format", format]);
        assert_eq!(code, 0, "check --format {format}");
    }
    let (code, _) = clean_run(&repo, &["build", "fleet", "--out", "out"]);
    assert_eq!(code, 0);
    let written = common::files_under(&repo.path().join("out"));
    assert!(!written.is_empty());
    let mut named = false;
    for file in written {
        let text = String::from_utf8_lossy(&std::fs::read(&file).unwrap()).into_owned();
        assert_clean(&file.display().to_string(), &text);
        named |= text.contains("enc-prod-2026.secret.values.yaml");
    }
    assert!(named, "the build names the secret file it does not read");
}
