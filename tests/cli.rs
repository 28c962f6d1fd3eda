//! End-to-end tests of the `hubc` binary: exit codes, output formats, `hub::io::*` diagnostics
//! and `hubc fmt` on real files in temporary directories.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use common::TempDir;

use std::path::Path;
use std::process::Output;

use serde_json::Value;

/// Runs `hubc` with `args` in `directory`, without colour.
fn run(directory: &Path, args: &[&str]) -> Output {
    common::hubc()
        .args(args)
        .arg("--color=never")
        .current_dir(directory)
        .output()
        .expect("hubc runs")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).expect("stdout is UTF-8")
}

fn stderr(output: &Output) -> String {
    String::from_utf8(output.stderr.clone()).expect("stderr is UTF-8")
}

fn exit_code(output: &Output) -> i32 {
    output.status.code().expect("hubc exits with a code")
}

/// The `checked N files, M declarations: E errors, W warnings in T` line, as numbers.
fn summary(output: &Output) -> (usize, usize, usize, usize) {
    let text = stderr(output);
    let line = text
        .lines()
        .last()
        .unwrap_or_else(|| panic!("no summary line in:\n{text}"));
    let numbers: Vec<usize> = line
        .split([' ', ',', ':'])
        .filter_map(|word| word.parse().ok())
        .collect();
    let shape = line.starts_with("checked ")
        && (line.contains(" files, ") || line.contains(" file, "))
        && line.contains(" in ")
        && line.ends_with('s')
        && numbers.len() == 4;
    assert!(shape, "not a summary line: `{line}`");
    (numbers[0], numbers[1], numbers[2], numbers[3])
}

#[test]
fn check_the_example_fleet_is_clean() {
    let output = run(common::root(), &["check", "examples/fleet"]);
    assert_eq!(exit_code(&output), 0, "{}", stderr(&output));
    // The fleet's files and the standard modules it imports: std.basehub, std.jupyterhub (which
    // std.basehub imports), std.clusters and std.terraform.
    let n_files = common::hub_files(&common::root().join("examples/fleet")).len() + 4;
    let (files, declarations, errors, warnings) = summary(&output);
    assert_eq!(files, n_files);
    assert!(declarations > 0);
    assert_eq!((errors, warnings), (0, 0));
    let line = stderr(&output)
        .lines()
        .last()
        .unwrap_or_default()
        .to_string();
    assert!(
        line.starts_with(&format!(
            "checked {n_files} files, {declarations} declarations: 0 errors, 0 warnings in "
        )),
        "{line}"
    );
    assert_eq!(stdout(&output), "");
}

#[test]
fn check_the_standard_library_directory_checks_it_as_the_standard_modules() {
    let output = run(common::root(), &["check", "stdlib"]);
    assert_eq!(exit_code(&output), 0, "{}", stderr(&output));
    let n_files = common::hub_files(&common::root().join("stdlib")).len();
    let (files, _, errors, warnings) = summary(&output);
    assert_eq!((files, errors, warnings), (n_files, 0, 0));
}

#[test]
fn a_copy_of_the_standard_library_replaces_the_embedded_modules() {
    let directory = TempDir::new("stdlib-copy");
    for path in common::hub_files(&common::root().join("stdlib")) {
        let name = path
            .file_name()
            .and_then(|name| name.to_str())
            .expect("a name");
        let mut text = std::fs::read_to_string(&path).expect("stdlib is readable");
        if name == "jupyterhub.hub" {
            text.push_str("\ntype Broken = NoSuchType\n");
        }
        directory.write(name, text);
    }
    let output = run(directory.path(), &["check", ".", "--format", "json"]);
    assert_eq!(exit_code(&output), 1, "{}", stderr(&output));
    let diagnostics = common::json_diagnostics(&output);
    assert_eq!(diagnostics.len(), 1, "{diagnostics:?}");
    // The error is in the edited copy, which `std.basehub` imported instead of the embedded
    // `std.jupyterhub`: nothing is declared twice.
    assert_eq!(diagnostics[0]["code"], "hub::check::unknown_type");
    assert_eq!(diagnostics[0]["file"], "./jupyterhub.hub");

    // Without every standard module the directory is an ordinary fleet, and its `basehub`
    // module imports the embedded standard modules.
    std::fs::remove_file(directory.path().join("platform.hub")).expect("removed");
    let output = run(directory.path(), &["check", ".", "--format", "json"]);
    let codes: Vec<Value> = common::json_diagnostics(&output)
        .iter()
        .map(|diagnostic| diagnostic["code"].clone())
        .collect();
    assert!(
        codes.len() > 1 && codes.contains(&Value::from("hub::check::duplicate_type")),
        "{codes:?}"
    );
}

