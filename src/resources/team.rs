//! `grafana_team`: a team, its members and preferences, with the official provider's name,
//! schema and import ids (`teamID`, `orgID:teamID`).
//!
//! Members are users who signed in (on AMG, through IAM Identity Center or SAML), named by
//! email or login; the state keeps the configuration's words. A member who has not signed in
//! is refused at plan when the provider can ask Grafana, else at apply, naming them. Without
//! `members` the team's members are shown, not managed. `team_sync` (Grafana Enterprise's
//! Team Sync) is refused at plan.

use std::collections::BTreeSet;

use async_trait::async_trait;

use crate::diag::{AttrPath, Diagnostic, Diagnostics, api_error};
use crate::framework::outcome::{delete_outcome, read_outcome};
use crate::framework::{Ctx, Listed, Lister, PlanCtx, ReadOutcome, Resource};
use crate::grafana::{Client, Error, OrgUser, TeamMember, TeamPreferences};
use crate::model::{Attr, Model};
use crate::resources::listing::OneRequest;
use crate::resources::{IdIdentity, check_org_id, id_attributes, org_id_of, text_identity_schema};
use crate::schema::{Attribute, Block, IdentitySchema, Schema};
use crate::value::{Type, Value};

pub struct TeamResource;

crate::model! {
    /// `grafana_team`'s attributes and blocks.
    pub struct TeamModel {
        name: String,
        email: String,
        members: BTreeSet<String>,
        ignore_externally_synced_members: bool,
        preferences: Vec<PreferencesModel>,
        team_sync: Vec<TeamSyncModel>,
        team_id: i64,
        team_uid: String,
        id: String,
        org_id: String,
    }
}

crate::model! {
    /// The `preferences` block.
    pub struct PreferencesModel {
        theme: String,
        home_dashboard_uid: String,
        timezone: String,
        week_start: String,
    }
}

crate::model! {
    /// The `team_sync` block (Grafana Enterprise), refused at plan.
    pub struct TeamSyncModel {
        groups: BTreeSet<String>,
    }
}

