//! A `rule` block and Grafana's alert rule, both ways: the rule sent from the plan, and the
//! state from the rule Grafana holds, in the prior state's words wherever Grafana's mean the
//! same (a query `model` with Grafana's defaults added or its keys reordered, `for = "120s"`
//! held as `2m`, an empty map or list left out).

use std::collections::BTreeMap;

use serde_json::Value as Json;

use crate::grafana::{AlertQuery, AlertRule, NotificationSettings, QueryRange, Record};
use crate::model::Attr;
use crate::resources::alerting::same_duration;

crate::model! {
    /// One `rule` block.
    pub struct RuleModel {
        uid: String,
        name: String,
        for_ = "for": String,
        no_data_state: String,
        exec_err_state: String,
        condition: String,
        labels: BTreeMap<String, String>,
        annotations: BTreeMap<String, String>,
        is_paused: bool,
        data: Vec<DataModel>,
        notification_settings: Vec<SettingsModel>,
        record: Vec<RecordModel>,
    }
}

crate::model! {
    /// One `data` block.
    pub struct DataModel {
        ref_id: String,
        datasource_uid: String,
        query_type: String,
        model: String,
        relative_time_range: Vec<RangeModel>,
    }
}

crate::model! {
    /// A `relative_time_range` block.
    pub struct RangeModel {
        from: i64,
        to: i64,
    }
}

crate::model! {
    /// A `notification_settings` block.
    pub struct SettingsModel {
        contact_point: String,
        group_by: Vec<String>,
        mute_timings: Vec<String>,
        group_wait: String,
        group_interval: String,
        repeat_interval: String,
    }
}

crate::model! {
    /// A `record` block.
    pub struct RecordModel {
        metric: String,
        from: String,
    }
}

/// The defaults Grafana writes into every query's model (`pkg/services/ngalert/models/alert_query.go`).
const MODEL_DEFAULTS: [(&str, f64); 2] = [("intervalMs", 1000.0), ("maxDataPoints", 43200.0)];

/// A model without the defaults Grafana adds: what it means.
pub fn model_meaning(model: &Json) -> Json {
    let mut m = model.clone();
    if let Json::Object(o) = &mut m {
        for (key, default) in MODEL_DEFAULTS {
            if o.get(key).and_then(Json::as_f64) == Some(default) {
                o.remove(key);
            }
        }
    }
    sorted(&m)
}

/// Whether two model texts mean the same (both valid JSON, equal without Grafana's defaults).
pub fn same_model(a: &str, b: &str) -> bool {
    match (serde_json::from_str::<Json>(a), serde_json::from_str::<Json>(b)) {
        (Ok(x), Ok(y)) => model_meaning(&x) == model_meaning(&y),
        _ => a == b,
    }
}

/// The text a model Grafana holds gets in state: without Grafana's defaults, keys sorted, as the
/// official provider writes it.
pub fn model_text(model: &Json) -> String {
    model_meaning(model).to_string()
}

/// A JSON value with every object's keys in order (the order serde keeps is insertion order).
fn sorted(v: &Json) -> Json {
    match v {
        Json::Object(o) => {
            let mut keys: Vec<&String> = o.keys().collect();
            keys.sort();
            Json::Object(keys.into_iter().map(|k| (k.clone(), sorted(&o[k]))).collect())
        }
        Json::Array(xs) => Json::Array(xs.iter().map(sorted).collect()),
        other => other.clone(),
    }
}

fn text(a: &Attr<String>) -> String {
    a.as_str().unwrap_or_default().to_string()
}

fn non_empty(a: &Attr<Vec<String>>) -> Option<Vec<String>> {
    a.known().filter(|xs| !xs.is_empty()).cloned()
}

fn non_blank(a: &Attr<String>) -> Option<String> {
    a.as_str().filter(|s| !s.is_empty()).map(str::to_string)
}