#[test]
fn check_reports_a_broken_file_and_exits_1() {
    let directory = TempDir::new("broken");
    directory.write(
        "platform.hub",
        "platform basehub {\n  jupyterhub.cull.timeout 1h\n}\n",
    );
    let output = run(directory.path(), &["check", "platform.hub"]);
    assert_eq!(exit_code(&output), 1);
    let text = stderr(&output);
    assert!(text.contains("hub::syntax::unexpected_token"), "{text}");
    assert!(text.contains("platform.hub:2:27"), "{text}");
    assert_eq!(summary(&output), (1, 1, 1, 0));
}

#[test]
fn json_prints_one_object_per_diagnostic() {
    let directory = TempDir::new("json");
    directory.write(
        "cluster.hub",
        "cluster \"leap\" {\n  provider = gcp { project = \"leap-pangeo\" }\n  min = 4Gb\n",
    );
    let output = run(
        directory.path(),
        &["--format", "json", "check", "cluster.hub"],
    );
    assert_eq!(exit_code(&output), 1);
    let diagnostics = common::json_diagnostics(&output);
    assert_eq!(diagnostics.len(), 2, "{}", stdout(&output));

    let unit = &diagnostics[0];
    assert_eq!(unit["file"], "cluster.hub");
    assert_eq!(unit["line"], 3);
    assert_eq!(unit["column"], 10);
    assert_eq!(unit["end"]["line"], 3);
    assert_eq!(unit["end"]["column"], 12);
    assert_eq!(unit["code"], "hub::syntax::unknown_unit");
    assert_eq!(unit["severity"], "error");
    assert_eq!(unit["message"], "unknown unit `Gb`");
    assert_eq!(unit["label"], "not a unit of memory, cpu or time");
    assert_eq!(unit["help"], "did you mean `4GB`?");
    assert_eq!(unit["related"], serde_json::json!([]));

    let unclosed = &diagnostics[1];
    assert_eq!(unclosed["code"], "hub::syntax::unclosed_delimiter");
    assert_eq!(
        (&unclosed["line"], &unclosed["column"]),
        // Just after the last text of the file, where the `}` is missing.
        (&3.into(), &12.into())
    );
    assert_eq!(unclosed["message"], "unclosed `{`");
    assert_eq!(unclosed["help"], "add the closing `}` where the block ends");
    assert_eq!(
        unclosed["related"],
        serde_json::json!([{
            "file": "cluster.hub",
            "line": 1,
            "column": 16,
            "end": { "line": 1, "column": 17 },
            "message": "`{` opened here",
        }])
    );
    // Machine output goes to stdout; stderr holds only the summary.
    assert_eq!(stderr(&output).lines().count(), 1, "{}", stderr(&output));
}

