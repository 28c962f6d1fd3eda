//! `hubc lsp`: the language server on stdin and stdout.

use std::process::ExitCode;

use super::Context;

pub fn run(cx: &Context) -> ExitCode {
    let options = hubc::lsp::Options {
        today: cx.today,
        // A request `hubc/panic` that panics, for the tests of the server's recovery.
        test_hooks: std::env::var_os("HUBC_LSP_TEST_HOOKS").is_some(),
    };
    let stdout = std::io::stdout();
    let stdin = std::io::BufReader::new(std::io::stdin());
    if hubc::lsp::serve(stdin, stdout.lock(), options) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
