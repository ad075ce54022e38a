//! The words for what a component asks and how each setting reaches its workload: one describer for out/README.md,
//! `verify`, `audit` and `plan`.

use crate::catalog::{AntiAffinity, AvoidNodes, Strategy};
use crate::model::Intent;

/// Every setting a verdict is about: one vocabulary for README, verify, audit and plan (and their JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setting {
    Workload,
    Replicas,
    AntiAffinity,
    NodeAffinity,
    Strategy,
    Pdb,
    Failover,
    /// What the chart knowledge says must hold above one replica (leader election).
    Requirement,
    AlertRules,
    K3sTakeOver,
    K3sInPlace,
    Ready,
    Pods,
    Spread,
    Room,
    Disruptions,
}

impl Setting {
    /// The setting's name as every report shows it.
    pub fn name(self) -> &'static str {
        match self {
            Setting::Workload => "workload",
            Setting::Replicas => "replicas",
            Setting::AntiAffinity => "anti-affinity",
            Setting::NodeAffinity => "node-affinity",
            Setting::Strategy => "strategy",
            Setting::Pdb => "PDB",
            Setting::Failover => "failover",
            Setting::Requirement => "requirement",
            Setting::AlertRules => "alert rules",
            Setting::K3sTakeOver => "k3s take-over",
            Setting::K3sInPlace => "k3s in place",
            Setting::Ready => "ready",
            Setting::Pods => "pods",
            Setting::Spread => "spread",
            Setting::Room => "room",
            Setting::Disruptions => "disruptions",
        }
    }
}

impl std::fmt::Display for Setting {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.pad(self.name())
    }
}

impl serde::Serialize for Setting {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// How one setting reaches its workload, as the chart adapter ([`crate::render::deliver`]) routed it: the one
/// record every report words (README, verify, audit, plan).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// A values key.
    Values,
    /// A post-render patch of the chart's object.
    Patch,
    /// An extra manifest the post-renderer adds (worded `patch`: it travels with the patches).
    Manifest,
    /// A values key, and a patch for what the chart's template cannot write (a PDB's eviction policy).
    ValuesAndPatch,
    /// The chart's default is what is asked: nothing to write.
    ChartDefault,
    /// The chart's runtime owner sets it (`Longhorn`), from a values key.
    Runtime(&'static str),
    /// hagen's object of this kind beside the platform's own Deployment (k3s in place).
    Beside(&'static str),
    /// The platform's own manifest sets it (k3s in place).
    ItsManifest,
    /// Nothing is needed (no PDB at one replica).
    NotNeeded,
    /// hagen cannot control it (why, in words).
    NotControllable(&'static str),
}

impl std::fmt::Display for Via {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Via::Values => f.pad("values"),
            Via::Patch | Via::Manifest => f.pad("patch"),
            Via::ValuesAndPatch => f.pad("values + patch"),
            Via::ChartDefault => f.pad("chart default"),
            Via::Runtime(owner) => f.pad(&format!("runtime ({owner})")),
            Via::Beside(kind) => f.pad(&format!("{kind} beside it")),
            Via::ItsManifest => f.pad("its manifest"),
            Via::NotNeeded => f.pad("none needed"),
            Via::NotControllable(_) => f.pad("not controllable"),
        }
    }
}

/// How each setting of a component reaches its workload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Routes {
    pub replicas: Via,
    pub anti_affinity: Via,
    pub strategy: Via,
    pub pdb: Via,
    /// Fast-failover tolerations (at one replica).
    pub failover: Via,
}

impl Routes {
    /// The settings in the order of the README table.
    pub fn rows(&self) -> [(Setting, Via); 4] {
        [
            (Setting::Replicas, self.replicas),
            (Setting::AntiAffinity, self.anti_affinity),
            (Setting::Strategy, self.strategy),
            (Setting::Pdb, self.pdb),
        ]
    }
}

/// The word for an anti-affinity strength: `required`, `preferred`, `none` (the chart knowledge's preset names too).
pub fn anti_affinity_word(a: AntiAffinity) -> &'static str {
    match a {
        AntiAffinity::Required => "required",
        AntiAffinity::Preferred => "preferred",
        AntiAffinity::None => "none",
    }
}

/// Short words for a strategy.
pub fn strategy_words(s: Strategy) -> &'static str {
    match s {
        Strategy::Recreate => "Recreate",
        Strategy::RollingUpdate => "RollingUpdate (maxSurge 0, maxUnavailable 1)",
        Strategy::RollingUpdateSurge => "RollingUpdate (maxSurge 1, maxUnavailable 0)",
    }
}

