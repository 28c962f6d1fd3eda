//! The fleets the editor works in: each open file belongs to the fleet under its root, loaded
//! through the open buffers over the disk, analysed again when one of its files changed, and
//! re-parsed only where the text changed.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};

use crate::analysis::store::{self, Kind, Overlay, Store};
use crate::analysis::{Analysis, LoadedFile, Session};
use crate::check::policy::Day;
use crate::driver::{self, Disk};
use crate::source::FileId;

/// The buffers the editor has open, over the disk.
pub struct Workspace {
    pub buffers: Overlay<'static>,
    /// The folders the client opened: a fleet root is never looked for above one.
    pub folders: Vec<PathBuf>,
    pub fleets: BTreeMap<PathBuf, Fleet>,
    pub today: Day,
}

/// One fleet: its last analysis, and what was last published for each of its files.
pub struct Fleet {
    pub root: PathBuf,
    pub session: Session,
    pub analysis: Option<Analysis>,
    /// Files changed since the last analysis.
    pub stale: bool,
    /// The diagnostics last published for each file that had some.
    pub published: BTreeMap<PathBuf, Vec<crate::diagnostics::Diagnostic>>,
}

impl Fleet {
    /// The loaded file at `path`.
    pub fn file(&self, path: &Path) -> Option<&LoadedFile> {
        self.session.files.iter().find(|file| file.path == path)
    }

    /// The path of each file of the session, by id; files that are not on disk (the standard
    /// modules) have none.
    pub fn paths(&self) -> HashMap<FileId, PathBuf> {
        let mut paths: HashMap<FileId, PathBuf> = self
            .session
            .files
            .iter()
            .filter(|file| file.path.is_absolute())
            .map(|file| (file.id, file.path.clone()))
            .collect();
        // A file that could not be read has a source of its own, named by its path.
        for diagnostic in &self.session.diagnostics {
            let name = &self.session.sources.get(diagnostic.file).name;
            if !paths.contains_key(&diagnostic.file) && Path::new(name).is_absolute() {
                paths.insert(diagnostic.file, PathBuf::from(name));
            }
        }
        paths
    }
}

impl Workspace {
    pub fn new(today: Day) -> Workspace {
        Workspace {
            buffers: Overlay::new(&Disk),
            folders: Vec::new(),
            fleets: BTreeMap::new(),
            today,
        }
    }

    /// The root of the fleet `file` belongs to: the highest folder above it that holds `.hub`
    /// files of its own, not above a repository's top (a folder with `.git`) or a folder the
    /// client opened. Outside any such top, the search stops at the second folder in a row
    /// without `.hub` files, so a stray file never makes a whole home directory one fleet.
    pub fn root_of(&self, file: &Path) -> PathBuf {
        let store = &self.buffers;
        let start = file.parent().unwrap_or(file);
        let mut above: Vec<&Path> = Vec::new();
        let mut bounded = false;
        for directory in start.ancestors() {
            above.push(directory);
            let top = self.folders.iter().any(|folder| folder == directory)
                || store.kind(&directory.join(".git")) != Kind::Missing;
            if top {
                bounded = true;
                break;
            }
        }
        let mut root = start;
        let mut gap = 0;
        for directory in above {
            if holds_hub_files(store, directory) {
                root = directory;
                gap = 0;
            } else {
                gap += 1;
                if gap > 1 && !bounded {
                    break;
                }
            }
        }
        root.to_path_buf()
    }

    /// Makes sure the fleet of `file` is known, to be loaded at its next refresh; its root.
    pub fn ensure_fleet(&mut self, file: &Path) -> PathBuf {
        let root = match self.fleets.keys().find(|root| self.contains(root, file)) {
            Some(root) => root.clone(),
            None => self.root_of(file),
        };
        self.fleets.entry(root.clone()).or_insert_with(|| Fleet {
            root: root.clone(),
            session: Session::default(),
            analysis: None,
            stale: true,
            published: BTreeMap::new(),
        });
        root
    }

    /// The fleet of `file`, loaded and analysed up to date.
    pub fn fleet_of(&mut self, file: &Path) -> &mut Fleet {
        let root = self.ensure_fleet(file);
        self.refresh(&root);
        self.fleets.get_mut(&root).expect("ensured above")
    }

    /// Whether `file` belongs to the fleet at `root`: it is under it and no deeper folder the
    /// client opened claims it.
    fn contains(&self, root: &Path, file: &Path) -> bool {
        file.starts_with(root)
            && file.extension().is_some_and(|extension| extension == "hub")
            && !self.folders.iter().any(|folder| {
                folder.starts_with(root) && folder != root && file.starts_with(folder)
            })
    }

    /// Marks every fleet that `file` belongs to as changed.
    pub fn touch(&mut self, file: &Path) {
        for fleet in self.fleets.values_mut() {
            if file.starts_with(&fleet.root) {
                fleet.stale = true;
            }
        }
    }

    /// Analyses the fleet at `root` again if one of its files changed.
    pub fn refresh(&mut self, root: &Path) {
        let Some(fleet) = self.fleets.get_mut(root) else {
            return;
        };
        if !fleet.stale {
            return;
        }
        let previous = std::mem::take(&mut fleet.session);
        let old = fleet.analysis.take();
        let mut session = Session::reusing(previous);
        store::load_fleet(&self.buffers, root, &mut session);
        fleet.analysis = driver::analyze(&mut session, self.today);
        fleet.session = session;
        fleet.stale = false;
        // Freeing a large fleet's trees takes a while: it is done beside the next answer.
        if let Some(old) = old {
            let _ = std::thread::Builder::new()
                .name("lsp-drop".into())
                .spawn(move || drop(old));
        }
    }

    /// Lets go of the fleets none of whose files is open; the diagnostics they had published.
    pub fn release_unused(&mut self) -> Vec<(PathBuf, Vec<crate::diagnostics::Diagnostic>)> {
        let open: Vec<PathBuf> = self.buffers.open_paths().map(Path::to_path_buf).collect();
        let unused: Vec<PathBuf> = self
            .fleets
            .keys()
            .filter(|root| !open.iter().any(|path| self.contains(root, path)))
            .cloned()
            .collect();
        let mut released = Vec::new();
        for root in unused {
            if let Some(fleet) = self.fleets.remove(&root) {
                released.extend(fleet.published);
            }
        }
        released
    }

    /// The roots of the fleets that changed since their last analysis.
    pub fn stale_roots(&self) -> Vec<PathBuf> {
        self.fleets
            .values()
            .filter(|fleet| fleet.stale)
            .map(|fleet| fleet.root.clone())
            .collect()
    }
}

fn holds_hub_files(store: &dyn Store, directory: &Path) -> bool {
    store.list(directory).is_ok_and(|entries| {
        entries.iter().any(|entry| {
            entry.kind == Kind::File
                && entry
                    .path
                    .extension()
                    .is_some_and(|extension| extension == "hub")
        })
    })
}
