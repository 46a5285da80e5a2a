//! What an OLE2 compound file is, by the names in its directory: an XLS workbook, an Office
//! document triage names but does not read, not data, or none of these (for the strings
//! pass). Zip-based workbooks are told apart in `input::zip`.

use std::io::{Read, Seek};

use crate::formats::sheet::checks;

/// What an OLE2 compound file is, by the names in its directory.
#[derive(Debug, PartialEq, Eq)]
pub enum Ole2Kind {
    /// An XLS workbook (or a file too damaged to tell: calamine reports the damage).
    Xls,
    /// An Office document triage names but does not read yet: its name.
    NotRead(&'static str),
    /// Not data (an installer package): its name.
    NotData(&'static str),
    /// A directory the checks refuse to follow (see `checks::compound_names`): why.
    Refused(String),
    /// None of the kinds below: read by the strings pass.
    Unknown,
}

/// Reads the compound file's directory from `r` and names what it is.
pub fn ole2_kind<R: Read + Seek>(r: &mut R) -> std::io::Result<Ole2Kind> {
    let names = match checks::compound_names(r)? {
        checks::Compound::Names(n) => n,
        checks::Compound::Refused(why) => return Ok(Ole2Kind::Refused(why)),
        checks::Compound::Unjudged => return Ok(Ole2Kind::Xls),
    };
    Ok(ole2_kind_of(&names))
}

fn ole2_kind_of(names: &[String]) -> Ole2Kind {
    let has = |n: &str| names.iter().any(|x| x == n);
    if names
        .iter()
        .any(|n| matches!(n.as_str(), "Workbook" | "Book" | "WORKBOOK" | "BOOK"))
    {
        return Ole2Kind::Xls;
    }
    if has("WordDocument") {
        return Ole2Kind::NotRead("Word document (.doc)");
    }
    if has("__properties_version1.0") || names.iter().any(|n| n.starts_with("__substg1.0_")) {
        return Ole2Kind::NotRead("Outlook message (.msg)");
    }
    if has("PowerPoint Document") {
        return Ole2Kind::NotRead("PowerPoint presentation (.ppt)");
    }
    if has("EncryptedPackage") {
        return Ole2Kind::NotRead("password-protected Office document (encrypted)");
    }
    if has("VisioDocument") {
        return Ole2Kind::NotRead("Visio drawing (.vsd)");
    }
    // Windows Installer tables are stored under names it encodes from U+3800 upwards.
    if names.iter().any(|n| n.starts_with('\u{4840}')) {
        return Ole2Kind::NotData("Windows Installer package");
    }
    Ole2Kind::Unknown
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(names: &[&str]) -> Ole2Kind {
        ole2_kind_of(&names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
    }

    #[test]
    fn ole2_files_are_named_by_their_directory() {
        let root = "Root Entry";
        assert_eq!(
            kind(&[root, "Workbook", "\u{5}SummaryInformation"]),
            Ole2Kind::Xls
        );
        assert_eq!(kind(&[root, "Book"]), Ole2Kind::Xls);
        assert_eq!(
            kind(&[root, "WordDocument", "1Table"]),
            Ole2Kind::NotRead("Word document (.doc)")
        );
        assert_eq!(
            kind(&[root, "__substg1.0_0037001F", "__nameid_version1.0"]),
            Ole2Kind::NotRead("Outlook message (.msg)")
        );
        assert_eq!(
            kind(&[root, "PowerPoint Document", "Current User"]),
            Ole2Kind::NotRead("PowerPoint presentation (.ppt)")
        );
        assert_eq!(
            kind(&[root, "EncryptionInfo", "EncryptedPackage"]),
            Ole2Kind::NotRead("password-protected Office document (encrypted)")
        );
        assert_eq!(
            kind(&[root, "\u{4840}\u{3b3f}\u{4143}"]),
            Ole2Kind::NotData("Windows Installer package")
        );
        assert_eq!(kind(&[root, "Contents", "Other"]), Ole2Kind::Unknown);
    }
}
