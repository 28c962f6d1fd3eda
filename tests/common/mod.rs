//! Shared helpers for the integration tests: fixture files and rendering through the public API.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use hubc::diagnostics::{self, Format};
use hubc::driver::{self, Session};

/// Splits a fixture into files. A fixture is one file, or several introduced by
/// `### path/to/file.hub` lines.
/// Lines before the first `###` line describe the fixture and belong to no file.
pub fn split_files(fixture: &str) -> Vec<(String, String)> {
    if !fixture.lines().any(|line| line.starts_with("### ")) {
        return vec![("input.hub".to_string(), fixture.to_string())];
    }
    let mut files: Vec<(String, String)> = Vec::new();
    for line in fixture.split_inclusive('\n') {
        if let Some(name) = line.strip_prefix("### ") {
            files.push((name.trim().to_string(), String::new()));
        } else if let Some((_, text)) = files.last_mut() {
            text.push_str(line);
        }
    }
    files
}

/// Parses the files of a fixture into a session, as `hubc check` would read them from disk.
pub fn load_fixture(fixture: &str) -> Session {
    let mut session = Session::default();
    for (name, text) in split_files(fixture) {
        driver::add_file(&mut session, PathBuf::from(name), text.as_bytes());
    }
    session
}

/// The diagnostics of a fixture, rendered as `hubc check` prints them for people (no colour).
pub fn check(fixture: &str) -> String {
    render(&load_fixture(fixture))
}

/// A session's diagnostics for people, or `(no diagnostics)`.
pub fn render(session: &Session) -> String {
    assert_every_diagnostic_names_a_fix(session);
    let rendered =
        diagnostics::render_all(&session.diagnostics, &session.sources, Format::Human, false);
    if rendered.is_empty() {
        "(no diagnostics)\n".to_string()
    } else {
        rendered
    }
}

/// The day fixtures are checked on, so that `@expires` dates give the same result every day.
pub const TODAY: (u16, u8, u8) = (2026, 11, 26);

/// Loads a fixture as a fleet (with the standard modules it imports) and analyses it.
pub fn analyze_fixture(fixture: &str) -> (Session, Option<hubc::driver::Analysis>) {
    let mut session = load_fixture(fixture);
    driver::load_imports(&mut session, None);
    let analysis = driver::analyze(&mut session, TODAY);
    (session, analysis)
}

/// The diagnostics of a fixture analysed as a fleet, rendered for people (no colour).
pub fn check_fleet(fixture: &str) -> String {
    render(&analyze_fixture(fixture).0)
}

/// The project root, where `Cargo.toml` is.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every `.hub` file under `directory`, recursively, sorted.
pub fn hub_files(directory: &Path) -> Vec<PathBuf> {
    files_under(directory)
        .into_iter()
        .filter(|path| path.extension().is_some_and(|extension| extension == "hub"))
        .collect()
}

/// Every file under `directory`, recursively, sorted.
pub fn files_under(directory: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut pending = vec![directory.to_path_buf()];
    while let Some(next) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&next) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push(path);
            }
        }
    }
    found.sort();
    found
}

/// The messages of the syntax errors of `text`; warnings are left out, as `hubc fmt` ignores
/// them.
pub fn syntax_errors(text: &str) -> Vec<String> {
    use miette::Diagnostic as _;
    hubc::syntax::parse(text)
        .errors
        .iter()
        .filter(|error| {
            error
                .severity()
                .is_none_or(|severity| severity == miette::Severity::Error)
        })
        .map(ToString::to_string)
        .collect()
}

/// The real fleet in `../shared/corpus`, if it is there. CI sets `HUBC_REQUIRE_CORPUS` and then
/// a missing corpus fails the test; elsewhere the test says plainly that it skipped.
pub fn corpus() -> Option<PathBuf> {
    let corpus = root().join("../shared/corpus");
    if corpus.is_dir() {
        return Some(corpus);
    }
    if std::env::var_os("HUBC_REQUIRE_CORPUS").is_some() {
        panic!("../shared/corpus is missing, and HUBC_REQUIRE_CORPUS is set");
    }
    eprintln!(
        "skipped: ../shared/corpus is not there, so the tests over the real fleet did not run"
    );
    None
}

/// The path of the `hubc` binary built for these tests.
pub fn hubc() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_hubc"))
}

/// Runs `hubc` without colour, on the day fixtures are checked on.
pub fn run_hubc(arguments: &[&str]) -> std::process::Output {
    hubc()
        .args(["--color", "never", "--today", "2026-11-26"])
        .args(arguments)
        .output()
        .expect("hubc runs")
}

/// What a run printed on stderr.
pub fn stderr_text(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A fresh directory under the system's temporary directory, removed when dropped.
pub struct TempDir(PathBuf);

impl TempDir {
    /// A directory named after the test binary, the process and `test_name`.
    pub fn new(test_name: &str) -> TempDir {
        let binary = std::env::current_exe()
            .ok()
            .and_then(|exe| {
                exe.file_stem()
                    .map(|stem| stem.to_string_lossy().into_owned())
            })
            .unwrap_or_default();
        let path =
            std::env::temp_dir().join(format!("hubc-{binary}-{}-{test_name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("the temporary directory can be created");
        TempDir(path)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Writes `contents` to `name` inside the directory and returns its path.
    pub fn write(&self, name: &str, contents: impl AsRef<[u8]>) -> PathBuf {
        let path = self.0.join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("parent directories can be created");
        }
        std::fs::write(&path, contents).expect("the file can be written");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `cases` property-test cases, unless `PROPTEST_CASES` asks for another number.
pub fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(cases);
    proptest::test_runner::Config {
        cases,
        // Integration tests have no `lib.rs` beside them to persist failures next to; a
        // failure prints its minimal input instead.
        failure_persistence: None,
        ..proptest::test_runner::Config::default()
    }
}

/// Every diagnostic must say how to fix what it reports.
pub fn assert_every_diagnostic_names_a_fix(session: &Session) {
    for diagnostic in &session.diagnostics {
        assert!(
            diagnostic.help.is_some(),
            "`{}` ({}) names no fix",
            diagnostic.message,
            diagnostic.code
        );
    }
}

/// The JSON diagnostics a `--format json` run printed on stdout, one object per line; each must
/// name a fix.
pub fn json_diagnostics(output: &std::process::Output) -> Vec<serde_json::Value> {
    let diagnostics: Vec<serde_json::Value> = String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|error| panic!("{error}: `{line}`")))
        .collect();
    for diagnostic in &diagnostics {
        assert!(diagnostic["help"].is_string(), "no help in {diagnostic}");
    }
    diagnostics
}
