//! Shared helpers for the integration tests: fixture files and rendering through the public API.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

use hubc::diagnostics::{self, Format};
use hubc::driver::{self, Session};

pub mod drift_page;
pub mod fleet;
pub mod oracles;
pub mod plain;
pub mod repo;

pub use plain::split_files;

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

/// The real fleet in `../shared/corpus`, imported with `hubc import` into `scratch/fleet`; `None`
/// (and a message) when the corpus is not there.
pub fn imported_corpus(scratch: &TempDir) -> Option<PathBuf> {
    let corpus = corpus()?;
    let fleet = scratch.join("fleet");
    let (code, _, stderr) = run(
        scratch.path(),
        &[
            "import",
            &corpus.join("2i2c").display().to_string(),
            "-o",
            fleet.to_str().expect("a UTF-8 path"),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    Some(fleet)
}

/// The steps of the job `hubc` of the example CI workflow, `examples/ci/hubc.yml`.
pub fn ci_workflow_steps() -> Vec<serde_yaml_ng::Value> {
    let path = root().join("examples/ci/hubc.yml");
    let workflow: serde_yaml_ng::Value =
        serde_yaml_ng::from_str(&std::fs::read_to_string(path).expect("the workflow"))
            .expect("valid YAML");
    workflow["jobs"]["hubc"]["steps"]
        .as_sequence()
        .expect("steps")
        .clone()
}

/// The step of `steps` named `name`.
pub fn step<'a>(steps: &'a [serde_yaml_ng::Value], name: &str) -> &'a serde_yaml_ng::Value {
    steps
        .iter()
        .find(|s| s["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("a step named `{name}`"))
}

/// The formats each command prints, as the README's table lists them: any other `--format` is
/// a usage error.
pub const FORMATS: &[(&str, &[&str])] = &[
    ("check", &["human", "json", "github", "sarif"]),
    ("build", &["human", "json", "github"]),
    ("fmt", &["human", "json", "github"]),
    ("import", &["human", "json", "github"]),
    ("explain", &["human", "text", "json", "github"]),
    (
        "drift",
        &["human", "text", "markdown", "json", "html", "sarif"],
    ),
    ("diff", &["human", "text", "markdown", "json", "github"]),
    ("doc", &["human", "markdown", "html"]),
    ("new", &["human", "json", "github"]),
    ("lsp", &["human"]),
];

/// Every value `--format` takes.
pub const ALL_FORMATS: &[&str] = &[
    "human", "text", "markdown", "json", "github", "html", "sarif",
];

/// Whether `hubc COMMAND` prints `format`.
pub fn prints(command: &str, format: &str) -> bool {
    FORMATS
        .iter()
        .any(|(name, formats)| *name == command && formats.contains(&format))
}

/// The path of the `hubc` binary built for these tests.
pub fn hubc() -> std::process::Command {
    std::process::Command::new(env!("CARGO_BIN_EXE_hubc"))
}

/// Runs `hubc ARGS` in `directory`, on the day fixtures are checked on and without colour:
/// the exit code, stdout and stderr.
pub fn run(directory: &Path, args: &[&str]) -> (i32, String, String) {
    let output = hubc()
        .args(args)
        .args(["--today", "2026-11-26", "--color=never"])
        .current_dir(directory)
        .output()
        .expect("hubc runs");
    (
        output.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

/// Runs `hubc ARGS` in `directory` without colour, killing it after 20 s so that a `hubc` that
/// blocks (opening a FIFO, say) fails the test instead of hanging it. Its output is a few
/// lines, far less than a pipe holds, so waiting without reading cannot stall it.
pub fn run_within_20s(directory: &Path, args: &[&str]) -> std::process::Output {
    use std::process::Stdio;
    use std::time::{Duration, Instant};
    let mut child = hubc()
        .args(args)
        .arg("--color=never")
        .current_dir(directory)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("hubc starts");
    let started = Instant::now();
    while child.try_wait().expect("hubc can be waited for").is_none() {
        if started.elapsed() > Duration::from_secs(20) {
            child.kill().expect("hubc can be killed");
            let output = child.wait_with_output().expect("hubc ends once killed");
            panic!(
                "`hubc {}` did not finish in 20 s; stderr:\n{}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    child.wait_with_output().expect("hubc's output can be read")
}

/// Makes a FIFO (named pipe) at `path`, and the directories it is in.
pub fn mkfifo(path: &Path) {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).expect("the directories can be made");
    }
    let status = std::process::Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success(), "mkfifo {}", path.display());
}

/// Copies the directory `from`, recursively, to `to`.
pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

/// Runs `hubc` without colour, on the day fixtures are checked on.
pub fn run_hubc(arguments: &[&str]) -> std::process::Output {
    hubc()
        .args(["--color", "never", "--today", "2026-11-26"])
        .args(arguments)
        .output()
        .expect("hubc runs")
}

/// Every file under `directory` with its bytes, by path relative to it.
pub fn file_tree(directory: &Path) -> std::collections::BTreeMap<String, Vec<u8>> {
    files_under(directory)
        .into_iter()
        .map(|path| {
            let relative = path.strip_prefix(directory).unwrap().display().to_string();
            (relative, std::fs::read(&path).unwrap())
        })
        .collect()
}

/// What a run printed on stderr.
pub fn stderr_text(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// What a run reported on stderr, less its last line (a command's summary, which says how long
/// it took and, for a build, how it built).
pub fn reported(output: &std::process::Output) -> String {
    let text = stderr_text(output);
    let lines: Vec<&str> = text.lines().collect();
    lines[..lines.len().saturating_sub(1)].join("\n")
}

/// The last line a run printed on stderr: a command's summary.
pub fn summary(output: &std::process::Output) -> String {
    stderr_text(output)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string()
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

/// The codes of the diagnostics `hubc --format json` printed, in order.
pub fn json_codes(output: &std::process::Output) -> Vec<String> {
    json_diagnostics(output)
        .iter()
        .map(|diagnostic| diagnostic["code"].as_str().unwrap_or_default().to_string())
        .collect()
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

/// Whether `terraform` runs. Without it a test says plainly that it skipped, unless CI or
/// `HUBC_REQUIRE_CORPUS` requires the tools, and then it fails.
pub fn terraform_installed() -> bool {
    if std::process::Command::new("terraform")
        .arg("version")
        .output()
        .is_ok()
    {
        return true;
    }
    if std::env::var_os("HUBC_REQUIRE_CORPUS").is_some() || std::env::var_os("CI").is_some() {
        panic!("terraform is not installed, and CI or HUBC_REQUIRE_CORPUS requires it");
    }
    eprintln!("skipped: terraform is not installed, so nothing was checked against it");
    false
}

/// Runs `terraform init` in `work`, a folder holding a module's `variables.tf`.
pub fn terraform_init(work: &Path) {
    let init = std::process::Command::new("terraform")
        .current_dir(work)
        .args(["init", "-input=false", "-no-color"])
        .output()
        .expect("terraform init runs");
    assert!(
        init.status.success(),
        "{}",
        String::from_utf8_lossy(&init.stderr)
    );
}

/// A folder holding only `variables.tf`, initialised with `terraform init`, in which
/// [`terraform_variables`] reads variables files.
pub fn terraform_module(work: &Path, variables_tf: &[u8]) {
    std::fs::create_dir_all(work).expect("work directory");
    std::fs::write(work.join("variables.tf"), variables_tf).expect("variables.tf");
    terraform_init(work);
}

/// The variables Terraform reads from a `.tfvars` file, through `terraform plan` and
/// `terraform show -json`, in a folder prepared by [`terraform_module`].
pub fn terraform_variables(tfvars: &Path, work: &Path) -> serde_json::Value {
    let plan = work.join("plan");
    let output = std::process::Command::new("terraform")
        .current_dir(work)
        .args(["plan", "-input=false", "-no-color", "-lock=false"])
        .arg(format!("-var-file={}", tfvars.display()))
        .arg(format!("-out={}", plan.display()))
        .output()
        .expect("terraform runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{}: {text}", tfvars.display());
    assert!(
        !text.contains("undeclared variable"),
        "{}: {text}",
        tfvars.display()
    );
    let shown = std::process::Command::new("terraform")
        .current_dir(work)
        .args(["show", "-json", "-no-color"])
        .arg(&plan)
        .output()
        .expect("terraform show runs");
    let plan: serde_json::Value = serde_json::from_slice(&shown.stdout).expect("plan JSON");
    plan["variables"].clone()
}

/// A small deterministic generator (SplitMix64), so that generated tests check the same cases
/// on every run.
pub struct Random(pub u64);

impl Random {
    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..bound`.
    pub fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound as u64) as usize
    }

    /// One of `choices`.
    pub fn pick<'t>(&mut self, choices: &[&'t str]) -> &'t str {
        choices[self.below(choices.len())]
    }
}