#[async_trait]
impl Resource for TeamResource {
    fn type_name(&self) -> &'static str {
        "grafana_team"
    }

    fn schema(&self) -> Schema {
        let pref = |name, values: &'static str| Attribute::string(name).optional().describe(values);
        Schema::new(
            "A team: users who signed in to the workspace (on AMG through IAM Identity Center or SAML), to grant \
                folder and dashboard access to together.",
            vec![
                Attribute::string("name").required().describe("The team's name, unique in the workspace."),
                Attribute::string("email").optional().describe("An email address for the team."),
                Attribute::of("members", Type::set(Type::String)).optional_computed().use_state_for_unknown().describe(
                    "The team's members, each by email or login (either, any case). They must have signed in to the \
                        workspace once: AMG users come from IAM Identity Center or SAML and appear on first sign-in. \
                        Unset: the team's members are shown, not managed.",
                ),
                Attribute::bool("ignore_externally_synced_members").default(Value::Bool(true)).describe(
                    "Leave alone members a sync added (their membership has labels, e.g. Team Sync). Defaults to \
                        `true`.",
                ),
                Attribute::number("team_id")
                    .computed()
                    .use_state_for_unknown()
                    .describe("The team's numeric id, for `team_id` in permissions."),
                Attribute::string("team_uid")
                    .computed()
                    .use_state_for_unknown()
                    .describe("The team's uid (Grafana 11 and later; empty on 10.4)."),
            ]
            .into_iter()
            .chain(id_attributes("team"))
            .collect(),
        )
        .with_blocks(vec![
            Block::list(
                "preferences",
                vec![
                    pref("theme", "The team's theme: `light`, `dark`, `system`, or `\"\"` for the default."),
                    pref("home_dashboard_uid", "The uid of the dashboard the team's members land on."),
                    pref("timezone", "The team's time zone: `utc`, `browser`, or `\"\"` for the default."),
                    pref("week_start", "The first day of the week: `sunday`, `monday`, `saturday`, or `\"\"`."),
                ],
            )
            .describe("The team's preferences; removing the block resets them to Grafana's defaults."),
            Block::list(
                "team_sync",
                vec![Attribute::of("groups", Type::set(Type::String)).optional().describe("External groups.")],
            )
            .describe("Grafana Enterprise's Team Sync: refused at plan, as this provider does not manage it on AMG."),
        ])
    }

    fn model_attributes(&self) -> Vec<(&'static str, Type)> {
        TeamModel::attributes()
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(text_identity_schema("id", "The team's numeric id, as text."))
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let c = TeamModel::decode(config);
        check_org_id(&c.org_id, diags);
        if c.team_sync.known().is_some_and(|t| !t.is_empty()) {
            diags.push(
                Diagnostic::error(
                    "Team Sync is not managed here",
                    "`team_sync` is Grafana Enterprise's Team Sync, which this provider does not manage on AMG: list \
                        the members in `members`, or manage group access in IAM Identity Center.",
                )
                .at_attr("team_sync"),
            );
        }
        for (i, p) in c.preferences.known().into_iter().flatten().enumerate() {
            let at = AttrPath::attr("preferences").index(i);
            for (name, value, allowed) in [
                ("theme", &p.theme, &["", "light", "dark", "system"][..]),
                ("timezone", &p.timezone, &["", "utc", "browser"][..]),
                ("week_start", &p.week_start, &["", "sunday", "monday", "saturday"][..]),
            ] {
                if let Some(v) = value.as_str().filter(|v| !allowed.contains(v)) {
                    let d = Diagnostic::error(format!("Invalid {name}"), format!("{v:?} is not one of {allowed:?}."));
                    diags.push(d.at(at.then(name)));
                }
            }
        }
    }

    async fn modify_plan(&self, ctx: &PlanCtx<'_>, planned: &mut Value, diags: &mut Diagnostics) -> Vec<AttrPath> {
        let plan = TeamModel::decode(planned);
        if let (Some(client), Some(members)) = (ctx.client, plan.members.known()) {
            resolve(client, members, diags).await;
        }
        Vec::new()
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let planned = TeamModel::decode(planned);
        let (name, email) = (planned.name.as_str().unwrap_or_default(), planned.email.as_str().unwrap_or_default());
        let wanted = match planned.members.known() {
            Some(m) => Some(resolve(ctx.client, m, diags).await?),
            None => None,
        };
        let id = match ctx.client.create_team(name, email).await {
            Ok(id) => id,
            Err(e) if e.may_have_acted() => match ctx.client.teams(Some(name)).await {
                Ok(found) if found.len() == 1 => found[0].id,
                _ => {
                    diags.push(api_error(format!("Could not create team {name:?}"), &e));
                    return None;
                }
            },
            Err(Error::Api { status: 409, .. }) => {
                diags.push(taken(name));
                return None;
            }
            Err(e) => {
                diags.push(api_error(format!("Could not create team {name:?}"), &e));
                return None;
            }
        };
        write_rest(ctx.client, id, &planned, &TeamModel::default(), wanted.as_deref(), diags).await
    }

    async fn read(&self, ctx: &Ctx<'_>, prior: &Value, diags: &mut Diagnostics) -> ReadOutcome {
        let prior = TeamModel::decode(prior);
        let id = prior.team_id.known().copied().unwrap_or_default();
        match read_outcome(ctx.client.get_team(id).await, "team", &id.to_string(), diags) {
            ReadOutcome::Found(_) => match state(ctx.client, id, &prior).await {
                Ok(s) => ReadOutcome::Found(s),
                Err(e) => {
                    diags.push(api_error(format!("Could not read team {id}"), &e));
                    ReadOutcome::Failed
                }
            },
            ReadOutcome::Gone => ReadOutcome::Gone,
            ReadOutcome::Failed => ReadOutcome::Failed,
        }
    }

    async fn update(&self, ctx: &Ctx<'_>, prior: &Value, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let (prior, planned) = (TeamModel::decode(prior), TeamModel::decode(planned));
        let id = prior.team_id.known().copied().unwrap_or_default();
        let wanted = match planned.members.known() {
            Some(m) => Some(resolve(ctx.client, m, diags).await?),
            None => None,
        };
        let (name, email) = (planned.name.as_str().unwrap_or_default(), planned.email.as_str().unwrap_or_default());
        if (&prior.name, &prior.email) != (&planned.name, &planned.email)
            && let Err(e) = ctx.client.update_team(id, name, email).await
            && !e.may_have_acted()
        {
            diags.push(match e {
                Error::Api { status: 409, .. } => taken(name),
                e => api_error(format!("Could not update team {name:?}"), &e),
            });
            return None;
        }
        write_rest(ctx.client, id, &planned, &prior, wanted.as_deref(), diags).await
    }

    async fn delete(&self, ctx: &Ctx<'_>, state: &Value, diags: &mut Diagnostics) {
        let id = TeamModel::decode(state).team_id.known().copied().unwrap_or_default();
        let deleted = ctx.client.delete_team(id).await;
        if let Some(d) = delete_outcome("team", &id.to_string(), deleted, || ctx.client.get_team(id)).await {
            diags.push(d);
        }
    }

    fn import_id(&self, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        let team = match id.split_once(':') {
            Some(("0" | "1", t)) => t,
            None => id,
            Some(_) => "",
        };
        let Ok(team_id) = team.parse::<i64>() else {
            diags.push(Diagnostic::error(
                "Invalid import id",
                format!("Import a team by its numeric id (`<teamID>` or `1:<teamID>`), not {id:?}."),
            ));
            return None;
        };
        let m =
            TeamModel { team_id: team_id.into(), ignore_externally_synced_members: true.into(), ..Default::default() };
        Some(m.encode())
    }

    fn import_identity(&self, identity: &Value, diags: &mut Diagnostics) -> Option<Value> {
        self.import_id(IdIdentity::decode(identity).id.as_str().unwrap_or_default(), diags)
    }

    fn identity_of(&self, state: &Value) -> Option<Value> {
        let id = TeamModel::decode(state).team_id.known().copied()?;
        Some(IdIdentity { id: id.to_string().into() }.encode())
    }

    fn lister(&self) -> Option<&'static dyn Lister> {
        Some(&TEAM_LIST)
    }

    fn generated_config(&self, config: Value, _state: &Value, _diags: &mut Diagnostics) -> Value {
        TeamModel { org_id: Attr::Null, ..TeamModel::decode(&config) }.encode()
    }
}

