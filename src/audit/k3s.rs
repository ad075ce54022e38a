//! k3s's own objects in a live dump: what k3s applied from its manifests folder (wrangler's
//! `objectset.rio.cattle.io/hash` label), ServiceLB's `svclb-*` DaemonSets and helm-controller's Job pods. They are
//! named so that nobody takes them for a component; a packaged Deployment a catalogue release takes over is a
//! finding (the cut-over is not finished, or a server lacks `disable:`).

use super::input::Dump;
use crate::model::Plan;

/// wrangler's apply label, on everything k3s deploys from /var/lib/rancher/k3s/server/manifests (rancher/wrangler
/// pkg/apply/desiredset_apply.go).
const K3S_APPLIED: &str = crate::k3s_facts::APPLIED_HASH;
/// ServiceLB's pod label naming the Service (k3s pkg/cloudprovider/servicelb.go).
const SVCLB_SERVICE: &str = crate::k3s_facts::SVCLB_SERVICE;
/// helm-controller's label on its Jobs and their pods (k3s-io/helm-controller pkg/controllers/chart/chart.go).
const HELM_CHART_LABEL: &str = crate::k3s_facts::HELM_CHART_LABEL;

fn label<'a>(v: &'a serde_json::Value, key: &str) -> Option<&'a str> {
    v.pointer("/metadata/labels")
        .and_then(|l| l.get(key))
        .and_then(serde_json::Value::as_str)
}

/// Notes on k3s's own objects, and findings for packaged Deployments the catalogue takes over.
/// Only for a catalogue of a k3s cluster.
pub fn recognise(plan: &Plan, dump: &Dump, releases: &[String]) -> (Vec<String>, Vec<String>) {
    if plan.k3s.is_none() {
        return (vec![], vec![]);
    }
    let mut notes = Vec::new();
    let mut findings = Vec::new();
    // `-n NAMESPACE kind/name` of the packaged workloads each take-over waits for.
    let taken: Vec<(String, String)> = plan
        .releases
        .iter()
        .filter(|rp| releases.contains(&rp.release.name))
        .filter_map(|rp| crate::k3s::take_over(rp).map(|t| (rp.release.name.clone(), t)))
        .flat_map(|(rel, t)| t.wait_gone.iter().map(move |w| (rel.clone(), w.clone())))
        .collect();
    // k3s's packaged Deployments kept in place: judged as their release's component, and checked for what an
    // earlier script left on them.
    let kept: Vec<(&str, &crate::charts::InPlace)> = plan
        .releases
        .iter()
        .filter(|rp| releases.contains(&rp.release.name))
        .filter_map(|rp| rp.in_place.map(|p| (rp.release.name.as_str(), p)))
        .collect();
    for o in &dump.objects {
        let what = format!("{} {}/{}", o.kind, o.namespace, o.name);
        let in_place = kept.iter().find(|(_, p)| {
            o.kind == "Deployment" && o.namespace == crate::k3s_facts::NAMESPACE && o.name == p.component.workload
        });
        if let Some((rel, p)) = in_place {
            notes.push(format!(
                "{what}: k3s's own, kept in place by release {rel} (judged above with hagen's HPA and PDB)"
            ));
            findings.extend(leftovers(&what, &o.value, p, dump));
        } else if label(&o.value, K3S_APPLIED).is_some() {
            let needle = format!("{}/{}", o.kind.to_lowercase(), o.name);
            let ns = format!("-n {} ", o.namespace);
            if let Some((rel, _)) = taken.iter().find(|(_, w)| w.starts_with(&ns) && w.ends_with(&needle)) {
                findings.push(format!(
                    "{what} is k3s's packaged one (label {K3S_APPLIED}), still running although release {rel} takes it over: finish the k3s cut-over in out/README.md (`disable:` on every server)"
                ));
            } else {
                notes.push(format!(
                    "{what}: k3s's own (applied from its manifests folder), not judged"
                ));
            }
        } else if o.kind == "DaemonSet" && o.name.starts_with("svclb-") {
            let svc = o
                .value
                .pointer("/spec/template/metadata/labels")
                .and_then(|l| l.get(SVCLB_SERVICE))
                .and_then(serde_json::Value::as_str)
                .unwrap_or("?");
            notes.push(format!(
                "{what}: k3s ServiceLB for Service {svc} (one hostPort pod per node), not a replica of any component"
            ));
        }
    }
    let jobs: Vec<String> = dump
        .pods
        .iter()
        .filter(|p| {
            p.labels.contains_key(HELM_CHART_LABEL)
                || p.owner
                    .as_deref()
                    .is_some_and(|o| o.starts_with("Job/helm-install-") || o.starts_with("Job/helm-delete-"))
        })
        .map(|p| format!("{}/{}", p.namespace, p.name))
        .collect();
    if !jobs.is_empty() {
        notes.push(format!(
            "k3s helm-controller Job pods (helm-install/helm-delete of its HelmCharts), not judged: {}",
            jobs.join(", ")
        ));
    }
    (notes, findings)
}

