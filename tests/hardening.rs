//! Hardening (issue 11), tested against the real readers: every YAML file hagen writes decodes in kubectl
//! (go-yaml v2 behind sigs.k8s.io/yaml, the YAML 1.1 reader Helm uses too) exactly as in hagen's own YAML 1.2
//! parse; tricky strings survive the emitter and `post-render`; closed pipes end every command quietly; the output
//! folder is hagen's alone; Prometheus reads catalogue text in annotations literally.

mod common;
use common::*;
use proptest::strategy::{Strategy, ValueTree};
use serde_json::{Value, json};
use std::path::Path;
use std::process::{Command, Stdio};

/// kubectl's decoding of each YAML document: each is wrapped as the `body` of an object of an unknown kind and
/// decoded by `kubectl annotate --local` (no server), which reads it through sigs.k8s.io/yaml.
fn kubectl_decode(docs: &[String]) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let mut stream = String::new();
    for (n, d) in docs.iter().enumerate() {
        stream.push_str(&format!(
            "---\napiVersion: hagen.test/v1\nkind: Decoded\nmetadata:\n  name: d{n}\nbody:\n"
        ));
        for line in d.lines() {
            if !line.is_empty() {
                stream.push_str("  ");
                stream.push_str(line);
            }
            stream.push('\n');
        }
    }
    let file = dir.path().join("wrapped.yaml");
    std::fs::write(&file, &stream).unwrap();
    let out = Command::new(tool("HAGEN_KUBECTL"))
        .args(["annotate", "--local", "-o", "json", "hagen=decoded", "-f"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success(), "kubectl: {}\n{stream}", text(&out.stderr));
    let objects: Vec<Value> = serde_json::Deserializer::from_slice(&out.stdout)
        .into_iter::<Value>()
        .map(Result::unwrap)
        .collect();
    let objects: Vec<Value> = match objects.as_slice() {
        [list] if list["kind"] == "List" => list["items"].as_array().unwrap().clone(),
        _ => objects,
    };
    assert_eq!(objects.len(), docs.len());
    objects
        .into_iter()
        .map(|o| o.get("body").cloned().unwrap_or(Value::Null))
        .collect()
}

/// hagen's own parse (serde_yaml, YAML 1.2) of a document.
fn own_decode(doc: &str) -> Value {
    serde_json::to_value(serde_yaml::from_str::<serde_yaml::Value>(doc).unwrap()).unwrap()
}

/// The documents of a YAML file, split at `---` lines.
fn documents(text: &str) -> Vec<String> {
    let mut docs = vec![String::new()];
    for line in text.lines() {
        if line == "---" {
            docs.push(String::new());
        } else {
            let d = docs.last_mut().unwrap();
            d.push_str(line);
            d.push('\n');
        }
    }
    docs
}

/// kubectl's numbers are int64 or float64; compare numbers by value.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x.as_f64() == y.as_f64(),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w)),
        _ => a == b,
    }
}

fn yaml_files(dir: &Path) -> Vec<(String, String)> {
    snapshot(dir)
        .into_iter()
        .filter(|(rel, _)| rel.ends_with(".yaml"))
        .map(|(rel, bytes)| (rel, String::from_utf8(bytes).unwrap()))
        .collect()
}

#[test]
fn every_yaml_file_hagen_writes_decodes_the_same_in_kubectl() {
    let dir = tempfile::tempdir().unwrap();
    let mut docs: Vec<(String, String)> = Vec::new();
    for (n, catalog) in [
        "catalog/cluster.yaml",
        "tests/catalogs/alternatives.yaml",
        "tests/catalogs/tricky.yaml",
    ]
    .iter()
    .enumerate()
    {
        let out = format!("out{n}");
        generate_into(dir.path(), catalog, &out);
        for (rel, text) in yaml_files(&dir.path().join(&out)) {
            for (k, d) in documents(&text).into_iter().enumerate() {
                docs.push((format!("{catalog} → {rel} (document {})", k + 1), d));
            }
        }
    }
    // Patch texts and k3s valuesContent are YAML inside strings: decode them too.
    let nested: Vec<(String, String)> = docs
        .iter()
        .flat_map(|(name, d)| {
            let mut inner = Vec::new();
            collect_nested(&own_decode(d), &mut inner);
            inner.into_iter().map(move |t| (format!("{name}, embedded"), t))
        })
        .collect();
    docs.extend(nested);
    let texts: Vec<String> = docs.iter().map(|(_, d)| d.clone()).collect();
    let theirs = kubectl_decode(&texts);
    let mut bad = Vec::new();
    for ((name, d), k) in docs.iter().zip(&theirs) {
        let ours = own_decode(d);
        if !same(&ours, k) {
            bad.push(format!("{name}:\n{d}\nhagen: {ours}\nkubectl: {k}"));
        }
    }
    assert!(
        bad.is_empty(),
        "{} documents decode differently:\n{}",
        bad.len(),
        bad.join("\n\n")
    );
    assert!(docs.len() > 60, "{} documents", docs.len());
}

