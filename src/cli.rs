//! Command-line glue: argument parsing, progress, output and exit codes. The only place (with
//! `main.rs`) that uses `anyhow`; everything it calls returns typed errors.
//!
//! Exit codes: 0 ok, 1 a finding at or above `--fail-on` exists, 2 usage or input error.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use chrono::{DateTime, Utc};
use clap::{Args, Parser, Subcommand};

use crate::detectors;
use crate::model::InputFormat;
use crate::model::InputSummary;
use crate::model::Severity;
use crate::report::{self, Format};
use crate::scan;

/// Fetches live sources once, as the daemon's first poll would, and adds them to `loaded`.
fn fetch_live(specs: &[PathBuf], depth: usize, loaded: &mut scan::Loaded) -> Result<()> {
    use crate::sources::live::{fetch, LiveSpec};
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let client = crate::sources::http::Client::new(Default::default())?;
    for raw in specs {
        let text = raw.to_string_lossy();
        let spec = LiveSpec::parse(&text).map_err(|e| anyhow::anyhow!("{e}"))?;
        let fetched = runtime
            .block_on(fetch(&client, &spec, &Default::default(), depth))
            .with_context(|| format!("fetching {text}"))?;
        loaded.inputs.push(InputSummary {
            path: text.to_string(),
            format: None,
            live_source: Some(spec.kind()),
            posts: fetched.timeline.posts.len() as u64,
            skipped: fetched.skipped,
            error: None,
            notes: Vec::new(),
        });
        loaded.timelines.push(fetched.timeline);
    }
    Ok(())
}

/// How long `serve` waits, once stopped, for blocking work still running (a file being read).
const SHUTDOWN_WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// Exit code: everything went well and no `--fail-on` threshold was met.
pub const EXIT_OK: i32 = 0;
/// Exit code: a finding at or above the `--fail-on` severity exists.
pub const EXIT_FINDINGS: i32 = 1;
/// Exit code: bad usage, or an input that could not be read.
pub const EXIT_ERROR: i32 = 2;

#[derive(Debug, Parser)]
#[command(
    name = "echoscope",
    version,
    about = "Finds auto-responders and scheduled repetitive promotion in social-media timelines"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Audit exported timelines (archives, JSONL, CSV) and print a report.
    Scan(ScanArgs),
    /// Monitor accounts from public feeds: poll, store history, serve /metrics and a JSON API.
    Serve(ServeArgs),
    /// Write an account's stored history (from the daemon's store) as echoscope JSONL.
    Export(ExportArgs),
    /// Print a JSON Schema: the report (`report`) or the JSONL/CSV post format (`post`).
    Schema { which: SchemaKind },
    /// Work on stores: `store copy` moves a history into PostgreSQL (or back).
    #[command(subcommand)]
    Store(StoreCommand),
}

/// `echoscope store ...`.
#[derive(Debug, Subcommand)]
pub enum StoreCommand {
    /// Copy every account's posts, direct messages, fetch state and runs (with their original
    /// times and reports) from one store to another. Idempotent and resumable: run it again
    /// to finish an interrupted copy; a second run copies nothing.
    Copy(StoreCopyArgs),
}

#[derive(Debug, Args)]
pub struct StoreCopyArgs {
    /// The source: a SQLite file, or a postgres:// URL.
    #[arg(long)]
    pub from: String,
    /// The target: a postgres:// URL (or a SQLite file), created or migrated as needed.
    #[arg(long)]
    pub to: String,
    /// Also print what was copied for each account.
    #[arg(long, short = 'v')]
    pub verbose: bool,
}

