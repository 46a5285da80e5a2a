//! Build script: the git commit `triage --version` prints (`TRIAGE_COMMIT`), so a report can
//! be traced to the exact code that made it. Outside a git checkout of this crate (a crate
//! tarball, a Docker build without `.git`) it is `unknown`, unless the builder passes
//! `TRIAGE_COMMIT` in the environment. Cargo reruns this when HEAD moves: a branch switch
//! changes HEAD, a new commit changes the ref HEAD names (or `packed-refs`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=TRIAGE_COMMIT");
    let given = std::env::var("TRIAGE_COMMIT")
        .ok()
        .filter(|c| !c.is_empty());
    let commit = given.or_else(from_git).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=TRIAGE_COMMIT={commit}");
}

/// HEAD's short hash, when this crate's folder is the top of a git work tree (not a tarball
/// unpacked inside some other repository), with the files that move when HEAD does watched.
fn from_git() -> Option<String> {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?);
    let top = git(&["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != manifest.canonicalize().ok()? {
        return None;
    }
    let mut watched = vec![git(&["rev-parse", "--git-path", "HEAD"])?];
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"]) {
        watched.extend(git(&["rev-parse", "--git-path", &branch]));
    }
    watched.extend(git(&["rev-parse", "--git-path", "packed-refs"]));
    for path in watched {
        // A missing file would make cargo rerun this script on every build.
        let path = manifest.join(path);
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    git(&["rev-parse", "--short=12", "HEAD"])
}

/// One git command's first line of output, if it ran and succeeded.
fn git(args: &[&str]) -> Option<String> {
    let out = Command::new("git").args(args).output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let line = text.lines().next()?.trim().to_string();
    (out.status.success() && !line.is_empty()).then_some(line)
}
