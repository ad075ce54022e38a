//! longhorn/longhorn `longhorn` chart.
//! The CSI Deployments are not in the chart: longhorn-driver-deployer creates them at runtime. Only
//! `csi.{attacher,provisioner,resizer,snapshotter}ReplicaCount` and `csi.podAntiAffinityPreset` (soft|hard) reach
//! them, as the deployer's environment `CSI_*_REPLICA_COUNT` and `CSI_POD_ANTI_AFFINITY_PRESET`
//! (templates/deployment-driver.yaml).

use super::{Chart, Component, Delivery, K3s, StrategyDelivery};

const RUNTIME_REPLICAS: Delivery =
    Delivery::Runtime("`csi.*ReplicaCount` → env of longhorn-driver-deployer, which creates the Deployment");
const RUNTIME_AFFINITY: Delivery = Delivery::Runtime(
    "`csi.podAntiAffinityPreset` (hard = required, soft = preferred) → env of longhorn-driver-deployer; Longhorn builds the term and selector itself",
);
const OUTSIDE_HELM: &str =
    "the Deployment is created by longhorn-driver-deployer, outside Helm: neither values nor a post-renderer reach it";

macro_rules! csi {
    ($id:literal) => {
        Component {
            id: $id,
            workload: |_| $id.to_string(),
            selector: &[("app", $id)],
            single_instance: None,
            caveat: None,
            replicas: RUNTIME_REPLICAS,
            affinity: RUNTIME_AFFINITY,
            strategy: StrategyDelivery::NotControllable(OUTSIDE_HELM),
            pdb: Delivery::NotControllable(OUTSIDE_HELM),
            tolerations: Delivery::NotControllable(OUTSIDE_HELM),
            hpa: false,
        }
    };
}

pub const CHART: Chart = Chart {
    name: "longhorn",
    proven_versions: &["1.12.1"],
    template: include_str!("../../templates/longhorn.yaml.j2"),
    components: &[
        csi!("csi-attacher"),
        csi!("csi-provisioner"),
        csi!("csi-resizer"),
        csi!("csi-snapshotter"),
    ],
    notes: "The four CSI sidecar Deployments are created at runtime by longhorn-driver-deployer. hagen sets their replica counts and the anti-affinity preset (one for all four: hard when any asks for required); their strategy (Longhorn's own RollingUpdate) and PDBs are not controllable.",
    k3s: K3s::NotBundled,
};
