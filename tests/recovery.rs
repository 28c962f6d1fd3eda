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

/// A session of the fleet `files`, loaded from memory with its imports.
fn session_of(files: &[(String, String)]) -> Session {
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
    session
}

/// Every diagnostic of a fleet analysed from memory, as (file, code, message).
fn diagnostics(files: &[(String, String)]) -> BTreeSet<(String, String, String)> {
    let mut session = session_of(files);
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
fn build_leaves_earlier_output_alone_when_a_file_does_not_parse() {
    let mut files = example_files();
    let dir = TempDir::new("build_kept");
    write(&dir.join("fleet"), &files);
    let (code, _, stderr) = common::run(dir.path(), &["build", "fleet", "-o", "out"]);
    assert_eq!(code, 0, "{stderr}");
    let before = snapshot_dir(&dir.join("out"));
    assert!(!before.is_empty());
    // A broken annotation only: the fleet is otherwise whole, and still nothing is written.
    edit(
        &mut files,
        "clusters/leap/staging.hub",
        "community \"staging\"",
        "@expires(2026-12-31 oops)\ncommunity \"staging\"",
    );
    edit(
        &mut files,
        "clusters/leap/prod.hub",
        "display_name = ",
        "display_name = = ",
    );
    write(&dir.join("fleet"), &files);
    for args in [
        &["build", "fleet", "-o", "out"][..],
        &["build", "fleet", "-o", "out", "--check"][..],
    ] {
        let (code, _, stderr) = common::run(dir.path(), args);
        assert_eq!(code, 1, "{stderr}");
        assert!(stderr.contains("hub::syntax::"), "{stderr}");
        assert_eq!(
            snapshot_dir(&dir.join("out")),
            before,
            "{args:?} wrote nothing"
        );
    }
}

/// Every file under `dir` with its bytes.
fn snapshot_dir(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(next) = pending.pop() {
        for entry in std::fs::read_dir(&next).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                pending.push(path);
            } else {
                found.push((path.clone(), std::fs::read(&path).unwrap()));
            }
        }
    }
    found.sort();
    found
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

#[test]
fn an_item_or_statement_whose_annotation_does_not_parse_is_kept() {
    // A broken annotation drops only itself: the community and the statement it annotates stay,
    // with their own errors (the locked path) and the names they declare.
    let mut files = fleet_with_errors();
    edit(
        &mut files,
        "clusters/hhmi/staging.hub",
        "community \"staging\"",
        "@expires(2026-12-31 oops)\ncommunity \"staging\"",
    );
    edit(
        &mut files,
        "clusters/hhmi/staging.hub",
        "  jupyterhub.cull.timeout = 2h\n",
        "  @reason(\"a workshop\" @)\n  jupyterhub.cull.timeout = 2h\n",
    );
    let base = diagnostics(&fleet_with_errors());
    let found = diagnostics(&files);
    let syntax: Vec<_> = found
        .iter()
        .filter(|(_, code, _)| code.starts_with("hub::syntax::"))
        .collect();
    assert_eq!(syntax.len(), 2, "{found:#?}");
    let others: BTreeSet<_> = found
        .iter()
        .filter(|(_, code, _)| !code.starts_with("hub::syntax::"))
        .cloned()
        .collect();
    assert_eq!(others, base, "every other diagnostic is kept");
}

#[test]
fn a_declaration_whose_header_breaks_after_its_name_is_kept() {
    // A mixin that does not parse in the header: the community is kept with its body, so a
    // wrong type in it is still reported; what its lost mixin could have changed (the locked
    // override may have been decided there) is not.
    let mut files = fleet_with_errors();
    edit(
        &mut files,
        "clusters/hhmi/staging.hub",
        ": research_group {",
        ": research_group with % {",
    );
    edit(
        &mut files,
        "clusters/hhmi/staging.hub",
        "jupyterhub.prePuller.hook.enabled = true",
        "jupyterhub.prePuller.hook.enabled = \"yes\"",
    );
    let found = diagnostics(&files);
    let in_staging: BTreeSet<&str> = found
        .iter()
        .filter(|(file, _, _)| file.ends_with("hhmi/staging.hub"))
        .map(|(_, code, _)| code.as_str())
        .collect();
    assert_eq!(
        in_staging,
        BTreeSet::from(["hub::syntax::unexpected_token", "hub::check::type_mismatch"]),
        "{found:#?}"
    );
    // Every other file keeps its diagnostics.
    let elsewhere =
        |set: &BTreeSet<(String, String, String)>| -> BTreeSet<(String, String, String)> {
            set.iter()
                .filter(|(file, _, _)| !file.ends_with("hhmi/staging.hub"))
                .cloned()
                .collect()
        };
    assert_eq!(
        elsewhere(&found),
        elsewhere(&diagnostics(&fleet_with_errors()))
    );
    // A community whose `{` is missing keeps its name and archetype: no community elsewhere
    // becomes its duplicate, and its archetype is still used.
    let mut files = fleet_with_errors();
    edit(
        &mut files,
        "clusters/hhmi/staging.hub",
        ": research_group {",
        ": research_group",
    );
    let found = diagnostics(&files);
    let base = diagnostics(&fleet_with_errors());
    let added: Vec<_> = found
        .iter()
        .filter(|(_, code, _)| !code.starts_with("hub::syntax::"))
        .filter(|diagnostic| !base.contains(diagnostic))
        .collect();
    assert!(added.is_empty(), "{added:#?}");
}

