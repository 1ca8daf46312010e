//! The daemon's configuration (`config::Config::parse` and `validate`, the same steps as a start
//! or a SIGHUP reload) and what reads it: the metrics registry, a scrape in both formats, the
//! Host check; and the URL redaction every displayed source and feed title goes through.
//! Properties: never a panic (a configuration that `validate` accepts must not panic where it
//! is used, as duplicate label names once panicked the registry on reload); redaction is
//! idempotent (what it shows, redacted again, is unchanged).
#![no_main]

use echoscope::config::{Config, Source};
use echoscope::redact;
use echoscope::server::host_check;
use echoscope::server::metrics::{Format, Metrics};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let once = redact::url(text);
    assert_eq!(redact::url(&once), once, "redaction is not idempotent");
    for line in text.lines().take(64) {
        let _ = Source::parse(line);
    }
    let Ok(config) = Config::parse(text) else {
        return;
    };
    if config.validate().is_err() {
        return;
    }
    let _ = format!("{config:?}");
    let metrics = Metrics::new(&config);
    for account in config.accounts.iter().take(64) {
        metrics.observe_fetch(account, account.source.platform().as_str(), true, 1.0);
        let _ = config.interval(account);
        let _ = config.retention_days(account);
    }
    let _ = metrics.render(Format::Text);
    let _ = metrics.render(Format::OpenMetrics);
    for host in text.lines().take(8) {
        let _ = host_check::is_allowed(host, &config.server);
    }
});
