//! Data sources: `/api/datasources`, `/api/datasources/uid/:uid`, `/api/datasources/name/:name`.
//!
//! Grafana never returns `secureJsonData`; `secureJsonFields` names the secrets it holds.
//! An update replaces `jsonData` whole and keeps the secrets it is not sent.

use std::collections::BTreeMap;

use reqwest::Method;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::{Client, Error, seg};

/// A data source as Grafana returns it (the fields this provider uses).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DataSource {
    #[serde(default)]
    pub id: i64,
    pub uid: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub access: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub user: String,
    #[serde(default)]
    pub database: String,
    #[serde(default)]
    pub basic_auth: bool,
    #[serde(default)]
    pub basic_auth_user: String,
    #[serde(default)]
    pub is_default: bool,
    #[serde(default)]
    pub json_data: Option<Map<String, Value>>,
    /// The keys of the secrets Grafana holds (with a non-empty value).
    #[serde(default)]
    pub secure_json_fields: BTreeMap<String, bool>,
    #[serde(default)]
    pub version: i64,
    #[serde(default)]
    pub read_only: bool,
}

impl DataSource {
    /// The keys of the secrets Grafana holds, sorted.
    pub fn secret_keys(&self) -> Vec<String> {
        self.secure_json_fields.iter().filter(|(_, held)| **held).map(|(k, _)| k.clone()).collect()
    }
}

/// What an add or update sends. Its `Debug` names the secrets it sets, never their values.
#[derive(Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DataSourceRequest {
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(skip_serializing_if = "String::is_empty")]
    pub uid: String,
    pub access: String,
    pub url: String,
    pub user: String,
    pub database: String,
    pub basic_auth: bool,
    pub basic_auth_user: String,
    pub is_default: bool,
    pub json_data: Map<String, Value>,
    /// Secrets to set; `""` clears one. Keys not sent are kept by Grafana.
    pub secure_json_data: BTreeMap<String, String>,
    /// For an update: the version the change is based on (Grafana answers 409 when newer).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<i64>,
}

impl std::fmt::Debug for DataSourceRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DataSourceRequest")
            .field("name", &self.name)
            .field("kind", &self.kind)
            .field("uid", &self.uid)
            .field("url", &self.url)
            .field("json_data", &self.json_data)
            .field("secure_json_data", &self.secure_json_data.keys().map(|k| (k, "***")).collect::<Vec<_>>())
            .field("version", &self.version)
            .finish_non_exhaustive()
    }
}

/// One row of `GET /api/datasources` (no secrets, no version).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct DataSourceSummary {
    pub uid: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub is_default: bool,
    /// Provisioned from a file: Grafana refuses every write to it.
    #[serde(default)]
    pub read_only: bool,
}

#[derive(Deserialize)]
struct Saved {
    datasource: DataSource,
}

impl Client {
    pub async fn add_datasource(&self, req: &DataSourceRequest) -> Result<DataSource, Error> {
        let body = serde_json::to_value(req).map_err(|e| Error::Encode(e.to_string()))?;
        let s: Saved = self.send(Method::POST, "api/datasources", Some(&body)).await?;
        Ok(s.datasource)
    }

    pub async fn update_datasource(&self, uid: &str, req: &DataSourceRequest) -> Result<DataSource, Error> {
        let body = serde_json::to_value(req).map_err(|e| Error::Encode(e.to_string()))?;
        let s: Saved = self.send(Method::PUT, &format!("api/datasources/uid/{}", seg(uid)), Some(&body)).await?;
        Ok(s.datasource)
    }

    pub async fn get_datasource(&self, uid: &str) -> Result<DataSource, Error> {
        self.send(Method::GET, &format!("api/datasources/uid/{}", seg(uid)), None).await
    }

    pub async fn get_datasource_by_name(&self, name: &str) -> Result<DataSource, Error> {
        self.send(Method::GET, &format!("api/datasources/name/{}", seg(name)), None).await
    }

    pub async fn delete_datasource(&self, uid: &str) -> Result<(), Error> {
        let _: Value = self.send(Method::DELETE, &format!("api/datasources/uid/{}", seg(uid)), None).await?;
        Ok(())
    }

    pub async fn list_datasources(&self) -> Result<Vec<DataSourceSummary>, Error> {
        self.send(Method::GET, "api/datasources", None).await
    }
}
