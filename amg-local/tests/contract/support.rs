//! The contract tests' view of amg-local: [`Emu`] is the workspace's one emulator wrapper
//! (`amg_local::harness::Running`), and `call` the harness's loopback client with the body
//! read as JSON.

pub use amg_local::harness::Running as Emu;
use serde_json::Value;

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
pub use amg_local::harness::call as try_call;