/// Strings that hold YAML hagen wrote: a patch's `patch` text and a HelmChartConfig's `valuesContent`.
fn collect_nested(v: &Value, out: &mut Vec<String>) {
    match v {
        Value::Object(m) => {
            for (k, v) in m {
                match (k.as_str(), v) {
                    ("patch" | "valuesContent", Value::String(s)) => out.push(s.clone()),
                    _ => collect_nested(v, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|v| collect_nested(v, out)),
        _ => {}
    }
}

/// The scalars of research/live-objects-and-yaml.scalars.tsv (101 strings YAML 1.1 and 1.2 readers disagree on, or
/// that look like they might), then strings proptest builds from YAML's indicator characters, digits and words.
fn tricky_strings() -> Vec<String> {
    let mut all: Vec<String> = std::fs::read_to_string(root().join("tests/fixtures/yaml-scalars.txt"))
        .unwrap()
        .lines()
        .map(|l| l.replace("(empty)", ""))
        .collect();
    let strategy = tricky_text(6);
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    for _ in 0..600 {
        all.push(strategy.new_tree(&mut runner).unwrap().current());
    }
    all
}

#[test]
fn tricky_strings_survive_the_emitter_and_post_render_in_kubectl() {
    let strings = tricky_strings();
    // As values, as keys and as list items.
    let values: serde_json::Map<String, Value> = strings
        .iter()
        .enumerate()
        .map(|(n, s)| (format!("k{n}"), json!(s)))
        .collect();
    let keys: serde_json::Map<String, Value> = strings.iter().enumerate().map(|(n, s)| (s.clone(), json!(n))).collect();
    let doc = json!({"values": values, "keys": keys, "items": strings});
    let emitted = hagen::yaml::emit(&doc);
    assert_eq!(own_decode(&emitted), doc, "hagen's own parse");
    let decoded = kubectl_decode(std::slice::from_ref(&emitted));
    assert!(same(&decoded[0], &doc), "kubectl decodes differently:\n{emitted}");

    // Through post-render: a Deployment whose annotations hold every string, re-serialised because it is patched;
    // kubectl decodes it as a typed Deployment (annotations are map[string]string there).
    let annotations: serde_json::Map<String, Value> = strings
        .iter()
        .enumerate()
        .map(|(n, s)| (format!("hagen.test/a{n}"), json!(s)))
        .collect();
    let deployment = json!({
        "apiVersion": "apps/v1", "kind": "Deployment",
        "metadata": {"name": "web", "annotations": annotations},
        "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
                 "template": {"metadata": {"labels": {"app": "web"}}, "spec": {"containers": [{"name": "c", "image": "x"}]}}},
    });
    let input = hagen::yaml::emit(&deployment);
    let patch = hagen::patch::Patch {
        target: hagen::patch::Target::deployment("web"),
        ops: vec![hagen::patch::Patch::add("/spec/replicas", json!(2))],
    };
    let patches =
        hagen::patch::parse_patches(&hagen::yaml::to_string(&vec![patch.entry()]).unwrap(), "p.yaml").unwrap();
    let rendered = hagen::patch::post_render(&input, &patches, &[]).unwrap();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("d.yaml"), &rendered).unwrap();
    let out = Command::new(tool("HAGEN_KUBECTL"))
        .args(["annotate", "--local", "-o", "json", "hagen=decoded", "-f"])
        .arg(dir.path().join("d.yaml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let back: Value = serde_json::from_slice(&out.stdout).unwrap();
    for (k, v) in &annotations {
        assert_eq!(&back["metadata"]["annotations"][k], v, "{k}");
    }
    assert_eq!(back["spec"]["replicas"], 2);
}

/// Runs hagen with stdout (or stderr) a pipe whose reader is already gone.
fn with_closed(dir: &Path, args: &[&str], stdin: &str, close_stderr: bool) -> std::process::Output {
    use std::io::Write;
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_hagen"));
    cmd.current_dir(dir).args(args).stdin(Stdio::piped());
    if close_stderr {
        cmd.stdout(Stdio::null()).stderr(writer);
    } else {
        cmd.stdout(writer).stderr(Stdio::piped());
    }
    let mut child = cmd.spawn().unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_string();
    let w = std::thread::spawn(move || {
        let _ = pipe.write_all(input.as_bytes());
    });
    let out = child.wait_with_output().unwrap();
    w.join().unwrap();
    out
}

#[test]
fn closed_pipes_end_every_command_quietly() {
    let ws = workspace();
    let stream = std::fs::read_to_string(root().join("tests/fixtures/audit/node-down.yaml")).unwrap();
    let deployment = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: sealed-secrets-controller}\nspec: {replicas: 1, template: {spec: {}}}\n";
    let helm = tool("HAGEN_HELM");
    let charts = all_charts();
    let verify = [
        "verify",
        "--helm",
        helm.to_str().unwrap(),
        "--charts",
        charts.path().to_str().unwrap(),
    ];
    struct Case<'a> {
        args: Vec<&'a str>,
        stdin: &'a str,
    }
    let cases = [
        Case {
            args: vec!["plan"],
            stdin: "",
        },
        Case {
            args: vec!["plan", "--output", "json"],
            stdin: "",
        },
        Case {
            args: vec!["audit", "-"],
            stdin: &stream,
        },
        Case {
            args: vec!["schema"],
            stdin: "",
        },
        Case {
            args: vec!["generate", "--check"],
            stdin: "",
        },
        Case {
            args: verify.to_vec(),
            stdin: "",
        },
        Case {
            args: vec!["post-render", "out/sealed-secrets-controller/patches.yaml"],
            stdin: deployment,
        },
    ];
    for c in cases {
        for close_stderr in [false, true] {
            let out = with_closed(ws.path(), &c.args, c.stdin, close_stderr);
            let err = text(&out.stderr);
            assert!(!err.contains("panicked"), "{:?}: {err}", c.args);
            assert_ne!(out.status.code(), Some(101), "{:?} panicked", c.args);
            if !close_stderr && c.args[0] != "generate" {
                // Something was printed to the closed stdout: the conventional status of a closed pipe.
                assert_eq!(out.status.code(), Some(141), "{:?}: {err}", c.args);
                assert_eq!(err, "", "{:?}", c.args);
            }
        }
    }
}

/// Runs hagen and fails the test (instead of hanging it) when it does not finish in time: a FIFO read blocks
/// forever, `/dev/zero` never ends.
fn within_seconds(limit: u64, dir: &Path, args: &[&str]) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_hagen"))
        .current_dir(dir)
        .args(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > std::time::Duration::from_secs(limit) {
            let _ = child.kill();
            panic!("hagen {args:?} hung for {limit}s");
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    child.wait_with_output().unwrap()
}

#[test]
fn the_output_folder_is_hagens_alone() {
    let ws = workspace();
    let dir = ws.path();
    let run = |args: &[&str]| hagen(dir, args, None);
    // `--out .` in a project: refused, README.md and out/ untouched.
    std::fs::write(dir.join("README.md"), "# my project\n").unwrap();
    let before = snapshot(&dir.join("out"));
    let r = run(&["generate", "--out", "."]);
    assert!(!r.status.success());
    // The output folder must be named by a path ending in a folder name.
    expect_run("hardening-generate-out-dot", &r);
    let r = run(&["generate", "--out", "catalog"]);
    // The shipped catalogue's placeholder repoURL is noticed first (a warning line), then the refusal.
    assert_eq!(
        refusal(&r),
        "catalog is not empty and was not written by hagen (no README.md starting with `# Generated by hagen`); hagen replaces its whole output folder, so name a new or empty one\n"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("README.md")).unwrap(),
        "# my project\n"
    );
    assert_eq!(before, snapshot(&dir.join("out")));

    // A symlinked folder inside out/ that holds hagen-marked files outside out/: nothing outside is touched.
    let outside = dir.join("elsewhere");
    std::fs::create_dir(&outside).unwrap();
    std::fs::write(outside.join("values.yaml"), "# Generated by hagen, but not here\n").unwrap();
    std::os::unix::fs::symlink(&outside, dir.join("out/linked")).unwrap();
    let r = run(&["generate"]);
    assert!(!r.status.success());
    assert_eq!(
        refusal(&r),
        "out holds 1 entry hagen did not write: out/linked (a symbolic link); hagen replaces the whole folder, so move them out of it first\n"
    );
    let check = run(&["generate", "--check"]);
    assert!(!check.status.success());
    // out/linked is a symbolic link that hagen did not write.
    expect_run("hardening-check-symlinked-folder", &check);
    assert!(outside.join("values.yaml").exists());
    std::fs::remove_file(dir.join("out/linked")).unwrap();

    // A FIFO and a link to /dev/zero where generated files are: --check neither hangs nor reads them.
    let fifo = std::ffi::CString::new(dir.join("out/cert-manager/values.yaml").to_str().unwrap()).unwrap();
    std::fs::remove_file(dir.join("out/cert-manager/values.yaml")).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
    std::fs::remove_file(dir.join("out/metallb/values.yaml")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.join("out/metallb/values.yaml")).unwrap();
    let check = within_seconds(20, dir, &["generate", "--check"]);
    assert!(!check.status.success());
    // The FIFO is a special file hagen never opens, the link one hagen never follows.
    expect_run("hardening-check-special-files", &check);
    assert!(
        !within_seconds(20, dir, &["generate"]).status.success(),
        "special files in out/ are refused"
    );
    std::fs::remove_file(dir.join("out/cert-manager/values.yaml")).unwrap();
    std::fs::remove_file(dir.join("out/metallb/values.yaml")).unwrap();

    // What earlier versions left after a kill (a temp file inside out/) is no longer "up to date".
    std::fs::write(
        dir.join("out/cert-manager/.values.yaml.hagen-tmp-4242"),
        "# Generated by hagen\n",
    )
    .unwrap();
    let check = run(&["generate", "--check"]);
    // out/cert-manager/.values.yaml.hagen-tmp-4242 is no longer generated.
    expect_run("hardening-check-left-temp-file", &check);
    assert!(
        run(&["generate"]).status.success(),
        "{}",
        text(&run(&["generate"]).stderr)
    );
    assert!(run(&["generate", "--check"]).status.success());
    assert_eq!(before, snapshot(&dir.join("out")));
    assert_no_debris_beside_out(dir);
}

/// Nothing of hagen's (a temporary tree, a lock file) is left beside out/ in `dir`.
fn assert_no_debris_beside_out(dir: &Path) {
    let siblings: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("hagen"))
        .collect();
    assert!(siblings.is_empty(), "{siblings:?}");
}

