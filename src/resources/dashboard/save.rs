//! The Grafana side of a `grafana_dashboard`: the dashboard a plan wants ([`Wanted`]), the
//! save request made of it, the state made of Grafana's answers, and the error messages for
//! what Grafana refuses.

use serde_json::Value as Json;

use super::{DashboardModel, invalid};
use crate::dashboard_json as dj;
use crate::diag::{Diagnostic, Diagnostics, api_error, quote};
use crate::framework::{Ctx, Resource};
use crate::grafana::{self, Client, Dashboard, SaveDashboard, Saved};
use crate::model::{Attr, Model};
use crate::resources::new_uid;
use crate::value::Value;

/// The dashboard a plan wants in Grafana.
pub(super) struct Wanted {
    pub(super) uid: String,
    /// The provider chose the uid just now (the configuration and the state set none).
    pub(super) chosen: bool,
    pub(super) model: dj::Model,
    pub(super) folder: Option<String>,
    pub(super) message: Option<String>,
}

impl Wanted {
    pub(super) fn from_plan(v: &DashboardModel, diags: &mut Diagnostics) -> Option<Wanted> {
        let model = match dj::parse(v.config_json.as_str().unwrap_or_default()) {
            Ok(m) => m,
            Err(e) => {
                diags.push(invalid(&e));
                return None;
            }
        };
        let given = dj::uid_of(&model).or(v.uid.as_str()).map(str::to_string);
        let chosen = given.is_none();
        let uid = given.unwrap_or_else(new_uid);
        let mut model = dj::upload(model, &v.input_values());
        model.insert("uid".into(), Json::String(uid.clone()));
        Some(Wanted {
            uid,
            chosen,
            model,
            folder: v.folder.as_str().map(|f| crate::resources::folder_uid_of(f).to_string()),
            message: v.message.as_str().map(str::to_string),
        })
    }

    pub(super) fn title(&self) -> &str {
        dj::title_of(&self.model)
    }

    /// Whether `other` (a model as uploaded or as Grafana holds it) means the same as this
    /// one's, the uid aside.
    pub(super) fn same_model(&self, other: &dj::Model) -> bool {
        dj::same_meaning(&self.model, &dj::Subs::none(), other, &dj::Subs::none())
    }

    /// Whether a dashboard in Grafana is exactly this one, in this folder.
    pub(super) fn same_as(&self, d: &Dashboard) -> bool {
        self.same_model(d.json()) && self.folder.as_deref().unwrap_or("") == d.folder_uid
    }

    /// The save request, with the `version` the save is based on (none for a create).
    /// `overwrite` is never sent: on Grafana 10.4 it makes a save with a title already used in
    /// the folder take over that other dashboard, whatever uid was sent.
    pub(super) fn save_request(&self, version: Option<i64>) -> SaveDashboard<'_> {
        SaveDashboard {
            dashboard: &self.model,
            version,
            folder_uid: self.folder.as_deref(),
            message: self.message.as_deref(),
        }
    }

    /// A save is accepted only for the uid that was sent.
    pub(super) fn check_saved(&self, saved: &Saved, diags: &mut Diagnostics) -> bool {
        if saved.uid == self.uid {
            return true;
        }
        diags.push(
            Diagnostic::error(
                "Grafana saved into another dashboard",
                format!(
                    "The save of dashboard {:?} was answered for dashboard {:?}. Nothing was recorded in the state; \
                        check dashboard {:?} in Grafana (its version history has the save), then plan again.",
                    self.uid, saved.uid, saved.uid
                ),
            )
            .at_attr("config_json"),
        );
        false
    }
}

/// Whether the one dashboard whose title blocks `want` in its folder is `uid`.
pub(super) async fn only_clash_is(client: &Client, want: &Wanted, uid: &str) -> bool {
    let hits =
        client.find_dashboards_by_title(want.title(), want.folder.as_deref().unwrap_or("")).await.unwrap_or_default();
    !hits.is_empty() && hits.iter().all(|h| h.uid == uid)
}

// ---- state ----

/// The state after a save: what was planned, and what Grafana's answer determines (no read-back).
pub(super) fn state_after_save(client: &Client, planned: DashboardModel, saved: &Saved) -> Value {
    DashboardModel {
        uid: saved.uid.clone().into(),
        dashboard_id: saved.id.into(),
        url: format!("{}{}", client.base_url(), saved.url).into(),
        version: saved.version.into(),
        id: crate::resources::official_id(&planned.id, &saved.uid),
        org_id: crate::resources::org_id_of(&planned.org_id),
        ..planned
    }
    .encode()
}

