//! A throwaway PostgreSQL server for the tests: no mock, the Debian package's own binaries.
//!
//! [`database`] starts ONE cluster per test process, lazily, on first use (`initdb` and
//! `pg_ctl` from PATH or `/usr/lib/postgresql/*/bin`, in a fresh folder under /tmp, listening
//! on 127.0.0.1 and a free port, trust authentication), and gives each caller a fresh database
//! of its own and its URL. PostgreSQL refuses to run as root: as root (here and in CI) every
//! PostgreSQL command runs as `nobody` through `runuser`, with the folder chowned to it.
//!
//! Cleanup survives panics and kills: each cluster has a watchdog process that blocks reading
//! a pipe whose only writer is the test process. When the test process ends, however it ends,
//! the kernel closes the pipe, the read returns, and the watchdog stops the server
//! (`pg_ctl stop -m immediate`) and deletes the folder. [`Cluster::start`] gives a test a
//! private cluster that it may stop and start again (the connection-loss tests), without
//! disturbing the shared one.
//!
//! Without PostgreSQL installed the tests fail, naming `.ci/install`; they never skip.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Mutex, OnceLock};

/// A running PostgreSQL cluster owned by this test process.
pub struct Cluster {
    bin: PathBuf,
    dir: PathBuf,
    port: u16,
    /// Run PostgreSQL's commands as this user (we are root), or as ourselves.
    run_as: Option<&'static str>,
    /// The watchdog; its stdin is the pipe that closes when this process dies.
    _watchdog: Child,
}

/// The user PostgreSQL runs as when the tests run as root.
const UNPRIVILEGED: &str = "nobody";

/// The folder with `initdb` and `pg_ctl`: PATH first, then the newest Debian version.
fn bin_dir() -> PathBuf {
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .find(|d| d.join("initdb").is_file() && d.join("pg_ctl").is_file())
    });
    if let Some(dir) = on_path {
        // Debian links only some of them into PATH; the real folder has `postgres` too.
        let real = std::fs::canonicalize(dir.join("initdb"))
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf));
        return real.unwrap_or(dir);
    }
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|e| {
            let version = e.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = e.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    versions.sort();
    match versions.pop() {
        Some((_, bin)) => bin,
        None => panic!(
            "PostgreSQL is not installed (no initdb/pg_ctl on PATH or in \
             /usr/lib/postgresql/*/bin): run .ci/install, which installs the Debian package \
             `postgresql`"
        ),
    }
}

fn running_as_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
        .unwrap_or(false)
}

fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding a free port");
    listener.local_addr().unwrap().port()
}

impl Cluster {
    /// Starts a new private cluster (initdb, then pg_ctl start), watched so that it is stopped
    /// and deleted when this process ends.
    pub fn start() -> Cluster {
        let bin = bin_dir();
        let run_as = running_as_root().then_some(UNPRIVILEGED);
        let dir = tempfile::Builder::new()
            .prefix("echoscope-pg-")
            .tempdir_in("/tmp")
            .expect("creating the cluster folder under /tmp")
            .keep();
        if let Some(user) = run_as {
            let status = Command::new("chown")
                .arg(format!("{user}:"))
                .arg(&dir)
                .status()
                .expect("running chown");
            assert!(status.success(), "chown {} failed", dir.display());
        }
        // The watchdog first, so that even a failing initdb leaves nothing behind.
        let watchdog = Command::new("setsid")
            .arg("sh")
            .arg("-c")
            .arg(
                r#"read _ignored; \
                   if [ -f "$1/data/postmaster.pid" ]; then $2 "$3/pg_ctl" -D "$1/data" stop -m immediate >/dev/null 2>&1; fi; \
                   rm -rf "$1""#,
            )
            .arg("watchdog")
            .arg(&dir)
            .arg(match run_as {
                Some(user) => format!("runuser -u {user} --"),
                None => String::new(),
            })
            .arg(&bin)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("starting the cleanup watchdog");
        let cluster = Cluster {
            bin,
            dir,
            port: free_port(),
            run_as,
            _watchdog: watchdog,
        };
        cluster.pg(
            "initdb",
            &[
                "-D",
                &cluster.data(),
                "-U",
                "postgres",
                "--auth=trust",
                "-E",
                "UTF8",
                "--locale=C",
                "--no-sync",
            ],
        );
        cluster.start_server();
        cluster
    }

    fn data(&self) -> String {
        self.dir.join("data").display().to_string()
    }

    /// Runs one of PostgreSQL's programs (as the unprivileged user when we are root) and
    /// panics with its output when it fails.
    fn pg(&self, program: &str, args: &[&str]) {
        let exe = self.bin.join(program);
        let mut command = match self.run_as {
            Some(user) => {
                let mut c = Command::new("runuser");
                c.args(["-u", user, "--"]).arg(&exe);
                c
            }
            None => Command::new(&exe),
        };
        let output = command
            .args(args)
            .current_dir(&self.dir)
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("running {}: {e} (run .ci/install)", exe.display()));
        assert!(
            output.status.success(),
            "{program} {args:?} failed: {}\n{}\n{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        );
    }

    /// Starts the server (again) and waits until it accepts connections. `fsync=off` spares
    /// the disk; `synchronous_commit` stays on, so that a commit has been written (to the
    /// operating system) when it returns and survives [`Cluster::stop_server`].
    pub fn start_server(&self) {
        let options = format!(
            "-c listen_addresses=127.0.0.1 -p {} -c unix_socket_directories='{}' \
             -c fsync=off -c full_page_writes=off \
             -c max_connections=300",
            self.port,
            self.dir.display()
        );
        let log = self.dir.join("server.log").display().to_string();
        self.pg(
            "pg_ctl",
            &[
                "-D",
                &self.data(),
                "-l",
                &log,
                "-w",
                "-t",
                "60",
                "-o",
                &options,
                "start",
            ],
        );
    }

    /// Stops the server at once (`-m immediate`, like a crash): connections drop.
    pub fn stop_server(&self) {
        self.pg(
            "pg_ctl",
            &["-D", &self.data(), "-m", "immediate", "-w", "stop"],
        );
    }

    /// The URL of database `name` (which need not exist).
    pub fn url(&self, name: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates a fresh, empty database and returns its URL.
    pub fn database(&self) -> String {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!("test_{}", NEXT.fetch_add(1, Ordering::SeqCst));
        let mut client = ::postgres::Client::connect(&self.url("postgres"), ::postgres::NoTls)
            .unwrap_or_else(|e| panic!("connecting to the test cluster: {e}"));
        client
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .unwrap_or_else(|e| panic!("creating database {name}: {e}"));
        self.url(&name)
    }
}

/// The cluster shared by every test of this process, started on first use.
pub fn shared() -> &'static Cluster {
    static SHARED: OnceLock<Cluster> = OnceLock::new();
    SHARED.get_or_init(Cluster::start)
}

/// A fresh database on the shared cluster: its URL.
pub fn database() -> String {
    shared().database()
}

/// The database standing for a place (a path in a temporary folder, as the store suite names
/// its stores): a new database for a new place, the same one when the place comes again.
pub fn database_at(place: &Path) -> String {
    static PLACES: OnceLock<Mutex<HashMap<PathBuf, String>>> = OnceLock::new();
    let mut places = PLACES
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    places
        .entry(place.to_path_buf())
        .or_insert_with(database)
        .clone()
}
