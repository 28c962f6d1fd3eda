//! Putting a new output directory in place of the old one: the lock that keeps two builds of
//! one directory apart, the swap itself, and the recovery of a build that was killed midway.

use std::path::{Path, PathBuf};

use super::{IoError, output_error, ownership, patch};

/// The steps of writing an output directory, counted so that tests can kill a build at each:
/// in a debug build, `HUBC_FAULT_AFTER=N` aborts the process at step N (release builds never
/// read it), and `HUBC_FAULT_NO_EXCHANGE` makes the swap take the two-rename path that
/// systems without `renameat2` take.
pub(super) struct Steps {
    taken: usize,
    abort_at: Option<usize>,
    exchange: bool,
}

impl Steps {
    pub(super) fn from_environment() -> Steps {
        #[cfg(debug_assertions)]
        let (abort_at, exchange) = (
            std::env::var("HUBC_FAULT_AFTER")
                .ok()
                .and_then(|text| text.parse().ok()),
            std::env::var_os("HUBC_FAULT_NO_EXCHANGE").is_none(),
        );
        #[cfg(not(debug_assertions))]
        let (abort_at, exchange) = (None, true);
        Steps {
            taken: 0,
            abort_at,
            exchange,
        }
    }

    /// Steps that are counted by no test: those of finishing an interrupted build.
    pub(super) fn uncounted() -> Steps {
        Steps {
            taken: 0,
            abort_at: None,
            exchange: true,
        }
    }

    /// Marks the end of a step: the disk is as it would be if the build were killed here.
    pub(super) fn step(&mut self) {
        self.taken += 1;
        if self.abort_at == Some(self.taken) {
            std::process::abort();
        }
    }
}

/// The lock on an output directory, held while a build writes it: `flock` on a file beside
/// it, which the kernel releases when the build ends, however it ends, so a lock is never
/// stale. The file is removed when the lock is released.
pub(super) struct OutputLock {
    path: PathBuf,
    #[cfg(unix)]
    _file: std::fs::File,
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Removed while still locked: a build that opened it meanwhile sees that its file is
        // no longer the one at the path, and takes the lock again on a new one.
        let _ = std::fs::remove_file(&self.path);
    }
}

/// Takes the lock on `directory`, or says another build holds it.
pub(super) fn lock(directory: &Path) -> Result<OutputLock, IoError> {
    let path = sibling(directory, "lock");
    if let Some(parent) = path.parent() {
        super::create_dir_all(parent).map_err(|error| output_error(directory, error))?;
    }
    lock_file(directory, path)
}

#[cfg(unix)]
fn lock_file(directory: &Path, path: PathBuf) -> Result<OutputLock, IoError> {
    use std::os::unix::fs::MetadataExt;
    use std::os::unix::io::AsRawFd;
    let locked = || IoError::OutputLocked {
        path: directory.display().to_string(),
    };
    for _ in 0..16 {
        let file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(|error| output_error(directory, error))?;
        // SAFETY: `flock` only reads the descriptor, which `file` keeps open.
        if unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) } != 0 {
            let error = std::io::Error::last_os_error();
            if error.kind() == std::io::ErrorKind::WouldBlock {
                return Err(locked());
            }
            return Err(output_error(directory, error));
        }
        let opened = file
            .metadata()
            .map_err(|error| output_error(directory, error))?;
        let current = std::fs::metadata(&path);
        if current.is_ok_and(|now| now.dev() == opened.dev() && now.ino() == opened.ino()) {
            return Ok(OutputLock { path, _file: file });
        }
    }
    Err(locked())
}

#[cfg(not(unix))]
fn lock_file(_directory: &Path, path: PathBuf) -> Result<OutputLock, IoError> {
    // No `flock` here: concurrent builds of one directory are not kept apart.
    Ok(OutputLock { path })
}

/// A temporary name beside `directory`, for a build to fill before it takes the place of
/// `directory` (`new`), for the tree it replaces (`old`), for the files of a patch (`patch`,
/// see `patch.rs`), for the lock, or for what a build
/// records for the next (`record`).
pub(super) fn sibling(directory: &Path, role: &str) -> PathBuf {
    let parent = parent_of(directory);
    if role == "lock" || role == "record" {
        return parent.join(format!(".{}.hubc-{role}", base_name(directory)));
    }
    parent.join(format!(
        ".{}.hubc-{role}-{}",
        base_name(directory),
        std::process::id()
    ))
}

/// The directory that holds `directory`: empty for the current one, so that paths joined to
/// it read as the user wrote them.
fn parent_of(directory: &Path) -> &Path {
    match directory.file_name() {
        Some(_) => directory.parent().unwrap_or(Path::new("")),
        None => Path::new("."),
    }
}

fn base_name(directory: &Path) -> String {
    directory
        .file_name()
        .map_or("out".into(), |name| name.to_string_lossy().into_owned())
}

