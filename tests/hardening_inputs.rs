//! Regression tests of issue 18's items on inputs, the CLI and reports: pipes and named pipes,
//! nothing usable, a closed standard output, rows that vanished silently, scores of nothing
//! and text that steered the terminal. Each test is named after what it guards.

use std::io::{Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{TimeZone, Utc};
use echoscope::model::{Platform, Post, Timeline};
use echoscope::sources::{self, Limits};

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn scenario(name: &str) -> PathBuf {
    root().join(format!("fixtures/scenarios/{name}/input.jsonl"))
}

fn echoscope() -> Command {
    Command::new(env!("CARGO_BIN_EXE_echoscope"))
}

/// Runs the binary with `stdin` as standard input; (exit code, stdout, stderr).
fn run_with_stdin(args: &[&str], stdin: &[u8]) -> (Option<i32>, String, String) {
    let mut child = echoscope()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the echoscope binary runs");
    let mut input = child.stdin.take().expect("stdin");
    let data = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("echoscope ends");
    let _ = writer.join();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Waits for a child at most `limit`, killing it after: a hang fails the test, never the suite.
fn wait_bounded(mut child: std::process::Child, limit: Duration) -> std::process::Output {
    let start = Instant::now();
    while child.try_wait().expect("try_wait").is_none() {
        if start.elapsed() > limit {
            let _ = child.kill();
            panic!("echoscope still running after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    child.wait_with_output().expect("output")
}

fn mkfifo(path: &Path) {
    let ok = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs")
        .success();
    assert!(ok, "mkfifo {}", path.display());
}

fn json(stdout: &str) -> serde_json::Value {
    serde_json::from_str(stdout).unwrap_or_else(|e| panic!("{e}: {stdout}"))
}

// ---------------------------------------------------------------------------------------------
// 1. Pipes and FIFOs.

#[test]
fn standard_input_as_dash_is_read_whole_and_fails_the_gate() {
    let data = std::fs::read(scenario("scheduled-promo")).unwrap();
    let (code, stdout, stderr) = run_with_stdin(
        &[
            "scan",
            "-",
            "--format",
            "json",
            "--quiet",
            "--fail-on",
            "low",
        ],
        &data,
    );
    assert_eq!(code, Some(1), "a finding fails the gate: {stderr}");
    let report = json(&stdout);
    assert_eq!(report["inputs"][0]["path"], "-");
    let lines = data.iter().filter(|&&b| b == b'\n').count() as u64;
    assert_eq!(report["inputs"][0]["posts"].as_u64(), Some(lines));
}

#[test]
fn dev_stdin_on_a_pipe_is_read_once_not_twice() {
    let data = std::fs::read(scenario("human")).unwrap();
    let (code, stdout, stderr) = run_with_stdin(
        &["scan", "/dev/stdin", "--format", "json", "--quiet"],
        &data,
    );
    assert_eq!(code, Some(0), "{stderr}");
    assert_eq!(json(&stdout)["inputs"][0]["posts"].as_u64(), Some(120));
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_refused_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("posts.jsonl");
    mkfifo(&fifo);
    let child = echoscope()
        .args(["scan", "--quiet"])
        .arg(&fifo)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_bounded(child, Duration::from_secs(20));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("not a regular file"), "{stderr}");
    assert!(stderr.contains("posts.jsonl"), "{stderr}");
}

#[cfg(unix)]
#[test]
fn a_named_pipe_in_a_folder_is_left_out_not_waited_on() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("stuck.jsonl"));
    std::fs::copy(scenario("human"), dir.path().join("human.jsonl")).unwrap();
    let child = echoscope()
        .args(["scan", "--quiet", "--format", "json"])
        .arg(dir.path())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_bounded(child, Duration::from_secs(20));
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let report = json(&String::from_utf8_lossy(&out.stdout));
    let left_out: Vec<&serde_json::Value> = report["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["path"].as_str().unwrap().ends_with("stuck.jsonl"))
        .collect();
    assert_eq!(left_out.len(), 1, "{report}");
    assert!(left_out[0]["error"]
        .as_str()
        .unwrap()
        .contains("not a regular file"));
}

// ---------------------------------------------------------------------------------------------
// 13. Nothing usable is an error; a closed pipe is a normal end; messages.

#[test]
fn a_folder_with_nothing_usable_is_an_error_naming_each_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.txt"), "hello there").unwrap();
    std::fs::write(dir.path().join("empty.jsonl"), "").unwrap();
    let out = echoscope()
        .args(["scan", "--quiet"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("nothing usable"), "{stderr}");
    assert!(stderr.contains("notes.txt"), "{stderr}");
    assert!(stderr.contains("empty.jsonl: no posts"), "{stderr}");
}

#[test]
fn an_empty_standard_input_is_an_error_named_dash() {
    let (code, _, stderr) = run_with_stdin(&["scan", "-", "--quiet"], b"");
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("-: "), "{stderr}");
    assert!(stderr.contains("empty"), "{stderr}");
    assert!(!stderr.contains("echoscope-stdin"), "{stderr}");
}

#[test]
fn a_closed_standard_output_ends_export_quietly() {
    use echoscope::store::{sqlite::Sqlite, AccountKey, Store};
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("e.db");
    let store = Sqlite::open(&db).unwrap();
    let key = AccountKey {
        name: "lumen".into(),
        platform: Platform::Twitter,
    };
    store.ensure_account(&key, "lumen").unwrap();
    let t0 = Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap();
    // Far more than a pipe's buffer, so the writer meets the closed end.
    let posts: Vec<Post> = (0..4000)
        .map(|i| {
            Post::new(
                i.to_string(),
                t0 + chrono::Duration::minutes(i),
                "a post long enough to fill the pipe quickly",
            )
        })
        .collect();
    store.insert_posts(&key, &posts).unwrap();
    drop(store);
    let mut child = echoscope()
        .args(["export", "--account", "lumen", "--db"])
        .arg(&db)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 1];
    child.stdout.take().unwrap().read_exact(&mut first).unwrap();
    // The reader went away after one byte, as `| head -c 1` does.
    let out = wait_bounded(child, Duration::from_secs(20));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(!stderr.contains("Broken pipe"), "{stderr}");
}

#[test]
fn twitter_file_messages_say_what_the_file_is_without_placeholders() {
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join("odd.js");
    std::fs::write(&odd, "window.settings = []").unwrap();
    let err = sources::twitter_archive::read(&odd, &Limits::default())
        .unwrap_err()
        .to_string();
    assert!(!err.contains("`?`"), "{err}");
    assert!(err.contains("window.settings"), "{err}");

    let text = dir.path().join("tweets.js");
    std::fs::write(&text, "hello").unwrap();
    let err = sources::twitter_archive::read(&text, &Limits::default())
        .unwrap_err()
        .to_string();
    assert!(!err.contains("neither"), "{err}");
    assert!(err.contains("not a zip archive"), "{err}");
}

// ---------------------------------------------------------------------------------------------
// 9. Rows that vanished silently.

fn csv_rows(n: usize, broken_row: usize) -> String {
    let mut s = String::from("account,platform,id,created_at,text\n");
    for i in 2..=n {
        let at =
            Utc.with_ymd_and_hms(2025, 1, 1, 0, 0, 0).unwrap() + chrono::Duration::hours(i as i64);
        if i == broken_row {
            s.push_str(&format!(
                "a,twitter,{i},{},\"an open quote\n",
                at.to_rfc3339()
            ));
        } else {
            s.push_str(&format!("a,twitter,{i},{},post {i}\n", at.to_rfc3339()));
        }
    }
    s
}

#[test]
fn an_unterminated_quote_is_a_named_damaged_row_not_one_post() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("posts.csv");
    std::fs::write(&path, csv_rows(1002, 500)).unwrap();
    let (_, batch) = sources::read(&path, None, &Limits::default()).unwrap();
    let posts: usize = batch.timelines.iter().map(|t| t.posts.len()).sum();
    assert_eq!(posts, 498, "rows 2..=499 are whole");
    assert_eq!(batch.skipped.count, 1);
    assert_eq!(batch.skipped.examples[0].record, "row 500");
    assert!(
        batch.skipped.examples[0].reason.contains("never closed"),
        "{:?}",
        batch.skipped.examples
    );
}

