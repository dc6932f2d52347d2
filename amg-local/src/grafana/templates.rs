//! Alerting notification template groups: `/api/v1/provisioning/templates` (Grafana's
//! `api_provisioning.go` and `provisioning/templates.go`).
//!
//! Both profiles: a template without `{{ define` is wrapped as `{{ define "<name>" }}` with
//! its lines indented, and stored trimmed; empty content is refused; a template must parse
//! (actions closed, `define`/`if`/`range`/`with`/`block` closed by `end`). Writes need the
//! Admin role (`alert.provisioning:write`).
//! - 12.4: answers carry `provenance` and `version` (FNV-64 of the content); a missing
//!   template is an errutil 404; invalid content the errutil 400 with the public message;
//!   `X-Disable-Provenance` sets provenance `""` and a change between `api` and none is the
//!   403 `alerting.notifications.invalidProvenance`, for PUT and DELETE alike; an empty list is `null`.
//! - 10.4: answers are `{name, template}` (PUT adds `provenance`: always `api`, the header is
//!   not read for templates); a missing template is an empty 404; invalid content
//!   `400 {"message": "invalid object specification: …"}`.
//!
//! DELETE of a template that does not exist is a 204 on both.

use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::Ctx;
use super::alerting::{errutil, fingerprint, provenance_from, provenance_may_change};
use super::auth::Caller;
use super::envelope::{Body, R, msg, ok};
use crate::world::{Profile, Role};

/// One template as the profile answers it.
fn answer(profile: Profile, name: &str, content: &str, provenance: &str) -> Value {
    match profile {
        Profile::V12_4 => {
            json!({"name": name, "template": content, "provenance": provenance, "version": fingerprint(content)})
        }
        Profile::V10_4 => json!({"name": name, "template": content}),
    }
}

pub(super) async fn list_templates(State(ctx): State<Ctx>, caller: Caller) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "alert.provisioning:read")?;
    let g = ws.grafana.lock().expect("lock");
    let all: Vec<Value> = g.templates.iter().map(|(n, (c, p))| answer(ws.profile, n, c, p)).collect();
    match (ws.profile, all.is_empty()) {
        (Profile::V12_4, true) => ok(Value::Null),
        _ => ok(Value::Array(all)),
    }
}

pub(super) async fn get_template(State(ctx): State<Ctx>, caller: Caller, Path(name): Path<String>) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "alert.provisioning:read")?;
    let g = ws.grafana.lock().expect("lock");
    match g.templates.get(&name) {
        Some((c, p)) => ok(answer(ws.profile, &name, c, p)),
        None => Err(not_found(ws.profile)),
    }
}

pub(super) async fn put_template(
    State(ctx): State<Ctx>,
    caller: Caller,
    headers: HeaderMap,
    Path(name): Path<String>,
    Body(b): Body,
) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "alert.provisioning:write")?;
    let content = b.get("template").and_then(Value::as_str).unwrap_or_default();
    let content = stored_form(&name, content).map_err(|why| invalid(ws.profile, &why))?;
    let provenance = provenance_of(ws.profile, &headers);
    let mut g = ws.grafana.lock().expect("lock");
    if let (Profile::V12_4, Some((current, stored))) = (ws.profile, g.templates.get(&name)) {
        provenance_may_change(stored, provenance)?;
        if let Some(v) = b.get("version").and_then(Value::as_str).filter(|v| !v.is_empty())
            && *v != fingerprint(current)
        {
            return Err(conflict(&name, v, &fingerprint(current)));
        }
    }
    g.templates.insert(name.clone(), (content.clone(), provenance.to_string()));
    let mut body = answer(ws.profile, &name, &content, provenance);
    body["provenance"] = json!(provenance);
    Ok((StatusCode::ACCEPTED, axum::Json(body)).into_response())
}

pub(super) async fn delete_template(
    State(ctx): State<Ctx>,
    caller: Caller,
    headers: HeaderMap,
    Path(name): Path<String>,
) -> R {
    let ws = ctx.ws()?;
    caller.require_permission(Role::Admin, "alert.provisioning:write")?;
    let mut g = ws.grafana.lock().expect("lock");
    if let (Profile::V12_4, Some((_, stored))) = (ws.profile, g.templates.get(&name)) {
        provenance_may_change(stored, provenance_of(ws.profile, &headers))?;
    }
    g.templates.remove(&name);
    Ok(StatusCode::NO_CONTENT.into_response())
}

