//! A throwaway PostgreSQL server for tests and benchmarks (feature `testing`): `initdb` into a
//! temporary directory, `pg_ctl start` on 127.0.0.1 and a free port, `pg_ctl stop` when dropped.
//!
//! Run as root, the server runs as the `postgres` user (through `runuser`), as PostgreSQL
//! refuses to run as root. Without the server programs, [`TempPostgres::start`] fails with a
//! message saying what to install: tests that need PostgreSQL fail, they never skip.

use std::io;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

/// The environment variable naming the directory of `initdb` and `pg_ctl`, when they are not
/// found by themselves.
pub const PG_BIN_VAR: &str = "OAS_CALLBACKS_PG_BIN";

/// A PostgreSQL server in a temporary directory, listening on 127.0.0.1 only, with `trust`
/// authentication for the `postgres` user. Stopped and deleted when dropped (and, should the
/// process die first, by a watchdog that waits for it).
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let server = callback_outbox::testing::TempPostgres::start()?;
/// let outbox = callback_outbox::Outbox::connect(&server.url()).await?;
/// # Ok(()) }
/// ```
#[derive(Debug)]
pub struct TempPostgres {
    dir: tempfile::TempDir,
    bin: PathBuf,
    port: u16,
    user: Option<ServerUser>,
    running: bool,
}

/// The user the server runs as when this process is root.
#[derive(Clone, Debug)]
struct ServerUser {
    name: String,
}

/// Options for [`TempPostgres::start_with`].
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct TempPostgresOptions {
    /// `fsync` on (durable across a machine crash; slower). Default off: tests only need
    /// durability across a crash of the server process, which the operating system gives.
    pub fsync: bool,
    /// `max_connections`. Default 200.
    pub max_connections: u32,
}

impl Default for TempPostgresOptions {
    fn default() -> Self {
        Self {
            fsync: false,
            max_connections: 200,
        }
    }
}

/// What to say when the server programs are missing.
fn missing() -> String {
    format!(
        "PostgreSQL's server programs (initdb, pg_ctl) were not found: install PostgreSQL 15 or \
         later (Debian and Ubuntu: `apt-get install postgresql`), or set {PG_BIN_VAR} to the \
         directory that holds them (such as /usr/lib/postgresql/15/bin)"
    )
}

/// The directory of `initdb` and `pg_ctl`.
fn find_bin() -> Result<PathBuf, String> {
    let has_programs = |dir: &Path| dir.join("initdb").is_file() && dir.join("pg_ctl").is_file();
    if let Some(dir) = std::env::var_os(PG_BIN_VAR) {
        let dir = PathBuf::from(dir);
        return if has_programs(&dir) {
            Ok(dir)
        } else {
            Err(format!(
                "{PG_BIN_VAR}={} holds no initdb and pg_ctl. {}",
                dir.display(),
                missing()
            ))
        };
    }
    if let Ok(output) = Command::new("pg_config").arg("--bindir").output() {
        let dir = PathBuf::from(String::from_utf8_lossy(&output.stdout).trim());
        if output.status.success() && has_programs(&dir) {
            return Ok(dir);
        }
    }
    // Debian's layout: /usr/lib/postgresql/<major>/bin; the newest major wins.
    let mut versions: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let major = entry.file_name().to_str()?.parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            has_programs(&bin).then_some((major, bin))
        })
        .collect();
    versions.sort();
    if let Some((_, bin)) = versions.pop() {
        return Ok(bin);
    }
    std::env::var_os("PATH")
        .into_iter()
        .flat_map(|paths| std::env::split_paths(&paths).collect::<Vec<_>>())
        .find(|dir| has_programs(dir))
        .ok_or_else(missing)
}

/// Whether this process runs as root (the owner of `/proc/self`).
fn is_root() -> bool {
    use std::os::unix::fs::MetadataExt as _;
    std::fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0)
}

/// The uid and gid of a user, from `/etc/passwd`.
fn user_ids(name: &str) -> Result<(u32, u32), String> {
    let passwd = std::fs::read_to_string("/etc/passwd")
        .map_err(|e| format!("cannot read /etc/passwd: {e}"))?;
    passwd
        .lines()
        .map(|line| line.split(':').collect::<Vec<_>>())
        .find(|fields| fields.first() == Some(&name))
        .and_then(|fields| Some((fields.get(2)?.parse().ok()?, fields.get(3)?.parse().ok()?)))
        .ok_or_else(|| {
            format!(
                "running as root, the PostgreSQL server needs a user to run as, and there is no \
                 `{name}` user (create one, or run the tests as a user that is not root)"
            )
        })
}

fn free_port() -> io::Result<u16> {
    Ok(TcpListener::bind(("127.0.0.1", 0))?.local_addr()?.port())
}

impl TempPostgres {
    /// Creates and starts a server with the default options.
    pub fn start() -> Result<Self, String> {
        Self::start_with(TempPostgresOptions::default())
    }

