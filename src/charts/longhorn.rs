//! longhorn/longhorn `longhorn` chart.
//! The CSI Deployments are not in the chart: longhorn-driver-deployer creates them at runtime. Only
//! `csi.{attacher,provisioner,resizer,snapshotter}ReplicaCount` (Longhorn's default when unset: 3, csi/deployment.go)
//! and `csi.podAntiAffinityPreset` (soft|hard) reach them, as the deployer's environment `CSI_*_REPLICA_COUNT` and
//! `CSI_POD_ANTI_AFFINITY_PRESET` (templates/deployment-driver.yaml).
//! longhorn-ui is rendered by the chart (templates/deployment-ui.yaml): `longhornUI.replicas` (:47),
//! `longhornUI.affinity` (:58, default preferred anti-affinity on `app: longhorn-ui`), `longhornUI.tolerations`
//! (:144); no strategy key. values.yaml documents `longhornUI.podDisruptionBudget`, but no template of 1.12.1 reads
//! it (a render with `enabled: true` has no PodDisruptionBudget), so hagen adds the PDB itself.

use super::{Chart, Component, Delivery, K3s, Readiness, StrategyDelivery};

const RUNTIME_REPLICAS: Delivery =
    Delivery::Runtime("`csi.*ReplicaCount` → env of longhorn-driver-deployer, which creates the Deployment");
const RUNTIME_AFFINITY: Delivery = Delivery::Runtime(
    "`csi.podAntiAffinityPreset` (hard = required, soft = preferred) → env of longhorn-driver-deployer; Longhorn builds the term and selector itself",
);
const OUTSIDE_HELM: &str =
    "the Deployment is created by longhorn-driver-deployer, outside Helm: neither values nor a post-renderer reach it";
const LONGHORN_PDB: &str = "Longhorn creates its own PDBs `csi-attacher` and `csi-provisioner` (minAvailable 1) while volumes are attached (controller/kubernetes_pdb_controller.go); neither values nor a post-renderer reach them";
const LONGHORN_TOLERATIONS: &str = "Longhorn's `defaultSettings.taintToleration` reaches the CSI Deployments, but it has no `tolerationSeconds`: fast failover cannot be set";

macro_rules! csi {
    ($id:literal) => {
        Component {
            id: $id,
            workload: |_| $id.to_string(),
            selector: &[("app", $id)],
            single_instance: None,
            caveat: None,
            readiness: Readiness {
                needs_lease: false,
                text: "leader-elected (`--leader-election`, longhorn-manager csi/deployment.go:55-81) but no probes at all (csi/deployment_util.go:89-130): a new pod is ready as soon as it runs",
            },
            replicas: RUNTIME_REPLICAS,
            affinity: RUNTIME_AFFINITY,
            strategy: StrategyDelivery::NotControllable(OUTSIDE_HELM),
            pdb: Delivery::NotControllable(LONGHORN_PDB),
            tolerations: Delivery::NotControllable(LONGHORN_TOLERATIONS),
            hpa: false,
        }
    };
}

pub const CHART: Chart = Chart {
    name: "longhorn",
    proven_versions: &["1.12.1"],
    repository: "https://charts.longhorn.io",
    template: include_str!("../../templates/longhorn.yaml.j2"),
    components: &[
        csi!("csi-attacher"),
        csi!("csi-provisioner"),
        csi!("csi-resizer"),
        csi!("csi-snapshotter"),
        Component {
            id: "longhorn-ui",
            workload: |_| "longhorn-ui".to_string(),
            selector: &[("app", "longhorn-ui")],
            single_instance: None,
            caveat: None,
            readiness: Readiness {
                needs_lease: false,
                text: "no leader election; no probes (templates/deployment-ui.yaml): ready as soon as nginx runs",
            },
            replicas: Delivery::Values,
            affinity: Delivery::Values,
            strategy: StrategyDelivery::Patch,
            pdb: Delivery::Patch,
            tolerations: Delivery::Values,
            hpa: false,
        },
    ],
    notes: "The four CSI sidecar Deployments are created at runtime by longhorn-driver-deployer. Longhorn runs 3 of each when `csi.*ReplicaCount` is unset; hagen sets the counts the catalogue asks (2 on three nodes leaves one node free to reschedule onto) and one anti-affinity preset for all four (hard when any asks for required). Their strategy is Longhorn's own; Longhorn creates PDBs for csi-attacher and csi-provisioner (minAvailable 1) while volumes are attached; `defaultSettings.taintToleration`, `systemManagedComponentsNodeSelector` and `priorityClass` do reach them, `tolerationSeconds` cannot. longhorn-ui (optional) is an ordinary chart Deployment: replicas, affinity and tolerations are values, its strategy a patch, and its PDB an extra manifest (the chart documents `longhornUI.podDisruptionBudget` but 1.12.1 renders none).",
    k3s: K3s::NotBundled,
    server_side_apply: false,
};