#[test]
fn json_columns_count_characters_after_multibyte_text() {
    let directory = TempDir::new("multibyte");
    directory.write(
        "community.hub",
        "community \"café\" : research_group {\n  display_name = \"Café 😀 Lab\" 4GiB\n  \
         jupyterhub.singleuser.extraEnv.GREETING = \"¡Hola, 世界!\\q\"\n}\n",
    );
    let output = run(directory.path(), &["--format", "json", "check", "."]);
    assert_eq!(exit_code(&output), 1);
    let positions: Vec<(String, u64, u64, u64)> = common::json_diagnostics(&output)
        .iter()
        .map(|diagnostic| {
            (
                diagnostic["code"].as_str().unwrap_or_default().to_string(),
                diagnostic["line"].as_u64().unwrap_or_default(),
                diagnostic["column"].as_u64().unwrap_or_default(),
                diagnostic["end"]["column"].as_u64().unwrap_or_default(),
            )
        })
        .collect();
    assert_eq!(
        positions,
        [
            // `4GiB` follows `  display_name = "Café 😀 Lab" `: 30 characters, 34 bytes.
            ("hub::syntax::unexpected_token".to_string(), 2, 31, 35),
            // `\q` follows 55 characters (60 bytes): `¡` is 2 bytes, `世` and `界` 3 each.
            ("hub::syntax::invalid_escape".to_string(), 3, 56, 58),
            // Analysis goes on past the syntax errors: `café` is no name, and the fleet has no
            // archetype `research_group` (columns count characters here too).
            ("hub::resolve::invalid_name".to_string(), 1, 11, 17),
            ("hub::resolve::unknown_name".to_string(), 1, 20, 34),
        ]
    );
}

#[test]
fn human_header_after_multibyte_text() {
    let directory = TempDir::new("multibyte-human");
    directory.write(
        "community.hub",
        "community \"café\" : research_group {\n  display_name = \"Café 😀 Lab\" 4GiB\n}\n",
    );
    let output = run(directory.path(), &["check", "community.hub"]);
    let text = stderr(&output);
    // The header counts characters, like the JSON and GitHub formats, not bytes (35).
    assert!(text.contains("╭─[community.hub:2:31]"), "{text}");
}

#[test]
fn github_prints_workflow_commands() {
    let directory = TempDir::new("github");
    directory.write(
        "platform.hub",
        "import std.basehub\n\nplatform basehub {\n  chart = \"basehub\"\n  jupyterhub.cull.timeout = 90sec\n  /// Nothing.\n}\n",
    );
    let output = run(
        directory.path(),
        &["--format", "github", "check", "platform.hub"],
    );
    assert_eq!(exit_code(&output), 1);
    assert_eq!(
        stdout(&output),
        "::error file=platform.hub,line=5,col=31,endLine=5,endColumn=34,\
         title=hub%3A%3Asyntax%3A%3Aunknown_unit::unknown unit `sec`%0Ahelp: use a unit such as \
         `GiB`, `Mi`, `G`, `m`, `s` or `h`; quote `\"90sec\"` if it is text\n\
         ::warning file=platform.hub,line=6,col=3,endLine=6,endColumn=15,\
         title=hub%3A%3Asyntax%3A%3Adangling_doc_comment::doc comment documents nothing%0Ahelp: \
         put the `///` comment right before a declaration, statement or field, or make it a `//` \
         comment\n"
    );
}

#[test]
fn invalid_utf8_is_reported_where_it_starts() {
    let directory = TempDir::new("utf8");
    directory.write(
        "platform.hub",
        b"platform basehub {\n  display_name = \"caf\xe9 \xff\"\n}\n",
    );
    let output = run(
        directory.path(),
        &["--format", "json", "check", "platform.hub"],
    );
    assert_eq!(exit_code(&output), 1);
    let diagnostics = common::json_diagnostics(&output);
    let codes: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect();
    // The file is analysed as decoded, so its other problems are reported with it.
    assert_eq!(
        codes,
        [
            "hub::syntax::invalid_utf8",
            // The statement that holds the invalid bytes is not judged until they are fixed.
            "hub::resolve::missing_chart",
        ],
        "{}",
        stdout(&output)
    );
    let diagnostic = &diagnostics[0];
    assert_eq!(diagnostic["severity"], "error");
    assert_eq!(diagnostic["line"], 2);
    // `  display_name = "caf` is 21 characters; the invalid byte is the 22nd.
    assert_eq!(diagnostic["column"], 22);
    assert_eq!(
        diagnostic["end"],
        serde_json::json!({ "line": 2, "column": 23 })
    );
    assert_eq!(diagnostic["label"], "invalid UTF-8 starts here");
}

