//! A dashboard's content as the operator gets it: `json`, `gzipJson` (base64 of gzip),
//! `configMapRef` (a ConfigMap among the manifests), `url` and `grafanaCom` (downloaded with
//! `--fetch`, from a mirror with `--grafana-com-url`). `jsonnet`, `jsonnetLib` and `oci` need the
//! operator's own machinery and are reported.

use std::io::Read;

use base64::Engine;
use serde_json::Value;

use super::{Index, meta_name, namespace};
use crate::flux;

/// Downloads, when `--fetch` allows them.
pub struct Fetch {
    pub enabled: bool,
    pub grafana_com: String,
    pub client: reqwest::blocking::Client,
}

pub enum Problem {
    /// Cannot be converted by operator2tf: what, and what to do.
    Unconvertible(String, String),
    /// Bad input.
    Failed(String),
}

/// The content's text and where it came from.
pub fn content(m: &Value, index: &Index<'_>) -> Result<(String, String), Problem> {
    let spec = &m["spec"];
    let name = meta_name(m);
    if let Some(j) = spec["json"].as_str().filter(|s| !s.trim().is_empty()) {
        return Ok((j.to_string(), "`json`".into()));
    }
    if let Some(g) = spec["gzipJson"].as_str() {
        return gunzip(g).map(|t| (t, "`gzipJson`".into())).map_err(Problem::Failed);
    }
    if spec["configMapRef"].is_object() {
        return config_map(m, index).map_err(Problem::Failed);
    }
    for (field, what) in [("jsonnet", "jsonnet"), ("jsonnetLib", "a jsonnet project"), ("oci", "an OCI artifact")] {
        if !spec[field].is_null() {
            return Err(Problem::Unconvertible(
                format!("dashboard `{name}`: content from {what} (`spec.{field}`)"),
                "The operator renders it in the cluster. Render it yourself (`jsonnet -J vendor dashboard.jsonnet`, or \
                    pull the artifact), save the JSON under `dashboards/` and write a `grafana_dashboard` with \
                    `config_json = file(...)`."
                    .into(),
            ));
        }
    }
    if let Some(url) = spec["url"].as_str() {
        return fetch_url(&name, url, spec, index.fetch).map(|t| (t, format!("`url` {}", flux::display(url))));
    }
    if spec["grafanaCom"].is_object() {
        return grafana_com(&name, &spec["grafanaCom"], index.fetch);
    }
    Err(Problem::Failed(
        "no content: the spec sets none of `json`, `gzipJson`, `configMapRef`, `url`, `grafanaCom`, `jsonnet`, `oci`"
            .into(),
    ))
}

fn gunzip(b64: &str) -> Result<String, String> {
    let clean: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(clean)
        .map_err(|e| format!("`gzipJson` is not base64 (as Kubernetes writes bytes): {e}"))?;
    let mut text = String::new();
    flate2::read::GzDecoder::new(&bytes[..])
        .read_to_string(&mut text)
        .map_err(|e| format!("`gzipJson` is not gzip-compressed text: {e}"))?;
    Ok(text)
}

fn config_map(m: &Value, index: &Index<'_>) -> Result<(String, String), String> {
    let r = &m["spec"]["configMapRef"];
    let (Some(cm), Some(key)) = (r["name"].as_str(), r["key"].as_str()) else {
        return Err("`configMapRef` needs `name` and `key`".into());
    };
    let ns = namespace(m);
    let Some(map) = index.config_maps.get(&(ns.clone(), cm.to_string())) else {
        return Err(format!(
            "`configMapRef` names ConfigMap `{cm}` (namespace `{ns}`), which is not among the manifests: pass the file \
                that defines it (or its kustomization)"
        ));
    };
    let from = format!("ConfigMap `{cm}` key `{key}`");
    if let Some(t) = map["data"][key].as_str() {
        return Ok((t.to_string(), from));
    }
    if let Some(b) = map["binaryData"][key].as_str() {
        let bytes = base64::engine::general_purpose::STANDARD.decode(b).map_err(|e| format!("{from}: {e}"))?;
        let text = if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut t = String::new();
            flate2::read::GzDecoder::new(&bytes[..]).read_to_string(&mut t).map_err(|e| format!("{from}: {e}"))?;
            t
        } else {
            String::from_utf8(bytes).map_err(|e| format!("{from}: not UTF-8: {e}"))?
        };
        return Ok((text, from));
    }
    Err(format!("ConfigMap `{cm}` has no key `{key}` (`configMapRef.key`)"))
}

fn not_fetched(name: &str, what: &str) -> Problem {
    Problem::Unconvertible(
        format!("dashboard `{name}`: content from {what}, not downloaded"),
        "Run operator2tf again with `--fetch` (and `--grafana-com-url` for a grafana.com mirror), or download the \
            JSON and put it in the manifest's `json`."
            .into(),
    )
}

fn fetch_url(name: &str, url: &str, spec: &Value, fetch: &Fetch) -> Result<String, Problem> {
    if !fetch.enabled {
        return Err(not_fetched(name, &format!("`url` {}", flux::display(url))));
    }
    if let Some(v) = flux::markers(url).first() {
        return Err(Problem::Unconvertible(
            format!("dashboard `{name}`: its `url` holds the Flux variable `{v}`"),
            format!("Give it with `--var {v}=…` so the dashboard can be downloaded."),
        ));
    }
    if !spec["urlAuthorization"].is_null() {
        return Err(Problem::Unconvertible(
            format!("dashboard `{name}`: `url` with `urlAuthorization` (credentials from a Secret)"),
            "Download the JSON with those credentials and put it in the manifest's `json`.".into(),
        ));
    }
    get(fetch, url).map_err(|e| Problem::Failed(format!("downloading `url` {url}: {e}")))
}

fn grafana_com(name: &str, g: &Value, fetch: &Fetch) -> Result<(String, String), Problem> {
    let Some(id) = g["id"].as_i64().or_else(|| g["id"].as_str().and_then(|s| s.parse().ok())) else {
        return Err(Problem::Failed("`grafanaCom.id` must be a number".into()));
    };
    if !fetch.enabled {
        return Err(not_fetched(name, &format!("grafana.com dashboard {id}")));
    }
    let base = fetch.grafana_com.trim_end_matches('/');
    let revision = match g["revision"].as_i64() {
        Some(r) => r,
        // The operator reads the latest revision when none is given.
        None => {
            let about = get(fetch, &format!("{base}/api/dashboards/{id}"))
                .map_err(|e| Problem::Failed(format!("reading grafana.com dashboard {id}: {e}")))?;
            serde_json::from_str::<Value>(&about)
                .ok()
                .and_then(|v| v["revision"].as_i64())
                .ok_or_else(|| Problem::Failed(format!("grafana.com dashboard {id}: the answer names no `revision`")))?
        }
    };
    let url = format!("{base}/api/dashboards/{id}/revisions/{revision}/download");
    let text = get(fetch, &url).map_err(|e| Problem::Failed(format!("downloading {url}: {e}")))?;
    Ok((text, format!("grafana.com dashboard {id} revision {revision}")))
}

fn get(fetch: &Fetch, url: &str) -> Result<String, String> {
    let resp = fetch.client.get(url).send().map_err(|e| e.to_string())?;
    let status = resp.status();
    if !status.is_success() {
        return Err(format!("HTTP {status}"));
    }
    resp.text().map_err(|e| e.to_string())
}
