//! The HTML report and the daemon's pages in a real browser: headless Chromium driven by
//! ChromeDriver over the W3C WebDriver protocol (plain HTTP and JSON, spoken here with the
//! `reqwest` client echoscope already has, so no WebDriver crate is needed).
//!
//! For the demo archive's `scan --format html` page, and for the daemon's `/` and
//! `/accounts/{name}`, it asserts what a person would check: the score and every finding are
//! on the rendered page, every chart has a size, the browser logged no console error, and the
//! browser asked for nothing but the page itself (ChromeDriver's performance log lists every
//! request the page made, whatever its host, and `performance.getEntriesByType('resource')`
//! must be empty). A planted page (an outside image, a console error, a zero-size chart) must
//! make the same checks fail, so they are shown to be able to.
//!
//! Screenshots go to `$ECHOSCOPE_SCREENSHOTS` when it is set (the README's come from
//! `ECHOSCOPE_SCREENSHOTS=fixtures/screenshots cargo test --locked browser`), else to a
//! temporary folder under `target/`. Without Chromium or ChromeDriver the test fails and says
//! so: `.ci/install` installs them.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use base64::Engine as _;
use serde_json::{json, Value};

const NOW: &str = "2026-01-01T00:00:00Z";

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// A program from the environment variable, else its Debian path; a clear failure when absent.
fn program(var: &str, default: &str) -> PathBuf {
    let path = std::env::var_os(var)
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(default));
    assert!(
        path.is_file(),
        "{} is missing: the browser test needs Chromium and ChromeDriver (Debian packages \
         chromium and chromium-driver; `bash .ci/install` installs them, or set {var})",
        path.display()
    );
    path
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port on 127.0.0.1")
}