#[test]
fn a_missing_path_is_not_found() {
    let directory = TempDir::new("not-found");
    let output = run(
        directory.path(),
        &["--format", "json", "check", "missing.hub"],
    );
    assert_eq!(exit_code(&output), 1);
    let diagnostics = common::json_diagnostics(&output);
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0]["code"], "hub::io::not_found");
    assert_eq!(diagnostics[0]["severity"], "error");
    assert_eq!(diagnostics[0]["file"], "missing.hub");
    assert_eq!(diagnostics[0]["message"], "`missing.hub` does not exist");
    assert_eq!(
        (&diagnostics[0]["line"], &diagnostics[0]["column"]),
        (&1.into(), &1.into())
    );
}

#[test]
fn a_directory_without_hub_files_is_a_warning() {
    let directory = TempDir::new("no-hub-files");
    directory.write("fleet/README.md", "Nothing to compile here.\n");
    let output = run(directory.path(), &["--format", "json", "check", "fleet"]);
    assert_eq!(
        exit_code(&output),
        0,
        "a warning alone does not fail the run"
    );
    let diagnostics = common::json_diagnostics(&output);
    assert_eq!(diagnostics.len(), 1);
    assert_eq!(diagnostics[0]["code"], "hub::io::no_hub_files");
    assert_eq!(diagnostics[0]["severity"], "warning");
    assert_eq!(diagnostics[0]["message"], "no `.hub` files in `fleet`");
    assert_eq!(summary(&output), (0, 0, 0, 1));
}

#[cfg(unix)]
#[test]
fn a_dangling_symlink_is_unreadable() {
    // Permissions do not stop root, which the tests may run as; a `.hub` entry that points
    // nowhere is listed by the directory walk but cannot be read by anyone.
    let directory = TempDir::new("unreadable");
    directory.write("fleet/clusters.hub", "cluster \"leap\" {}\n");
    std::os::unix::fs::symlink(
        directory.path().join("gone.hub"),
        directory.path().join("fleet/platform.hub"),
    )
    .expect("the symlink can be created");
    let output = run(directory.path(), &["--format", "json", "check", "fleet"]);
    assert_eq!(exit_code(&output), 1);
    let diagnostics = common::json_diagnostics(&output);
    // The readable file is checked too: its cluster names no provider.
    assert_eq!(diagnostics.len(), 2, "{}", stdout(&output));
    assert_eq!(diagnostics[1]["code"], "hub::emit::missing_provider");
    assert_eq!(diagnostics[0]["code"], "hub::io::unreadable");
    assert_eq!(diagnostics[0]["file"], "fleet/platform.hub");
    let message = diagnostics[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.starts_with("cannot read `fleet/platform.hub`: "),
        "{message}"
    );
    // The readable file is still checked.
    assert_eq!(summary(&output), (1, 1, 2, 0));
}

#[test]
fn fmt_reports_a_file_it_cannot_write() {
    // `hubc fmt` writes `.NAME.hubc-PID.tmp` beside the file and renames it. Permissions do not
    // stop root, but the length of a file name does: this name is valid, the temporary one is
    // longer than the 255 bytes a name may have.
    let directory = TempDir::new("write-failed");
    let name = format!("{}.hub", "a".repeat(246));
    let unformatted = "platform basehub {  chart = \"basehub\" }\n";
    directory.write(&name, unformatted);
    let output = run(directory.path(), &["--format", "json", "fmt", "."]);
    assert_eq!(exit_code(&output), 1);
    let diagnostics = common::json_diagnostics(&output);
    assert_eq!(diagnostics.len(), 1, "{}", stdout(&output));
    assert_eq!(diagnostics[0]["code"], "hub::io::write_failed");
    assert_eq!(diagnostics[0]["severity"], "error");
    assert_eq!(diagnostics[0]["file"], format!("./{name}"));
    assert_eq!(
        std::fs::read_to_string(directory.path().join(&name)).expect("the file is still there"),
        unformatted,
        "the file is left unchanged"
    );
    let leftovers: Vec<_> = std::fs::read_dir(directory.path())
        .expect("the directory is readable")
        .flatten()
        .map(|entry| entry.file_name())
        .collect();
    assert_eq!(
        leftovers.len(),
        1,
        "no temporary file is left: {leftovers:?}"
    );
}

