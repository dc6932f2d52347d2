//! Starting `amg-local` and waiting for things, with deadlines instead of sleeps.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// How long `amg-local` may take to print its ready line (it takes milliseconds).
pub const READY_WITHIN: Duration = Duration::from_secs(30);

/// A running `amg-local`, stopped (SIGTERM, then waited for) when dropped.
pub struct Running {
    child: Child,
    /// The ready line: `control_plane_url`, `region`, `workspace_id`, `grafana_url`,
    /// `admin_token`, and `ca_cert_file` with `--tls`.
    pub ready: serde_json::Value,
}

impl Running {
    /// Starts `bin` with `args` and reads its ready line, giving up after [`READY_WITHIN`].
    /// `stderr` is where its logs go.
    pub fn start(bin: &Path, args: &[&str], stderr: Stdio) -> Result<Running, String> {
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
        match serde_json::from_str(&line) {
            Ok(ready) => Ok(Running { child, ready }),
            Err(e) => Err(stop(child, format!("amg-local's ready line {line:?}: {e}"))),
        }
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