#[test]
fn concurrent_and_killed_runs_leave_the_old_tree_or_the_new_one() {
    let ws = workspace();
    let dir = ws.path();
    let cat = dir.join("catalog/cluster.yaml");
    let shipped = std::fs::read_to_string(&cat).unwrap();
    std::fs::write(
        dir.join("catalog/other.yaml"),
        shipped.replace("failoverSeconds: 30", "failoverSeconds: 45"),
    )
    .unwrap();
    let fresh = |catalog: &str| {
        // A copy of the catalogue folder, generated from its top as a user would (relative paths).
        let d = tempfile::tempdir().unwrap();
        copy_dir(&dir.join("catalog"), &d.path().join("catalog"));
        let g = hagen(
            d.path(),
            &[
                "generate",
                "--catalog",
                &format!("catalog/{}", catalog.trim_start_matches("catalog/")),
                "--out",
                "out",
            ],
            None,
        );
        assert!(g.status.success(), "{}", text(&g.stderr));
        snapshot(&d.path().join("out"))
    };
    let trees = [fresh("catalog/cluster.yaml"), fresh("catalog/other.yaml")];
    let children: Vec<_> = (0..6)
        .map(|n| {
            Command::new(env!("CARGO_BIN_EXE_hagen"))
                .current_dir(dir)
                .args([
                    "generate",
                    "--catalog",
                    if n % 2 == 0 {
                        "catalog/cluster.yaml"
                    } else {
                        "catalog/other.yaml"
                    },
                ])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap()
        })
        .collect();
    // Kill some of them at once, the others finish.
    let mut children = children;
    for c in children.iter_mut().step_by(3) {
        let _ = c.kill();
    }
    for mut c in children {
        let _ = c.wait();
    }
    let now = snapshot(&dir.join("out"));
    // Every file generated carries its catalogue path, so compare without the header lines.
    let strip = |t: &Vec<(String, Vec<u8>)>| -> Vec<(String, String)> {
        t.iter()
            .map(|(r, b)| {
                (
                    r.clone(),
                    String::from_utf8_lossy(b)
                        .lines()
                        .filter(|l| !l.starts_with('#'))
                        .collect(),
                )
            })
            .collect()
    };
    assert!(
        strip(&now) == strip(&trees[0]) || strip(&now) == strip(&trees[1]),
        "a mix of two runs"
    );
    // The next run cleans up whatever the killed ones left beside out/.
    assert!(hagen(dir, &["generate"], None).status.success());
    assert_no_debris_beside_out(dir);
}

