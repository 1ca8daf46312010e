//! `gen`: writes labelled synthetic timelines (test and benchmark data, see the
//! `echoscope_synth` crate) as echoscope JSONL or as Twitter archives. It was `echoscope gen`
//! before the generator left the echoscope binary; the flags and the bytes written are the same.
//!
//! Exit codes: 0 ok, 2 usage or output error.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context as _, Result};
use clap::Parser;
use echoscope::sources::jsonl;
use echoscope_synth::{scenario, stream, twitter_archive, SCENARIOS};

/// Exit code: bad usage, or an output that could not be written.
const EXIT_ERROR: i32 = 2;

/// What `gen` writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
#[value(rename_all = "kebab-case")]
enum Format {
    /// echoscope JSONL, one post per line (`-o -` for standard output).
    Jsonl,
    /// Twitter/X archive: a .zip (or a folder) per account; with several accounts, `-o` is a
    /// folder that gets one `<account>.zip` each.
    TwitterArchive,
}

/// Write labelled synthetic timelines (test and benchmark data for echoscope).
#[derive(Debug, Parser)]
#[command(name = "gen", version)]
struct Args {
    /// Named scenario: mixed, quality, demo, human, scheduled-promo, auto-responder, newsroom,
    /// support-agents, heavy-replier, occasional-scheduler, link-resharer.
    #[arg(long, default_value = "mixed")]
    scenario: String,
    /// Seed: the same seed and sizes always give the same bytes.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Posts in total (default: the scenario's; accounts grow to keep posts per account).
    #[arg(long)]
    posts: Option<u64>,
    /// Accounts (default: the scenario's).
    #[arg(long)]
    accounts: Option<usize>,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "jsonl")]
    format: Format,
    /// Where to write.
    #[arg(long, short = 'o')]
    output: PathBuf,
    /// Also write each account's true labels, one JSON object per line, to this file.
    #[arg(long)]
    labels: Option<PathBuf>,
}

fn main() {
    let args = Args::parse();
    if let Err(e) = run(args) {
        eprintln!("gen: error: {e:#}");
        std::process::exit(EXIT_ERROR);
    }
}

fn run(args: Args) -> Result<()> {
    let Some(spec) = scenario(&args.scenario) else {
        let names: Vec<&str> = SCENARIOS.iter().map(|(n, _)| *n).collect();
        anyhow::bail!(
            "unknown scenario {:?} (known: {})",
            args.scenario,
            names.join(", ")
        );
    };
    let spec = spec.resized(args.posts, args.accounts);
    let mut labels_out = match &args.labels {
        Some(path) => Some(std::io::BufWriter::new(
            std::fs::File::create(path)
                .with_context(|| format!("creating labels file {}", path.display()))?,
        )),
        None => None,
    };
    let to_stdout = args.output.as_os_str() == "-";
    let out_path = args.output.display().to_string();
    let mut jsonl_out: Option<Box<dyn Write>> = match args.format {
        Format::Jsonl if to_stdout => Some(Box::new(std::io::BufWriter::with_capacity(
            1 << 20,
            std::io::stdout().lock(),
        ))),
        Format::Jsonl => Some(Box::new(std::io::BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(&args.output).with_context(|| format!("creating {out_path}"))?,
        ))),
        Format::TwitterArchive => {
            anyhow::ensure!(!to_stdout, "a twitter archive cannot go to standard output");
            if spec.accounts > 1 {
                std::fs::create_dir_all(&args.output)
                    .with_context(|| format!("creating folder {out_path}"))?;
            }
            None
        }
    };
    for (timeline, labels) in stream(args.seed, &spec) {
        match &mut jsonl_out {
            Some(w) => {
                jsonl::write_timeline(w, &timeline)
                    .with_context(|| format!("writing {out_path}"))?;
            }
            None => {
                let path = if spec.accounts > 1 {
                    args.output.join(format!("{}.zip", timeline.account))
                } else {
                    args.output.clone()
                };
                // The error's message already names its cause: `{:#}` would repeat it.
                twitter_archive::write(&path, &timeline).map_err(|e| anyhow::anyhow!("{e}"))?;
            }
        }
        if let Some(w) = &mut labels_out {
            serde_json::to_writer(&mut *w, &labels)?;
            w.write_all(b"\n")?;
        }
    }
    if let Some(mut w) = jsonl_out {
        w.flush().with_context(|| format!("writing {out_path}"))?;
    }
    if let Some(mut w) = labels_out {
        w.flush()?;
    }
    Ok(())
}
