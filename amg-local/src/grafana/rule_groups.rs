//! Alert rules and rule groups: `/api/v1/provisioning/folder/{folderUid}/rule-groups/{group}`
//! and `/api/v1/provisioning/alert-rules[/{uid}]` (Grafana's `api_provisioning.go`,
//! `provisioning/alert_rules.go`, `models/alert_rule.go`).
//!
//! Both profiles: a group PUT replaces the whole group (a rule named by uid is updated, and moved
//! from another group; one without a uid is created; one left out is deleted) and answers with
//! what it was sent; each query's `model` gets Grafana's defaults (`intervalMs` 1000,
//! `maxDataPoints` 43200); `for` is held as a Prometheus duration (`120s` answers `2m`). Refused
//! as Grafana refuses them: an interval that is not a positive multiple of the 10-second tick, a
//! rule without a title or queries, an unknown state, a folder that does not exist (404), a
//! title another rule of the folder has (409), a contact point or mute timing that does not exist.
//! A group with no rule is a 404; `X-Disable-Provenance` makes the provenance none, and answers
//! carry `provenance` unless it is none.
//! - 12.4: `record` (recording rules) kept; a change of provenance from `api` is refused (403);
//!   DELETE of a whole group served.
//! - 10.4: `record` dropped without a word; no group DELETE (405); provenance not checked.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::Ctx;
use super::alerting::{errutil, provenance_from, provenance_may_change};
use super::auth::Caller;
use super::envelope::{Body, R, msg, msg_trace, ok};
use super::policies::{duration_ms, duration_string};
use crate::world::{AlertRuleRec, Profile, Role, Store};

/// Grafana's scheduler tick, in seconds.
const TICK: i64 = 10;
const NO_DATA_STATES: [&str; 4] = ["NoData", "Alerting", "OK", "KeepLast"];
const EXEC_ERR_STATES: [&str; 4] = ["Alerting", "Error", "OK", "KeepLast"];
/// The defaults Grafana writes into every query's model (`models/alert_query.go`).
const MODEL_DEFAULTS: [(&str, i64); 2] = [("intervalMs", 1000), ("maxDataPoints", 43200)];

/// One rule as answered: the stored rule, with its provenance unless none.
fn answer(r: &AlertRuleRec) -> Value {
    let mut v = r.rule.clone();
    if !r.provenance.is_empty() {
        v["provenance"] = json!(r.provenance);
    }
    v
}

fn group_not_found(profile: Profile) -> Response {
    match profile {
        Profile::V12_4 => errutil(StatusCode::NOT_FOUND, "alerting.alert-rule.notFound", "Not found"),
        Profile::V10_4 => msg(StatusCode::NOT_FOUND, "rulegroup not found"),
    }
}

fn rule_not_found() -> Response {
    msg(StatusCode::NOT_FOUND, "")
}

/// `invalid alert rule: …` (Grafana's `ErrAlertRuleFailedValidation`), a 400.
fn invalid(why: &str) -> Response {
    msg_trace(StatusCode::BAD_REQUEST, &format!("invalid alert rule: {why}"))
}

pub(super) async fn get_rule_group(
    State(ctx): State<Ctx>,
    caller: Caller,
    Path((folder, group)): Path<(String, String)>,
) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "alert.provisioning:read")?;
    let g = ws.grafana.lock().expect("lock");
    let rules: Vec<&AlertRuleRec> =
        g.alert_rules.iter().filter(|r| r.folder_uid == folder && r.group == group).collect();
    let Some(first) = rules.first() else { return Err(group_not_found(ws.profile)) };
    ok(json!({
        "title": group,
        "folderUid": folder,
        "interval": first.interval,
        "rules": rules.iter().map(|r| answer(r)).collect::<Vec<_>>(),
    }))
}

pub(super) async fn list_alert_rules(State(ctx): State<Ctx>, caller: Caller) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "alert.provisioning:read")?;
    let g = ws.grafana.lock().expect("lock");
    ok(Value::Array(g.alert_rules.iter().map(answer).collect()))
}