#[test]
fn a_utf8_byte_order_mark_is_accepted() {
    let ws = workspace();
    let cat = ws.path().join("catalog/cluster.yaml");
    let text_ = std::fs::read_to_string(&cat).unwrap();
    std::fs::write(&cat, format!("\u{feff}{text_}")).unwrap();
    let r = hagen(ws.path(), &["generate", "--check"], None);
    assert!(r.status.success(), "{}", text(&r.stderr));
}

#[test]
fn catalogue_text_in_alert_annotations_is_literal_to_promtool() {
    // The tricky catalogue puts `{{ $labels.node }}`, `{{{` and `{{ template "x" }}` into impacts and a wait of
    // 106751d (the longest Prometheus holds) into the rules.
    let dir = tempfile::tempdir().unwrap();
    generate_into(dir.path(), "tests/catalogs/tricky.yaml", "out");
    let values: Value = own_decode(&std::fs::read_to_string(dir.path().join("out/null/values.yaml")).unwrap());
    // The real chart carries the rules into a PrometheusRule unchanged.
    let rendered = Command::new(tool("HAGEN_HELM"))
        .args(["template", "null"])
        .arg(charts().join("kube-prometheus-stack-88.5.3.tgz"))
        .args(["-n", "off", "-f"])
        .arg(dir.path().join("out/null/values.yaml"))
        .output()
        .unwrap();
    assert!(rendered.status.success(), "{}", text(&rendered.stderr));
    let objects = hagen::k8s::objects_from_stream(&text(&rendered.stdout), "off").unwrap();
    let rule = objects
        .iter()
        .find(|o| o.kind == "PrometheusRule" && o.name.ends_with("hagen-ha"))
        .unwrap();
    assert_eq!(
        rule.value["spec"]["groups"],
        values["additionalPrometheusRulesMap"]["hagen-ha"]["groups"]
    );
    let descriptions = rule.value["spec"]["groups"].to_string();
    assert!(
        descriptions.contains(r#"{{ \"{{\" }} $labels.node }}"#),
        "{descriptions}"
    );
    let rules = dir.path().join("rules.yaml");
    std::fs::write(&rules, hagen::yaml::to_string(&rule.value["spec"]).unwrap()).unwrap();
    let check = Command::new(tool("HAGEN_PROMTOOL"))
        .args(["check", "rules"])
        .arg(&rules)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}{}", text(&check.stdout), text(&check.stderr));
    // One day more than hagen allows is what promtool refuses too.
    let longer = std::fs::read_to_string(&rules).unwrap().replace("106751d", "106752d");
    std::fs::write(&rules, longer).unwrap();
    let check = Command::new(tool("HAGEN_PROMTOOL"))
        .args(["check", "rules"])
        .arg(&rules)
        .output()
        .unwrap();
    assert!(!check.status.success());
    // promtool's output, not hagen's: its wording is promtool's, so only its reason is checked.
    assert!(text(&check.stdout).contains("out of range") || text(&check.stderr).contains("out of range"));
}

