//! The registry of chart knowledge. Everything hagen knows about one chart lives in its file here (capabilities,
//! pod labels, workload names, proven versions) and in its template `templates/<chart>.yaml.j2` (the values keys).

mod cert_manager;
mod coredns;
mod kube_prometheus_stack;
mod longhorn;
mod metallb;
mod metrics_server;
mod sealed_secrets;
mod traefik;

/// What hagen knows about one chart.
#[derive(Debug)]
pub struct Chart {
    /// The chart's name, as `helm pull` and the catalogue call it.
    pub name: &'static str,
    /// The chart versions this knowledge was proven on with a real `helm template` (`hagen verify`).
    pub proven_versions: &'static [&'static str],
    /// The chart repository the chart is published in (what `hagen init` writes for it).
    pub repository: &'static str,
    /// The minijinja template that writes the values overlay.
    pub template: &'static str,
    /// The components hagen can manage in this chart.
    pub components: &'static [Component],
    /// What the chart cannot express, in one paragraph for out/README.md.
    pub notes: &'static str,
    /// How k3s ships this component, if it does.
    pub k3s: K3s,
    /// The chart's CRDs exceed the 256 KiB `last-applied-configuration` annotation of a client-side apply, so a
    /// GitOps tool that applies manifests (Argo CD) must apply them server-side (`ServerSideApply=true`).
    pub server_side_apply: bool,
}

/// How k3s packages a component.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum K3s {
    /// k3s does not ship it.
    NotBundled,
    /// A k3s `HelmChart` of this name in kube-system, customised through a `HelmChartConfig` of the same name.
    HelmChart(&'static str),
    /// Plain manifests k3s rewrites at every start (`--disable NAME` turns them off).
    PlainManifest(&'static str),
}

/// What hagen knows about one workload of a chart.
#[derive(Debug)]
pub struct Component {
    /// The name the catalogue uses.
    pub id: &'static str,
    /// The Deployment's name, from the release name (the chart's fullname rules).
    pub workload: fn(release: &str) -> String,
    /// Stable, exclusive pod labels: `{release}` and `{namespace}` are replaced. Never a versioned label.
    pub selector: &'static [(&'static str, &'static str)],
    /// When the maintainers say it must run as one instance: the reason and where they said it.
    pub single_instance: Option<&'static str>,
    /// A condition under which two replicas misbehave (warned about, an error with `--strict` unless the
    /// component acknowledges it).
    pub caveat: Option<Caveat>,
    /// What the pod's readiness depends on, from the component's source: a one-at-a-time rollout waits for each
    /// new pod to become ready, so readiness that waits on a leader lease would stall it.
    pub readiness: Readiness,
    pub replicas: Delivery,
    pub affinity: Delivery,
    pub strategy: StrategyDelivery,
    pub pdb: Delivery,
    pub tolerations: Delivery,
    /// Whether the chart can create a HorizontalPodAutoscaler for it (values keys in the template).
    pub hpa: bool,
}

/// A known problem of a component at more than one replica, with a stable code a catalogue can acknowledge.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caveat {
    /// The warning code (`acknowledge: {CODE: why}` in the catalogue).
    pub code: &'static str,
    /// What goes wrong, and the source that says so.
    pub text: &'static str,
}

/// What makes a component's pod ready, as its source says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Readiness {
    /// Whether the pod becomes ready only while it holds a leader lease (jumpstarter-dev/jumpstarter#1012: a
    /// maxSurge 0 rollout then never completes, because the new pod cannot win the lease the old one holds).
    pub needs_lease: bool,
    /// The probe, what it checks, and the leader election, with the source lines.
    pub text: &'static str,
}