/// Puts `staging`, a complete output, in place of `directory`. Where the system can, the two
/// are exchanged in one step (`renameat2` with `RENAME_EXCHANGE`), so `directory` is always
/// either the old output or the new one; elsewhere the old one is renamed away first, and a
/// build killed between the two renames leaves `directory` missing until the next build
/// recovers it ([`recover`]). The old tree is removed last.
pub(super) fn replace(directory: &Path, staging: &Path, steps: &mut Steps) -> std::io::Result<()> {
    if std::fs::symlink_metadata(directory).is_err() {
        std::fs::rename(staging, directory)?;
        steps.step();
        return Ok(());
    }
    let retired = sibling(directory, "old");
    if steps.exchange && exchange(staging, directory).is_ok() {
        steps.step();
        std::fs::rename(staging, &retired)?;
        steps.step();
    } else {
        std::fs::rename(directory, &retired)?;
        steps.step();
        if let Err(error) = std::fs::rename(staging, directory) {
            // Put the earlier output back rather than leave nothing.
            let _ = std::fs::rename(&retired, directory);
            return Err(error);
        }
        steps.step();
    }
    std::fs::remove_dir_all(&retired)?;
    steps.step();
    Ok(())
}

/// Exchanges two paths atomically.
#[cfg(target_os = "linux")]
fn exchange(first: &Path, second: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let first = CString::new(first.as_os_str().as_bytes())?;
    let second = CString::new(second.as_os_str().as_bytes())?;
    // SAFETY: both paths are NUL-terminated strings that outlive the call. The system call
    // rather than libc's wrapper, which older C libraries lack.
    let result = unsafe {
        libc::syscall(
            libc::SYS_renameat2,
            libc::AT_FDCWD,
            first.as_ptr(),
            libc::AT_FDCWD,
            second.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if result == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_first: &Path, _second: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
}

/// Finishes what an interrupted build of `directory` left: finishes a patch that was committed
/// (`.NAME.hubc-patch-PID` with its journal, see `patch.rs`) and removes one that was not; when
/// `directory` is missing, puts back a complete new tree (verified by its marker) or else the
/// old one; then removes every other leftover `.NAME.hubc-new-PID` and `.NAME.hubc-old-PID`
/// beside it. Runs under the
/// lock, so no leftover belongs to a build still running. Returns a warning for each thing
/// it did.
pub(super) fn recover(directory: &Path) -> Result<Vec<IoError>, IoError> {
    let failed = |error| output_error(directory, error);
    let parent = parent_of(directory);
    let name = base_name(directory);
    let mut leftovers: Vec<(bool, PathBuf)> = Vec::new();
    let mut patches: Vec<PathBuf> = Vec::new();
    let listed = if parent.as_os_str().is_empty() {
        Path::new(".")
    } else {
        parent
    };
    let entries = match std::fs::read_dir(listed) {
        Ok(entries) => entries,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(failed(error)),
    };
    for entry in entries {
        let entry = entry.map_err(failed)?;
        let file_name = entry.file_name().to_string_lossy().into_owned();
        let Some(rest) = file_name.strip_prefix(&format!(".{name}.hubc-")) else {
            continue;
        };
        let (kind, pid) = match rest.split_once('-') {
            Some((kind @ ("new" | "old" | "patch"), pid)) => (kind, pid),
            _ => continue,
        };
        let is_directory = entry.file_type().is_ok_and(|kind| kind.is_dir());
        if !is_directory || pid.is_empty() || !pid.bytes().all(|byte| byte.is_ascii_digit()) {
            continue;
        }
        let path = parent.join(&file_name);
        match kind {
            "patch" => patches.push(path),
            kind => leftovers.push((kind == "new", path)),
        }
    }
    leftovers.sort();
    patches.sort();
    let mut notices = Vec::new();
    let notice = |action: String| IoError::RecoveredOutput {
        path: directory.display().to_string(),
        action,
    };
    // A patch whose journal was written is the new output, and is finished; one without a
    // journal never began to change the output.
    for staging in patches {
        let finished = std::fs::symlink_metadata(directory).is_ok_and(|found| found.is_dir())
            && patch::finish(directory, &staging, &mut Steps::uncounted()).map_err(failed)?;
        if finished {
            notices.push(notice(format!(
                "finished the update from `{}`",
                staging.display()
            )));
        } else {
            std::fs::remove_dir_all(&staging).map_err(failed)?;
            notices.push(notice(format!("removed `{}`", staging.display())));
        }
    }
    if std::fs::symlink_metadata(directory).is_err() {
        // A complete new tree first (the interrupted build had written it all), else the old
        // one, which was the output before and loses nothing by coming back.
        let chosen = leftovers
            .iter()
            .rposition(|(is_new, path)| *is_new && ownership::verified(path))
            .or_else(|| leftovers.iter().position(|(is_new, _)| !is_new));
        if let Some(index) = chosen {
            let (is_new, path) = leftovers.remove(index);
            std::fs::rename(&path, directory).map_err(failed)?;
            notices.push(notice(format!(
                "put back the {} output from `{}`",
                if is_new { "complete new" } else { "earlier" },
                path.display()
            )));
        }
    }
    for (_, path) in leftovers {
        std::fs::remove_dir_all(&path).map_err(failed)?;
        notices.push(notice(format!("removed `{}`", path.display())));
    }
    Ok(notices)
}
