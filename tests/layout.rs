//! The import rule of `src/lib.rs`, checked by reading the `use` lines.
//!
//! Each folder of `src/` is one stage of the pipeline and may import only from stages below
//! it; the loose files at the top of `src/` (`record.rs`, `calendar.rs`, `mask.rs`, …) are
//! shared vocabulary that any stage may use and that uses nothing above `rules/`. On top of the
//! stage order, no two modules may import each other in a circle. Like the
//! import-graph tool the project's leads run, this reads text, not the compiler's view: a path
//! counts when it is written `crate::…` or `super::…` outside the module's `#[cfg(test)]` part.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Each stage and the stages it may import from: the flow `cli → scan → {input, formats →
/// analyze} → summary → report`, with `rules` below them all. Readers (`input`, `formats`)
/// push into sinks they do not know, so they import nothing but the rules.
const STAGES: &[(&str, &[&str])] = &[
    (
        "cli",
        &[
            "synth", "report", "scan", "input", "formats", "analyze", "summary", "rules",
        ],
    ),
    ("synth", &["analyze", "formats", "rules"]),
    ("report", &["analyze", "summary", "rules"]),
    ("scan", &["input", "formats", "analyze", "summary", "rules"]),
    ("input", &["rules"]),
    ("formats", &["rules"]),
    ("analyze", &["summary", "rules"]),
    ("summary", &["rules"]),
    ("rules", &[]),
];

/// Arrows that break the rule today and the issue that removes them. The test fails when an
/// arrow is missing from this list, and also when a listed arrow is gone (so the list shrinks).
const KNOWN: &[&str] = &[
    // pipeline: formats push into a RecordSink; one chunk job in scan
];

/// Arrows on an import circle inside one stage today (same shrinking list).
const KNOWN_CIRCLES: &[&str] = &[];

fn stage(module: &str) -> &str {
    module.split("::").next().unwrap_or("")
}

fn allowed(stage_name: &str) -> Option<&'static [&'static str]> {
    STAGES
        .iter()
        .find(|(s, _)| *s == stage_name)
        .map(|(_, a)| *a)
}

/// `a::b` for `src/a/b.rs` and `src/a/b/mod.rs`; `crate` for `lib.rs` and `main.rs`.
fn module_of(rel: &Path) -> String {
    let s = rel.with_extension("").to_string_lossy().replace('\\', "/");
    let s = s.strip_suffix("/mod").unwrap_or(&s).to_string();
    if s == "lib" || s == "main" {
        return "crate".into();
    }
    s.replace('/', "::")
}

fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
        for e in fs::read_dir(dir).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                walk(&p, root, out);
            } else if p.extension().is_some_and(|x| x == "rs") {
                let text = fs::read_to_string(&p).unwrap();
                out.insert(module_of(p.strip_prefix(root).unwrap()), text);
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    walk(&root, &root, &mut out);
    out
}

/// Every path the text names below `crate::` or `super::`, written out in full.
fn paths(module: &str, text: &str) -> Vec<String> {
    let text = text.split("#[cfg(test)]").next().unwrap();
    let mut out = Vec::new();
    for (prefix, base) in [("crate::", String::new()), ("super::", parent(module))] {
        let mut rest = text;
        while let Some(i) = rest.find(prefix) {
            let before = rest[..i].chars().last();
            rest = &rest[i + prefix.len()..];
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
                continue;
            }
            expand(&base, rest, &mut out);
        }
    }
    out
}

fn parent(module: &str) -> String {
    module
        .rsplit_once("::")
        .map(|(p, _)| p.to_string())
        .unwrap_or_default()
}

/// Reads `a::b::{c, d::e}` at the start of `rest` and pushes `base::a::b::c`, `base::a::b::d::e`.
fn expand(base: &str, rest: &str, out: &mut Vec<String>) {
    let ident: String = rest
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
        .collect();
    let ident = ident.trim_end_matches(':');
    let full = [base, ident]
        .iter()
        .filter(|s| !s.is_empty())
        .copied()
        .collect::<Vec<_>>()
        .join("::");
    let after = &rest[ident.len()..];
    if let Some(group) = after.strip_prefix("::{") {
        let mut depth = 1;
        let end = group
            .char_indices()
            .find(|&(_, c)| {
                depth += (c == '{') as i32 - (c == '}') as i32;
                depth == 0
            })
            .map_or(group.len(), |(i, _)| i);
        for item in split_top(&group[..end]) {
            expand(&full, item.trim(), out);
        }
    } else if !full.is_empty() {
        out.push(full);
    }
}

