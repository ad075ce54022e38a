//! Prometheus alert rules for the catalogue's components, delivered through the kube-prometheus-stack overlay
//! (`additionalPrometheusRulesMap`) so they survive `helm upgrade` like everything else. Every expression is parsed
//! with promql-parser before it is accepted. Annotations are Go templates to Prometheus: catalogue text in them is
//! written so that it prints literally (`{{` as `{{ "{{" }}`).

use crate::catalog::Alerts;
use crate::error::{Error, InternalError, Result};
use crate::model::{Intent, Plan};
use crate::text::go_template_literal;
use serde_json::{Value, json};

/// The key under `additionalPrometheusRulesMap`, and the rule group's name.
pub const GROUP: &str = "hagen-ha";

fn severity(tier: u8) -> &'static str {
    match tier {
        1 => "critical",
        2 => "warning",
        _ => "info",
    }
}

fn rule(alert: &str, expr: String, r#for: &str, i: Option<&Intent>, summary: String, description: String) -> Value {
    let mut labels = json!({"severity": i.map_or("warning", |i| severity(i.tier))});
    if let Some(i) = i {
        labels["hagen_component"] = json!(i.label());
        labels["hagen_tier"] = json!(i.tier.to_string());
    }
    json!({
        "alert": alert,
        "expr": expr,
        "for": r#for,
        "labels": labels,
        "annotations": {"summary": summary, "description": description},
    })
}

/// The rules of one component.
fn component_rules(i: &Intent, a: &Alerts, grace: u32) -> Vec<Value> {
    let (ns, wl) = (&i.namespace, &i.workload);
    let sel = format!(r#"namespace="{ns}",deployment="{wl}""#);
    let name = i.label();
    let mut rules = Vec::new();
    if i.replicas >= 2 {
        rules.push(rule(
            "HagenReplicasUnavailable",
            format!(
                "max by (namespace, deployment) (kube_deployment_spec_replicas{{{sel}}}) - max by (namespace, deployment) (kube_deployment_status_replicas_available{{{sel}}}) > 0"
            ),
            &a.replicas_unavailable_for,
            Some(i),
            format!("{name} in {ns} runs with fewer available replicas than desired"),
            format!(
                "{{{{ $value }}}} replica(s) of Deployment {wl} unavailable for {}. If it goes down: {} Check `kubectl get pods -n {ns} -l {}` and the nodes they ran on.",
                a.replicas_unavailable_for,
                go_template_literal(&i.impact),
                i.selector.describe()
            ),
        ));
        rules.push(rule(
            "HagenReplicasColocated",
            format!(
                r#"count by (namespace, node) (max by (namespace, pod, node) (kube_pod_info{{namespace="{ns}",created_by_kind="ReplicaSet",created_by_name=~"{wl}-[a-z0-9]+"}}) * on (namespace, pod) group_left () (max by (namespace, pod) (kube_pod_status_ready{{namespace="{ns}",condition="true"}}) == 1)) > 1"#
            ),
            &a.colocated_for,
            Some(i),
            format!("Two ready pods of {name} share node {{{{ $labels.node }}}}"),
            format!(
                "One node failure would take {{{{ $value }}}} pods of {name} at once. Nothing rebalances by itself: list them with `kubectl get pod -n {ns} -l {} --field-selector spec.nodeName={{{{ $labels.node }}}} --sort-by=.metadata.creationTimestamp` and delete the newest (`kubectl delete pod -n {ns} POD`); the scheduler places it on a free node.",
                i.selector.describe()
            ),
        ));
    } else {
        let wait = if i.tier == 1 {
            &a.single_instance_down_for_tier1
        } else {
            &a.single_instance_down_for
        };
        rules.push(rule(
            "HagenSingleInstanceDown",
            format!("max by (namespace, deployment) (kube_deployment_status_replicas_available{{{sel}}}) < 1"),
            wait,
            Some(i),
            format!("{name} in {ns} has no ready pod"),
            format!(
                "The single instance of {name} has been down for {wait}. If it stays down: {} If its node failed, the pod is evicted about {}s after the node stopped responding (node monitor grace period + tolerationSeconds) and starts on another node; check `kubectl get pods -n {ns} -l {} -o wide`.",
                go_template_literal(&i.impact),
                grace + i.failover_seconds.unwrap_or(300),
                i.selector.describe()
            ),
        ));
    }
    if i.pdb.is_some() && i.knowledge.rendered_by_helm() {
        rules.push(rule(
            "HagenPDBBlocksDrain",
            format!(
                r#"max by (namespace, poddisruptionbudget) (kube_poddisruptionbudget_status_pod_disruptions_allowed{{namespace="{ns}",poddisruptionbudget="{wl}"}}) == 0"#
            ),
            &a.pdb_blocking_for,
            Some(i),
            format!("PodDisruptionBudget {wl} of {name} allows no disruption"),
            format!(
                "For {}, PodDisruptionBudget {ns}/{wl} has allowed zero disruptions: every node drain blocks on it. Usually a replica is not ready: fix it, or check `kubectl get pdb -n {ns} {wl}`.",
                a.pdb_blocking_for
            ),
        ));
    }
    rules
}

/// `additionalPrometheusRulesMap` for the catalogue: one group with every component's rules and the per-node pod
/// count rule. `None` when alerts are switched off.
pub fn rules_map(plan: &Plan) -> Result<Option<Value>> {
    let a = &plan.alerts;
    if !a.enabled {
        return Ok(None);
    }
    let mut rules: Vec<Value> = plan
        .releases
        .iter()
        .flat_map(|r| &r.intents)
        .flat_map(|i| component_rules(i, a, plan.node_monitor_grace_seconds))
        .collect();
    rules.push(rule(
        "HagenNodeTooManyPods",
        format!("max by (node) (kubelet_running_pods) > {}", a.pods_per_node),
        &a.pods_per_node_for,
        None,
        "Node {{ $labels.node }} runs {{ $value }} pods".into(),
        format!(
            "More than {} pods on one node for {}: pods piled up after a node failure and did not rebalance. Run `hagen audit` on the live state (the command in out/README.md) for the pods to delete.",
            a.pods_per_node, a.pods_per_node_for
        ),
    ));
    // Checked like every YAML document hagen writes, and skipped with their read-back by a run that only compares.
    for r in rules.iter().filter(|_| crate::yaml::reading_back()) {
        let expr = r["expr"].as_str().unwrap_or_default();
        promql_parser::parser::parse(expr).map_err(|e| {
            Error::Internal(InternalError::PromQl {
                expr: expr.to_string(),
                message: e.to_string(),
            })
        })?;
    }
    Ok(Some(json!({GROUP: {"groups": [{"name": GROUP, "rules": rules}]}})))
}
