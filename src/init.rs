//! `hagen init`: a starting catalogue from the cluster itself. From `kubectl get nodes -o json` alone: the nodes
//! and their own labels, plus the components k3s bundles when the nodes run k3s. From live state
//! ([`crate::live`]: nodes, Deployments, k3s's HelmCharts and HelmChartConfigs, Helm's release Secrets): every
//! release as Helm recorded it (name, namespace, chart, version, the values the user gave it), k3s's own from its
//! HelmCharts, and `cluster.k3s` from the kubelet version. Secrets in those values are replaced by a placeholder
//! ([`crate::catalog::secrets`]).

use crate::catalog::{
    AntiAffinity, AvoidNodes, Catalogue, Cluster, Component, Delivery, Node, Pdb, Release, Settings, Strength,
};
use crate::charts::{self, K3s, Registry};
use crate::error::{Error, InputError, Result};
use crate::k3s_facts::NAMESPACE;
use crate::live::Live;
use indexmap::IndexMap;
use serde_json::Value;

/// Label prefixes Kubernetes and k3s set themselves: not the user's, so not written into the catalogue.
const SYSTEM_LABEL_DOMAINS: &[&str] = &["kubernetes.io", "k8s.io"];

fn system_label(key: &str) -> bool {
    let Some((prefix, _)) = key.split_once('/') else {
        return false;
    };
    SYSTEM_LABEL_DOMAINS
        .iter()
        .chain(crate::k3s_facts::LABEL_DOMAINS)
        .any(|d| prefix == *d || prefix.ends_with(&format!(".{d}")))
}

/// A catalogue imported by init, not yet written.
#[derive(Debug)]
pub struct Imported {
    /// The catalogue's text.
    pub catalogue: String,
    /// Each release's own values file: its `valuesFiles` entry (relative to the catalogue's folder) and text.
    pub values_files: Vec<(String, String)>,
    /// The values imported per release (secrets replaced), to compare with a catalogue written before.
    pub values: IndexMap<String, Value>,
    /// What the user must know, one line each: secrets replaced, charts hagen does not know, k3s's own charts.
    pub notes: Vec<String>,
}

/// The catalogue for live state `live` (read from `source`), for a cluster called `cluster_name`, with the chart
/// knowledge `registry`.
pub fn init(live: &Live, source: &str, cluster_name: &str, registry: &Registry) -> Result<Imported> {
    if live.nodes.is_empty() {
        return Err(Error::Input(InputError::NoNodes {
            input: source.to_string(),
        }));
    }
    let node_objects: Vec<&Value> = live.nodes.iter().collect();
    let nodes = nodes_of(&node_objects);
    let defaults = starting_defaults(&nodes);
    let kubelet = kubelet_version(&node_objects);
    let k3s = kubelet
        .as_deref()
        .is_some_and(|v| v.contains(crate::k3s_facts::VERSION_MARK));
    let mut imp = Import {
        registry,
        notes: Vec::new(),
        files: Vec::new(),
        values: IndexMap::new(),
        k3s_charts: IndexMap::new(),
    };
    let mut releases = imp.helm_releases(live);
    if k3s {
        releases.extend(imp.k3s_releases(live));
    }
    for (ns, name, status) in &live.undeployed {
        imp.notes.push(format!(
            "release `{name}` (namespace {ns}) has no deployed revision (the newest is {status}): left out"
        ));
    }
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
            k3s: k3s_cluster(k3s, kubelet.as_deref(), &imp.k3s_charts, !live.helm_charts.is_empty()),
            kubernetes_version: kubelet.as_deref().and_then(kubernetes_minor),
        },
        defaults,
        tiers: IndexMap::new(),
        releases,
        delivery: Delivery::default(),
        alerts: None,
    };
    let body = crate::yaml::to_string(&catalogue).map_err(Error::Internal)?;
    let mut text = format!(
        "# yaml-language-server: $schema=./cluster.schema.json\n# Written by `hagen init` from {}: check every release (versions, purposes, impacts), add yours, then run `hagen generate`.\n",
        crate::text::comment(source)
    );
    if k3s && catalogue.releases.is_empty() {
        text.push_str("# The nodes run k3s, but none of its bundled Deployments was in the input.\n");
    }
    text.push_str(&body);
    Ok(Imported {
        catalogue: text,
        values_files: imp.files,
        values: imp.values,
        notes: imp.notes,
    })
}

