//! Analysis goes on past syntax errors: mistakes made at once are reported at once, and what a
//! broken part drops causes no diagnostics of its own. Through `hubc check` and `hubc build`, and
//! as a property over syntax errors injected anywhere in a fleet with semantic errors of its own.

#![allow(clippy::disallowed_methods)] // tests set up fleets on disk and run hubc

mod common;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use common::TempDir;
use hubc::driver::{self, Session};
use proptest::prelude::*;

/// The example fleet's files, as (path relative to the fleet, text).
fn example_files() -> Vec<(String, String)> {
    let root = common::root().join("examples/fleet");
    common::hub_files(&root)
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let relative = path
                .strip_prefix(&root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            (relative, text)
        })
        .collect()
}

fn edit(files: &mut [(String, String)], file: &str, from: &str, to: &str) {
    let (_, text) = files.iter_mut().find(|(name, _)| name == file).unwrap();
    assert!(text.contains(from), "`{from}` is in {file}");
    *text = text.replacen(from, to, 1);
}

/// The example fleet with three semantic errors in three communities, and no syntax error.
fn fleet_with_errors() -> Vec<(String, String)> {
    let mut files = example_files();
    edit(
        &mut files,
        "clusters/leap/staging.hub",
        "cluster = leap",
        "cluster = lep",
    );
    edit(
        &mut files,
        "clusters/leap/prod.hub",
        "  domain = \"leap.2i2c.cloud\"\n",
        "",
    );
    edit(
        &mut files,
        "clusters/hhmi/staging.hub",
        "{\n",
        "{\n  jupyterhub.cull.timeout = 2h\n",
    );
    files
}

/// Every diagnostic of a fleet analysed from memory, as (file, code, message).
fn diagnostics(files: &[(String, String)]) -> BTreeSet<(String, String, String)> {
    let mut session = Session::default();
    for (name, text) in files {
        driver::add_module(
            &mut session,
            PathBuf::from(name),
            name.trim_end_matches(".hub").replace('/', "."),
            text.as_bytes(),
        );
    }
    driver::load_imports(&mut session, None);
    driver::analyze(&mut session, (2026, 11, 26));
    session
        .diagnostics
        .iter()
        .map(|d| {
            (
                session.sources.get(d.file).name.clone(),
                d.code.clone(),
                d.message.clone(),
            )
        })
        .collect()
}