/// The rule Grafana is sent for a planned `rule` block (uid left out while unknown).
pub fn wire_rule(r: &RuleModel, folder_uid: &str, group: &str) -> AlertRule {
    let data = r.data.known().map(Vec::as_slice).unwrap_or_default();
    AlertRule {
        uid: text(&r.uid),
        title: text(&r.name),
        folder_uid: folder_uid.to_string(),
        rule_group: group.to_string(),
        condition: text(&r.condition),
        data: data.iter().map(wire_query).collect(),
        no_data_state: text(&r.no_data_state),
        exec_err_state: text(&r.exec_err_state),
        for_: r.for_.as_str().filter(|s| !s.is_empty()).unwrap_or("0").to_string(),
        annotations: r.annotations.known().cloned().unwrap_or_default(),
        labels: r.labels.known().cloned().unwrap_or_default(),
        is_paused: r.is_paused.is_true(),
        notification_settings: r.notification_settings.known().and_then(|s| s.first()).map(|s| NotificationSettings {
            receiver: text(&s.contact_point),
            group_by: non_empty(&s.group_by),
            group_wait: non_blank(&s.group_wait),
            group_interval: non_blank(&s.group_interval),
            repeat_interval: non_blank(&s.repeat_interval),
            mute_time_intervals: non_empty(&s.mute_timings),
        }),
        record: r
            .record
            .known()
            .and_then(|s| s.first())
            .map(|s| Record { metric: text(&s.metric), from: text(&s.from) }),
        provenance: None,
    }
}

fn wire_query(d: &DataModel) -> AlertQuery {
    let range = d.relative_time_range.known().and_then(|r| r.first());
    let int = |a: Option<&Attr<i64>>| a.and_then(Attr::known).copied().unwrap_or_default();
    AlertQuery {
        ref_id: text(&d.ref_id),
        query_type: text(&d.query_type),
        relative_time_range: QueryRange { from: int(range.map(|r| &r.from)), to: int(range.map(|r| &r.to)) },
        datasource_uid: text(&d.datasource_uid),
        model: d.model.as_str().and_then(|m| serde_json::from_str(m).ok()).unwrap_or(Json::Null),
    }
}

/// The state of a rule Grafana holds, in `prior`'s words wherever Grafana's mean the same.
pub fn rule_state(prior: Option<&RuleModel>, held: &AlertRule) -> RuleModel {
    let empty = RuleModel::default();
    let prior = prior.unwrap_or(&empty);
    let prior_data = prior.data.known().map(Vec::as_slice).unwrap_or_default();
    let held_for = Attr::from(held.for_.clone());
    let data: Vec<DataModel> = held.data.iter().enumerate().map(|(i, q)| query_state(prior_data.get(i), q)).collect();
    let prior_settings = prior.notification_settings.known().and_then(|s| s.first());
    let prior_record = prior.record.known().and_then(|s| s.first());
    RuleModel {
        uid: Attr::from(held.uid.clone()),
        name: Attr::from(held.title.clone()),
        for_: if same_duration(&prior.for_, &held_for) { prior.for_.clone() } else { held_for },
        no_data_state: Attr::from(held.no_data_state.clone()),
        exec_err_state: Attr::from(held.exec_err_state.clone()),
        condition: Attr::from(held.condition.clone()),
        labels: map_state(&prior.labels, &held.labels),
        annotations: map_state(&prior.annotations, &held.annotations),
        is_paused: Attr::from(held.is_paused),
        data: Attr::from(data),
        notification_settings: Attr::from(
            held.notification_settings.iter().map(|s| settings_state(prior_settings, s)).collect::<Vec<_>>(),
        ),
        record: Attr::from(
            held.record
                .iter()
                .map(|r| match prior_record {
                    Some(p) if p.metric.as_str() == Some(&r.metric) && p.from.as_str() == Some(&r.from) => p.clone(),
                    _ => RecordModel { metric: r.metric.clone().into(), from: r.from.clone().into() },
                })
                .collect::<Vec<_>>(),
        ),
    }
}

/// A map Grafana holds: an empty one is `{}` where the prior state says so, else unset.
fn map_state(
    prior: &Attr<BTreeMap<String, String>>,
    held: &BTreeMap<String, String>,
) -> Attr<BTreeMap<String, String>> {
    if held.is_empty() && !prior.known().is_some_and(BTreeMap::is_empty) {
        Attr::Null
    } else {
        Attr::from(held.clone())
    }
}

