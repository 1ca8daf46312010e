//! echoscope: finds auto-responders and scheduled repetitive promotion in social-media timelines.
//!
//! The pipeline, one module per stage: [`sources`] read archives and feeds into
//! [`model::Timeline`]s, [`detectors`] turn a timeline into [`model::Finding`]s, [`scan`] runs
//! the pipeline and builds the [`model::Report`], [`report`] renders it, [`store`] keeps the
//! daemon's history and [`server`] is the daemon. [`model`] is the data all of them share, below
//! every stage; the README's architecture section says which part may use which.

pub mod cli;
pub mod config;
pub mod demo;
pub mod detectors;
pub mod minhash;
pub mod model;
pub mod redact;
pub mod report;
pub mod scan;
pub mod score;
pub mod server;
pub mod sources;
pub mod store;
pub mod text;
