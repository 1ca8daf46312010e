
mod live_sources;
