//! The words for what a component asks and how each setting reaches its workload: one describer for out/README.md,
//! `verify`, `audit` and `plan`.

use crate::catalog::Strategy;
use crate::charts::{Delivery, PdbDelivery, StrategyDelivery};
use crate::intent::Intent;

fn delivery(d: Delivery, owner: Option<&str>) -> String {
    match d {
        Delivery::Values(_) => "values".into(),
        Delivery::Hardcoded(_) | Delivery::Patch => "patch".into(),
        Delivery::Runtime(_) => format!("runtime ({})", owner.unwrap_or("the chart")),
        Delivery::NotControllable(_) => "not controllable".into(),
    }
}

/// How each setting of a component reaches its workload, for the README table.
pub fn deliveries(i: &Intent) -> [(&'static str, String); 4] {
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
    [
        ("replicas", replicas),
        ("anti-affinity", delivery(k.affinity, k.owner())),
        ("strategy", strategy.to_string()),
        ("PDB", pdb),
    ]
}

/// Short words for a strategy.
pub fn strategy_words(s: Strategy) -> &'static str {
    match s {
        Strategy::Recreate => "Recreate",
        Strategy::RollingUpdate => "RollingUpdate (maxSurge 0, maxUnavailable 1)",
    }
}