#[test]
fn free_text_and_paths_are_escaped_where_they_land() {
    let dir = tempfile::tempdir().unwrap();
    generate_into(dir.path(), "tests/catalogs/tricky.yaml", "my out");
    let out = dir.path().join("my out");
    // Shell: an output folder with a space is one quoted word in every helm command line.
    let values = std::fs::read_to_string(out.join("on/values.yaml")).unwrap();
    assert!(
        values.contains("#   helm upgrade --install on coredns --repo https://coredns.github.io/helm --version 1.46.2 -n 012 --create-namespace -f 'my out/on/values.yaml'\n"),
        "{values}"
    );
    // Markdown: `|` and `<` in a purpose stay inside their line and cell.
    let readme = std::fs::read_to_string(out.join("README.md")).unwrap();
    assert!(
        readme.contains(
            r#"Cluster DNS: {{ .Values }} # not a comment \| not a cell &lt;b>bold&lt;/b> 'single' "double" \\ back"#
        ),
        "{readme}"
    );
    // Go templates: every `{{` of the catalogue's text is an action printing `{{`.
    let rules = std::fs::read_to_string(out.join("null/values.yaml")).unwrap();
    assert!(
        rules.contains(r#"If it goes down: {{ "{{" }} $labels.node }} and {{ "{{" }}{ and }}"#),
        "{rules}"
    );
}

/// `null`s are how an overlay removes a chart default; Helm drops them while merging, so compare without them.
fn without_nulls(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), without_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.iter().map(without_nulls).collect()),
        _ => v.clone(),
    }
}

