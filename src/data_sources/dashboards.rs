//! Data source `grafana_dashboards`: the dashboards in some folders, or with some tags.

use std::collections::BTreeMap;

use async_trait::async_trait;

use crate::diag::{Diagnostics, api_error};
use crate::framework::{Ctx, DataSource};
use crate::schema::{Attribute, Schema};
use crate::value::{Type, Value};

pub struct DashboardsDataSource;

fn hit_type() -> Type {
    Type::Object(BTreeMap::from([
        ("uid".to_string(), Type::String),
        ("title".to_string(), Type::String),
        ("folder_uid".to_string(), Type::String),
        ("url".to_string(), Type::String),
        ("tags".to_string(), Type::list(Type::String)),
    ]))
}

#[async_trait]
impl DataSource for DashboardsDataSource {
    fn type_name(&self) -> &'static str {
        "grafana_dashboards"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Lists dashboards, optionally only those in some folders and carrying all of some tags, sorted by title.",
            vec![
                Attribute::of("folder_uids", Type::list(Type::String)).optional().describe("Only dashboards directly in these folders (uids; `general` for the General folder)."),
                Attribute::of("tags", Type::list(Type::String)).optional().describe("Only dashboards that carry every one of these tags."),
                Attribute::of("dashboards", Type::list(hit_type())).computed().describe(
                    "The dashboards found, each with `uid`, `title`, `folder_uid` (null in the General folder), `url` and `tags`.",
                ),
                Attribute::of("uids", Type::list(Type::String)).computed().describe("The uids of the dashboards found, in the same order."),
            ],
        )
    }

    async fn read(&self, ctx: &Ctx<'_>, config: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let strings = |v: &Value| -> Vec<String> {
            v.as_list().unwrap_or_default().iter().filter_map(|x| x.as_str().map(str::to_string)).collect()
        };
        let (folders, tags) = (strings(config.get("folder_uids")), strings(config.get("tags")));
        let hits = match ctx.client.search_dashboards(&folders, &tags).await {
            Ok(h) => h,
            Err(e) => {
                diags.push(api_error("Could not search dashboards", &e));
                return None;
            }
        };
        let base = ctx.client.base_url();
        let dashboards = hits
            .iter()
            .map(|h| {
                Value::object([
                    ("uid", Value::string(&h.uid)),
                    ("title", Value::string(&h.title)),
                    ("folder_uid", Value::opt_string(h.folder_uid.as_deref().filter(|f| !f.is_empty()))),
                    ("url", Value::string(format!("{base}{}", h.url))),
                    ("tags", Value::List(h.tags.iter().map(Value::string).collect())),
                ])
            })
            .collect();
        Some(Value::object([
            ("folder_uids", config.get("folder_uids").clone()),
            ("tags", config.get("tags").clone()),
            ("dashboards", Value::List(dashboards)),
            ("uids", Value::List(hits.iter().map(|h| Value::string(&h.uid)).collect())),
        ]))
    }
}
