//! Alerting provisioning, `/api/v1/provisioning/…`: notification template groups, mute
//! timings and the notification policy tree.
//! Writes carry `X-Disable-Provenance` when the object should stay editable in Grafana's UI.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{Client, Error, seg};

/// The header that makes a provisioning write leave the object editable in the UI.
const DISABLE_PROVENANCE: [(&str, &str); 1] = [("X-Disable-Provenance", "true")];

/// A notification template group as Grafana answers it.
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct MessageTemplate {
    pub name: String,
    pub template: String,
    /// `api`, `""` (none), or absent where Grafana does not say (10.4's reads).
    #[serde(default)]
    pub provenance: Option<String>,
}

impl Client {
    pub async fn get_message_template(&self, name: &str) -> Result<MessageTemplate, Error> {
        self.send(Method::GET, &template_path(name), None).await
    }

    /// Every template group (Grafana 12 answers `null` for none).
    pub async fn list_message_templates(&self) -> Result<Vec<MessageTemplate>, Error> {
        let all: Option<Vec<MessageTemplate>> = self.send(Method::GET, "api/v1/provisioning/templates", None).await?;
        Ok(all.unwrap_or_default())
    }

    /// Creates or replaces the group `name` (Grafana's PUT is an upsert).
    pub async fn put_message_template(
        &self,
        name: &str,
        template: &str,
        disable_provenance: bool,
    ) -> Result<MessageTemplate, Error> {
        let body = json!({ "template": template });
        self.send_with(Method::PUT, &template_path(name), Some(&body), provenance(disable_provenance)).await
    }

    /// Deletes the group `name`, with the provenance it was written with (Grafana 12 refuses a
    /// delete that would change it). A group that is not there is no error (Grafana answers 204).
    pub async fn delete_message_template(&self, name: &str, disable_provenance: bool) -> Result<(), Error> {
        let path = template_path(name);
        let _: serde_json::Value = self.send_with(Method::DELETE, &path, None, provenance(disable_provenance)).await?;
        Ok(())
    }
}

fn template_path(name: &str) -> String {
    format!("api/v1/provisioning/templates/{}", seg(name))
}

/// The headers of a provisioning write: `X-Disable-Provenance` when the object stays editable.
pub(super) fn provenance(disable: bool) -> &'static [(&'static str, &'static str)] {
    if disable { &DISABLE_PROVENANCE } else { &[] }
}

/// A mute timing as Grafana answers it (Alertmanager's form: weekday names, numeric months).
#[derive(Clone, Debug, Deserialize, PartialEq)]
pub struct MuteTiming {
    pub name: String,
    #[serde(default)]
    pub time_intervals: Option<Vec<TimeInterval>>,
    /// `api`, or absent for none.
    #[serde(default)]
    pub provenance: Option<String>,
}

/// One time interval of a mute timing; every field optional, an empty one mutes always.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct TimeInterval {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub times: Option<Vec<TimeRange>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekdays: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub days_of_month: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub months: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub years: Option<Vec<String>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

/// A time of day range, `HH:MM` to `HH:MM`.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq)]
pub struct TimeRange {
    pub start_time: String,
    pub end_time: String,
}

impl Client {
    pub async fn get_mute_timing(&self, name: &str) -> Result<MuteTiming, Error> {
        self.send(Method::GET, &mute_timing_path(name), None).await
    }

    pub async fn list_mute_timings(&self) -> Result<Vec<MuteTiming>, Error> {
        let all: Option<Vec<MuteTiming>> = self.send(Method::GET, MUTE_TIMINGS, None).await?;
        Ok(all.unwrap_or_default())
    }

    /// Creates a mute timing (`create`: Grafana refuses a name it holds, 400) or replaces the
    /// intervals of the one of that name.
    pub async fn write_mute_timing(
        &self,
        create: bool,
        name: &str,
        intervals: &[TimeInterval],
        disable_provenance: bool,
    ) -> Result<MuteTiming, Error> {
        let body = json!({ "name": name, "time_intervals": intervals });
        let (method, path) =
            if create { (Method::POST, MUTE_TIMINGS.to_string()) } else { (Method::PUT, mute_timing_path(name)) };
        self.send_with(method, &path, Some(&body), provenance(disable_provenance)).await
    }

    /// Deletes a mute timing (a 204 when it is not there). Grafana refuses one a notification
    /// policy names (409).
    pub async fn delete_mute_timing(&self, name: &str, disable_provenance: bool) -> Result<(), Error> {
        let path = mute_timing_path(name);
        let _: serde_json::Value = self.send_with(Method::DELETE, &path, None, provenance(disable_provenance)).await?;
        Ok(())
    }

    /// The notification policy tree, as Grafana's JSON (`provenance` on the root unless none).
    pub async fn get_policy_tree(&self) -> Result<serde_json::Value, Error> {
        self.send(Method::GET, POLICIES, None).await
    }

    /// Resets the notification policy tree to Grafana's default (provenance none).
    pub async fn reset_policy_tree(&self) -> Result<(), Error> {
        let _: serde_json::Value = self.send(Method::DELETE, POLICIES, None).await?;
        Ok(())
    }

    /// Replaces the whole notification policy tree.
    pub async fn put_policy_tree(&self, tree: &serde_json::Value, disable_provenance: bool) -> Result<(), Error> {
        let _: serde_json::Value =
            self.send_with(Method::PUT, POLICIES, Some(tree), provenance(disable_provenance)).await?;
        Ok(())
    }
}

const MUTE_TIMINGS: &str = "api/v1/provisioning/mute-timings";
const POLICIES: &str = "api/v1/provisioning/policies";

fn mute_timing_path(name: &str) -> String {
    format!("{MUTE_TIMINGS}/{}", seg(name))
}