#[test]
fn values_overlays_decode_the_same_in_helm3_and_helm4() {
    // A chart of our own that prints the values Helm read: `-f FILE` goes through Helm's own values loader.
    let dir = tempfile::tempdir().unwrap();
    let chart = dir.path().join("decode");
    std::fs::create_dir_all(chart.join("templates")).unwrap();
    std::fs::write(
        chart.join("Chart.yaml"),
        "apiVersion: v2\nname: decode\nversion: 0.1.0\n",
    )
    .unwrap();
    std::fs::write(
        chart.join("templates/values.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: decoded\ndata:\n  values: {{ toJson .Values | quote }}\n",
    )
    .unwrap();
    let mut files = Vec::new();
    for (n, catalog) in ["catalog/cluster.yaml", "tests/catalogs/tricky.yaml"]
        .iter()
        .enumerate()
    {
        let out = format!("out{n}");
        generate_into(dir.path(), catalog, &out);
        for (rel, _) in yaml_files(&dir.path().join(&out)) {
            if rel.ends_with("values.yaml") {
                files.push(dir.path().join(&out).join(rel));
            }
        }
    }
    assert!(files.len() >= 16, "{files:?}");
    for helm in [tool("HAGEN_HELM"), tool("HAGEN_HELM3")] {
        for f in &files {
            let out = Command::new(&helm)
                .arg("template")
                .arg("x")
                .arg(&chart)
                .arg("-f")
                .arg(f)
                .output()
                .unwrap();
            assert!(out.status.success(), "{}: {}", f.display(), text(&out.stderr));
            let cm = own_decode(&text(&out.stdout));
            let helm_read: Value = serde_json::from_str(cm["data"]["values"].as_str().unwrap()).unwrap();
            let ours = without_nulls(&own_decode(&std::fs::read_to_string(f).unwrap()));
            assert!(
                same(&without_nulls(&helm_read), &ours),
                "{} with {}:\nhelm: {helm_read}\nhagen: {ours}",
                f.display(),
                helm.display()
            );
        }
    }
}

/// What a run said, less the warnings about the catalogue (the shipped one's placeholder repoURL).
fn refusal(r: &std::process::Output) -> String {
    text(&r.stderr)
        .lines()
        .filter(|l| !l.contains(": warning: "))
        .map(|l| format!("{l}\n"))
        .collect()
}
