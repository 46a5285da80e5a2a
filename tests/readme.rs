//! Every command the README shows runs as written. The commands are the lines of its ```sh
//! blocks and the `$ `-prompted lines of its other blocks; each runs in order under `bash`, in
//! one temporary folder holding a link to `fixtures/`, with the debug `triage` first on the
//! PATH (`cargo run --release --` is that binary too). A command must exit 0, or the code its
//! line's comment names (`# exit 3`). The few that cannot run in a test are listed in
//! [`NOT_RUN`] with the reason, and a README command matching none of them must run.

mod common;

use std::path::Path;
use std::process::Command;

use common::paths::{fixtures, root};
use common::run::triage_path;

/// Commands the test does not run, by how they start, and why.
const NOT_RUN: [(&str, &str); 3] = [
    (
        "cargo install",
        "a release build installed into ~/.cargo/bin: minutes, and it changes the machine",
    ),
    (
        "cargo test",
        "it is the test suite this test belongs to; running it here would recurse",
    ),
    (
        "docker ",
        "needs a Docker daemon and the base images from a registry",
    ),
];

/// The README's commands, each with the line it stands on.
fn commands(readme: &str) -> Vec<(usize, String)> {
    let mut out = Vec::new();
    let mut fence: Option<&str> = None;
    for (i, line) in readme.lines().enumerate() {
        if let Some(lang) = line.strip_prefix("```") {
            fence = match fence {
                None => Some(lang.trim()),
                Some(_) => None,
            };
            continue;
        }
        let cmd = match fence {
            Some("sh") if !line.trim().is_empty() && !line.starts_with('#') => line,
            Some(_) => match line.strip_prefix("$ ") {
                Some(c) => c,
                None => continue,
            },
            None => continue,
        };
        out.push((i + 1, cmd.to_string()));
    }
    out
}

/// The exit code a command's line promises in a `# exit N` comment, 0 otherwise.
fn expected_code(cmd: &str) -> i32 {
    cmd.split_once("# exit ")
        .and_then(|(_, n)| {
            n.split_whitespace()
                .next()?
                .trim_end_matches(':')
                .parse()
                .ok()
        })
        .unwrap_or(0)
}

fn run(cmd: &str, dir: &Path) -> std::process::Output {
    let bin = triage_path();
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let line = cmd.replacen("cargo run --release -- ", "triage ", 1);
    Command::new("bash")
        .args(["-o", "pipefail", "-c", &line])
        .current_dir(dir)
        .env("PATH", path)
        .env_remove("TRIAGE_KEY")
        .output()
        .expect("running bash")
}

#[test]
fn every_readme_command_runs_as_written() {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let cmds = commands(&readme);
    assert!(cmds.len() >= 10, "too few commands found: {cmds:?}");
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink(fixtures(), dir.path().join("fixtures")).unwrap();
    let mut ran = 0;
    for (line, cmd) in &cmds {
        if NOT_RUN.iter().any(|(start, _)| cmd.starts_with(start)) {
            continue;
        }
        let out = run(cmd, dir.path());
        assert_eq!(
            out.status.code(),
            Some(expected_code(cmd)),
            "README.md line {line}: `{cmd}`\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        ran += 1;
    }
    assert!(ran >= 8, "only {ran} README commands ran");
    // What the commands promised to write is there.
    for made in [
        "triage.bash",
        "triage.1",
        "sample/truth.json",
        "baseline.json",
        "summary.md",
        "report.html",
    ] {
        assert!(
            dir.path().join(made).exists(),
            "no {made} after the README's commands"
        );
    }
}

#[test]
fn commands_are_found_as_the_readme_writes_them() {
    let text = "```sh\ntriage scan a/   # exit 3\n# a comment\n\ncargo test\n```\n\
                ```\ntriage scan PATH...  synopsis\n$ triage explain 1\nits output\n```\n";
    let cmds: Vec<String> = commands(text).into_iter().map(|(_, c)| c).collect();
    assert_eq!(
        cmds,
        [
            "triage scan a/   # exit 3",
            "cargo test",
            "triage explain 1"
        ]
    );
    assert_eq!(expected_code(&cmds[0]), 3);
    assert_eq!(expected_code(&cmds[2]), 0);
    assert!(NOT_RUN.iter().any(|(s, _)| cmds[1].starts_with(s)));
}