/// `cluster.k3s` of a k3s cluster read from live state (`from_live`: its HelmCharts were in the input): the k3s
/// release the kubelets report and the upstream version of each chart k3s installs.
fn k3s_cluster(
    k3s: bool,
    kubelet: Option<&str>,
    charts: &IndexMap<String, String>,
    from_live: bool,
) -> Option<crate::catalog::K3sCluster> {
    if !k3s || !from_live {
        return None;
    }
    let version = kubelet.filter(|v| k3s_release_form(v));
    Some(crate::catalog::K3sCluster {
        version: version.map(String::from),
        charts: charts.clone(),
        ..Default::default()
    })
}

/// Whether `v` has the catalogue's form of a k3s release, `v1.<minor>.<patch>+k3s<n>`.
fn k3s_release_form(v: &str) -> bool {
    let Some(rest) = v.strip_prefix("v1.") else {
        return false;
    };
    let (nums, k3s) = rest.split_once(crate::k3s_facts::VERSION_MARK).unwrap_or((rest, "1"));
    let mut parts = nums.split('.');
    let digits = |s: Option<&str>| s.is_some_and(|s| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()));
    digits(parts.next()) && digits(parts.next()) && parts.next().is_none() && digits(Some(k3s))
}

/// `major.minor` of a kubelet version (`v1.35.3+k3s1` → `1.35`): the Kubernetes version the catalogue records.
fn kubernetes_minor(kubelet: &str) -> Option<String> {
    crate::k8s::KubeVersion::parse(kubelet.split(['+', '-']).next().unwrap_or(kubelet)).map(|v| v.to_string())
}

/// The kubelet version of the nodes (the oldest, when they differ).
fn kubelet_version(nodes: &[&Value]) -> Option<String> {
    nodes
        .iter()
        .filter_map(|n| n["status"]["nodeInfo"]["kubeletVersion"].as_str())
        .min_by(|a, b| charts::version_cmp(a, b))
        .map(String::from)
}

/// The releases init builds, and what it tells the user on the way.
struct Import<'a> {
    registry: &'a Registry,
    notes: Vec<String>,
    files: Vec<(String, String)>,
    values: IndexMap<String, Value>,
    /// The upstream version of each chart k3s installs as a HelmChart (`cluster.k3s.charts`).
    k3s_charts: IndexMap<String, String>,
}

