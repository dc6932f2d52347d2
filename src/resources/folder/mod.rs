//! `grafana_folder`: a Grafana folder, optionally nested under another (Grafana 11+).

use async_trait::async_trait;

use crate::diag::{AttrPath, Diagnostic, Diagnostics, api_error};
use crate::framework::outcome::{Created, confirm_create, delete_outcome, read_outcome, unconfirmed_create};
use crate::framework::{Ctx, Lister, PlanCtx, ReadOutcome, Resource};
use crate::grafana::{Client, Error, Folder, FolderRef};
use crate::model::{Attr, Model};
use crate::resources::{
    check_org_id, check_uid, id_attributes, identity_uid, import_uid, new_uid, official_id, org_id_of, uid_identity,
    uid_identity_schema,
};
use crate::schema::{Attribute, IdentitySchema, Schema};
use crate::value::{Type, Value};

mod list;
pub use list::FolderList;
mod messages;
use messages::{
    changed_since_read, create_error, holds_rules, is_not_found, missing_parent, titled_like_a_dashboard, uid_taken,
    version_moved_on,
};

pub struct FolderResource;

crate::model! {
    /// `grafana_folder`'s attributes, as the schema below declares them.
    pub struct FolderModel {
        title: String,
        uid: String,
        parent_folder_uid: String,
        prevent_destroy_if_not_empty: bool,
        url: String,
        id: String,
        org_id: String,
    }
}