#[test]
fn nesting_too_deep_is_reported_not_a_crash() {
    let directory = TempDir::new("deep");
    let depth = 100_000;
    directory.write(
        "platform.hub",
        format!(
            "platform basehub {{\n  extraFiles = {}1{}\n}}\n",
            "[".repeat(depth),
            "]".repeat(depth)
        ),
    );
    let output = run(
        directory.path(),
        &["--format", "json", "check", "platform.hub"],
    );
    assert_eq!(exit_code(&output), 1, "{}", stderr(&output));
    let diagnostics = common::json_diagnostics(&output);
    assert_eq!(diagnostics[0]["code"], "hub::syntax::nesting_too_deep");
    assert_eq!(diagnostics[0]["line"], 2);
}

#[test]
fn fmt_rewrites_in_place_and_then_changes_nothing() {
    let directory = TempDir::new("fmt");
    let path = directory.write(
        "fleet/cluster.hub",
        "cluster \"leap\" {\n  node_pool \"n2-highmem-16\" { machine_type = \"n2-highmem-16\"; min = 0 }\n}\n",
    );
    directory.write("fleet/mixins.hub", "mixin leap_common {\n  x = 1\n}\n");

    let first = run(directory.path(), &["fmt", "fleet"]);
    assert_eq!(exit_code(&first), 0, "{}", stderr(&first));
    assert_eq!(stdout(&first), "formatted fleet/cluster.hub\n");
    let formatted = std::fs::read_to_string(&path).expect("the file is readable");
    assert_eq!(
        formatted,
        "cluster \"leap\" {\n  node_pool \"n2-highmem-16\" {\n    machine_type = \"n2-highmem-16\"\n    \
         min = 0\n  }\n}\n"
    );
    assert!(
        stderr(&first).starts_with("reformatted 1 of 2 files in "),
        "{}",
        stderr(&first)
    );

    let second = run(directory.path(), &["fmt", "fleet"]);
    assert_eq!(exit_code(&second), 0);
    assert_eq!(stdout(&second), "");
    assert!(
        stderr(&second).starts_with("reformatted 0 of 2 files in "),
        "{}",
        stderr(&second)
    );
    assert_eq!(std::fs::read_to_string(&path).expect("readable"), formatted);
}

#[test]
fn fmt_check_lists_unformatted_files_and_writes_nothing() {
    let directory = TempDir::new("fmt-check");
    let unformatted = "mixin gpu_server { gpu = true; min = 0 }\n";
    let path = directory.write("fleet/mixins.hub", unformatted);
    directory.write("fleet/clusters.hub", "cluster \"leap\" {\n  min = 0\n}\n");

    let output = run(directory.path(), &["fmt", "--check", "fleet"]);
    assert_eq!(exit_code(&output), 1);
    assert_eq!(stdout(&output), "fleet/mixins.hub\n");
    assert!(
        stderr(&output).starts_with("would reformat 1 of 2 files in "),
        "{}",
        stderr(&output)
    );
    assert_eq!(
        std::fs::read_to_string(&path).expect("readable"),
        unformatted
    );

    std::fs::write(&path, "mixin gpu_server {\n  gpu = true\n  min = 0\n}\n").expect("writable");
    let output = run(directory.path(), &["fmt", "--check", "fleet"]);
    assert_eq!(exit_code(&output), 0, "{}", stderr(&output));
    assert_eq!(stdout(&output), "");
}

#[test]
fn fmt_leaves_a_file_with_syntax_errors_alone() {
    let directory = TempDir::new("fmt-errors");
    let broken = "platform basehub {  chart = \"basehub\" x }\n";
    let path = directory.write("platform.hub", broken);
    let output = run(directory.path(), &["fmt", "platform.hub"]);
    assert_eq!(exit_code(&output), 1);
    assert_eq!(stdout(&output), "");
    let text = stderr(&output);
    assert!(text.contains("hub::syntax::unexpected_token"), "{text}");
    assert!(text.contains("skipped 1 with errors"), "{text}");
    assert_eq!(std::fs::read_to_string(&path).expect("readable"), broken);
}