#[test]
fn parsed_files_say_which_items_are_incomplete() {
    let text = "platform p {\n  chart = \"basehub\"\n}\n\
                archetype a extends p {\n  x = = 1\n  y = 2\n}\n\
                community \"c\" : a with % {\n  z = 3\n}\n\
                @expires(2026-12-31 x)\nmixin m {\n  w = 1\n}\n";
    let parsed = hubc::syntax::parse(text);
    let names: Vec<&str> = parsed
        .file
        .items
        .iter()
        .map(|item| match &item.kind {
            hubc::syntax::ast::ItemKind::Decl(decl) => decl.name.name.as_str(),
            _ => "",
        })
        .collect();
    assert_eq!(names, ["p", "a", "c", "m"], "every item is kept");
    let incomplete: Vec<(&str, bool)> = parsed
        .incomplete
        .iter()
        .map(|item| {
            let at = item.item.start as usize;
            let header = text[at..].lines().next().unwrap();
            (header, item.misread_from.is_some())
        })
        .collect();
    assert_eq!(
        incomplete,
        [
            // A statement was skipped: what follows it in the archetype may be misread.
            ("archetype a extends p {", true),
            // Only the header lost a mixin: the body is read where it stands.
            ("community \"c\" : a with % {", false),
        ],
        "the mixin with a dropped annotation is whole: {:#?}",
        parsed.errors
    );
}

/// Ways to break one line: an assignment that loses its value (the statement is dropped), a
/// stray line after it, a declaration header that loses its brace, its parent or its name, or
/// an annotation that does not parse before it.
#[derive(Debug, Clone, Copy)]
enum Break {
    DoubleEquals,
    Garbage,
    NoBrace,
    BadParent,
    BadName,
    BadAnnotation,
}

fn is_header(line: &str) -> bool {
    hubc::syntax::ITEM_KEYWORDS
        .iter()
        .any(|keyword| line.starts_with(&format!("{keyword} ")))
        && line.ends_with('{')
}

/// The text with line `line` broken `how`, and the offset (in the original text) of the place
/// broken.
fn break_line(text: &str, line: usize, how: Break) -> Option<(String, usize)> {
    let lines: Vec<&str> = text.lines().collect();
    let target = lines[line];
    let line_start: usize = lines[..line].iter().map(|line| line.len() + 1).sum();
    let mut at = line_start + target.len() - target.trim_start().len();
    let replaced = match how {
        Break::DoubleEquals => target
            .contains(" = ")
            .then(|| target.replacen(" = ", " = = ", 1))?,
        // A stray line, indented as the line it follows.
        Break::Garbage => {
            let indent: String = target.chars().take_while(|c| *c == ' ').collect();
            at = line_start + target.len();
            format!("{target}\n{indent}%% ~~")
        }
        Break::NoBrace => is_header(target).then(|| target.trim_end_matches('{').to_string())?,
        Break::BadParent => {
            if !is_header(target) {
                return None;
            }
            if target.contains(" extends ") {
                target.replacen(" extends ", " extends %", 1)
            } else if target.contains(" : ") {
                target.replacen(" : ", " : %", 1)
            } else {
                return None;
            }
        }
        Break::BadName => {
            let keyword = target.split(' ').next()?;
            (is_header(target) && keyword != "type")
                .then(|| target.replacen(&format!("{keyword} "), &format!("{keyword} %"), 1))?
        }
        Break::BadAnnotation => {
            let trimmed = target.trim_start();
            // Text blocks and comments: an `@` there is text.
            if trimmed.is_empty()
                || trimmed.starts_with(['}', ']', ')', '"', '/'])
                || !(is_header(target) || trimmed.contains(" = "))
            {
                return None;
            }
            let indent = &target[..target.len() - trimmed.len()];
            // Only where an annotation belongs: before a statement or a declaration, not
            // before an entry of a map value.
            let mut valid: Vec<String> = lines.iter().map(|line| line.to_string()).collect();
            valid[line] = format!("{indent}@reason(\"valid\")\n{target}");
            if !hubc::syntax::parse(&valid.join("\n")).errors.is_empty() {
                return None;
            }
            format!("{indent}@expires(2026-12-31 oops)\n{target}")
        }
    };
    let mut out: Vec<String> = lines.iter().map(|line| line.to_string()).collect();
    out[line] = replaced;
    Some((out.join("\n") + "\n", at))
}

/// A diagnostic of a run, with the declaration it lies in and that declaration's layers (its
/// parents, mixins and cluster; for a mixin, also the layers of the declarations that use it,
/// against whose archetype its settings are judged), by name.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Placed {
    file: String,
    code: String,
    message: String,
    decl: Option<String>,
    layers: Vec<String>,
}