#[async_trait]
impl Resource for FolderResource {
    fn type_name(&self) -> &'static str {
        "grafana_folder"
    }

    fn schema(&self) -> Schema {
        let mut s = Schema::new(
            "A Grafana folder. Dashboards go in folders through `grafana_dashboard.folder`. On Grafana 11 and later \
                (AMG 12.4) folders nest with `parent_folder_uid`.",
            vec![
                Attribute::string("title").required().describe(
                    "The folder's title, shown in Grafana. Must not be blank. Grafana trims leading and trailing \
                        whitespace; the configuration's text is kept in state, and a change of that whitespace alone \
                        changes nothing. On Grafana 10.4 a top-level folder's title must not be another folder's, nor \
                        a dashboard's in the General folder (compared as URL slugs); apply says which.",
                ),
                Attribute::string("uid").optional_computed().requires_replace().use_state_for_unknown().describe(
                    "Unique identifier: letters, digits, `-` and `_`, at most 40 characters. When not set, the \
                        provider chooses one (`tf` and 24 random hex digits) and sends it with the create, so a create \
                        whose answer is lost is confirmed instead of repeated. Changing it replaces the folder.",
                ),
                Attribute::string("parent_folder_uid").optional().describe(
                    "The uid of the folder this one is nested in; unset for a top-level folder. Needs nested folders \
                        (Grafana 11+, AMG 12.4); on Grafana 10.4 setting it is an error. Changing it moves the folder \
                        and keeps its contents.",
                ),
                Attribute::bool("prevent_destroy_if_not_empty").default(Value::Bool(false)).describe(
                    "When `true`, destroying the folder fails while it still holds dashboards or folders. When `false` \
                        (the default), whatever it still holds is moved to the General folder (sub-folders to the top \
                        level) before the folder is deleted: destroying a folder never deletes a dashboard. (Terraform \
                        destroys a folder before it updates the dashboards that move out of it in the same apply; \
                        moving them first keeps their ids and history.)",
                ),
                Attribute::string("url").computed().describe("The folder's full URL in Grafana."),
            ]
            .into_iter()
            .chain(id_attributes("folder"))
            .collect(),
        );
        // 0 is the official provider's version (and this provider's before it took its state).
        s.version = 1;
        s
    }

    fn model_attributes(&self) -> Vec<(&'static str, Type)> {
        FolderModel::attributes()
    }

    fn official_schema_version(&self) -> Option<i64> {
        Some(0)
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(uid_identity_schema("The folder's uid."))
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let config = FolderModel::decode(config);
        check_org_id(&config.org_id, diags);
        if let Some(t) = config.title.as_str()
            && t.trim().is_empty()
        {
            diags.push(
                Diagnostic::error("Folder title is blank", "Set `title` to a non-blank name for the folder.")
                    .at_attr("title"),
            );
        }
        if let Some(uid) = config.uid.as_str()
            && let Err(e) = check_uid(uid)
        {
            diags.push(
                Diagnostic::error(
                    "Invalid folder uid",
                    format!("`uid` {e}. Fix it, or leave `uid` unset to let Grafana choose one."),
                )
                .at_attr("uid"),
            );
        }
        if let Some(p) = config.parent_folder_uid.as_str()
            && let Err(e) = check_uid(p)
        {
            diags.push(
                Diagnostic::error("Invalid parent folder uid", format!("`parent_folder_uid` {e}."))
                    .at_attr("parent_folder_uid"),
            );
        }
    }

    fn normalize_planned(&self, prior: &Value, planned: &mut Value) {
        let (prior, mut plan) = (FolderModel::decode(prior), FolderModel::decode(planned));
        // Grafana trims titles: whitespace around the same title is the same folder title.
        if let (Some(old), Some(new)) = (prior.title.as_str(), plan.title.as_str())
            && old != new
            && old.trim() == new.trim()
        {
            plan.title = prior.title.clone();
            *planned = plan.encode();
        }
    }

    async fn modify_plan(&self, ctx: &PlanCtx<'_>, planned: &mut Value, diags: &mut Diagnostics) -> Vec<AttrPath> {
        let (prior, plan) = (FolderModel::decode(ctx.prior), FolderModel::decode(planned));
        let parent = &plan.parent_folder_uid;
        if let (Some(client), false) = (ctx.client, parent.is_null() || *parent == prior.parent_folder_uid) {
            check_nested(client, diags).await;
        }
        Vec::new()
    }

    async fn create(&self, ctx: &Ctx<'_>, planned_value: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let planned = &FolderModel::decode(planned_value);
        let title = planned.title.as_str().unwrap_or_default();
        let parent = planned.parent_folder_uid.as_str();
        if parent.is_some() && !check_nested(ctx.client, diags).await {
            return None;
        }
        let configured = planned.uid.as_str();
        let uid = configured.map_or_else(new_uid, str::to_string);
        let err = match ctx.client.create_folder(Some(&uid), title, parent).await {
            Ok(f) => return Some(state(ctx.client, &f, planned)),
            Err(e) => e,
        };
        // A chosen uid cannot be anyone else's; a configured one must hold exactly this folder.
        let ours = |f: &Folder| configured.is_none() || same_folder(f, planned);
        match confirm_create(&err, || ctx.client.get_folder(&uid), ours).await {
            Created::Yes(f) => Some(state(ctx.client, &f, planned)),
            Created::Taken(f) => {
                diags.push(uid_taken(&f));
                None
            }
            Created::Unknown => {
                let (s, d) = unconfirmed_create("folder", planned_value, &uid, &err);
                diags.push(d.at_attr("uid"));
                Some(s)
            }
            Created::No => {
                diags.push(create_error(ctx.client, planned, &uid, &err).await);
                None
            }
        }
    }

    async fn read(&self, ctx: &Ctx<'_>, prior: &Value, diags: &mut Diagnostics) -> ReadOutcome {
        let prior = &FolderModel::decode(prior);
        let uid = prior.uid.as_str().unwrap_or_default();
        read_outcome(ctx.client.get_folder(uid).await, "folder", uid, diags).map(|f| state(ctx.client, &f, prior))
    }

    async fn update(&self, ctx: &Ctx<'_>, prior: &Value, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let (prior, planned) = (&FolderModel::decode(prior), &FolderModel::decode(planned));
        let uid = prior.uid.as_str().unwrap_or_default();
        let title = planned.title.as_str().unwrap_or_default();
        let parent = &planned.parent_folder_uid;
        let mut folder = None;
        if *parent != prior.parent_folder_uid {
            if !check_nested(ctx.client, diags).await {
                return None;
            }
            match ctx.client.move_folder(uid, parent.as_str()).await {
                Ok(f) => folder = Some(f),
                Err(e) if e.may_have_acted() && confirm_parent(ctx.client, uid, parent).await => {
                    tracing::info!(uid, error = %e, "move confirmed after a lost answer");
                }
                // 404: the folder or its new parent is missing; if the folder is there, the parent.
                Err(e) if is_not_found(&e) && parent.as_str().is_some() && ctx.client.get_folder(uid).await.is_ok() => {
                    diags.push(missing_parent(parent.as_str().unwrap_or_default(), &e));
                    return None;
                }
                Err(e) => {
                    diags.push(api_error(format!("Could not move folder {uid:?}"), &e).at_attr("parent_folder_uid"));
                    return None;
                }
            }
        }
        if planned.title.as_str().map(str::trim) != prior.title.as_str().map(str::trim) {
            // Rename from the version Terraform's view is based on: a rename made in Grafana
            // since the last refresh is refused, not silently lost.
            let current = match ctx.client.get_folder(uid).await {
                Ok(f) => f,
                Err(e) => {
                    diags.push(api_error(format!("Could not read folder {uid:?}"), &e).at_attr("title"));
                    return None;
                }
            };
            let known = prior.title.as_str().map(str::trim);
            if Some(current.title.as_str()) != known {
                let (now, was) = (&current.title, known.unwrap_or_default());
                let now = format!("is now titled {now:?} in Grafana, not {was:?} as when Terraform last read it");
                diags.push(changed_since_read(uid, &now, title));
                return None;
            }
            match ctx.client.update_folder(uid, title, current.version).await {
                Ok(f) => folder = Some(f),
                Err(e) if e.may_have_acted() && confirm(ctx.client, uid, planned).await.is_some() => {
                    tracing::info!(uid, error = %e, "rename confirmed after a lost answer");
                }
                // Renamed (or moved) by someone else between that read and this write: its
                // version moved on.
                Err(e) if version_moved_on(&e) => {
                    diags.push(changed_since_read(uid, "was changed in Grafana after Terraform read it", title));
                    return None;
                }
                Err(e) => {
                    let d = titled_like_a_dashboard(&e)
                        .unwrap_or_else(|| api_error(format!("Could not rename folder {uid:?}"), &e).at_attr("title"));
                    diags.push(d);
                    return None;
                }
            }
        }
        let sent = *parent != prior.parent_folder_uid
            || planned.title.as_str().map(str::trim) != prior.title.as_str().map(str::trim);
        if folder.is_none() && sent {
            // Every answer was lost but each change was confirmed: read the result once.
            folder = confirm(ctx.client, uid, planned).await;
        }
        match folder {
            Some(f) => Some(state(ctx.client, &f, planned)),
            // Only `prevent_destroy_if_not_empty` (or the title's whitespace) changed: nothing to send.
            None => {
                let mut s = planned.clone();
                s.url = prior.url.clone();
                Some(s.encode())
            }
        }
    }

    async fn delete(&self, ctx: &Ctx<'_>, state: &Value, diags: &mut Diagnostics) {
        let state = FolderModel::decode(state);
        let uid = state.uid.as_str().unwrap_or_default();
        let nested = match ctx.client.has_nested_folders().await {
            Ok(n) => n,
            Err(e) => return diags.push(api_error(format!("Could not check folder {uid:?}"), &e)),
        };
        let (dashboards, folders) = match ctx.client.folder_contents(uid, nested).await {
            Ok(c) => c,
            Err(e) if e.is_not_found() => return,
            Err(e) => return diags.push(api_error(format!("Could not check folder {uid:?}"), &e)),
        };
        if !dashboards.is_empty() || !folders.is_empty() {
            // Grafana would refuse the delete after the moves: say so before any.
            match ctx.client.list_alert_rules().await {
                Ok(rules) if rules.iter().any(|r| r.folder_uid == uid) => return diags.push(holds_rules(uid)),
                Ok(_) => {}
                Err(e) => return diags.push(api_error(format!("Could not check folder {uid:?} for alert rules"), &e)),
            }
            let all: Vec<&FolderRef> = dashboards.iter().chain(&folders).collect();
            let names: Vec<String> = all.iter().take(5).map(|c| format!("{:?} ({})", c.title, c.uid)).collect();
            let listed = format!("{}{}", names.join(", "), if all.len() > 5 { " and more" } else { "" });
            if state.prevent_destroy_if_not_empty.is_true() {
                return diags.push(
                    Diagnostic::error(
                        "Folder is not empty",
                        format!(
                            "Folder {uid:?} still holds {listed}. `prevent_destroy_if_not_empty` is true, so it was \
                                not deleted. If these dashboards move to another folder in this same apply, Terraform \
                                destroys the folder before it moves them: move them in one apply and remove the folder \
                                in the next, or set the attribute to false (what is left in the folder is then moved \
                                to the General folder, never deleted)."
                        ),
                    )
                    .at_attr("prevent_destroy_if_not_empty"),
                );
            }
            // Nothing is deleted with the folder: dashboards Terraform moves elsewhere in this
            // apply (it destroys the folder first) keep their ids and history this way.
            tracing::info!(uid, contents = %listed, "moving what the folder holds out before deleting it");
            for d in &dashboards {
                match ctx.client.move_dashboard(&d.uid, "").await {
                    Ok(_) => {}
                    Err(e) if e.is_not_found() => {}
                    Err(e) => {
                        return diags.push(api_error(
                            format!(
                                "Could not move dashboard {:?} ({}) out of folder {uid:?} before deleting it; the \
                                    folder was not deleted",
                                d.title, d.uid
                            ),
                            &e,
                        ));
                    }
                }
            }
            for f in &folders {
                if let Err(e) = ctx.client.move_folder(&f.uid, None).await {
                    return diags.push(api_error(
                        format!(
                            "Could not move folder {:?} ({}) out of folder {uid:?} before deleting it; the folder was \
                                not deleted",
                            f.title, f.uid
                        ),
                        &e,
                    ));
                }
            }
        }
        let deleted = match ctx.client.delete_folder(uid).await {
            Err(Error::Api { status: 400, message, .. }) if message.contains("alert rules") => {
                return diags.push(holds_rules(uid));
            }
            other => other,
        };
        if let Some(d) = delete_outcome("folder", uid, deleted, || ctx.client.get_folder(uid)).await {
            diags.push(d);
        }
    }

    fn import_id(&self, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        import_uid("folder", id, diags).map(import_state)
    }

    fn import_identity(&self, identity: &Value, diags: &mut Diagnostics) -> Option<Value> {
        self.import_id(&identity_uid(identity), diags)
    }

    fn identity_of(&self, state: &Value) -> Option<Value> {
        Some(uid_identity(&FolderModel::decode(state).uid))
    }

    fn lister(&self) -> Option<&'static dyn Lister> {
        Some(&list::FolderList)
    }

    /// AMG workspaces have one organisation: a generated configuration leaves `org_id` out.
    fn generated_config(&self, config: Value, _state: &Value, _diags: &mut Diagnostics) -> Value {
        FolderModel { org_id: Attr::Null, ..FolderModel::decode(&config) }.encode()
    }
}

