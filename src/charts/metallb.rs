//! metallb/metallb `metallb` chart.
//! The controller Deployment (templates/controller.yaml) has no `replicas` field (so 1) and no PDB template; it
//! reads `controller.strategy` (:14), `controller.affinity` (:163) and `controller.tolerations` (:167).

use super::{Chart, Component, Delivery, K3s, Readiness, StrategyDelivery, fullname};

pub const CHART: Chart = Chart {
    name: "metallb",
    proven_versions: &["0.16.1"],
    repository: "https://metallb.github.io/metallb",
    template: include_str!("../../templates/metallb.yaml.j2"),
    components: &[Component {
        id: "controller",
        workload: |r| format!("{}-controller", fullname(r, "metallb")),
        // The speaker DaemonSet shares name and instance: the component label tells them apart.
        selector: &[
            ("app.kubernetes.io/name", "metallb"),
            ("app.kubernetes.io/instance", "{release}"),
            ("app.kubernetes.io/component", "controller"),
        ],
        single_instance: Some(
            "the MetalLB controller hard-codes `LeaderElection: false` (internal/k8s/k8s.go) and each replica keeps its own in-memory IP allocator, so two can hand out the same IP (metallb/metallb#725); its maintainers say it \"is meant to run in single instance\" (#2226)",
        ),
        caveat: None,
        readiness: Readiness {
            needs_lease: false,
            text: "no leader election (`LeaderElection: false`, metallb internal/k8s/k8s.go:161); readiness `/readyz` on 17472 is a plain ping",
        },
        replicas: Delivery::Hardcoded(1),
        affinity: Delivery::Values,
        strategy: StrategyDelivery::Values,
        pdb: Delivery::Patch,
        tolerations: Delivery::Values,
        hpa: false,
    }],
    notes: "The controller Deployment has no replicas key (it runs 1) and the chart has no PDB for it: more than one replica would need a patch and an extra PDB manifest, which hagen writes only with an explicit override.",
    k3s: K3s::NotBundled,
    server_side_apply: false,
};
