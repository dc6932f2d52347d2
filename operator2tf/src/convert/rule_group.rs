//! `GrafanaAlertRuleGroup` → `grafana_rule_group`: the group (`spec.name`, else the manifest's
//! name) in its folder (`folderUID`, or `folderRef` to a `GrafanaFolder`), its interval in
//! seconds, and a `rule` block per rule with its `data` queries (the model as `jsonencode`) and
//! notification settings. Imported as `<folderUID>:<name>` when the folder's uid is known.

use serde_json::Value;

use super::alerting::{editable, json_expr};
use super::folder::Place;
use super::{Converted, Index, Lookup, Resource, meta_name, namespace, text, unique_name};
use crate::hcl::{self, Block, Expr};
use crate::load::{Failure, Manifest};

pub fn convert(m: &Manifest, index: &Index<'_>, out: &mut Converted) {
    let spec = &m.value["spec"];
    let (ns, meta) = (namespace(&m.value), meta_name(&m.value));
    let fail = |out: &mut Converted, message: String| {
        out.failures
            .push(Failure { source: m.source.clone(), message: format!("GrafanaAlertRuleGroup `{meta}`: {message}") })
    };
    let name = text(&spec["name"]).unwrap_or_else(|| meta.clone());
    let interval = match spec["interval"].as_str().map(seconds) {
        Some(Ok(s)) if s > 0 => s,
        Some(Err(e)) => return fail(out, e),
        _ => return fail(out, "`spec.interval` must be a duration such as `1m`".into()),
    };
    let place = match super::folder::referenced(spec, &ns, index, out) {
        Ok(Some(p)) => p,
        Ok(None) => return fail(out, "needs `folderUID` or `folderRef`".into()),
        Err(e) => return fail(out, e),
    };
    let (folder, folder_uid) = match &place {
        Place::Resource(i) => (Some(*i), out.resources[*i].uid.as_ref().map(|(u, _)| u.clone())),
        Place::Uid(u) => (None, Some(u.clone())),
    };
    let folder_expr = place.expr(out);
    let attrs = vec![
        ("name".to_string(), Expr::Str(name.clone())),
        ("folder_uid".into(), folder_expr),
        ("interval_seconds".into(), Expr::Raw(interval.to_string())),
    ];
    let rname = unique_name(out, "grafana_rule_group", &ns, &meta);
    let lookup = Lookup::RuleGroup { folder, folder_uid: folder_uid.clone(), name: name.clone() };
    let mut r = Resource::new(&m.source, "grafana_rule_group", rname, attrs, lookup);
    for rule in spec["rules"].as_array().into_iter().flatten() {
        r.blocks.push(rule_block(rule));
    }
    if r.blocks.is_empty() {
        return fail(out, "no `rules`".into());
    }
    r.set_editable(editable(spec));
    r.uid = folder_uid.map(|f| (format!("{f}:{name}"), "the folder's uid and `spec.name`".to_string()));
    out.resources.push(r);
}

fn rule_block(rule: &Value) -> Block {
    let mut attrs = Vec::new();
    for (key, attr) in [("title", "name"), ("uid", "uid"), ("condition", "condition"), ("for", "for")]
        .into_iter()
        .chain([("noDataState", "no_data_state"), ("execErrState", "exec_err_state")])
    {
        if let Some(v) = text(&rule[key]) {
            attrs.push((attr.to_string(), Expr::Str(v)));
        }
    }
    for (key, attr) in [("labels", "labels"), ("annotations", "annotations")] {
        if rule[key].as_object().is_some_and(|o| !o.is_empty()) {
            attrs.push((attr.to_string(), json_expr(&rule[key])));
        }
    }
    if rule["isPaused"].as_bool() == Some(true) {
        attrs.push(("is_paused".into(), Expr::Bool(true)));
    }
    let mut b = Block::new("rule", attrs);
    for q in rule["data"].as_array().into_iter().flatten() {
        let mut attrs = vec![
            ("ref_id".to_string(), Expr::Str(q["refId"].as_str().unwrap_or_default().into())),
            ("datasource_uid".into(), Expr::Str(q["datasourceUid"].as_str().unwrap_or_default().into())),
        ];
        if let Some(t) = text(&q["queryType"]) {
            attrs.push(("query_type".into(), Expr::Str(t)));
        }
        let model = if q["model"].is_object() { q["model"].clone() } else { serde_json::json!({}) };
        attrs.push(("model".into(), Expr::JsonEncode(model)));
        let mut d = Block::new("data", attrs);
        let range = &q["relativeTimeRange"];
        let n = |k: &str| Expr::Raw(range[k].as_i64().unwrap_or(0).to_string());
        d.blocks.push(Block::new("relative_time_range", vec![("from".into(), n("from")), ("to".into(), n("to"))]));
        b.blocks.push(d);
    }
    let record = &rule["record"];
    if let (Some(metric), Some(from)) = (record["metric"].as_str(), record["from"].as_str()) {
        let attrs = vec![("metric".to_string(), Expr::Str(metric.into())), ("from".into(), Expr::Str(from.into()))];
        b.blocks.push(Block::new("record", attrs));
    }
    let ns = &rule["notificationSettings"];
    if let Some(receiver) = ns["receiver"].as_str() {
        let mut attrs = vec![("contact_point".to_string(), Expr::Str(receiver.into()))];
        if let Some(g) = ns["group_by"].as_array().filter(|a| !a.is_empty()) {
            attrs.push(("group_by".into(), Expr::Raw(hcl::value(&Value::Array(g.clone()), 1))));
        }
        if let Some(mt) = ns["mute_time_intervals"].as_array().filter(|a| !a.is_empty()) {
            attrs.push(("mute_timings".into(), Expr::Raw(hcl::value(&Value::Array(mt.clone()), 1))));
        }
        for k in ["group_wait", "group_interval", "repeat_interval"] {
            if let Some(v) = text(&ns[k]) {
                attrs.push((k.into(), Expr::Str(v)));
            }
        }
        b.blocks.push(Block::new("notification_settings", attrs));
    }
    b
}

/// A Go duration (`1m`, `1h30m`, `90s`) in whole seconds.
pub fn seconds(d: &str) -> Result<i64, String> {
    let bad = || format!("`{d}` is not a duration such as `1m` or `1h30m`");
    let mut total = 0f64;
    let mut rest = d.trim();
    if rest.is_empty() {
        return Err(bad());
    }
    while !rest.is_empty() {
        let num_len = rest.find(|c: char| !c.is_ascii_digit() && c != '.').ok_or_else(bad)?;
        let n: f64 = rest[..num_len].parse().map_err(|_| bad())?;
        rest = &rest[num_len..];
        let unit_len = rest.find(|c: char| c.is_ascii_digit() || c == '.').unwrap_or(rest.len());
        let scale = match &rest[..unit_len] {
            "h" => 3600.0,
            "m" => 60.0,
            "s" => 1.0,
            "ms" => 0.001,
            "us" | "µs" => 0.000_001,
            "ns" => 0.000_000_001,
            _ => return Err(bad()),
        };
        total += n * scale;
        rest = &rest[unit_len..];
    }
    Ok(total.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::seconds;

    #[test]
    fn go_durations_are_read_in_seconds() {
        assert_eq!(seconds("1m"), Ok(60));
        assert_eq!(seconds("1h30m"), Ok(5400));
        assert_eq!(seconds("90s"), Ok(90));
        assert!(seconds("1d").is_err() && seconds("").is_err() && seconds("m").is_err());
    }
}
