mod server_api;
mod store;
mod twitter_archive;
mod live_sources;
mod real_archives;
mod daemon_e2e;
mod sources;
