//! The security of what triage writes (SPEC §7):
//!
//! - no raw identifier of the scanned fixtures — any candidate of any kind, valid or not —
//!   appears in any output without `--reveal`: every summary format on stdout and through
//!   `-o`, `--html`, `--records`, the `--expect` differences, `explain`, and stderr;
//! - every file triage writes is owner-only (0600), also when it existed with a wider mode;
//! - no output overwrites a scanned input, by whatever path or link it is named (exit 2).
//!
//! The robustness rules add (tests named after the rule's number):
//!
//! - rule 5: every output is written whole to a temporary file and renamed into place; a
//!   link, another user's file, two outputs on one path, an input, or a folder that cannot be
//!   written is refused (exit 2) before the scan;
//! - rule 6: names are outputs too: an identifier in a file or member name is masked, control
//!   characters are escaped, and no CSV cell starts a formula;
//! - rule 8: `--expect` refuses a baseline that could not fail.

use std::collections::BTreeSet;
use std::fs;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::Output;

mod common;
use common::archives::zip;
use common::paths::fixtures;
use common::run::{triage, triage_path};

fn run(args: &[&std::ffi::OsStr]) -> Output {
    triage()
        .args(args)
        .env_remove("TRIAGE_KEY")
        .output()
        .unwrap()
}

macro_rules! args {
    ($($a:expr),* $(,)?) => { &[$(std::ffi::OsStr::new($a)),*] };
}