fn query_state(prior: Option<&DataModel>, q: &AlertQuery) -> DataModel {
    let held_model = model_text(&q.model);
    let model = match prior.and_then(|p| p.model.as_str()) {
        Some(p) if same_model(p, &held_model) => p.to_string(),
        _ => held_model,
    };
    let range = RangeModel { from: q.relative_time_range.from.into(), to: q.relative_time_range.to.into() };
    DataModel {
        ref_id: q.ref_id.clone().into(),
        datasource_uid: q.datasource_uid.clone().into(),
        query_type: q.query_type.clone().into(),
        model: model.into(),
        relative_time_range: Attr::from(vec![range]),
    }
}

fn settings_state(prior: Option<&SettingsModel>, s: &NotificationSettings) -> SettingsModel {
    let empty = SettingsModel::default();
    let prior = prior.unwrap_or(&empty);
    let list = |p: &Attr<Vec<String>>, held: &Option<Vec<String>>| match held.as_deref() {
        None | Some([]) if p.known().is_some_and(Vec::is_empty) => p.clone(),
        None | Some([]) => Attr::Null,
        Some(xs) => Attr::from(xs.to_vec()),
    };
    let duration = |p: &Attr<String>, held: &Option<String>| {
        let held = Attr::from_option(held.clone().filter(|h| !h.is_empty()));
        if same_duration(p, &held) && !p.is_null() { p.clone() } else { held }
    };
    SettingsModel {
        contact_point: s.receiver.clone().into(),
        group_by: list(&prior.group_by, &s.group_by),
        mute_timings: list(&prior.mute_timings, &s.mute_time_intervals),
        group_wait: duration(&prior.group_wait, &s.group_wait),
        group_interval: duration(&prior.group_interval, &s.group_interval),
        repeat_interval: duration(&prior.repeat_interval, &s.repeat_interval),
    }
}

/// In a plan, `planned`'s configured values that mean what `prior`'s do, in `prior`'s words
/// (Terraform takes a prior value in place of a configured one that means the same).
pub fn keep_same_meaning(prior: &RuleModel, planned: &mut RuleModel) {
    if !planned.for_.is_null() && same_duration(&prior.for_, &planned.for_) {
        planned.for_ = prior.for_.clone();
    }
    if let (Some(was), Attr::Known(now)) = (prior.data.known(), &mut planned.data) {
        for (old, new) in was.iter().zip(now.iter_mut()) {
            if let (Some(a), Some(b)) = (old.model.as_str(), new.model.as_str())
                && same_model(a, b)
            {
                new.model = old.model.clone();
            }
        }
    }
    let was = prior.notification_settings.known().and_then(|s| s.first());
    if let (Some(old), Attr::Known(now)) = (was, &mut planned.notification_settings)
        && let Some(new) = now.first_mut()
    {
        for (a, b) in [
            (&old.group_wait, &mut new.group_wait),
            (&old.group_interval, &mut new.group_interval),
            (&old.repeat_interval, &mut new.repeat_interval),
        ] {
            if !b.is_null() && same_duration(a, b) {
                *b = a.clone();
            }
        }
    }
}

/// The prior rule a planned rule continues: the prior rule of its name, else (a rename in
/// place) the prior rule in its place when no planned rule has that one's name. None for a new
/// rule, or while the name is not known.
pub fn prior_of<'a>(was: &'a [RuleModel], planned: &[RuleModel], i: usize) -> Option<&'a RuleModel> {
    let name = &planned[i].name;
    if name.is_unknown() {
        return None;
    }
    let renamed = || was.get(i).filter(|p| !planned.iter().any(|q| q.name == p.name));
    was.iter().find(|p| p.name == *name).or_else(renamed)
}

/// The uids a plan keeps: a rule whose configuration sets none keeps the uid of the prior rule
/// it continues ([`prior_of`]); otherwise Grafana makes one (unknown).
pub fn pair_uids(was: &[RuleModel], configured: &[RuleModel], planned: &mut [RuleModel]) {
    let uids: Vec<Attr<String>> =
        (0..planned.len()).map(|i| prior_of(was, planned, i).map_or_else(Attr::unknown, |p| p.uid.clone())).collect();
    for (i, (r, uid)) in planned.iter_mut().zip(uids).enumerate() {
        if configured.get(i).is_some_and(|c| !c.uid.is_null()) || r.name.is_unknown() {
            continue;
        }
        r.uid = uid;
    }
}
