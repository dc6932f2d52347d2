//! Alerting rule groups, `/api/v1/provisioning/folder/{folderUid}/rule-groups/{group}` and
//! `/api/v1/provisioning/alert-rules`: a group is every rule of one folder that shares a group
//! name, evaluated at one interval; its PUT replaces the whole group (rules named by uid are
//! updated, rules without one created, rules left out deleted).

use std::collections::BTreeMap;

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::alerting::provenance;
use super::{Client, Error, seg};

/// A rule group as Grafana answers it and as it is sent. Mind the casing: `folderUid` here,
/// `folderUID` on each rule.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct RuleGroup {
    pub title: String,
    pub folder_uid: String,
    /// Seconds.
    pub interval: i64,
    #[serde(default)]
    pub rules: Vec<AlertRule>,
}

/// One alert rule (Grafana's `ProvisionedAlertRule`), as answered and as sent (`provenance`
/// read only).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AlertRule {
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub uid: String,
    pub title: String,
    #[serde(rename = "folderUID", default)]
    pub folder_uid: String,
    #[serde(default)]
    pub rule_group: String,
    #[serde(default)]
    pub condition: String,
    #[serde(default)]
    pub data: Vec<AlertQuery>,
    #[serde(default)]
    pub no_data_state: String,
    #[serde(default)]
    pub exec_err_state: String,
    /// A Prometheus duration (`5m`).
    #[serde(rename = "for", default)]
    pub for_: String,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
    #[serde(default)]
    pub labels: BTreeMap<String, String>,
    #[serde(default)]
    pub is_paused: bool,
    #[serde(rename = "notification_settings", default, skip_serializing_if = "Option::is_none")]
    pub notification_settings: Option<NotificationSettings>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<Record>,
    /// `api`; absent for none (Grafana leaves an empty one out).
    #[serde(default, skip_serializing)]
    pub provenance: Option<String>,
}

/// One query or expression of a rule.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AlertQuery {
    pub ref_id: String,
    #[serde(default)]
    pub query_type: String,
    #[serde(default)]
    pub relative_time_range: QueryRange,
    #[serde(default)]
    pub datasource_uid: String,
    #[serde(default)]
    pub model: Value,
}

/// Seconds before the evaluation at which a query's range begins and ends.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct QueryRange {
    pub from: i64,
    pub to: i64,
}

/// Where a rule's notifications go, past the notification policies (Grafana's
/// `AlertRuleNotificationSettings`, snake case on the wire).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct NotificationSettings {
    pub receiver: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_by: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_wait: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group_interval: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_interval: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mute_time_intervals: Option<Vec<String>>,
}

/// A recording rule's output: the metric written, from which query.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Record {
    pub metric: String,
    pub from: String,
}

impl Client {
    /// The group `title` of folder `folder_uid` (a 404 when Grafana has no rule in it).
    pub async fn get_rule_group(&self, folder_uid: &str, title: &str) -> Result<RuleGroup, Error> {
        self.send(Method::GET, &group_path(folder_uid, title), None).await
    }

    /// Creates or replaces the whole group (Grafana's PUT is an upsert of the group).
    pub async fn put_rule_group(&self, group: &RuleGroup, disable_provenance: bool) -> Result<RuleGroup, Error> {
        let path = group_path(&group.folder_uid, &group.title);
        let body = serde_json::to_value(group).map_err(|e| Error::Encode(e.to_string()))?;
        self.send_with(Method::PUT, &path, Some(&body), provenance(disable_provenance)).await
    }

    /// One rule, with its `provenance`.
    pub async fn get_alert_rule(&self, uid: &str) -> Result<AlertRule, Error> {
        self.send(Method::GET, &rule_path(uid), None).await
    }

    /// Every alert rule of the organisation.
    pub async fn list_alert_rules(&self) -> Result<Vec<AlertRule>, Error> {
        let all: Option<Vec<AlertRule>> = self.send(Method::GET, ALERT_RULES, None).await?;
        Ok(all.unwrap_or_default())
    }

    /// Deletes one rule, with the provenance it was written with (a 204 when it is not there).
    pub async fn delete_alert_rule(&self, uid: &str, disable_provenance: bool) -> Result<(), Error> {
        let _: Value = self.send_with(Method::DELETE, &rule_path(uid), None, provenance(disable_provenance)).await?;
        Ok(())
    }
}

const ALERT_RULES: &str = "api/v1/provisioning/alert-rules";

fn group_path(folder_uid: &str, title: &str) -> String {
    format!("api/v1/provisioning/folder/{}/rule-groups/{}", seg(folder_uid), seg(title))
}

fn rule_path(uid: &str) -> String {
    format!("{ALERT_RULES}/{}", seg(uid))
}
