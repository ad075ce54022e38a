//! traefik/traefik-helm-chart `traefik` chart.
//! Reads `deployment.replicas` (templates/deployment.yaml:38), `updateStrategy.type` and, for RollingUpdate only,
//! `updateStrategy.rollingUpdate.{maxUnavailable,maxSurge}` (:55-62), `affinity` (_podtemplate.tpl:1089),
//! `podDisruptionBudget.{enabled,maxUnavailable}` (templates/poddisruptionbudget.yaml). Its values schema closes
//! the root, so a misspelt key fails `helm template`.

use super::{Chart, Component, Delivery, K3s, StrategyDelivery, fullname};

pub const CHART: Chart = Chart {
    name: "traefik",
    proven_versions: &["41.3.0"],
    template: include_str!("../../templates/traefik.yaml.j2"),
    components: &[Component {
        id: "traefik",
        workload: |r| fullname(r, "traefik"),
        // The chart's instance label is `<release>-<namespace>` (templates/_helpers.tpl "traefik.instance-name").
        selector: &[
            ("app.kubernetes.io/name", "traefik"),
            ("app.kubernetes.io/instance", "{release}-{namespace}"),
        ],
        single_instance: None,
        caveat: Some(
            "Traefik's built-in ACME (Let's Encrypt) resolver cannot run with more than one replica: the chart fails the render when `additionalArguments` contain `.acme.` and replicas > 1; use cert-manager for certificates",
        ),
        replicas: Delivery::Values,
        affinity: Delivery::Values,
        strategy: StrategyDelivery::Values,
        pdb: Delivery::Values,
        tolerations: Delivery::Values,
        hpa: true,
    }],
    notes: "Everything goes through values. The chart's default strategy (RollingUpdate, maxUnavailable 0, maxSurge 1) needs a free node and is always replaced.",
    k3s: K3s::HelmChart("traefik"),
};