/// The state for a dashboard as Grafana holds it. The configuration's text is kept while it
/// means the same as Grafana's copy; otherwise (drift, or an import) the state takes Grafana's
/// JSON, so the plan shows what changed.
///
/// A dashboard Grafana holds at the same id and version as the state says is unchanged since
/// the state was written (every save makes a new version; a dashboard made again gets a new
/// id), so the state's text still stands without parsing or comparing it: a refresh of an
/// unchanged dashboard costs one parse, of Grafana's answer.
pub(super) fn state_from_remote(client: &Client, prior: DashboardModel, d: &Dashboard) -> Value {
    let uid = d.uid.clone();
    let unchanged = prior.dashboard_id.known() == Some(&d.id)
        && prior.version.known() == Some(&d.version)
        && prior.uid.as_str() == Some(uid.as_str())
        && prior.config_json.as_str().is_some_and(|t| !super::is_model_hash(t));
    let prior_model = if unchanged { None } else { prior.config_json.as_str().and_then(|t| dj::parse(t).ok()) };
    let inputs = prior.input_values();
    let same = unchanged
        || prior_model.as_ref().is_some_and(|m| {
            dj::same_meaning(m, &dj::Subs::new(m.get("__inputs"), &inputs), d.json(), &dj::Subs::none())
        });
    let config_json = if same {
        prior.config_json.clone()
    } else {
        let mut remote = dj::without_server_fields(d.json());
        // A uid the provider chose was never in the user's text: leave it out of the diff too.
        if prior_model.as_ref().is_some_and(|m| dj::uid_of(m).is_none()) {
            remote.remove("uid");
        }
        // In the configuration's form (its placeholders, `__inputs`, `__requires`), so that the
        // drift plan shows what changed in Grafana and nothing else.
        if let Some(m) = &prior_model {
            remote = dj::in_form_of(m, &dj::Subs::new(m.get("__inputs"), &inputs), &remote);
        }
        serde_json::to_string_pretty(&Json::Object(remote)).expect("JSON serialises").into()
    };
    DashboardModel {
        config_json,
        // The configuration's spelling (`uid` or `1:uid`) while it names the same folder.
        folder: match prior.folder.as_str() {
            Some(f) if crate::resources::folder_uid_of(f) == d.folder_uid => prior.folder.clone(),
            _ => Attr::from_option((!d.folder_uid.is_empty()).then(|| d.folder_uid.clone())),
        },
        overwrite: if prior.overwrite.is_null() { false.into() } else { prior.overwrite.clone() },
        dashboard_id: d.id.into(),
        url: format!("{}{}", client.base_url(), d.url).into(),
        version: d.version.into(),
        id: crate::resources::official_id(&prior.id, &uid),
        org_id: crate::resources::org_id_of(&prior.org_id),
        uid: uid.into(),
        ..prior
    }
    .encode()
}

// ---- errors ----

pub(super) fn folder_name(title: &str, uid: &str) -> String {
    if uid.is_empty() { "the General folder".to_string() } else { format!("folder {} ({uid})", quote(title)) }
}

pub(super) fn uid_taken(uid: &str, existing: &Dashboard) -> Diagnostic {
    let title = quote(dj::title_of(existing.json()));
    Diagnostic::error(
        "A dashboard with this uid already exists",
        format!(
            "Grafana already has dashboard {uid:?}, titled {title}, in {}. Another resource in this configuration may \
                manage it (two configured dashboards with the same uid, as two exports of one dashboard have): give \
                each a distinct uid in its config_json. If it is not managed here: to manage it with Terraform, import \
                it (`terraform import <address> {uid}`, or an import block); to replace it with this configuration, \
                set `overwrite = true`; or give this dashboard another uid.",
            folder_name(&existing.folder_title, &existing.folder_uid)
        ),
    )
    .at_attr("config_json")
}

pub(super) const TITLE_TAKEN: &str = "A dashboard with this title already exists in the folder";

