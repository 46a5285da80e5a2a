//! `--glob` and `--exclude`: which walked entries a scan reads, by their path relative to the
//! root they were walked from (`dump/` walked: `2024/a.csv`; a root that is a file: its
//! name). globset's syntax: `*` and `?` also match `/`, `**` any run of folders, `{a,b}`
//! alternatives. An `--exclude` that matches a folder leaves out everything below it, as
//! ripgrep's does; with any `--glob`, an entry is read only when one matches its whole path.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use globset::{Glob, GlobSet, GlobSetBuilder};

/// The globs of a scan; the default reads every entry.
#[derive(Clone, Debug, Default)]
pub struct Select {
    include: Option<GlobSet>,
    exclude: Option<GlobSet>,
}

impl Select {
    /// From the `--glob` and `--exclude` values; a glob that does not parse is an error
    /// naming its flag.
    pub fn new(include: &[String], exclude: &[String]) -> Result<Select> {
        Ok(Select {
            include: set(include, "--glob")?,
            exclude: set(exclude, "--exclude")?,
        })
    }

    /// Whether every entry is read (no `--glob`, no `--exclude`): the walk's entries need
    /// no relative path each then.
    pub fn keeps_all(&self) -> bool {
        self.include.is_none() && self.exclude.is_none()
    }

    /// Whether the entry at `rel` (relative to its root, `/` between folders) is read.
    pub fn keeps(&self, rel: &str) -> bool {
        if let Some(ex) = &self.exclude {
            // The path and each folder above it: `logs` leaves out `logs/a/b.csv`.
            let mut at = rel;
            loop {
                if ex.is_match(at) {
                    return false;
                }
                match at.rsplit_once('/') {
                    Some((up, _)) => at = up,
                    None => break,
                }
            }
        }
        self.include.as_ref().is_none_or(|g| g.is_match(rel))
    }
}

fn set(globs: &[String], flag: &str) -> Result<Option<GlobSet>> {
    if globs.is_empty() {
        return Ok(None);
    }
    let mut b = GlobSetBuilder::new();
    for g in globs {
        b.add(Glob::new(g).with_context(|| format!("{flag} {g:?}"))?);
    }
    Ok(Some(b.build().with_context(|| flag.to_string())?))
}

/// `path`'s path relative to the first of `roots` it is in, `/` between folders; a root
/// that is the path itself gives its file name. `None` for a path below no root (`-`).
pub fn relative(path: &Path, roots: &[PathBuf]) -> Option<String> {
    roots.iter().find_map(|root| {
        let rel = if path == root {
            Path::new(root.file_name()?)
        } else {
            path.strip_prefix(root).ok()?
        };
        let parts: Vec<_> = rel.iter().map(|c| c.to_string_lossy()).collect();
        Some(parts.join("/"))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn select(include: &[&str], exclude: &[&str]) -> Select {
        let own = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        Select::new(&own(include), &own(exclude)).unwrap()
    }

    #[test]
    fn globs_keep_and_excludes_leave_out_folders_too() {
        let all = Select::default();
        assert!(all.keeps("a/b.csv") && all.keeps_all());
        assert!(!select(&["*.csv"], &[]).keeps_all() && !select(&[], &["logs"]).keeps_all());
        let csv = select(&["*.csv", "**/*.json"], &[]);
        assert!(csv.keeps("b.csv") && csv.keeps("a/b.csv") && csv.keeps("x/y/z.json"));
        assert!(!csv.keeps("a/b.txt"));
        let ex = select(&[], &["logs", "*.tmp"]);
        assert!(!ex.keeps("logs/2024/a.csv") && !ex.keeps("logs"));
        assert!(!ex.keeps("a/b.tmp"));
        assert!(ex.keeps("catalogs/a.csv") && ex.keeps("a/logs.csv"));
        let both = select(&["*.csv"], &["old/**"]);
        assert!(both.keeps("new/a.csv") && !both.keeps("old/a.csv"));
    }

    #[test]
    fn a_glob_that_does_not_parse_names_its_flag() {
        let err = Select::new(&[], &["a[".into()]).unwrap_err();
        assert!(
            format!("{err:#}").starts_with("--exclude \"a[\""),
            "{err:#}"
        );
    }

    #[test]
    fn paths_are_relative_to_their_root() {
        let roots = [PathBuf::from("dump"), PathBuf::from("one.csv")];
        assert_eq!(
            relative(Path::new("dump/2024/a.csv"), &roots).as_deref(),
            Some("2024/a.csv")
        );
        assert_eq!(
            relative(Path::new("one.csv"), &roots).as_deref(),
            Some("one.csv")
        );
        assert_eq!(relative(Path::new("-"), &roots), None);
    }
}
