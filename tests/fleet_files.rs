//! Which files reading a fleet reads, through the binary: regular files only (a FIFO is skipped
//! with `hub::io::not_a_file`, never opened), and only inside the fleet root (a symbolic link
//! out of it is `hub::io::outside_fleet`, or `hub::resolve::import_outside_fleet` when imported,
//! and no byte of what it leads to is printed).

#![cfg(unix)]
#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::process::Output;

use common::{TempDir, json_codes, mkfifo, run_within_20s};

const PLATFORM: &str =
    "import std.basehub\n\nimport common\n\nplatform basehub {\n  chart = \"basehub\"\n}\n";
const MIXIN: &str = "mixin common {\n  jupyterhub.singleuser.defaultUrl = \"/lab\"\n}\n";
/// What the file outside the fleet holds: it must never be printed.
const SECRET: &str = "SECRET-CONTENT-123";

/// A fleet (`fleet/main.hub` importing `common`) whose module `common` is left to the test.
fn fleet(test_name: &str) -> TempDir {
    let directory = TempDir::new(test_name);
    directory.write("fleet/main.hub", PLATFORM);
    directory
}

#[test]
fn a_fifo_in_a_fleet_is_skipped_with_a_warning_not_opened() {
    let directory = fleet("fifo");
    directory.write("fleet/common.hub", MIXIN);
    mkfifo(&directory.join("fleet/pipe.hub"));
    // Found by the directory walk.
    let output = run_within_20s(directory.path(), &["--format", "json", "check", "fleet"]);
    let diagnostics = common::json_diagnostics(&output);
    assert_eq!(json_codes(&output), ["hub::io::not_a_file"]);
    assert_eq!(diagnostics[0]["severity"], "warning");
    assert_eq!(diagnostics[0]["file"], "fleet/pipe.hub");
    assert_eq!(
        diagnostics[0]["message"],
        "`fleet/pipe.hub` is not a regular file"
    );
    assert_eq!(output.status.code(), Some(0), "a warning alone passes");
    // Named on the command line.
    let output = run_within_20s(
        directory.path(),
        &["--format", "json", "check", "fleet/pipe.hub"],
    );
    assert_eq!(json_codes(&output), ["hub::io::not_a_file"]);
    assert_eq!(output.status.code(), Some(0));
    // `hubc fmt` reads the same way.
    let output = run_within_20s(directory.path(), &["--format", "json", "fmt", "fleet"]);
    assert_eq!(json_codes(&output), ["hub::io::not_a_file"]);
}

#[test]
fn a_fifo_imported_is_skipped_and_the_import_unknown() {
    let directory = fleet("fifo-import");
    mkfifo(&directory.join("fleet/common.hub"));
    let output = run_within_20s(
        directory.path(),
        &["--format", "json", "check", "fleet/main.hub"],
    );
    assert_eq!(
        json_codes(&output),
        ["hub::io::not_a_file", "hub::resolve::unknown_import"]
    );
    // Walked and imported: reported once.
    let output = run_within_20s(directory.path(), &["--format", "json", "check", "fleet"]);
    assert_eq!(
        json_codes(&output),
        ["hub::io::not_a_file", "hub::resolve::unknown_import"]
    );
}

/// `fleet/common.hub` is a link to a file outside the fleet that holds the secret.
fn fleet_linking_out(test_name: &str) -> TempDir {
    let directory = fleet(test_name);
    directory.write("secret.hub", format!("{SECRET} is not for printing\n"));
    std::os::unix::fs::symlink("../secret.hub", directory.join("fleet/common.hub"))
        .expect("a symbolic link can be made");
    directory
}

fn assert_secret_kept(output: &Output, args: &[&str]) {
    for printed in [&output.stdout, &output.stderr] {
        let text = String::from_utf8_lossy(printed);
        assert!(
            !text.contains(SECRET),
            "`hubc {}` printed what the link leads to:\n{text}",
            args.join(" ")
        );
    }
}

