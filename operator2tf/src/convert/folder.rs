//! `GrafanaFolder` → `grafana_folder`: the title (`metadata.name` when unset), the uid
//! (`spec.uid`, then `metadata.uid`), the parent by uid or by reference. Also the folders the
//! operator made implicitly: a dashboard's `folder` title, or its namespace's.

use serde_json::Value;

use super::{Converted, Index, Lookup, Resource, first_uid, meta_name, namespace, text, unique_name};
use crate::hcl::Expr;
use crate::load::{Failure, Manifest, Source};

pub fn convert(m: &Manifest, index: &mut Index<'_>, out: &mut Converted) {
    let spec = &m.value["spec"];
    let (ns, name) = (namespace(&m.value), meta_name(&m.value));
    let title = spec["title"].as_str().filter(|t| !t.is_empty()).unwrap_or(&name).to_string();
    let uid = uid_of(&m.value);
    let mut attrs = vec![("title".to_string(), Expr::Str(title.clone()))];
    if let Some((u, _)) = &uid {
        attrs.push(("uid".into(), Expr::Str(u.clone())));
    }
    let resource = Resource {
        source: m.source.clone(),
        kind: "grafana_folder",
        name: unique_name(out, "grafana_folder", &ns, &name),
        attrs,
        blocks: Vec::new(),
        uid,
        lookup: Lookup::Folder { title: title.clone(), parent: None },
        dashboard: None,
        import: None,
        how: String::new(),
    };
    let i = out.resources.len();
    out.resources.push(resource);
    index.folders.insert((ns, name), i);
    index.folder_titles.entry(title).or_insert(i);
    if let Some(p) = spec["permissions"].as_str().filter(|p| !p.trim().is_empty()) {
        permissions(m, i, p, out);
    }
}

/// `spec.permissions` (Grafana's permission list as JSON text, `{"items": [...]}`) as the
/// folder's `grafana_folder_permission`: the whole list, as the operator sets it.
fn permissions(m: &Manifest, folder: usize, text: &str, out: &mut Converted) {
    let items = match serde_json::from_str::<Value>(text) {
        Ok(v) => v["items"].as_array().cloned().unwrap_or_default(),
        Err(e) => {
            let message = format!("GrafanaFolder `{}`: `spec.permissions` is not JSON: {e}", meta_name(&m.value));
            return out.failures.push(Failure { source: m.source.clone(), message });
        }
    };
    let mut blocks = Vec::new();
    for item in &items {
        let level = match item["permission"].as_i64() {
            Some(1) => "View",
            Some(2) => "Edit",
            Some(4) => "Admin",
            other => {
                let message = format!(
                    "GrafanaFolder `{}`: permission {other:?} in `spec.permissions` is not 1 (View), 2 (Edit) or 4 (Admin)",
                    meta_name(&m.value)
                );
                return out.failures.push(Failure { source: m.source.clone(), message });
            }
        };
        let who = if let Some(r) = item["role"].as_str() {
            ("role", r.to_string())
        } else if let Some(t) = item["teamId"].as_i64() {
            ("team_id", t.to_string())
        } else if let Some(u) = item["userId"].as_i64() {
            ("user_id", u.to_string())
        } else {
            continue;
        };
        let attrs = vec![(who.0.to_string(), Expr::Str(who.1)), ("permission".into(), Expr::Str(level.into()))];
        blocks.push(crate::hcl::Block::new("permissions", attrs));
    }
    let name = out.resources[folder].name.clone();
    let reference = Expr::Raw(format!("{}.uid", out.resources[folder].address()));
    let mut r = Resource::new(
        &m.source,
        "grafana_folder_permission",
        name,
        vec![("folder_uid".into(), reference)],
        Lookup::Permissions { folder },
    );
    r.blocks = blocks;
    r.uid = out.resources[folder].uid.clone();
    out.resources.push(r);
}