#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Files or folders to read: Twitter/X archive (.zip, folder, tweets.js), Mastodon export
    /// (.zip, outbox.json), a brand's downloads from Bluesky (repo.car), Facebook, Instagram
    /// (with Threads), LinkedIn, YouTube Takeout, Reddit or TikTok (each .zip or folder; a folder
    /// of several is read as each), echoscope JSONL or CSV, a saved RSS/Atom/JSON Feed; or a live
    /// source (feed URL, `mastodon:@user@host`, `bsky:handle`).
    #[arg(required = true)]
    pub inputs: Vec<PathBuf>,
    /// Report format: text (terminal), json, html (one self-contained page with charts) or
    /// markdown.
    #[arg(long, short = 'f', value_enum, default_value = "text")]
    pub format: Format,
    /// Write the report to this file instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
    /// Read every input as this format instead of detecting it from content.
    #[arg(long, value_enum)]
    pub input_format: Option<InputFormat>,
    /// Exit with code 1 when a finding of this severity or higher exists.
    #[arg(long, value_parser = clap::value_parser!(Severity))]
    pub fail_on: Option<Severity>,
    /// TOML file with a `[detectors]` table (see README, "Configuration").
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// The time of the analysis (RFC 3339), for reproducible reports; default: now.
    #[arg(long)]
    pub now: Option<DateTime<Utc>>,
    /// Colour in the text report: auto (only on a terminal), always or never.
    #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,
    /// No progress bar.
    #[arg(long, short = 'q')]
    pub quiet: bool,
    /// For live sources: how many posts to page back through.
    #[arg(long, default_value_t = 400)]
    pub depth: usize,
    /// At most this many findings per account (the most severe first); default: every one.
    #[arg(long)]
    pub max_findings: Option<usize>,
    /// At most this many posts per finding, in its `posts` list and its evidence sample;
    /// default: every post, and a sample of 12 with their text.
    #[arg(long)]
    pub max_evidence: Option<usize>,
    /// Show times in this IANA time zone (e.g. `Europe/Berlin`) and count the activity charts'
    /// hours and weekdays in it; default UTC. The JSON keeps its times in UTC.
    #[arg(long, value_name = "ZONE", value_parser = parse_zone)]
    pub tz: Option<chrono_tz::Tz>,
}

/// An IANA zone name, with a hint when it is not one.
fn parse_zone(name: &str) -> Result<chrono_tz::Tz, String> {
    name.parse::<chrono_tz::Tz>().map_err(|_| {
        format!("unknown time zone {name:?} (expected an IANA name such as Europe/Berlin or UTC)")
    })
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// TOML configuration (see deploy/echoscope.example.toml). Without it: built-in demo
    /// accounts, SQLite under ./data, loopback only.
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// Listen address, overriding `server.listen`.
    #[arg(long)]
    pub listen: Option<std::net::SocketAddr>,
    /// Log format, overriding `log.format`.
    #[arg(long, value_parser = ["text", "json"])]
    pub log_format: Option<String>,
    /// Check the configuration (with the environment's overrides) and exit: 0 and a summary
    /// when it would start, 2 and the reason when not. Nothing is opened or contacted.
    #[arg(long)]
    pub check_config: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// The account's configured name.
    #[arg(long, short = 'a')]
    pub account: String,
    /// The daemon's configuration (to find the store); default: the default store path.
    #[arg(long, short = 'c')]
    pub config: Option<PathBuf>,
    /// The SQLite store file, overriding `store.path`.
    #[arg(long)]
    pub db: Option<PathBuf>,
    /// Write here instead of standard output.
    #[arg(long, short = 'o')]
    pub output: Option<PathBuf>,
}

impl clap::builder::ValueParserFactory for Severity {
    type Parser = clap::builder::ValueParser;
    fn value_parser() -> Self::Parser {
        clap::builder::ValueParser::new(|s: &str| s.parse::<Severity>())
    }
}

/// Runs the command line and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
        }
    };
    match run(cli) {
        Ok(code) => code,
        // The reader of standard output went away (`| head`): a normal end, as in ripgrep,
        // for every command that writes there. A file being written never fails so.
        Err(e) if is_broken_pipe(&e) => EXIT_OK,
        Err(e) => {
            eprintln!("echoscope: error: {}", message(&e));
            EXIT_ERROR
        }
    }
}

/// Whether writing to a closed pipe is what failed, at any depth of the error's causes.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// The error and its causes on one line, leaving out a cause whose text the message already
/// ends with (library errors name their cause in their own message).
fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.ends_with(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

fn run(cli: Cli) -> Result<i32> {
    match cli.command {
        Command::Scan(args) => run_scan(args),
        Command::Serve(args) => run_serve(args),
        Command::Export(args) => run_export(args),
        Command::Store(StoreCommand::Copy(args)) => run_store_copy(args),
        Command::Schema { which } => {
            let text = match which {
                SchemaKind::Report => REPORT_SCHEMA,
                SchemaKind::Post => POST_SCHEMA,
            };
            std::io::stdout().write_all(text.as_bytes())?;
            Ok(EXIT_OK)
        }
    }
}

/// The JSON Schemas `echoscope schema` prints.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum SchemaKind {
    /// The JSON report (`report.v1.json`).
    Report,
    /// One JSONL/CSV post record (`post.v1.json`).
    Post,
}

/// When the text report is coloured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ColorChoice {
    /// Only on a terminal, and only without `NO_COLOR`.
    Auto,
    Always,
    Never,
}