pub(super) async fn get_alert_rule(State(ctx): State<Ctx>, caller: Caller, Path(uid): Path<String>) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "alert.provisioning:read")?;
    let g = ws.grafana.lock().expect("lock");
    g.alert_rules.iter().find(|r| r.uid == uid).map(|r| ok(answer(r))).unwrap_or_else(|| Err(rule_not_found()))
}

/// Deletes one rule; one that is not there is a 204 too.
pub(super) async fn delete_alert_rule(
    State(ctx): State<Ctx>,
    caller: Caller,
    headers: HeaderMap,
    Path(uid): Path<String>,
) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "alert.provisioning:write")?;
    let mut g = ws.grafana.lock().expect("lock");
    if let Some(i) = g.alert_rules.iter().position(|r| r.uid == uid) {
        if ws.profile == Profile::V12_4 {
            provenance_may_change(&g.alert_rules[i].provenance, provenance_from(&headers))?;
        }
        g.alert_rules.remove(i);
    }
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// 12.4 only: deletes every rule of a group.
pub(super) async fn delete_rule_group(
    State(ctx): State<Ctx>,
    caller: Caller,
    headers: HeaderMap,
    Path((folder, group)): Path<(String, String)>,
) -> R {
    let ws = ctx.ws()?;
    if ws.profile == Profile::V10_4 {
        return Err(StatusCode::METHOD_NOT_ALLOWED.into_response());
    }
    caller.require_permission(Role::Admin, "alert.provisioning:write")?;
    let mut g = ws.grafana.lock().expect("lock");
    let in_group = |r: &AlertRuleRec| r.folder_uid == folder && r.group == group;
    if !g.alert_rules.iter().any(in_group) {
        return Err(group_not_found(ws.profile));
    }
    for r in g.alert_rules.iter().filter(|r| in_group(r)) {
        provenance_may_change(&r.provenance, provenance_from(&headers))?;
    }
    g.alert_rules.retain(|r| !in_group(r));
    Ok(StatusCode::NO_CONTENT.into_response())
}

pub(super) async fn put_rule_group(
    State(ctx): State<Ctx>,
    caller: Caller,
    headers: HeaderMap,
    Path((folder, group)): Path<(String, String)>,
    Body(mut b): Body,
) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "alert.provisioning:write")?;
    let interval = b.get("interval").and_then(Value::as_i64).unwrap_or_default();
    let sent: Vec<Value> = b.get("rules").and_then(Value::as_array).cloned().unwrap_or_default();
    let mut rules = Vec::with_capacity(sent.len());
    for r in &sent {
        rules.push(stored_rule(ws.profile, r, &folder, &group)?);
    }
    if interval <= 0 || interval % TICK != 0 {
        return Err(invalid(&format!(
            "interval ({}) should be non-zero and divided exactly by scheduler interval: {TICK}",
            go_duration(interval)
        )));
    }
    let provenance = provenance_from(&headers);
    let mut g = ws.grafana.lock().expect("lock");
    if !g.folders.contains_key(&folder) {
        return Err(msg(StatusCode::NOT_FOUND, "folder not found"));
    }
    check_references(&g, &rules)?;
    let sent_uids: Vec<&str> = rules.iter().filter_map(|r| r["uid"].as_str()).filter(|u| !u.is_empty()).collect();
    let replaced =
        |r: &AlertRuleRec| (r.folder_uid == folder && r.group == group) || sent_uids.contains(&r.uid.as_str());
    if ws.profile == Profile::V12_4 {
        for r in g.alert_rules.iter().filter(|r| replaced(r)) {
            provenance_may_change(&r.provenance, provenance)?;
        }
    }
    check_titles(&g, &folder, &rules, replaced)?;
    g.alert_rules.retain(|r| !replaced(r));
    for mut rule in rules {
        let uid = match rule["uid"].as_str().filter(|u| !u.is_empty()) {
            Some(u) => u.to_string(),
            None => ctx.world.new_uid(),
        };
        rule["uid"] = json!(uid);
        rule["id"] = json!(g.next_id());
        let (folder_uid, group, provenance) = (folder.clone(), group.clone(), provenance.to_string());
        g.alert_rules.push(AlertRuleRec { uid, folder_uid, group, interval, rule, provenance });
    }
    b.insert("title".into(), json!(group));
    b.insert("folderUid".into(), json!(folder));
    ok(Value::Object(b))
}

