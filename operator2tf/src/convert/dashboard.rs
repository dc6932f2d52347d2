//! `GrafanaDashboard` → `grafana_dashboard`: the content as the operator sends it (`datasources`
//! inputs replaced literally; the uid from `spec.uid`, the model's, then `metadata.uid`), its
//! folder by `folderUID`, `folderRef`, `folder` title or the namespace's title.

use serde_json::Value;

use super::content::{Problem, content};
use super::folder::{self, Place};
use super::{Converted, Index, Lookup, Note, Resource, first_uid, meta_name, namespace, text, unique_name};
use crate::load::{Failure, Manifest};

pub fn convert(m: &Manifest, index: &mut Index<'_>, out: &mut Converted) {
    let (ns, name) = (namespace(&m.value), meta_name(&m.value));
    let spec = &m.value["spec"];
    let fail = |out: &mut Converted, message: String| {
        out.failures
            .push(Failure { source: m.source.clone(), message: format!("GrafanaDashboard `{name}`: {message}") })
    };
    let (text, from) = match content(&m.value, index) {
        Ok(c) => c,
        Err(Problem::Failed(e)) => return fail(out, e),
        Err(Problem::Unconvertible(what, todo)) => {
            return out.notes.push(Note { source: m.source.clone(), what, todo });
        }
    };
    let inputs: Vec<(String, String)> = spec["datasources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|d| Some((d["inputName"].as_str()?.to_string(), d["datasourceName"].as_str()?.to_string())))
        .collect();
    // The operator's literal replacement; an export's `__inputs` and `__requires` go (the provider
    // leaves them out of what it compares and sends, and would ask for `inputs` otherwise).
    let text = inputs.iter().fold(text, |t, (input, ds)| t.replace(&format!("${{{input}}}"), ds));
    let mut model = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(o)) => o,
        Ok(_) => return fail(out, format!("the content ({from}) is JSON but not an object")),
        Err(e) => return fail(out, format!("the content ({from}) is not valid JSON: {e}")),
    };
    let Some(title) = model.get("title").and_then(Value::as_str).map(str::to_string) else {
        return fail(out, format!("the dashboard JSON ({from}) has no `title`"));
    };
    let content_uid = model.get("uid").cloned().unwrap_or(Value::Null);
    let uid = first_uid(&[
        (&spec["uid"], "`spec.uid`"),
        (&content_uid, "the dashboard JSON's `uid`"),
        (&m.value["metadata"]["uid"], "`metadata.uid` (Kubernetes')"),
    ]);
    for k in ["id", "version", "__inputs", "__requires"] {
        model.remove(k);
    }
    if let Some((u, _)) = &uid {
        model.insert("uid".into(), Value::String(u.clone()));
    }
    let folder = match placement(m, &ns, index, out) {
        Ok(f) => f,
        Err(e) => return fail(out, e),
    };
    let rname = unique_name(out, "grafana_dashboard", &ns, &name);
    let attrs = vec![("folder".to_string(), folder.expr(out))];
    if spec["envs"].is_array() || spec["envFrom"].is_array() {
        out.notes.push(Note {
            source: m.source.clone(),
            what: format!("GrafanaDashboard `{name}`: `envs`/`envFrom`"),
            todo: "They feed jsonnet only; the JSON content was converted without them.".into(),
        });
    }
    let lookup_folder = match folder {
        Place::Resource(i) => Some(i),
        Place::Uid(_) => None,
    };
    out.resources.push(Resource {
        source: m.source.clone(),
        kind: "grafana_dashboard",
        name: rname,
        attrs,
        blocks: Vec::new(),
        uid,
        lookup: Lookup::Dashboard { title, folder: lookup_folder },
        dashboard: Some(Value::Object(model)),
        import: None,
        how: format!("content from {from}"),
    });
}

/// Where the operator put the dashboard: `folderUID`, `folderRef`, the folder titled `folder`, or
/// (no folder field) the folder it names after the namespace.
fn placement(m: &Manifest, ns: &str, index: &mut Index<'_>, out: &mut Converted) -> Result<Place, String> {
    let spec = &m.value["spec"];
    if let Some(p) = folder::referenced(spec, ns, index, out)? {
        return Ok(p);
    }
    let title = text(&spec["folder"]).unwrap_or_else(|| ns.to_string());
    Ok(Place::Resource(folder::by_title(&title, &m.source, index, out)))
}
