fn main() -> std::process::ExitCode {
    std::process::ExitCode::from(triage::cli::run() as u8)
}
