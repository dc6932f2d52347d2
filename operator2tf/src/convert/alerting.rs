//! The operator's alerting kinds, each to the provider's resource of the same object:
//! `GrafanaNotificationTemplate` → `grafana_message_template`, `GrafanaMuteTiming` →
//! `grafana_mute_timing`, `GrafanaNotificationPolicy` → `grafana_notification_policy`,
//! `GrafanaContactPoint` → `grafana_contact_point` (receiver blocks named by the provider's own
//! notifier table, secrets as sensitive variables). `editable` (the operator's default: true)
//! is `disable_provenance`; live mode reads the provenance Grafana holds instead.

use serde_json::{Map, Value};

use super::{Converted, Index, Lookup, Note, Resource, meta_name, namespace, path_segment, text, unique_name};
use crate::flux::markers;
use crate::hcl::{self, Block, Expr, identifier};
use crate::load::{Failure, Manifest};

/// `spec.editable`, true when unset (the operator's default).
pub fn editable(spec: &Value) -> bool {
    spec["editable"].as_bool().unwrap_or(true)
}

fn list(v: &Value) -> Option<Expr> {
    let items: Vec<Value> = v.as_array()?.iter().filter(|x| x.is_string()).cloned().collect();
    (!items.is_empty()).then(|| Expr::Raw(hcl::value(&Value::Array(items), 1)))
}

/// A JSON value as the attribute expression it is.
pub fn json_expr(v: &Value) -> Expr {
    match v {
        Value::String(s) => Expr::Str(s.clone()),
        Value::Bool(b) => Expr::Bool(*b),
        Value::Object(m) => Expr::Map(m.iter().map(|(k, v)| (k.clone(), json_expr(v))).collect()),
        other => Expr::Raw(hcl::value(other, 1)),
    }
}

fn fail(out: &mut Converted, m: &Manifest, kind: &str, message: String) {
    out.failures
        .push(Failure { source: m.source.clone(), message: format!("{kind} `{}`: {message}", meta_name(&m.value)) });
}

fn push(out: &mut Converted, mut r: Resource, id: String, from: &str, editable: bool) {
    r.set_editable(editable);
    r.uid = Some((id, from.to_string()));
    out.resources.push(r);
}

pub fn template(m: &Manifest, out: &mut Converted) {
    let spec = &m.value["spec"];
    let Some(name) = text(&spec["name"]) else {
        return fail(out, m, "GrafanaNotificationTemplate", "no `spec.name`".into());
    };
    let attrs = vec![
        ("name".to_string(), Expr::Str(name.clone())),
        ("template".into(), Expr::Str(spec["template"].as_str().unwrap_or_default().to_string())),
    ];
    let rname = unique_name(out, "grafana_message_template", &namespace(&m.value), &meta_name(&m.value));
    let path = format!("/api/v1/provisioning/templates/{}", path_segment(&name));
    let r = Resource::new(&m.source, "grafana_message_template", rname, attrs, Lookup::Alerting { path });
    push(out, r, name, "`spec.name`", editable(spec));
}

pub fn mute_timing(m: &Manifest, out: &mut Converted) {
    let spec = &m.value["spec"];
    let Some(name) = text(&spec["name"]) else { return fail(out, m, "GrafanaMuteTiming", "no `spec.name`".into()) };
    let rname = unique_name(out, "grafana_mute_timing", &namespace(&m.value), &meta_name(&m.value));
    let path = format!("/api/v1/provisioning/mute-timings/{}", path_segment(&name));
    let mut r = Resource::new(
        &m.source,
        "grafana_mute_timing",
        rname,
        vec![("name".into(), Expr::Str(name.clone()))],
        Lookup::Alerting { path },
    );
    for i in spec["time_intervals"].as_array().into_iter().flatten() {
        let mut b = Block::new("intervals", Vec::new());
        for (key, attr) in [("weekdays", "weekdays"), ("days_of_month", "days_of_month"), ("months", "months")]
            .into_iter()
            .chain([("years", "years")])
        {
            if let Some(e) = list(&i[key]) {
                b.attrs.push((attr.into(), e));
            }
        }
        if let Some(l) = text(&i["location"]) {
            b.attrs.push(("location".into(), Expr::Str(l)));
        }
        for t in i["times"].as_array().into_iter().flatten() {
            let attrs = vec![
                ("start".to_string(), Expr::Str(t["start_time"].as_str().unwrap_or_default().into())),
                ("end".into(), Expr::Str(t["end_time"].as_str().unwrap_or_default().into())),
            ];
            b.blocks.push(Block::new("times", attrs));
        }
        r.blocks.push(b);
    }
    push(out, r, name, "`spec.name`", editable(spec));
}

pub fn policy(m: &Manifest, out: &mut Converted) {
    let spec = &m.value["spec"];
    if let Some(other) = out.resources.iter().find(|r| r.kind == "grafana_notification_policy") {
        let message = format!(
            "a workspace has one notification policy tree, already set by {}: merge the two into one manifest",
            other.source
        );
        return fail(out, m, "GrafanaNotificationPolicy", message);
    }
    let Some(route) = spec["route"].as_object() else {
        return fail(out, m, "GrafanaNotificationPolicy", "no `spec.route`".into());
    };
    let mut skipped = Vec::new();
    let (attrs, blocks) = route_of(route, true, &mut skipped);
    for what in skipped {
        out.notes.push(Note {
            source: m.source.clone(),
            what: format!("GrafanaNotificationPolicy `{}`: {what}", meta_name(&m.value)),
            todo: "Not converted: write it as `matcher` blocks or `policy` blocks in the generated resource.".into(),
        });
    }
    let rname = unique_name(out, "grafana_notification_policy", &namespace(&m.value), &meta_name(&m.value));
    let path = "/api/v1/provisioning/policies".to_string();
    let mut r = Resource::new(&m.source, "grafana_notification_policy", rname, attrs, Lookup::Alerting { path });
    r.blocks = blocks;
    push(out, r, "policy".into(), "the workspace's one tree", editable(spec));
}