/// [`save_error`], naming the other dashboard when the title is already used in the folder.
pub(super) async fn save_error_named(client: &Client, want: &Wanted, what: &str, e: &grafana::Error) -> Diagnostic {
    if let grafana::Error::Api { status: 412, reason, .. } = e
        && reason.as_deref() == Some("name-exists")
    {
        let title = want.title();
        let folder = want.folder.as_deref().unwrap_or("");
        let others = client.find_dashboards_by_title(title, folder).await.unwrap_or_default();
        if let Some(other) = others.iter().find(|h| h.uid != want.uid) {
            let place = if folder.is_empty() { "the General folder".to_string() } else { format!("folder {folder:?}") };
            return Diagnostic::error(
                TITLE_TAKEN,
                format!(
                    "Grafana 10.4 requires dashboard titles to be unique within a folder, and {place} already holds \
                        dashboard {:?} titled {}. Nothing was saved, and that dashboard was not touched (`overwrite` \
                        never reaches another uid). Another resource in this configuration may manage it: rename one \
                        of them (when two swap titles, in two applies), or put this one in another folder; if it is \
                        not managed here, import it to manage it with Terraform (`terraform import <address> {}`).",
                    other.uid,
                    quote(&other.title),
                    other.uid
                ),
            )
            .at_attr("config_json");
        }
    }
    save_error(want, what, e)
}

pub(super) fn save_error(want: &Wanted, what: &str, e: &grafana::Error) -> Diagnostic {
    let title = quote(want.title());
    if let grafana::Error::Api { status: 400, reason, .. } = e
        && reason.as_deref() == Some("name-match")
    {
        return Diagnostic::error(
            "A dashboard may not have a folder's title on Grafana 10.4",
            format!(
                "Grafana 10.4 refuses a dashboard titled like a folder, any folder, the one holding it included \
                    (titles are compared as URL slugs, so case and punctuation do not tell them apart), and a folder \
                    has the title {title}. Nothing was saved. Rename the dashboard (or the folder); Grafana 11.3 and \
                    later have no such rule."
            ),
        )
        .at_attr("config_json");
    }
    if let grafana::Error::Api { status: 412, reason, .. } = e {
        match reason.as_deref() {
            Some("name-exists") => {
                return Diagnostic::error(
                    TITLE_TAKEN,
                    format!(
                        "Grafana 10.4 requires dashboard titles to be unique within a folder, and {} already holds a \
                            dashboard titled {title}. Nothing was saved. Rename one of them, or put this one in \
                            another folder.",
                        want.folder.as_deref().map_or("the General folder".to_string(), |f| format!("folder {f:?}"))
                    ),
                )
                .at_attr("config_json");
            }
            Some("version-mismatch") if what == "update" => {
                return Diagnostic::error(
                    "The dashboard changed in Grafana since Terraform read it",
                    format!(
                        "Dashboard {:?} ({title}) was saved in Grafana after Terraform's last refresh, so this update \
                            was refused rather than lose that change. Run `terraform plan` to see the difference, or \
                            set `overwrite = true` to save over it.",
                        want.uid
                    ),
                )
                .at_attr("config_json");
            }
            _ => {}
        }
    }
    api_error(format!("Could not {what} dashboard {:?} ({title})", want.uid), e)
}

impl super::DashboardResource {
    /// An update whose uid changes: Grafana cannot change a uid, so a new dashboard, then the
    /// old one goes.
    pub(super) async fn change_uid(
        &self,
        ctx: &Ctx<'_>,
        prior_value: &Value,
        planned_value: &Value,
        want: &Wanted,
        prior_uid: &str,
        diags: &mut Diagnostics,
    ) -> Option<Value> {
        // Grafana cannot change a uid: a new dashboard, then the old one goes. On Grafana
        // 10.4 the old one's title blocks the new one in the same folder: then the old one
        // goes first, as a replacement would have done.
        let mut first = Diagnostics::default();
        let out = match self.create(ctx, planned_value, &mut first).await {
            None if first.0.iter().any(|d| d.summary == TITLE_TAKEN)
                && only_clash_is(ctx.client, want, prior_uid).await =>
            {
                self.delete(ctx, prior_value, diags).await;
                if diags.has_errors() {
                    return None;
                }
                let out = self.create(ctx, planned_value, diags).await;
                // The old dashboard is gone: an empty state says so if the new one failed.
                return out.or(Some(Value::Null));
            }
            out => {
                diags.extend(first);
                out?
            }
        };
        if !diags.has_errors() {
            self.delete(ctx, prior_value, diags).await;
        }
        Some(out)
    }
}
