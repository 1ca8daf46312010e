//! Golden reports: the real binary scans each `fixtures/scenarios/<name>/input.jsonl` and its
//! JSON report must equal `expected.json` byte for byte (only `\` path separators are turned
//! into `/`).
//!
//! After an intended change to detectors, scoring or the report, regenerate every golden with
//! `ECHOSCOPE_BLESS=1 cargo test golden` and review the diff like code. The inputs themselves
//! are made by the generator's `gen` binary (`crates/synth`; commands in
//! `fixtures/scenarios/README.md`) and never rewritten
//! here. A scan that fails is recorded as `{"scan_failed": {...}}` with its exit code and error
//! so that the golden still says what the binary did; the test prints every such golden, since
//! a failed scan is never the intended final state.

use std::path::{Path, PathBuf};
use std::process::Command;

const NOW: &str = "2026-01-01T00:00:00Z";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scenarios() -> Vec<String> {
    let dir = root().join("fixtures/scenarios");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .filter_map(|e| e.ok())
        .filter(|e| e.path().join("input.jsonl").is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// What the binary printed for one scenario, as the golden holds it.
fn scan(name: &str) -> String {
    // A relative input path keeps the report's `inputs[].path` the same on every machine.
    let input = format!("fixtures/scenarios/{name}/input.jsonl");
    let out = Command::new(env!("CARGO_BIN_EXE_echoscope"))
        .current_dir(root())
        .args(["scan", &input, "--format", "json", "--now", NOW, "--quiet"])
        .output()
        .expect("the echoscope binary runs");
    let text = if out.status.success() || out.status.code() == Some(1) {
        String::from_utf8_lossy(&out.stdout).into_owned()
    } else {
        let failed = serde_json::json!({ "scan_failed": {
            "exit_code": out.status.code(),
            "stderr": String::from_utf8_lossy(&out.stderr).trim(),
        }});
        let mut s = serde_json::to_string_pretty(&failed).expect("json");
        s.push('\n');
        s
    };
    normalise(&text)
}

/// Windows paths in the report: `\` is escaped as `\\` inside JSON strings.
fn normalise(text: &str) -> String {
    text.replace("\\\\", "/")
}

fn expected_path(name: &str) -> PathBuf {
    root()
        .join("fixtures/scenarios")
        .join(name)
        .join("expected.json")
}

/// The first line where a golden and the binary's output part, for the failure message.
fn first_difference(name: &str, expected: &str, actual: &str) -> String {
    let line = expected
        .lines()
        .zip(actual.lines())
        .position(|(a, b)| a != b)
        .unwrap_or_else(|| expected.lines().count().min(actual.lines().count()));
    format!(
        "{name}: differs from line {}\n  expected: {}\n  actual:   {}",
        line + 1,
        expected.lines().nth(line).unwrap_or("<end>"),
        actual.lines().nth(line).unwrap_or("<end>"),
    )
}

#[test]
fn golden_reports_match() {
    let names = scenarios();
    assert!(
        names.len() >= 5,
        "expected at least 5 scenarios, found {names:?}"
    );
    let bless = std::env::var_os("ECHOSCOPE_BLESS").is_some_and(|v| v == "1");
    let mut mismatches = Vec::new();
    for name in &names {
        let actual = scan(name);
        let path = expected_path(name);
        if actual.contains("\"scan_failed\"") {
            println!("golden {name}: the scan failed; the golden records the failure");
        }
        if bless {
            std::fs::write(&path, &actual).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (create it with ECHOSCOPE_BLESS=1 cargo test golden)",
                path.display()
            )
        });
        if normalise(&expected) != actual {
            mismatches.push(first_difference(name, &expected, &actual));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{}\n(if the change is intended: ECHOSCOPE_BLESS=1 cargo test golden)",
        mismatches.join("\n")
    );
}

/// The demo archive's report for people: the HTML page (`expected.html`) and the Markdown with
/// times in Berlin (`expected-berlin.md`, which also pins `--tz`). Same bless command.
#[test]
fn golden_demo_reports_for_people_match() {
    let bless = std::env::var_os("ECHOSCOPE_BLESS").is_some_and(|v| v == "1");
    let cases: [(&str, &[&str]); 2] = [
        ("expected.html", &["--format", "html"]),
        (
            "expected-berlin.md",
            &["--format", "markdown", "--tz", "Europe/Berlin"],
        ),
    ];
    let mut mismatches = Vec::new();
    for (golden, flags) in cases {
        let out = Command::new(env!("CARGO_BIN_EXE_echoscope"))
            .current_dir(root())
            .args([
                "scan",
                "fixtures/demo/brand-archive.zip",
                "--now",
                NOW,
                "--quiet",
            ])
            .args(flags)
            .output()
            .expect("the echoscope binary runs");
        assert!(
            out.status.success(),
            "{golden}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let actual = String::from_utf8(out.stdout).expect("UTF-8");
        let path = root().join("fixtures/demo").join(golden);
        if bless {
            std::fs::write(&path, &actual).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            continue;
        }
        let expected = std::fs::read_to_string(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (create it with ECHOSCOPE_BLESS=1 cargo test golden)",
                path.display()
            )
        });
        if expected != actual {
            mismatches.push(first_difference(golden, &expected, &actual));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{}\n(if the change is intended: ECHOSCOPE_BLESS=1 cargo test golden)",
        mismatches.join("\n")
    );
}

#[test]
fn golden_inputs_are_the_generator_output() {
    // The inputs are generated; this keeps them reproducible from the documented commands.
    for name in scenarios() {
        let Some(spec) = echoscope_synth::scenario(&name) else {
            continue; // written by hand
        };
        let mut out = Vec::new();
        for (t, _) in echoscope_synth::stream(1, &spec) {
            echoscope::sources::jsonl::write_timeline(&mut out, &t).expect("write to memory");
        }
        let path = root()
            .join("fixtures/scenarios")
            .join(&name)
            .join("input.jsonl");
        let on_disk = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert!(
            on_disk == out,
            "{} is not `gen --scenario {name} --seed 1` output; regenerate it \
             (fixtures/scenarios/README.md)",
            path.display()
        );
    }
}

#[test]
fn demo_archive_is_the_documented_generator_output() {
    // fixtures/demo/README.md documents the command; the README quick start scans this file.
    let spec = echoscope_synth::scenario("demo").expect("the demo scenario exists");
    let accounts = echoscope_synth::generate(1, &spec);
    assert_eq!(accounts.len(), 1);
    let dir = tempfile::tempdir().expect("a temporary folder");
    let made = dir.path().join("brand-archive.zip");
    echoscope_synth::twitter_archive::write(&made, &accounts[0].0).expect("write the archive");
    let shipped = root().join("fixtures/demo/brand-archive.zip");
    let shipped = std::fs::read(&shipped).unwrap_or_else(|e| panic!("{}: {e}", shipped.display()));
    assert!(
        shipped.len() < 300_000,
        "the demo archive grew to {} bytes",
        shipped.len()
    );
    assert!(
        shipped == std::fs::read(&made).expect("read"),
        "fixtures/demo/brand-archive.zip is not the output of the command in fixtures/demo/README.md"
    );
}

#[test]
fn every_report_matches_the_report_schema() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../src/schema/report.v1.json")).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    let check = |what: &str, report: &serde_json::Value| {
        let errors: Vec<String> = validator
            .iter_errors(report)
            .map(|e| format!("{} at {}", e, e.instance_path))
            .collect();
        assert!(errors.is_empty(), "{what}: {}", errors.join("\n"));
    };
    // The goldens, and reports with skipped records, live sources and empty accounts.
    for name in scenarios() {
        let path = root()
            .join("fixtures/scenarios")
            .join(&name)
            .join("expected.json");
        let report: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        check(&name, &report);
    }
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_echoscope"))
        .args(["scan", "--format", "json", "--now", "2026-01-01T00:00:00Z"])
        .arg(root().join("fixtures/demo/brand-archive.zip"))
        .arg(root().join("fixtures/twitter/damaged"))
        .arg(root().join("fixtures/mastodon"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    check("demo + damaged + mastodon", &report);
    assert!(report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["skipped"]["count"].as_u64().unwrap() > 0));
    // The schema is not a rubber stamp.
    let mut broken = report.clone();
    broken["accounts"][0]["score"] = serde_json::json!(101);
    assert!(!validator.is_valid(&broken));
    let mut broken = report;
    broken["accounts"][0]["findings"][0]["severity"] = serde_json::json!("urgent");
    assert!(!validator.is_valid(&broken));
}

