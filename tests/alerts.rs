//! The generated alert rules: every expression parses (promql-parser), the real kube-prometheus-stack chart turns
//! the overlay into a PrometheusRule, and promtool (installed by the test setup) checks the rules and runs unit tests
//! with input series for the original README's scenarios, computed from `hagen plan`'s placement.

mod common;
use common::*;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::process::Command;

fn overlay_rules() -> Value {
    let values: Value =
        serde_yaml::from_str(&std::fs::read_to_string(root().join("out/kube-prometheus-stack/values.yaml")).unwrap())
            .unwrap();
    values["additionalPrometheusRulesMap"]["hagen-ha"].clone()
}

fn rules() -> Vec<Value> {
    overlay_rules()["groups"][0]["rules"].as_array().unwrap().clone()
}

#[test]
fn every_expression_parses_and_severity_follows_the_tier() {
    let rules = rules();
    assert!(rules.len() > 30);
    for r in &rules {
        let expr = r["expr"].as_str().unwrap();
        promql_parser::parser::parse(expr).unwrap_or_else(|e| panic!("{e}: {expr}"));
        let want = match r["labels"]["hagen_tier"].as_str() {
            Some("1") => "critical",
            Some("2") => "warning",
            Some(_) => "info",
            None => "warning",
        };
        assert_eq!(r["labels"]["severity"], want, "{r}");
    }
    let kinds: std::collections::BTreeSet<&str> = rules.iter().map(|r| r["alert"].as_str().unwrap()).collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            "HagenNodeTooManyPods",
            "HagenPDBBlocksDrain",
            "HagenReplicasColocated",
            "HagenReplicasUnavailable",
            "HagenSingleInstanceDown"
        ]
    );
}

#[test]
fn the_real_chart_renders_the_rules_as_a_prometheus_rule() {
    let helm = tool("HAGEN_HELM");
    let out = Command::new(helm)
        .args(["template", "kube-prometheus-stack"])
        .arg(charts().join("kube-prometheus-stack-88.5.3.tgz"))
        .args(["-n", "monitoring", "-f"])
        .arg(root().join("out/kube-prometheus-stack/values.yaml"))
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let objects = hagen::k8s::objects_from_stream(&text(&out.stdout), "monitoring").unwrap();
    let rule = objects
        .iter()
        .find(|o| o.kind == "PrometheusRule" && o.name == "kube-prometheus-stack-hagen-ha")
        .expect("PrometheusRule");
    assert_eq!(
        rule.value["spec"]["groups"][0]["rules"].as_array().unwrap().len(),
        rules().len()
    );
    // Prometheus selects rules by the release label the chart puts on it.
    assert_eq!(rule.value["metadata"]["labels"]["release"], "kube-prometheus-stack");
}

/// The plan: component → (namespace, workload, replicas, tier, pdb) and node → components placed there.
struct Cluster {
    components: Vec<Value>,
    placement: BTreeMap<String, Vec<String>>,
}

fn cluster() -> Cluster {
    let out = hagen(&root(), &["plan", "--output", "json"], None);
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let placement = v["placement"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(n, l)| {
            (
                n.clone(),
                l.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_str().unwrap().to_string())
                    .collect(),
            )
        })
        .collect();
    Cluster {
        components: v["components"].as_array().unwrap().clone(),
        placement,
    }
}

fn label(c: &Value) -> String {
    let (r, n) = (c["release"].as_str().unwrap(), c["component"].as_str().unwrap());
    if r == n { n.to_string() } else { format!("{r}/{n}") }
}

