//! Phase timings for people measuring hubc: with `HUBC_TIMINGS` set, each phase prints how long
//! it took, and the process's resident memory when it ended, to standard error. Off, a phase
//! costs one load.

use std::sync::OnceLock;
use std::time::Instant;

#[allow(clippy::disallowed_methods)] // a switch for people measuring, not a user's setting
fn enabled() -> bool {
    static ENABLED: OnceLock<bool> = OnceLock::new();
    *ENABLED.get_or_init(|| std::env::var_os("HUBC_TIMINGS").is_some())
}

/// A phase under way; it reports its time when dropped.
pub struct Phase {
    name: &'static str,
    started: Option<Instant>,
}

/// Starts timing the phase `name`.
pub fn phase(name: &'static str) -> Phase {
    Phase {
        name,
        started: enabled().then(Instant::now),
    }
}

/// The resident memory of this process, where `/proc` tells it.
fn resident_mb() -> Option<u64> {
    #[allow(clippy::disallowed_methods)] // a developer's measurement, not a fleet file
    let statm = std::fs::read_to_string("/proc/self/statm").ok()?;
    let pages: u64 = statm.split_whitespace().nth(1)?.parse().ok()?;
    Some(pages * 4096 / (1 << 20))
}

impl Drop for Phase {
    fn drop(&mut self) {
        if let Some(started) = self.started {
            let elapsed = started.elapsed().as_secs_f64() * 1e3;
            let resident = resident_mb().map_or_else(String::new, |mb| format!("{mb:>6} MB"));
            eprintln!(
                "hubc timing: {:<22} {elapsed:>8.2} ms {resident}",
                self.name
            );
        }
    }
}
