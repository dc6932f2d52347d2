//! `grafana_message_template`: an alerting notification template group, with the official
//! provider's name, schema and import ids (`name`, `orgID:name`).
//!
//! Grafana stores a group's content trimmed, and wraps content without `{{ define }}` in one
//! named after the group, lines indented: the state keeps the configuration's text while
//! Grafana's copy is that text in Grafana's form, so neither shows as a change. Writes are
//! upserts (`PUT`), so a create first makes sure it takes over no group of the same name.

use async_trait::async_trait;

use crate::diag::{Diagnostic, Diagnostics, api_error};
use crate::framework::outcome::{delete_outcome, read_outcome};
use crate::framework::{Ctx, Lister, ReadOutcome, Resource};
use crate::grafana::{Client, Error, MessageTemplate};
use crate::model::{Attr, Model};
use crate::resources::alerting::{
    NameIdentity, already_exists, disable_provenance_attribute, name_identity_schema, name_of_identity,
    name_of_import_id, provenance_read_back, provenance_refused,
};
use crate::resources::listing::{OneRequest, by_name};
use crate::resources::{check_org_id, official_id, org_id_of};
use crate::schema::{Attribute, Schema};
use crate::value::{Type, Value};

pub struct MessageTemplateResource;

crate::model! {
    /// `grafana_message_template`'s attributes, as the schema below declares them.
    pub struct TemplateModel {
        name: String,
        template: String,
        disable_provenance: bool,
        id: String,
        org_id: String,
    }
}

#[async_trait]
impl Resource for MessageTemplateResource {
    fn type_name(&self) -> &'static str {
        "grafana_message_template"
    }

    fn schema(&self) -> Schema {
        let mut s = Schema::new(
            "An alerting notification template group: named templates (`{{ define \"name\" }}…{{ end }}`) that \
                contact points use in their messages. Grafana 9.1 and later; AMG 10.4 and 12.4.",
            vec![
                Attribute::string("name")
                    .required()
                    .requires_replace()
                    .describe("The name of the notification template group. Changing it replaces the group."),
                Attribute::string("template").required().describe(
                    "The content of the group. Grafana trims it, and wraps content with no `{{ define }}` in one \
                        named after the group; the provider takes Grafana's form as meaning the same, so neither \
                        shows as a change.",
                ),
                disable_provenance_attribute(),
                Attribute::string("id")
                    .computed()
                    .use_state_for_unknown()
                    .describe("The official provider's id of the group, `<orgID>:<name>`."),
                Attribute::string("org_id").optional_computed().use_state_for_unknown().describe(
                    "The organisation. AMG workspaces have one, organisation 1: unset, `\"\"`, `\"0\"` and `\"1\"` all \
                        mean it; any other value is refused at plan. Accepted for configurations written for the \
                        official provider.",
                ),
            ],
        );
        // 0 is the official provider's version.
        s.version = 1;
        s
    }

    fn model_attributes(&self) -> Vec<(&'static str, Type)> {
        TemplateModel::attributes()
    }

    fn identity_schema(&self) -> Option<crate::schema::IdentitySchema> {
        Some(name_identity_schema("The name of the notification template group."))
    }

    fn official_schema_version(&self) -> Option<i64> {
        Some(0)
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let c = TemplateModel::decode(config);
        check_org_id(&c.org_id, diags);
        if c.name.as_str().is_some_and(|n| n.trim().is_empty()) {
            let d = Diagnostic::error("Template group name is blank", "Set `name` to a non-blank name for the group.");
            diags.push(d.at_attr("name"));
        }
        if c.template.as_str().is_some_and(|t| t.trim().is_empty()) {
            let d = Diagnostic::error(
                "Template group is empty",
                "Grafana refuses a group with no content: set `template`, e.g. \
                    `{{ define \"custom.title\" }}…{{ end }}`.",
            );
            diags.push(d.at_attr("template"));
        }
    }

    fn normalize_planned(&self, prior: &Value, planned: &mut Value) {
        let (prior, mut plan) = (TemplateModel::decode(prior), TemplateModel::decode(planned));
        if let (Some(name), Some(old), Some(new)) =
            (plan.name.as_str(), prior.template.as_str(), plan.template.as_str())
            && old != new
            && stored_form(name, old) == stored_form(name, new)
        {
            plan.template = prior.template.clone();
        }
        *planned = plan.encode();
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let planned = TemplateModel::decode(planned);
        let name = planned.name.as_str().unwrap_or_default();
        match ctx.client.get_message_template(name).await {
            Ok(_) => {
                diags.push(already_exists("template group", name));
                return None;
            }
            Err(e) if e.is_not_found() => {}
            Err(e) => {
                diags.push(api_error(format!("Could not check for template group {name:?}"), &e));
                return None;
            }
        }
        put(ctx.client, &planned, "create", diags).await
    }

    async fn read(&self, ctx: &Ctx<'_>, prior: &Value, diags: &mut Diagnostics) -> ReadOutcome {
        let prior = TemplateModel::decode(prior);
        let name = prior.name.as_str().unwrap_or_default();
        read_outcome(ctx.client.get_message_template(name).await, "template group", name, diags)
            .map(|t| state(&prior, &t))
    }

    async fn update(&self, ctx: &Ctx<'_>, _prior: &Value, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        put(ctx.client, &TemplateModel::decode(planned), "update", diags).await
    }

    async fn delete(&self, ctx: &Ctx<'_>, state: &Value, diags: &mut Diagnostics) {
        let state = TemplateModel::decode(state);
        let name = state.name.as_str().unwrap_or_default();
        let deleted = ctx.client.delete_message_template(name, state.disable_provenance.is_true()).await;
        if let Some(d) = delete_outcome("template group", name, deleted, || ctx.client.get_message_template(name)).await
        {
            diags.push(d);
        }
    }

    fn import_id(&self, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        let name = name_of_import_id(id, "template group", diags)?;
        Some(TemplateModel { name: name.into(), disable_provenance: false.into(), ..Default::default() }.encode())
    }

    fn import_identity(&self, identity: &Value, diags: &mut Diagnostics) -> Option<Value> {
        self.import_id(&name_of_identity(identity), diags)
    }

    fn identity_of(&self, state: &Value) -> Option<Value> {
        Some(NameIdentity { name: TemplateModel::decode(state).name }.encode())
    }

    fn lister(&self) -> Option<&'static dyn Lister> {
        Some(&TEMPLATE_LIST)
    }

    fn generated_config(&self, config: Value, _state: &Value, _diags: &mut Diagnostics) -> Value {
        TemplateModel { org_id: Attr::Null, ..TemplateModel::decode(&config) }.encode()
    }
}

