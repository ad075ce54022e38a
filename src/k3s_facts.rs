//! What hagen knows of k3s as a platform, in one place with its sources. What k3s bundles of a chart (its packaged
//! Deployment, its take-over values) is chart knowledge and lives in that chart's `charts/<chart>.yaml`.

/// Where k3s puts its packaged components, their HelmCharts and HelmChartConfigs (k3s-io/k3s `manifests/`,
/// `pkg/deploy`).
pub const NAMESPACE: &str = "kube-system";

/// The API version of k3s's HelmChart and HelmChartConfig (k3s-io/helm-controller, ../shared/crds), and how
/// every version of their group starts.
pub const HELM_API_VERSION: &str = "helm.cattle.io/v1";
pub const HELM_GROUP: &str = "helm.cattle.io/";

/// The label prefix of everything k3s's deploy controller applies (wrangler's `objectset.rio.cattle.io/hash` and
/// friends): k3s prunes objects carrying it, so hagen's objects beside k3s's never do (rancher/wrangler
/// pkg/apply/desiredset_apply.go).
pub const APPLIED_PREFIX: &str = "objectset.rio.cattle.io/";

/// The label the deploy controller sets on what it applied from a manifest (rancher/wrangler).
pub const APPLIED_HASH: &str = "objectset.rio.cattle.io/hash";

/// The label k3s's ServiceLB (klipper-lb) puts on its pods, naming the Service (k3s-io/k3s pkg/cloudprovider).
pub const SVCLB_SERVICE: &str = "svccontroller.k3s.cattle.io/svcname";

/// The label helm-controller puts on what a HelmChart installs (k3s-io/helm-controller).
pub const HELM_CHART_LABEL: &str = "helmcharts.helm.cattle.io/chart";

/// k3s's default `--cluster-dns` and `--cluster-domain` (k3s docs, server flags).
pub const DEFAULT_CLUSTER_DNS: &str = "10.43.0.10";
pub const DEFAULT_CLUSTER_DOMAIN: &str = "cluster.local";

/// What marks a k3s kubelet version (`v1.35.3+k3s1`).
pub const VERSION_MARK: &str = "+k3s";

/// What separates k3s's packaging revision from the upstream chart version in a bundled chart
/// (`traefik-39.0.700+up39.0.7.tgz`).
pub const UPSTREAM_CHART_MARK: &str = "+up";

/// Label domains k3s (and Rancher) own on nodes: never the user's.
pub const LABEL_DOMAINS: &[&str] = &["k3s.io", "cattle.io"];
