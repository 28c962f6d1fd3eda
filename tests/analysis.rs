//! The analysis layer as an editor uses it: a fleet read through a store whose open buffers
//! override the disk, re-analysed after an edit with one file parsed again, and the questions
//! it answers about positions, values and users.

#![allow(clippy::disallowed_methods)] // tests set up and read files

mod common;

use std::path::{Path, PathBuf};

use hubc::analysis::query::{self, Found};
use hubc::analysis::store::{Overlay, load_fleet};
use hubc::analysis::{Analysis, Session};
use hubc::driver::Disk;

const TODAY: (u16, u8, u8) = common::TODAY;

fn analyse(
    store: &dyn hubc::analysis::store::Store,
    fleet: &Path,
    session: Session,
) -> (Session, Analysis) {
    let mut session = session;
    load_fleet(store, fleet, &mut session);
    let analysis = hubc::analysis::analyze(&mut session, TODAY).expect("the fleet analyses");
    (session, analysis)
}

fn example() -> PathBuf {
    common::root().join("examples/fleet")
}

fn errors(session: &Session) -> Vec<String> {
    session
        .diagnostics
        .iter()
        .filter(|d| d.is_error())
        .map(|d| format!("{} {}", d.code, session.sources.get(d.file).name))
        .collect()
}

#[test]
fn an_open_buffer_overrides_the_disk_and_one_edit_parses_one_file() {
    let fleet = example();
    let (session, _) = analyse(&Disk, &fleet, Session::default());
    assert!(errors(&session).is_empty(), "{:?}", errors(&session));
    let n_files = session.files.len();
    let parsed_from_disk = session.parses.n_parsed;
    assert_eq!(parsed_from_disk, n_files);

    // The same files again: nothing is parsed twice.
    let (session, _) = analyse(&Disk, &fleet, Session::reusing(session));
    assert_eq!(
        (session.parses.n_parsed, session.parses.n_reused),
        (0, n_files)
    );

    // An unsaved edit that breaks a community: reported in that file, read from the buffer, and
    // only that file is parsed again; the disk is unchanged.
    let community = fleet.join("clusters/leap/staging.hub");
    let on_disk = std::fs::read_to_string(&community).unwrap();
    let edited = on_disk.replacen("cluster = leap", "cluster = leapp", 1);
    assert_ne!(edited, on_disk);
    let mut overlay = Overlay::new(&Disk);
    overlay.open(community.clone(), &edited, 7);
    assert_eq!(overlay.version(&community), Some(7));
    let (session, _) = analyse(&overlay, &fleet, Session::reusing(session));
    assert_eq!(
        (session.parses.n_parsed, session.parses.n_reused),
        (1, n_files - 1)
    );
    let found = errors(&session);
    assert!(
        found.len() == 1
            && found[0].starts_with("hub::resolve::unknown_name")
            && found[0].ends_with("staging.hub"),
        "{found:?}"
    );
    assert_eq!(std::fs::read_to_string(&community).unwrap(), on_disk);

    // A buffer never saved is part of the fleet; closing the edited one restores the disk's.
    let new_file = fleet.join("clusters/leap/sandbox.hub");
    let sandbox = "community \"sandbox\" : dask_lab with leap_common {\n  cluster = leap\n  domain = \"sandbox.leap.2i2c.cloud\"\n  display_name = \"LEAP Sandbox\"\n}\n";
    overlay.open(new_file.clone(), sandbox, 1);
    overlay.close(&community);
    let (session, analysis) = analyse(&overlay, &fleet, Session::reusing(session));
    assert!(errors(&session).is_empty(), "{:?}", errors(&session));
    assert_eq!(session.files.len(), n_files + 1);
    assert!(
        analysis
            .fleet
            .find_community("leap/sandbox", &analysis.names)
            .is_ok()
    );
    assert!(!new_file.exists());
}

/// The byte offset of the first `needle` in the file of `path`, plus `skip` bytes.
fn offset_of(
    session: &Session,
    ends_with: &str,
    needle: &str,
    skip: u32,
) -> (hubc::source::FileId, u32) {
    let file = session
        .files
        .iter()
        .find(|file| file.path.to_string_lossy().ends_with(ends_with))
        .unwrap_or_else(|| panic!("no file {ends_with}"));
    let text = &session.sources.get(file.id).text;
    let at = text
        .find(needle)
        .unwrap_or_else(|| panic!("no `{needle}` in {ends_with}")) as u32;
    (file.id, at + skip)
}

