//! The compiled fleet: every file of a run parsed into a [`Session`], and [`analyze`], which
//! resolves, checks and classifies it into an [`Analysis`]. Works on text only: the driver
//! (or the editor server) says which files there are and what they hold.

pub mod gaps;
pub mod query;
pub mod store;

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::check::policy::{CommunityDrift, Day};
use crate::diagnostics::Diagnostic;
use crate::intern::Interner;
use crate::resolve::{self, FileInput, Fleet};
use crate::schema::{self, Schema};
use crate::source::{FileId, SourceMap};
use crate::syntax::{self, Parsed};

/// Every file of a run, parsed, with the diagnostics found so far.
#[derive(Debug, Default)]
pub struct Session {
    pub sources: SourceMap,
    pub files: Vec<LoadedFile>,
    pub diagnostics: Vec<Diagnostic>,
    /// The trees of texts parsed before: a session made from another's cache
    /// ([`Session::reusing`]) parses only the files whose text changed.
    pub parses: ParseCache,
    /// Whether [`analyze`] lets each file's tree go as soon as the file is declared: set by a
    /// command that runs once and needs only what analysis makes of the trees, so that they
    /// are never all held beside it. Each file keeps its syntax errors, what its broken parts
    /// lost, and its [`Shape`].
    pub release_trees: bool,
}

/// Parsed trees by the text they were parsed from.
#[derive(Debug, Default)]
pub struct ParseCache {
    trees: std::collections::HashMap<Arc<str>, Arc<Parsed>>,
    /// How many texts were parsed, and how many found here instead.
    pub n_parsed: usize,
    pub n_reused: usize,
}

impl ParseCache {
    /// The tree of `text`: parsed once, then shared.
    fn parse(&mut self, text: &Arc<str>) -> Arc<Parsed> {
        match self.get(text) {
            Some(parsed) => self.reused(parsed),
            None => self.insert(text.clone(), syntax::parse(text)),
        }
    }

    fn get(&self, text: &str) -> Option<Arc<Parsed>> {
        self.trees.get(text).cloned()
    }

    fn reused(&mut self, parsed: Arc<Parsed>) -> Arc<Parsed> {
        self.n_reused += 1;
        parsed
    }

    fn insert(&mut self, text: Arc<str>, parsed: Parsed) -> Arc<Parsed> {
        self.n_parsed += 1;
        let parsed = Arc::new(parsed);
        self.trees.insert(text, parsed.clone());
        parsed
    }

    /// Keeps only the trees of `texts`: what the next session can reuse.
    fn retain(&mut self, texts: &[&str]) {
        let keep: std::collections::HashSet<&str> = texts.iter().copied().collect();
        self.trees.retain(|text, _| keep.contains(text.as_ref()));
        self.n_parsed = 0;
        self.n_reused = 0;
    }
}

#[derive(Debug)]
pub struct LoadedFile {
    pub id: FileId,
    pub path: PathBuf,
    /// The name the file is imported by: `std.jupyterhub`, or its path from the fleet root
    /// with dots, such as `archetypes.course`.
    pub module: String,
    pub parsed: Arc<Parsed>,
    pub shape: Shape,
}

/// What a file declares, in numbers: kept when its tree is let go.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shape {
    pub n_items: usize,
    pub n_communities: usize,
    /// Whether it declares nothing but communities (and imports): no layer, cluster or type.
    pub only_communities: bool,
}

impl Shape {
    fn of(file: &syntax::ast::File) -> Shape {
        use syntax::ast::{DeclKind, ItemKind};
        let is_community = |kind: &ItemKind| matches!(kind, ItemKind::Decl(decl) if decl.kind == DeclKind::Community);
        Shape {
            n_items: file.items.len(),
            n_communities: file
                .items
                .iter()
                .filter(|item| is_community(&item.kind))
                .count(),
            only_communities: file
                .items
                .iter()
                .all(|item| is_community(&item.kind) || matches!(item.kind, ItemKind::Import(_))),
        }
    }
}

impl Session {
    /// An empty session that reuses the trees of `previous`'s files: re-analysing after one
    /// file changed parses that file only.
    pub fn reusing(previous: Session) -> Session {
        let mut parses = previous.parses;
        let texts: Vec<&str> = previous
            .files
            .iter()
            .map(|file| previous.sources.get(file.id).text.as_ref())
            .collect();
        parses.retain(&texts);
        Session {
            parses,
            ..Session::default()
        }
    }

