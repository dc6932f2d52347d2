//! A running amg-local and a minimal HTTP/1.1 client for loopback.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Stdio;

use serde_json::Value;

pub struct Emu {
    running: amg_local::harness::Running,
}

impl Emu {
    /// Starts the emulator (bounded: the harness gives up when no ready line comes).
    pub fn start(args: &[&str]) -> Emu {
        let bin = std::path::Path::new(env!("CARGO_BIN_EXE_amg-local"));
        Emu {
            running: amg_local::harness::Running::start(bin, args, Stdio::null())
                .unwrap_or_else(|e| panic!("amg-local {args:?}: {e}")),
        }
    }
    pub fn cp(&self) -> String {
        self.running.get("control_plane_url")
    }
    pub fn grafana_url(&self) -> String {
        self.running.get("grafana_url")
    }
    pub fn token(&self) -> String {
        self.running.get("admin_token")
    }
    pub fn workspace_id(&self) -> String {
        self.running.get("workspace_id")
    }
    /// Admin call on the default workspace's Grafana API.
    pub fn g(&self, method: &str, path: &str, body: Option<&str>) -> (u16, Value) {
        call(method, &format!("{}{path}", self.grafana_url()), Some(&self.token()), body)
    }
    pub fn stats(&self) -> Value {
        call("GET", &format!("{}/_amg-local/stats", self.cp()), None, None).1
    }
}

/// One request over a fresh connection; the body is parsed as JSON (or kept as a string).
pub fn call(method: &str, url: &str, token: Option<&str>, body: Option<&str>) -> (u16, Value) {
    let (status, raw) = call_raw(method, url, token, body.map(str::as_bytes));
    (status, serde_json::from_slice(&raw).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&raw).into())))
}

pub fn call_raw(method: &str, url: &str, token: Option<&str>, body: Option<&[u8]>) -> (u16, Vec<u8>) {
    let (status, _, payload) = call_with_head(method, url, token, body);
    (status, payload)
}

/// The status, the response head (status line and headers, as text) and the body.
pub fn call_with_head(method: &str, url: &str, token: Option<&str>, body: Option<&[u8]>) -> (u16, String, Vec<u8>) {
    try_call(method, url, token, body).unwrap_or_else(|e| panic!("{method} {url}: {e}"))
}

/// As [`call_with_head`], but a connection closed without an answer is an error, not a panic.
pub fn try_call(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&[u8]>,
) -> Result<(u16, String, Vec<u8>), String> {
    let rest = url.strip_prefix("http://").expect("http URL");
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut s = TcpStream::connect(host).expect("connect");
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/json\r\n");
    if let Some(t) = token {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    let body = body.unwrap_or_default();
    req.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(req.as_bytes()).unwrap();
    // A server may answer (413) and close before reading everything: that is fine.
    let _ = s.write_all(body);
    let mut resp = Vec::new();
    let _ = s.read_to_end(&mut resp);
    let Some(end) = resp.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Err(format!("the connection closed without an answer ({} bytes received)", resp.len()));
    };
    let text_end = end + 4;
    let head = String::from_utf8_lossy(&resp[..text_end]).to_string();
    let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let mut payload = resp[text_end..].to_vec();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        payload = dechunk(&payload);
    }
    Ok((status, head, payload))
}

fn dechunk(mut b: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n").unwrap();
        let n = usize::from_str_radix(std::str::from_utf8(&b[..eol]).unwrap().trim(), 16).unwrap();
        if n == 0 {
            return out;
        }
        out.extend_from_slice(&b[eol + 2..eol + 2 + n]);
        b = &b[eol + 4 + n..];
    }
}