/// Every raw value of every candidate in the fixtures, from `--records --reveal`: each in the
/// forms a leak could take (as normalized, digits only, a phone without its country code).
fn raw_values(dir: &Path) -> BTreeSet<String> {
    let rec = dir.join("revealed.csv");
    let out = run(args![
        "scan",
        fixtures().as_os_str(),
        "--no-progress",
        "--reveal",
        "--records",
        rec.as_os_str(),
        "-o",
        dir.join("revealed.txt").as_os_str(),
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let mut rdr = csv::Reader::from_path(&rec).unwrap();
    let mut raw = BTreeSet::new();
    for row in rdr.records() {
        let row = row.unwrap();
        for col in [4, 5] {
            for item in row[col].split(' ').filter(|s| !s.is_empty()) {
                let (kind, value) = item.split_once(':').unwrap();
                let digits: String = value.chars().filter(char::is_ascii_digit).collect();
                match kind {
                    "email" => {
                        raw.insert(value.to_string());
                    }
                    "phone" => {
                        raw.insert(value.to_string());
                        raw.insert(digits.clone());
                        if let Some(national) = digits.strip_prefix("62") {
                            raw.insert(format!("0{national}"));
                        }
                    }
                    _ => {
                        raw.insert(value.to_string());
                        raw.insert(digits);
                    }
                }
            }
        }
    }
    // Short digit runs would match counts and timings by chance: candidates are longer.
    raw.retain(|v| v.contains('@') || v.chars().filter(char::is_ascii_digit).count() >= 10);
    assert!(
        raw.len() > 1000,
        "the fixtures hold many values: {}",
        raw.len()
    );
    raw
}

/// The raw values found in `text`.
fn leaks(text: &str, raw: &BTreeSet<String>) -> Vec<String> {
    raw.iter()
        .filter(|v| text.contains(v.as_str()))
        .cloned()
        .collect()
}

fn assert_no_raw(what: &str, bytes: &[u8], raw: &BTreeSet<String>) {
    let text = String::from_utf8_lossy(bytes);
    let found = leaks(&text, raw);
    assert!(
        found.is_empty(),
        "{what} holds {} raw value(s), e.g. {:?}",
        found.len(),
        &found[..found.len().min(5)]
    );
}

#[test]
fn no_output_holds_a_raw_identifier_without_reveal() {
    let d = tempfile::tempdir().unwrap();
    let raw = raw_values(d.path());
    let fx = fixtures();
    let fx = fx.as_os_str();
    let mut outputs: Vec<(String, Vec<u8>)> = Vec::new();
    fn keep(outputs: &mut Vec<(String, Vec<u8>)>, what: &str, out: &Output) {
        outputs.push((format!("{what} stdout"), out.stdout.clone()));
        outputs.push((format!("{what} stderr"), out.stderr.clone()));
    }

    for format in ["text", "json", "csv", "html"] {
        let out = run(args!["scan", fx, "--no-progress", "--format", format]);
        assert_eq!(out.status.code(), Some(0));
        assert!(!out.stdout.is_empty());
        keep(&mut outputs, &format!("--format {format}"), &out);
        let file = d.path().join(format!("summary.{format}"));
        let out = run(args![
            "scan",
            fx,
            "--no-progress",
            "--format",
            format,
            "-o",
            file.as_os_str()
        ]);
        assert_eq!(out.status.code(), Some(0));
        keep(&mut outputs, &format!("--format {format} -o"), &out);
        outputs.push((format!("-o {format}"), fs::read(&file).unwrap()));
    }
    // --html, --records (with fingerprints too), an expected-counts difference.
    let html = d.path().join("report.html");
    let rec = d.path().join("records.csv");
    let mut baseline: serde_json::Value =
        serde_json::from_slice(&fs::read(fx_path("expected.json")).unwrap()).unwrap();
    baseline["records"]["total"] = 1.into();
    baseline["identifiers"]["nik"]["valid"] = 2.into();
    baseline["files"][0]["records"] = 3.into();
    let expect = d.path().join("baseline.json");
    fs::write(&expect, baseline.to_string()).unwrap();
    let out = triage()
        .args(args![
            "scan",
            fx,
            "--no-progress",
            "--html",
            html.as_os_str(),
            "--records",
            rec.as_os_str(),
            "--expect",
            expect.as_os_str(),
        ])
        .env("TRIAGE_KEY", "a secret key for the fingerprints")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1), "the baseline differs");
    assert!(String::from_utf8_lossy(&out.stderr).contains("difference"));
    keep(&mut outputs, "--html --records --expect", &out);
    outputs.push(("--html".into(), fs::read(&html).unwrap()));
    let records = fs::read(&rec).unwrap();
    assert!(records.len() > 10_000, "rows were written");
    outputs.push(("--records".into(), records));

    // explain, text and JSON, on a sample of the raw values.
    let sample: Vec<&String> = raw.iter().step_by(37).take(40).collect();
    let mut ex: Vec<&std::ffi::OsStr> = vec!["explain".as_ref()];
    ex.extend(sample.iter().map(|s| std::ffi::OsStr::new(s.as_str())));
    let out = run(&ex);
    assert_eq!(out.status.code(), Some(0));
    keep(&mut outputs, "explain", &out);
    ex.insert(1, "--json".as_ref());
    let out = run(&ex);
    keep(&mut outputs, "explain --json", &out);

    for (what, bytes) in &outputs {
        assert_no_raw(what, bytes, &raw);
    }
    eprintln!(
        "{} outputs checked against {} raw values",
        outputs.len(),
        raw.len()
    );

    // The check can fail: with --reveal the same values are there.
    let revealed = fs::read(d.path().join("revealed.csv")).unwrap();
    assert!(leaks(&String::from_utf8_lossy(&revealed), &raw).len() > 1000);
    let out = run(args!["explain", "--reveal", sample[0].as_str()]);
    assert!(!leaks(&String::from_utf8_lossy(&out.stdout), &raw).is_empty());
}

fn fx_path(name: &str) -> PathBuf {
    fixtures().join(name)
}

fn mode(p: &Path) -> u32 {
    fs::metadata(p).unwrap().permissions().mode() & 0o777
}

