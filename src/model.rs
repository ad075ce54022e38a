//! The resolved catalogue: what hagen will make true for each component, as the resolver (`crate::resolve`) left
//! it for the chart adapters and writers. Types only, and what follows from them alone; no rule lives here.

use crate::catalog::{AntiAffinity, Autoscale, AvoidNodes, Release, Strategy};
use crate::charts::{self, Chart};
use crate::error::Diagnostic;
use crate::k8s::LabelSelector;

/// A warning the catalogue accepted for a component, with its reason (listed in out/README.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Acknowledged {
    pub code: String,
    pub message: String,
    pub reason: String,
}

/// What the catalogue asks of one component, fully resolved.
#[derive(Debug, Clone)]
pub struct Intent {
    pub release: String,
    pub namespace: String,
    pub component: String,
    pub knowledge: &'static charts::ChartComponent,
    pub tier: u8,
    pub purpose: String,
    pub impact: String,
    pub replicas: u32,
    pub anti_affinity: AntiAffinity,
    pub strategy: Strategy,
    /// Whether the required hostname term carries `matchLabelKeys: [pod-template-hash]` (Kubernetes 1.31+, two
    /// replicas or more): pods of one revision keep apart, an old pod never blocks a new one.
    pub revision_scoped: bool,
    /// `maxUnavailable` of the PDB; `None` at one replica (a PDB there would block every drain).
    pub pdb: Option<u32>,
    /// Whether the PDB carries `unhealthyPodEvictionPolicy: AlwaysAllow` (Kubernetes 1.27+).
    pub pdb_always_allow: bool,
    /// Fast-failover `tolerationSeconds`, for components at one replica.
    pub failover_seconds: Option<u32>,
    /// Why a single-instance component may run more than one replica, as the user wrote it.
    pub override_reason: Option<String>,
    /// The Deployment's name.
    pub workload: String,
    /// The component's own pods, and no other workload's.
    pub selector: LabelSelector,
    /// Nodes a replica may run on (all nodes but those a required `avoidNodes` excludes).
    pub eligible_nodes: Vec<String>,
    /// Nodes to keep off, delivered as node affinity.
    pub avoid: Option<AvoidNodes>,
    /// HPA bounds; `replicas` is then `min`.
    pub autoscale: Option<Autoscale>,
    /// Warnings the catalogue acknowledged for this component.
    pub acknowledged: Vec<Acknowledged>,
    /// The platform's own Deployment kept as it ships it (k3s's CoreDNS): hagen's objects (an HPA, a PDB) go
    /// beside it, and the platform's manifest sets the rest.
    pub beside: bool,
}

impl Intent {
    /// `release/component`, or just the component when the release has its name (`coredns`).
    pub fn label(&self) -> String {
        label(&self.release, &self.component)
    }

    /// The anti-affinity hagen writes (none at one replica: there is nothing to spread).
    pub fn effective_anti_affinity(&self) -> AntiAffinity {
        if self.replicas >= 2 {
            self.anti_affinity
        } else {
            AntiAffinity::None
        }
    }
}

/// One release with its chart knowledge and its components' intents.
#[derive(Debug, Clone)]
pub struct ReleasePlan {
    pub release: Release,
    pub chart: &'static Chart,
    pub intents: Vec<Intent>,
    /// The user's own values (files in order, then inline), applied before hagen's overlay on every route.
    pub own_values: Vec<crate::catalog::values::OwnValues>,
    /// Set when k3s's packaged copy is made HA in place: no chart is installed, hagen's HPA and PDB go beside
    /// k3s's objects (out/k3s/), and the intents are of k3s's Deployment.
    pub in_place: Option<&'static charts::InPlace>,
    /// The catalogue's folder as given, with a trailing `/` (empty for the working folder): where files of live
    /// data a take-over saves are kept (`k3s-NodeHosts`).
    pub beside: String,
}

/// The resolved catalogue.
#[derive(Debug, Clone)]
pub struct Plan {
    pub cluster: String,
    /// Each node's labels.
    pub node_labels: indexmap::IndexMap<String, indexmap::IndexMap<String, String>>,
    /// The opt-in delivery routes.
    pub delivery: crate::catalog::Delivery,
    /// The alert rule settings.
    pub alerts: crate::catalog::Alerts,
    pub nodes: Vec<String>,
    /// The cluster's Kubernetes version, when the catalogue gives it (`cluster.kubernetesVersion`, or k3s's).
    pub kubernetes_version: Option<crate::k8s::KubeVersion>,
    /// kube-controller-manager's node monitor grace period the failover times assume.
    pub node_monitor_grace_seconds: u32,
    pub releases: Vec<ReleasePlan>,
    /// The k3s facts, when the cluster is k3s (`distribution: k3s` or a `k3sBundled` release).
    pub k3s: Option<crate::catalog::K3sCluster>,
    /// Warnings to print (with `--strict` they are errors instead).
    pub warnings: Vec<Diagnostic>,
}

impl Plan {
    /// The operator-created pods of every release's chart.
    pub fn operator_pods(&self) -> Vec<&'static crate::charts::file::OperatorPodsFile> {
        self.releases
            .iter()
            .flat_map(|r| r.chart.operator_pods.iter())
            .collect()
    }
}

/// `release/component`, or just the component when the release has its name (`coredns`).
pub fn label(release: &str, component: &str) -> String {
    if release == component {
        component.to_string()
    } else {
        format!("{release}/{component}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::fixtures::intent;

    #[test]
    fn labels_and_spread() {
        assert_eq!(label("coredns", "coredns"), "coredns");
        assert_eq!(label("cert-manager", "webhook"), "cert-manager/webhook");
        let one = intent(1);
        assert_eq!(
            one.effective_anti_affinity(),
            AntiAffinity::None,
            "nothing to spread at one replica"
        );
        assert_eq!(intent(2).effective_anti_affinity(), AntiAffinity::Required);
    }
}
