//! The exit codes of SPEC §2, one enum, so a script can tell a clean scan from a moved count,
//! a bad argument and an incomplete scan. `main` returns `Exit as u8`.

/// Exit codes (SPEC §2). When several apply, the lower line here wins only where noted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
pub enum Exit {
    /// The scan (or command) completed.
    Ok = 0,
    /// An `--expect` comparison or `patterns --check` failed; wins over `Incomplete`.
    CheckFailed = 1,
    /// Bad arguments, an unreadable root, an invalid pattern file.
    Fatal = 2,
    /// The scan finished, but some entry is `partial` or `failed`.
    Incomplete = 3,
}

impl From<Exit> for std::process::ExitCode {
    fn from(e: Exit) -> Self {
        std::process::ExitCode::from(e as u8)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes_are_the_documented_numbers() {
        assert_eq!(Exit::Ok as u8, 0);
        assert_eq!(Exit::CheckFailed as u8, 1);
        assert_eq!(Exit::Fatal as u8, 2);
        assert_eq!(Exit::Incomplete as u8, 3);
    }
}