/// A rule as the group PUT stores it, or Grafana's refusal.
fn stored_rule(profile: Profile, r: &Value, folder: &str, group: &str) -> Result<Value, Response> {
    let text = |k: &str| r.get(k).and_then(Value::as_str).unwrap_or_default().to_string();
    let title = text("title");
    if title.is_empty() {
        return Err(invalid("title is empty"));
    }
    if title.chars().count() > 190 || group.chars().count() > 190 {
        return Err(invalid("name length should not be greater than 190"));
    }
    let no_data = text("noDataState");
    if !NO_DATA_STATES.contains(&no_data.as_str()) {
        return Err(msg_trace(StatusCode::BAD_REQUEST, &format!("unknown NoData state option {no_data}")));
    }
    let exec_err = text("execErrState");
    if !EXEC_ERR_STATES.contains(&exec_err.as_str()) {
        return Err(msg_trace(StatusCode::BAD_REQUEST, &format!("unknown Exec Error state option {exec_err}")));
    }
    let data: Vec<Value> = r.get("data").and_then(Value::as_array).cloned().unwrap_or_default();
    if data.is_empty() {
        return Err(invalid("no queries or expressions are found"));
    }
    let for_ms = match r.get("for") {
        None | Some(Value::Null) => 0,
        Some(Value::String(s)) => duration_ms(s).map_err(|_| msg_trace(StatusCode::BAD_REQUEST, "bad request data"))?,
        Some(_) => return Err(msg_trace(StatusCode::BAD_REQUEST, "bad request data")),
    };
    let mut v = json!({
        "uid": text("uid"),
        "orgID": 1,
        "folderUID": folder,
        "ruleGroup": group,
        "title": title,
        "condition": text("condition"),
        "data": data.iter().map(stored_query).collect::<Vec<_>>(),
        "updated": crate::world::now_rfc3339(),
        "noDataState": no_data,
        "execErrState": exec_err,
        "for": duration_string(for_ms),
        "isPaused": r.get("isPaused").and_then(Value::as_bool).unwrap_or(false),
    });
    for k in ["annotations", "labels"] {
        if let Some(m) = r.get(k).and_then(Value::as_object).filter(|m| !m.is_empty()) {
            v[k] = Value::Object(m.clone());
        }
    }
    if let Some(s) = r.get("notification_settings").filter(|s| s.is_object()) {
        v["notification_settings"] = stored_settings(s)?;
    }
    if let (Profile::V12_4, Some(rec)) = (profile, r.get("record").filter(|x| x.is_object())) {
        v["record"] = json!({"metric": rec["metric"], "from": rec["from"]});
    }
    Ok(v)
}

fn stored_query(q: &Value) -> Value {
    let mut model = q.get("model").and_then(Value::as_object).cloned().unwrap_or_default();
    for (k, d) in MODEL_DEFAULTS {
        model.entry(k).or_insert(json!(d));
    }
    let range = q.get("relativeTimeRange").cloned().unwrap_or_else(|| json!({}));
    json!({
        "refId": q.get("refId").cloned().unwrap_or(json!("")),
        "queryType": q.get("queryType").cloned().unwrap_or(json!("")),
        "relativeTimeRange": {"from": range["from"].as_i64().unwrap_or(0), "to": range["to"].as_i64().unwrap_or(0)},
        "datasourceUid": q.get("datasourceUid").cloned().unwrap_or(json!("")),
        "model": Value::Object(model),
    })
}

