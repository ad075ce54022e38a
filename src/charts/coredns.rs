//! coredns/helm `coredns` chart.
//! Reads `replicaCount` (templates/deployment.yaml:24), `affinity` (:88), `tolerations` (:96),
//! `rollingUpdate.{maxUnavailable,maxSurge}` under a hardcoded `type: RollingUpdate` (:26-30), and
//! `podDisruptionBudget` (templates/poddisruptionbudget.yaml: any non-empty map creates it).

use super::{Chart, Component, Delivery, K3s, Readiness, StrategyDelivery, fullname};

pub const CHART: Chart = Chart {
    name: "coredns",
    proven_versions: &["1.46.2"],
    repository: "https://coredns.github.io/helm",
    template: include_str!("../../templates/coredns.yaml.j2"),
    components: &[Component {
        id: "coredns",
        workload: |r| fullname(r, "coredns"),
        // k8s-app=coredns is shared with nothing here, but k3s's own CoreDNS is k8s-app=kube-dns; name+instance
        // identify this release's pods only.
        selector: &[
            ("app.kubernetes.io/name", "coredns"),
            ("app.kubernetes.io/instance", "{release}"),
        ],
        single_instance: None,
        caveat: None,
        readiness: Readiness {
            needs_lease: false,
            text: "no leader election; readiness `/ready` on 8181 (the ready plugin: ready once the kubernetes plugin has synced)",
        },
        replicas: Delivery::Values,
        affinity: Delivery::Values,
        strategy: StrategyDelivery::RollingParamsOnly,
        pdb: Delivery::Values,
        tolerations: Delivery::Values,
        hpa: true,
    }],
    notes: "The chart hardcodes `strategy.type: RollingUpdate` (templates/deployment.yaml); `maxSurge: 0, maxUnavailable: 1` goes through `rollingUpdate`, Recreate needs a post-render patch.",
    k3s: K3s::PlainManifest("coredns"),
    server_side_apply: false,
};