/// `list "grafana_message_template"`: every group, in one request.
static TEMPLATE_LIST: OneRequest = OneRequest {
    description: "The workspace's notification template groups, by name.",
    what: "the template groups (GET /api/v1/provisioning/templates)",
    items: |client| {
        Box::pin(async { Ok(client.list_message_templates().await?.into_iter().map(|t| by_name(t.name)).collect()) })
    },
};

/// Writes the planned group; a write whose answer was lost is confirmed by reading it back.
async fn put(client: &Client, planned: &TemplateModel, action: &str, diags: &mut Diagnostics) -> Option<Value> {
    let (name, text) = (planned.name.as_str().unwrap_or_default(), planned.template.as_str().unwrap_or_default());
    match client.put_message_template(name, text, planned.disable_provenance.is_true()).await {
        Ok(t) => Some(state(planned, &t)),
        Err(e) if e.may_have_acted() => match client.get_message_template(name).await {
            Ok(t) if t.template == stored_form(name, text) => Some(state(planned, &t)),
            _ => {
                diags.push(api_error(format!("Could not {action} template group {name:?}"), &e));
                None
            }
        },
        Err(e) => {
            diags.push(refused(name, action, &e));
            None
        }
    }
}

/// The state for a group Grafana holds: the configuration's text while it means the same.
fn state(prior: &TemplateModel, t: &MessageTemplate) -> Value {
    let template = match prior.template.as_str() {
        Some(text) if stored_form(&t.name, text) == t.template => prior.template.clone(),
        _ => Attr::from(t.template.clone()),
    };
    // Grafana 10.4 does not say a group's provenance: the prior value stands.
    let disable_provenance = provenance_read_back(t.provenance.as_deref(), &prior.disable_provenance);
    TemplateModel {
        name: t.name.clone().into(),
        template,
        disable_provenance,
        id: official_id(&prior.id, &t.name),
        org_id: org_id_of(&prior.org_id),
    }
    .encode()
}