/// A rule's `notification_settings`, its timings as Prometheus durations.
fn stored_settings(s: &Value) -> Result<Value, Response> {
    let receiver = s.get("receiver").and_then(Value::as_str).unwrap_or_default();
    if receiver.is_empty() {
        return Err(invalid("invalid notification settings: receiver must be specified"));
    }
    let mut out = Map::new();
    out.insert("receiver".into(), json!(receiver));
    if let Some(labels) = s.get("group_by").and_then(Value::as_array).filter(|l| !l.is_empty()) {
        let has = |l: &str| labels.iter().any(|x| x.as_str() == Some(l));
        let required = has("alertname") && has("grafana_folder");
        if !(has("...") || required) {
            return Err(invalid(
                "invalid notification settings: group by override must contain two required labels: 'alertname' and \
                    'grafana_folder'",
            ));
        }
        out.insert("group_by".into(), Value::Array(labels.clone()));
    }
    for k in ["group_wait", "group_interval", "repeat_interval"] {
        if let Some(d) = s.get(k).and_then(Value::as_str).filter(|d| !d.is_empty()) {
            let ms = duration_ms(d).map_err(|_| msg_trace(StatusCode::BAD_REQUEST, "bad request data"))?;
            out.insert(k.into(), json!(duration_string(ms)));
        }
    }
    if let Some(m) = s.get("mute_time_intervals").and_then(Value::as_array).filter(|m| !m.is_empty()) {
        out.insert("mute_time_intervals".into(), Value::Array(m.clone()));
    }
    Ok(Value::Object(out))
}

/// Contact points and mute timings the rules name must exist.
fn check_references(g: &Store, rules: &[Value]) -> Result<(), Response> {
    for s in rules.iter().filter_map(|r| r.get("notification_settings")) {
        let receiver = s["receiver"].as_str().unwrap_or_default();
        if !super::contact_points::exists(g, receiver) {
            return Err(invalid(&format!("receiver {receiver} does not exist")));
        }
        for m in s["mute_time_intervals"].as_array().into_iter().flatten().filter_map(Value::as_str) {
            if !g.mute_timings.iter().any(|t| t.name == m) {
                return Err(invalid(&format!("time interval {m} does not exist")));
            }
        }
    }
    Ok(())
}

/// Rule titles are unique in a folder: among the rules sent, and against the folder's rules
/// this PUT does not replace (409).
fn check_titles(
    g: &Store,
    folder: &str,
    rules: &[Value],
    replaced: impl Fn(&AlertRuleRec) -> bool,
) -> Result<(), Response> {
    for (i, r) in rules.iter().enumerate() {
        let title = r["title"].as_str().unwrap_or_default();
        let twice = rules[..i].iter().any(|o| o["title"].as_str() == Some(title));
        let taken = g.alert_rules.iter().any(|o| o.folder_uid == folder && !replaced(o) && o.rule["title"] == title);
        if twice || taken {
            return Err(errutil(
                StatusCode::CONFLICT,
                "alerting.alert-rule.conflict",
                &format!(
                    "failed to save alert rule [rule_uid: '{}', title: '{title}', namespace_uid: '{folder}']: a \
                        conflicting alert rule is found: rule title under the same organisation and folder should be \
                        unique",
                    r["uid"].as_str().unwrap_or_default()
                ),
            ));
        }
    }
    Ok(())
}

/// Go's `time.Duration` text of whole seconds (`15s`, `1m30s`, `4m0s`, `0s`).
fn go_duration(seconds: i64) -> String {
    let (sign, s) = if seconds < 0 { ("-", -seconds) } else { ("", seconds) };
    let (h, m, s) = (s / 3600, s % 3600 / 60, s % 60);
    match (h, m) {
        (0, 0) => format!("{sign}{s}s"),
        (0, _) => format!("{sign}{m}m{s}s"),
        _ => format!("{sign}{h}h{m}m{s}s"),
    }
}

/// Whether any rule is in one of `folders` (Grafana refuses to delete a folder holding rules).
pub(crate) fn rules_in(g: &Store, folders: &[String]) -> bool {
    g.alert_rules.iter().any(|r| folders.contains(&r.folder_uid))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_read_as_go_prints_durations() {
        assert_eq!(go_duration(15), "15s");
        assert_eq!(go_duration(90), "1m30s");
        assert_eq!(go_duration(240), "4m0s");
        assert_eq!(go_duration(0), "0s");
        assert_eq!(go_duration(-10), "-10s");
        assert_eq!(go_duration(3600), "1h0m0s");
    }

    #[test]
    fn queries_get_grafanas_model_defaults_and_keep_their_own() {
        let q = stored_query(&json!({"refId": "A", "model": {"refId": "A", "intervalMs": 2000}}));
        assert_eq!(q["model"], json!({"refId": "A", "intervalMs": 2000, "maxDataPoints": 43200}));
        assert_eq!(q["relativeTimeRange"], json!({"from": 0, "to": 0}));
    }
}