#[test]
fn positions_values_and_users_are_answered_from_the_compiled_fleet() {
    let fleet = example();
    let (session, analysis) = analyse(&Disk, &fleet, Session::default());
    let names = &analysis.names;
    let fleet_decls = &analysis.fleet;
    let staging = fleet_decls.find_community("leap/staging", names).unwrap();

    // The name of a declaration, where it is declared.
    let (file, at) = offset_of(&session, "leap/staging.hub", "community \"staging\"", 12);
    assert_eq!(
        query::at(&analysis, &session, file, at),
        Some(Found::Declaration(staging))
    );

    // The archetype after `:` refers to its declaration.
    let parent = fleet_decls.decl(staging).parent.unwrap();
    let written = format!(": {}", fleet_decls.decl(parent).display);
    let (file, at) = offset_of(&session, "leap/staging.hub", &written, 3);
    let Some(Found::Reference { from, to, span }) = query::at(&analysis, &session, file, at) else {
        panic!("no reference after `:`");
    };
    assert_eq!((from, to), (staging, parent));
    let text = &session.sources.get(file).text;
    assert_eq!(&text[span.range()], fleet_decls.decl(parent).display);

    // A key of a statement is the path up to it.
    let (file, at) = offset_of(&session, "leap/staging.hub", "domain", 1);
    let Some(Found::Path { decl, path, .. }) = query::at(&analysis, &session, file, at) else {
        panic!("no path at `domain`");
    };
    assert_eq!(decl, staging);
    assert_eq!(hubc::resolve::value::path_text(&path, names), "domain");

    // An import names its module.
    let (file, at) = offset_of(&session, "platform.hub", "import std.", 8);
    assert!(
        matches!(query::at(&analysis, &session, file, at), Some(Found::Import { ref module, .. }) if module.starts_with("std.")),
        "{:?}",
        query::at(&analysis, &session, file, at)
    );

    // The value at a path, and the chain behind it ends where the community's value was set.
    let cull: Vec<_> = ["jupyterhub", "cull", "timeout"]
        .iter()
        .map(|key| names.get(key).unwrap())
        .collect();
    let (node, chain) = query::value_of(&analysis, staging, &cull).expect("a culling timeout");
    let last = chain.last().expect("set somewhere");
    assert_eq!(node.provenance().unwrap().origin, *last);
    assert!(
        query::value_of(
            &analysis,
            staging,
            &[
                names.get("jupyterhub").unwrap(),
                names.get("domain").unwrap()
            ]
        )
        .is_none()
    );

    // Users: the communities below a layer, of a mixin, on a cluster.
    let of_parent = query::users(&analysis, parent);
    assert!(of_parent.contains(&staging));
    let root = fleet_decls.chain(staging)[0];
    assert_eq!(query::users(&analysis, root).len(), {
        fleet_decls
            .communities
            .iter()
            .filter(|&&c| fleet_decls.chain(c)[0] == root)
            .count()
    });
    let cluster = fleet_decls.decl(staging).cluster.unwrap();
    let on_cluster = query::users(&analysis, cluster);
    assert!(on_cluster.contains(&staging));
    assert!(
        on_cluster
            .iter()
            .all(|&c| fleet_decls.decl(c).cluster == Some(cluster))
    );
    for &mixin in &fleet_decls.decl(staging).mixins {
        assert!(query::users(&analysis, mixin).contains(&staging));
    }
}

/// A fleet type named like a standard one is the one reported, however the fleet is declared:
/// the standard module is loaded after the fleet's files, and more files than are parsed at once
/// come before it, yet its types are compiled first.
#[test]
fn a_fleet_type_with_a_standard_types_name_is_reported_in_either_way_of_declaring() {
    let mut files = vec![(
        PathBuf::from("types.hub"),
        "type UserServiceAccount = string\n".to_string(),
    )];
    for index in 0..9 {
        files.push((
            PathBuf::from(format!("more{index}.hub")),
            format!("type Local{index} = string\n"),
        ));
    }
    files.push((
        PathBuf::from("uses.hub"),
        "import std.basehub\n".to_string(),
    ));
    let duplicates = |session: Session| -> Vec<String> {
        let mut session = session;
        let loaded = files
            .iter()
            .map(|(path, text)| {
                let bytes: std::sync::Arc<[u8]> = text.as_bytes().into();
                (path.clone(), hubc::analysis::module_name(path), bytes)
            })
            .collect();
        hubc::analysis::add_modules(&mut session, loaded);
        hubc::driver::load_imports(&mut session, None);
        hubc::analysis::analyze(&mut session, TODAY).expect("the fleet analyses");
        session
            .diagnostics
            .iter()
            .filter(|d| d.code == "hub::check::duplicate_type")
            .map(|d| session.sources.get(d.file).name.clone())
            .collect()
    };
    assert_eq!(duplicates(Session::default()), ["types.hub"]);
    assert_eq!(duplicates(Session::declaring()), ["types.hub"]);
}
