//! `hagen init`: a starting catalogue from the cluster itself, `kubectl get nodes -o json` (the nodes and their
//! own labels), plus the components k3s bundles when the nodes run k3s (`kubectl get nodes,deploy -A -o json`
//! narrows them to the Deployments it finds).

use crate::catalog::{
    AntiAffinity, AvoidNodes, Catalogue, Cluster, Component, Delivery, Node, Pdb, Release, Settings, Strength,
};
use crate::charts::{self, K3s};
use crate::error::{Error, Result};
use indexmap::IndexMap;
use serde_json::Value;

/// Label prefixes Kubernetes and k3s set themselves: not the user's, so not written into the catalogue.
const SYSTEM_LABEL_DOMAINS: &[&str] = &["kubernetes.io", "k8s.io", "k3s.io", "cattle.io"];

fn system_label(key: &str) -> bool {
    let Some((prefix, _)) = key.split_once('/') else {
        return false;
    };
    SYSTEM_LABEL_DOMAINS
        .iter()
        .any(|d| prefix == *d || prefix.ends_with(&format!(".{d}")))
}

/// The catalogue text for the objects in `json` (a `List` as kubectl prints it, or one object); `source` names
/// the input in messages.
pub fn init(json: &str, source: &str, cluster_name: &str) -> Result<String> {
    let doc = parse_json(json, source)?;
    let items: Vec<&Value> = match doc.get("items").and_then(Value::as_array) {
        Some(items) => items.iter().collect(),
        None => vec![&doc],
    };
    let node_objects: Vec<&Value> = items.iter().copied().filter(|o| kind(o) == "Node").collect();
    if node_objects.is_empty() {
        return Err(Error::Input(format!(
            "{source}: no Node objects; expected the output of `kubectl get nodes -o json`"
        )));
    }
    let nodes = nodes_of(&node_objects);
    let defaults = starting_defaults(&nodes);
    let k3s = node_objects.iter().any(|n| {
        n["status"]["nodeInfo"]["kubeletVersion"]
            .as_str()
            .is_some_and(|v| v.contains("+k3s"))
    });
    let deployments: Vec<(String, String)> = items
        .iter()
        .filter(|o| kind(o) == "Deployment")
        .map(|o| (o["metadata"]["namespace"].as_str().unwrap_or("").to_string(), name(o)))
        .collect();
    let releases = if k3s { k3s_releases(&deployments) } else { vec![] };
    let catalogue = Catalogue {
        cluster: Cluster {
            name: cluster_name.to_string(),
            nodes,
            node_monitor_grace_period_seconds: crate::catalog::DEFAULT_NODE_MONITOR_GRACE_SECONDS,
            distribution: if k3s {
                crate::catalog::Distribution::K3s
            } else {
                crate::catalog::Distribution::Kubernetes
            },
            k3s: None,
        },
        defaults,
        tiers: IndexMap::new(),
        releases,
        delivery: Delivery::default(),
        alerts: None,
    };
    let body = serde_yaml::to_string(&catalogue).map_err(Error::internal)?;
    let mut text = format!(
        "# yaml-language-server: $schema=./cluster.schema.json\n# Written by `hagen init` from {source}: check every release (versions, purposes, impacts), add yours, then run `hagen generate`.\n"
    );
    if k3s && catalogue.releases.is_empty() {
        text.push_str("# The nodes run k3s, but none of its bundled Deployments was in the input.\n");
    }
    text.push_str(&body);
    Ok(text)
}

/// The input as JSON, or where and why it is not.
fn parse_json(json: &str, source: &str) -> Result<Value> {
    serde_json::from_str(json).map_err(|e| {
        let m = e.to_string();
        let m = m.split(" at line ").next().unwrap_or(&m).to_string();
        Error::Input(format!(
            "{source}:{}:{}: not JSON from `kubectl get nodes -o json`: {m}",
            e.line(),
            e.column()
        ))
    })
}

/// An object's `kind` (empty when it has none).
fn kind(o: &Value) -> String {
    o.get("kind").and_then(Value::as_str).unwrap_or("").to_string()
}

