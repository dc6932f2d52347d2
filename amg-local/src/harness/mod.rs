//! Starting `amg-local` and waiting for things, with deadlines instead of sleeps: the one
//! emulator wrapper of the workspace (the provider's in-process harness, its integration tests,
//! amg-local's contract tests and `xtask` all use [`Running`]), and in `http.rs` the one
//! loopback HTTP client and server the tests use.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

mod http;
pub use http::{Loopback, Seen, call, call_with};

/// How long `amg-local` may take to print its ready line (it takes milliseconds).
pub const READY_WITHIN: Duration = Duration::from_secs(30);

/// A running `amg-local`, stopped (SIGTERM, then waited for) when dropped.
pub struct Running {
    child: Child,
    /// The ready line: `control_plane_url`, `region`, `workspace_id`, `grafana_url`,
    /// `admin_token`, and `ca_cert_file` with `--tls`.
    pub ready: Value,
    /// The AMG control plane (always plain HTTP), where `/_amg-local/*` is served too.
    pub control_plane_url: String,
    /// The ready-made workspace's Grafana API (https with `--tls`).
    pub grafana_url: String,
    /// A token of that workspace's admin service account.
    pub admin_token: String,
    pub workspace_id: String,
    /// The CA that signed the Grafana certificate, with `--tls`.
    pub ca_cert_file: Option<String>,
}

impl Running {
    /// For tests: the emulator built beside the test executable (`target/debug/amg-local`; or
    /// `AMG_LOCAL_BIN`) with `args`, logs discarded. Panics, naming the cause, when it cannot.
    pub fn start(args: &[&str]) -> Running {
        let exe = std::env::current_exe().expect("test executable path");
        let beside = exe.parent().and_then(Path::parent).map(|d| d.join("amg-local"));
        let bin = std::env::var_os("AMG_LOCAL_BIN").map(Into::into).or(beside).expect("target/debug/deps/..");
        assert!(bin.is_file(), "{} is missing: build it first (`cargo xtask test` does)", bin.display());
        Running::spawn(&bin, args, Stdio::null()).unwrap_or_else(|e| panic!("amg-local {args:?}: {e}"))
    }