    /// Records a problem with the file `path` itself (it could not be read, say), which becomes
    /// an empty source of its own.
    pub fn report_file_problem(&mut self, path: &str, error: &dyn miette::Diagnostic) {
        let file = self.sources.add(path, "");
        self.diagnostics.push(Diagnostic::from_miette(file, error));
    }

    pub fn n_declarations(&self) -> usize {
        self.files.iter().map(|file| file.shape.n_items).sum()
    }

    /// Takes each file's tree out of the session, leaving its syntax errors and what its
    /// broken parts lost (see [`Session::release_trees`]); `None` for a tree shared with
    /// something else, which stays.
    fn take_trees(&mut self) -> Vec<Option<syntax::ast::File>> {
        self.parses = ParseCache::default();
        self.files
            .iter_mut()
            .map(|loaded| {
                Arc::get_mut(&mut loaded.parsed).map(|parsed| std::mem::take(&mut parsed.file))
            })
            .collect()
    }
}

/// Parses one file's bytes into the session. Its module name is its path without `.hub`.
pub fn add_file(session: &mut Session, path: PathBuf, bytes: &[u8]) {
    let module = module_name(&path);
    add_module(session, path, module, bytes);
}

pub fn add_module(session: &mut Session, path: PathBuf, module: String, bytes: &[u8]) {
    let (text, utf8_error) = syntax::decode(bytes);
    let text: Arc<str> = Arc::from(text);
    let parsed = session.parses.parse(&text);
    commit(session, path, module, text, utf8_error, parsed);
}

/// [`add_module`] for several files at once: decoded and parsed on every core, then added in
/// their order, with the same result as adding them one by one.
pub fn add_modules(session: &mut Session, files: Vec<(PathBuf, String, Arc<[u8]>)>) {
    use rayon::prelude::*;
    /// A file's tree: one an earlier session parsed, or one parsed now.
    enum Tree {
        Cached(Arc<Parsed>),
        Fresh(Parsed),
    }
    let cache = &session.parses;
    let prepared: Vec<_> = files
        .par_iter()
        .map(|(_, _, bytes)| {
            let (text, utf8_error) = syntax::decode(bytes);
            let text: Arc<str> = Arc::from(text);
            let tree = match cache.get(&text) {
                Some(cached) => Tree::Cached(cached),
                None => Tree::Fresh(syntax::parse(&text)),
            };
            (text, utf8_error, tree)
        })
        .collect();
    for ((path, module, _), (text, utf8_error, tree)) in files.into_iter().zip(prepared) {
        let parsed = match tree {
            Tree::Cached(cached) => session.parses.reused(cached),
            Tree::Fresh(fresh) => session.parses.insert(text.clone(), fresh),
        };
        commit(session, path, module, text, utf8_error, parsed);
    }
}

/// Adds a decoded, parsed file to the session; its text is shared with the parse cache.
fn commit(
    session: &mut Session,
    path: PathBuf,
    module: String,
    text: Arc<str>,
    utf8_error: Option<syntax::SyntaxError>,
    parsed: Arc<Parsed>,
) {
    let id = session.sources.add(path.display().to_string(), text);
    session.diagnostics.extend(
        utf8_error
            .iter()
            .chain(&parsed.errors)
            .map(|error| Diagnostic::from_miette(id, error)),
    );
    let shape = Shape::of(&parsed.file);
    session.files.push(LoadedFile {
        id,
        path,
        module,
        parsed,
        shape,
    });
}