/// A route's attributes and blocks (`matcher`s, then `policy`s); what it cannot say goes to `skipped`.
fn route_of(r: &Map<String, Value>, root: bool, skipped: &mut Vec<String>) -> (Vec<(String, Expr)>, Vec<Block>) {
    let get = |k: &str| r.get(k).cloned().unwrap_or(Value::Null);
    let mut attrs = Vec::new();
    if let Some(c) = text(&get("receiver")) {
        attrs.push(("contact_point".to_string(), Expr::Str(c)));
    }
    if let Some(g) = list(&get("group_by")) {
        attrs.push(("group_by".into(), g));
    }
    if !root {
        if get("continue").as_bool() == Some(true) {
            attrs.push(("continue".into(), Expr::Bool(true)));
        }
        for (key, attr) in [("mute_time_intervals", "mute_timings"), ("active_time_intervals", "active_timings")] {
            if let Some(l) = list(&get(key)) {
                attrs.push((attr.into(), l));
            }
        }
    }
    for k in ["group_wait", "group_interval", "repeat_interval"] {
        if let Some(v) = text(&get(k)) {
            attrs.push((k.into(), Expr::Str(v)));
        }
    }
    let mut blocks = Vec::new();
    for om in get("object_matchers").as_array().into_iter().flatten() {
        let parts: Vec<String> =
            om.as_array().into_iter().flatten().filter_map(|x| x.as_str().map(str::to_string)).collect();
        if let [label, op, value] = parts.as_slice() {
            let attrs = vec![
                ("label".to_string(), Expr::Str(label.clone())),
                ("match".into(), Expr::Str(op.clone())),
                ("value".into(), Expr::Str(value.clone())),
            ];
            blocks.push(Block::new("matcher", attrs));
        }
    }
    for k in ["matchers", "match_re", "routeSelector"] {
        if r.get(k).is_some_and(|v| !v.is_null() && v != &Value::Array(vec![]) && v != &Value::Object(Map::new())) {
            skipped.push(format!("a route's `{k}`"));
        }
    }
    for child in get("routes").as_array().into_iter().flatten().filter_map(Value::as_object) {
        let (attrs, inner) = route_of(child, false, skipped);
        let mut b = Block::new("policy", attrs);
        b.blocks = inner;
        blocks.push(b);
    }
    (attrs, blocks)
}

pub fn contact_point(m: &Manifest, index: &Index<'_>, out: &mut Converted) {
    let spec = &m.value["spec"];
    let cp_name = text(&spec["name"]).unwrap_or_else(|| meta_name(&m.value));
    let rname = unique_name(out, "grafana_contact_point", &namespace(&m.value), &meta_name(&m.value));
    // The newer `receivers` list, or the single `type` + `settings` of the first format.
    let receivers: Vec<Value> = match spec["receivers"].as_array() {
        Some(r) => r.clone(),
        None => vec![serde_json::json!({
            "type": spec["type"], "settings": spec["settings"], "disableResolveMessage": spec["disableResolveMessage"],
            "valuesFrom": spec["valuesFrom"]
        })],
    };
    let path = format!("/api/v1/provisioning/contact-points?name={}", path_segment(&cp_name));
    let mut r = Resource::new(
        &m.source,
        "grafana_contact_point",
        rname.clone(),
        vec![("name".into(), Expr::Str(cp_name.clone()))],
        Lookup::Alerting { path },
    );
    for (i, rec) in receivers.iter().enumerate() {
        let kind = rec["type"].as_str().unwrap_or_default();
        let mut settings = rec["settings"].as_object().cloned().unwrap_or_default();
        if let Err(e) = super::datasource::values_from(rec, &namespace(&m.value), &mut settings, index, out) {
            return fail(out, m, "GrafanaContactPoint", e);
        }
        let resolve = rec["disableResolveMessage"].as_bool().unwrap_or(false);
        let Some(block) = terraform_provider_grafana::receivers::receiver(kind, &settings, resolve) else {
            let message = format!("receiver type `{kind}` is not one of the provider's receiver blocks");
            return fail(out, m, "GrafanaContactPoint", message);
        };
        let mut b = Block::new(block.block, Vec::new());
        for (attr, v) in block.attributes {
            let secret = block.secrets.contains(&attr);
            let e = match v.as_str() {
                Some(s) if secret && markers(s).is_empty() => {
                    let n = if receivers.len() > 1 {
                        format!("{rname}_{}_{attr}", i + 1)
                    } else {
                        format!("{rname}_{attr}")
                    };
                    let var = identifier(&n);
                    out.secrets.insert(var.clone(), format!("`{attr}` of contact point {cp_name:?} ({})", m.source));
                    Expr::Raw(format!("var.{var}"))
                }
                _ => json_expr(&v),
            };
            b.attrs.push((attr.to_string(), e));
        }
        r.blocks.push(b);
    }
    push(out, r, cp_name, "`spec.name`", editable(spec));
}
