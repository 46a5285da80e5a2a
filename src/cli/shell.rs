//! `triage completions SHELL` and `triage man [COMMAND]`: the shell completion scripts and the
//! man pages, made from the clap definitions in [`crate::cli::args`] at run time, so they list
//! exactly the commands and flags this build has.

use std::io::{self, Write};

use anyhow::{bail, Result};
use clap::CommandFactory;

use crate::cli::args::{Cli, CompletionsArgs, ManArgs, VERSION};

/// The completion script for one shell, on `out`.
pub fn completions(a: &CompletionsArgs, out: &mut dyn Write) -> io::Result<()> {
    let mut cmd = Cli::command();
    let mut buf = Vec::new();
    clap_complete::generate(a.shell, &mut cmd, "triage", &mut buf);
    out.write_all(&buf)
}

/// triage(1), or the page of the command `a` names (triage-scan(1)), as roff on `out`.
pub fn man(a: &ManArgs, out: &mut dyn Write) -> Result<()> {
    let top = Cli::command();
    let page = match &a.command {
        None => top,
        Some(name) => {
            let Some(sub) = top.find_subcommand(name) else {
                let names: Vec<&str> = top.get_subcommands().map(|c| c.get_name()).collect();
                bail!("no command {name:?} (commands: {})", names.join(", "));
            };
            // The page is named as `man` finds it, triage-scan(1); its synopsis is the command
            // as typed, `triage scan`.
            sub.clone()
                .display_name(format!("triage-{name}"))
                .bin_name(format!("triage {name}"))
                .version(VERSION)
        }
    };
    // The footer says which build the page documents, for every page alike.
    let source = format!("triage {VERSION}");
    clap_mangen::Man::new(page)
        .source(source)
        .manual("triage manual")
        .render(out)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap_complete::Shell;

    #[test]
    fn every_shell_gets_a_script_naming_the_scan_flags() {
        for shell in [
            Shell::Bash,
            Shell::Zsh,
            Shell::Fish,
            Shell::Elvish,
            Shell::PowerShell,
        ] {
            let mut out = Vec::new();
            completions(&CompletionsArgs { shell }, &mut out).unwrap();
            let text = String::from_utf8(out).unwrap();
            for word in ["triage", "scan", "update-expect", "max-record"] {
                assert!(text.contains(word), "{shell}: no {word}");
            }
        }
    }

    #[test]
    fn man_pages_for_triage_and_each_command() {
        let mut out = Vec::new();
        man(&ManArgs { command: None }, &mut out).unwrap();
        let top = String::from_utf8(out).unwrap();
        assert!(
            top.starts_with(".ie \\n(.g .ds Aq") || top.contains(".TH triage 1"),
            "{top}"
        );
        assert!(top.contains(".TH triage 1"), "{top}");
        let mut out = Vec::new();
        man(
            &ManArgs {
                command: Some("scan".into()),
            },
            &mut out,
        )
        .unwrap();
        let scan = String::from_utf8(out).unwrap();
        assert!(scan.contains(".TH triage-scan 1"), "{scan}");
        assert!(scan.contains("update\\-expect"), "{scan}");
        let err = man(
            &ManArgs {
                command: Some("frob".into()),
            },
            &mut Vec::new(),
        )
        .unwrap_err();
        assert!(err.to_string().contains("scan"), "{err}");
    }
}
