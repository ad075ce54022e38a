//! traefik/traefik-helm-chart `traefik` chart.
//! Reads `deployment.replicas` (templates/deployment.yaml:38), `updateStrategy.type` and, for RollingUpdate only,
//! `updateStrategy.rollingUpdate.{maxUnavailable,maxSurge}` (:55-62), `affinity` (_podtemplate.tpl:1089),
//! `podDisruptionBudget.{enabled,maxUnavailable}` (templates/poddisruptionbudget.yaml). Its values schema closes
//! the root, so a misspelt key fails `helm template`.

use super::{Chart, Component, Delivery, K3s, Readiness, StrategyDelivery, fullname};

pub const CHART: Chart = Chart {
    name: "traefik",
    proven_versions: &["41.3.0"],
    repository: "https://traefik.github.io/charts",
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
        caveat: None,
        readiness: Readiness {
            needs_lease: false,
            text: "no leader election (proxies are active-active); readiness `/ping` on 8080, 200 unless the process is terminating",
        },
        replicas: Delivery::Values,
        affinity: Delivery::Values,
        strategy: StrategyDelivery::Values,
        pdb: Delivery::Values,
        tolerations: Delivery::Values,
        hpa: true,
    }],
    notes: "Everything goes through values. The chart's default strategy (RollingUpdate, maxUnavailable 0, maxSurge 1) needs a free node and is always replaced. ACME: Traefik's built-in Let's Encrypt resolver keeps its certificates in one `acme.json` per pod, and its maintainers do not recommend it for more than one instance (traefik/traefik#3594); the chart refuses to render only when `additionalArguments` contain `.acme.` and `deployment.replicas` > 1 (templates/deployment.yaml:6-15), so ACME configured through `certificatesResolvers`, or replicas raised by the HPA, pass that guard unnoticed. Issue certificates with cert-manager instead.",
    k3s: K3s::HelmChart("traefik"),
    server_side_apply: false,
};
