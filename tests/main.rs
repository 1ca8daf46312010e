mod server_api;
mod store;
mod twitter_archive;
mod live_sources;
