//! Data source `grafana_dashboards`: the dashboards in some folders, or with some tags.

use async_trait::async_trait;

use crate::diag::{Diagnostics, api_error};
use crate::framework::{Ctx, DataSource};
use crate::model::{Attr, AttrType, Model};
use crate::schema::{Attribute, Schema};
use crate::value::{Type, Value};

pub struct DashboardsDataSource;

crate::model! {
    /// The `grafana_dashboards` data source's attributes.
    pub struct DashboardsLookup {
        folder_uids: Vec<String>,
        tags: Vec<String>,
        dashboards: Vec<DashboardHit>,
        uids: Vec<String>,
    }
}

crate::model! {
    /// One dashboard in `dashboards`.
    pub struct DashboardHit {
        uid: String,
        title: String,
        folder_uid: String,
        url: String,
        tags: Vec<String>,
    }
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
                Attribute::of("folder_uids", Type::list(Type::String))
                    .optional()
                    .describe("Only dashboards directly in these folders (uids; `general` for the General folder)."),
                Attribute::of("tags", Type::list(Type::String))
                    .optional()
                    .describe("Only dashboards that carry every one of these tags."),
                Attribute::of("dashboards", Vec::<DashboardHit>::ty()).computed().describe(
                    "The dashboards found, each with `uid`, `title`, `folder_uid` (null in the General folder), `url` \
                        and `tags`.",
                ),
                Attribute::of("uids", Type::list(Type::String))
                    .computed()
                    .describe("The uids of the dashboards found, in the same order."),
            ],
        )
    }

    fn model_attributes(&self) -> Vec<(&'static str, Type)> {
        DashboardsLookup::attributes()
    }

    async fn read(&self, ctx: &Ctx<'_>, config: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let config = DashboardsLookup::decode(config);
        let folders = config.folder_uids.known().cloned().unwrap_or_default();
        let tags = config.tags.known().cloned().unwrap_or_default();
        let hits = match ctx.client.search_dashboards(&folders, &tags).await {
            Ok(h) => h,
            Err(e) => {
                diags.push(api_error("Could not search dashboards", &e));
                return None;
            }
        };
        let base = ctx.client.base_url();
        let dashboards: Vec<DashboardHit> = hits
            .iter()
            .map(|h| DashboardHit {
                uid: h.uid.clone().into(),
                title: h.title.clone().into(),
                folder_uid: Attr::from_option(h.folder_uid.clone().filter(|f| !f.is_empty())),
                url: format!("{base}{}", h.url).into(),
                tags: h.tags.clone().into(),
            })
            .collect();
        Some(
            DashboardsLookup {
                dashboards: Attr::from(dashboards),
                uids: hits.iter().map(|h| h.uid.clone()).collect::<Vec<_>>().into(),
                ..config
            }
            .encode(),
        )
    }
}