    /// Starts `bin` with `args` and reads its ready line, giving up after [`READY_WITHIN`].
    /// `stderr` is where its logs go.
    pub fn spawn(bin: &Path, args: &[&str], stderr: Stdio) -> Result<Running, String> {
        let mut child = Command::new(bin)
            .args(args)
            .stdout(Stdio::piped())
            .stderr(stderr)
            .spawn()
            .map_err(|e| format!("starting {}: {e}", bin.display()))?;
        let stdout = child.stdout.take().expect("piped stdout");
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let r = BufReader::new(stdout).read_line(&mut line).map(|_| line);
            let _ = tx.send(r);
        });
        let line = match rx.recv_timeout(READY_WITHIN) {
            Ok(Ok(line)) => line,
            Ok(Err(e)) => return Err(stop(child, format!("reading amg-local's ready line: {e}"))),
            Err(_) => return Err(stop(child, format!("amg-local printed no ready line within {READY_WITHIN:?}"))),
        };
        match serde_json::from_str::<Value>(&line) {
            Ok(ready) => {
                let field = |k: &str| ready[k].as_str().unwrap_or_default().to_string();
                Ok(Running {
                    control_plane_url: field("control_plane_url"),
                    grafana_url: field("grafana_url"),
                    admin_token: field("admin_token"),
                    workspace_id: field("workspace_id"),
                    ca_cert_file: ready["ca_cert_file"].as_str().map(str::to_string),
                    child,
                    ready,
                })
            }
            Err(e) => Err(stop(child, format!("amg-local's ready line {line:?}: {e}"))),
        }
    }

    /// The emulator's counters and holdings (`GET /_amg-local/stats`); panics when it cannot.
    pub fn stats(&self) -> Value {
        self.try_stats().unwrap_or_else(|e| panic!("{e}"))
    }

    /// [`Running::stats`], or why it could not be had.
    pub fn try_stats(&self) -> Result<Value, String> {
        let url = format!("{}/_amg-local/stats", self.control_plane_url);
        let (status, _, body) = call("GET", &url, None, None).map_err(|e| format!("GET {url}: {e}"))?;
        if status != 200 {
            return Err(format!("GET {url} answered {status}"));
        }
        serde_json::from_slice(&body).map_err(|e| format!("GET {url}: {e}"))
    }

    /// How many requests with `method` (and route, if given) the emulator has answered.
    pub fn count(&self, method: &str, route: Option<&str>) -> u64 {
        self.stats()["requests"]
            .as_array()
            .expect("requests")
            .iter()
            .filter(|r| r["method"] == method && route.is_none_or(|x| r["route"] == x))
            .map(|r| r["count"].as_u64().unwrap_or(0))
            .sum()
    }

    /// Requests that change something (POST, PUT, PATCH, DELETE).
    pub fn writes(&self) -> u64 {
        ["POST", "PUT", "PATCH", "DELETE"].iter().map(|m| self.count(m, None)).sum()
    }

    /// How many of `kind` (`folders`, `dashboards`, `datasources`, …) the ready-made
    /// workspace holds.
    pub fn held(&self, kind: &str) -> u64 {
        self.stats()["workspaces"][&self.workspace_id][kind].as_u64().expect("count")
    }

    /// What workspace `ws` holds: [data sources, folders, dashboards, live tokens].
    pub fn held_in(&self, ws: &str) -> [u64; 4] {
        let s = &self.stats()["workspaces"][ws];
        ["datasources", "folders", "dashboards", "live_tokens"].map(|k| s[k].as_u64().unwrap_or(u64::MAX))
    }

    /// A call on the ready-made workspace's Grafana API as its admin, over plain HTTP (not
    /// with `--tls`): (status, the body as JSON, or as a JSON string when it is not JSON).
    pub fn api(&self, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
        let url = format!("{}{path}", self.grafana_url);
        let (status, _, raw) = call(method, &url, Some(&self.admin_token), body.map(str::as_bytes))
            .unwrap_or_else(|e| panic!("{method} {url}: {e}"));
        (status, serde_json::from_slice(&raw).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&raw).into())))
    }

    /// A user signs in to the ready-made workspace (as single sign-on makes them on AMG):
    /// `POST /_amg-local/workspaces/{id}/users`; the user's id.
    pub fn sign_in(&self, login: &str, email: &str, name: &str, role: &str) -> i64 {
        let url = format!("{}/_amg-local/workspaces/{}/users", self.control_plane_url, self.workspace_id);
        let body = serde_json::json!({"login": login, "email": email, "name": name, "role": role}).to_string();
        let (status, _, raw) =
            call("POST", &url, None, Some(body.as_bytes())).unwrap_or_else(|e| panic!("POST {url}: {e}"));
        assert_eq!(status, 200, "POST {url}: {}", String::from_utf8_lossy(&raw));
        serde_json::from_slice::<Value>(&raw).ok().and_then(|v| v["id"].as_i64()).expect("the user's id")
    }

    /// The emulator's process id (to look at its open files, say).
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// A string member of the ready line ("" when absent).
    pub fn get(&self, key: &str) -> String {
        self.ready[key].as_str().unwrap_or_default().to_string()
    }

    /// Waits until the emulator exits (it runs until SIGINT or SIGTERM).
    pub fn wait(mut self) {
        let _ = self.child.wait();
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg("-TERM").arg(self.child.id().to_string()).status();
        let _ = self.child.wait();
    }
}

fn stop(mut child: Child, why: String) -> String {
    let _ = child.kill();
    let _ = child.wait();
    why
}

/// Polls `done` every 50 ms until it holds; an error naming `what` after `within`.
pub fn wait_until(what: &str, within: Duration, mut done: impl FnMut() -> bool) -> Result<(), String> {
    let start = Instant::now();
    loop {
        if done() {
            return Ok(());
        }
        if start.elapsed() > within {
            return Err(format!("{what}: not within {within:?}"));
        }
        std::thread::sleep(Duration::from_millis(50)); // wait: poll interval of wait_until, deadline above
    }
}