/// The content as Grafana stores it: trimmed, and wrapped in a `define` named after the group
/// when it has none (Grafana's `NotificationTemplate.Validate`).
fn stored_form(name: &str, content: &str) -> String {
    let trimmed = content.trim();
    let defines = trimmed.match_indices("{{").any(|(i, _)| trimmed[i + 2..].trim_start().starts_with("define"));
    if defines {
        return trimmed.to_string();
    }
    let indented: Vec<String> = trimmed.split('\n').map(|l| format!("  {l}")).collect();
    format!("{{{{ define \"{name}\" }}}}\n{}\n{{{{ end }}}}", indented.join("\n"))
}

/// Grafana refused the write: at `template` when it is the content (400), else the API's words.
fn refused(name: &str, action: &str, e: &Error) -> Diagnostic {
    match e {
        Error::Api { status: 400, message, .. } => Diagnostic::error(
            "Grafana refused the template",
            format!(
                "Template group {name:?} does not parse as a Go template (Grafana: {message}). Check that every \
                    `{{{{` has its `}}}}` and every `define`, `if`, `range` and `with` its `{{{{ end }}}}`."
            ),
        )
        .at_attr("template"),
        Error::Api { status: 403, message, .. } if message.contains("provenance") => {
            provenance_refused("template group", name, message)
        }
        e => api_error(format!("Could not {action} template group {name:?}"), e),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn content_means_the_same_in_grafanas_form() {
        assert_eq!(stored_form("g", "Hi\nthere\n"), "{{ define \"g\" }}\n  Hi\n  there\n{{ end }}");
        let defined = "{{ define \"custom.message\" }}\n template content\n{{ end }}";
        assert_eq!(stored_form("g", &format!("  {defined}\n\n")), defined);
        assert_eq!(stored_form("g", "{{define \"x\"}}y{{end}}"), "{{define \"x\"}}y{{end}}");
    }

    #[test]
    fn the_state_keeps_the_configured_text_and_reads_provenance_where_grafana_says_it() {
        let prior = TemplateModel {
            name: "g".into(),
            template: "Hi\n".into(),
            disable_provenance: true.into(),
            ..Default::default()
        };
        let held = |template: &str, provenance: Option<&str>| MessageTemplate {
            name: "g".into(),
            template: template.into(),
            provenance: provenance.map(str::to_string),
        };
        let s = TemplateModel::decode(&state(&prior, &held("{{ define \"g\" }}\n  Hi\n{{ end }}", None)));
        assert_eq!((s.template.as_str(), s.disable_provenance.is_true()), (Some("Hi\n"), true));
        assert_eq!((s.id.as_str(), s.org_id.as_str()), (Some("1:g"), Some("1")));
        let s = TemplateModel::decode(&state(&prior, &held("{{ define \"g\" }}Bye{{ end }}", Some("api"))));
        assert_eq!(
            (s.template.as_str(), s.disable_provenance.is_true()),
            (Some("{{ define \"g\" }}Bye{{ end }}"), false)
        );
    }

    #[test]
    fn import_ids_are_a_name_or_org_and_name() {
        let r = MessageTemplateResource;
        let mut d = Diagnostics::default();
        let name = |v: Option<Value>| v.map(|v| TemplateModel::decode(&v).name.as_str().unwrap_or("").to_string());
        assert_eq!(name(r.import_id("alerts", &mut d)), Some("alerts".into()));
        assert_eq!(name(r.import_id("1:alerts:v2", &mut d)), Some("alerts:v2".into()));
        assert_eq!(name(r.import_id("team:alerts", &mut d)), Some("team:alerts".into()));
        assert!(d.0.is_empty());
        assert_eq!(name(r.import_id("2:alerts", &mut d)), None);
        assert!(d.0[0].detail.contains("organisation \"2\""), "{:?}", d.0);
    }
}