/// The JSON Schema of the report, as shipped in the binary.
pub const REPORT_SCHEMA: &str = include_str!("schema/report.v1.json");
/// The JSON Schema of one JSONL/CSV post record.
pub const POST_SCHEMA: &str = include_str!("schema/post.v1.json");

/// The `[detectors]` table of a scan config file.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ScanConfig {
    #[serde(default)]
    detectors: detectors::Config,
}

fn run_scan(args: ScanArgs) -> Result<i32> {
    let detectors = match &args.config {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading config {}", path.display()))?;
            let cfg: ScanConfig =
                toml::from_str(&text).with_context(|| format!("config {}", path.display()))?;
            cfg.detectors
        }
        None => detectors::Config::default(),
    };
    let options = scan::Options {
        input_format: args.input_format,
        detectors,
        now: args.now,
        time_zone: args.tz,
        ..Default::default()
    };
    let zone = args.tz.unwrap_or(chrono_tz::Tz::UTC);
    let show_progress = !args.quiet && std::io::stderr().is_terminal();
    let spinner = show_progress.then(|| {
        let pb = indicatif::ProgressBar::new_spinner();
        pb.set_message("reading inputs");
        pb.enable_steady_tick(std::time::Duration::from_millis(120));
        pb
    });
    // An input that is not a file or folder may be a live source: a feed URL, `bsky:handle`
    // or `mastodon:@user@host`.
    let (files, live): (Vec<PathBuf>, Vec<PathBuf>) = args.inputs.iter().cloned().partition(|p| {
        p.exists() || crate::sources::live::LiveSpec::parse(&p.to_string_lossy()).is_err()
    });
    let mut loaded = scan::load(&files, &options)?;
    if !live.is_empty() {
        fetch_live(&live, args.depth, &mut loaded)?;
    }
    if let Some(pb) = &spinner {
        pb.finish_and_clear();
    }
    loaded.usable()?;
    if let Some(pb) = spinner {
        pb.finish_and_clear();
    }
    let bar = show_progress.then(|| {
        let pb = indicatif::ProgressBar::new(loaded.timelines.len() as u64);
        pb.set_style(
            indicatif::ProgressStyle::with_template(
                "analysing {pos}/{len} accounts {wide_bar} {eta}",
            )
            .expect("a valid template"),
        );
        pb
    });
    let tick = || {
        if let Some(pb) = &bar {
            pb.inc(1);
        }
    };
    let mut report = scan::report(loaded, &options, &tick);
    scan::limit(&mut report, args.max_findings, args.max_evidence);
    if let Some(pb) = &bar {
        pb.finish_and_clear();
    }
    let color = match args.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            args.output.is_none()
                && std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none()
        }
    };
    match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("writing report to {}", path.display()))?;
            let mut out = std::io::BufWriter::new(file);
            report::write(&report, args.format, color, zone, &mut out)
                .and_then(|_| out.flush())
                .with_context(|| format!("writing report to {}", path.display()))?;
        }
        None => {
            let mut out = std::io::BufWriter::new(std::io::stdout().lock());
            // A closed pipe (`| head`) is not an error worth a message.
            if let Err(e) =
                report::write(&report, args.format, color, zone, &mut out).and_then(|_| out.flush())
            {
                if e.kind() != std::io::ErrorKind::BrokenPipe {
                    return Err(e.into());
                }
            }
        }
    }
    Ok(match args.fail_on {
        Some(s) if report.has_finding_at_least(s) => EXIT_FINDINGS,
        _ => EXIT_OK,
    })
}

fn run_serve(args: ServeArgs) -> Result<i32> {
    let (mut config, path) = match &args.config {
        Some(p) => (crate::config::Config::load(p)?, Some(p.clone())),
        None => (crate::demo::config()?, None),
    };
    if let Some(listen) = args.listen {
        config.server.listen = listen;
    }
    if args.check_config {
        println!(
            "{}: configuration OK: {} accounts, store {}, lease {} s",
            path.as_ref()
                .map_or("built-in demo".to_string(), |p| p.display().to_string()),
            config.accounts.len(),
            config.store.backend,
            config.cluster.lease_seconds
        );
        return Ok(0);
    }
    if let Some(f) = &args.log_format {
        config.log.format = if f == "json" {
            crate::config::LogFormat::Json
        } else {
            crate::config::LogFormat::Text
        };
    }
    init_logging(&config.log);
    if path.is_none() {
        tracing::info!(
            "no --config: serving the bundled demo accounts (see deploy/echoscope.example.toml to monitor your own)"
        );
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the async runtime")?;
    let served = runtime.block_on(crate::server::supervisor::run(
        crate::server::supervisor::Options {
            config,
            config_path: path,
        },
    ));
    // A blocking read that never returns (a file on a stalled mount) would keep the process
    // alive after "stopped", since dropping a runtime waits for its blocking threads: the wait
    // is bounded, and what is still blocked then ends with the process.
    runtime.shutdown_timeout(SHUTDOWN_WAIT);
    served?;
    Ok(EXIT_OK)
}

fn init_logging(log: &crate::config::Log) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(&log.level))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_ansi(std::io::stderr().is_terminal())
        .with_writer(std::io::stderr);
    let _ = match log.format {
        crate::config::LogFormat::Json => builder.json().try_init(),
        crate::config::LogFormat::Text => builder.try_init(),
    };
}

