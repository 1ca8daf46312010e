mod server_api;
mod store;
