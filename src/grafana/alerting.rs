//! Alerting provisioning: notification template groups, `/api/v1/provisioning/templates`.
//! Writes carry `X-Disable-Provenance` when the object should stay editable in Grafana's UI.

use reqwest::Method;
use serde::Deserialize;
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
fn provenance(disable: bool) -> &'static [(&'static str, &'static str)] {
    if disable { &DISABLE_PROVENANCE } else { &[] }
}