/// A child process killed when the test ends, pass or fail.
struct Killed(Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// One WebDriver session of headless Chromium.
struct Browser {
    http: reqwest::Client,
    session: String,
    _driver: Killed,
    _profile: tempfile::TempDir,
}

impl Browser {
    async fn start() -> Browser {
        let chromium = program("CHROMIUM", "/usr/bin/chromium");
        let driver = program("CHROMEDRIVER", "/usr/bin/chromedriver");
        let port = free_port();
        let child = Command::new(&driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver starts");
        let driver_guard = Killed(child);
        let http = reqwest::Client::new();
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            let ready = http.get(format!("{base}/status")).send().await;
            if let Ok(r) = ready {
                if let Ok(v) = r.json::<Value>().await {
                    if v["value"]["ready"] == json!(true) {
                        break;
                    }
                }
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let profile = tempfile::tempdir().expect("a profile folder");
        let caps = json!({ "capabilities": { "alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": chromium,
                "args": [
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--hide-scrollbars",
                    format!("--user-data-dir={}", profile.path().display()),
                    "--window-size=1100,1400",
                ],
            },
            "goog:loggingPrefs": { "browser": "ALL", "performance": "ALL" },
        }}});
        let created: Value = http
            .post(format!("{base}/session"))
            .json(&caps)
            .send()
            .await
            .expect("a new session")
            .json()
            .await
            .expect("JSON");
        let session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        Browser {
            http,
            session: format!("{base}/session/{session}"),
            _driver: driver_guard,
            _profile: profile,
        }
    }

    async fn call(&self, method: reqwest::Method, path: &str, body: Option<Value>) -> Value {
        let mut req = self.http.request(method, format!("{}{path}", self.session));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let v: Value = req
            .send()
            .await
            .expect("WebDriver answers")
            .json()
            .await
            .expect("JSON");
        assert!(v["value"]["error"].is_null(), "WebDriver {path}: {v}");
        v["value"].clone()
    }

    async fn go(&self, url: &str) {
        // Read and drop the logs of earlier pages: each read empties them.
        self.logs("browser").await;
        self.logs("performance").await;
        self.call(reqwest::Method::POST, "/url", Some(json!({ "url": url })))
            .await;
    }

    async fn script(&self, script: &str) -> Value {
        self.call(
            reqwest::Method::POST,
            "/execute/sync",
            Some(json!({ "script": script, "args": [] })),
        )
        .await
    }

    async fn logs(&self, kind: &str) -> Vec<Value> {
        let v = self
            .call(
                reqwest::Method::POST,
                "/se/log",
                Some(json!({ "type": kind })),
            )
            .await;
        v.as_array().cloned().unwrap_or_default()
    }

    async fn screenshot(&self, name: &str) -> PathBuf {
        let dir = std::env::var_os("ECHOSCOPE_SCREENSHOTS")
            .map(PathBuf::from)
            .unwrap_or_else(|| Path::new(env!("CARGO_TARGET_TMPDIR")).join("browser"));
        std::fs::create_dir_all(&dir).expect("screenshot folder");
        let b64 = self.call(reqwest::Method::GET, "/screenshot", None).await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(b64.as_str().expect("base64 text"))
            .expect("base64");
        assert!(png.starts_with(b"\x89PNG"), "a PNG screenshot");
        assert!(png.len() > 10_000, "a screenshot with something on it");
        let path = dir.join(name);
        std::fs::write(&path, png).expect("write the screenshot");
        path
    }

    async fn quit(self) {
        let _ = self.http.delete(&self.session).send().await;
    }
}

/// What a page showed and did.
#[derive(Debug)]
struct Seen {
    /// The rendered text (what is displayed, not hidden markup).
    text: String,
    /// Width and height of every `svg.chart`, with its title.
    charts: Vec<(String, f64, f64)>,
    /// Rendered height of every finding.
    findings: Vec<f64>,
    /// Console messages at error level.
    console_errors: Vec<String>,
    /// Every URL the browser requested for the page (performance log and resource timing).
    requests: Vec<String>,
}

const INSPECT: &str = r#"
const charts = [...document.querySelectorAll('svg.chart')].map(s => {
  const r = s.getBoundingClientRect();
  const t = s.querySelector('title');
  return [t ? t.textContent : '', r.width, r.height];
});
const findings = [...document.querySelectorAll('article.finding')].map(a => a.getBoundingClientRect().height);
return {
  text: document.body.innerText,
  charts,
  findings,
  resources: performance.getEntriesByType('resource').map(e => e.name),
};
"#;

async fn inspect(browser: &Browser, url: &str) -> Seen {
    browser.go(url).await;
    let v = browser.script(INSPECT).await;
    let console_errors = browser
        .logs("browser")
        .await
        .into_iter()
        .filter(|e| e["level"] == json!("SEVERE"))
        .map(|e| e["message"].as_str().unwrap_or_default().to_string())
        .collect();
    let mut requests: Vec<String> = browser
        .logs("performance")
        .await
        .into_iter()
        .filter_map(|e| serde_json::from_str::<Value>(e["message"].as_str()?).ok())
        .filter(|m| m["message"]["method"] == json!("Network.requestWillBeSent"))
        // Requests made for this page (the page itself and whatever it loads), not those of
        // the browser's own start page, which may still be loading.
        .filter(|m| m["message"]["params"]["documentURL"] == json!(url))
        .filter_map(|m| {
            m["message"]["params"]["request"]["url"]
                .as_str()
                .map(String::from)
        })
        .collect();
    requests.extend(
        v["resources"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str().map(|s| format!("resource timing: {s}"))),
    );
    Seen {
        text: v["text"].as_str().unwrap_or_default().to_string(),
        charts: v["charts"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| {
                (
                    c[0].as_str().unwrap_or_default().to_string(),
                    c[1].as_f64().unwrap_or(0.0),
                    c[2].as_f64().unwrap_or(0.0),
                )
            })
            .collect(),
        findings: v["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|h| h.as_f64().unwrap_or(0.0))
            .collect(),
        console_errors,
        requests,
    }
}

/// What is wrong with a page as seen: a chart without size, a console error, a request for
/// anything but the page itself.
fn problems(seen: &Seen, page: &str) -> Vec<String> {
    let mut out = Vec::new();
    for (title, w, h) in &seen.charts {
        if *w <= 0.0 || *h <= 0.0 {
            out.push(format!("chart {title:?} is {w}×{h}"));
        }
    }
    for e in &seen.console_errors {
        out.push(format!("console error: {e}"));
    }
    for r in &seen.requests {
        if r != page {
            out.push(format!("request: {r}"));
        }
    }
    out
}

/// No problem on the page, and the request log did see the page itself: an empty log (a
/// browser that logs nothing) would otherwise pass for a page that loads nothing.
fn assert_clean(seen: &Seen, page: &str, what: &str) {
    assert!(
        seen.requests.iter().any(|r| r == page),
        "{what}: the request log does not show the page itself: {:?}",
        seen.requests
    );
    assert_eq!(problems(seen, page), Vec::<String>::new(), "{what}");
}

/// The account's score and every finding are on the rendered page, in full.
fn assert_shows(seen: &Seen, account: &Value, what: &str) {
    let score = account["score"].as_u64().expect("a score");
    assert!(
        seen.text
            .contains(&format!("Authenticity score: {score}/100")),
        "{what}: the score {score} is not shown"
    );
    let findings = account["findings"].as_array().expect("findings");
    assert!(!findings.is_empty(), "{what}: the demo has findings");
    assert_eq!(seen.findings.len(), findings.len(), "{what}: every finding");
    assert!(
        seen.findings.iter().all(|h| *h > 0.0),
        "{what}: a finding is not displayed"
    );
    for f in findings {
        let summary = f["summary"].as_str().expect("summary");
        assert!(
            seen.text.contains(summary),
            "{what}: finding not shown: {summary}"
        );
    }
}

fn scan(args: &[&str]) -> Vec<u8> {
    let out = Command::new(env!("CARGO_BIN_EXE_echoscope"))
        .current_dir(root())
        .args([
            "scan",
            "fixtures/demo/brand-archive.zip",
            "--now",
            NOW,
            "--quiet",
        ])
        .args(args)
        .output()
        .expect("echoscope runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Starts `echoscope serve` on its demo accounts and waits until every one is analysed.
async fn daemon(dir: &Path) -> (Killed, String) {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_echoscope"))
        .current_dir(dir)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}")])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("echoscope serve starts");
    let guard = Killed(child);
    let base = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Ok(r) = reqwest::get(format!("{base}/api/v1/accounts")).await {
            if let Ok(list) = r.json::<Vec<Value>>().await {
                if !list.is_empty() && list.iter().all(|a| a["score"].is_u64()) {
                    break;
                }
            }
        }
        assert!(
            Instant::now() < deadline,
            "the daemon did not analyse its demo accounts in 20 s"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    (guard, base)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn browser_shows_the_report_and_the_pages_and_loads_nothing_else() {
    let started = Instant::now();
    let dir = tempfile::tempdir().expect("a temporary folder");
    let report: Value = serde_json::from_slice(&scan(&["--format", "json"])).expect("JSON");
    let html_path = dir.path().join("demo.html");
    std::fs::write(&html_path, scan(&["--format", "html"])).expect("write the page");
    let browser = Browser::start().await;

    // The file report, offline.
    let page = format!("file://{}", html_path.display());
    let seen = inspect(&browser, &page).await;
    assert_shows(&seen, &report["accounts"][0], "file report");
    assert!(
        seen.charts.len() >= 5,
        "heatmap, hours, timeline, latency, promotion: {:?}",
        seen.charts
    );
    assert_clean(&seen, &page, "file report");
    browser.screenshot("report.png").await;

    // The checks can fail: the same page with an outside image, a console error and a chart
    // without size must be caught on all three counts. (Port 9 on the loopback refuses: the
    // request is made and logged, and nothing leaves the machine.)
    let planted = std::fs::read_to_string(&html_path).expect("read").replace(
        "<body>",
        "<body><img src=\"http://127.0.0.1:9/pixel.png\" alt=\"\">\
             <script>console.error('planted error')</script>\
             <svg class=\"chart\" width=\"0\" height=\"0\"><title>planted</title></svg>",
    );
    let planted_path = dir.path().join("planted.html");
    std::fs::write(&planted_path, planted).expect("write");
    let planted_url = format!("file://{}", planted_path.display());
    let found = problems(&inspect(&browser, &planted_url).await, &planted_url);
    for expected in [
        "127.0.0.1:9/pixel.png",
        "planted error",
        "chart \"planted\"",
    ] {
        assert!(
            found.iter().any(|p| p.contains(expected)),
            "the check missed {expected}: {found:?}"
        );
    }

    // The daemon's pages.
    let serve_dir = tempfile::tempdir().expect("a temporary folder");
    let (_daemon, base) = daemon(serve_dir.path()).await;
    let index = format!("{base}/");
    let seen = inspect(&browser, &index).await;
    assert_clean(&seen, &index, "/");
    let accounts: Vec<Value> = reqwest::get(format!("{base}/api/v1/accounts"))
        .await
        .expect("the API")
        .json()
        .await
        .expect("JSON");
    for a in &accounts {
        let name = a["name"].as_str().expect("name");
        assert!(seen.text.contains(name), "/ lists {name}");
    }
    assert_eq!(
        seen.charts.len(),
        accounts.len(),
        "a score sparkline per account"
    );
    browser.screenshot("daemon-index.png").await;

    let brand = format!("{base}/accounts/demo-brand");
    let stored: Value = reqwest::get(format!("{base}/api/v1/accounts/demo-brand"))
        .await
        .expect("the API")
        .json()
        .await
        .expect("JSON");
    let seen = inspect(&browser, &brand).await;
    assert_shows(&seen, &stored, "/accounts/demo-brand");
    assert!(
        seen.charts.iter().any(|c| c.0 == "Score history"),
        "the score history chart: {:?}",
        seen.charts
    );
    assert_clean(&seen, &brand, "account page");
    browser.screenshot("daemon-account.png").await;

    let missing = reqwest::get(format!("{base}/accounts/no-such-account"))
        .await
        .expect("the daemon answers");
    assert_eq!(missing.status(), reqwest::StatusCode::NOT_FOUND);
    assert!(missing
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html")));
    assert!(missing
        .text()
        .await
        .expect("body")
        .contains("unknown account"));

    browser.quit().await;
    assert!(
        started.elapsed() < Duration::from_secs(60),
        "the browser test took {:?}",
        started.elapsed()
    );
}
