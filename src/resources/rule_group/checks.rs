//! What `grafana_rule_group` checks before any call (each mistake at its attribute, as Grafana
//! would refuse it), how it reads an official state and an import id, and how it says Grafana
//! refused a write.

use std::collections::BTreeSet;

use super::RuleGroupModel;
use super::rules::{RuleModel, SettingsModel};
use crate::diag::{AttrPath, Diagnostic, Diagnostics, api_error};
use crate::grafana::{Client, Error};
use crate::model::{Attr, Model};
use crate::resources::alerting::duration_ms;
use crate::resources::check_org_id;

/// Grafana's scheduler tick: a group's interval is a positive multiple of it.
const TICK_SECONDS: i64 = 10;
const NO_DATA_STATES: [&str; 4] = ["NoData", "Alerting", "OK", "KeepLast"];
const EXEC_ERR_STATES: [&str; 4] = ["Alerting", "Error", "OK", "KeepLast"];

pub fn validate(c: &RuleGroupModel, diags: &mut Diagnostics) {
    check_org_id(&c.org_id, diags);
    if c.name.as_str().is_some_and(|n| n.trim().is_empty()) {
        diags.push(Diagnostic::error("Rule group name is blank", "Set `name` to a non-blank name.").at_attr("name"));
    }
    if let Some(&s) = c.interval_seconds.known()
        && (s <= 0 || s % TICK_SECONDS != 0)
    {
        let why = format!(
            "`interval_seconds` is {s}: Grafana evaluates rules on a {TICK_SECONDS}-second tick, so the interval must \
                be a positive multiple of {TICK_SECONDS} (e.g. 60)."
        );
        diags.push(Diagnostic::error("Invalid evaluation interval", why).at_attr("interval_seconds"));
    }
    let rules = c.rule.known().map(Vec::as_slice).unwrap_or_default();
    for (i, r) in rules.iter().enumerate() {
        let at = AttrPath::attr("rule").index(i);
        let earlier = &rules[..i];
        if let Some(n) = r.name.as_str() {
            if n.trim().is_empty() {
                diags.push(Diagnostic::error("Rule name is blank", "Give the rule a name.").at(at.then("name")));
            } else if earlier.iter().any(|e| e.name.as_str() == Some(n)) {
                let why =
                    format!("Rule {n:?} is defined more than once in this group: rule names are unique in a folder.");
                diags.push(Diagnostic::error("Duplicate rule name", why).at(at.then("name")));
            }
        }
        if let Some(u) = r.uid.as_str().filter(|u| !u.is_empty())
            && earlier.iter().any(|e| e.uid.as_str() == Some(u))
        {
            let why = format!("Two rules of this group have the uid {u:?}: give each its own, or leave `uid` unset.");
            diags.push(Diagnostic::error("Duplicate rule uid", why).at(at.then("uid")));
        }
        check_rule(r, &at, diags);
    }
}

fn check_rule(r: &RuleModel, at: &AttrPath, diags: &mut Diagnostics) {
    check_duration(&r.for_, &at.then("for"), diags);
    for (name, value, allowed) in
        [("no_data_state", &r.no_data_state, &NO_DATA_STATES), ("exec_err_state", &r.exec_err_state, &EXEC_ERR_STATES)]
    {
        if let Some(v) = value.as_str().filter(|v| !allowed.contains(v)) {
            let why = format!("`{name}` is {v:?}: use one of {}.", allowed.join(", "));
            diags.push(Diagnostic::error("Unknown rule state", why).at(at.then(name)));
        }
    }
    for (k, labels) in [("labels", &r.labels), ("annotations", &r.annotations)] {
        if labels.known().is_some_and(|m| m.keys().any(|key| key.trim().is_empty())) {
            let why = format!("A key of `{k}` is blank: give every entry a name.");
            diags.push(Diagnostic::error("Blank key", why).at(at.then(k)));
        }
    }
    let data = r.data.known().map(Vec::as_slice).unwrap_or_default();
    let mut seen = BTreeSet::new();
    for (j, d) in data.iter().enumerate() {
        let here = at.then("data").index(j);
        if let Some(id) = d.ref_id.as_str()
            && !seen.insert(id)
        {
            let why = format!("Two `data` blocks of this rule have `ref_id` {id:?}: each needs its own.");
            diags.push(Diagnostic::error("Duplicate ref_id", why).at(here.then("ref_id")));
        }
        if let Some(m) = d.model.as_str()
            && !serde_json::from_str::<serde_json::Value>(m).is_ok_and(|v| v.is_object())
        {
            let why = "`model` must be a JSON object, e.g. `jsonencode({ refId = \"A\", expr = \"up\" })`.";
            diags.push(Diagnostic::error("Invalid query model", why).at(here.then("model")));
        }
    }
    if let Some(s) = r.notification_settings.known().and_then(|s| s.first()) {
        check_settings(s, &at.then("notification_settings").index(0), diags);
    }
}

