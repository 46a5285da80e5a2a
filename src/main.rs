//! The `triage` binary: everything is in the library; `cli::run` returns the exit code.

fn main() -> std::process::ExitCode {
    triage::cli::run().into()
}
