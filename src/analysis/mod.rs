//! The compiled fleet: every file of a run parsed into a [`Session`], and [`analyze`], which
//! resolves, checks and classifies it into an [`Analysis`]. Works on text only: the driver
//! (or the editor server) says which files there are and what they hold.

pub mod gaps;
pub mod query;
pub mod store;

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
    /// Whether its files keep their trees, or are declared as they load.
    declaring: Declaration,
}

/// How the files of a [`Session`] are declared.
#[derive(Debug, Default)]
enum Declaration {
    /// By [`analyze`], from the trees the files keep.
    #[default]
    FromTrees,
    /// As they load ([`Session::declaring`]): what is declared so far.
    AsLoaded(Box<Declaring>),
    /// As they loaded, and [`analyze`] has taken what was declared: the trees are gone.
    Taken,
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
    /// Its tree, errors and lost parts; a file of a [`Session::declaring`] session keeps all
    /// but its tree.
    pub parsed: Arc<Parsed>,
    pub shape: Shape,
    /// The modules it imports.
    pub imports: Vec<syntax::ModuleImport>,
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
}

/// Declarations made a file at a time, in the files' order, while they load: each file's tree
/// is declared as soon as it is parsed and let go, so that the trees of a fleet are never all
/// held at once, and the other cores parse the next files meanwhile.
#[derive(Default)]
struct Declaring {
    names: Interner,
    resolution: resolve::Resolution,
    /// The type and schema declarations of the files, in their order: the schema is compiled
    /// from them once every file is declared.
    types: Vec<(FileId, syntax::ast::Item)>,
}

impl std::fmt::Debug for Declaring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Declaring")
            .field("n_names", &self.names.len())
            .field("n_types", &self.types.len())
            .finish_non_exhaustive()
    }
}

impl Declaring {
    /// Declares the items of a file (of one that parsed well enough to be analysed).
    fn declare(&mut self, loaded: &LoadedFile, tree: &syntax::ast::File) {
        if analysed(loaded) {
            self.resolution.declare(
                &FileInput {
                    file: loaded.id,
                    module: loaded.module.clone(),
                    ast: tree,
                },
                &mut self.names,
            );
        }
    }

    /// Keeps the type and schema declarations of a declared file, whose tree goes.
    fn keep_types(&mut self, loaded: &LoadedFile, tree: syntax::ast::File) {
        if !analysed(loaded) {
            return;
        }
        let types = tree.items.into_iter().filter(is_type);
        self.types.extend(types.map(|item| (loaded.id, item)));
    }
}

fn is_type(item: &syntax::ast::Item) -> bool {
    use syntax::ast::ItemKind;
    matches!(item.kind, ItemKind::Type(_) | ItemKind::Schema(_))
}

/// The type and schema declarations to compile, standard modules first and otherwise in the
/// files' order: a fleet type that takes a standard type's name is the one reported, and the
/// standard types keep their meaning. `standard_files` is sorted.
fn standard_first<'a>(
    types: impl Iterator<Item = (FileId, &'a syntax::ast::Item)>,
    standard_files: &[FileId],
) -> Vec<schema::TypeSource<'a>> {
    let mut sources: Vec<schema::TypeSource<'a>> = types
        .map(|(file, item)| schema::TypeSource { file, item })
        .collect();
    sources.sort_by_key(|source| standard_files.binary_search(&source.file).is_err());
    sources
}

