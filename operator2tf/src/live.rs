//! Live mode: the workspace says which objects exist. A uid from the manifests is checked (an
//! object the operator never synced is created, not imported); an object whose uid only
//! Kubernetes knew is looked up as the operator placed it: a folder by title under its parent, a
//! dashboard by title in its folder, a data source by name.

use serde_json::Value;

use crate::convert::{Converted, Lookup, path_segment};

pub struct Grafana {
    pub url: String,
    pub token: String,
    pub client: reqwest::blocking::Client,
}

#[derive(Debug)]
pub struct LiveError(pub String);

impl Grafana {
    fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Option<Value>, LiveError> {
        let url = format!("{}{path}", self.url.trim_end_matches('/'));
        let resp = self
            .client
            .get(&url)
            .query(query)
            .bearer_auth(&self.token)
            .send()
            .map_err(|e| LiveError(format!("GET {path}: {e}")))?;
        match resp.status().as_u16() {
            404 => Ok(None),
            200..=299 => resp.json().map(Some).map_err(|e| LiveError(format!("GET {path}: not JSON: {e}"))),
            401 | 403 => Err(LiveError(format!(
                "GET {path}: HTTP {}: the token was refused (it needs the Admin role: Grafana lets only Admins read \
                    data sources)",
                resp.status()
            ))),
            s => Err(LiveError(format!("GET {path}: HTTP {s}"))),
        }
    }

    fn exists(&self, path: &str) -> Result<bool, LiveError> {
        Ok(self.get(path, &[])?.is_some())
    }

    fn search(&self, kind: &str, title: &str, folder: Option<&str>) -> Result<Vec<String>, LiveError> {
        let hits = self.get("/api/search", &[("type", kind), ("query", title), ("limit", "5000")])?;
        Ok(hits
            .as_ref()
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|h| h["title"].as_str() == Some(title))
            .filter(|h| h["folderUid"].as_str().filter(|s| !s.is_empty()) == folder)
            .filter_map(|h| h["uid"].as_str().map(str::to_string))
            .collect())
    }
}

/// Decides, for every resource, import (with the uid) or creation, asking the workspace.
pub fn resolve(g: &Grafana, out: &mut Converted) -> Result<(), LiveError> {
    for i in 0..out.resources.len() {
        if alerting(g, out, i)? {
            continue;
        }
        let r = &out.resources[i];
        let known = r.uid.clone();
        if let Some((uid, from)) = known {
            let path = match r.kind {
                "grafana_folder" => format!("/api/folders/{uid}"),
                "grafana_dashboard" => format!("/api/dashboards/uid/{uid}"),
                _ => format!("/api/datasources/uid/{uid}"),
            };
            let found = g.exists(&path)?;
            let r = &mut out.resources[i];
            if found {
                r.import = Some(uid);
                r.how = join(&r.how, &format!("uid from {from}, found in the workspace"));
            } else {
                r.how = join(&r.how, &format!("uid from {from}, not in the workspace: will be created"));
            }
            continue;
        }
        let parent_uid = |p: Option<usize>| p.and_then(|p| out.resources[p].import.clone());
        let (found, what) = match &r.lookup {
            Lookup::Folder { title, parent } => {
                let parent = parent_uid(*parent);
                (g.search("dash-folder", title, parent.as_deref())?, format!("folder titled {title:?}"))
            }
            Lookup::Dashboard { title, folder } => {
                let f = parent_uid(*folder);
                let hits = if folder.is_some() && f.is_none() {
                    Vec::new()
                } else {
                    g.search("dash-db", title, f.as_deref())?
                };
                (hits, format!("dashboard titled {title:?} in its folder"))
            }
            Lookup::DataSource { name } => {
                let uid = g.get(&format!("/api/datasources/name/{}", path_segment(name)), &[])?;
                let uid = uid.and_then(|v| v["uid"].as_str().map(str::to_string));
                (uid.into_iter().collect(), format!("data source named {name:?}"))
            }
            // Answered by `alerting` above.
            Lookup::Alerting { .. } | Lookup::Permissions { .. } | Lookup::RuleGroup { .. } => continue,
        };
        let r = &mut out.resources[i];
        match found.as_slice() {
            [uid] => {
                r.import = Some(uid.clone());
                r.how = join(&r.how, &format!("uid {uid} found in the workspace by {what}"));
                set_uid(r, uid);
            }
            [] => r.how = join(&r.how, &format!("no {what} in the workspace: will be created")),
            many => {
                r.how = join(&r.how, &format!("{} objects match ({what}): none imported, set the uid", many.len()));
            }
        }
    }
    Ok(())
}