/// How a setting reaches the workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// A values key (written by the chart's template).
    Values,
    /// The chart hardcodes this value: a patch is written when the intent differs from it.
    Hardcoded(u32),
    /// The chart has no key: a patch (or, for a PDB, an extra manifest) delivers it.
    Patch,
    /// Only reaches the workload at runtime, through another component (how, in words).
    Runtime(&'static str),
    /// hagen cannot control it (why, in words).
    NotControllable(&'static str),
}

/// How the Deployment strategy reaches the workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StrategyDelivery {
    /// The whole strategy object is a values key.
    Values,
    /// The chart hardcodes `type: RollingUpdate` and reads only the rolling parameters: Recreate needs a patch.
    RollingParamsOnly,
    /// The chart reads only the type (a string): RollingUpdate's `maxSurge: 0` needs a patch.
    TypeOnly,
    /// No key at all: a patch delivers it.
    Patch,
    /// hagen cannot control it (why, in words).
    NotControllable(&'static str),
}

/// Every chart hagen knows.
pub const CHARTS: &[&Chart] = &[
    &longhorn::CHART,
    &coredns::CHART,
    &traefik::CHART,
    &metallb::CHART,
    &cert_manager::CHART,
    &sealed_secrets::CHART,
    &kube_prometheus_stack::CHART,
    &metrics_server::CHART,
];

/// The chart called `name`.
pub fn find(name: &str) -> Option<&'static Chart> {
    CHARTS.iter().copied().find(|c| c.name == name)
}

impl Chart {
    /// The component called `id`.
    pub fn component(&self, id: &str) -> Option<&'static Component> {
        self.components.iter().find(|c| c.id == id)
    }

    /// Whether this knowledge was proven on `version`.
    pub fn proves(&self, version: &str) -> bool {
        self.proven_versions.contains(&version)
    }
}

impl StrategyDelivery {
    /// Whether `strategy` needs a post-render patch with this chart.
    pub fn needs_patch(self, strategy: crate::catalog::Strategy) -> bool {
        use crate::catalog::Strategy;
        match self {
            StrategyDelivery::Values | StrategyDelivery::NotControllable(_) => false,
            StrategyDelivery::RollingParamsOnly => strategy == Strategy::Recreate,
            StrategyDelivery::TypeOnly => strategy == Strategy::RollingUpdate,
            StrategyDelivery::Patch => true,
        }
    }
}

impl Component {
    /// The selector labels for a release installed as `release` into `namespace`.
    pub fn selector_labels(&self, release: &str, namespace: &str) -> Vec<(String, String)> {
        self.selector
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    v.replace("{release}", release).replace("{namespace}", namespace),
                )
            })
            .collect()
    }

    /// Whether the workload is created by the chart itself (false for Longhorn's CSI Deployments).
    pub fn rendered_by_helm(&self) -> bool {
        !matches!(self.replicas, Delivery::Runtime(_))
    }
}

/// Helm's usual `<chart>.fullname`: the release name when it contains the chart name, else `release-chart`,
/// cut to 63 characters.
pub fn fullname(release: &str, chart: &str) -> String {
    fullname_within(release, chart, 63)
}

/// [`fullname`] for charts that cut it shorter (kube-prometheus-stack: 26 characters).
pub fn fullname_within(release: &str, chart: &str, max: usize) -> String {
    let name = if release.contains(chart) {
        release.to_string()
    } else {
        format!("{release}-{chart}")
    };
    name.chars()
        .take(max)
        .collect::<String>()
        .trim_end_matches('-')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_never_use_versioned_labels() {
        for chart in CHARTS {
            for c in chart.components {
                assert!(!c.selector.is_empty(), "{}/{} has no selector", chart.name, c.id);
                for (k, _) in c.selector {
                    assert!(
                        !crate::k8s::VERSIONED_LABELS.contains(k),
                        "{}/{} selects on {k}",
                        chart.name,
                        c.id
                    );
                }
            }
        }
    }

    #[test]
    fn fullname_follows_helm() {
        assert_eq!(fullname("coredns", "coredns"), "coredns");
        assert_eq!(fullname("dns", "coredns"), "dns-coredns");
    }
}
