//! `list "grafana_dashboard"` (`terraform query`): dashboards by folder, tags and title,
//! without the ones app plugins own (their plugin updates them, not Terraform).

use async_trait::async_trait;

use super::DashboardModel;
use crate::dashboard_json as dj;
use crate::diag::{Diagnostics, api_error};
use crate::framework::{ListMemo, Listed, Lister, Page};
use crate::grafana::{Client, Search};
use crate::model::{Attr, Model};
use crate::resources::listing::{display_in, folder_paths, page_of};
use crate::schema::{Attribute, Schema};
use crate::value::{Type, Value};

pub struct DashboardList;

crate::model! {
    /// The list block's filters.
    struct DashboardFilter {
        folder_uid: String,
        tags: Vec<String>,
        query: String,
    }
}

#[async_trait]
impl Lister for DashboardList {
    fn schema(&self) -> Schema {
        Schema::new(
            "The workspace's dashboards, named by title and folder path (`Latency (Team A/Service X)`). Dashboards an \
                app plugin imported are left out: the plugin updates them, so Terraform cannot own them.",
            vec![
                Attribute::string("folder_uid").optional().describe(
                    "Only the dashboards directly in this folder (`general`: the General folder). Unset: every folder.",
                ),
                Attribute::of("tags", Type::list(Type::String))
                    .optional()
                    .describe("Only the dashboards carrying every one of these tags."),
                Attribute::string("query")
                    .optional()
                    .describe("Only the dashboards whose title contains this text, in any case."),
            ],
        )
    }

    async fn memo(&self, client: &Client, _config: &Value, diags: &mut Diagnostics) -> Option<ListMemo> {
        let skip = match client.plugin_dashboard_uids().await {
            Ok(s) => s,
            Err(e) => {
                diags.push(api_error("Could not list the dashboards app plugins own (GET /api/plugins)", &e));
                return None;
            }
        };
        Some(ListMemo { skip, paths: folder_paths(client, diags).await? })
    }

    async fn page(
        &self,
        client: &Client,
        config: &Value,
        memo: &ListMemo,
        page: usize,
        size: usize,
        diags: &mut Diagnostics,
    ) -> Option<Page> {
        let f = DashboardFilter::decode(config);
        let folder_uids: Vec<String> = f.folder_uid.as_str().map(str::to_string).into_iter().collect();
        let tags = f.tags.known().cloned().unwrap_or_default();
        let search =
            Search { kind: "dash-db", folder_uids: &folder_uids, tags: &tags, query: f.query.as_str().unwrap_or("") };
        let answer = client.search_page(&search, page, size).await;
        page_of(answer, size, "the dashboards (GET /api/search)", diags, |h| {
            let display_name = display_in(&h.title, h.folder_uid.as_deref(), &memo.paths);
            (!memo.skip.contains(&h.uid)).then_some(Listed { id: h.uid, display_name })
        })
    }
}

/// A generated configuration: the model as Grafana holds it (never a hash), without an
/// export's `__inputs` (a dashboard saved from an export keeps them, and they would ask for
/// `inputs` its saved model no longer needs: Grafana holds it as saved), in its folder; AMG has
/// one organisation.
pub(super) fn generated(config: DashboardModel) -> Value {
    let model = config.config_json.as_str().and_then(|t| dj::parse(t).ok()).map(|mut m| {
        m.remove("__inputs");
        serde_json::to_string(&m).expect("JSON serialises")
    });
    let config_json = model.map_or(config.config_json.clone(), Attr::from);
    DashboardModel { config_json, org_id: Attr::Null, ..config }.encode()
}