/// An alerting object: imported when the workspace holds it, with the provenance it holds
/// (`disable_provenance` when none). `false` for other kinds.
fn alerting(g: &Grafana, out: &mut Converted, i: usize) -> Result<bool, LiveError> {
    let (path, id) = match &out.resources[i].lookup {
        Lookup::Alerting { path } => (path.clone(), out.resources[i].uid.clone().map(|(u, _)| u)),
        Lookup::RuleGroup { folder, folder_uid, name } => {
            let f = folder_uid.clone().or_else(|| folder.and_then(|f| out.resources[f].import.clone()));
            let Some(f) = f else {
                let r = &mut out.resources[i];
                r.how = join(&r.how, "its folder is not in the workspace: will be created");
                return Ok(true);
            };
            let path = format!("/api/v1/provisioning/folder/{}/rule-groups/{}", path_segment(&f), path_segment(name));
            (path, Some(format!("{f}:{name}")))
        }
        Lookup::Permissions { folder } => {
            let found = out.resources[*folder].import.clone();
            let r = &mut out.resources[i];
            match found {
                Some(uid) => {
                    r.how = join(&r.how, "the list of a folder in the workspace");
                    r.import = Some(uid);
                }
                None => r.how = join(&r.how, "its folder is not in the workspace: will be created"),
            }
            return Ok(true);
        }
        _ => return Ok(false),
    };
    let found = g.get(&path, &[])?.filter(|v| v.as_array().is_none_or(|a| !a.is_empty()));
    let r = &mut out.resources[i];
    let Some(found) = found else {
        r.how = join(&r.how, "not in the workspace: will be created");
        return Ok(true);
    };
    let mut provenance = provenance_of(&found);
    // A group's answer leaves an empty provenance out: the rule's own answer says.
    if provenance.is_none()
        && let Some(uid) = found["rules"][0]["uid"].as_str()
    {
        provenance = g.get(&format!("/api/v1/provisioning/alert-rules/{uid}"), &[])?.and_then(|v| provenance_of(&v));
    }
    let r = &mut out.resources[i];
    let provenance = provenance.unwrap_or_default();
    r.set_editable(provenance.is_empty());
    r.import = id.clone();
    let held =
        if provenance.is_empty() { "editable in Grafana".to_string() } else { format!("provenance `{provenance}`") };
    let from = r.uid.as_ref().map(|(_, f)| f.clone()).unwrap_or_else(|| "the folder's uid and `spec.name`".into());
    r.how = join(&r.how, &format!("id from {from}; found in the workspace ({held})"));
    Ok(true)
}

/// The provenance an alerting answer holds: its own, its first item's or its first rule's.
fn provenance_of(v: &Value) -> Option<String> {
    let own = |v: &Value| v.get("provenance").and_then(Value::as_str).map(str::to_string);
    own(v).or_else(|| v.as_array().and_then(|a| a.first()).and_then(own)).or_else(|| own(&v["rules"][0]))
}

/// Offline: a uid from the manifests is imported (the operator created the object with it).
pub fn offline(out: &mut Converted) {
    for r in &mut out.resources {
        match r.uid.clone() {
            Some((uid, from)) => {
                let word = if matches!(r.kind, "grafana_folder" | "grafana_dashboard" | "grafana_data_source") {
                    "uid"
                } else {
                    "id"
                };
                r.how = join(&r.how, &format!("{word} from {from}; imported, assuming the operator synced it"));
                r.import = Some(uid);
            }
            None => r.how = join(&r.how, "uid known only to the workspace: will be created (live mode looks it up)"),
        }
    }
}

fn set_uid(r: &mut crate::convert::Resource, uid: &str) {
    r.uid = Some((uid.to_string(), "the workspace".into()));
    if let Some(Value::Object(m)) = &mut r.dashboard {
        m.insert("uid".into(), Value::String(uid.to_string()));
    } else if !r.attrs.iter().any(|(k, _)| k == "uid") {
        // After the title/name, before the rest.
        let at = if r.kind == "grafana_data_source" { 2 } else { 1 };
        r.attrs.insert(at.min(r.attrs.len()), ("uid".into(), crate::hcl::Expr::Str(uid.to_string())));
    }
}

fn join(a: &str, b: &str) -> String {
    if a.is_empty() { b.to_string() } else { format!("{a}; {b}") }
}