#[test]
fn help_lists_the_exit_codes() {
    let output = common::hubc().arg("--help").output().expect("hubc runs");
    assert_eq!(exit_code(&output), 0);
    let text = stdout(&output);
    assert!(text.contains("Exit codes:"), "{text}");
    assert!(text.contains("0  clean"), "{text}");
    assert!(text.contains("1  errors"), "{text}");
}

#[test]
fn an_import_may_not_leave_the_fleet() {
    let directory = TempDir::new("outside");
    directory.write(
        "platform-team/shared/common.hub",
        "mixin common {\n  jupyterhub.singleuser.defaultUrl = \"/lab\"\n}\n",
    );
    directory.write(
        "fleet/fleet.hub",
        "import std.basehub\nimport shared.common\n\nplatform basehub {\n  chart = \"basehub\"\n}\n",
    );
    std::os::unix::fs::symlink(
        "../platform-team/shared",
        directory.path().join("fleet/shared"),
    )
    .expect("a symbolic link can be made");
    let output = run(
        directory.path(),
        &["--format", "json", "check", "fleet/fleet.hub"],
    );
    assert_eq!(exit_code(&output), 1);
    let diagnostics = common::json_diagnostics(&output);
    let codes: Vec<&str> = diagnostics
        .iter()
        .map(|d| d["code"].as_str().unwrap_or_default())
        .collect();
    assert!(
        codes.contains(&"hub::resolve::import_outside_fleet"),
        "{}",
        stdout(&output)
    );
    let outside = diagnostics
        .iter()
        .find(|d| d["code"] == "hub::resolve::import_outside_fleet")
        .expect("reported");
    assert_eq!(
        (&outside["line"], &outside["column"]),
        (&2.into(), &8.into())
    );
    // Walking the fleet directory does not follow the link out of it either.
    let output = run(directory.path(), &["check", "fleet"]);
    assert_eq!(exit_code(&output), 1, "{}", stderr(&output));
    assert!(
        stderr(&output).contains("hub::resolve::import_outside_fleet"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn explain_prints_values_with_their_class_and_chain() {
    let output = run(
        common::root(),
        &[
            "--today",
            "2026-11-26",
            "explain",
            "--fleet",
            "examples/drifting",
            "campus/physics",
            "jupyterhub.proxy.chp.resources.limits.memory",
        ],
    );
    let text = stdout(&output);
    assert!(text.starts_with("community campus/physics : "), "{text}");
    assert!(
        text.contains("jupyterhub.proxy.chp.resources.limits.memory = "),
        "{text}"
    );
    assert!(text.contains("[violation]"), "{text}");
    assert!(text.contains(" -> community campus/physics ("), "{text}");
    // The fleet has errors, so explain reports them and exits 1, after explaining.
    assert_eq!(exit_code(&output), 1);
}

#[test]
fn explain_suggests_a_path_that_exists() {
    let output = run(
        common::root(),
        &[
            "explain",
            "--fleet",
            "examples/fleet",
            "leap/prod",
            "jupyterhub.singleusr",
        ],
    );
    assert_eq!(exit_code(&output), 1);
    assert!(
        stderr(&output).contains("did you mean `jupyterhub.singleuser`?"),
        "{}",
        stderr(&output)
    );
}

/// Each problem with a command's own arguments is a coded diagnostic pointing at the argument,
/// in every format, and the command exits 1 having printed nothing else on stdout.
#[test]
fn argument_errors_are_coded_diagnostics_in_every_format() {
    let root = common::root();
    let cases: [(&[&str], &str, &str); 5] = [
        (
            &["explain", "--fleet", "examples/fleet", "staging"],
            "hub::cli::ambiguous_community",
            "staging",
        ),
        (
            &["explain", "--fleet", "examples/fleet", "leap/stagin"],
            "hub::cli::unknown_community",
            "leap/stagin",
        ),
        (
            &[
                "explain",
                "--fleet",
                "examples/fleet",
                "leap/staging",
                "a..b",
            ],
            "hub::cli::invalid_path",
            "a..b",
        ),
        (
            &[
                "explain",
                "--fleet",
                "examples/fleet",
                "leap/staging",
                "jupyterhub.cull.timeot",
            ],
            "hub::cli::no_value",
            "jupyterhub.cull.timeot",
        ),
        (
            &["diff", "--base", "no-such-base", "examples/fleet"],
            "hub::cli::base_unavailable",
            "no-such-base",
        ),
    ];
    for (args, code, argument) in cases {
        let human = run(root, args);
        assert_eq!(exit_code(&human), 1, "{args:?}: {}", stderr(&human));
        let text = stderr(&human);
        assert!(
            text.starts_with(code) && text.contains("<command line>") && text.contains(argument),
            "{args:?}:\n{text}"
        );
        assert!(text.contains("help: "), "{args:?}: no help:\n{text}");
        let json = run(root, &[args, &["--format", "json"]].concat());
        assert_eq!(exit_code(&json), 1);
        let lines: Vec<Value> = stdout(&json)
            .lines()
            .map(|line| serde_json::from_str(line).expect("one JSON object a line"))
            .collect();
        let found = lines.last().expect("the argument's diagnostic");
        assert_eq!(found["code"], code, "{lines:?}");
        assert_eq!(found["file"], "<command line>");
        assert_eq!(found["end"]["column"], argument.chars().count() + 1);
        let github = run(root, &[args, &["--format", "github"]].concat());
        assert!(
            stdout(&github).contains(&format!("title={}", code.replace(':', "%3A"))),
            "{}",
            stdout(&github)
        );
    }
}

#[test]
fn a_letter_that_only_looks_ascii_is_named() {
    let directory = TempDir::new("confusable");
    // `lаb` with a Cyrillic `а`.
    directory.write(
        "archetype.hub",
        "archetype l\u{430}b extends basehub {\n}\n",
    );
    let output = run(
        directory.path(),
        &["--format", "json", "check", "archetype.hub"],
    );
    let diagnostics = common::json_diagnostics(&output);
    assert_eq!(diagnostics[0]["code"], "hub::syntax::unexpected_token");
    let help = diagnostics[0]["help"].as_str().unwrap();
    assert!(help.contains("U+0430, not an ASCII letter"), "{help}");
}

/// `HUBC_TIMINGS` makes a run print each phase it went through, with its time and the memory
/// after it, on standard error; without it nothing of the kind is printed, and the output is
/// the same either way.
#[test]
fn hubc_timings_prints_each_phase_only_when_asked() {
    let temp = TempDir::new("timings");
    let fleet = common::root().join("examples/fleet");
    let fleet = fleet.to_str().unwrap();
    let timed = |with: bool, out: &str| {
        let mut command = common::hubc();
        command.args([
            "build",
            fleet,
            "-o",
            out,
            "--color=never",
            "--today=2026-11-26",
        ]);
        if with {
            command.env("HUBC_TIMINGS", "1");
        } else {
            command.env_remove("HUBC_TIMINGS");
        }
        command
            .current_dir(temp.path())
            .output()
            .expect("hubc runs")
    };
    let plain = timed(false, "plain");
    let with = timed(true, "timed");
    assert!(
        plain.status.success() && with.status.success(),
        "{}",
        stderr(&with)
    );
    assert!(
        !stderr(&plain).contains("hubc timing:"),
        "{}",
        stderr(&plain)
    );
    let report = stderr(&with);
    let phases: Vec<&str> = report
        .lines()
        .filter_map(|line| line.strip_prefix("hubc timing: "))
        .map(|rest| rest.split("  ").next().unwrap_or_default().trim())
        .collect();
    for phase in [
        "read fleet",
        "parse and declare",
        "typecheck",
        "emit",
        "write",
    ] {
        assert!(phases.contains(&phase), "no `{phase}` among {phases:?}");
    }
    let timing_line = report
        .lines()
        .find(|line| line.starts_with("hubc timing: parse"))
        .unwrap();
    assert!(timing_line.contains(" ms"), "{timing_line}");
    if cfg!(target_os = "linux") {
        assert!(timing_line.ends_with(" MB"), "{timing_line}");
    }
    assert_eq!(
        common::file_tree(&temp.join("plain")),
        common::file_tree(&temp.join("timed"))
    );
}
