//! The console examples of `README.md` and `lang/*.md`, run for real and compared with what
//! `hubc` prints, so the documentation never drifts from the program.
//!
//! A block fenced as ```` ```console ```` is a transcript. Each line that starts with `$ ` is a
//! command, run with `bash -c` (stderr joined to stdout, as a terminal shows them; a trailing
//! `# comment` is the shell's own); the lines after it, up to the next `$ ` line or the end of
//! the block, are what it prints. A line that holds only `...` (indentation allowed) stands for
//! any number of lines, none included.
//!
//! - A block that shows output after any of its commands is checked whole: every command's
//!   output must match, and a command shown with no output must print nothing. Its exit status
//!   must be one `hubc` documents (0, 1, 2 or 64), never a crash.
//! - A block that shows no output at all is a list of commands: each is run, what it prints is
//!   not compared, and it must exit 0, or with the status its comment names as `exit N`.
//!
//! Before comparing, elapsed times (`in 42.6ms`, `in 1.20s`) become `in <time>` on both sides,
//! and the scratch directory's absolute path becomes `<scratch>` in what `hubc` printed. Nothing
//! else is normalised: when the two differ, the documentation is wrong (or `hubc` is).
//!
//! Each block runs in a fresh scratch directory `<scratch>/hubc`, a git repository holding a
//! copy of the repository's `examples/` and `stdlib/` in one commit, which `origin/main` also
//! names. `<scratch>/shared/corpus` links to the real corpus, so `../shared/corpus` works as
//! it does from a clone; a block that uses it is skipped, with a message, when the corpus is
//! missing (a failure when `HUBC_REQUIRE_CORPUS` is set). Commands see `hubc` (the binary
//! under test) first on `PATH`, `HUBC_TODAY` set to the day the other tests use, so `@expires`
//! gives the same answer every day, and `LC_ALL=C`, so `sort` orders bytes.
//!
//! Two info strings mark blocks that need more. ```` ```console,unprivileged ```` needs file
//! permissions to hold (`chmod a-w`): where they do not (as root), its commands run as `nobody`
//! through `setpriv`, and the block is left out only when `setpriv` cannot do that.
//! ```` ```console,norun ```` is never run. The tests print the blocks they left out and why.
//!
//! The catalogue of diagnostics is checked too, more loosely: each ```` ```text ```` block of
//! `lang/diagnostics.md` that starts with a `hub::` code must begin (code, blank line, message)
//! as `hubc check` begins it on the ```` ```hub ```` example of its section; the diagnostics of
//! `hubc import`, which come from YAML and Terraform files, are checked by its own tests.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;
#[path = "docs/markdown.rs"]
mod markdown;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use markdown::{Block, Fenced, fenced_blocks};

/// Sections of diagnostics that come from YAML and Terraform input rather than from a `.hub`
/// example: `hubc check` cannot show them, and `tests/import*.rs` check each of them through
/// `hubc import` instead.
const FROM_IMPORT_INPUT: &str = "hub::import::";

#[test]
fn the_readme_console_examples_print_what_they_show() {
    run_documents(&[PathBuf::from("README.md")]);
}

#[test]
fn the_language_reference_console_examples_print_what_they_show() {
    let documents: Vec<PathBuf> = common::files_under(&common::root().join("lang"))
        .into_iter()
        .filter(|path| path.extension().is_some_and(|extension| extension == "md"))
        .filter_map(|path| {
            path.strip_prefix(common::root())
                .ok()
                .map(Path::to_path_buf)
        })
        .collect();
    assert!(!documents.is_empty(), "lang/ holds Markdown files");
    run_documents(&documents);
}

/// Each diagnostic of the catalogue (a ```` ```text ```` block that starts with its code) must
/// begin as `hubc check` begins it on the section's ```` ```hub ```` example, written to the file
/// the diagnostic names: the code, a blank line, then the message.
#[test]
fn each_catalogued_diagnostic_shows_the_message_hubc_prints_for_its_example() {
    let document = Path::new("lang/diagnostics.md");
    let blocks = fenced_blocks(&document.to_string_lossy(), &read_document(document));
    let mut tally = Tally::default();
    for (index, block) in blocks.iter().enumerate() {
        let is_diagnostic = block.info == "text"
            && block
                .lines
                .first()
                .is_some_and(|line| line.starts_with("hub::"));
        if !is_diagnostic {
            continue;
        }
        if block.heading.contains(FROM_IMPORT_INPUT) {
            continue;
        }
        tally.run += 1;
        if let Err(failure) = check_diagnostic(block, &blocks[..index]) {
            tally.failures.push(failure);
        }
    }
    tally.finish("diagnostics of lang/diagnostics.md");
}

