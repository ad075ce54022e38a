//! cert-manager/cert-manager `cert-manager` chart.
//! Per component (root, `webhook.`, `cainjector.`): `replicaCount`, `strategy`, `affinity`, `tolerations` in
//! templates/{deployment,webhook-deployment,cainjector-deployment}.yaml and `podDisruptionBudget.{enabled,
//! maxUnavailable}` in the matching *-poddisruptionbudget.yaml. Its values schema closes the root.

use super::{Chart, Component, Delivery, K3s, Readiness, StrategyDelivery, fullname};

const VALUES: (Delivery, Delivery, StrategyDelivery, Delivery, Delivery) = (
    Delivery::Values,
    Delivery::Values,
    StrategyDelivery::Values,
    Delivery::Values,
    Delivery::Values,
);

pub const CHART: Chart = Chart {
    name: "cert-manager",
    proven_versions: &["v1.21.1"],
    repository: "https://charts.jetstack.io",
    template: include_str!("../../templates/cert-manager.yaml.j2"),
    components: &[
        Component {
            id: "controller",
            workload: |r| fullname(r, "cert-manager"),
            selector: &[
                ("app.kubernetes.io/name", "cert-manager"),
                ("app.kubernetes.io/instance", "{release}"),
                ("app.kubernetes.io/component", "controller"),
            ],
            single_instance: None,
            caveat: None,
            readiness: Readiness {
                needs_lease: false,
                text: "leader-elected (`--leader-elect` defaults to true, cert-manager internal/apis/config/shared/v1alpha1/defaults.go:28; the lease is released on shutdown); no readiness probe, only liveness `/livez` on 9403, whose leader check passes for a non-leader (client-go leaderelection.go `Check`): a new pod is ready as soon as it runs",
            },
            replicas: VALUES.0,
            affinity: VALUES.1,
            strategy: VALUES.2,
            pdb: VALUES.3,
            tolerations: VALUES.4,
            hpa: false,
        },
        Component {
            id: "webhook",
            workload: |r| format!("{}-webhook", fullname(r, "cert-manager")),
            selector: &[
                ("app.kubernetes.io/name", "webhook"),
                ("app.kubernetes.io/instance", "{release}"),
                ("app.kubernetes.io/component", "webhook"),
            ],
            single_instance: None,
            caveat: None,
            readiness: Readiness {
                needs_lease: false,
                text: "no leader election (cert-manager pkg/webhook/server/server.go:189); readiness `/healthz` on 6080 checks only its serving certificate",
            },
            replicas: VALUES.0,
            affinity: VALUES.1,
            strategy: VALUES.2,
            pdb: VALUES.3,
            tolerations: VALUES.4,
            hpa: false,
        },
        Component {
            id: "cainjector",
            workload: |r| format!("{}-cainjector", fullname(r, "cert-manager")),
            selector: &[
                ("app.kubernetes.io/name", "cainjector"),
                ("app.kubernetes.io/instance", "{release}"),
                ("app.kubernetes.io/component", "cainjector"),
            ],
            single_instance: None,
            caveat: None,
            readiness: Readiness {
                needs_lease: false,
                text: "leader-elected (same default as the controller; cmd/cainjector/app/controller.go:139-147, lease released on shutdown); no probes at all: a new pod is ready as soon as it runs",
            },
            replicas: VALUES.0,
            affinity: VALUES.1,
            strategy: VALUES.2,
            pdb: VALUES.3,
            tolerations: VALUES.4,
            hpa: false,
        },
    ],
    notes: "Everything goes through values. The controller and cainjector use leader election: a second replica is a warm standby that takes over the lease.",
    k3s: K3s::NotBundled,
    server_side_apply: false,
};