/// `list "grafana_team"`: every team, by name.
static TEAM_LIST: OneRequest = OneRequest {
    description: "The workspace's teams, by name.",
    what: "the teams (GET /api/teams/search)",
    items: |client| {
        Box::pin(async {
            let teams = client.teams(None).await?;
            Ok(teams.into_iter().map(|t| Listed { id: t.id.to_string(), display_name: t.name }).collect())
        })
    },
};

/// The user id of each member named (by email or login, any case); an error at `members`
/// naming those who have not signed in.
async fn resolve(client: &Client, members: &BTreeSet<String>, diags: &mut Diagnostics) -> Option<Vec<i64>> {
    if members.is_empty() {
        return Some(Vec::new());
    }
    let users = match client.org_users("").await {
        Ok(u) => u,
        Err(e) => {
            diags.push(api_error("Could not list the workspace's users", &e));
            return None;
        }
    };
    let (mut ids, mut missing) = (Vec::new(), Vec::new());
    for m in members {
        match users.iter().find(|u| names(u, m)) {
            Some(u) => ids.push(u.user_id),
            None => missing.push(m.as_str()),
        }
    }
    if missing.is_empty() {
        return Some(ids);
    }
    diags.push(
        Diagnostic::error(
            "Team members who have not signed in",
            format!(
                "{missing:?} {} not a user of this workspace yet. On AMG users come from IAM Identity Center or SAML \
                    and appear in Grafana the first time they sign in: check that each is assigned to the workspace, \
                    ask them to sign in once, then apply again.",
                if missing.len() == 1 { "is" } else { "are" }
            ),
        )
        .at_attr("members"),
    );
    None
}

fn names(u: &OrgUser, member: &str) -> bool {
    u.email.eq_ignore_ascii_case(member) || u.login.eq_ignore_ascii_case(member)
}