#[test]
fn an_elision_matches_any_lines_and_nothing_else_is_loose() {
    let actual = ["a", "b", "c", "d"];
    assert!(lines_match(&["a", "...", "d"], &actual));
    assert!(lines_match(&["...", "b", "  ...", "d", "..."], &actual));
    assert!(lines_match(&["a", "b", "...", "c", "d"], &actual));
    assert!(!lines_match(&["a", "...", "c"], &actual));
    assert!(!lines_match(&["a", "b", "c", "d "], &actual));
    assert!(!lines_match(&["a", "b", "c"], &actual));
}

#[test]
fn a_list_command_may_exit_with_the_status_its_comment_names() {
    assert_eq!(
        allowed_statuses("hubc drift --check  # CI: exit 1 when it fails"),
        [0, 1]
    );
    assert_eq!(
        allowed_statuses("hubc fmt examples  # rewrite in place"),
        [0]
    );
}

#[test]
fn elapsed_times_are_the_only_words_normalised() {
    assert_eq!(
        normalise_times("checked 1 file: 0 errors in 0.3ms\nbuilt in 1.20s, in 3 places"),
        "checked 1 file: 0 errors in <time>\nbuilt in <time>, in 3 places"
    );
}

/// What became of the blocks of some documents.
#[derive(Default)]
struct Tally {
    run: usize,
    not_run: Vec<String>,
    failures: Vec<String>,
}

impl Tally {
    /// Prints how many blocks ran and which did not, then fails with every mismatch found.
    fn finish(self, what: &str) {
        eprintln!("ran {} {what}", self.run);
        if !self.not_run.is_empty() {
            eprintln!("did not run {}:", self.not_run.len());
            for reason in &self.not_run {
                eprintln!("  {reason}");
            }
        }
        assert!(self.run > 0, "no block ran");
        assert!(
            self.failures.is_empty(),
            "{} of {} {what} do not print what the documentation shows:\n\n{}",
            self.failures.len(),
            self.run,
            self.failures.join("\n")
        );
    }
}

/// Runs every console block of `documents` (relative to the repository root), prints what ran
/// and what did not, and fails with every mismatch found.
fn run_documents(documents: &[PathBuf]) {
    let mut tally = Tally::default();
    let mut commands = 0;
    for document in documents {
        let text = read_document(document);
        let blocks = fenced_blocks(&document.to_string_lossy(), &text);
        for block in blocks.into_iter().filter_map(Block::from_fenced) {
            if let Some(reason) = reason_not_to_run(&block) {
                tally
                    .not_run
                    .push(format!("{}: {reason}", block.fenced.name()));
                continue;
            }
            tally.run += 1;
            commands += block.steps.len();
            if let Err(failure) = run_block(&block) {
                tally.failures.push(failure);
            }
        }
    }
    let documents: Vec<String> = documents
        .iter()
        .map(|document| document.display().to_string())
        .collect();
    tally.finish(&format!(
        "console blocks ({commands} commands) of {}",
        documents.join(", ")
    ));
}

/// Why `block` is not run here, if it is not.
fn reason_not_to_run(block: &Block) -> Option<String> {
    if block.has_mark("norun") {
        return Some("marked `norun`".to_string());
    }
    if block.has_mark("unprivileged") && permissions_do_not_hold() && !setpriv_runs() {
        return Some(
            "marked `unprivileged`: file permissions do not hold for this user, and `setpriv` \
             is not there to run it as nobody"
                .to_string(),
        );
    }
    if block.uses_corpus() && common::corpus().is_none() {
        return Some("skipped: ../shared/corpus is not there".to_string());
    }
    None
}

/// The arguments of `setpriv` that run a command as the user and group `nobody`.
const NOBODY: &[&str] = &["--reuid=65534", "--regid=65534", "--clear-groups"];

/// Whether `setpriv` can run a command as `nobody` here.
fn setpriv_runs() -> bool {
    Command::new("setpriv")
        .args(NOBODY)
        .arg("true")
        .status()
        .is_ok_and(|status| status.success())
}

/// Whether this user can write into a directory nobody may write to, as root can. The probe
/// runs once per process.
fn permissions_do_not_hold() -> bool {
    static ANSWER: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *ANSWER.get_or_init(probe_permissions)
}

fn probe_permissions() -> bool {
    use std::os::unix::fs::PermissionsExt as _;
    let probe = common::TempDir::new("permissions");
    let directory = probe.join("read-only");
    std::fs::create_dir(&directory).expect("the probe directory can be created");
    std::fs::set_permissions(&directory, std::fs::Permissions::from_mode(0o555))
        .expect("the probe directory can be made read-only");
    let writable = std::fs::write(directory.join("file"), "").is_ok();
    std::fs::set_permissions(&directory, std::fs::Permissions::from_mode(0o755))
        .expect("the probe directory can be made writable again");
    writable
}