fn check_settings(s: &SettingsModel, at: &AttrPath, diags: &mut Diagnostics) {
    if let Some(labels) = s.group_by.known().filter(|l| !l.is_empty() && !l.iter().any(|x| x == "...")) {
        let missing: Vec<&str> =
            ["alertname", "grafana_folder"].into_iter().filter(|l| !labels.iter().any(|x| x == l)).collect();
        if !missing.is_empty() {
            let why = format!(
                "Grafana requires `group_by` to include `alertname` and `grafana_folder` (missing: {}); or use \
                    `[\"...\"]` to group by every label.",
                missing.join(", ")
            );
            diags.push(Diagnostic::error("Invalid `group_by`", why).at(at.then("group_by")));
        }
    }
    for (name, d) in
        [("group_wait", &s.group_wait), ("group_interval", &s.group_interval), ("repeat_interval", &s.repeat_interval)]
    {
        check_duration(d, &at.then(name), diags);
    }
}

fn check_duration(d: &Attr<String>, at: &AttrPath, diags: &mut Diagnostics) {
    if let Some(text) = d.as_str().filter(|t| !t.is_empty())
        && let Err(why) = duration_ms(text)
    {
        diags.push(Diagnostic::error("Invalid duration", why).at(at.clone()));
    }
}

/// `record` needs Grafana 11.2 (recording rules): older Grafana drops it without a word.
pub async fn record_supported(client: &Client, plan: &RuleGroupModel, diags: &mut Diagnostics) {
    let rules = plan.rule.known().map(Vec::as_slice).unwrap_or_default();
    let used: Vec<usize> =
        (0..rules.len()).filter(|&i| rules[i].record.known().is_some_and(|r| !r.is_empty())).collect();
    if used.is_empty() || client.version_at_least(11, 2).await.unwrap_or(true) {
        return;
    }
    let version = client.version().await.unwrap_or_default();
    for i in used {
        let why = format!(
            "This workspace runs Grafana {version}, which has no recording rules and would drop `record` without a \
                word. Remove the `record` block, or record the metric in the data source itself."
        );
        diags.push(
            Diagnostic::error("record needs Grafana 11.2", why).at(AttrPath::attr("rule").index(i).then("record")),
        );
    }
}

/// The official provider (SDKv2) stores maps and lists nobody set as empty and unset strings
/// as `""`: null here, as a configuration that leaves them out plans them.
pub fn unset_official_blanks(r: &mut RuleModel) {
    for m in [&mut r.labels, &mut r.annotations] {
        if m.known().is_some_and(|m| m.is_empty()) {
            *m = Attr::Null;
        }
    }
    if let Attr::Known(settings) = &mut r.notification_settings {
        for s in settings {
            for l in [&mut s.group_by, &mut s.mute_timings] {
                if l.known().is_some_and(Vec::is_empty) {
                    *l = Attr::Null;
                }
            }
            for d in [&mut s.group_wait, &mut s.group_interval, &mut s.repeat_interval] {
                if d.as_str() == Some("") {
                    *d = Attr::Null;
                }
            }
        }
    }
}

/// The folder uid and name in an import id `<folderUID>:<name>` or `<orgID>:<folderUID>:<name>`
/// (the name may hold `:`; only organisation 1 exists on AMG).
pub fn parse_import_id<'a>(id: &'a str, diags: &mut Diagnostics) -> Option<(&'a str, &'a str)> {
    let parts: Vec<&str> = id.splitn(3, ':').collect();
    let org = |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit());
    let (folder, name) = match parts[..] {
        [o, f, n] if org(o) && !matches!(o, "0" | "1") => {
            let why = format!(
                "Organisation {o:?} is not supported: AMG workspaces have organisation 1 only. Import with \
                    `{f}:{n}` or `1:{f}:{n}`."
            );
            diags.push(Diagnostic::error("Invalid import id", why));
            return None;
        }
        [o, f, n] if org(o) => (f, n),
        [f, ..] if parts.len() >= 2 => (f, &id[f.len() + 1..]),
        _ => ("", ""),
    };
    if folder.is_empty() || name.is_empty() {
        let why = format!(
            "{id:?} is not a rule group id: import a rule group as `<folderUID>:<name>` (or `1:<folderUID>:<name>`), \
                e.g. `terraform import grafana_rule_group.x \"my-folder:My Rule Group\"`."
        );
        diags.push(Diagnostic::error("Invalid import id", why));
        return None;
    }
    Some((folder, name))
}

/// Whether the group Grafana holds (`found`, in the plan's words) is the planned one, the uids
/// Grafana made aside.
pub fn means_planned(planned: &RuleGroupModel, found: &RuleGroupModel) -> bool {
    let mut expected = planned.clone();
    if let (Attr::Known(rules), Some(held)) = (&mut expected.rule, found.rule.known()) {
        for (r, h) in rules.iter_mut().zip(held) {
            if r.uid.is_unknown() {
                r.uid = h.uid.clone();
            }
        }
    }
    expected.id = found.id.clone();
    expected.org_id = found.org_id.clone();
    expected.encode() == found.encode()
}

/// Grafana refused the write: its words, and what usually causes them.
pub fn refused(name: &str, e: &Error) -> Diagnostic {
    match e {
        Error::Api { status: 400 | 409, message, .. } => Diagnostic::error(
            "Grafana refused the rule group",
            format!(
                "Grafana refused rule group {name:?}: {message}. The folder must exist, rule names must be unique in \
                    the folder, and every contact point and mute timing a rule names must exist: refer to them through \
                    their resources (`grafana_contact_point.x.name`) so Terraform creates them first."
            ),
        ),
        _ => api_error(format!("Could not write rule group {name:?}"), e),
    }
}
