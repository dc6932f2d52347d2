//! Alerting mute timings: `/api/v1/provisioning/mute-timings` (Grafana's `api_provisioning.go`,
//! `provisioning/mute_timings.go`, Alertmanager's `timeinterval` parsing).
//!
//! Both profiles: a body's time intervals are parsed as Alertmanager parses them (an invalid
//! weekday, month, day, year, time or location is `400 bad request data`, as Grafana's JSON
//! binding answers) and stored in Alertmanager's form: weekdays as lower-case names, months,
//! days and years as numbers, a range whose ends are equal as one value, empty fields left out;
//! a name is required (`invalidFormat`); a create of an existing name is the 400 `nameExists`;
//! `X-Disable-Provenance` makes the provenance none; answers carry `provenance` unless it is none.
//! A mute timing a notification policy names cannot be deleted (409 `time-intervals.used`);
//! a delete of one that does not exist is a 204.
//! - 12.4: answers carry `version`; PUT and DELETE refuse a change of provenance from `api`
//!   (403 `invalidProvenance`) and a stale `version` (409); the list is sorted by name.
//! - 10.4: no `version`, provenance not checked, the list in creation order.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

use super::Ctx;
use super::alerting::{errutil, fingerprint, provenance_from, provenance_may_change};
use super::auth::Caller;
use super::envelope::{Body, R, msg_trace, ok};
use super::policies::uses_time_interval;
use crate::world::{MuteTiming, Profile, Role};

/// One mute timing as the profile answers it.
fn answer(profile: Profile, m: &MuteTiming) -> Value {
    let mut v = json!({"name": m.name, "time_intervals": m.intervals});
    if profile == Profile::V12_4 {
        v["version"] = json!(version_of(m));
    }
    if !m.provenance.is_empty() {
        v["provenance"] = json!(m.provenance);
    }
    v
}

fn version_of(m: &MuteTiming) -> String {
    fingerprint(&format!("{}\u{ff}{}", m.name, m.intervals))
}

pub(super) async fn list_mute_timings(State(ctx): State<Ctx>, caller: Caller) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "alert.provisioning:read")?;
    let g = ws.grafana.lock().expect("lock");
    let mut all: Vec<&MuteTiming> = g.mute_timings.iter().collect();
    if ws.profile == Profile::V12_4 {
        all.sort_by(|a, b| a.name.cmp(&b.name));
    }
    ok(Value::Array(all.into_iter().map(|m| answer(ws.profile, m)).collect()))
}

pub(super) async fn get_mute_timing(State(ctx): State<Ctx>, caller: Caller, Path(name): Path<String>) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "alert.provisioning:read")?;
    let g = ws.grafana.lock().expect("lock");
    g.mute_timings
        .iter()
        .find(|m| m.name == name)
        .map(|m| ok(answer(ws.profile, m)))
        .unwrap_or_else(|| Err(not_found()))
}

pub(super) async fn create_mute_timing(State(ctx): State<Ctx>, caller: Caller, headers: HeaderMap, Body(b): Body) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "alert.provisioning:write")?;
    let intervals = stored_intervals(&b)?;
    let name = b.get("name").and_then(Value::as_str).unwrap_or_default().to_string();
    if name.is_empty() {
        return Err(missing_name());
    }
    let mut g = ws.grafana.lock().expect("lock");
    if g.mute_timings.iter().any(|m| m.name == name) {
        return Err(errutil(
            StatusCode::BAD_REQUEST,
            "alerting.notifications.time-intervals.nameExists",
            "Time interval with this name already exists. Use a different name or update existing one.",
        ));
    }
    let m = MuteTiming { name, intervals, provenance: provenance_from(&headers).to_string() };
    let body = answer(ws.profile, &m);
    g.mute_timings.push(m);
    Ok((StatusCode::CREATED, axum::Json(body)).into_response())
}