/// The anti-affinity asked of a component; `markdown` shows the selector as code.
pub fn asked_anti_affinity(i: &Intent, markdown: bool) -> String {
    let selector = if markdown {
        format!("`{}`", i.selector.describe())
    } else {
        i.selector.describe()
    };
    match i.effective_anti_affinity() {
        AntiAffinity::Required if i.revision_scoped => {
            format!(
                "required on hostname, {selector}, matchLabelKeys {}",
                crate::k8s::POD_TEMPLATE_HASH
            )
        }
        AntiAffinity::Required => format!("required on hostname, {selector}"),
        AntiAffinity::Preferred => format!("preferred on hostname, {selector}"),
        AntiAffinity::None if i.replicas == 1 => "— (1 replica)".into(),
        AntiAffinity::None => "none".into(),
    }
}

/// The disruption budget asked of a component (none at one replica, where it would block every drain).
pub fn asked_pdb(i: &Intent) -> String {
    match i.pdb {
        Some(m) if i.pdb_always_allow => {
            format!(
                "maxUnavailable {m}, unhealthyPodEvictionPolicy {}",
                crate::k8s::ALWAYS_ALLOW
            )
        }
        Some(m) => format!("maxUnavailable {m}"),
        None => "none (1 replica)".into(),
    }
}

/// The node labels an `avoidNodes` keeps pods off: `k=v,k2=v2`.
pub fn avoided_labels(a: &AvoidNodes) -> String {
    a.labels
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::Strength;
    use crate::check::fixtures::intent;

    #[test]
    fn settings_read_the_same_in_text_tables_and_json() {
        // The settings whose name is not plain lower case.
        struct Case {
            setting: Setting,
            name: &'static str,
        }
        let cases = [
            Case {
                setting: Setting::Pdb,
                name: "PDB",
            },
            Case {
                setting: Setting::AntiAffinity,
                name: "anti-affinity",
            },
            Case {
                setting: Setting::AlertRules,
                name: "alert rules",
            },
            Case {
                setting: Setting::K3sTakeOver,
                name: "k3s take-over",
            },
            Case {
                setting: Setting::K3sInPlace,
                name: "k3s in place",
            },
        ];
        for c in cases {
            assert_eq!(c.setting.to_string(), c.name);
            assert_eq!(serde_json::to_value(c.setting).unwrap(), serde_json::json!(c.name));
        }
        assert_eq!(
            format!("{:<6}|", Setting::Pdb),
            "PDB   |",
            "table columns keep their width"
        );
    }

    #[test]
    fn asked_words() {
        let with = |replicas, anti_affinity| Intent {
            anti_affinity,
            ..intent(replicas)
        };
        struct Case {
            name: &'static str,
            intent: Intent,
            markdown: bool,
            want: &'static str,
        }
        let cases = [
            Case {
                name: "required",
                intent: with(2, AntiAffinity::Required),
                markdown: false,
                want: "required on hostname, app=web",
            },
            Case {
                name: "markdown",
                intent: with(2, AntiAffinity::Required),
                markdown: true,
                want: "required on hostname, `app=web`",
            },
            Case {
                name: "preferred",
                intent: with(2, AntiAffinity::Preferred),
                markdown: false,
                want: "preferred on hostname, app=web",
            },
            Case {
                name: "one replica",
                intent: with(1, AntiAffinity::Required),
                markdown: false,
                want: "— (1 replica)",
            },
            Case {
                name: "none",
                intent: with(2, AntiAffinity::None),
                markdown: false,
                want: "none",
            },
        ];
        for c in cases {
            assert_eq!(asked_anti_affinity(&c.intent, c.markdown), c.want, "{}", c.name);
        }
        assert_eq!(asked_pdb(&intent(2)), "maxUnavailable 1");
        assert_eq!(asked_pdb(&intent(1)), "none (1 replica)");
        let avoid = AvoidNodes {
            labels: [
                ("role".to_string(), "db".to_string()),
                ("disk".to_string(), "hdd".to_string()),
            ]
            .into(),
            strength: Strength::Required,
        };
        assert_eq!(avoided_labels(&avoid), "role=db,disk=hdd");
        assert_eq!(strategy_words(Strategy::Recreate), "Recreate");
    }
}