/// An object's `metadata.name` (empty when it has none).
fn name(o: &Value) -> String {
    o["metadata"]["name"].as_str().unwrap_or("").to_string()
}

/// The catalogue's nodes, sorted by name, each with the labels the user set (system labels left out).
fn nodes_of(node_objects: &[&Value]) -> Vec<Node> {
    let mut nodes: Vec<Node> = node_objects
        .iter()
        .map(|n| {
            let labels: IndexMap<String, String> = n["metadata"]["labels"]
                .as_object()
                .into_iter()
                .flatten()
                .filter(|(k, _)| !system_label(k))
                .filter_map(|(k, v)| v.as_str().map(|v| (k.clone(), v.to_string())))
                .collect();
            Node { name: name(n), labels }
        })
        .collect();
    nodes.sort_by(|a, b| a.name.cmp(&b.name));
    nodes
}

/// A release for each chart k3s bundles, with the components whose Deployments are in kube-system among
/// `deployments` (namespace, name); every component when no Deployment was given.
fn k3s_releases(deployments: &[(String, String)]) -> Vec<Release> {
    let mut releases = Vec::new();
    for chart in charts::Registry::builtin().all() {
        let release = match chart.k3s {
            K3s::HelmChart(n) | K3s::PlainManifest(n) => n,
            K3s::NotBundled => continue,
        };
        let components: Vec<Component> = chart
            .components
            .iter()
            .filter(|c| {
                deployments.is_empty()
                    || deployments.contains(&("kube-system".to_string(), c.workload_name(release, "kube-system")))
            })
            .map(|c| starting_component(c.id))
            .collect();
        if components.is_empty() {
            continue;
        }
        releases.push(Release {
            name: release.to_string(),
            chart: chart.name.to_string(),
            repository: chart.repository.to_string(),
            version: chart.version.to_string(),
            namespace: "kube-system".into(),
            components,
            k3s_bundled: true,
            k3s_take_over: false,
            values_files: vec![],
            values: IndexMap::new(),
        });
    }
    releases
}

/// A bundled component `id` in tier 1, with a purpose and impact for the user to describe.
fn starting_component(id: &str) -> Component {
    Component {
        name: id.to_string(),
        tier: 1,
        purpose: format!("{id} bundled with k3s (describe what it does for you)."),
        impact: "Describe what stops working while it is down.".into(),
        single_instance_override: None,
        autoscale: None,
        acknowledge: IndexMap::new(),
        settings: Settings::default(),
    }
}

/// The starting defaults: with two nodes or more, 2 replicas and required anti-affinity (else 1 and none); a PDB
/// of one, failover after 30s, and nodes labelled `node-role: database` avoided when there are any.
fn starting_defaults(nodes: &[Node]) -> Settings {
    let spread = nodes.len() >= 2;
    let database = nodes
        .iter()
        .flat_map(|n| &n.labels)
        .find(|(k, v)| k.as_str() == "node-role" && v.as_str() == "database")
        .map(|(k, v)| AvoidNodes {
            labels: [(k.clone(), v.clone())].into_iter().collect(),
            strength: Strength::Preferred,
        });
    Settings {
        replicas: Some(if spread { 2 } else { 1 }),
        anti_affinity: Some(if spread {
            AntiAffinity::Required
        } else {
            AntiAffinity::None
        }),
        strategy: None,
        pdb: Some(Pdb { max_unavailable: 1 }),
        avoid_nodes: database,
        failover_seconds: Some(30),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn system_labels_are_left_out() {
        for (k, sys) in [
            ("kubernetes.io/hostname", true),
            ("node-role.kubernetes.io/control-plane", true),
            ("node.k3s.io/instance-type", true),
            ("k3s.io/hostname", true),
            ("beta.kubernetes.io/arch", true),
            ("node-role", false),
            ("example.com/disk", false),
        ] {
            assert_eq!(system_label(k), sys, "{k}");
        }
    }
}
