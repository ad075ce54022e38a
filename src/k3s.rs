//! k3s as the platform: which releases k3s owns, the values and runbook that take its packaged manifests over, and
//! the checks `hagen verify` makes on the take-over. Every fact about a chart comes from its knowledge file
//! (`k3sTakeOver`, `k3sBundles`); this module only substitutes the cluster's DNS IP and domain and lays them out.

use crate::catalog::K3sCluster;
use crate::charts::file::TakeOverFile;
use crate::charts::{InPlace, K3s};
use crate::k3s_facts::NAMESPACE;
use crate::k8s::{Object, PodTemplate};
use crate::model::{Plan, ReleasePlan};
use serde_json::Value;

/// Where a take-over release's k3s-equivalence values are, relative to the output folder.
pub fn values_path(release: &str) -> String {
    format!("{release}/k3s-values.yaml")
}

/// Where hagen's own objects beside k3s's packaged copy of a release (made HA in place) are, relative to the
/// output folder.
pub fn in_place_path(release: &str) -> String {
    format!("k3s/{release}-in-place.yaml")
}

/// The take-over knowledge of a release that replaces k3s's packaged manifests, if it is one.
pub fn take_over(rp: &ReleasePlan) -> Option<&'static TakeOverFile> {
    if !rp.release.k3s_bundled || rp.in_place.is_some() {
        return None;
    }
    match rp.chart.k3s {
        K3s::PlainManifest(_) => rp.chart.k3s_take_over,
        _ => None,
    }
}

/// Whether k3s installs this release itself as a HelmChart (only a HelmChartConfig may configure it).
pub fn is_helm_chart(rp: &ReleasePlan) -> bool {
    rp.release.k3s_bundled && matches!(rp.chart.k3s, K3s::HelmChart(_))
}

/// Whether a GitOps route (Flux, Argo CD, helmfile) must leave this release out: k3s owns it (HelmChart) or it is
/// installed by the runbook with the Helm CLI while cluster DNS is being replaced.
pub fn outside_gitops(rp: &ReleasePlan) -> bool {
    rp.release.k3s_bundled
}

fn substitute_value(k: &K3sCluster, v: &Value) -> Value {
    match v {
        Value::String(s) => Value::String(k.substitute(s)),
        Value::Array(a) => Value::Array(a.iter().map(|x| substitute_value(k, x)).collect()),
        Value::Object(m) => Value::Object(m.iter().map(|(key, x)| (key.clone(), substitute_value(k, x))).collect()),
        other => other.clone(),
    }
}

/// The chart values of a take-over with the cluster's DNS IP and domain.
pub fn take_over_values(plan: &Plan, t: &TakeOverFile) -> Value {
    substitute_value(&plan.k3s.clone().unwrap_or_default(), &t.values)
}

/// The k3s names to put under `disable:` in /etc/rancher/k3s/config.yaml on every server.
pub fn disabled(plan: &Plan) -> Vec<&'static str> {
    plan.releases
        .iter()
        .filter(|rp| take_over(rp).is_some())
        .filter_map(|rp| match rp.chart.k3s {
            K3s::PlainManifest(n) => Some(n),
            _ => None,
        })
        .collect()
}

/// k3s's packaged Deployment of an in-place release, as the knowledge records it (the object verify judges).
pub fn packaged_objects(p: &InPlace) -> Vec<Object> {
    Object::new(p.file.deployment.clone(), NAMESPACE).into_iter().collect()
}

/// The pods k3s runs in kube-system beside an in-place component, as pod templates the judge compares selectors
/// with.
pub fn neighbour_templates(p: &InPlace) -> Vec<PodTemplate> {
    p.file
        .neighbours
        .iter()
        .map(|n| PodTemplate {
            owner: n.owner.clone(),
            namespace: NAMESPACE.into(),
            labels: n.labels.clone(),
        })
        .collect()
}
