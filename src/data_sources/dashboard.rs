//! Data source `grafana_dashboard`: one dashboard by uid (or by Grafana's numeric id), with the
//! official provider's outputs.

use async_trait::async_trait;
use serde_json::Value as Json;

use crate::diag::{Diagnostic, Diagnostics, api_error};
use crate::framework::{Ctx, DataSource};
use crate::model::{Attr, Model};
use crate::schema::{Attribute, Schema};
use crate::value::{Type, Value};

pub struct DashboardDataSource;

crate::model! {
    /// The `grafana_dashboard` data source's attributes.
    pub struct DashboardLookup {
        uid: String,
        config_json: String,
        title: String,
        folder: String,
        folder_uid: String,
        slug: String,
        is_starred: bool,
        url: String,
        version: i64,
        dashboard_id: i64,
        id: String,
        org_id: String,
    }
}

#[async_trait]
impl DataSource for DashboardDataSource {
    fn type_name(&self) -> &'static str {
        "grafana_dashboard"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Reads one dashboard by uid (or by Grafana's numeric id): its JSON model (without Grafana's `id` and \
                `version`), title, folder, URL and version.",
            vec![
                Attribute::string("uid")
                    .optional_computed()
                    .describe("The dashboard's uid. Set this or `dashboard_id`."),
                Attribute::string("config_json")
                    .computed()
                    .describe("The dashboard's JSON model as Grafana holds it, without `id` and `version`."),
                Attribute::string("title").computed().describe("The dashboard's title."),
                Attribute::string("folder")
                    .computed()
                    .describe("The uid of the folder holding it; null for the General folder."),
                Attribute::string("folder_uid").computed().describe(
                    "The uid of the folder holding it, as the official provider names it (the same as `folder`).",
                ),
                Attribute::string("slug").computed().describe("The dashboard's URL slug, from its title."),
                Attribute::bool("is_starred").computed().describe(
                    "Whether the provider's own identity has starred it (a service account: normally false).",
                ),
                Attribute::string("url").computed().describe("The dashboard's full URL in Grafana."),
                Attribute::number("version").computed().describe("The dashboard's version in Grafana."),
                Attribute::number("dashboard_id").optional_computed().describe(
                    "Grafana's numeric id of the dashboard; set it instead of `uid` to look the dashboard up by it \
                        (ids differ between workspaces: prefer `uid`).",
                ),
            ]
            .into_iter()
            .chain(crate::resources::lookup_id_attributes())
            .collect(),
        )
    }

    fn model_attributes(&self) -> Vec<(&'static str, Type)> {
        DashboardLookup::attributes()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let c = DashboardLookup::decode(config);
        crate::resources::check_org_id(&c.org_id, diags);
        if c.uid.is_null() && c.dashboard_id.is_null() {
            diags.push(
                Diagnostic::error(
                    "No dashboard named",
                    "Set `uid` (or `dashboard_id`) to say which dashboard to read.",
                )
                .at_attr("uid"),
            );
        }
    }

    async fn read(&self, ctx: &Ctx<'_>, config: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let config = DashboardLookup::decode(config);
        let uid = match (config.uid.as_str(), config.dashboard_id.known().copied()) {
            (Some(uid), _) => uid.to_string(),
            (None, Some(id)) => match ctx.client.dashboard_uid_by_id(id).await {
                Ok(Some(uid)) => uid,
                Ok(None) => {
                    diags.push(
                        Diagnostic::error("Dashboard not found", format!("No dashboard has id {id}."))
                            .at_attr("dashboard_id"),
                    );
                    return None;
                }
                Err(e) => {
                    diags.push(api_error(format!("Could not look up dashboard id {id}"), &e));
                    return None;
                }
            },
            (None, None) => return None,
        };
        let uid = uid.as_str();
        let d = match ctx.client.get_dashboard(uid).await {
            Ok(d) => d,
            Err(e) if e.is_not_found() => {
                diags.push(
                    Diagnostic::error("Dashboard not found", format!("No dashboard has uid {uid:?}.")).at_attr("uid"),
                );
                return None;
            }
            Err(e) => {
                diags.push(api_error(format!("Could not read dashboard {uid:?}"), &e));
                return None;
            }
        };
        let model = crate::dashboard_json::without_server_fields(d.json());
        Some(
            DashboardLookup {
                uid: uid.into(),
                config_json: serde_json::to_string_pretty(&Json::Object(model)).expect("JSON serialises").into(),
                title: Attr::from_option(d.json().get("title").and_then(Json::as_str).map(str::to_string)),
                folder: Attr::from_option(Some(d.folder_uid.clone()).filter(|f| !f.is_empty())),
                folder_uid: Attr::from_option(Some(d.folder_uid.clone()).filter(|f| !f.is_empty())),
                slug: d.slug.clone().into(),
                is_starred: d.is_starred.into(),
                url: format!("{}{}", ctx.client.base_url(), d.url).into(),
                version: d.version.into(),
                dashboard_id: d.id.into(),
                id: format!("1:{uid}").into(),
                org_id: crate::resources::org_id_of(&config.org_id),
            }
            .encode(),
        )
    }
}