pub(super) async fn put_mute_timing(
    State(ctx): State<Ctx>,
    caller: Caller,
    headers: HeaderMap,
    Path(name): Path<String>,
    Body(b): Body,
) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "alert.provisioning:write")?;
    let intervals = stored_intervals(&b)?;
    let provenance = provenance_from(&headers);
    let mut g = ws.grafana.lock().expect("lock");
    let Some(m) = g.mute_timings.iter_mut().find(|m| m.name == name) else { return Err(not_found()) };
    if ws.profile == Profile::V12_4 {
        provenance_may_change(&m.provenance, provenance)?;
        let wanted = b.get("version").and_then(Value::as_str).unwrap_or_default();
        stale(m, wanted, "update")?;
    }
    m.intervals = intervals;
    m.provenance = provenance.to_string();
    Ok((StatusCode::ACCEPTED, axum::Json(answer(ws.profile, m))).into_response())
}

#[derive(serde::Deserialize)]
pub(super) struct DeleteQuery {
    #[serde(default)]
    version: String,
}

pub(super) async fn delete_mute_timing(
    State(ctx): State<Ctx>,
    caller: Caller,
    headers: HeaderMap,
    Path(name): Path<String>,
    Query(q): Query<DeleteQuery>,
) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "alert.provisioning:write")?;
    let mut g = ws.grafana.lock().expect("lock");
    let Some(i) = g.mute_timings.iter().position(|m| m.name == name) else {
        return Ok(StatusCode::NO_CONTENT.into_response());
    };
    if ws.profile == Profile::V12_4 {
        provenance_may_change(&g.mute_timings[i].provenance, provenance_from(&headers))?;
    }
    if uses_time_interval(&g.policy_tree(), &name) {
        let message = match ws.profile {
            Profile::V12_4 => "Time interval is used by notification policies",
            Profile::V10_4 => "Time interval is used",
        };
        return Err(errutil(StatusCode::CONFLICT, "alerting.notifications.time-intervals.used", message));
    }
    if ws.profile == Profile::V12_4 {
        stale(&g.mute_timings[i], &q.version, "delete")?;
    }
    g.mute_timings.remove(i);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// 12.x's optimistic concurrency: a `version` given must be the current one.
fn stale(m: &MuteTiming, wanted: &str, action: &str) -> Result<(), Response> {
    let current = version_of(m);
    if wanted.is_empty() || wanted == current {
        return Ok(());
    }
    let message = format!(
        "Failed to {action} time interval with name '{}'. Provided version {wanted} does not match current version \
            {current}",
        m.name
    );
    Err(errutil(StatusCode::CONFLICT, "alerting.notifications.conflict", &message))
}

fn not_found() -> Response {
    errutil(StatusCode::NOT_FOUND, "alerting.notifications.time-intervals.notFound", "Not found")
}

/// Grafana's `Validate` refuses a mute timing without a name ("missing name in mute time interval").
fn missing_name() -> Response {
    errutil(
        StatusCode::BAD_REQUEST,
        "alerting.notifications.time-intervals.invalidFormat",
        "Time interval is in invalid format. Correct the payload and try again.",
    )
}

/// The body's `time_intervals` in the form Grafana stores, or Grafana's binding error.
fn stored_intervals(b: &Map<String, Value>) -> Result<Value, Response> {
    let bad = |_| msg_trace(StatusCode::BAD_REQUEST, "bad request data");
    match b.get("time_intervals") {
        None | Some(Value::Null) => Ok(Value::Null),
        Some(Value::Array(xs)) => {
            xs.iter().map(stored_interval).collect::<Result<Vec<_>, _>>().map(Value::Array).map_err(bad)
        }
        Some(_) => Err(bad(String::new())),
    }
}