/// Members and preferences to what is planned (`wanted`: the members' user ids, or None when
/// the configuration leaves members alone), then the state read back.
async fn write_rest(
    client: &Client,
    id: i64,
    planned: &TeamModel,
    prior: &TeamModel,
    wanted: Option<&[i64]>,
    diags: &mut Diagnostics,
) -> Option<Value> {
    let failed = |e: Error, what: &str, diags: &mut Diagnostics| {
        // A write whose answer was lost is settled by the read below.
        if !e.may_have_acted() {
            diags.push(api_error(format!("Could not {what} of team {id}"), &e));
        }
    };
    if let Some(wanted) = wanted {
        let ignore_synced = planned.ignore_externally_synced_members.is_true();
        match client.team_members(id).await {
            Ok(current) => {
                let current: Vec<i64> =
                    current.iter().filter(|m| !(ignore_synced && synced(m))).map(|m| m.user_id).collect();
                for u in wanted.iter().filter(|u| !current.contains(u)) {
                    if let Err(e) = client.add_team_member(id, *u).await {
                        failed(e, "add a member", diags);
                    }
                }
                for u in current.iter().filter(|u| !wanted.contains(u)) {
                    if let Err(e) = client.remove_team_member(id, *u).await {
                        failed(e, "remove a member", diags);
                    }
                }
            }
            Err(e) => failed(e, "read the members", diags),
        }
    }
    let prefs = planned.preferences.known().and_then(|p| p.first()).map(preferences_of);
    let had = prior.preferences.known().is_some_and(|p| !p.is_empty());
    if let Some(p) = prefs.or_else(|| had.then(TeamPreferences::default))
        && let Err(e) = client.put_team_preferences(id, &p).await
    {
        failed(e, "set the preferences", diags);
    }
    if diags.has_errors() {
        return None;
    }
    match state(client, id, planned).await {
        Ok(s) => Some(s),
        Err(e) => {
            diags.push(api_error(format!("Could not read team {id} back"), &e));
            None
        }
    }
}

fn synced(m: &TeamMember) -> bool {
    m.labels.as_ref().is_some_and(|l| !l.is_empty())
}

fn preferences_of(p: &PreferencesModel) -> TeamPreferences {
    let text = |a: &Attr<String>| a.as_str().unwrap_or_default().to_string();
    TeamPreferences {
        theme: text(&p.theme),
        home_dashboard_uid: text(&p.home_dashboard_uid),
        timezone: text(&p.timezone),
        week_start: text(&p.week_start),
    }
}

/// The team as Grafana holds it: members in the prior state's words where they name the same
/// user; preferences when the prior state manages them.
async fn state(client: &Client, id: i64, prior: &TeamModel) -> Result<Value, Error> {
    let team = client.get_team(id).await?;
    let ignore_synced = prior.ignore_externally_synced_members.known().copied().unwrap_or(true);
    let members: BTreeSet<String> = client
        .team_members(id)
        .await?
        .iter()
        .filter(|m| !(ignore_synced && synced(m)))
        .map(|m| {
            let named = prior
                .members
                .known()
                .into_iter()
                .flatten()
                .find(|w| m.email.eq_ignore_ascii_case(w) || m.login.eq_ignore_ascii_case(w));
            named.cloned().unwrap_or_else(|| if m.email.is_empty() { m.login.clone() } else { m.email.clone() })
        })
        .collect();
    let preferences = match prior.preferences.known().and_then(|p| p.first()) {
        Some(before) => {
            let p = client.team_preferences(id).await?;
            // `""` is Grafana's default, which an unset attribute means too.
            let word = |held: String, was: &Attr<String>| match (held.is_empty(), was) {
                (true, Attr::Null) => Attr::Null,
                _ => Attr::from(held),
            };
            vec![PreferencesModel {
                theme: word(p.theme, &before.theme),
                home_dashboard_uid: word(p.home_dashboard_uid, &before.home_dashboard_uid),
                timezone: word(p.timezone, &before.timezone),
                week_start: word(p.week_start, &before.week_start),
            }]
        }
        None => Vec::new(),
    };
    Ok(TeamModel {
        name: team.name.into(),
        email: if team.email.is_empty() && prior.email.is_null() { Attr::Null } else { Attr::from(team.email) },
        members: Attr::from(members),
        ignore_externally_synced_members: Attr::from(ignore_synced),
        preferences: Attr::from(preferences),
        team_sync: Attr::from(Vec::new()),
        team_id: id.into(),
        team_uid: team.uid.unwrap_or_default().into(),
        id: format!("1:{id}").into(),
        org_id: org_id_of(&prior.org_id),
    }
    .encode())
}

fn taken(name: &str) -> Diagnostic {
    Diagnostic::error(
        "Team name taken",
        format!(
            "A team named {name:?} already exists in this workspace. Import it (`terraform import <address> \
                <teamID>`), or choose another `name`."
        ),
    )
    .at_attr("name")
}
