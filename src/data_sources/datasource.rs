//! Data sources `grafana_datasource` and `grafana_data_source` (the official provider's name):
//! one Grafana data source by name or uid, with every setting but its secrets; and
//! `grafana_datasources`: every data source of the workspace, which the official provider lacks.

use async_trait::async_trait;
use serde_json::Value as Json;

use crate::datasource_json as dsj;
use crate::diag::{Diagnostic, Diagnostics, api_error};
use crate::framework::{Ctx, DataSource};
use crate::model::{Attr, AttrType, Model};
use crate::schema::{Attribute, Schema};
use crate::value::{Type, Value};

/// One lookup, two names.
pub struct DataSourceLookup {
    pub type_name: &'static str,
}

crate::model! {
    /// The lookup's attributes.
    pub struct Found {
        name: String,
        uid: String,
        kind = "type": String,
        url: String,
        access_mode: String,
        basic_auth_enabled: bool,
        basic_auth_username: String,
        database_name: String,
        username: String,
        is_default: bool,
        json_data_encoded: String,
        http_header_names: Vec<String>,
        secure_json_fields: Vec<String>,
        read_only: bool,
        version: i64,
        id: String,
        org_id: String,
    }
}

#[async_trait]
impl DataSource for DataSourceLookup {
    fn type_name(&self) -> &'static str {
        self.type_name
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Looks up one data source by `name` or `uid` (set one), with every setting but its secrets: their keys are \
                in `secure_json_fields`. Provisioned (read-only) data sources are found too.",
            vec![
                Attribute::string("name").optional_computed().describe("The data source's name. Set this or `uid`."),
                Attribute::string("uid").optional_computed().describe("The data source's uid. Set this or `name`."),
                Attribute::string("type").computed().describe("The data source's plugin id, e.g. `prometheus`."),
                Attribute::string("url").computed().describe("The URL of the data source's backend."),
                Attribute::string("access_mode")
                    .computed()
                    .describe("How Grafana reaches the backend: `proxy` or `direct`."),
                Attribute::bool("basic_auth_enabled")
                    .computed()
                    .describe("Whether basic authentication is sent to the backend."),
                Attribute::string("basic_auth_username").computed().describe("The basic authentication user."),
                Attribute::string("database_name")
                    .computed()
                    .describe("The database, for SQL and time-series databases."),
                Attribute::string("username").computed().describe("The user, for SQL databases."),
                Attribute::bool("is_default").computed().describe("Whether it is the workspace's default data source."),
                Attribute::string("json_data_encoded")
                    .computed()
                    .describe("The plugin's settings (`jsonData`) as JSON, without the custom header names."),
                Attribute::of("http_header_names", Type::list(Type::String))
                    .computed()
                    .describe("The custom HTTP header names, in Grafana's order."),
                Attribute::of("secure_json_fields", Type::list(Type::String))
                    .computed()
                    .describe("The keys of the secrets Grafana holds (never their values)."),
                Attribute::bool("read_only")
                    .computed()
                    .describe("Whether it is provisioned from files (Grafana refuses changes through the API)."),
                Attribute::number("version").computed().describe("The data source's version in Grafana."),
            ]
            .into_iter()
            .chain(crate::resources::lookup_id_attributes())
            .collect(),
        )
    }

    fn model_attributes(&self) -> Vec<(&'static str, Type)> {
        Found::attributes()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let c = Found::decode(config);
        crate::resources::check_org_id(&c.org_id, diags);
        if c.name.is_null() && c.uid.is_null() {
            diags.push(
                Diagnostic::error("Set name or uid", "Find the data source by `name` or by `uid`.").at_attr("name"),
            );
        }
    }

    async fn read(&self, ctx: &Ctx<'_>, config: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let c = Found::decode(config);
        let (what, found) = match (c.name.as_str(), c.uid.as_str()) {
            (Some(name), _) => (format!("name {name:?}"), ctx.client.get_datasource_by_name(name).await),
            (None, Some(uid)) => (format!("uid {uid:?}"), ctx.client.get_datasource(uid).await),
            _ => return None,
        };
        let ds = match found {
            Ok(ds) => ds,
            Err(e) if e.is_not_found() => {
                let attr = if c.name.is_null() { "uid" } else { "name" };
                diags.push(
                    Diagnostic::error("Data source not found", format!("No data source has {what}.")).at_attr(attr),
                );
                return None;
            }
            Err(e) => {
                diags.push(api_error(format!("Could not read the data source with {what}"), &e));
                return None;
            }
        };
        if let (Some(uid), Some(_)) = (c.uid.as_str(), c.name.as_str())
            && uid != ds.uid
        {
            diags.push(
                Diagnostic::error(
                    "name and uid name different data sources",
                    format!(
                        "Data source {:?} has uid {:?}, not {uid:?}. Set one of `name` and `uid`.",
                        ds.name, ds.uid
                    ),
                )
                .at_attr("uid"),
            );
            return None;
        }
        let json_data = ds.json_data.clone().unwrap_or_default();
        let secret_keys = ds.secret_keys();
        Some(
            Found {
                name: ds.name.into(),
                kind: ds.kind.into(),
                url: ds.url.into(),
                access_mode: ds.access.into(),
                basic_auth_enabled: ds.basic_auth.into(),
                basic_auth_username: ds.basic_auth_user.into(),
                database_name: ds.database.into(),
                username: ds.user.into(),
                is_default: ds.is_default.into(),
                json_data_encoded: serde_json::to_string(&Json::Object(dsj::without_headers(&json_data)))
                    .expect("JSON serialises")
                    .into(),
                http_header_names: dsj::header_names(&json_data).into(),
                secure_json_fields: secret_keys.into(),
                read_only: ds.read_only.into(),
                version: ds.version.into(),
                id: format!("1:{}", ds.uid).into(),
                org_id: crate::resources::org_id_of(&c.org_id),
                uid: ds.uid.into(),
            }
            .encode(),
        )
    }
}

/// `grafana_datasources`: every data source.
pub struct DataSourcesLookup;

crate::model! {
    /// The list's attributes.
    pub struct All {
        datasources: Vec<Summary>,
    }
}

crate::model! {
    /// One data source in the list.
    pub struct Summary {
        name: String,
        uid: String,
        kind = "type": String,
        url: String,
        is_default: bool,
    }
}

#[async_trait]
impl DataSource for DataSourcesLookup {
    fn type_name(&self) -> &'static str {
        "grafana_datasources"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Lists every data source of the workspace, sorted by name, each with `name`, `uid`, `type`, `url` and \
                `is_default`.",
            vec![
                Attribute::of("datasources", Vec::<Summary>::ty())
                    .computed()
                    .describe("The data sources, sorted by name."),
            ],
        )
    }

    fn model_attributes(&self) -> Vec<(&'static str, Type)> {
        All::attributes()
    }

    async fn read(&self, ctx: &Ctx<'_>, _config: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let list = match ctx.client.list_datasources().await {
            Ok(l) => l,
            Err(e) => {
                diags.push(api_error("Could not list data sources", &e));
                return None;
            }
        };
        let rows: Vec<Summary> = list
            .into_iter()
            .map(|d| Summary {
                name: d.name.into(),
                uid: d.uid.into(),
                kind: d.kind.into(),
                url: d.url.into(),
                is_default: d.is_default.into(),
            })
            .collect();
        Some(All { datasources: Attr::from(rows) }.encode())
    }
}
