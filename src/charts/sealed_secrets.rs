//! bitnami-labs/sealed-secrets `sealed-secrets` chart.
//! templates/deployment.yaml hardcodes `replicas: 1` (:16) and writes no strategy; it reads `affinity` (:38) and
//! `tolerations` (:44); templates/pdb.yaml reads `pdb.{create,minAvailable,maxUnavailable}` (numbers only).

use super::{Chart, Component, Delivery, K3s, Readiness, StrategyDelivery};

pub const CHART: Chart = Chart {
    name: "sealed-secrets",
    proven_versions: &["2.18.5"],
    repository: "https://bitnami-labs.github.io/sealed-secrets",
    template: include_str!("../../templates/sealed-secrets.yaml.j2"),
    components: &[Component {
        id: "controller",
        // `fullnameOverride` is not used: the release name is the Deployment name kubeseal looks for
        // (sealed-secrets-controller in kube-system).
        workload: |r| {
            if r.contains("sealed-secrets") {
                r.to_string()
            } else {
                format!("{r}-sealed-secrets")
            }
        },
        selector: &[
            ("app.kubernetes.io/name", "sealed-secrets"),
            ("app.kubernetes.io/instance", "{release}"),
        ],
        single_instance: Some(
            "the controller has no leader election (cmd/controller/main.go); each replica generates its own sealing key on first start and rotates it on its own timer (pkg/controller/main.go), and with `--watch-for-secrets` off by default it never learns the other's keys, so one replica cannot unseal what the other sealed (bitnami-labs/sealed-secrets#1364: \"no key could decrypt secret\"); its maintainers say the controller \"can only handle 1 replica\" (#1646)",
        ),
        caveat: None,
        readiness: Readiness {
            needs_lease: false,
            text: "no leader election; readiness `/healthz` on 8080 always answers ok (sealed-secrets pkg/controller/server.go:41-47)",
        },
        replicas: Delivery::Hardcoded(1),
        affinity: Delivery::Values,
        strategy: StrategyDelivery::Patch,
        pdb: Delivery::Values,
        tolerations: Delivery::Values,
        hpa: false,
    }],
    notes: "The chart hardcodes `replicas: 1` and writes no strategy (so Kubernetes' RollingUpdate 25%/25%): the strategy, and replicas other than 1, are post-render patches.",
    k3s: K3s::NotBundled,
    server_side_apply: false,
};