fn write(dir: &Path, files: &[(String, String)]) {
    for (name, text) in files {
        let path = dir.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

#[test]
fn mistakes_made_at_once_are_reported_in_one_run() {
    // An invalid date, an unknown archetype, an unknown cluster and a missing property.
    let mut files = example_files();
    edit(
        &mut files,
        "clusters/leap/staging.hub",
        ": dask_lab with",
        ": dask_lb with",
    );
    edit(
        &mut files,
        "clusters/leap/staging.hub",
        "cluster = leap",
        "cluster = lep",
    );
    edit(
        &mut files,
        "clusters/leap/staging.hub",
        "  jupyterhub.singleuser.image =",
        "  @expires(2026-13-45)\n  jupyterhub.singleuser.image =",
    );
    edit(
        &mut files,
        "clusters/leap/prod.hub",
        "  domain = \"leap.2i2c.cloud\"\n",
        "",
    );
    let dir = TempDir::new("at_once");
    write(dir.path(), &files);
    let (code, stdout, stderr) = common::run(dir.path(), &["check", ".", "--format", "json"]);
    assert_eq!(code, 1, "{stderr}");
    let found: Vec<(String, String)> = stdout
        .lines()
        .map(|line| {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            (
                value["code"].as_str().unwrap().to_string(),
                value["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let mut codes: Vec<&str> = found.iter().map(|(code, _)| code.as_str()).collect();
    codes.sort_unstable();
    assert_eq!(
        codes,
        [
            "hub::emit::missing_property",
            "hub::resolve::unknown_name",
            "hub::resolve::unknown_name",
            "hub::syntax::invalid_date",
        ],
        "{found:#?}"
    );
    let messages: Vec<&str> = found.iter().map(|(_, message)| message.as_str()).collect();
    for named in ["`domain`", "`dask_lb`", "`lep`", "`2026-13-45`"] {
        assert!(
            messages.iter().any(|m| m.contains(named)),
            "{named}: {messages:#?}"
        );
    }
    assert!(stderr.contains("4 errors"), "{stderr}");
}

#[test]
fn build_writes_nothing_when_a_file_does_not_parse() {
    let mut files = example_files();
    edit(
        &mut files,
        "clusters/leap/staging.hub",
        "display_name = ",
        "display_name = = ",
    );
    let dir = TempDir::new("build_broken");
    write(&dir.join("fleet"), &files);
    let (code, _, stderr) = common::run(dir.path(), &["build", "fleet", "-o", "out"]);
    assert_eq!(code, 1, "{stderr}");
    assert!(stderr.contains("hub::syntax::unexpected_token"), "{stderr}");
    assert!(!dir.join("out").exists(), "nothing is written");
}

#[test]
fn a_lost_declaration_does_not_make_its_users_unknown() {
    // The archetype's header is broken: the item is lost, but the communities that name it are
    // not reported for naming an unknown archetype.
    let mut files = fleet_with_errors();
    edit(
        &mut files,
        "archetypes.hub",
        "archetype dask_lab extends",
        "archetype dask_lab extends %",
    );
    let found = diagnostics(&files);
    let codes: BTreeSet<&str> = found.iter().map(|(_, code, _)| code.as_str()).collect();
    assert!(
        codes.contains("hub::syntax::unexpected_token"),
        "{found:#?}"
    );
    assert!(
        !found
            .iter()
            .any(|(_, code, message)| code == "hub::resolve::unknown_name"
                && message.contains("dask_lab")),
        "{found:#?}"
    );
    // The mistakes elsewhere are still reported.
    assert!(
        found
            .iter()
            .any(|(_, _, message)| message.contains("`lep`")),
        "{found:#?}"
    );
    assert!(
        found
            .iter()
            .any(|(_, code, _)| code == "hub::policy::locked"),
        "{found:#?}"
    );
}

/// Ways to break one line: an assignment that loses its value (the statement is dropped), a
/// stray line after it, a declaration header that loses its brace (the item is dropped).
#[derive(Debug, Clone, Copy)]
enum Break {
    DoubleEquals,
    Garbage,
    NoBrace,
}

fn break_line(text: &str, line: usize, how: Break) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let target = lines[line];
    let replaced = match how {
        Break::DoubleEquals => target
            .contains(" = ")
            .then(|| target.replacen(" = ", " = = ", 1))?,
        // A stray line, indented as the line it follows.
        Break::Garbage => {
            let indent: String = target.chars().take_while(|c| *c == ' ').collect();
            format!("{target}\n{indent}%% ~~")
        }
        Break::NoBrace => {
            let header = hubc::syntax::ITEM_KEYWORDS
                .iter()
                .any(|k| target.starts_with(k));
            (header && target.ends_with('{')).then(|| target.trim_end_matches('{').to_string())?
        }
    };
    let mut out: Vec<String> = lines.iter().map(|line| line.to_string()).collect();
    out[line] = replaced;
    Some(out.join("\n") + "\n")
}

proptest! {
    #![proptest_config(common::proptest_config(48))]

    /// Whatever line is broken: no new error appears that the fleet did not have (only the
    /// syntax error itself), and when a community's file is broken, every diagnostic of the
    /// other files is still reported.
    #[test]
    fn a_syntax_error_hides_nothing_else_and_adds_no_echo(
        file in 0usize..64,
        line in 0usize..400,
        how in prop_oneof![Just(Break::DoubleEquals), Just(Break::Garbage), Just(Break::NoBrace)],
    ) {
        let base_files = fleet_with_errors();
        let index = file % base_files.len();
        let (name, text) = &base_files[index];
        let line = line % text.lines().count();
        let Some(broken_text) = break_line(text, line, how) else {
            return Ok(());
        };
        let mut files = base_files.clone();
        files[index].1 = broken_text;
        let base = diagnostics(&base_files);
        let broken = diagnostics(&files);
        // A line inside a text block is text: nothing broke.
        if !broken.iter().any(|(file, code, _)| file == name && code.starts_with("hub::syntax::")) {
            return Ok(());
        }
        let echoes: Vec<_> = broken
            .iter()
            .filter(|(_, code, _)| !code.starts_with("hub::syntax::"))
            .filter(|(file, code, message)| !base.iter().any(|(f, c, m)| f == file && c == code && m == message))
            .collect();
        prop_assert!(echoes.is_empty(), "breaking {name}:{} ({how:?}) added {echoes:#?}", line + 1);
        let is_community = text.lines().any(|line| line.starts_with("community "));
        if is_community {
            let hidden: Vec<_> = base
                .iter()
                .filter(|(file, _, _)| file != name)
                .filter(|diagnostic| !broken.contains(diagnostic))
                .collect();
            prop_assert!(hidden.is_empty(), "breaking {name}:{} ({how:?}) hid {hidden:#?}", line + 1);
        }
    }
}