fn jsonl_line(id: &str, at: &str, text: &str) -> String {
    format!(
        "{{\"account\":\"b\",\"platform\":\"twitter\",\"id\":\"{id}\",\"created_at\":\"{at}\",\"text\":\"{text}\"}}\n"
    )
}

#[test]
fn repeated_post_ids_are_counted_and_named() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("posts.jsonl");
    let mut body = jsonl_line("1", "2025-01-01T00:00:00Z", "one");
    for i in 0..10 {
        body.push_str(&jsonl_line("dup", "2025-01-02T00:00:00Z", &format!("v{i}")));
    }
    std::fs::write(&path, body).unwrap();
    let (_, batch) = sources::read(&path, None, &Limits::default()).unwrap();
    assert_eq!(batch.timelines[0].posts.len(), 2);
    assert_eq!(batch.skipped.count, 9, "{:?}", batch.skipped);
    assert!(batch
        .skipped
        .examples
        .iter()
        .all(|p| p.record == "post dup" && p.reason.contains("other content")));
}

#[test]
fn dates_outside_the_plausible_range_are_damaged_records() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("posts.jsonl");
    let body = [
        jsonl_line("year1", "0001-01-01T00:00:00Z", "a"),
        jsonl_line("year9999", "9999-01-01T00:00:00Z", "b"),
        jsonl_line("before_twitter", "2005-06-01T00:00:00Z", "c"),
        jsonl_line("next_month", "2025-03-01T00:00:00Z", "d"),
        jsonl_line("ok", "2025-01-30T00:00:00Z", "e"),
        jsonl_line("tomorrow", "2025-02-02T00:00:00Z", "f"),
    ]
    .concat();
    std::fs::write(&path, body).unwrap();
    let now = Utc.with_ymd_and_hms(2025, 2, 1, 0, 0, 0).unwrap();
    let (_, batch) = sources::read_at(&path, None, &Limits::default(), now).unwrap();
    let kept: Vec<&str> = batch.timelines[0]
        .posts
        .iter()
        .map(|p| p.id.as_str())
        .collect();
    assert_eq!(kept, ["ok", "tomorrow"], "a day ahead is clock skew");
    assert_eq!(batch.skipped.count, 4);
    let named: Vec<&str> = batch
        .skipped
        .examples
        .iter()
        .map(|p| p.record.as_str())
        .collect();
    for id in ["year1", "year9999", "before_twitter", "next_month"] {
        assert!(named.contains(&format!("post {id}").as_str()), "{named:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// 6a. No posts, no score.

fn report_of(timeline: &Timeline) -> echoscope::model::Report {
    let now = Utc.with_ymd_and_hms(2026, 1, 1, 0, 0, 0).unwrap();
    echoscope::model::Report {
        schema_version: echoscope::model::SCHEMA_VERSION,
        tool: echoscope::model::Tool::current(),
        generated_at: now,
        accounts: vec![echoscope::scan::analyse(timeline, &Default::default(), now)],
        inputs: Vec::new(),
    }
}

fn rendered(report: &echoscope::model::Report, format: echoscope::report::Format) -> String {
    let mut out = Vec::new();
    echoscope::report::write(report, format, false, chrono_tz::Tz::UTC, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
fn an_account_without_posts_gets_no_score_in_any_report() {
    let report = report_of(&Timeline::new("quiet", Platform::Twitter));
    assert_eq!(report.accounts[0].verdict, echoscope::score::NO_POSTS);
    for format in [
        echoscope::report::Format::Text,
        echoscope::report::Format::Json,
        echoscope::report::Format::Html,
        echoscope::report::Format::Markdown,
    ] {
        // The HTML page's footer explains the scale in general words: not a verdict.
        let text = rendered(&report, format)
            .replace("100 reads as a person talking with people; each sign", "");
        assert!(
            text.contains("no posts in the analysis window"),
            "{format:?}: {text}"
        );
        assert!(!text.contains("reads as a person"), "{format:?}: {text}");
        assert!(!text.contains("100/100"), "{format:?}: {text}");
    }
}

#[tokio::test]
async fn a_file_account_older_than_its_window_has_no_score() {
    use echoscope::config::{Account, Config, Source};
    use echoscope::server::{poller, State};
    use echoscope::store::Store as _;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("old.jsonl");
    let body: String = (0..40)
        .map(|i| {
            jsonl_line(
                &i.to_string(),
                &format!("2019-03-{:02}T09:00:00Z", 1 + i % 28),
                "hello",
            )
        })
        .collect();
    std::fs::write(&file, body).unwrap();
    let mut config = Config::default();
    config
        .accounts
        .push(Account::new("old", Source::file(&file)));
    let store = Arc::new(echoscope::store::sqlite::Sqlite::open(dir.path().join("e.db")).unwrap());
    let state = State::new(config.clone(), store.clone());
    let client = echoscope::sources::http::Client::new(poller::client_config(&config)).unwrap();
    poller::poll_once(&state, &config.accounts[0], &client, false).await;
    let status = state.status("old");
    assert!(status.last_error.is_none(), "{:?}", status.last_error);
    assert!(status.posts_stored > 0);
    let key = state.key("old").unwrap();
    let report = store.latest_report(&key).unwrap().unwrap();
    assert_eq!(report.verdict, echoscope::score::NO_POSTS);
    assert!(!report.scored());
}

// ---------------------------------------------------------------------------------------------
// 2. A blocked `file:` source.

#[cfg(unix)]
#[tokio::test]
async fn a_named_pipe_file_source_is_refused_not_pending() {
    use echoscope::config::{Account, Config, Source};
    use echoscope::server::{poller, State};
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("feed.jsonl");
    mkfifo(&fifo);
    let mut config = Config::default();
    config
        .accounts
        .push(Account::new("piped", Source::file(&fifo)));
    let store = Arc::new(echoscope::store::sqlite::Sqlite::open(dir.path().join("e.db")).unwrap());
    let state = State::new(config.clone(), store);
    let client = echoscope::sources::http::Client::new(poller::client_config(&config)).unwrap();
    tokio::time::timeout(
        Duration::from_secs(20),
        poller::poll_once(&state, &config.accounts[0], &client, false),
    )
    .await
    .expect("the poll ends");
    let error = state.status("piped").last_error.unwrap_or_default();
    assert!(error.contains("not a regular file"), "{error}");
}

// ---------------------------------------------------------------------------------------------
// 8. Terminal and Markdown injection.

fn hostile_timeline() -> Timeline {
    let t0 = Utc.with_ymd_and_hms(2025, 1, 1, 9, 0, 0).unwrap();
    let mut tl = Timeline::new("ev\u{1b}[31mil\u{202e}", Platform::Mastodon);
    for i in 0..5 {
        tl.posts.push(Post::new(
            format!("https://h.example/{i}\n# heading"),
            t0 + chrono::Duration::days(i),
            "Buy \u{1b}]0;pwned\u{7} now [x](http://evil.example) www.evil.example <b>x</b>",
        ));
    }
    tl.finish();
    tl
}

#[test]
fn post_text_and_names_cannot_steer_the_terminal() {
    let report = report_of(&hostile_timeline());
    for color in [false, true] {
        let text = echoscope::report::text::render(&report, color, chrono_tz::Tz::UTC);
        assert!(!text.contains("\u{1b}]"), "an OSC sequence got through");
        assert!(
            !text.contains("\u{1b}[31mil"),
            "a colour of the input got through"
        );
        assert!(!text.contains('\u{202e}'), "a bidi override got through");
        assert!(!text.contains('\u{7}'));
        assert!(text.contains("\\u{1b}[31mil\\u{202e}"), "{text}");
    }
}

#[test]
fn markdown_post_text_cannot_make_links_or_markup() {
    let report = report_of(&hostile_timeline());
    let md = rendered(&report, echoscope::report::Format::Markdown);
    assert!(!md.contains('\u{1b}') && !md.contains('\u{202e}'));
    assert!(!md.contains("](http://evil"), "{md}");
    assert!(
        !md.contains("http://evil"),
        "a bare link GitHub would link: {md}"
    );
    assert!(!md.contains("www.evil"), "{md}");
    assert!(!md.contains("<b>"), "{md}");
    assert!(!md.contains("\n# heading"), "an id ended its link: {md}");
    let html = rendered(&report, echoscope::report::Format::Html);
    assert!(!html.contains("<b>x</b>"), "HTML escapes post text");
}

#[test]
fn html_post_text_and_names_cannot_turn_lines_around() {
    let report = report_of(&hostile_timeline());
    let html = rendered(&report, echoscope::report::Format::Html);
    assert!(!html.contains('\u{202e}'), "a bidi override got through");
    assert!(!html.contains('\u{1b}') && !html.contains('\u{7}'));
    assert!(html.contains("\\u{202e}"), "written out where it stood");
    // The daemon's account page renders through `account`.
    let page =
        echoscope::report::html::account(&report.accounts[0], chrono_tz::Tz::UTC).into_string();
    assert!(!page.contains('\u{202e}') && page.contains("\\u{202e}"));
}

/// The scenario end to end: a daemon whose `file:` source is a named pipe says why it
/// cannot read it, and stops on SIGTERM instead of living on after "stopped".
#[cfg(unix)]
#[test]
fn a_daemon_with_a_named_pipe_source_says_why_and_stops_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let fifo = dir.path().join("feed.jsonl");
    mkfifo(&fifo);
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let cfg = dir.path().join("echoscope.toml");
    std::fs::write(
        &cfg,
        format!(
            "[server]\nlisten = \"127.0.0.1:{port}\"\n[store]\npath = \"{}\"\n\
             [[accounts]]\nname = \"piped\"\nsource = \"file:{}\"\n",
            dir.path().join("e.db").display(),
            fifo.display()
        ),
    )
    .unwrap();
    let log = dir.path().join("daemon.log");
    let mut child = echoscope()
        .args(["serve", "--config"])
        .arg(&cfg)
        .env("RUST_LOG", "info")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&log).unwrap())
        .spawn()
        .unwrap();
    let start = Instant::now();
    let said = loop {
        let text = std::fs::read_to_string(&log).unwrap_or_default();
        if text.contains("not a regular file") {
            break true;
        }
        if start.elapsed() > Duration::from_secs(30) {
            break false;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let term = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap()
        .success();
    let start = Instant::now();
    let exited = loop {
        if child.try_wait().unwrap().is_some() {
            break true;
        }
        if start.elapsed() > Duration::from_secs(20) {
            let _ = child.kill();
            let _ = child.wait();
            break false;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let text = std::fs::read_to_string(&log).unwrap_or_default();
    assert!(said, "the account's error names the pipe: {text}");
    assert!(term, "kill -TERM");
    assert!(exited, "the daemon lives on after SIGTERM: {text}");
}
