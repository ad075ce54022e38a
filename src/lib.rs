//! hagen: one declarative catalogue → Helm values overlays (and post-render patches) that make a cluster's
//! infrastructure highly available, proven on the real charts. ARCHITECTURE.md draws how the modules fit.

// No function over 100 lines (clippy.toml): tests aside, where a table may run long.
#![cfg_attr(not(test), warn(clippy::too_many_lines))]

pub mod adopt;
pub mod alerts;
pub mod archive;
pub mod audit;
pub mod catalog;
pub mod charts;
pub mod check;
pub mod cli;
pub mod delivery;
pub mod describe;
pub mod diff;
pub mod error;
pub mod generate;
pub mod helm;
pub mod init;
pub mod k3s;
pub mod k8s;
pub mod live;
pub mod lock;
pub mod model;
pub mod output;
pub mod patch;
pub mod paths;
pub mod readme;
pub mod render;
pub mod resolve;
pub mod scaffold;
pub mod scenarios;
mod suggest;
pub mod text;
pub mod verify;
pub mod yaml;
