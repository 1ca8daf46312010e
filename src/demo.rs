//! The bundled demo: what `echoscope serve` monitors when started without a configuration.
//!
//! The demo files are the ones in `fixtures/` (a brand's Twitter archive with a scheduled
//! promotion and an auto-responder, and a few generated accounts), compiled into the binary so
//! the daemon starts anywhere. They are written under the store's folder and watched as
//! `file:` sources, exactly as an operator's own archive files would be.

use std::path::{Path, PathBuf};

use crate::config::{Account, Config, ConfigError, Source};

/// (file name, account name, bytes) of each demo account.
const FILES: &[(&str, &str, &[u8])] = &[
    (
        "brand-archive.zip",
        "demo-brand",
        include_bytes!("../fixtures/demo/brand-archive.zip"),
    ),
    (
        "human.jsonl",
        "demo-human",
        include_bytes!("../fixtures/scenarios/human/input.jsonl"),
    ),
    (
        "auto-responder.jsonl",
        "demo-auto-responder",
        include_bytes!("../fixtures/scenarios/auto-responder/input.jsonl"),
    ),
    (
        "newsroom.jsonl",
        "demo-newsroom",
        include_bytes!("../fixtures/scenarios/newsroom/input.jsonl"),
    ),
];

/// The default configuration with the demo accounts, their files written under `data/demo/`.
pub fn config() -> Result<Config, ConfigError> {
    let mut config = Config::default();
    config.apply_env();
    let dir = config
        .store
        .path
        .parent()
        .unwrap_or(Path::new("."))
        .join("demo");
    write_files(&dir)?;
    // Archives do not change: one poll a minute is plenty, and it shows the pipeline moving.
    config.poll.interval_seconds = 60;
    config.accounts = FILES
        .iter()
        .map(|(file, name, _)| Account {
            name: (*name).to_string(),
            source: Source::file(dir.join(file)),
            labels: Default::default(),
            interval_seconds: None,
        })
        .collect();
    config.validate().map_err(|message| ConfigError::Invalid {
        path: PathBuf::from("(built-in demo)"),
        message,
    })?;
    Ok(config)
}

fn write_files(dir: &Path) -> Result<(), ConfigError> {
    let io = |source| ConfigError::Io {
        path: dir.to_path_buf(),
        source,
    };
    std::fs::create_dir_all(dir).map_err(io)?;
    for (file, _, bytes) in FILES {
        let path = dir.join(file);
        // Rewriting an unchanged file would change its time stamp and trigger a re-read.
        if std::fs::read(&path).ok().as_deref() != Some(*bytes) {
            std::fs::write(&path, bytes).map_err(io)?;
        }
    }
    Ok(())
}