/// Input series: every component healthy except where `pods_on` says otherwise.
/// `ready(node)`: whether pods there are ready; `place`: component → nodes of its pods.
fn series(
    cl: &Cluster,
    place: &BTreeMap<String, Vec<String>>,
    down: Option<&str>,
    stuck_pdb: Option<&str>,
    pods_per_node: &BTreeMap<String, u32>,
) -> Vec<Value> {
    let mut s = Vec::new();
    let mut add = |series: String, values: String| s.push(json!({"series": series, "values": values}));
    for c in &cl.components {
        let (ns, wl) = (c["namespace"].as_str().unwrap(), c["workload"].as_str().unwrap());
        let nodes = &place[&label(c)];
        let r = c["replicas"].as_u64().unwrap();
        let ready = nodes.iter().filter(|n| Some(n.as_str()) != down).count() as u64;
        add(
            format!(r#"kube_deployment_spec_replicas{{namespace="{ns}",deployment="{wl}"}}"#),
            format!("{r}x60"),
        );
        add(
            format!(r#"kube_deployment_status_replicas_available{{namespace="{ns}",deployment="{wl}"}}"#),
            format!("{}x60", ready.min(r)),
        );
        for (k, n) in nodes.iter().enumerate() {
            let pod = format!("{wl}-5d9f8c7b6-{k}x{k}");
            add(
                format!(
                    r#"kube_pod_info{{namespace="{ns}",pod="{pod}",node="{n}",created_by_kind="ReplicaSet",created_by_name="{wl}-5d9f8c7b6"}}"#
                ),
                "1x60".into(),
            );
            let ok = if Some(n.as_str()) == down { 0 } else { 1 };
            add(
                format!(r#"kube_pod_status_ready{{namespace="{ns}",pod="{pod}",condition="true"}}"#),
                format!("{ok}x60"),
            );
        }
        if c["pdb"].is_number() && c["strategy"] != "Longhorn's own" {
            let allowed = if stuck_pdb == Some(wl) || ready < r { 0 } else { 1 };
            add(
                format!(
                    r#"kube_poddisruptionbudget_status_pod_disruptions_allowed{{namespace="{ns}",poddisruptionbudget="{wl}"}}"#
                ),
                format!("{allowed}x60"),
            );
        }
    }
    for (n, count) in pods_per_node {
        add(format!(r#"kubelet_running_pods{{node="{n}"}}"#), format!("{count}x60"));
    }
    s
}

/// The alerts a rule gives for these labels, with its annotations templated like Prometheus does.
fn expect(alert: &str, labels: Value, value: &str) -> Value {
    let rule = rules()
        .into_iter()
        .find(|r| {
            r["alert"] == alert
                && (r["labels"].get("hagen_component").is_none()
                    || r["labels"]["hagen_component"] == labels["hagen_component"])
        })
        .unwrap();
    let mut all = rule["labels"].clone();
    for (k, v) in labels.as_object().unwrap() {
        all[k] = v.clone();
    }
    let fill = |t: &str| {
        let mut t = t.replace("{{ $value }}", value);
        for (k, v) in all.as_object().unwrap() {
            t = t.replace(&format!("{{{{ $labels.{k} }}}}"), v.as_str().unwrap());
        }
        t
    };
    json!({
        "exp_labels": all,
        "exp_annotations": {
            "summary": fill(rule["annotations"]["summary"].as_str().unwrap()),
            "description": fill(rule["annotations"]["description"].as_str().unwrap()),
        }
    })
}

fn test_case(name: &str, input: Vec<Value>, eval_time: &str, expected: BTreeMap<&str, Vec<Value>>) -> Value {
    let names = [
        "HagenNodeTooManyPods",
        "HagenPDBBlocksDrain",
        "HagenReplicasColocated",
        "HagenReplicasUnavailable",
        "HagenSingleInstanceDown",
    ];
    let tests: Vec<Value> = names
        .iter()
        .map(|a| json!({"eval_time": eval_time, "alertname": a, "exp_alerts": expected.get(a).cloned().unwrap_or_default()}))
        .collect();
    json!({"name": name, "interval": "1m", "input_series": input, "alert_rule_test": tests})
}

#[test]
fn promtool_checks_and_unit_tests_the_rules_on_the_readme_scenarios() {
    let promtool = tool("HAGEN_PROMTOOL");
    let cl = cluster();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("rules.yaml"),
        serde_yaml::to_string(&overlay_rules()).unwrap(),
    )
    .unwrap();
    let check = Command::new(&promtool)
        .arg("check")
        .arg("rules")
        .arg(dir.path().join("rules.yaml"))
        .output()
        .unwrap();
    assert!(check.status.success(), "{}{}", text(&check.stdout), text(&check.stderr));

    // component → nodes of its pods, from the plan's placement
    let mut place: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for (n, comps) in &cl.placement {
        for c in comps {
            place.entry(c.clone()).or_default().push(n.clone());
        }
    }
    let per_node = |place: &BTreeMap<String, Vec<String>>| {
        let mut m: BTreeMap<String, u32> = cl.placement.keys().map(|n| (n.clone(), 0)).collect();
        for nodes in place.values() {
            for n in nodes {
                *m.entry(n.clone()).or_default() += 1;
            }
        }
        m
    };
    let by_label = |l: &str| cl.components.iter().find(|c| label(c) == l).unwrap().clone();
    let ids = |c: &Value, extra: Value| {
        let mut v = json!({"hagen_component": label(c), "namespace": c["namespace"]});
        for (k, x) in extra.as_object().unwrap() {
            v[k] = x.clone();
        }
        v
    };
    let mut tests = Vec::new();

    // 1. all healthy: nothing fires
    tests.push(test_case(
        "all healthy",
        series(&cl, &place, None, None, &per_node(&place)),
        "60m",
        BTreeMap::new(),
    ));

    // 2. one node down: replicas-unavailable for exactly the components that had a pod there
    let failed = cl
        .placement
        .keys()
        .find(|n| !cl.placement[*n].is_empty())
        .unwrap()
        .clone();
    let mut exp: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for (l, nodes) in &place {
        if !nodes.contains(&failed) {
            continue;
        }
        let c = by_label(l);
        let wl = c["workload"].clone();
        if c["replicas"].as_u64() == Some(1) {
            exp.entry("HagenSingleInstanceDown").or_default().push(expect(
                "HagenSingleInstanceDown",
                ids(&c, json!({"deployment": wl})),
                "0",
            ));
        } else {
            exp.entry("HagenReplicasUnavailable").or_default().push(expect(
                "HagenReplicasUnavailable",
                ids(&c, json!({"deployment": wl})),
                "1",
            ));
        }
    }
    assert!(exp["HagenReplicasUnavailable"].len() >= 5);
    let mut counts = per_node(&place);
    counts.remove(&failed);
    tests.push(test_case(
        &format!("{failed} down"),
        series(&cl, &place, Some(&failed), None, &counts),
        "20m",
        exp,
    ));

    // 3. the node recovered, but the pods that ran there were recreated beside their twin (placement uneven)
    let mut doubled = place.clone();
    let mut exp: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    for (l, nodes) in doubled.iter_mut() {
        if nodes.len() == 2 && nodes.contains(&failed) {
            let other = nodes.iter().find(|n| **n != failed).unwrap().clone();
            *nodes = vec![other.clone(), other.clone()];
            let c = by_label(l);
            exp.entry("HagenReplicasColocated").or_default().push(expect(
                "HagenReplicasColocated",
                ids(&c, json!({"node": other})),
                "2",
            ));
        }
    }
    tests.push(test_case(
        &format!("{failed} recovered, uneven"),
        series(&cl, &doubled, None, None, &per_node(&doubled)),
        "20m",
        exp,
    ));

    // 4. a PDB stuck at zero allowed disruptions
    let coredns = by_label("coredns");
    let mut exp: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    exp.insert(
        "HagenPDBBlocksDrain",
        vec![expect(
            "HagenPDBBlocksDrain",
            ids(&coredns, json!({"poddisruptionbudget": "coredns"})),
            "0",
        )],
    );
    tests.push(test_case(
        "PDB stuck at zero",
        series(&cl, &place, None, Some("coredns"), &per_node(&place)),
        "40m",
        exp,
    ));

    // 5. a node over the pod threshold (the original kubelet_running_pods{node="homelab-03"} > 25)
    let mut counts = per_node(&place);
    counts.insert("homelab-03".into(), 30);
    let mut exp: BTreeMap<&str, Vec<Value>> = BTreeMap::new();
    exp.insert(
        "HagenNodeTooManyPods",
        vec![expect("HagenNodeTooManyPods", json!({"node": "homelab-03"}), "30")],
    );
    tests.push(test_case(
        "node over the pod threshold",
        series(&cl, &place, None, None, &counts),
        "20m",
        exp,
    ));

    let file = json!({"rule_files": ["rules.yaml"], "evaluation_interval": "1m", "tests": tests});
    std::fs::write(dir.path().join("tests.yaml"), serde_yaml::to_string(&file).unwrap()).unwrap();
    if let Some(keep) = std::env::var_os("HAGEN_KEEP_PROMTOOL") {
        copy_dir(dir.path(), std::path::Path::new(&keep)); // to look at the generated promtool tests
    }
    let run = Command::new(&promtool)
        .current_dir(dir.path())
        .args(["test", "rules", "tests.yaml"])
        .output()
        .unwrap();
    assert!(run.status.success(), "{}{}", text(&run.stdout), text(&run.stderr));
}
