//! Integration tests, one module per area, compiled into one test binary (see `[[test]]` in
//! Cargo.toml). Network tests talk only to fake servers on 127.0.0.1.

mod bluesky_car;
mod brand_downloads;
mod browser;
mod daemon_e2e;
mod facebook;
mod fuzz_regressions;
mod golden;
mod hardening_inputs;
mod host_backoff;
mod hostile_downloads;
mod instagram;
mod linkedin;
mod live_sources;
mod pages;
mod poller;
mod quality;
mod real_archives;
mod reddit;
mod replicas;
mod server_api;
mod server_hardening;
mod sources;
mod store;
mod store_hardening;
mod support;
mod tiktok;
mod twitter_archive;
mod youtube_takeout;
