//! `list "grafana_folder"` (`terraform query`): every folder, or the folders directly in one.

use async_trait::async_trait;

use crate::diag::{Diagnostic, Diagnostics, api_error};
use crate::framework::{ListMemo, Listed, Lister, Page};
use crate::grafana::{Client, Search};
use crate::model::Model;
use crate::resources::listing::{folder_paths, page_of};
use crate::schema::{Attribute, Schema};
use crate::value::Value;

pub struct FolderList;

crate::model! {
    /// The list block's filters.
    struct FolderFilter {
        parent_uid: String,
    }
}

#[async_trait]
impl Lister for FolderList {
    fn schema(&self) -> Schema {
        Schema::new(
            "Every folder in the workspace, at every level, named by its path (`Team A/Service X`).",
            vec![Attribute::string("parent_uid").optional().describe(
                "Only the folders directly in this folder (Grafana 11 and later, where folders nest). Unset: every \
                    folder at every level.",
            )],
        )
    }

    async fn memo(&self, client: &Client, config: &Value, diags: &mut Diagnostics) -> Option<ListMemo> {
        if FolderFilter::decode(config).parent_uid.as_str().is_some() {
            match client.has_nested_folders().await {
                Ok(true) => {}
                Ok(false) => {
                    diags.push(
                        Diagnostic::error(
                            "Folders do not nest in this Grafana",
                            "`parent_uid` selects sub-folders, which Grafana has from version 11 (AMG 12.4). In this \
                                workspace every folder is at the top level: remove `parent_uid` to list them all.",
                        )
                        .at_attr("parent_uid"),
                    );
                    return None;
                }
                Err(e) => {
                    diags.push(api_error("Could not read Grafana's version", &e));
                    return None;
                }
            }
        }
        Some(ListMemo { paths: folder_paths(client, diags).await?, ..Default::default() })
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
        let listed = |uid: String, title: String| {
            let display_name = memo.paths.get(&uid).cloned().unwrap_or(title);
            Some(Listed { id: uid, display_name })
        };
        match FolderFilter::decode(config).parent_uid.as_str() {
            Some(parent) => {
                let answer = client.child_folders_page(parent, page, size).await;
                let what = format!("the folders in {parent:?} (GET /api/folders)");
                page_of(answer, size, &what, diags, |f| listed(f.uid, f.title))
            }
            None => {
                let answer =
                    client.search_page(&Search { kind: "dash-folder", ..Default::default() }, page, size).await;
                page_of(answer, size, "the folders (GET /api/search)", diags, |h| listed(h.uid, h.title))
            }
        }
    }
}