fn run_export(args: ExportArgs) -> Result<i32> {
    let config = match &args.config {
        Some(p) => crate::config::Config::load(p)?,
        None => {
            // No file, but the environment may still name a database (ECHOSCOPE_STORE_URL).
            let mut config = crate::config::Config::default();
            config.apply_env();
            config
        }
    };
    let mut store_config = config.store;
    if let Some(db) = &args.db {
        // An explicit SQLite file wins over a configured database URL.
        store_config.path = db.clone();
        store_config.url = None;
        store_config.backend = crate::store::Backend::Sqlite;
    }
    // Opening creates a missing store: an empty new one would only hide a wrong path.
    match store_config.selected_backend() {
        crate::store::Backend::Sqlite => {
            if !store_config.path.exists() {
                anyhow::bail!(
                    "no store at {} (run `echoscope serve` first, or pass --db)",
                    store_config.path.display()
                );
            }
        }
        // A database server: opening an empty one finds no account, reported below.
        crate::store::Backend::Postgres => {}
    }
    // Export only reads: no migration, no lock, works on a read-only file and beside a daemon.
    let store = crate::store::open_read_only(&store_config)?;
    let key = store
        .accounts()?
        .into_iter()
        .find(|k| k.name == args.account)
        .ok_or_else(|| {
            anyhow::anyhow!(
                "account {:?} is not in the store {}",
                args.account,
                store_config.location()
            )
        })?;
    let written = match &args.output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .with_context(|| format!("creating {}", path.display()))?;
            crate::store::export_jsonl(store.as_ref(), &key, std::io::BufWriter::new(file))?
        }
        None => crate::store::export_jsonl(store.as_ref(), &key, std::io::stdout().lock())?,
    };
    eprintln!("exported {written} posts of {}", args.account);
    Ok(EXIT_OK)
}

/// The way a store is named on the command line and in messages: the SQLite path as given, or
/// the URL without its password.
fn store_label(location: &str) -> String {
    if crate::store::postgres::is_url(location) {
        match location.parse() {
            Ok(config) => crate::store::postgres::redact(&config),
            Err(_) => "postgres URL (invalid)".to_string(),
        }
    } else {
        location.to_string()
    }
}

fn run_store_copy(args: StoreCopyArgs) -> Result<i32> {
    let (from_label, to_label) = (store_label(&args.from), store_label(&args.to));
    // A missing source file would be created empty by opening it: name the mistake instead.
    if !crate::store::postgres::is_url(&args.from) && !std::path::Path::new(&args.from).exists() {
        anyhow::bail!("no store at {from_label}");
    }
    if from_label == to_label {
        anyhow::bail!("--from and --to are the same store ({from_label})");
    }
    let from = crate::store::open_location(&args.from)
        .with_context(|| format!("opening the source {from_label}"))?;
    let to = crate::store::open_location(&args.to)
        .with_context(|| format!("opening the target {to_label}"))?;
    let copied = crate::store::copy::copy(from.as_ref(), to.as_ref(), |a| {
        if args.verbose {
            eprintln!(
                "{}\t{}: {} posts, {} direct messages, {} runs{}",
                a.key.name,
                a.key.platform.as_str(),
                a.posts,
                a.direct_messages,
                a.runs,
                if a.fetch_state { ", fetch state" } else { "" }
            );
        }
    })?;
    eprintln!(
        "copied {from_label} -> {to_label}: {} accounts, {} posts, {} direct messages, \
         {} fetch states, {} runs{}",
        copied.accounts,
        copied.posts,
        copied.direct_messages,
        copied.fetch_states,
        copied.runs,
        if copied.is_empty() {
            " (the target already had everything)"
        } else {
            ""
        }
    );
    Ok(EXIT_OK)
}
