//! Data source `grafana_folder`: one folder, found by uid or by exact title.

use async_trait::async_trait;

use crate::diag::{Diagnostic, Diagnostics, api_error};
use crate::framework::{Ctx, DataSource};
use crate::model::{Attr, Model};
use crate::schema::{Attribute, Schema};
use crate::value::{Type, Value};

pub struct FolderDataSource;

crate::model! {
    /// The `grafana_folder` data source's attributes.
    pub struct FolderLookup {
        uid: String,
        title: String,
        parent_folder_uid: String,
        url: String,
        id: String,
        org_id: String,
    }
}

#[async_trait]
impl DataSource for FolderDataSource {
    fn type_name(&self) -> &'static str {
        "grafana_folder"
    }

    fn schema(&self) -> Schema {
        Schema::new(
            "Looks up an existing Grafana folder by `uid` or by `title`. Set exactly one of them.",
            vec![
                Attribute::string("uid").optional_computed().describe("The folder's uid. Set this or `title`."),
                Attribute::string("title").optional_computed().describe(
                    "The folder's exact title. Set this or `uid`; it is an error if several folders share the title.",
                ),
                Attribute::string("parent_folder_uid")
                    .computed()
                    .describe("The uid of the parent folder; null for a top-level folder."),
                Attribute::string("url").computed().describe("The folder's full URL in Grafana."),
            ]
            .into_iter()
            .chain(crate::resources::lookup_id_attributes())
            .collect(),
        )
    }

    fn model_attributes(&self) -> Vec<(&'static str, Type)> {
        FolderLookup::attributes()
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let config = FolderLookup::decode(config);
        crate::resources::check_org_id(&config.org_id, diags);
        let (uid, title) = (&config.uid, &config.title);
        if uid.is_null() == title.is_null() && !uid.is_unknown() && !title.is_unknown() {
            diags.push(
                Diagnostic::error(
                    "Set exactly one of uid and title",
                    "Find the folder either by `uid` or by `title`, not both and not neither.",
                )
                .at_attr("uid"),
            );
        }
    }

    async fn read(&self, ctx: &Ctx<'_>, config: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let config = FolderLookup::decode(config);
        let uid = match (config.uid.as_str(), config.title.as_str()) {
            (Some(uid), _) => uid.to_string(),
            (None, Some(title)) => match ctx.client.find_folders_by_title(title).await {
                Ok(found) if found.len() == 1 => found[0].uid.clone(),
                Ok(found) if found.is_empty() => {
                    diags.push(
                        Diagnostic::error("Folder not found", format!("No folder is titled {title:?}."))
                            .at_attr("title"),
                    );
                    return None;
                }
                Ok(found) => {
                    let uids: Vec<&str> = found.iter().map(|f| f.uid.as_str()).collect();
                    diags.push(
                        Diagnostic::error(
                            "Several folders have this title",
                            format!("Folders {uids:?} are all titled {title:?}; look the folder up by `uid` instead."),
                        )
                        .at_attr("title"),
                    );
                    return None;
                }
                Err(e) => {
                    diags.push(api_error("Could not search folders", &e));
                    return None;
                }
            },
            _ => return None,
        };
        match ctx.client.get_folder(&uid).await {
            Ok(f) => Some(
                FolderLookup {
                    id: format!("1:{}", f.uid).into(),
                    org_id: crate::resources::org_id_of(&config.org_id),
                    url: format!("{}{}", ctx.client.base_url(), f.url).into(),
                    parent_folder_uid: Attr::from_option(f.parent_uid.filter(|p| !p.is_empty())),
                    uid: f.uid.into(),
                    title: f.title.into(),
                }
                .encode(),
            ),
            Err(e) if e.is_not_found() => {
                diags.push(Diagnostic::error("Folder not found", format!("No folder has uid {uid:?}.")).at_attr("uid"));
                None
            }
            Err(e) => {
                diags.push(api_error(format!("Could not read folder {uid:?}"), &e));
                None
            }
        }
    }
}