#[test]
fn every_file_triage_writes_is_owner_only() {
    let d = tempfile::tempdir().unwrap();
    let (o, html, rec) = (
        d.path().join("s.json"),
        d.path().join("r.html"),
        d.path().join("r.csv"),
    );
    // One of them exists already, readable by all: it is narrowed.
    fs::write(&html, "old").unwrap();
    fs::set_permissions(&html, fs::Permissions::from_mode(0o644)).unwrap();
    let out = run(args![
        "scan",
        fx_path("tricky").as_os_str(),
        "--no-progress",
        "-o",
        o.as_os_str(),
        "--html",
        html.as_os_str(),
        "--records",
        rec.as_os_str(),
    ]);
    assert!(
        out.status.code().is_some_and(|c| c == 0 || c == 3),
        "{out:?}"
    );
    for p in [&o, &html, &rec] {
        assert_eq!(mode(p), 0o600, "{}", p.display());
        assert!(fs::metadata(p).unwrap().len() > 0);
    }
    let syn = d.path().join("synth");
    let out = run(args!["synth", "--rows", "20", "--out", syn.as_os_str()]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    for e in fs::read_dir(&syn).unwrap() {
        let p = e.unwrap().path();
        assert_eq!(mode(&p), 0o600, "{}", p.display());
    }
}

#[test]
fn no_output_overwrites_a_scanned_input() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    fs::create_dir_all(data.join("sub")).unwrap();
    let input = data.join("people.csv");
    let content = fs::read(fx_path("tricky/nik_field.csv")).unwrap();
    fs::write(&input, &content).unwrap();
    std::os::unix::fs::symlink(&input, d.path().join("link.csv")).unwrap();
    fs::hard_link(&input, d.path().join("hard.csv")).unwrap();
    let same = data.join("sub/../people.csv");
    let (link, hard) = (d.path().join("link.csv"), d.path().join("hard.csv"));
    let cases: [(&str, &Path, &Path); 7] = [
        ("-o", &data, &input),
        ("-o", &input, &input),
        ("-o", &data, &same),
        ("--html", &data, &link),
        ("--records", &data, &hard),
        ("--records", &input, &input),
        ("--html", &input, &same),
    ];
    for (flag, scanned, out_path) in cases {
        let out = run(args![
            "scan",
            scanned.as_os_str(),
            "--no-progress",
            flag,
            out_path.as_os_str()
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(
            out.status.code(),
            Some(2),
            "scan {} {flag} {}: {err}",
            scanned.display(),
            out_path.display()
        );
        // A link at an output path is refused whatever it points to (rule 5).
        if out_path == link {
            assert!(err.contains("symbolic link"), "{err}");
        } else {
            assert!(err.contains("refusing to overwrite"), "{err}");
            assert!(err.contains("scanned input"), "{err}");
        }
        assert_eq!(fs::read(&input).unwrap(), content, "the input is intact");
        assert!(out.stdout.is_empty(), "nothing written");
    }
    // A new file inside the scanned folder is fine: it did not exist when the walk ran.
    let fresh = data.join("summary.json");
    let out = run(args![
        "scan",
        data.as_os_str(),
        "--no-progress",
        "--json",
        "-o",
        fresh.as_os_str()
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let v: serde_json::Value = serde_json::from_slice(&fs::read(&fresh).unwrap()).unwrap();
    assert_eq!(v["ledger"]["entries"], 1);
    // The same run again refuses: summary.json is an input now.
    let out = run(args![
        "scan",
        data.as_os_str(),
        "--no-progress",
        "-o",
        fresh.as_os_str()
    ]);
    assert_eq!(out.status.code(), Some(2));
}

/// A folder with one small CSV holding a valid NIK, to scan.
fn small_input(d: &Path) -> PathBuf {
    let data = d.join("data");
    fs::create_dir_all(&data).unwrap();
    fs::write(
        data.join("people.csv"),
        "nama,nik,hp\nBudi,3171010101900001,081234567890\n",
    )
    .unwrap();
    data
}

fn names_in(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

#[test]
fn rule5_symlink_at_output_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let data = small_input(d.path());
    let victim = d.path().join("victim.txt");
    fs::write(&victim, "precious").unwrap();
    let link = d.path().join("out.link");
    std::os::unix::fs::symlink(&victim, &link).unwrap();
    // A dangling link would make a new file wherever it points.
    let dangling = d.path().join("dangling.link");
    let target = d.path().join("made-through-the-link");
    std::os::unix::fs::symlink(&target, &dangling).unwrap();
    for flag in ["-o", "--html", "--records"] {
        for l in [&link, &dangling] {
            let out = run(args![
                "scan",
                data.as_os_str(),
                "--no-progress",
                flag,
                l.as_os_str()
            ]);
            let err = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{flag} {}: {err}", l.display());
            assert!(err.contains("symbolic link"), "{err}");
            assert!(out.stdout.is_empty(), "refused before the scan");
        }
    }
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    assert!(!target.exists());
    // synth's files too.
    let syn = d.path().join("synth");
    fs::create_dir(&syn).unwrap();
    std::os::unix::fs::symlink(&victim, syn.join("truth.json")).unwrap();
    let out = run(args!["synth", "--rows", "5", "--out", syn.as_os_str()]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert_eq!(fs::read_to_string(&victim).unwrap(), "precious");
    assert_eq!(names_in(&syn), ["truth.json"], "nothing written");
}

#[test]
fn rule5_existing_output_owned_by_another_user_is_refused() {
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: giving a file to another user needs root");
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let data = small_input(d.path());
    let theirs = d.path().join("theirs.json");
    fs::write(&theirs, "their report").unwrap();
    std::os::unix::fs::chown(&theirs, Some(65534), Some(65534)).unwrap();
    for flag in ["-o", "--html", "--records"] {
        let out = run(args![
            "scan",
            data.as_os_str(),
            "--no-progress",
            flag,
            theirs.as_os_str()
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {err}");
        assert!(err.contains("owned by another user"), "{err}");
    }
    assert_eq!(fs::read_to_string(&theirs).unwrap(), "their report");
}

#[test]
fn rule5_two_outputs_on_one_path_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let data = small_input(d.path());
    fs::create_dir(d.path().join("sub")).unwrap();
    let x = d.path().join("x.out");
    let same = d.path().join("sub/../x.out");
    let dot = d.path().join("./x.out");
    for (a, pa, b, pb) in [
        ("-o", &x, "--html", &x),
        ("-o", &x, "--records", &same),
        ("--html", &dot, "--records", &x),
    ] {
        let out = run(args![
            "scan",
            data.as_os_str(),
            "--no-progress",
            a,
            pa.as_os_str(),
            b,
            pb.as_os_str()
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{a} {b}: {err}");
        assert!(err.contains("two outputs on one path"), "{err}");
        assert!(!x.exists(), "nothing written");
    }
}

#[test]
fn rule5_an_output_that_is_an_input_is_refused() {
    let d = tempfile::tempdir().unwrap();
    let data = small_input(d.path());
    let baseline = d.path().join("baseline.json");
    let out = run(args![
        "scan",
        data.as_os_str(),
        "--no-progress",
        "--json",
        "-o",
        baseline.as_os_str()
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let before = fs::read(&baseline).unwrap();
    let reference = d.path().join("reference.txt");
    fs::write(&reference, "3171010101900001\n").unwrap();
    for (flag, path) in [("--expect", &baseline), ("--reference", &reference)] {
        let out = run(args![
            "scan",
            data.as_os_str(),
            "--no-progress",
            flag,
            path.as_os_str(),
            "--html",
            path.as_os_str()
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {err}");
        assert!(err.contains("refusing to overwrite"), "{err}");
    }
    assert_eq!(fs::read(&baseline).unwrap(), before);
    assert_eq!(
        fs::read_to_string(&reference).unwrap(),
        "3171010101900001\n"
    );
}

#[test]
fn rule5_output_folders_are_checked_before_the_scan() {
    let d = tempfile::tempdir().unwrap();
    let data = small_input(d.path());
    let html = d.path().join("report.html");
    let typo = d.path().join("no-such-folder/summary.json");
    let out = run(args![
        "scan",
        data.as_os_str(),
        "--no-progress",
        "--html",
        html.as_os_str(),
        "-o",
        typo.as_os_str()
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("no-such-folder"), "{err}");
    assert!(!html.exists(), "failed before the scan, not after it");
    assert_eq!(names_in(d.path()), ["data"]);
}

#[test]
fn rule5_outputs_are_replaced_whole_not_rewritten() {
    use std::os::unix::fs::MetadataExt;
    let d = tempfile::tempdir().unwrap();
    let data = small_input(d.path());
    let (o, html, rec) = (
        d.path().join("s.json"),
        d.path().join("r.html"),
        d.path().join("r.csv"),
    );
    let mut old = Vec::new();
    for p in [&o, &html, &rec] {
        fs::write(p, "previous").unwrap();
        let keep = PathBuf::from(format!("{}.keep", p.display()));
        fs::hard_link(p, &keep).unwrap();
        old.push((fs::metadata(p).unwrap().ino(), keep));
    }
    let out = run(args![
        "scan",
        data.as_os_str(),
        "--no-progress",
        "--json",
        "-o",
        o.as_os_str(),
        "--html",
        html.as_os_str(),
        "--records",
        rec.as_os_str()
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    for (p, (ino, keep)) in [&o, &html, &rec].into_iter().zip(old) {
        let m = fs::metadata(p).unwrap();
        assert_ne!(
            m.ino(),
            ino,
            "{} is a new file, renamed into place",
            p.display()
        );
        assert_eq!(m.mode() & 0o777, 0o600);
        assert_eq!(fs::read_to_string(&keep).unwrap(), "previous");
        assert_ne!(fs::read_to_string(p).unwrap(), "previous");
    }
    let mut names = names_in(d.path());
    names.retain(|n| n.starts_with('.'));
    assert!(names.is_empty(), "no temporary file left: {names:?}");
}

/// Runs `triage ARGS` under a file-size limit of 1 KiB (`ulimit -f`), with SIGXFSZ either
/// left to end the process or ignored (the write then fails with an error).
fn run_size_limited(args: &[&std::ffi::OsStr], ignore_signal: bool) -> Output {
    let trap = if ignore_signal { "trap '' XFSZ; " } else { "" };
    std::process::Command::new("sh")
        .arg("-c")
        .arg(format!(
            "{trap}ulimit -c 0; ulimit -f 2; exec \"$0\" \"$@\""
        ))
        .arg(triage_path())
        .args(args)
        .env_remove("TRIAGE_KEY")
        .output()
        .unwrap()
}

#[test]
fn rule5_an_interrupted_write_keeps_the_previous_output() {
    use std::os::unix::process::ExitStatusExt;
    let d = tempfile::tempdir().unwrap();
    let outdir = d.path().join("out");
    fs::create_dir(&outdir).unwrap();
    let o = outdir.join("summary.json");
    for ignore_signal in [false, true] {
        fs::write(&o, "previous good summary").unwrap();
        let out = run_size_limited(
            args![
                "scan",
                fx_path("tricky").as_os_str(),
                "--no-progress",
                "--json",
                "-o",
                o.as_os_str()
            ],
            ignore_signal,
        );
        if ignore_signal {
            assert_eq!(out.status.code(), Some(2), "{out:?}");
            assert!(String::from_utf8_lossy(&out.stderr).contains("writing"));
        } else {
            assert_eq!(out.status.signal(), Some(libc::SIGXFSZ), "{out:?}");
        }
        assert_eq!(
            fs::read_to_string(&o).unwrap(),
            "previous good summary",
            "ignore_signal {ignore_signal}"
        );
        assert_eq!(names_in(&outdir), ["summary.json"], "no partial file left");
    }
}

/// The raw forms of the identifiers in the names of [`named_input`].
const RAW_IN_NAMES: &[&str] = &[
    "3171014101900002",
    "081298765432",
    "81298765432",
    "6281298765431",
    "budi@gmail.com",
    "3171011234567890",
    "012345678901000",
];

/// A folder whose file and member names hold identifiers of every kind, one of them an
/// empty file (so its name is in the ledger's problems too).
fn named_input(d: &Path) -> PathBuf {
    let data = d.join("named");
    fs::create_dir_all(&data).unwrap();
    let csv = "nama,nik\nBudi,3171010101900001\n";
    fs::write(data.join("ktp_3171014101900002.csv"), csv).unwrap();
    fs::write(data.join("scan_of_081298765432.txt"), "halo\n").unwrap();
    fs::write(data.join("budi@gmail.com.csv"), csv).unwrap();
    fs::write(data.join("npwp_012345678901000.txt"), "").unwrap();
    fs::write(
        data.join("arsip_6281298765431.zip"),
        zip(&[("kk_3171011234567890.csv", csv.as_bytes())], false),
    )
    .unwrap();
    data
}

#[test]
fn rule6_identifier_in_file_name_is_masked_everywhere() {
    let d = tempfile::tempdir().unwrap();
    let data = named_input(d.path());
    let dp = data.as_os_str();
    let mut outputs: Vec<(String, Vec<u8>)> = Vec::new();
    for format in ["text", "json", "csv", "html"] {
        let out = run(args!["scan", dp, "--no-progress", "--format", format]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        outputs.push((format!("{format} stdout"), out.stdout));
        outputs.push((format!("{format} stderr"), out.stderr));
    }
    let (o, html, rec) = (
        d.path().join("s.json"),
        d.path().join("r.html"),
        d.path().join("r.csv"),
    );
    let mut baseline: serde_json::Value =
        serde_json::from_slice(&run(args!["scan", dp, "--no-progress", "--json"]).stdout).unwrap();
    // A baseline made with --reveal, and one moved count per file: every name is in the
    // differences.
    for f in baseline["files"].as_array_mut().unwrap() {
        f["records"] = 99.into();
    }
    let base = d.path().join("base.json");
    fs::write(&base, baseline.to_string()).unwrap();
    let out = run(args![
        "scan",
        dp,
        "--no-progress",
        "--json",
        "-o",
        o.as_os_str(),
        "--html",
        html.as_os_str(),
        "--records",
        rec.as_os_str(),
        "--expect",
        base.as_os_str()
    ]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let diff = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(diff.contains("ktp_3171**********02.csv"), "{diff}");
    assert!(
        diff.contains("arsip_+62812*****431.zip!kk_3171**********90.csv"),
        "{diff}"
    );
    outputs.push(("--expect stderr".into(), out.stderr));
    for p in [&o, &html, &rec] {
        outputs.push((p.display().to_string(), fs::read(p).unwrap()));
    }
    let records = fs::read_to_string(&rec).unwrap();
    assert!(records.contains("b***@gmail.com.csv,1,"), "{records}");
    // An error naming an input.
    let input = data.join("ktp_3171014101900002.csv");
    let out = run(args!["scan", dp, "--no-progress", "-o", input.as_os_str()]);
    assert_eq!(out.status.code(), Some(2));
    outputs.push(("error".into(), out.stderr));
    for (what, bytes) in &outputs {
        let text = String::from_utf8_lossy(bytes);
        for raw in RAW_IN_NAMES {
            assert!(!text.contains(raw), "{what} holds {raw}: {text}");
        }
    }
    // The masks keep the names recognisable, and --reveal shows them.
    let v: serde_json::Value = serde_json::from_slice(&fs::read(&o).unwrap()).unwrap();
    let paths: Vec<&str> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["path"].as_str().unwrap())
        .collect();
    assert_eq!(
        paths,
        [
            "arsip_+62812*****431.zip!kk_3171**********90.csv",
            "b***@gmail.com.csv",
            "ktp_3171**********02.csv",
            "npwp_0123*********00.txt",
            "scan_of_+62812*****432.txt",
        ]
    );
    assert_eq!(
        v["ledger"]["problems"][0]["path"],
        "npwp_0123*********00.txt"
    );
    let out = run(args!["scan", dp, "--no-progress", "--json", "--reveal"]);
    let text = String::from_utf8_lossy(&out.stdout);
    for raw in [
        "ktp_3171014101900002.csv",
        "budi@gmail.com.csv",
        "npwp_012345678901000",
    ] {
        assert!(text.contains(raw), "--reveal shows {raw}");
    }
}

#[test]
fn rule6_control_characters_in_names_are_escaped() {
    use std::os::unix::ffi::OsStrExt;
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    fs::create_dir(&data).unwrap();
    // Empty, so each is a ledger problem the text summary lists by name.
    let evil = std::ffi::OsStr::from_bytes(b"evil\x1b[2J\nfake line.csv");
    fs::write(data.join(evil), "").unwrap();
    fs::write(data.join("invoice_\u{202E}vsc.exe"), "").unwrap();
    let mut outs = Vec::new();
    for format in ["text", "csv", "html"] {
        let out = run(args![
            "scan",
            data.as_os_str(),
            "--no-progress",
            "--format",
            format
        ]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        outs.push((format, String::from_utf8(out.stdout).unwrap()));
    }
    for (format, text) in &outs {
        assert!(!text.contains('\x1b'), "{format}: {text}");
        assert!(!text.contains('\u{202E}'), "{format}: {text}");
        assert!(!text.contains("\nfake line"), "{format}: {text}");
        assert!(
            text.contains("evil\\x1B[2J\\x0Afake line.csv"),
            "{format}: {text}"
        );
        assert!(
            text.contains("invoice_\\u{202E}vsc.exe"),
            "{format}: {text}"
        );
    }
    let csv_rows = csv::Reader::from_reader(outs[1].1.as_bytes())
        .records()
        .count();
    assert_eq!(csv_rows, 2, "one row per file");
}

#[test]
fn rule6_csv_cells_cannot_start_a_formula() {
    let d = tempfile::tempdir().unwrap();
    let data = d.path().join("data");
    fs::create_dir(&data).unwrap();
    let names = ["=HYPERLINK(1).csv", "+1.csv", "-2.csv", "@SUM(1).csv"];
    for n in names {
        fs::write(data.join(n), "nama,nik\nBudi,3171010101900001\n").unwrap();
    }
    fs::write(data.join("\tTAB.csv"), "").unwrap();
    let rec = d.path().join("r.csv");
    let out = run(args![
        "scan",
        data.as_os_str(),
        "--no-progress",
        "--format",
        "csv",
        "--records",
        rec.as_os_str()
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    for (what, bytes) in [
        ("summary", out.stdout),
        ("--records", fs::read(&rec).unwrap()),
    ] {
        let mut rdr = csv::Reader::from_reader(bytes.as_slice());
        let mut paths = Vec::new();
        for row in rdr.records() {
            let row = row.unwrap();
            for cell in row.iter() {
                assert!(
                    !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                    "{what}: {cell:?}"
                );
            }
            paths.push(row[0].to_string());
        }
        for n in names {
            assert!(paths.contains(&format!("'{n}")), "{what}: {paths:?}");
        }
    }
}

#[test]
fn rule8_expect_refuses_empty_baseline() {
    let d = tempfile::tempdir().unwrap();
    let data = small_input(d.path());
    let good: serde_json::Value = serde_json::from_slice(
        &run(args!["scan", data.as_os_str(), "--no-progress", "--json"]).stdout,
    )
    .unwrap();
    let mut cases: Vec<(String, String)> = vec![
        ("{}".into(), "schema".into()),
        ("[]".into(), "not a JSON object".into()),
        ("null".into(), "not a JSON object".into()),
        (r#"{"schema":"triage.summary/1"}"#.into(), "ledger".into()),
    ];
    let mut wrong = good.clone();
    wrong["schema"] = "triage.summary/0".into();
    cases.push((wrong.to_string(), "schema".into()));
    for section in ["ledger", "records", "identifiers", "attribution", "files"] {
        let mut b = good.clone();
        b.as_object_mut().unwrap().remove(section);
        cases.push((b.to_string(), section.into()));
        let mut b = good.clone();
        b[section] = serde_json::Value::Null;
        cases.push((b.to_string(), section.into()));
    }
    let base = d.path().join("base.json");
    for (text, why) in cases {
        fs::write(&base, &text).unwrap();
        let out = run(args![
            "scan",
            data.as_os_str(),
            "--no-progress",
            "--expect",
            base.as_os_str()
        ]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{text}: {err}");
        assert!(
            err.contains("cannot be compared") && err.contains(&why),
            "{err}"
        );
        assert!(out.stdout.is_empty(), "refused before the scan");
    }
    // The whole summary is a baseline, and so is one without `run`.
    let mut b = good.clone();
    b.as_object_mut().unwrap().remove("run");
    fs::write(&base, b.to_string()).unwrap();
    let out = run(args![
        "scan",
        data.as_os_str(),
        "--no-progress",
        "--expect",
        base.as_os_str()
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
}