/// The text of a document of the repository, `document` relative to its root.
fn read_document(document: &Path) -> String {
    std::fs::read_to_string(common::root().join(document))
        .unwrap_or_else(|error| panic!("{}: {error}", document.display()))
}

/// Checks that `hubc check` prints the first lines of `diagnostic` (its code, a blank line and
/// its message) for the one ```` ```hub ```` example before it in its section, `earlier` being
/// the blocks before it in the document.
fn check_diagnostic(diagnostic: &Fenced, earlier: &[Fenced]) -> Result<(), String> {
    let examples: Vec<&Fenced> = earlier
        .iter()
        .filter(|block| block.info == "hub" && block.heading == diagnostic.heading)
        .collect();
    // The file is the one the first source excerpt names, as in `╭─[platform.hub:2:27]`.
    let file = diagnostic.lines.iter().find_map(|line| {
        let (_, place) = line.split_once("╭─[")?;
        place.split(':').next()
    });
    let ([example], Some(file)) = (examples.as_slice(), file) else {
        return Err(format!(
            "== {}\nneeds one ```hub example before it in its section, and a source excerpt \
             that names its file\n",
            diagnostic.name()
        ));
    };
    let scratch = common::TempDir::new(&scratch_name(diagnostic));
    scratch.write(file, example.lines.join("\n") + "\n");
    let (_, printed) = run_command(scratch.path(), &format!("hubc check {file}"), false);
    let shown = &diagnostic.lines[..diagnostic.lines.len().min(3)];
    let printed_lines: Vec<&str> = printed.lines().collect();
    if printed_lines
        .windows(shown.len())
        .any(|window| window == shown)
    {
        Ok(())
    } else {
        Err(format!(
            "== {}\n--- the documentation shows:\n{}\n--- `hubc check {file}` printed:\n{printed}",
            diagnostic.name(),
            shown.join("\n")
        ))
    }
}

/// Runs a block in a fresh scratch directory, its commands in order, and says how what they
/// printed differs from what the block shows.
fn run_block(block: &Block) -> Result<(), String> {
    let scratch = scratch_directory(block);
    let working = scratch.join("hubc");
    let as_nobody = block.has_mark("unprivileged") && permissions_do_not_hold();
    if as_nobody {
        let status = Command::new("chown")
            .args(["-R", "65534:65534"])
            .arg(scratch.path())
            .status()
            .expect("chown runs");
        assert!(
            status.success(),
            "the scratch directory can be given to nobody"
        );
    }
    let transcript = block.shows_output();
    let mut mismatches = Vec::new();
    for step in &block.steps {
        let (status, printed) = run_command(&working, &step.command, as_nobody);
        let printed = normalise_times(&printed).replace(&scratch_path(&scratch), "<scratch>");
        let allowed = if transcript {
            vec![0, 1, 2, 64]
        } else {
            allowed_statuses(&step.command)
        };
        if !status.is_some_and(|status| allowed.contains(&status)) {
            mismatches.push(format!(
                "$ {}\nexited with {status:?}, not one of {allowed:?}; it printed:\n{printed}",
                step.command
            ));
            continue;
        }
        if !transcript {
            continue;
        }
        let expected: Vec<String> = step
            .expected
            .iter()
            .map(|line| normalise_times(line))
            .collect();
        let expected: Vec<&str> = expected.iter().map(String::as_str).collect();
        let actual: Vec<&str> = printed.lines().collect();
        if !lines_match(&expected, &actual) {
            mismatches.push(format!(
                "$ {}\n--- the documentation shows:\n{}\n--- hubc printed:\n{}",
                step.command,
                expected.join("\n"),
                actual.join("\n")
            ));
        }
    }
    if block.has_mark("unprivileged") {
        // Gives the directories the block made read-only back to their owner, so the scratch
        // directory can be removed.
        let _ = Command::new("chmod")
            .args(["-R", "u+w"])
            .arg(scratch.path())
            .status();
    }
    if mismatches.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "== {}\n{}\n",
            block.fenced.name(),
            mismatches.join("\n")
        ))
    }
}

/// The exit statuses a command of a list block may end with: 0, and the one its comment names
/// as `exit N`.
fn allowed_statuses(command: &str) -> Vec<i32> {
    let named = regex_lite::Regex::new(r"#.*\bexit ([0-9]+)\b").expect("the pattern is valid");
    let mut allowed = vec![0];
    if let Some(status) = named
        .captures(command)
        .and_then(|captures| captures[1].parse().ok())
    {
        allowed.push(status);
    }
    allowed
}