/// `archetypes/course.hub` is the module `archetypes.course`.
pub fn module_name(relative: &Path) -> String {
    let without_extension = relative.with_extension("");
    let parts: Vec<String> = without_extension
        .components()
        .filter_map(|component| match component {
            std::path::Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    parts.join(".")
}

/// A file with more syntax errors than this is not a file being typed but something else (a
/// binary, another language): it is reported, and analysed no further, as if unreadable.
pub const MAX_SYNTAX_ERRORS: usize = 1000;

/// Whether a file's tree is analysed: all but those of [`MAX_SYNTAX_ERRORS`].
fn analysed(file: &LoadedFile) -> bool {
    file.parsed.errors.len() <= MAX_SYNTAX_ERRORS
}

/// The gaps the session's syntax errors and unreadable files leave in `fleet`.
fn gaps_of(session: &Session, fleet: &Fleet) -> gaps::Gaps {
    let unreadable = session
        .diagnostics
        .iter()
        .any(|diagnostic| diagnostic.is_error() && diagnostic.code.starts_with("hub::io::"))
        || !session.files.iter().all(analysed);
    // The session holds only the diagnostics of loading and parsing here.
    let mut broken: std::collections::BTreeMap<FileId, gaps::Broken> = Default::default();
    for diagnostic in &session.diagnostics {
        if diagnostic.code.starts_with("hub::syntax::") {
            broken
                .entry(diagnostic.file)
                .or_insert_with(|| gaps::Broken {
                    file: diagnostic.file,
                    errors: Vec::new(),
                    incomplete: Vec::new(),
                    lost: Default::default(),
                })
                .errors
                .push(diagnostic.span);
        }
    }
    for loaded in &session.files {
        if let Some(file) = broken.get_mut(&loaded.id) {
            file.incomplete = loaded.parsed.incomplete.clone();
            file.lost = loaded.parsed.lost.clone();
        }
    }
    let broken: Vec<gaps::Broken> = broken.into_values().collect();
    let refused: Vec<(FileId, crate::source::Span)> = session
        .diagnostics
        .iter()
        .filter(|d| d.code == "hub::resolve::import_outside_fleet")
        .map(|d| (d.file, d.span))
        .collect();
    gaps::Gaps::new(&broken, unreadable, &refused, fleet)
}

/// A file's tree, unless it was declared and let go.
fn present<'a>(tree: &'a Option<Cow<'_, syntax::ast::File>>) -> Option<&'a syntax::ast::File> {
    tree.as_deref()
}

fn input<'a>(loaded: &LoadedFile, tree: &'a syntax::ast::File) -> FileInput<'a> {
    FileInput {
        file: loaded.id,
        module: loaded.module.clone(),
        ast: tree,
    }
}

/// A checked fleet: the resolved declarations, their schema and their drift.
#[derive(Debug)]
pub struct Analysis {
    pub names: Interner,
    pub schema: Schema,
    pub fleet: Fleet,
    pub drift: Vec<CommunityDrift>,
    /// The files of the standard modules (`std.*`), in ascending order.
    pub standard_files: Vec<FileId>,
    /// What the parts that did not parse leave out: the diagnostics they could cause are held
    /// back.
    pub gaps: gaps::Gaps,
}

/// What an [`Analysis`] holds for its checks and reports only: each community's drift and each
/// declaration's lowered statements ([`Analysis::take_checked`]).
pub struct Checked {
    _drift: Vec<CommunityDrift>,
    _layers: Vec<resolve::lower::Layer>,
    _before_own: Vec<Option<resolve::value::Node>>,
    _decided: Vec<Vec<Vec<crate::intern::Symbol>>>,
}

impl Analysis {
    /// Takes out what only the checks and reports read, once they have run: emitting the
    /// files needs the resolved values and properties, not the statements that made them, what
    /// the mixins decided, nor the drift.
    pub fn take_checked(&mut self) -> Checked {
        Checked {
            _drift: std::mem::take(&mut self.drift),
            _before_own: std::mem::take(&mut self.fleet.before_own),
            _decided: std::mem::take(&mut self.fleet.decided),
            _layers: self
                .fleet
                .decls
                .iter_mut()
                .map(|decl| std::mem::take(&mut decl.layer))
                .collect(),
        }
    }
}

