//! The `hubc` command line: parses arguments and runs the command (see `cli/`).

use std::process::ExitCode;

mod cli;

/// A compiler allocates many small nodes and frees them together; mimalloc does both several
/// times faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The command runs on a worker of the thread pool that its parallel passes use: memory a thread
/// frees is reused only by that thread, so work done here and in the passes shares one heap.
fn main() -> ExitCode {
    let mut code = ExitCode::SUCCESS;
    rayon::scope(|_| code = cli::run());
    code
}