    /// Creates and starts a server.
    pub fn start_with(options: TempPostgresOptions) -> Result<Self, String> {
        let bin = find_bin()?;
        let dir = tempfile::Builder::new()
            .prefix("callback-outbox-pg-")
            .tempdir()
            .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        let user = if is_root() {
            let name = "postgres".to_owned();
            let (uid, gid) = user_ids(&name)?;
            std::os::unix::fs::chown(dir.path(), Some(uid), Some(gid))
                .map_err(|e| format!("cannot give {} to {name}: {e}", dir.path().display()))?;
            Some(ServerUser { name })
        } else {
            None
        };
        let mut server = Self {
            dir,
            bin,
            port: 0,
            user,
            running: false,
        };
        let data = server.data_dir();
        server.run(
            "initdb",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-U".as_ref(),
                "postgres".as_ref(),
                "-A".as_ref(),
                "trust".as_ref(),
                "-E".as_ref(),
                "UTF8".as_ref(),
                "--no-locale".as_ref(),
                "--no-sync".as_ref(),
                "--no-instructions".as_ref(),
            ],
        )?;
        let settings = format!(
            "listen_addresses = '127.0.0.1'\nunix_socket_directories = ''\nfsync = {}\n\
             max_connections = {}\nlog_min_messages = warning\n",
            if options.fsync { "on" } else { "off" },
            options.max_connections
        );
        std::fs::OpenOptions::new()
            .append(true)
            .open(data.join("postgresql.conf"))
            .and_then(|mut file| io::Write::write_all(&mut file, settings.as_bytes()))
            .map_err(|e| format!("cannot configure the server: {e}"))?;
        let mut last = String::new();
        for _ in 0..5 {
            server.port = free_port().map_err(|e| format!("no free port on 127.0.0.1: {e}"))?;
            match server.start_server() {
                Ok(()) => {
                    server.watchdog();
                    return Ok(server);
                }
                Err(e) => last = e,
            }
        }
        Err(last)
    }

    fn data_dir(&self) -> PathBuf {
        self.dir.path().join("data")
    }

    /// Runs one of the server programs (as the server's user when root).
    fn run(&self, program: &str, args: &[&std::ffi::OsStr]) -> Result<(), String> {
        let path = self.bin.join(program);
        let mut command = match &self.user {
            Some(user) => {
                let mut command = Command::new("runuser");
                command.args(["-u", &user.name, "--"]).arg(&path);
                command
            }
            None => Command::new(&path),
        };
        let output = command
            .args(args)
            .current_dir(self.dir.path())
            .stdin(Stdio::null())
            .output()
            .map_err(|e| format!("cannot run {}: {e}", path.display()))?;
        if output.status.success() {
            Ok(())
        } else {
            Err(format!(
                "{} failed ({}): {}{}",
                path.display(),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim(),
                String::from_utf8_lossy(&output.stdout).trim()
            ))
        }
    }

    fn start_server(&mut self) -> Result<(), String> {
        let data = self.data_dir();
        let log = self.dir.path().join("server.log");
        let port = format!("-p {}", self.port);
        self.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-l".as_ref(),
                log.as_os_str(),
                "-o".as_ref(),
                port.as_ref(),
                "-w".as_ref(),
                "-t".as_ref(),
                "60".as_ref(),
                "start".as_ref(),
            ],
        )
        .map_err(|e| {
            let log = std::fs::read_to_string(&log).unwrap_or_default();
            format!("{e}\n{log}")
        })?;
        self.running = true;
        Ok(())
    }

    /// A process that stops the server and deletes its directory should this process die
    /// without dropping it (a test killed, a panic that aborts).
    fn watchdog(&self) {
        let pg_ctl = self.bin.join("pg_ctl");
        let stop = match &self.user {
            Some(user) => format!("runuser -u {} -- ", user.name),
            None => String::new(),
        };
        let script = format!(
            "while kill -0 {pid} 2>/dev/null; do sleep 1; done; \
             {stop}'{pg_ctl}' -D '{data}' stop -m immediate; rm -rf '{dir}'",
            pid = std::process::id(),
            pg_ctl = pg_ctl.display(),
            data = self.data_dir().display(),
            dir = self.dir.path().display(),
        );
        let _ = Command::new("sh")
            .args(["-c", &script])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
    }

    /// The port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The URL of the `postgres` database.
    pub fn url(&self) -> String {
        self.url_of("postgres")
    }

    /// The URL of a database of this server.
    pub fn url_of(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }

    /// Creates a database (a fresh one per test keeps tests apart) and gives its URL.
    pub async fn create_database(&self, name: &str) -> Result<String, String> {
        use sqlx::Connection as _;
        if !name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(format!("`{name}` is not a plain database name"));
        }
        let mut conn = sqlx::PgConnection::connect(&self.url())
            .await
            .map_err(|e| format!("cannot connect to the test server: {e}"))?;
        let sql = format!("CREATE DATABASE {name}");
        sqlx::raw_sql(sqlx::AssertSqlSafe(sql))
            .execute(&mut conn)
            .await
            .map_err(|e| format!("cannot create database {name}: {e}"))?;
        Ok(self.url_of(name))
    }

    /// Stops the server at once, as a crash would (`pg_ctl stop -m immediate`: no checkpoint,
    /// connections cut; the next start recovers from the write-ahead log).
    pub fn crash(&mut self) -> Result<(), String> {
        self.stop_server("immediate")
    }

    /// Starts the server again after [`crash`](Self::crash), on the same port.
    pub fn restart(&mut self) -> Result<(), String> {
        if self.running {
            return Ok(());
        }
        self.start_server()
    }

    fn stop_server(&mut self, mode: &str) -> Result<(), String> {
        if !self.running {
            return Ok(());
        }
        let data = self.data_dir();
        self.run(
            "pg_ctl",
            &[
                "-D".as_ref(),
                data.as_os_str(),
                "-m".as_ref(),
                mode.as_ref(),
                "-w".as_ref(),
                "stop".as_ref(),
            ],
        )?;
        self.running = false;
        Ok(())
    }

    /// The server's log (for a failing test's message).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("server.log")).unwrap_or_default()
    }
}

impl Drop for TempPostgres {
    fn drop(&mut self) {
        let _ = self.stop_server("immediate");
        // Give the server's processes a moment to let go of the directory.
        std::thread::sleep(Duration::from_millis(20));
    }
}