/// The state for a folder Grafana returned; `prevent_destroy_if_not_empty` lives only in Terraform.
fn state(client: &Client, f: &Folder, prior: &FolderModel) -> Value {
    // Grafana trims titles; the configuration's text stays while it means the same title.
    let title = match prior.title.as_str() {
        Some(t) if t.trim() == f.title => t.to_string(),
        _ => f.title.clone(),
    };
    FolderModel {
        title: title.into(),
        uid: f.uid.clone().into(),
        parent_folder_uid: Attr::from_option(f.parent_uid.clone().filter(|p| !p.is_empty())),
        prevent_destroy_if_not_empty: prior.prevent_destroy_if_not_empty.is_true().into(),
        url: format!("{}{}", client.base_url(), f.url).into(),
        id: official_id(&prior.id, &f.uid),
        org_id: org_id_of(&prior.org_id),
    }
    .encode()
}

fn import_state(uid: String) -> Value {
    FolderModel { uid: uid.into(), prevent_destroy_if_not_empty: false.into(), ..Default::default() }.encode()
}

/// The folder `uid` if Grafana holds it as planned (title and parent), after a lost answer.
async fn confirm(client: &Client, uid: &str, planned: &FolderModel) -> Option<Folder> {
    let f = client.get_folder(uid).await.ok()?;
    same_folder(&f, planned).then_some(f)
}

