//! kubernetes-sigs/metrics-server `metrics-server` chart.
//! templates/deployment.yaml reads `replicas`, `updateStrategy` (whole object), `affinity`, `tolerations`;
//! templates/pdb.yaml reads `podDisruptionBudget.{enabled,minAvailable,maxUnavailable}`.

use super::{Chart, Component, Delivery, K3s, Readiness, StrategyDelivery, fullname};

pub const CHART: Chart = Chart {
    name: "metrics-server",
    proven_versions: &["3.13.1"],
    repository: "https://kubernetes-sigs.github.io/metrics-server/",
    template: include_str!("../../templates/metrics-server.yaml.j2"),
    components: &[Component {
        id: "metrics-server",
        workload: |r| fullname(r, "metrics-server"),
        selector: &[
            ("app.kubernetes.io/name", "metrics-server"),
            ("app.kubernetes.io/instance", "{release}"),
        ],
        single_instance: None,
        caveat: None,
        readiness: Readiness {
            needs_lease: false,
            text: "no leader election; readiness `/readyz` on 10250 waits for its metric storage and informers (metrics-server pkg/server/server.go:148-161)",
        },
        replicas: Delivery::Values,
        affinity: Delivery::Values,
        strategy: StrategyDelivery::Values,
        pdb: Delivery::Values,
        tolerations: Delivery::Values,
        hpa: false,
    }],
    notes: "Everything goes through values.",
    k3s: K3s::PlainManifest("metrics-server"),
    server_side_apply: false,
};
