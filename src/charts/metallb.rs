//! metallb/metallb `metallb` chart.
//! The controller Deployment (templates/controller.yaml) has no `replicas` field (so 1) and no PDB template; it
//! reads `controller.strategy` (:14), `controller.affinity` (:163) and `controller.tolerations` (:167).

use super::{Chart, Component, Delivery, K3s, StrategyDelivery, fullname};

pub const CHART: Chart = Chart {
    name: "metallb",
    proven_versions: &["0.16.1"],
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
            "the MetalLB controller allocates IPs without leader election; its maintainers say to run one replica (metallb/metallb#2226)",
        ),
        caveat: None,
        replicas: Delivery::Hardcoded(1),
        affinity: Delivery::Values,
        strategy: StrategyDelivery::Values,
        pdb: Delivery::Patch,
        tolerations: Delivery::Values,
        hpa: false,
    }],
    notes: "The controller Deployment has no replicas key (it runs 1) and the chart has no PDB for it: more than one replica would need a patch and an extra PDB manifest, which hagen writes only with an explicit override.",
    k3s: K3s::NotBundled,
};