fn split_top(s: &str) -> Vec<&str> {
    let (mut depth, mut start, mut out) = (0, 0, Vec::new());
    for (i, c) in s.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

/// The deepest module a path names (`analyze::detect::Found` → `analyze::detect`).
fn target(path: &str, mods: &BTreeMap<String, String>) -> Option<String> {
    let parts: Vec<&str> = path.split("::").collect();
    (1..=parts.len())
        .rev()
        .map(|n| parts[..n].join("::"))
        .find(|m| mods.contains_key(m))
}

/// Every arrow `from -> to` between modules, leaving out a module using its own children.
fn arrows() -> BTreeSet<(String, String)> {
    let mods = modules();
    let mut out = BTreeSet::new();
    for (m, text) in &mods {
        if m == "crate" {
            continue;
        }
        for p in paths(m, text) {
            if let Some(t) = target(&p, &mods) {
                if t != *m && !t.starts_with(&format!("{m}::")) {
                    out.insert((m.clone(), t));
                }
            }
        }
    }
    out
}

fn breaks_rule(from: &str, to: &str) -> bool {
    let (fs, ts) = (stage(from), stage(to));
    if fs == ts {
        return false;
    }
    match (allowed(fs), allowed(ts)) {
        (Some(may), Some(_)) => !may.contains(&ts),
        // a loose file (shared vocabulary) may use the rules and other loose files only
        (None, Some(_)) => ts != "rules",
        (_, None) => false,
    }
}

#[test]
fn imports_point_down_the_stages() {
    let bad: BTreeSet<String> = arrows()
        .into_iter()
        .filter(|(f, t)| breaks_rule(f, t))
        .map(|(f, t)| format!("{f} -> {t}"))
        .collect();
    let known: BTreeSet<String> = KNOWN.iter().map(|s| s.to_string()).collect();
    let new: Vec<_> = bad.difference(&known).collect();
    let gone: Vec<_> = known.difference(&bad).collect();
    assert!(
        new.is_empty(),
        "imports that point up or sideways: {new:#?}"
    );
    assert!(gone.is_empty(), "fixed, take them off KNOWN: {gone:#?}");
}

#[test]
fn no_module_imports_itself_in_a_circle() {
    let arrows: BTreeSet<_> = arrows()
        .into_iter()
        .filter(|(f, t)| !KNOWN.contains(&format!("{f} -> {t}").as_str()))
        .collect();
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (f, t) in &arrows {
        next.entry(f).or_default().push(t);
    }
    // an arrow is on a circle when its head reaches its tail again
    let on_circle = |f: &str, t: &str| {
        let (mut seen, mut todo) = (BTreeSet::new(), vec![t]);
        while let Some(m) = todo.pop() {
            if m == f {
                return true;
            }
            if seen.insert(m) {
                todo.extend(next.get(m).into_iter().flatten());
            }
        }
        false
    };
    let circles: BTreeSet<String> = arrows
        .iter()
        .filter(|(f, t)| on_circle(f, t))
        .map(|(f, t)| format!("{f} -> {t}"))
        .collect();
    let known: BTreeSet<String> = KNOWN_CIRCLES.iter().map(|s| s.to_string()).collect();
    let new: Vec<_> = circles.difference(&known).collect();
    let gone: Vec<_> = known.difference(&circles).collect();
    assert!(new.is_empty(), "arrows on an import circle: {new:#?}");
    assert!(
        gone.is_empty(),
        "fixed, take them off KNOWN_CIRCLES: {gone:#?}"
    );
}

#[test]
fn the_reader_sees_group_imports_and_super() {
    let mut out = Vec::new();
    expand("", "a::{b, c::{d, e}}, x", &mut out);
    assert_eq!(out, ["a::b", "a::c::d", "a::c::e"]);
    let text = "use super::sib::X;\nuse crate::rules::{Kind, sensitive::S};\n";
    let got = paths("analyze::detect", text);
    assert_eq!(
        got,
        ["rules::Kind", "rules::sensitive::S", "analyze::sib::X"]
    );
    assert!(breaks_rule("formats::csv", "analyze"));
    assert!(breaks_rule("input::archive", "formats::magic"));
    assert!(!breaks_rule("analyze", "rules::sensitive"));
    assert!(breaks_rule("mask", "summary"));
    assert!(!breaks_rule("mask", "rules"));
}