/// One time interval as Alertmanager parses and marshals it.
pub(crate) fn stored_interval(v: &Value) -> Result<Value, String> {
    let Value::Object(o) = v else { return Err("a time interval is an object".into()) };
    let mut out = Map::new();
    if let Some(times) = list(o, "times")? {
        let ts = times.iter().map(time_range).collect::<Result<Vec<_>, _>>()?;
        out.insert("times".into(), json!(ts));
    }
    for (field, kind) in
        [("weekdays", Kind::Weekday), ("days_of_month", Kind::Day), ("months", Kind::Month), ("years", Kind::Year)]
    {
        if let Some(xs) = list(o, field)? {
            let rs = xs.iter().map(|x| range(x, kind)).collect::<Result<Vec<_>, _>>()?;
            out.insert(field.into(), json!(rs));
        }
    }
    match o.get("location") {
        None | Some(Value::Null) => {}
        Some(Value::String(l)) => {
            out.insert("location".into(), json!(location(l)?));
        }
        Some(_) => return Err("location is a string".into()),
    }
    Ok(Value::Object(out))
}

/// A present, non-empty list field (Alertmanager's `omitempty`).
fn list<'a>(o: &'a Map<String, Value>, field: &str) -> Result<Option<&'a Vec<Value>>, String> {
    match o.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(xs)) if xs.is_empty() => Ok(None),
        Some(Value::Array(xs)) => Ok(Some(xs)),
        Some(_) => Err(format!("{field} is a list")),
    }
}

fn time_range(v: &Value) -> Result<Value, String> {
    let get = |k: &str| v.get(k).and_then(Value::as_str).unwrap_or_default();
    let (start, end) = (get("start_time"), get("end_time"));
    if start.is_empty() || end.is_empty() {
        return Err("both start and end times must be provided".into());
    }
    let (s, e) = (minutes(start)?, minutes(end)?);
    if s >= e {
        return Err("start time cannot be equal or greater than end time".into());
    }
    let hhmm = |m: u32| format!("{:02}:{:02}", m / 60, m % 60);
    Ok(json!({"start_time": hhmm(s), "end_time": hhmm(e)}))
}

/// `HH:MM` (two digits each, `24:00` the end of the day) as minutes.
fn minutes(t: &str) -> Result<u32, String> {
    let bad = || format!("couldn't parse timestamp {t}, invalid format");
    if t == "24:00" {
        return Ok(1440);
    }
    let (h, m) = t.split_once(':').ok_or_else(bad)?;
    let two = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !two(h) || !two(m) {
        return Err(bad());
    }
    let (h, m): (u32, u32) = (h.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?);
    if h > 23 || m > 59 {
        return Err(bad());
    }
    Ok(h * 60 + m)
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Weekday,
    Day,
    Month,
    Year,
}