/// `api`, or `""` when the request carries `X-Disable-Provenance` (12.4 only).
fn provenance_of(profile: Profile, headers: &HeaderMap) -> &'static str {
    match profile {
        Profile::V12_4 => provenance_from(headers),
        Profile::V10_4 => "api",
    }
}

/// The content Grafana stores: trimmed, wrapped in a `define` named after the group when it has
/// none, and parsed.
fn stored_form(name: &str, content: &str) -> Result<String, String> {
    if content.is_empty() {
        return Err("template must have content".into());
    }
    let trimmed = content.trim();
    let content = if has_define(trimmed) {
        trimmed.to_string()
    } else {
        let indented: Vec<String> = trimmed.split('\n').map(|l| format!("  {l}")).collect();
        format!("{{{{ define \"{name}\" }}}}\n{}\n{{{{ end }}}}", indented.join("\n"))
    };
    check_syntax(&content)?;
    Ok(content)
}

/// Whether the text has `{{` then optional spaces then `define` (Grafana's `\{\{\s*define`).
fn has_define(text: &str) -> bool {
    text.match_indices("{{").any(|(i, _)| text[i + 2..].trim_start().starts_with("define"))
}

/// What Go's `text/template` parser refuses at the level of actions: an unclosed action, an
/// `{{ end }}` with nothing open, a block left open at the end.
fn check_syntax(text: &str) -> Result<(), String> {
    let mut open: Vec<&str> = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("{{") {
        let after = &rest[i + 2..];
        let Some(j) = after.find("}}") else { return Err("template: :1: unclosed action".into()) };
        let action = after[..j].trim_start_matches('-').trim_end_matches('-').trim();
        let word = action.split_whitespace().next().unwrap_or("");
        match word {
            "define" | "if" | "range" | "with" | "block" => open.push(word),
            "end" if open.pop().is_none() => return Err("template: :1: unexpected {{end}}".into()),
            _ => {}
        }
        rest = &after[j + 2..];
    }
    match open.last() {
        Some(w) => Err(format!("template: :1: unexpected EOF in {w}")),
        None => Ok(()),
    }
}

fn not_found(profile: Profile) -> Response {
    match profile {
        Profile::V12_4 => errutil(StatusCode::NOT_FOUND, "alerting.notifications.templates.notFound", "Not found"),
        Profile::V10_4 => StatusCode::NOT_FOUND.into_response(),
    }
}

fn invalid(profile: Profile, why: &str) -> Response {
    match profile {
        Profile::V12_4 => errutil(
            StatusCode::BAD_REQUEST,
            "alerting.notifications.templates.invalidFormat",
            "Template is in invalid format. Correct the payload and try again.",
        ),
        Profile::V10_4 => msg(StatusCode::BAD_REQUEST, &format!("invalid object specification: {why}")),
    }
}

fn conflict(name: &str, wanted: &str, current: &str) -> Response {
    let m = format!("provided version {wanted} of template {name} does not match current version {current}");
    errutil(StatusCode::CONFLICT, "alerting.notifications.conflict", &m)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_template_without_define_is_wrapped_and_indented_as_grafana_stores_it() {
        assert_eq!(stored_form("g", "  Hello\nworld \n").unwrap(), "{{ define \"g\" }}\n  Hello\n  world\n{{ end }}");
        let defined = "{{ define \"a\" }}x{{ end }}";
        assert_eq!(stored_form("g", &format!("\n{defined}\n")).unwrap(), defined);
        assert_eq!(stored_form("g", "").unwrap_err(), "template must have content");
        assert!(stored_form("g", "{{ define \"a\" }}x").unwrap_err().contains("unexpected EOF"));
        assert!(stored_form("g", "{{ define \"a\" }}{{ .X").unwrap_err().contains("unclosed action"));
        assert!(stored_form("g", "{{ define \"a\" }}x{{ end }}{{ end }}").unwrap_err().contains("unexpected {{end}}"));
        assert!(stored_form("g", "{{- define \"a\" -}}{{ if .X }}y{{ else }}z{{ end }}{{- end -}}").is_ok());
    }
}
