//! The one loopback HTTP/1.1 client and server of the workspace's tests: std only, one request
//! per connection, so a test sees exactly what went over the wire.

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// One request over a fresh plain-HTTP connection to a loopback `url`: the status, the
/// response head (status line and headers, as text) and the body (de-chunked). An answer
/// that never comes (the connection closed first) is an error.
pub fn call(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&[u8]>,
) -> Result<(u16, String, Vec<u8>), String> {
    call_with(method, url, token, body, &[])
}

/// [`call`] with extra request headers.
pub fn call_with(
    method: &str,
    url: &str,
    token: Option<&str>,
    body: Option<&[u8]>,
    headers: &[(&str, &str)],
) -> Result<(u16, String, Vec<u8>), String> {
    let rest = url.strip_prefix("http://").ok_or_else(|| format!("{url}: not a plain-HTTP URL"))?;
    let (host, path) = rest.split_at(rest.find('/').unwrap_or(rest.len()));
    let path = if path.is_empty() { "/" } else { path };
    let mut s = TcpStream::connect(host).map_err(|e| format!("connecting to {host}: {e}"))?;
    let mut req =
        format!("{method} {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\nContent-Type: application/json\r\n");
    if let Some(t) = token {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    let body = body.unwrap_or_default();
    req.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
    s.write_all(req.as_bytes()).map_err(|e| format!("sending: {e}"))?;
    // A server may answer (413) and close before reading everything: that is fine.
    let _ = s.write_all(body);
    let mut resp = Vec::new();
    let _ = s.read_to_end(&mut resp);
    let Some(end) = resp.windows(4).position(|w| w == b"\r\n\r\n") else {
        return Err(format!("the connection closed without an answer ({} bytes received)", resp.len()));
    };
    let text_end = end + 4;
    let head = String::from_utf8_lossy(&resp[..text_end]).to_string();
    let status: u16 = head.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or("no status")?;
    let mut payload = resp[text_end..].to_vec();
    if head.to_ascii_lowercase().contains("transfer-encoding: chunked") {
        payload = dechunk(&payload).ok_or("a malformed chunked body")?;
    }
    Ok((status, head, payload))
}

fn dechunk(mut b: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = b.windows(2).position(|w| w == b"\r\n")?;
        let n = usize::from_str_radix(std::str::from_utf8(&b[..eol]).ok()?.trim(), 16).ok()?;
        if n == 0 {
            return Some(out);
        }
        out.extend_from_slice(b.get(eol + 2..eol + 2 + n)?);
        b = b.get(eol + 4 + n..)?;
    }
}

/// One request a [`Loopback`] server received.
#[derive(Clone, Debug)]
pub struct Seen {
    pub method: String,
    pub path: String,
    /// The request line and headers, as sent.
    pub head: String,
    pub body: Vec<u8>,
}

type Serve = dyn Fn(&mut TcpStream) + Send + Sync;

/// A small HTTP/1.1 server on loopback that answers each request as `answer` says (writing
/// the whole response, status line included, to the stream; the connection is closed after
/// it) and records what it received: for answers no emulator gives (redirects, endless or
/// malformed answers, a server that never answers, one that checks a header).
pub struct Loopback {
    pub url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
    connections: Arc<AtomicUsize>,
}

impl Loopback {
    pub fn start(answer: impl Fn(&Seen, &mut TcpStream) + Send + Sync + 'static) -> Loopback {
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let mut server = Loopback::raw(move |stream| {
            if let Some(req) = read_request(stream) {
                log.lock().expect("log").push(req.clone());
                answer(&req, stream);
            }
        });
        server.seen = seen;
        server
    }

    /// A server that hands each connection to `serve` as it comes, read nothing (for bytes
    /// that are not HTTP, such as a TLS handshake); it records no request, only connections.
    pub fn raw(serve: impl Fn(&mut TcpStream) + Send + Sync + 'static) -> Loopback {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        let connections = Arc::new(AtomicUsize::new(0));
        let (serve, count): (Arc<Serve>, _) = (Arc::new(serve), connections.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming() {
                let Ok(mut stream) = stream else { return };
                count.fetch_add(1, Ordering::SeqCst);
                let serve = serve.clone();
                std::thread::spawn(move || serve(&mut stream));
            }
        });
        Loopback { url, seen: Arc::default(), connections }
    }

    /// How many connections the server has accepted.
    pub fn connections(&self) -> usize {
        self.connections.load(Ordering::SeqCst)
    }

    /// Every request received so far (one per connection).
    pub fn seen(&self) -> Vec<Seen> {
        self.seen.lock().expect("log").clone()
    }

    /// A JSON answer with its length.
    pub fn json(stream: &mut TcpStream, status: &str, body: &str) {
        let _ = write!(
            stream,
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        );
    }

    /// No answer: reads until the client gives up (closes the connection).
    pub fn never(stream: &mut TcpStream) {
        let mut buf = [0u8; 4096];
        while stream.read(&mut buf).is_ok_and(|n| n > 0) {}
    }

    /// What Grafana answers to the provider's version question.
    pub fn grafana_settings(req: &Seen, stream: &mut TcpStream) -> bool {
        if req.path.starts_with("/api/frontend/settings") {
            Loopback::json(stream, "200 OK", r#"{"buildInfo":{"version":"12.4.0"}}"#);
            return true;
        }
        false
    }
}

fn read_request(stream: &mut TcpStream) -> Option<Seen> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).to_string();
    let length = head
        .lines()
        .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().parse::<usize>().ok()))
        .flatten()
        .unwrap_or(0);
    let mut body = buf[head_end..].to_vec();
    while body.len() < length {
        let n = stream.read(&mut chunk).ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let mut first = head.lines().next().unwrap_or_default().split(' ');
    let (method, path) = (first.next().unwrap_or_default().to_string(), first.next().unwrap_or_default().to_string());
    Some(Seen { method, path, head, body })
}