/// The parent, once every folder is known: `parentFolderRef` (a `GrafanaFolder` in the same
/// namespace) or `parentFolderUID` (a reference when one of the folders has that uid).
pub fn parent(m: &Manifest, index: &Index<'_>, out: &mut Converted) {
    let spec = &m.value["spec"];
    let key = (namespace(&m.value), meta_name(&m.value));
    let Some(&me) = index.folders.get(&key) else { return };
    let parent = if let Some(r) = spec["parentFolderRef"].as_str() {
        match index.folders.get(&(key.0.clone(), r.to_string())) {
            Some(&p) => Some(p),
            None => {
                out.failures.push(Failure {
                    source: m.source.clone(),
                    message: format!(
                        "GrafanaFolder `{}`: `parentFolderRef` names `{r}`, which is not a GrafanaFolder in namespace \
                            `{}` among the manifests; pass its file too",
                        key.1, key.0
                    ),
                });
                return;
            }
        }
    } else if let Some(u) = spec["parentFolderUID"].as_str() {
        match by_uid(out, u) {
            Some(p) => Some(p),
            None => {
                out.resources[me].attrs.push(("parent_folder_uid".into(), Expr::Str(u.to_string())));
                None
            }
        }
    } else {
        None
    };
    if let Some(p) = parent {
        let reference = Expr::Raw(format!("{}.uid", out.resources[p].address()));
        out.resources[me].attrs.push(("parent_folder_uid".into(), reference));
        if let Lookup::Folder { parent, .. } = &mut out.resources[me].lookup {
            *parent = Some(p);
        }
    }
}

/// The folder resource with this uid, if one of the manifests made it.
pub fn by_uid(out: &Converted, uid: &str) -> Option<usize> {
    out.resources.iter().position(|r| r.kind == "grafana_folder" && r.uid.as_ref().is_some_and(|(u, _)| u == uid))
}

fn uid_of(m: &Value) -> Option<(String, String)> {
    first_uid(&[(&m["spec"]["uid"], "`spec.uid`"), (&m["metadata"]["uid"], "`metadata.uid` (Kubernetes')")])
}

/// Where an object says its folder is, by uid or by reference.
pub enum Place {
    /// A folder resource of the conversion.
    Resource(usize),
    /// A uid no manifest's folder has.
    Uid(String),
}

impl Place {
    /// The attribute's expression: the folder resource's `uid`, or the uid itself.
    pub fn expr(&self, out: &Converted) -> Expr {
        match self {
            Place::Resource(i) => Expr::Raw(format!("{}.uid", out.resources[*i].address())),
            Place::Uid(u) => Expr::Str(u.clone()),
        }
    }
}

/// `folderUID` (a reference when one of the folders has that uid) or `folderRef` (a
/// `GrafanaFolder` in the same namespace); `None` when the spec names neither.
pub fn referenced(spec: &Value, ns: &str, index: &Index<'_>, out: &Converted) -> Result<Option<Place>, String> {
    if let Some(u) = text(&spec["folderUID"]) {
        return Ok(Some(by_uid(out, &u).map_or(Place::Uid(u), Place::Resource)));
    }
    let Some(r) = text(&spec["folderRef"]) else { return Ok(None) };
    match index.folders.get(&(ns.to_string(), r.clone())) {
        Some(&i) => Ok(Some(Place::Resource(i))),
        None => Err(format!(
            "`folderRef` names `{r}`, which is not a GrafanaFolder in namespace `{ns}` among the manifests; pass its \
                file too"
        )),
    }
}

/// The folder titled `title` at the top level: a `GrafanaFolder` with that title, or one the
/// operator made by title (a new resource the first time).
pub fn by_title(title: &str, source: &Source, index: &mut Index<'_>, out: &mut Converted) -> usize {
    if let Some(&i) = index.folder_titles.get(title) {
        return i;
    }
    let name = unique_name(out, "grafana_folder", "", title);
    out.resources.push(Resource {
        source: source.clone(),
        kind: "grafana_folder",
        name,
        attrs: vec![("title".into(), Expr::Str(title.to_string()))],
        blocks: Vec::new(),
        uid: None,
        lookup: Lookup::Folder { title: title.to_string(), parent: None },
        dashboard: None,
        import: None,
        how: "a folder the operator makes by title".into(),
    });
    let i = out.resources.len() - 1;
    index.folder_titles.insert(title.to_string(), i);
    i
}
