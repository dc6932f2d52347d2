//! Alerting contact points, `/api/v1/provisioning/contact-points`: each integration (one
//! receiver of a type) is one object with its own uid; a contact point is every integration
//! that shares a name.

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::alerting::provenance;
use super::{Client, Error, seg};

/// One integration, as Grafana answers it and as it is sent (`provenance` read only).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Integration {
    #[serde(default)]
    pub uid: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub settings: Map<String, Value>,
    #[serde(default)]
    pub disable_resolve_message: bool,
    /// `api`, or `""` (none).
    #[serde(default, skip_serializing)]
    pub provenance: String,
}

const CONTACT_POINTS: &str = "api/v1/provisioning/contact-points";

impl Client {
    /// The integrations of the contact point `name` (none: an empty list).
    pub async fn contact_point(&self, name: &str) -> Result<Vec<Integration>, Error> {
        let q: String = url::form_urlencoded::Serializer::new(String::new()).append_pair("name", name).finish();
        let all: Option<Vec<Integration>> = self.send(Method::GET, &format!("{CONTACT_POINTS}?{q}"), None).await?;
        Ok(all.unwrap_or_default().into_iter().filter(|i| i.name == name).collect())
    }

    /// Every integration of every contact point.
    pub async fn contact_points(&self) -> Result<Vec<Integration>, Error> {
        let all: Option<Vec<Integration>> = self.send(Method::GET, CONTACT_POINTS, None).await?;
        Ok(all.unwrap_or_default())
    }

    /// Adds an integration; Grafana answers it with its uid.
    pub async fn create_integration(&self, i: &Integration, disable_provenance: bool) -> Result<Integration, Error> {
        let body =
            serde_json::to_value(i).map_err(|e| Error::Decode { what: "integration".into(), reason: e.to_string() })?;
        self.send_with(Method::POST, CONTACT_POINTS, Some(&body), provenance(disable_provenance)).await
    }

    /// Replaces the integration `i.uid`.
    pub async fn update_integration(&self, i: &Integration, disable_provenance: bool) -> Result<(), Error> {
        let body =
            serde_json::to_value(i).map_err(|e| Error::Decode { what: "integration".into(), reason: e.to_string() })?;
        let path = format!("{CONTACT_POINTS}/{}", seg(&i.uid));
        let _: Value = self.send_with(Method::PUT, &path, Some(&body), provenance(disable_provenance)).await?;
        Ok(())
    }

    /// Whether the AMG workspace behind the minted tokens is service-managed (`None`: not known,
    /// or not an AMG workspace the provider signs in to itself).
    pub async fn amg_service_managed(&self) -> Option<bool> {
        match &self.auth {
            super::Auth::Minted(source) => source.service_managed().await,
            _ => None,
        }
    }

    pub async fn delete_integration(&self, uid: &str) -> Result<(), Error> {
        let _: Value = self.send(Method::DELETE, &format!("{CONTACT_POINTS}/{}", seg(uid)), None).await?;
        Ok(())
    }
}