/// Every diagnostic of a fleet analysed from memory, placed in its declaration; and the
/// declaration of `file` holding the offset `at`, if any.
fn placed(files: &[(String, String)], at: Option<(&str, usize)>) -> (Vec<Placed>, Option<String>) {
    let mut session = session_of(files);
    let analysis = driver::analyze(&mut session, (2026, 11, 26)).expect("a fleet");
    let fleet = &analysis.fleet;
    let innermost = |file: hubc::source::FileId, offset: u32| {
        (0..fleet.decls.len())
            .map(|index| hubc::resolve::value::DeclId(index as u32))
            .filter(|&id| {
                let decl = fleet.decl(id);
                decl.file == file && decl.span.start <= offset && offset <= decl.span.end
            })
            .min_by_key(|&id| fleet.decl(id).span.len())
    };
    let named = |id: hubc::resolve::value::DeclId| {
        let decl = fleet.decl(id);
        format!("{}:{}", session.sources.get(decl.file).name, decl.display)
    };
    let found = session
        .diagnostics
        .iter()
        .map(|d| {
            let decl = innermost(d.file, d.span.start);
            let layers_of = |id: hubc::resolve::value::DeclId| {
                let decl = fleet.decl(id);
                fleet
                    .chain(id)
                    .into_iter()
                    .chain(decl.mixins.iter().copied())
                    .chain(decl.cluster)
                    .collect::<Vec<_>>()
            };
            let layers = decl
                .map(|id| {
                    let users = (0..fleet.decls.len())
                        .map(|index| hubc::resolve::value::DeclId(index as u32))
                        .filter(|&user| fleet.decl(user).mixins.contains(&id));
                    std::iter::once(id)
                        .chain(users)
                        .flat_map(layers_of)
                        .map(named)
                        .collect()
                })
                .unwrap_or_default();
            Placed {
                file: session.sources.get(d.file).name.clone(),
                code: d.code.clone(),
                message: d.message.clone(),
                decl: decl.map(named),
                layers,
            }
        })
        .collect();
    let broken = at.and_then(|(name, offset)| {
        let file = session.files.iter().find(|f| f.path == Path::new(name))?;
        innermost(file.id, offset as u32).map(named)
    });
    (found, broken)
}

proptest! {
    #![proptest_config(common::proptest_config(64))]

    /// Whatever line is broken, and however:
    /// - no new error appears that the fleet did not have (only the syntax error itself);
    /// - every diagnostic the fleet had is still reported, but those of the broken declaration
    ///   and of the declarations it is a layer of (a parent, a mixin, a cluster);
    /// - a broken annotation loses nothing but itself.
    #[test]
    fn a_syntax_error_hides_only_what_it_touches_and_adds_no_echo(
        file in 0usize..64,
        line in 0usize..400,
        how in prop_oneof![
            Just(Break::DoubleEquals),
            Just(Break::Garbage),
            Just(Break::NoBrace),
            Just(Break::BadParent),
            Just(Break::BadName),
            Just(Break::BadAnnotation),
        ],
    ) {
        let base_files = fleet_with_errors();
        let index = file % base_files.len();
        let (name, text) = &base_files[index];
        let line = line % text.lines().count();
        let Some((broken_text, at)) = break_line(text, line, how) else {
            return Ok(());
        };
        let mut files = base_files.clone();
        files[index].1 = broken_text;
        let (base, broken_decl) = placed(&base_files, Some((name, at)));
        let (broken, _) = placed(&files, None);
        // A line inside a text block is text: nothing broke.
        if !broken.iter().any(|d| &d.file == name && d.code.starts_with("hub::syntax::")) {
            return Ok(());
        }
        let key = |d: &Placed| (d.file.clone(), d.code.clone(), d.message.clone());
        let base_keys: BTreeSet<_> = base.iter().map(key).collect();
        let broken_keys: BTreeSet<_> = broken.iter().map(key).collect();
        let echoes: Vec<_> = broken
            .iter()
            .filter(|d| !d.code.starts_with("hub::syntax::"))
            .filter(|d| !base_keys.contains(&key(d)))
            .collect();
        prop_assert!(echoes.is_empty(), "breaking {name}:{} ({how:?}) added {echoes:#?}", line + 1);
        let touched = |d: &Placed| match (&broken_decl, matches!(how, Break::BadAnnotation)) {
            (_, true) | (None, _) => false,
            (Some(broken), false) => d.decl.as_ref() == Some(broken) || d.layers.contains(broken),
        };
        let hidden: Vec<_> = base
            .iter()
            .filter(|d| !touched(d))
            .filter(|d| !broken_keys.contains(&key(d)))
            .collect();
        prop_assert!(
            hidden.is_empty(),
            "breaking {name}:{} ({how:?}, in {broken_decl:?}) hid {hidden:#?}",
            line + 1
        );
    }
}
