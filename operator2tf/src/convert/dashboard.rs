//! `GrafanaDashboard` → `grafana_dashboard`: the content as the operator sends it (`datasources`
//! inputs replaced literally; the uid from `spec.uid`, the model's, then `metadata.uid`), its
//! folder by `folderUID`, `folderRef`, `folder` title or the namespace's title.

use serde_json::Value;

use super::content::{Problem, content};
use super::folder;
use super::{Converted, Index, Lookup, Note, Resource, meta_name, namespace, unique_name};
use crate::hcl::Expr;
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
    let given = |v: Option<&Value>| v.and_then(Value::as_str).filter(|s| !s.is_empty()).map(str::to_string);
    let uid = given(spec.get("uid"))
        .map(|u| (u, "`spec.uid`".to_string()))
        .or_else(|| given(model.get("uid")).map(|u| (u, "the dashboard JSON's `uid`".to_string())))
        .or_else(|| given(m.value["metadata"].get("uid")).map(|u| (u, "`metadata.uid` (Kubernetes')".to_string())));
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
    let mut attrs = Vec::new();
    match &folder {
        Place::Resource(i) => {
            attrs.push(("folder".to_string(), Expr::Raw(format!("{}.uid", out.resources[*i].address()))))
        }
        Place::Uid(u) => attrs.push(("folder".to_string(), Expr::Str(u.clone()))),
    }
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

enum Place {
    Resource(usize),
    Uid(String),
}

fn placement(m: &Manifest, ns: &str, index: &mut Index<'_>, out: &mut Converted) -> Result<Place, String> {
    let spec = &m.value["spec"];
    if let Some(u) = spec["folderUID"].as_str().filter(|s| !s.is_empty()) {
        return Ok(folder::by_uid(out, u).map(Place::Resource).unwrap_or(Place::Uid(u.to_string())));
    }
    if let Some(r) = spec["folderRef"].as_str().filter(|s| !s.is_empty()) {
        return index.folders.get(&(ns.to_string(), r.to_string())).map(|&i| Place::Resource(i)).ok_or_else(|| {
            format!(
                "`folderRef` names `{r}`, which is not a GrafanaFolder in namespace `{ns}` among the manifests; pass \
                    its file too"
            )
        });
    }
    // By title, or (no folder field) the folder the operator names after the namespace.
    let title = spec["folder"].as_str().filter(|s| !s.is_empty()).unwrap_or(ns);
    Ok(Place::Resource(folder::by_title(title, &m.source, index, out)))
}
