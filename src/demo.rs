//! The bundled demo: what `echoscope serve` monitors when started without a configuration.
//!
//! The demo files are the ones in `fixtures/` (a brand's Twitter archive with a scheduled
//! promotion and an auto-responder, and a few generated accounts), compiled into the binary so
//! the daemon starts anywhere. They are written under the store's folder and watched as
//! `file:` sources, exactly as an operator's own archive files would be. Their posts have fixed
//! dates (2025), so the demo accounts are exempt from retention (`retention_days = 0` each):
//! `serve` keeps and analyses all of their history and shows the findings `scan` of the same
//! files shows, on any date.

use std::path::{Path, PathBuf};

use crate::config::{Account, Config, ConfigError, Source};

/// (file name, account name, handle in the file, bytes) of each demo account. The handle is
/// set where the file holds several accounts: the person's file holds two people, and a file
/// of several accounts without one is refused.
const FILES: &[(&str, &str, Option<&str>, &[u8])] = &[
    (
        "brand-archive.zip",
        "demo-brand",
        None,
        include_bytes!("../fixtures/demo/brand-archive.zip"),
    ),
    (
        "human.jsonl",
        "demo-human",
        Some("chloe_ali0"),
        include_bytes!("../fixtures/scenarios/human/input.jsonl"),
    ),
    (
        "auto-responder.jsonl",
        "demo-auto-responder",
        None,
        include_bytes!("../fixtures/scenarios/auto-responder/input.jsonl"),
    ),
    (
        "newsroom.jsonl",
        "demo-newsroom",
        None,
        include_bytes!("../fixtures/scenarios/newsroom/input.jsonl"),
    ),
];

/// The default configuration with the demo accounts, their files written under `data/demo/`.
pub fn config() -> Result<Config, ConfigError> {
    let mut config = Config::default();
    config.apply_env();
    configure(config)
}

/// `config` set to monitor the demo accounts, their files written to a `demo` folder beside its
/// store.
pub fn configure(mut config: Config) -> Result<Config, ConfigError> {
    let dir = config
        .store
        .path
        .parent()
        .unwrap_or(Path::new("."))
        .join("demo");
    write_files(&dir)?;
    // Archives do not change: one poll a minute is plenty, and it shows the pipeline moving.
    config.poll.interval_seconds = 60;
    let mut accounts = Vec::with_capacity(FILES.len());
    for (file, name, handle, _) in FILES {
        let source = Source::file(dir.join(file));
        let source = match handle {
            Some(handle) => source
                .selecting(handle)
                .map_err(|message| ConfigError::Invalid {
                    path: PathBuf::from("(built-in demo)"),
                    message: format!("account {name:?}: {message}"),
                })?,
            None => source,
        };
        accounts.push(Account {
            // The demo's posts have fixed dates: kept and analysed whatever their age, they
            // show the same findings on any date, as `scan` of the same files does.
            retention_days: Some(0),
            ..Account::new(*name, source)
        });
    }
    config.accounts = accounts;
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
    for (file, _, _, bytes) in FILES {
        let path = dir.join(file);
        // Rewriting an unchanged file would change its time stamp and trigger a re-read.
        if std::fs::read(&path).ok().as_deref() != Some(*bytes) {
            std::fs::write(&path, bytes).map_err(io)?;
        }
    }
    Ok(())
}