/// What an earlier script left on k3s's packaged Deployment `d` (made HA in place): a strategy other than the one
/// k3s ships, and pod anti-affinity (k3s ships none) whose selector matches no pod. k3s re-applies its manifest only
/// at a start or a file change, so these stay until removed.
fn leftovers(what: &str, d: &serde_json::Value, p: &crate::charts::InPlace, dump: &Dump) -> Vec<String> {
    let mut out = Vec::new();
    let ns = d
        .pointer("/metadata/namespace")
        .and_then(serde_json::Value::as_str)
        .unwrap_or(crate::k3s_facts::NAMESPACE);
    let name = d
        .pointer("/metadata/name")
        .and_then(serde_json::Value::as_str)
        .unwrap_or_default();
    let shipped = p.file.deployment.pointer("/spec/strategy").cloned().unwrap_or_default();
    let live = d.pointer("/spec/strategy").cloned().unwrap_or_default();
    let field = |v: &serde_json::Value, ptr: &str| v.pointer(ptr).cloned().unwrap_or_default();
    let differs = ["/type", "/rollingUpdate/maxUnavailable"]
        .iter()
        .any(|ptr| field(&shipped, ptr) != field(&live, ptr));
    if differs {
        out.push(format!(
            "{what}: strategy {} is not k3s's ({}), a leftover of an earlier script: restore k3s's with `kubectl -n {ns} patch deployment {name} --type merge -p '{}'`",
            live,
            shipped,
            serde_json::json!({"spec": {"strategy": shipped}})
        ));
    }
    let paa = d.pointer("/spec/template/spec/affinity/podAntiAffinity");
    let terms = paa
        .and_then(|a| a.get("requiredDuringSchedulingIgnoredDuringExecution"))
        .and_then(serde_json::Value::as_array)
        .into_iter()
        .flatten()
        .chain(
            paa.and_then(|a| a.get("preferredDuringSchedulingIgnoredDuringExecution"))
                .and_then(serde_json::Value::as_array)
                .into_iter()
                .flatten()
                .filter_map(|w| w.get("podAffinityTerm")),
        );
    for t in terms {
        let Some(sel) = t.get("labelSelector").and_then(crate::k8s::LabelSelector::from_json) else {
            continue;
        };
        if !dump
            .pods
            .iter()
            .any(|pod| pod.namespace == ns && sel.matches(&pod.labels))
        {
            out.push(format!(
                "{what}: pod anti-affinity selecting {} matches no pod, a leftover of an earlier script (k3s ships none; its topology spread places the pods): remove it with `kubectl -n {ns} patch deployment {name} --type json -p '[{{\"op\":\"remove\",\"path\":\"/spec/template/spec/affinity/podAntiAffinity\"}}]'`",
                sel.describe()
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// The k3s test catalogue (CoreDNS taken over from k3s's manifests) resolved with the built-in knowledge.
    fn k3s_plan() -> Plan {
        let loaded = crate::catalog::load_file(std::path::Path::new("tests/catalogs/k3s.yaml")).unwrap();
        crate::resolve::resolve(&loaded, &crate::lock::Known::builtin(), Default::default()).unwrap()
    }

    fn deployment(namespace: &str, name: &str, labels: serde_json::Value) -> serde_json::Value {
        json!({"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": name, "namespace": namespace, "labels": labels},
               "spec": {"replicas": 1, "selector": {"matchLabels": {"app": name}},
                        "template": {"metadata": {"labels": {"app": name}}, "spec": {"containers": []}}}})
    }

    fn all(plan: &Plan) -> Vec<String> {
        plan.releases.iter().map(|r| r.release.name.clone()).collect()
    }

    fn with_strategy(mut d: serde_json::Value, strategy: serde_json::Value) -> serde_json::Value {
        d["spec"]["strategy"] = strategy;
        d
    }

    /// The old script's required anti-affinity on the chart's labels, which k3s's pods never carry.
    fn with_affinity(mut d: serde_json::Value) -> serde_json::Value {
        d["spec"]["template"]["spec"]["affinity"] = json!({"podAntiAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": [
            {"topologyKey": "kubernetes.io/hostname", "labelSelector": {"matchLabels": {"app.kubernetes.io/name": "coredns"}}}]}});
        d
    }

    fn dump(items: Vec<serde_json::Value>) -> Dump {
        let text = json!({"apiVersion": "v1", "kind": "List", "items": items}).to_string();
        super::super::input::read(&text, "test", &[]).unwrap()
    }

    #[test]
    fn k3s_objects_are_named_and_a_running_packaged_copy_is_a_finding() {
        let applied = json!({K3S_APPLIED: "abc"});
        let svclb = json!({"apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": {"name": "svclb-traefik-1", "namespace": "kube-system"},
            "spec": {"selector": {"matchLabels": {"app": "svclb"}},
                     "template": {"metadata": {"labels": {"app": "svclb", SVCLB_SERVICE: "traefik"}},
                                  "spec": {"containers": []}}}});
        let plan = k3s_plan();
        struct Case {
            name: &'static str,
            objects: Vec<serde_json::Value>,
            notes: usize,
            findings: usize,
        }
        let cases = [
            Case {
                name: "nothing of k3s",
                objects: vec![deployment("web", "web", json!({}))],
                notes: 0,
                findings: 0,
            },
            Case {
                name: "packaged, taken over",
                objects: vec![deployment("kube-system", "metrics-server", applied.clone())],
                notes: 0,
                findings: 1,
            },
            Case {
                name: "packaged, kept in place as k3s ships it",
                objects: vec![with_strategy(
                    deployment("kube-system", "coredns", applied.clone()),
                    json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1, "maxSurge": "25%"}}),
                )],
                notes: 1,
                findings: 0,
            },
            Case {
                name: "kept in place, Recreate left by a script",
                objects: vec![with_strategy(
                    deployment("kube-system", "coredns", applied.clone()),
                    json!({"type": "Recreate"}),
                )],
                notes: 1,
                findings: 1,
            },
            Case {
                name: "kept in place, anti-affinity matching no pod left by a script",
                objects: vec![with_affinity(with_strategy(
                    deployment("kube-system", "coredns", applied.clone()),
                    json!({"type": "RollingUpdate", "rollingUpdate": {"maxUnavailable": 1}}),
                ))],
                notes: 1,
                findings: 1,
            },
            Case {
                name: "packaged, kept",
                objects: vec![deployment("kube-system", "local-path-provisioner", applied.clone())],
                notes: 1,
                findings: 0,
            },
            Case {
                name: "elsewhere with the label",
                objects: vec![deployment("other", "coredns", applied.clone())],
                notes: 1,
                findings: 0,
            },
            Case {
                name: "ServiceLB",
                objects: vec![svclb.clone()],
                notes: 1,
                findings: 0,
            },
        ];
        for c in cases {
            let (n, f) = recognise(&plan, &dump(c.objects), &all(&plan));
            assert_eq!((n.len(), f.len()), (c.notes, c.findings), "{}: {n:?} {f:?}", c.name);
        }
        let (notes, _) = recognise(&plan, &dump(vec![svclb.clone()]), &all(&plan));
        assert!(notes[0].contains("for Service traefik"), "{}", notes[0]);
        let shipped = crate::catalog::load_file(std::path::Path::new("examples/kubernetes/cluster.yaml")).unwrap();
        let not_k3s = crate::resolve::resolve(&shipped, &crate::lock::Known::builtin(), Default::default()).unwrap();
        assert!(not_k3s.k3s.is_none());
        {
            let objects = vec![deployment("kube-system", "coredns", applied), svclb];
            assert_eq!(
                recognise(&not_k3s, &dump(objects), &all(&not_k3s)),
                (vec![], vec![]),
                "not a k3s catalogue"
            );
        }
    }
}