#[test]
fn a_link_out_of_the_fleet_is_reported_and_never_read() {
    let directory = fleet_linking_out("link-out");
    for format in ["human", "json", "github"] {
        for path in ["fleet", "fleet/common.hub"] {
            let args = ["--format", format, "check", path];
            let output = run_within_20s(directory.path(), &args);
            assert_eq!(output.status.code(), Some(1), "{args:?}");
            assert_secret_kept(&output, &args);
            let printed = format!(
                "{}{}",
                String::from_utf8_lossy(&output.stdout),
                String::from_utf8_lossy(&output.stderr)
            );
            let code = match format {
                "github" => "hub%3A%3Aio%3A%3Aoutside_fleet",
                _ => "hub::io::outside_fleet",
            };
            assert!(printed.contains(code), "{args:?}:\n{printed}");
        }
    }
    let output = run_within_20s(directory.path(), &["--format", "json", "check", "fleet"]);
    let diagnostics = common::json_diagnostics(&output);
    assert_eq!(diagnostics[0]["code"], "hub::io::outside_fleet");
    assert_eq!(diagnostics[0]["file"], "fleet/common.hub");
    assert_eq!(
        diagnostics[0]["message"],
        "`fleet/common.hub` leads outside the fleet"
    );
    // The import of the module the link would be is refused as well.
    assert_eq!(
        json_codes(&output),
        [
            "hub::io::outside_fleet",
            "hub::resolve::import_outside_fleet"
        ]
    );
    // `hubc fmt` neither reads nor rewrites it.
    for args in [
        &["fmt", "fleet"][..],
        &["fmt", "--check", "fleet/common.hub"],
    ] {
        let output = run_within_20s(directory.path(), args);
        assert_secret_kept(&output, args);
        assert!(
            String::from_utf8_lossy(&output.stderr).contains("hub::io::outside_fleet"),
            "{args:?}"
        );
    }
    let secret = std::fs::read_to_string(directory.join("secret.hub")).expect("still there");
    assert!(secret.starts_with(SECRET), "{secret}");
}

#[test]
fn an_import_through_a_link_out_of_the_fleet_is_refused_unread() {
    let directory = fleet_linking_out("import-link-out");
    for format in ["human", "json", "github"] {
        let args = ["--format", format, "check", "fleet/main.hub"];
        let output = run_within_20s(directory.path(), &args);
        assert_eq!(output.status.code(), Some(1), "{args:?}");
        assert_secret_kept(&output, &args);
    }
    let output = run_within_20s(
        directory.path(),
        &["--format", "json", "check", "fleet/main.hub"],
    );
    assert_eq!(json_codes(&output), ["hub::resolve::import_outside_fleet"]);
    let diagnostics = common::json_diagnostics(&output);
    assert_eq!(
        (&diagnostics[0]["line"], &diagnostics[0]["column"]),
        (&3.into(), &8.into())
    );
}

#[test]
fn a_link_inside_the_fleet_is_followed() {
    let directory = fleet("link-in");
    // Not a `.hub` file itself, so the walk reads it through the link only.
    directory.write("fleet/parts/common.hub.in", MIXIN);
    std::os::unix::fs::symlink("parts/common.hub.in", directory.join("fleet/common.hub"))
        .expect("a symbolic link can be made");
    for path in ["fleet", "fleet/main.hub", "fleet/common.hub"] {
        let output = run_within_20s(directory.path(), &["--format", "json", "check", path]);
        assert_eq!(json_codes(&output), Vec::<String>::new(), "{path}");
        assert_eq!(output.status.code(), Some(0), "{path}");
    }
    // A fleet reached through a link to its directory is inside itself.
    std::os::unix::fs::symlink("fleet", directory.join("linked"))
        .expect("a symbolic link can be made");
    for path in ["linked", "linked/main.hub"] {
        let output = run_within_20s(directory.path(), &["--format", "json", "check", path]);
        assert_eq!(json_codes(&output), Vec::<String>::new(), "{path}");
    }
}
