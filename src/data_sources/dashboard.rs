//! Data source `grafana_dashboard`: one dashboard by uid.

use async_trait::async_trait;
use serde_json::Value as Json;

use crate::diag::{Diagnostic, Diagnostics, api_error};
use crate::framework::{Ctx, DataSource};
use crate::schema::{Attribute, Schema};
use crate::value::Value;

pub struct DashboardDataSource;

#[async_trait]
impl DataSource for DashboardDataSource {
    fn type_name(&self) -> &'static str {
        "grafana_dashboard"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Reads one dashboard by uid: its JSON model (without Grafana's `id` and `version`), title, folder, URL and version.",
            vec![
                Attribute::string("uid").required().describe("The dashboard's uid."),
                Attribute::string("config_json")
                    .computed()
                    .describe("The dashboard's JSON model as Grafana holds it, without `id` and `version`."),
                Attribute::string("title").computed().describe("The dashboard's title."),
                Attribute::string("folder")
                    .computed()
                    .describe("The uid of the folder holding it; null for the General folder."),
                Attribute::string("url").computed().describe("The dashboard's full URL in Grafana."),
                Attribute::number("version").computed().describe("The dashboard's version in Grafana."),
                Attribute::number("dashboard_id").computed().describe("Grafana's numeric id of the dashboard."),
            ],
        )
    }

    async fn read(&self, ctx: &Ctx<'_>, config: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let uid = config.get("uid").as_str()?;
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
        let mut model = d.json.clone();
        model.remove("id");
        model.remove("version");
        Some(Value::object([
            ("uid", Value::string(uid)),
            (
                "config_json",
                Value::string(serde_json::to_string_pretty(&Json::Object(model)).expect("JSON serialises")),
            ),
            ("title", Value::opt_string(d.json.get("title").and_then(Json::as_str))),
            ("folder", Value::opt_string(Some(d.folder_uid.as_str()).filter(|f| !f.is_empty()))),
            ("url", Value::string(format!("{}{}", ctx.client.base_url(), d.url))),
            ("version", Value::int(d.version)),
            ("dashboard_id", Value::int(d.id)),
        ]))
    }
}
