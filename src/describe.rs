//! The words for what a component asks and how each setting reaches its workload: one describer for out/README.md,
//! `verify`, `audit` and `plan`.

use crate::catalog::Strategy;
use crate::charts::{Delivery, PdbDelivery, StrategyDelivery};
use crate::model::Intent;

fn delivery(d: Delivery, owner: Option<&str>) -> String {
    match d {
        Delivery::Values(_) => "values".into(),
        Delivery::Hardcoded(_) | Delivery::Patch => "patch".into(),
        Delivery::Runtime(_) => format!("runtime ({})", owner.unwrap_or("the chart")),
        Delivery::NotControllable(_) => "not controllable".into(),
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
    /// The settings in the order of the README table, each with its name there.
    pub fn rows(&self) -> [(&'static str, &str); 4] {
        [
            ("replicas", &self.replicas),
            ("anti-affinity", &self.anti_affinity),
            ("strategy", &self.strategy),
            ("PDB", &self.pdb),
        ]
    }
}

/// How each setting of a component reaches its workload.
pub fn deliveries(i: &Intent) -> Deliveries {
    let k = i.knowledge;
    let replicas = match k.replicas {
        Delivery::Hardcoded(n) if n == i.replicas => "chart default".into(),
        d => delivery(d, k.owner()),
    };
    let strategy = match k.strategy {
        StrategyDelivery::NotControllable(_) => "not controllable",
        s if s.needs_patch(i.strategy) => "patch",
        _ => "values",
    };
    let pdb = if i.pdb.is_none() && k.rendered_by_helm() {
        "none needed".into()
    } else {
        match k.pdb {
            PdbDelivery::Values { .. } => "values",
            PdbDelivery::Manifest => "patch",
            PdbDelivery::NotControllable(_) => "not controllable",
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
    }
}