const WEEKDAYS: [&str; 7] = ["sunday", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"];
const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// One range (`a` or `a:b`) parsed and written back as Alertmanager does.
fn range(v: &Value, kind: Kind) -> Result<String, String> {
    let text = v.as_str().ok_or("a range is a string")?.to_lowercase();
    let parts: Vec<&str> = text.split(':').collect();
    let (b, e) = match parts.as_slice() {
        [one] => (member(one, kind)?, member(one, kind)?),
        [b, e] => (member(b, kind)?, member(e, kind)?),
        _ => return Err(format!("couldn't parse range {text}, invalid format")),
    };
    check(b, e, kind)?;
    let word = |n: i64| match kind {
        Kind::Weekday => WEEKDAYS[n as usize].to_string(),
        _ => n.to_string(),
    };
    Ok(if b == e { word(b) } else { format!("{}:{}", word(b), word(e)) })
}

fn member(s: &str, kind: Kind) -> Result<i64, String> {
    match kind {
        Kind::Weekday => {
            WEEKDAYS.iter().position(|d| *d == s).map(|i| i as i64).ok_or(format!("{s} is not a valid weekday"))
        }
        Kind::Month => match MONTHS.iter().position(|m| *m == s) {
            Some(i) => Ok(i as i64 + 1),
            None => s.parse().map_err(|_| format!("{s} is not a valid month")),
        },
        Kind::Day | Kind::Year => s.parse().map_err(|_| format!("strconv.Atoi: parsing {s:?}: invalid syntax")),
    }
}

fn check(b: i64, e: i64, kind: Kind) -> Result<(), String> {
    match kind {
        Kind::Weekday if b > e => Err("start day cannot be before end day".into()),
        Kind::Day => {
            for d in [b, e] {
                if d == 0 || !(-31..=31).contains(&d) {
                    return Err(format!("{d} is not a valid day of the month: out of range"));
                }
            }
            if b < 0 && e > 0 {
                return Err("end day must be negative if start day is negative".into());
            }
            let at = |d: i64| if d < 0 { 28 + d } else { d };
            if at(b) > at(e) { Err(format!("end day {e} is always before start day {b}")) } else { Ok(()) }
        }
        Kind::Month if b > e => Err(format!("end month {e} is before start month {b}")),
        Kind::Year if b > e => Err(format!("end year {e} is before start year {b}")),
        _ => Ok(()),
    }
}

/// A time zone Go's `time.LoadLocation` knows: `""` is UTC; `UTC` and `Local`; else a name in
/// the system's zoneinfo database (or, where it has none, an `Area/Location` name).
fn location(name: &str) -> Result<String, String> {
    match name {
        "" | "UTC" => return Ok("UTC".into()),
        "Local" => return Ok(name.into()),
        _ => {}
    }
    let unknown = || format!("unknown time zone {name}");
    if name.starts_with('/') || name.split('/').any(|p| p == ".." || p.is_empty()) {
        return Err(unknown());
    }
    let db = std::path::Path::new("/usr/share/zoneinfo");
    let known = if db.is_dir() {
        db.join(name).is_file()
    } else {
        const AREAS: [&str; 11] = [
            "Africa",
            "America",
            "Antarctica",
            "Arctic",
            "Asia",
            "Atlantic",
            "Australia",
            "Europe",
            "Indian",
            "Pacific",
            "Etc",
        ];
        name.split_once('/').is_some_and(|(area, _)| AREAS.contains(&area))
    };
    if known { Ok(name.into()) } else { Err(unknown()) }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intervals_are_stored_in_alertmanagers_form() {
        let given = json!({"times": [{"start_time": "04:56", "end_time": "24:00"}],
            "weekdays": ["Monday", "tuesday:thursday", "friday:friday"], "days_of_month": ["1:7", "-1", "3:3"],
            "months": ["1:3", "December", "may:august"], "years": ["2030", "2025:2026"], "location": "UTC",
            "unknown": 1});
        let want = json!({"times": [{"start_time": "04:56", "end_time": "24:00"}],
            "weekdays": ["monday", "tuesday:thursday", "friday"], "days_of_month": ["1:7", "-1", "3"],
            "months": ["1:3", "12", "5:8"], "years": ["2030", "2025:2026"], "location": "UTC"});
        assert_eq!(stored_interval(&given).unwrap(), want);
        assert_eq!(stored_interval(&json!({"weekdays": [], "location": null})).unwrap(), json!({}));
    }

    #[test]
    fn what_alertmanager_refuses_is_refused() {
        for bad in [
            json!({"weekdays": ["funday"]}),
            json!({"weekdays": ["friday:monday"]}),
            json!({"days_of_month": ["0"]}),
            json!({"days_of_month": ["-3:4"]}),
            json!({"months": ["march:january"]}),
            json!({"years": ["2026:2025"]}),
            json!({"times": [{"start_time": "4:56", "end_time": "14:17"}]}),
            json!({"times": [{"start_time": "14:00", "end_time": "14:00"}]}),
            json!({"times": [{"start_time": "10:00"}]}),
            json!({"location": "Mars/Olympus"}),
            json!({"weekdays": ["monday:tuesday:friday"]}),
        ] {
            assert!(stored_interval(&bad).is_err(), "{bad}");
        }
    }
}