/// Compiles the schema, resolves the fleet, checks types and classifies drift, adding every
/// diagnostic to the session. What only building finds (the emitters' own check) is added by the
/// front ends, which sit above the emitters. `today` decides which `@expires` dates have passed.
///
/// A file that does not parse is analysed as far as it parsed: its recovered tree declares its
/// names and values where they are whole, so the rest of the fleet, and the rest of the file,
/// keep their diagnostics. What the broken parts could have caused is held back ([`gaps`]).
/// Returns `None` only for a session with no files.
pub fn analyze(session: &mut Session, today: Day) -> Option<Analysis> {
    if session.files.is_empty() {
        return None;
    }
    let mut names = Interner::new();
    let mut check_errors = Vec::new();
    // A session that lets its trees go gives them up here (each file keeps its syntax errors
    // and what its broken parts lost), and each goes once its file is declared: the trees of a
    // fleet are never all held beside what is made of them.
    let mut taken = if session.release_trees {
        session.take_trees()
    } else {
        Vec::new()
    };
    let mut trees: Vec<(&LoadedFile, Option<Cow<'_, syntax::ast::File>>)> = session
        .files
        .iter()
        .enumerate()
        .filter(|(_, loaded)| analysed(loaded))
        .map(|(index, loaded)| {
            let tree = match taken.get_mut(index).and_then(Option::take) {
                Some(owned) => Cow::Owned(owned),
                None => Cow::Borrowed(&loaded.parsed.file),
            };
            (loaded, Some(tree))
        })
        .collect();
    // Standard modules first: a fleet type that takes a standard type's name is the one
    // reported, and the standard types keep their meaning.
    let mut ordered: Vec<&(&LoadedFile, Option<Cow<'_, syntax::ast::File>>)> =
        trees.iter().collect();
    ordered.sort_by_key(|(loaded, _)| !loaded.module.starts_with("std."));
    let type_sources: Vec<schema::TypeSource<'_>> = ordered
        .into_iter()
        .flat_map(|(loaded, tree)| {
            present(tree)
                .into_iter()
                .flat_map(|file| file.items.iter())
                .map(move |item| schema::TypeSource {
                    file: loaded.id,
                    item,
                })
        })
        .collect();
    let phase = crate::timings::phase("schema");
    let schema = schema::compile(&type_sources, &mut names, &mut check_errors);
    drop(phase);
    let inputs: Vec<FileInput<'_>> = trees
        .iter()
        .filter_map(|(loaded, tree)| Some(input(loaded, present(tree)?)))
        .collect();
    let mut resolution = resolve::Resolution::new(&inputs);
    drop(inputs);
    let phase = crate::timings::phase("declare");
    for (loaded, tree) in &mut trees {
        if let Some(tree) = tree.take() {
            resolution.declare(&input(loaded, &tree), &mut names);
            if let Cow::Owned(tree) = tree {
                // Freed on another core, while this one declares the next file.
                rayon::spawn(move || drop(tree));
            }
        }
    }
    drop(phase);
    drop(trees);
    let (fleet, resolve_errors) = resolution.finish(&schema, &mut names);
    let phase = crate::timings::phase("typecheck");
    check_errors.extend(crate::check::typecheck::check(&fleet, &schema, &names));
    drop(phase);
    let phase = crate::timings::phase("drift");
    // What servers ask of their nodes is worked out beside, on the other cores.
    let ((drift, mut policy_errors), scheduling) = rayon::join(
        || crate::check::policy::classify(&fleet, &schema, &names, today),
        || crate::check::schedule::check(&fleet, &names),
    );
    drop(phase);
    let phase = crate::timings::phase("policy");
    let (policy_check_errors, declared_policy_errors) =
        crate::check::policy::validate(&fleet, &schema, &names, today);
    drop(phase);
    check_errors.extend(policy_check_errors);
    policy_errors.extend(declared_policy_errors);
    let mut found: Vec<Diagnostic> = resolve_errors
        .iter()
        .map(Diagnostic::from_located)
        .chain(check_errors.iter().map(Diagnostic::from_located))
        .chain(policy_errors.iter().map(Diagnostic::from_located))
        .collect();
    let gaps = gaps_of(session, &fleet);
    if !gaps.is_empty() {
        found.retain(|diagnostic| !gaps.hides(diagnostic, &fleet, &session.sources));
    }
    // What a server asks of its node is read from all of its community's layers: a community
    // one of whose layers lost a statement is not judged.
    let phase = crate::timings::phase("schedule");
    let reported = |decl| !gaps.touches(decl);
    let schedule_errors = crate::check::schedule::report(scheduling, &reported);
    found.extend(schedule_errors.iter().map(Diagnostic::from_located));
    // Errors found once per community (a mixin's problem, say) are reported once.
    found.sort_by(|left, right| {
        (left.file, left.span.start, &left.code, &left.message).cmp(&(
            right.file,
            right.span.start,
            &right.code,
            &right.message,
        ))
    });
    found.dedup();
    drop(phase);
    let mut standard_files: Vec<FileId> = session
        .files
        .iter()
        .filter(|loaded| loaded.module.starts_with("std."))
        .map(|loaded| loaded.id)
        .collect();
    standard_files.sort_unstable();
    let analysis = Analysis {
        names,
        schema,
        fleet,
        drift,
        standard_files,
        gaps,
    };
    session.diagnostics.extend(found);
    Some(analysis)
}
