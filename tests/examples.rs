//! The batch-engine examples of issue 24 stay runnable: the Kubernetes manifests
//! (`examples/k8s`) parse as YAML and hold the documented fields, with the shard count of
//! `--shard` equal to the Job's `completions`; the Slurm scripts (`examples/slurm`) parse as
//! bash, and the array task script, run as Slurm would run it (its `SLURM_ARRAY_*`
//! environment), writes shards whose ledgers add up to one scan. The cluster itself is proved
//! by `examples/slurm/local-cluster.sh`, which needs root and daemons (not run here).

mod common;

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::paths::root;
use common::run::{scan, triage_path};
use serde_json::Value;
use yaml_rust2::{Yaml, YamlLoader};

fn example(rel: &str) -> PathBuf {
    root().join("examples").join(rel)
}

fn yaml_docs(rel: &str) -> Vec<Yaml> {
    let text = fs::read_to_string(example(rel)).unwrap();
    YamlLoader::load_from_str(&text).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The document of `kind` named `name`.
fn doc<'a>(docs: &'a [Yaml], kind: &str, name: &str) -> &'a Yaml {
    docs.iter()
        .find(|d| d["kind"].as_str() == Some(kind) && d["metadata"]["name"].as_str() == Some(name))
        .unwrap_or_else(|| panic!("no {kind} {name}"))
}

/// The one container of a Job, and its pod spec.
fn container(job: &Yaml) -> (&Yaml, &Yaml) {
    let pod = &job["spec"]["template"]["spec"];
    let cs = pod["containers"].as_vec().expect("containers");
    assert_eq!(cs.len(), 1);
    assert_eq!(pod["restartPolicy"].as_str(), Some("Never"));
    (&cs[0], pod)
}

/// The shell line a container runs (`sh -c LINE`).
fn script(c: &Yaml) -> String {
    let cmd: Vec<&str> = c["command"]
        .as_vec()
        .unwrap()
        .iter()
        .filter_map(Yaml::as_str)
        .collect();
    assert_eq!(cmd, ["sh", "-c"]);
    c["args"][0].as_str().unwrap().to_string()
}

/// The key comes from the Secret, and the data from the shared claim at /data.
fn key_and_volume(c: &Yaml, pod: &Yaml, claim: &str) {
    let env = c["env"].as_vec().unwrap();
    let key = env
        .iter()
        .find(|e| e["name"].as_str() == Some("TRIAGE_KEY"))
        .expect("TRIAGE_KEY");
    assert!(
        key["value"].is_badvalue(),
        "the key must not be in the manifest"
    );
    let secret = &key["valueFrom"]["secretKeyRef"];
    assert_eq!(secret["name"].as_str(), Some("triage-key"));
    assert_eq!(secret["key"].as_str(), Some("key"));
    assert_eq!(c["volumeMounts"][0]["mountPath"].as_str(), Some("/data"));
    let vol = &pod["volumes"][0];
    assert_eq!(vol["name"], c["volumeMounts"][0]["name"]);
    assert_eq!(
        vol["persistentVolumeClaim"]["claimName"].as_str(),
        Some(claim)
    );
}

#[test]
fn the_indexed_job_shards_by_its_completion_index() {
    let docs = yaml_docs("k8s/indexed-job.yaml");
    let pvc = doc(&docs, "PersistentVolumeClaim", "triage-data");
    assert_eq!(
        pvc["spec"]["accessModes"][0].as_str(),
        Some("ReadWriteMany")
    );
    let job = doc(&docs, "Job", "triage-shards");
    assert_eq!(job["apiVersion"].as_str(), Some("batch/v1"));
    let spec = &job["spec"];
    assert_eq!(spec["completionMode"].as_str(), Some("Indexed"));
    let n = spec["completions"].as_i64().expect("completions");
    let parallel = spec["parallelism"].as_i64().expect("parallelism");
    assert!(n >= 2 && (1..=n).contains(&parallel), "{n} {parallel}");
    let (c, pod) = container(job);
    let line = script(c);
    assert!(line.contains("I=$JOB_COMPLETION_INDEX;"), "{line}");
    assert!(
        line.contains(&format!("--shard \"$I/{n}\"")),
        "--shard must be I/{n}: {line}"
    );
    assert!(
        line.contains("--state \"/data/states/shard-$I.state\""),
        "{line}"
    );
    assert!(line.contains("triage scan /data/dump "), "{line}");
    key_and_volume(c, pod, "triage-data");
}

