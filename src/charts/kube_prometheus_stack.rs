//! prometheus-community `kube-prometheus-stack` chart, with its subcharts kube-state-metrics and grafana.
//! prometheus-operator: templates/prometheus-operator/deployment.yaml hardcodes `replicas: 1` (:19) and reads
//! `prometheusOperator.{strategy (:25),affinity (:245),tolerations (:252)}`; pdb.yaml reads
//! `prometheusOperator.podDisruptionBudget` (default `minAvailable: 1`, which must be nulled next to maxUnavailable).
//! kube-state-metrics 8.4.0: `replicas`, `updateStrategy` as a *string* (`type: {{ .Values.updateStrategy }}`),
//! `affinity`, `tolerations`, `podDisruptionBudget`. grafana 12.11.1: `replicas`, `deploymentStrategy` (object),
//! `affinity`, `tolerations`, `podDisruptionBudget`.

use super::{Caveat, Chart, Component, Delivery, K3s, Readiness, StrategyDelivery, fullname_within};

pub const CHART: Chart = Chart {
    name: "kube-prometheus-stack",
    proven_versions: &["88.5.3"],
    repository: "https://prometheus-community.github.io/helm-charts",
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
                "prometheus-operator has no leader election (prometheus-operator/prometheus-operator#2491), so two replicas reconcile the same objects and \"would step on each other's toes\" (#4437); the chart hard-codes `replicas: 1`",
            ),
            caveat: None,
            readiness: Readiness {
                needs_lease: false,
                text: "no leader election; readiness `/healthz` on 10250 always answers 200 (prometheus-operator cmd/operator/main.go:754-756)",
            },
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
            caveat: Some(Caveat {
                code: "duplicate-series",
                text: "each kube-state-metrics replica exports every series, so Prometheus stores each series once per replica (differing in `instance`/`pod`) and `sum` queries count it that many times unless they deduplicate with `max by (…)` (kubernetes/kube-state-metrics#147)",
            }),
            readiness: Readiness {
                needs_lease: false,
                text: "no leader election (it scales by sharding); readiness `/readyz` on 8081 fails only while it exports no metric families (kube-state-metrics pkg/app/server.go:523-532)",
            },
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
            caveat: Some(Caveat {
                code: "sqlite-per-pod",
                text: "this chart's Grafana keeps users, sessions and UI edits in an SQLite file inside each pod (no persistence by default), so two replicas disagree and log users out between requests (helm/charts#18163); Grafana's HA setup needs a shared MySQL or PostgreSQL database (grafana.ini `database`) first (grafana/grafana-operator#798 quoting Grafana's HA documentation)",
            }),
            readiness: Readiness {
                needs_lease: false,
                text: "no leader election; readiness `/api/health` on 3000 fails only when its database is unreachable",
            },
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
    server_side_apply: true,
};
