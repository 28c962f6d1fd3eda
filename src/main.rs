//! The `hubc` command line: parses arguments and runs the command (see `cli/`).

use std::process::ExitCode;

mod cli;

/// A compiler allocates many small nodes and frees them together; mimalloc does both several
/// times faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    cli::run()
}