#[test]
fn the_merge_job_merges_every_state() {
    let docs = yaml_docs("k8s/merge-job.yaml");
    let job = doc(&docs, "Job", "triage-merge");
    assert_eq!(job["spec"]["completions"].as_i64(), Some(1));
    let (c, pod) = container(job);
    let line = script(c);
    assert!(
        line.contains("triage merge /data/states/shard-*.state "),
        "{line}"
    );
    assert!(line.contains("-o /data/merged.json"), "{line}");
    key_and_volume(c, pod, "triage-data");
}

#[test]
fn the_slurm_scripts_parse() {
    for f in [
        "scan-shard.sbatch",
        "merge.sbatch",
        "submit.sh",
        "local-cluster.sh",
    ] {
        let out = Command::new("bash")
            .arg("-n")
            .arg(example(&format!("slurm/{f}")))
            .output();
        let out = out.expect("bash");
        assert!(
            out.status.success(),
            "{f}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let submit = fs::read_to_string(example("slurm/submit.sh")).unwrap();
    assert!(submit.contains("--array=0-$((n - 1))"));
    assert!(submit.contains("--dependency=afterok:\"$array\""));
}

/// Runs the array task script for task `i` of `n` as Slurm would (its environment).
fn array_task(dump: &Path, states: &Path, i: u32, n: u32, min: u32) -> std::process::Output {
    Command::new("bash")
        .arg(example("slurm/scan-shard.sbatch"))
        .env("TRIAGE", triage_path())
        .env("DUMP", dump)
        .env("STATES", states)
        .env("SLURM_ARRAY_TASK_ID", i.to_string())
        .env("SLURM_ARRAY_TASK_COUNT", n.to_string())
        .env("SLURM_ARRAY_TASK_MIN", min.to_string())
        .env("SLURM_ARRAY_TASK_MAX", (n - 1).to_string())
        .env_remove("TRIAGE_KEY")
        .env_remove("TRIAGE_KEY_FILE")
        .output()
        .unwrap()
}

#[test]
fn the_array_task_script_writes_shards_that_add_up_to_one_scan() {
    let d = tempfile::tempdir().unwrap();
    let dump = d.path().join("dump");
    fs::create_dir_all(dump.join("sub")).unwrap();
    for k in 0..12 {
        let rows = "3171234567890001,Budi\n".repeat(k * 7 + 1);
        fs::write(
            dump.join(format!("sub/t{k}.csv")),
            format!("NIK,NAMA\n{rows}"),
        )
        .unwrap();
    }
    fs::write(dump.join("cut.csv.gz"), b"\x1f\x8b\x08\0\0\0\0\0").unwrap();
    let states = d.path().join("states");
    let n = 3;
    for i in 0..n {
        let out = array_task(&dump, &states, i, n, 0);
        assert!(
            out.status.success(),
            "task {i}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let single = scan(&[&dump], &["--json"]).json();
    let mut rows: Vec<Value> = (0..n)
        .flat_map(|i| {
            let text = fs::read(states.join(format!("shard-{i}.json"))).unwrap();
            let v: Value = serde_json::from_slice(&text).unwrap();
            v["files"].as_array().unwrap().clone()
        })
        .collect();
    rows.sort_by_key(|r| r["path"].as_str().unwrap().to_string());
    assert_eq!(Value::from(rows), single["files"]);
    // An array that does not start at 0 would leave shards out: refused.
    let out = array_task(&dump, &states, 1, n, 1);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("must be 0-2"));
}
