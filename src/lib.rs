//! hagen: one declarative catalogue → Helm values overlays (and post-render patches) that make a cluster's
//! infrastructure highly available, proven on the real charts. ARCHITECTURE.md draws how the modules fit.

// No function over 100 lines (clippy.toml): tests aside, where a table may run long.
#![cfg_attr(not(test), warn(clippy::too_many_lines))]

mod adopt;
mod alerts;
mod archive;
pub mod audit;
pub mod catalog;
mod charts;
mod check;
pub mod cli;
mod delivery;
mod describe;
mod diff;
pub mod error;
pub mod generate;
mod helm;
mod init;
mod k3s;
mod k3s_facts;
pub mod k8s;
pub mod live;
pub mod lock;
mod model;
mod output;
pub mod patch;
mod paths;
mod readme;
mod render;
pub mod resolve;
mod scaffold;
pub mod scenarios;
mod suggest;
mod text;
mod verify;
pub mod yaml;
