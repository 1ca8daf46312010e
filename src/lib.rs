//! echoscope: finds auto-responders and scheduled repetitive promotion in social-media timelines.
//!
//! The pipeline, one module per stage: [`sources`] read archives into [`model::Timeline`]s,
//! [`detectors`] turn a timeline into findings, [`scan`] runs the pipeline and [`report`]
//! renders the result.

pub mod cli;
pub mod config;
pub mod demo;
pub mod detectors;
pub mod minhash;
pub mod model;
pub mod report;
pub mod scan;
pub mod score;
pub mod server;
pub mod sources;
pub mod store;
pub mod text;
