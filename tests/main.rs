mod live_sources;