impl Import<'_> {
    /// A release for each of Helm's records whose chart hagen knows (k3s's own HelmCharts aside); the others
    /// listed in the notes with how to describe their chart.
    fn helm_releases(&mut self, live: &Live) -> Vec<Release> {
        let mut out = Vec::new();
        for r in &live.releases {
            if live
                .helm_charts
                .iter()
                .any(|h| h.name == r.name && h.target_namespace == r.namespace)
            {
                continue; // k3s's helm-controller installed it: read from its HelmChart below.
            }
            let Some(chart) = self.registry.chart(&r.chart, &r.version) else {
                self.notes.push(format!(
                    "release `{}` (namespace {}, chart {} {}): hagen has no knowledge of chart {}; describe it in catalog/charts/{}.yaml (`hagen schema --chart` prints the format; hagen's charts/*.yaml are examples), then run init again",
                    r.name, r.namespace, r.chart, r.version, r.chart, r.chart
                ));
                continue;
            };
            let what = format!(
                "Helm's record of release {} (namespace {}, revision {}, chart {} {})",
                r.name, r.namespace, r.revision, r.chart, r.version
            );
            let values_files = self.own_values(&r.name, r.config.clone(), &what, "helm get values");
            out.push(Release {
                name: r.name.clone(),
                chart: chart.name.to_string(),
                repository: chart.repository.to_string(),
                version: r.version.clone(),
                namespace: r.namespace.clone(),
                components: chart
                    .components
                    .iter()
                    .map(|c| starting_component(c, &r.name))
                    .collect(),
                k3s_bundled: false,
                k3s_take_over: false,
                values_files,
                values: IndexMap::new(),
            });
        }
        out
    }

    /// The releases k3s installs: each HelmChart whose chart hagen knows as k3s's (at the upstream version the
    /// `…+upX.Y.Z` archive repackages, with its HelmChartConfig's values as own values), and the packaged
    /// manifests whose Deployments are there. Without HelmCharts in the input, every chart k3s bundles.
    fn k3s_releases(&mut self, live: &Live) -> Vec<Release> {
        let mut out = Vec::new();
        let mut from_helm_charts = Vec::new();
        for h in &live.helm_charts {
            let (name, version) = crate::live::chart_of_url(&h.chart).unwrap_or((h.chart.as_str(), ""));
            let version = crate::live::upstream_version(version);
            let known = self
                .registry
                .chart(name, version)
                .filter(|c| matches!(c.k3s, K3s::HelmChart(n) if n == h.name));
            let Some(chart) = known.filter(|_| !version.is_empty()) else {
                self.notes.push(format!(
                    "k3s's own HelmChart `{}` (chart {}): left to k3s; hagen makes nothing of it HA",
                    h.name, h.chart
                ));
                continue;
            };
            from_helm_charts.push(chart.name);
            self.k3s_charts.insert(chart.name.to_string(), version.to_string());
            let values = live
                .configs
                .get(&(h.namespace.clone(), h.name.clone()))
                .cloned()
                .unwrap_or_else(|| Value::Object(Default::default()));
            let what = format!("k3s's HelmChartConfig {}/{} (its valuesContent)", h.namespace, h.name);
            let values_files = self.own_values(&h.name, values, &what, "the HelmChartConfig's valuesContent");
            out.push(Release {
                name: h.name.clone(),
                chart: chart.name.to_string(),
                repository: chart.repository.to_string(),
                version: version.to_string(),
                namespace: h.target_namespace.clone(),
                components: chart.components.iter().map(bundled_component).collect(),
                k3s_bundled: true,
                k3s_take_over: false,
                values_files,
                values: IndexMap::new(),
            });
        }
        let deployments = &live.deployments;
        let all = live.helm_charts.is_empty();
        out.extend(
            k3s_bundled(deployments)
                .into_iter()
                .filter(|r| {
                    all || !matches!(
                        self.registry.chart(&r.chart, &r.version).map(|c| c.k3s),
                        Some(K3s::HelmChart(_))
                    )
                })
                .filter(|r| !from_helm_charts.contains(&r.chart.as_str())),
        );
        out
    }

    /// Writes release `name`'s own `values` (from `what`, shown to the user as `shown`) into
    /// `values/<name>.yaml`, secrets replaced; the `valuesFiles` entry, or none when there are no values.
    fn own_values(&mut self, name: &str, mut values: Value, what: &str, shown: &str) -> Vec<String> {
        let redacted = crate::catalog::secrets::redact(&mut values);
        self.values.insert(name.to_string(), values.clone());
        if values.as_object().is_none_or(serde_json::Map::is_empty) {
            return vec![];
        }
        let mut header = format!(
            "# Imported by `hagen init` from {}: the values you gave it ({}).\n# hagen applies them before its overlay; edit them here.\n",
            crate::text::comment(what),
            crate::text::comment(shown)
        );
        if !redacted.is_empty() {
            let paths: Vec<&str> = redacted.iter().map(|r| r.path.as_str()).collect();
            header.push_str(&format!(
                "# Secrets taken out (generate refuses while a placeholder is left; docs/adoption.md says how to supply them): {}\n",
                crate::text::comment(&paths.join(", "))
            ));
            self.notes.push(format!(
                "release `{name}`: {} secret(s) replaced by a placeholder in values/{name}.yaml: {}; supply them from a Secret (docs/adoption.md, \"Secrets\"), generate refuses until then",
                paths.len(),
                paths.join(", ")
            ));
        }
        let body = crate::yaml::to_string(&values).unwrap_or_default();
        let entry = format!("values/{name}.yaml");
        self.files.push((entry.clone(), format!("{header}{body}")));
        vec![entry]
    }
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
fn k3s_bundled(deployments: &[(String, String)]) -> Vec<Release> {
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
                    || deployments.contains(&(NAMESPACE.to_string(), c.workload_name(release, NAMESPACE)))
            })
            .map(bundled_component)
            .collect();
        if components.is_empty() {
            continue;
        }
        releases.push(Release {
            name: release.to_string(),
            chart: chart.name.to_string(),
            repository: chart.repository.to_string(),
            version: chart.version.to_string(),
            namespace: NAMESPACE.into(),
            components,
            k3s_bundled: true,
            k3s_take_over: false,
            values_files: vec![],
            values: IndexMap::new(),
        });
    }
    releases
}

