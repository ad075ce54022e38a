//! prometheus-community `kube-prometheus-stack` chart, with its subcharts kube-state-metrics and grafana.
//! prometheus-operator: templates/prometheus-operator/deployment.yaml hardcodes `replicas: 1` (:19) and reads
//! `prometheusOperator.{strategy (:25),affinity (:245),tolerations (:252)}`; pdb.yaml reads
//! `prometheusOperator.podDisruptionBudget` (default `minAvailable: 1`, which must be nulled next to maxUnavailable).
//! kube-state-metrics 8.4.0: `replicas`, `updateStrategy` as a *string* (`type: {{ .Values.updateStrategy }}`),
//! `affinity`, `tolerations`, `podDisruptionBudget`. grafana 12.11.1: `replicas`, `deploymentStrategy` (object),
//! `affinity`, `tolerations`, `podDisruptionBudget`.

use super::{Chart, Component, Delivery, K3s, StrategyDelivery, fullname_within};

pub const CHART: Chart = Chart {
    name: "kube-prometheus-stack",
    proven_versions: &["88.5.3"],
    template: include_str!("../../templates/kube-prometheus-stack.yaml.j2"),
    components: &[
        Component {
            id: "prometheus-operator",
            // The chart cuts its fullname to 26 characters.
            workload: |r| format!("{}-operator", fullname_within(r, "kube-prometheus-stack", 26)),
            // The release's instance label is on every pod of the stack: the name label makes it exclusive.
            selector: &[
                ("app.kubernetes.io/name", "kube-prometheus-stack-prometheus-operator"),
                ("app.kubernetes.io/instance", "{release}"),
            ],
            single_instance: Some(
                "prometheus-operator has no leader election: two replicas reconcile the same objects and fight (prometheus-operator/prometheus-operator#2491)",
            ),
            caveat: None,
            replicas: Delivery::Hardcoded(1),
            affinity: Delivery::Values,
            strategy: StrategyDelivery::Values,
            pdb: Delivery::Values,
            tolerations: Delivery::Values,
            hpa: false,
        },
        Component {
            id: "kube-state-metrics",
            workload: |r| format!("{r}-kube-state-metrics"),
            selector: &[
                ("app.kubernetes.io/name", "kube-state-metrics"),
                ("app.kubernetes.io/instance", "{release}"),
            ],
            single_instance: None,
            caveat: Some(
                "each kube-state-metrics replica reports every series, so Prometheus stores everything twice and sums double unless the queries deduplicate (or sharding is configured)",
            ),
            replicas: Delivery::Values,
            affinity: Delivery::Values,
            strategy: StrategyDelivery::TypeOnly,
            pdb: Delivery::Values,
            tolerations: Delivery::Values,
            hpa: false,
        },
        Component {
            id: "grafana",
            workload: |r| format!("{r}-grafana"),
            selector: &[
                ("app.kubernetes.io/name", "grafana"),
                ("app.kubernetes.io/instance", "{release}"),
            ],
            single_instance: None,
            caveat: Some(
                "Grafana's default SQLite database and ReadWriteOnce volume break at two replicas: configure an external database (grafana.ini `database`) and no RWO persistence first",
            ),
            replicas: Delivery::Values,
            affinity: Delivery::Values,
            strategy: StrategyDelivery::Values,
            pdb: Delivery::Values,
            tolerations: Delivery::Values,
            hpa: false,
        },
    ],
    notes: "prometheus-operator's replicas are hardcoded to 1 (a patch when an override asks for more). kube-state-metrics reads its strategy as a string (`updateStrategy: Recreate`); an object renders an invalid `type: map[…]`.",
    k3s: K3s::NotBundled,
};
