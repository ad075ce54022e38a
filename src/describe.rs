//! The words for what a component asks and how each setting reaches its workload: one describer for out/README.md,
//! `verify`, `audit` and `plan`.

use crate::catalog::{AntiAffinity, AvoidNodes, Strategy};
use crate::charts::{PdbRoute, Route, StrategyRoute};
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

fn delivery(d: Route, owner: Option<&str>) -> String {
    match d {
        Route::Values(_) => "values".into(),
        Route::Hardcoded(_) | Route::Patch => "patch".into(),
        Route::Runtime(_) => format!("runtime ({})", owner.unwrap_or("the chart")),
        Route::NotControllable(_) => "not controllable".into(),
    }
}

/// How each setting of a component reaches its workload (`values`, `patch`, `runtime (…)`, `not controllable`, …).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Deliveries {
    pub replicas: String,
    pub anti_affinity: String,
    pub strategy: String,
    pub pdb: String,
}

impl Deliveries {
    /// The settings in the order of the README table.
    pub fn rows(&self) -> [(Setting, &str); 4] {
        [
            (Setting::Replicas, &self.replicas),
            (Setting::AntiAffinity, &self.anti_affinity),
            (Setting::Strategy, &self.strategy),
            (Setting::Pdb, &self.pdb),
        ]
    }
}

/// How each setting of a component reaches its workload.
pub fn deliveries(i: &Intent) -> Deliveries {
    let k = i.knowledge;
    if i.beside {
        // k3s's own Deployment kept: hagen's HPA and PDB beside it, the rest is its manifest's.
        return Deliveries {
            replicas: "HPA beside it".into(),
            anti_affinity: "its manifest".into(),
            strategy: "its manifest".into(),
            pdb: "PDB beside it".into(),
        };
    }
    let replicas = match k.replicas {
        Route::Hardcoded(n) if n == i.replicas => "chart default".into(),
        d => delivery(d, k.owner()),
    };
    let strategy = match k.strategy {
        StrategyRoute::NotControllable(_) => "not controllable",
        s if s.needs_patch(i.strategy) => "patch",
        _ => "values",
    };
    let pdb = if i.pdb.is_none() && k.rendered_by_helm() {
        "none needed".into()
    } else {
        match k.pdb {
            PdbRoute::Values { .. } if i.pdb_patch().is_some() => "values + patch",
            PdbRoute::Values { .. } => "values",
            PdbRoute::Manifest => "patch",
            PdbRoute::NotControllable(_) => "not controllable",
        }
        .to_string()
    };
    Deliveries {
        replicas,
        anti_affinity: delivery(k.affinity, k.owner()),
        strategy: strategy.to_string(),
        pdb,
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
    use crate::check::fixtures::{RUNTIME, intent};

    #[test]
    fn how_each_setting_is_delivered() {
        let values = |replicas| deliveries(&intent(replicas));
        let runtime = |replicas| {
            deliveries(&Intent {
                knowledge: &RUNTIME,
                ..intent(replicas)
            })
        };
        // (case, deliveries, replicas, anti-affinity, strategy, PDB)
        let cases = [
            ("values at two", values(2), "values", "values", "values", "patch"),
            ("values at one", values(1), "values", "values", "values", "none needed"),
            (
                "runtime",
                runtime(2),
                "runtime (Manager)",
                "runtime (Manager)",
                "not controllable",
                "not controllable",
            ),
        ];
        for (name, d, replicas, anti, strategy, pdb) in cases {
            assert_eq!(
                (
                    d.replicas.as_str(),
                    d.anti_affinity.as_str(),
                    d.strategy.as_str(),
                    d.pdb.as_str()
                ),
                (replicas, anti, strategy, pdb),
                "{name}"
            );
        }
        let rows = values(2);
        let names: Vec<&str> = rows.rows().iter().map(|r| r.0.name()).collect();
        assert_eq!(names, ["replicas", "anti-affinity", "strategy", "PDB"]);
    }

    #[test]
    fn settings_read_the_same_in_text_tables_and_json() {
        // (setting, name) for the ones whose name is not plain lower case
        for (setting, name) in [
            (Setting::Pdb, "PDB"),
            (Setting::AntiAffinity, "anti-affinity"),
            (Setting::AlertRules, "alert rules"),
            (Setting::K3sTakeOver, "k3s take-over"),
            (Setting::K3sInPlace, "k3s in place"),
        ] {
            assert_eq!(setting.to_string(), name);
            assert_eq!(serde_json::to_value(setting).unwrap(), serde_json::json!(name));
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
        // (case, intent, markdown) → anti-affinity words
        let cases = [
            (
                "required",
                with(2, AntiAffinity::Required),
                false,
                "required on hostname, app=web",
            ),
            (
                "markdown",
                with(2, AntiAffinity::Required),
                true,
                "required on hostname, `app=web`",
            ),
            (
                "preferred",
                with(2, AntiAffinity::Preferred),
                false,
                "preferred on hostname, app=web",
            ),
            ("one replica", with(1, AntiAffinity::Required), false, "— (1 replica)"),
            ("none", with(2, AntiAffinity::None), false, "none"),
        ];
        for (name, i, markdown, want) in cases {
            assert_eq!(asked_anti_affinity(&i, markdown), want, "{name}");
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