/// A bundled component in tier 1, with a purpose and impact for the user to describe.
fn bundled_component(c: &charts::ChartComponent) -> Component {
    Component {
        purpose: format!("{} bundled with k3s (describe what it does for you).", c.id),
        ..starting_component(c, "")
    }
}

/// Component `c` of release `release` in tier 1, with a purpose and impact for the user to describe; at one
/// replica when its chart knowledge says it must run as a single instance.
fn starting_component(c: &charts::ChartComponent, release: &str) -> Component {
    let id = c.id;
    let mut settings = Settings::default();
    if c.single_instance.is_some() {
        settings.replicas = Some(1);
    }
    Component {
        settings,
        name: id.to_string(),
        tier: 1,
        purpose: format!("{id} of release {release} (describe what it does for you)."),
        impact: "Describe what stops working while it is down.".into(),
        single_instance_override: None,
        autoscale: None,
        acknowledge: IndexMap::new(),
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
    fn k3s_release_forms() {
        struct Case {
            version: &'static str,
            k3s_form: bool,
        }
        let cases = [
            Case {
                version: "v1.35.3+k3s1",
                k3s_form: true,
            },
            Case {
                version: "v1.35.3",
                k3s_form: true,
            },
            Case {
                version: "v1.35.3+k3s12",
                k3s_form: true,
            },
            Case {
                version: "v1.35+k3s1",
                k3s_form: false,
            },
            Case {
                version: "v1.35.3-rc1+k3s1",
                k3s_form: false,
            },
            Case {
                version: "1.35.3+k3s1",
                k3s_form: false,
            },
            Case {
                version: "v1.35.3+rke2r1",
                k3s_form: false,
            },
        ];
        for c in cases {
            assert_eq!(k3s_release_form(c.version), c.k3s_form, "{}", c.version);
        }
        let nodes = [
            serde_json::json!({"status": {"nodeInfo": {"kubeletVersion": "v1.35.3+k3s1"}}}),
            serde_json::json!({"status": {"nodeInfo": {"kubeletVersion": "v1.34.6+k3s1"}}}),
        ];
        assert_eq!(
            kubelet_version(&nodes.iter().collect::<Vec<_>>()).as_deref(),
            Some("v1.34.6+k3s1")
        );
    }

    #[test]
    fn system_labels_are_left_out() {
        struct Case {
            label: &'static str,
            system: bool,
        }
        let cases = [
            Case {
                label: "kubernetes.io/hostname",
                system: true,
            },
            Case {
                label: "node-role.kubernetes.io/control-plane",
                system: true,
            },
            Case {
                label: "node.k3s.io/instance-type",
                system: true,
            },
            Case {
                label: "k3s.io/hostname",
                system: true,
            },
            Case {
                label: "beta.kubernetes.io/arch",
                system: true,
            },
            Case {
                label: "node-role",
                system: false,
            },
            Case {
                label: "example.com/disk",
                system: false,
            },
        ];
        for c in cases {
            assert_eq!(system_label(c.label), c.system, "{}", c.label);
        }
    }
}