/// The settings of the scratch repositories, whatever the user's git configuration says.
const GIT_SETTINGS: &[&str] = &[
    "-c",
    "user.name=hubc docs",
    "-c",
    "user.email=docs@hubc.invalid",
    "-c",
    "commit.gpgsign=false",
    "-c",
    "init.defaultBranch=main",
];

/// A fresh scratch directory for a block: `hubc/`, the working directory, is a git repository
/// with copies of `examples/` and `stdlib/` in one commit that `origin/main` names, and
/// `shared/corpus` links to the real corpus when it is there.
fn scratch_directory(block: &Block) -> common::TempDir {
    let name = scratch_name(&block.fenced);
    let scratch = common::TempDir::new(&name);
    let working = scratch.join("hubc");
    for directory in ["examples", "stdlib"] {
        let source = common::root().join(directory);
        for file in common::files_under(&source) {
            let relative = file
                .strip_prefix(&source)
                .expect("files are under their root");
            let copy = working.join(directory).join(relative);
            std::fs::create_dir_all(copy.parent().expect("a copied file has a directory"))
                .expect("the scratch directory can be written");
            std::fs::copy(&file, &copy).expect("the examples can be copied");
        }
    }
    let corpus = common::root().join("../shared/corpus");
    if corpus.is_dir() {
        std::fs::create_dir(scratch.join("shared")).expect("the scratch directory can be written");
        std::os::unix::fs::symlink(
            corpus.canonicalize().expect("the corpus has a real path"),
            scratch.join("shared/corpus"),
        )
        .expect("the corpus can be linked");
    }
    for arguments in [
        &["init", "--quiet"][..],
        &["add", "--all"],
        &["commit", "--quiet", "--message", "The documented examples"],
        &["update-ref", "refs/remotes/origin/main", "HEAD"],
    ] {
        let status = Command::new("git")
            .args(GIT_SETTINGS)
            .args(arguments)
            .current_dir(&working)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .stdout(Stdio::null())
            .status()
            .expect("git runs");
        assert!(
            status.success(),
            "git {arguments:?} failed in the scratch directory"
        );
    }
    scratch
}

/// A name for the scratch directory of a block: its document and line.
fn scratch_name(block: &Fenced) -> String {
    format!("{}-{}", block.document.replace(['/', '.'], "-"), block.line)
}

/// The scratch directory's absolute path as commands see it, through any symbolic link.
fn scratch_path(scratch: &common::TempDir) -> String {
    let path = scratch.path();
    path.canonicalize()
        .unwrap_or_else(|_| path.to_path_buf())
        .display()
        .to_string()
}

/// Runs one command line with `bash -c` in `working` (as `nobody` when `as_nobody`), and returns
/// its exit status (none when a signal ended it) and what it printed on stdout and stderr
/// together.
fn run_command(working: &Path, command: &str, as_nobody: bool) -> (Option<i32>, String) {
    let hubc = Path::new(env!("CARGO_BIN_EXE_hubc"));
    let mut path = std::ffi::OsString::from(hubc.parent().expect("the binary is in a directory"));
    if let Some(inherited) = std::env::var_os("PATH") {
        path.push(":");
        path.push(inherited);
    }
    let (year, month, day) = common::TODAY;
    let mut bash = if as_nobody {
        let mut setpriv = Command::new("setpriv");
        setpriv.args(NOBODY).arg("bash");
        setpriv
    } else {
        Command::new("bash")
    };
    let output = bash
        .arg("-c")
        .arg(format!("exec 2>&1\n{command}"))
        .current_dir(working)
        .env("PATH", path)
        .env("HUBC_TODAY", format!("{year}-{month:02}-{day:02}"))
        .env("LC_ALL", "C")
        .stdin(Stdio::null())
        .output()
        .expect("bash runs");
    let mut printed = String::from_utf8_lossy(&output.stdout).into_owned();
    printed.push_str(&String::from_utf8_lossy(&output.stderr));
    (output.status.code(), printed)
}

/// Whether `actual` is `expected`, where a line of `expected` that holds only `...` stands for
/// any number of lines.
fn lines_match(expected: &[&str], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((first, rest)) if first.trim() == "..." => {
            (0..=actual.len()).any(|skipped| lines_match(rest, &actual[skipped..]))
        }
        Some((first, rest)) => actual.first() == Some(first) && lines_match(rest, &actual[1..]),
    }
}

/// `text` with every elapsed time (`in 42.6ms`, `in 1.20s`) written `in <time>`.
fn normalise_times(text: &str) -> String {
    let elapsed =
        regex_lite::Regex::new(r"\bin [0-9]+(\.[0-9]+)?(ms|s)\b").expect("the pattern is valid");
    elapsed.replace_all(text, "in <time>").into_owned()
}
