mod server_api;
mod store;
mod twitter_archive;