impl Session {
    /// An empty session that declares each file as it loads and lets its tree go
    /// ([`Declaring`]): for a command that runs once and needs only what analysis makes of the
    /// trees. Each file keeps its syntax errors, what its broken parts lost, its [`Shape`] and
    /// its imports.
    pub fn declaring() -> Session {
        Session {
            declaring: Declaration::AsLoaded(Box::default()),
            ..Session::default()
        }
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
    let tree = if matches!(session.declaring, Declaration::AsLoaded(_)) {
        Tree::Owned(syntax::parse(&text))
    } else {
        Tree::Shared(session.parses.parse(&text))
    };
    commit(session, path, module, text, utf8_error, tree);
}

/// [`add_module`] for several files at once: decoded and parsed on every core, then added in
/// their order, with the same result as adding them one by one.
pub fn add_modules(session: &mut Session, files: Vec<(PathBuf, String, Arc<[u8]>)>) {
    use rayon::prelude::*;
    if matches!(session.declaring, Declaration::AsLoaded(_)) {
        return add_modules_declaring(session, files);
    }
    let cache = &session.parses;
    let prepared: Vec<_> = files
        .par_iter()
        .map(|(_, _, bytes)| {
            let (text, utf8_error) = syntax::decode_shared(bytes);
            let tree = match cache.get(&text) {
                Some(cached) => Ok(cached),
                None => Err(syntax::parse(&text)),
            };
            (text, utf8_error, tree)
        })
        .collect();
    for ((path, module, _), (text, utf8_error, tree)) in files.into_iter().zip(prepared) {
        let parsed = match tree {
            Ok(cached) => session.parses.reused(cached),
            Err(fresh) => session.parses.insert(text.clone(), fresh),
        };
        commit(
            session,
            path,
            module,
            text,
            utf8_error,
            Tree::Shared(parsed),
        );
    }
}

/// [`add_modules`] for a [`Session::declaring`] session: the files are parsed a few at a time
/// on the other cores while the ones before them are declared, so that only the trees of those
/// few are alive at once.
fn add_modules_declaring(session: &mut Session, files: Vec<(PathBuf, String, Arc<[u8]>)>) {
    use rayon::prelude::*;
    type Prepared = (Arc<str>, Option<syntax::SyntaxError>, Parsed);
    let parse = |part: &[Arc<[u8]>]| -> Vec<Prepared> {
        part.par_iter()
            .map(|bytes| {
                let (text, utf8_error) = syntax::decode_shared(bytes);
                let parsed = syntax::parse(&text);
                (text, utf8_error, parsed)
            })
            .collect()
    };
    let bytes: Vec<Arc<[u8]>> = files.iter().map(|(_, _, bytes)| bytes.clone()).collect();
    let mut names = files.into_iter().map(|(path, module, _)| (path, module));
    let mut parts = bytes.chunks(2 * rayon::current_num_threads());
    let mut ready = parts.next().map(parse);
    while let Some(current) = ready.take() {
        let next = parts.next();
        let ((), parsed) = rayon::join(
            || {
                for ((text, utf8_error, parsed), (path, module)) in
                    current.into_iter().zip(names.by_ref())
                {
                    commit(session, path, module, text, utf8_error, Tree::Owned(parsed));
                }
            },
            || next.map(parse),
        );
        ready = parsed;
    }
}

/// A parsed file to add to a session: shared with its parse cache, or owned by a declaring
/// session, which declares it and keeps all but its tree.
enum Tree {
    Shared(Arc<Parsed>),
    Owned(Parsed),
}

/// Adds a decoded, parsed file to the session; its text is shared with the parse cache.
fn commit(
    session: &mut Session,
    path: PathBuf,
    module: String,
    text: Arc<str>,
    utf8_error: Option<syntax::SyntaxError>,
    tree: Tree,
) {
    let id = session.sources.add(path.display().to_string(), text);
    let parsed = match &tree {
        Tree::Shared(parsed) => parsed.as_ref(),
        Tree::Owned(parsed) => parsed,
    };
    session.diagnostics.extend(
        utf8_error
            .iter()
            .chain(&parsed.errors)
            .map(|error| Diagnostic::from_miette(id, error)),
    );
    let shape = Shape::of(&parsed.file);
    let imports = syntax::module_imports(&parsed.file);
    let (parsed, owned) = match tree {
        Tree::Shared(parsed) => (parsed, None),
        Tree::Owned(mut parsed) => {
            let file = std::mem::take(&mut parsed.file);
            (Arc::new(parsed), Some(file))
        }
    };
    session.files.push(LoadedFile {
        id,
        path,
        module,
        parsed,
        shape,
        imports,
    });
    if let (Declaration::AsLoaded(declaring), Some(file), Some(loaded)) =
        (&mut session.declaring, owned, session.files.last())
    {
        declaring.declare(loaded, &file);
        declaring.keep_types(loaded, file);
    }
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
/// Returns `None` for a session with no files, and for a [`Session::declaring`] session analysed
/// before: its trees are gone (debug builds stop there, a caller's mistake).
pub fn analyze(session: &mut Session, today: Day) -> Option<Analysis> {
    if session.files.is_empty() {
        return None;
    }
    // A declaring session declared its files as they loaded; any other lends its trees.
    let (declaring, kept_trees) = match std::mem::take(&mut session.declaring) {
        Declaration::AsLoaded(declaring) => {
            session.declaring = Declaration::Taken;
            (*declaring, false)
        }
        Declaration::Taken => {
            session.declaring = Declaration::Taken;
            debug_assert!(
                false,
                "a declaring session is analysed once: its trees are gone"
            );
            return None;
        }
        Declaration::FromTrees => {
            let phase = crate::timings::phase("declare");
            let mut declaring = Declaring::default();
            for loaded in &session.files {
                declaring.declare(loaded, &loaded.parsed.file);
            }
            drop(phase);
            (declaring, true)
        }
    };
    let Declaring {
        mut names,
        mut resolution,
        types,
        ..
    } = declaring;
    let importing: Vec<resolve::Importing<'_>> = session
        .files
        .iter()
        .filter(|loaded| analysed(loaded))
        .map(|loaded| resolve::Importing {
            file: loaded.id,
            module: &loaded.module,
            imports: &loaded.imports,
        })
        .collect();
    resolution.check_imports(&importing);
    drop(importing);
    let mut check_errors = Vec::new();
    let mut standard_files: Vec<FileId> = session
        .files
        .iter()
        .filter(|loaded| loaded.module.starts_with("std."))
        .map(|loaded| loaded.id)
        .collect();
    standard_files.sort_unstable();
    let type_sources = if kept_trees {
        let analysed_files = session.files.iter().filter(|loaded| analysed(loaded));
        let items = analysed_files.flat_map(|loaded| {
            let types = loaded.parsed.file.items.iter().filter(|item| is_type(item));
            types.map(|item| (loaded.id, item))
        });
        standard_first(items, &standard_files)
    } else {
        standard_first(
            types.iter().map(|(file, item)| (*file, item)),
            &standard_files,
        )
    };
    let phase = crate::timings::phase("schema");
    let schema = schema::compile(&type_sources, &mut names, &mut check_errors);
    drop(phase);
    drop(type_sources);
    drop(types);
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