/// With `--tz`, the schedules detectors put in words read in that zone: the demo's Buffer queue
/// at 15:00 UTC reads 16:00 in Berlin (17:00 in summer time), and no schedule says UTC; the
/// findings themselves are the ones the UTC report has.
#[test]
fn tz_puts_the_schedule_words_in_the_zone() {
    let scan = |tz: &[&str]| -> serde_json::Value {
        let out = Command::new(env!("CARGO_BIN_EXE_echoscope"))
            .current_dir(root())
            .args([
                "scan",
                "fixtures/demo/brand-archive.zip",
                "--format",
                "json",
            ])
            .args(["--now", NOW, "--quiet"])
            .args(tz)
            .output()
            .expect("the echoscope binary runs");
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        serde_json::from_slice(&out.stdout).expect("JSON")
    };
    let findings = |report: &serde_json::Value| -> Vec<serde_json::Value> {
        report["accounts"][0]["findings"]
            .as_array()
            .cloned()
            .unwrap_or_default()
    };
    let (utc, berlin) = (scan(&[]), scan(&["--tz", "Europe/Berlin"]));
    let (utc, berlin) = (findings(&utc), findings(&berlin));
    assert!(!berlin.is_empty());
    let detectors = |fs: &[serde_json::Value]| -> Vec<String> {
        fs.iter().map(|f| f["detector"].to_string()).collect()
    };
    assert_eq!(detectors(&utc), detectors(&berlin));
    let schedules: Vec<&str> = berlin
        .iter()
        .filter_map(|f| f["schedule"].as_str())
        .collect();
    assert!(
        schedules.contains(&"every 3 days, 16:00 Europe/Berlin ±1 min (CET; 17:00 CEST)"),
        "{schedules:?}"
    );
    for f in &berlin {
        let words = f["summary"].as_str().unwrap_or("");
        assert!(!words.contains("UTC"), "{words}");
        assert!(!f["schedule"].as_str().unwrap_or("").contains("UTC"), "{f}");
    }
    let utc_words: Vec<&str> = utc.iter().filter_map(|f| f["summary"].as_str()).collect();
    assert!(
        utc_words
            .contains(&"posted 46 times, every 3 days, 15:00 UTC ±1 min, via Buffer (promotional)"),
        "{utc_words:?}"
    );
}