/// Whether Grafana's folder has the planned title (as Grafana stores it, trimmed) and parent.
fn same_folder(f: &Folder, planned: &FolderModel) -> bool {
    let parent = f.parent_uid.as_deref().filter(|p| !p.is_empty());
    Some(f.title.as_str()) == planned.title.as_str().map(str::trim) && parent == planned.parent_folder_uid.as_str()
}

async fn confirm_parent(client: &Client, uid: &str, parent: &Attr<String>) -> bool {
    client.get_folder(uid).await.is_ok_and(|f| f.parent_uid.as_deref().filter(|p| !p.is_empty()) == parent.as_str())
}

/// Nested folders need Grafana 11+; says so on `parent_folder_uid` where they are missing.
async fn check_nested(client: &Client, diags: &mut Diagnostics) -> bool {
    match client.has_nested_folders().await {
        Ok(true) => true,
        Ok(false) => {
            diags.push(
                Diagnostic::error(
                    "Nested folders are not available",
                    "This Grafana is older than 11 (AMG 10.4) and has no nested folders, so `parent_folder_uid` cannot \
                        be used. Remove it, or upgrade the workspace to Grafana 12.4.",
                )
                .at_attr("parent_folder_uid"),
            );
            false
        }
        Err(e) => {
            diags.push(api_error("Could not read the Grafana version", &e));
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grafana;

    #[test]
    fn regression_a_rename_racing_another_run_was_refused_without_saying_why() {
        let api = |status, reason: Option<&str>| grafana::Error::Api {
            status,
            message: "The dashboard has been changed by someone else".into(),
            reason: reason.map(str::to_string),
            retry_after: None,
            role: None,
        };
        assert!(version_moved_on(&api(412, None)), "12.x: no reason");
        assert!(version_moved_on(&api(412, Some("version-mismatch"))), "10.x");
        assert!(!version_moved_on(&api(412, Some("name-exists"))));
        assert!(!version_moved_on(&api(409, None)));
        let d = changed_since_read("f", "was changed in Grafana after Terraform read it", "New");
        assert_eq!(d.summary, "The folder changed in Grafana since Terraform read it");
        assert_eq!(d.path.map(|p| p.to_string()).as_deref(), Some("title"));
    }

    fn folder(title: &str, parent: Option<&str>) -> Folder {
        let parent = parent.map(str::to_string);
        Folder {
            id: 7,
            uid: "ops".into(),
            title: title.into(),
            url: "/dashboards/f/ops/ops".into(),
            parent_uid: parent,
            version: Some(1),
        }
    }

    #[test]
    fn the_state_keeps_the_configured_title_while_it_trims_to_grafanas() {
        let url = url::Url::parse("http://127.0.0.1:1/").unwrap();
        let client = Client::new(grafana::Config::new(url, None), Default::default()).unwrap();
        let prior = FolderModel { title: "  Ops ".into(), id: "0:ops".into(), ..Default::default() };
        let v = FolderModel::decode(&state(&client, &folder("Ops", Some("")), &prior));
        assert_eq!(v.title.as_str(), Some("  Ops "), "the same title: the configuration's text stays");
        assert!(v.parent_folder_uid.is_null(), "\"\" is Grafana's top level");
        assert!(v.url.as_str().is_some_and(|u| u.ends_with("/dashboards/f/ops/ops")), "{:?}", v.url);
        assert_eq!(v.id.as_str(), Some("0:ops"), "the official provider's id form is kept");
        let v = FolderModel::decode(&state(&client, &folder("Ops renamed", Some("team")), &prior));
        assert_eq!((v.title.as_str(), v.parent_folder_uid.as_str()), (Some("Ops renamed"), Some("team")), "drift");
    }

    #[test]
    fn a_folder_found_after_a_lost_answer_is_ours_only_with_the_planned_title_and_parent() {
        let planned = FolderModel { title: " Ops ".into(), parent_folder_uid: "team".into(), ..Default::default() };
        assert!(same_folder(&folder("Ops", Some("team")), &planned));
        assert!(!same_folder(&folder("Ops", None), &planned));
        assert!(!same_folder(&folder("Other", Some("team")), &planned));
        let top = FolderModel { title: "Ops".into(), ..Default::default() };
        assert!(same_folder(&folder("Ops", Some("")), &top), "\"\" and none are both the top level");
    }

    #[test]
    fn refusals_point_at_the_attribute_to_change() {
        let d = uid_taken(&folder("Theirs", None));
        assert!(d.detail.contains("terraform import <address> ops") && d.detail.contains("\"Theirs\""), "{}", d.detail);
        assert_eq!(d.path, Some(AttrPath::attr("uid")));
        let slug = grafana::Error::Api {
            status: 400,
            message: "a folder or dashboard in the general folder with the same name already exists; folder name \
                cannot be the same as one of its dashboards"
                .into(),
            reason: None,
            retry_after: None,
            role: None,
        };
        assert_eq!(titled_like_a_dashboard(&slug).and_then(|d| d.path), Some(AttrPath::attr("title")));
        let gone = grafana::Error::Api {
            status: 404,
            message: "folder not found".into(),
            reason: None,
            retry_after: None,
            role: None,
        };
        assert!(titled_like_a_dashboard(&gone).is_none() && is_not_found(&gone));
        let d = missing_parent("nope", &gone);
        assert_eq!(d.path, Some(AttrPath::attr("parent_folder_uid")));
        assert!(d.detail.contains("\"nope\""), "{}", d.detail);
    }
}
