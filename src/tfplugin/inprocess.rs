//! The in-process protocol harness: drives [`Service`] with msgpack values as Terraform does
//! (configure, validate, plan, apply, read, import, upgrade, move), against a real `amg-local`,
//! without a Terraform process. Edge cases of every type's lifecycle live here, where each
//! costs milliseconds; `tests/it/` keeps one real-Terraform lifecycle per type and version.
//!
//! The harness does what Terraform core does between the calls: the proposed new state (the
//! configuration, with computed attributes it leaves null taken from the prior state), the
//! checks that the planned and applied states keep what the configuration set, and the state
//! it stores (the apply's new state, with the private state and identity beside it).

use std::sync::Arc;

use tonic::Request;

use super::pb::provider_server::Provider as _;
use super::{Service, pb};
use crate::provider::Provider;
use crate::schema::Schema;
use crate::value::{Type, Value};

/// A provider configured for an `amg-local` started for the test.
pub struct Harness {
    pub svc: Service,
    pub emu: amg_local::harness::Running,
}

/// What Terraform keeps of a resource between calls.
#[derive(Clone, Debug)]
pub struct Stored {
    pub state: Value,
    pub private: Vec<u8>,
    pub identity: Option<pb::ResourceIdentityData>,
}

/// The diagnostics of one call, by severity, as `summary: detail` (and the path, when set).
#[derive(Debug, Default)]
pub struct Said {
    pub errors: Vec<String>,
    pub warnings: Vec<String>,
}

impl Said {
    fn of(diags: &[pb::Diagnostic]) -> Said {
        let mut s = Said::default();
        for d in diags {
            let path = d.attribute.as_ref().map(|p| format!(" (at {})", path_text(p))).unwrap_or_default();
            let line = format!("{}: {}{path}", d.summary, d.detail);
            if d.severity == pb::diagnostic::Severity::Error as i32 {
                s.errors.push(line)
            } else {
                s.warnings.push(line)
            }
        }
        s
    }
    #[track_caller]
    pub fn assert_clean(&self) {
        assert!(self.errors.is_empty() && self.warnings.is_empty(), "{self:?}");
    }
}

fn path_text(p: &pb::AttributePath) -> String {
    use pb::attribute_path::step::Selector;
    p.steps
        .iter()
        .map(|s| match &s.selector {
            Some(Selector::AttributeName(a)) => format!(".{a}"),
            Some(Selector::ElementKeyString(k)) => format!("[{k:?}]"),
            Some(Selector::ElementKeyInt(i)) => format!("[{i}]"),
            None => String::new(),
        })
        .collect::<String>()
        .trim_start_matches('.')
        .to_string()
}

/// The amg-local binary beside the test executable (`cargo xtask test` builds it first).
fn amg_local_bin() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("test executable path");
    let dir = exe.parent().and_then(std::path::Path::parent).expect("target/debug/deps/..");
    let p = std::env::var_os("AMG_LOCAL_BIN").map(Into::into).unwrap_or_else(|| dir.join("amg-local"));
    assert!(p.is_file(), "{} is missing: build it first (`cargo xtask test` does)", p.display());
    p
}

fn dynamic(v: &Value, ty: &Type) -> Option<pb::DynamicValue> {
    Some(pb::DynamicValue { msgpack: v.to_msgpack(ty), json: Vec::new() })
}

fn decode(dv: Option<pb::DynamicValue>, ty: &Type) -> Value {
    dv.map(|d| Value::from_msgpack(&d.msgpack, ty).expect("the provider answered a value of its schema"))
        .unwrap_or(Value::Null)
}

impl Harness {
    /// amg-local with `args`, and the provider configured in URL mode with its admin token.
    pub async fn start(args: &[&str]) -> Harness {
        let emu = amg_local::harness::Running::start(&amg_local_bin(), args, std::process::Stdio::null())
            .unwrap_or_else(|e| panic!("amg-local {args:?}: {e}"));
        let svc = Service::new(Arc::new(Provider::new()));
        let h = Harness { svc, emu };
        let config = h.provider_config(&[
            ("url", Value::string(h.emu.get("grafana_url"))),
            ("auth", Value::string(h.emu.get("admin_token"))),
        ]);
        let req = pb::configure_provider::Request {
            terraform_version: "1.15.5".into(),
            config: dynamic(&config, &crate::provider::schema().ty()),
            client_capabilities: Some(capabilities()),
        };
        let resp = h.svc.configure_provider(Request::new(req)).await.unwrap().into_inner();
        Said::of(&resp.diagnostics).assert_clean();
        h
    }

    /// A provider block with `set` and every other attribute null.
    fn provider_config(&self, set: &[(&str, Value)]) -> Value {
        let mut v = nulls(&crate::provider::schema());
        for (k, x) in set {
            v.set(k, x.clone());
        }
        v
    }

    pub fn schema(&self, type_name: &str) -> Schema {
        self.svc.provider.resource(type_name).unwrap_or_else(|| panic!("no resource {type_name}")).schema()
    }

    /// A configuration of `type_name`: `set`, every other attribute null.
    pub fn config(&self, type_name: &str, set: &[(&str, Value)]) -> Value {
        let mut v = nulls(&self.schema(type_name));
        for (k, x) in set {
            v.set(k, x.clone());
        }
        v
    }

    pub async fn validate(&self, type_name: &str, config: &Value) -> Said {
        let req = pb::validate_resource_config::Request {
            type_name: type_name.into(),
            config: dynamic(config, &self.schema(type_name).ty()),
            client_capabilities: Some(pb::ClientCapabilities {
                deferral_allowed: false,
                write_only_attributes_allowed: true,
            }),
        };
        Said::of(&self.svc.validate_resource_config(Request::new(req)).await.unwrap().into_inner().diagnostics)
    }

    /// PlanResourceChange from what Terraform keeps (`None` to create) and a configuration
    /// (`Null` to destroy): the planned state, the paths that force replacement, the diagnostics.
    pub async fn plan(
        &self,
        type_name: &str,
        prior: Option<&Stored>,
        config: &Value,
    ) -> (Value, Vec<String>, Stored, Said) {
        let schema = self.schema(type_name);
        let ty = schema.ty();
        let prior_state = prior.map_or(Value::Null, |p| p.state.clone());
        let proposed = if config.is_null() { Value::Null } else { proposed_new(&schema, &prior_state, config) };
        let req = pb::plan_resource_change::Request {
            type_name: type_name.into(),
            prior_state: dynamic(&prior_state, &ty),
            proposed_new_state: dynamic(&proposed, &ty),
            config: dynamic(config, &ty),
            prior_private: prior.map(|p| p.private.clone()).unwrap_or_default(),
            provider_meta: None,
            client_capabilities: Some(capabilities()),
            prior_identity: prior.and_then(|p| p.identity.clone()),
        };
        let resp = self.svc.plan_resource_change(Request::new(req)).await.unwrap().into_inner();
        let planned = decode(resp.planned_state, &ty);
        let replace = resp.requires_replace.iter().map(path_text).collect();
        let carried = Stored { state: planned.clone(), private: resp.planned_private, identity: resp.planned_identity };
        (planned, replace, carried, Said::of(&resp.diagnostics))
    }

    /// ApplyResourceChange of a plan's answer.
    pub async fn apply(
        &self,
        type_name: &str,
        prior: Option<&Stored>,
        planned: &Stored,
        config: &Value,
    ) -> (Stored, Said) {
        let ty = self.schema(type_name).ty();
        let prior_state = prior.map_or(Value::Null, |p| p.state.clone());
        let req = pb::apply_resource_change::Request {
            type_name: type_name.into(),
            prior_state: dynamic(&prior_state, &ty),
            planned_state: dynamic(&planned.state, &ty),
            config: dynamic(config, &ty),
            planned_private: planned.private.clone(),
            provider_meta: None,
            planned_identity: planned.identity.clone(),
        };
        let resp = self.svc.apply_resource_change(Request::new(req)).await.unwrap().into_inner();
        let state = decode(resp.new_state, &ty);
        (Stored { state, private: resp.private, identity: resp.new_identity }, Said::of(&resp.diagnostics))
    }

    /// Plan and apply, as `terraform apply` does; the apply's answer must keep what the plan
    /// knew (Terraform's "Provider produced inconsistent result" check).
    pub async fn plan_apply(&self, type_name: &str, prior: Option<&Stored>, config: &Value) -> (Stored, Said) {
        let (planned, _, carried, said) = self.plan(type_name, prior, config).await;
        assert!(said.errors.is_empty(), "plan: {said:?}");
        let (stored, said) = self.apply(type_name, prior, &carried, config).await;
        if said.errors.is_empty() {
            assert_consistent(&planned, &stored.state);
        }
        (stored, said)
    }

    /// ReadResource (a refresh): the new state Terraform would keep, `Null` when removed.
    pub async fn read(&self, type_name: &str, stored: &Stored) -> (Stored, Said) {
        let ty = self.schema(type_name).ty();
        let req = pb::read_resource::Request {
            type_name: type_name.into(),
            current_state: dynamic(&stored.state, &ty),
            private: stored.private.clone(),
            provider_meta: None,
            client_capabilities: Some(capabilities()),
            current_identity: stored.identity.clone(),
        };
        let resp = self.svc.read_resource(Request::new(req)).await.unwrap().into_inner();
        let state = decode(resp.new_state, &ty);
        (Stored { state, private: resp.private, identity: resp.new_identity }, Said::of(&resp.diagnostics))
    }

    /// ImportResourceState by id, then the read Terraform does right after.
    pub async fn import(&self, type_name: &str, id: &str) -> (Option<Stored>, Said) {
        let ty = self.schema(type_name).ty();
        let req = pb::import_resource_state::Request {
            type_name: type_name.into(),
            id: id.into(),
            client_capabilities: Some(capabilities()),
            identity: None,
        };
        let resp = self.svc.import_resource_state(Request::new(req)).await.unwrap().into_inner();
        let said = Said::of(&resp.diagnostics);
        let Some(imported) = resp.imported_resources.into_iter().next() else { return (None, said) };
        let stored =
            Stored { state: decode(imported.state, &ty), private: imported.private, identity: imported.identity };
        let (read, said) = self.read(type_name, &stored).await;
        (Some(read), said)
    }

    /// UpgradeResourceState of a raw JSON state written at `version`.
    pub async fn upgrade(&self, type_name: &str, version: i64, json: &str) -> (Value, Said) {
        let ty = self.schema(type_name).ty();
        let req = pb::upgrade_resource_state::Request {
            type_name: type_name.into(),
            version,
            raw_state: Some(pb::RawState { json: json.as_bytes().to_vec(), flatmap: Default::default() }),
        };
        let resp = self.svc.upgrade_resource_state(Request::new(req)).await.unwrap().into_inner();
        (decode(resp.upgraded_state, &ty), Said::of(&resp.diagnostics))
    }

    /// The emulator's counters (`GET /_amg-local/stats`).
    pub async fn stats(&self) -> serde_json::Value {
        let url = format!("{}/_amg-local/stats", self.emu.get("control_plane_url"));
        reqwest::get(url).await.expect("amg-local answers").json().await.expect("stats are JSON")
    }

    /// A call on the workspace's Grafana API as its admin: (status, JSON body); status 0 when
    /// the emulator dropped the answer (`--drop-rate`: the write was done).
    pub async fn grafana(&self, method: &str, path: &str, body: Option<serde_json::Value>) -> (u16, serde_json::Value) {
        let url = format!("{}{path}", self.emu.get("grafana_url"));
        let c = reqwest::Client::new();
        let mut req = c.request(method.parse().unwrap(), url).bearer_auth(self.emu.get("admin_token"));
        if let Some(b) = body {
            req = req.json(&b);
        }
        let Ok(resp) = req.send().await else { return (0, serde_json::Value::Null) };
        let status = resp.status().as_u16();
        (status, resp.json().await.unwrap_or(serde_json::Value::Null))
    }
}

fn capabilities() -> pb::ClientCapabilities {
    pb::ClientCapabilities { deferral_allowed: false, write_only_attributes_allowed: true }
}

/// A value of `schema` with every attribute null (list and set blocks empty).
fn nulls(schema: &Schema) -> Value {
    let attrs = schema.attributes.iter().map(|a| (a.name.to_string(), Value::Null));
    let blocks = schema.blocks.iter().map(|b| {
        let empty = match b.nesting {
            crate::schema::BlockNesting::Single => Value::Null,
            crate::schema::BlockNesting::List => Value::List(Vec::new()),
            crate::schema::BlockNesting::Set => Value::Set(Vec::new()),
        };
        (b.name.to_string(), empty)
    });
    Value::Object(attrs.chain(blocks).collect())
}

/// Terraform's proposed new state (`objchange.ProposedNew`, top level): the configuration's
/// values, and for computed attributes it leaves null the prior state's.
fn proposed_new(schema: &Schema, prior: &Value, config: &Value) -> Value {
    let mut v = config.clone();
    for a in schema.attributes.iter().filter(|a| a.is_computed() && config.get(a.name).is_null()) {
        v.set(a.name, prior.get(a.name).clone());
    }
    v
}

/// Terraform's check of an apply against its plan: every known planned value is the new one.
#[track_caller]
fn assert_consistent(planned: &Value, new: &Value) {
    match (planned, new) {
        (Value::Unknown(_), _) => {}
        (Value::Object(p), Value::Object(n)) => {
            for (k, pv) in p {
                let nv = n.get(k).unwrap_or(&Value::Null);
                if pv.is_wholly_known() {
                    assert_eq!(pv, nv, "Provider produced inconsistent result: .{k} planned {pv:?}, applied {nv:?}");
                } else {
                    assert_consistent(pv, nv);
                }
            }
        }
        (p, n) => assert_eq!(p, n, "Provider produced inconsistent result"),
    }
}

/// Each type's lifecycle edge cases, driven as Terraform drives them, in milliseconds.
mod lifecycle {
    use serde_json::json;

    use super::{Harness, Stored};
    use crate::value::Value;

    fn s(v: &str) -> Value {
        Value::string(v)
    }

    #[tokio::test]
    async fn folder_create_plan_rename_replace_and_vanish() {
        let h = Harness::start(&[]).await;
        let config = h.config("grafana_folder", &[("title", s("Team"))]);
        let (created, said) = h.plan_apply("grafana_folder", None, &config).await;
        said.assert_clean();
        let uid = created.state.get("uid").as_str().expect("a uid chosen at create").to_string();
        assert!(uid.starts_with("tf") && uid.len() == 26, "{uid}");
        assert_eq!(created.state.get("id"), &s(&format!("1:{uid}")));
        assert!(created.identity.is_some(), "every new state has its identity");
        let (status, folder) = h.grafana("GET", &format!("/api/folders/{uid}"), None).await;
        assert_eq!((status, folder["title"].as_str()), (200, Some("Team")));

        // The same configuration plans the state exactly, with its identity.
        let (planned, replace, carried, said) = h.plan("grafana_folder", Some(&created), &config).await;
        said.assert_clean();
        assert_eq!(planned, created.state);
        assert!(replace.is_empty() && carried.identity == created.identity);

        // A rename is an update in place.
        let renamed = h.config("grafana_folder", &[("title", s("Team B"))]);
        let (updated, said) = h.plan_apply("grafana_folder", Some(&created), &renamed).await;
        said.assert_clean();
        assert_eq!(updated.state.get("uid"), created.state.get("uid"));
        assert_eq!(h.grafana("GET", &format!("/api/folders/{uid}"), None).await.1["title"], "Team B");

        // A configured uid that differs replaces the folder.
        let moved = h.config("grafana_folder", &[("title", s("Team B")), ("uid", s("team-b"))]);
        let (_, replace, _, said) = h.plan("grafana_folder", Some(&updated), &moved).await;
        said.assert_clean();
        assert_eq!(replace, ["uid"]);

        // Deleted in Grafana: the refresh removes it from the state with a warning.
        assert_eq!(h.grafana("DELETE", &format!("/api/folders/{uid}"), None).await.0, 200);
        let (read, said) = h.read("grafana_folder", &updated).await;
        assert!(read.state.is_null() && read.identity.is_none(), "{read:?}");
        assert!(said.errors.is_empty(), "{said:?}");
        assert!(said.warnings.iter().any(|w| w.starts_with("grafana_folder no longer exists in Grafana")), "{said:?}");
    }

    #[tokio::test]
    async fn a_lost_create_answer_is_confirmed_by_reading_back_for_every_type() {
        // Every write is acted on and its answer dropped: only reading back can tell.
        let h = Harness::start(&["--drop-rate", "1.0"]).await;
        let folder = h.config("grafana_folder", &[("title", s("Lost"))]);
        let (f, said) = h.plan_apply("grafana_folder", None, &folder).await;
        assert!(said.errors.is_empty(), "{said:?}");
        assert_eq!(f.state.get("title"), &s("Lost"));
        let dashboard = h.config("grafana_dashboard", &[("config_json", s(r#"{"title":"Lost too","panels":[]}"#))]);
        let (d, said) = h.plan_apply("grafana_dashboard", None, &dashboard).await;
        assert!(said.errors.is_empty(), "{said:?}");
        assert!(d.state.get("uid").as_str().is_some_and(|u| u.starts_with("tf")), "{d:?}");
        let ds = h.config(
            "grafana_data_source",
            &[("name", s("Lost DS")), ("type", s("prometheus")), ("url", s("https://p.example"))],
        );
        let (x, said) = h.plan_apply("grafana_data_source", None, &ds).await;
        assert!(said.errors.is_empty(), "{said:?}");
        assert_eq!(x.state.get("name"), &s("Lost DS"));
        // Exactly one of each: confirmed, never repeated.
        let stats = h.stats().await;
        let held = &stats["workspaces"][h.emu.get("workspace_id")];
        assert_eq!(
            (held["folders"].as_u64(), held["dashboards"].as_u64(), held["datasources"].as_u64()),
            (Some(1), Some(1), Some(1))
        );
    }

    #[tokio::test]
    async fn regression_a_lost_create_on_a_taken_uid_tainted_someone_elses_data_source() {
        let h = Harness::start(&["--drop-rate", "1.0"]).await;
        // Made outside Terraform, before: the create meets them (and its answer is lost).
        h.grafana("POST", "/api/folders", Some(json!({"uid": "taken", "title": "Someone else's"}))).await;
        let body =
            json!({"uid": "taken-ds", "name": "Theirs", "type": "loki", "access": "proxy", "url": "https://l.example"});
        h.grafana("POST", "/api/datasources", Some(body)).await;
        let folder = h.config("grafana_folder", &[("title", s("Mine")), ("uid", s("taken"))]);
        let (f, said) = h.plan_apply("grafana_folder", None, &folder).await;
        assert!(f.state.is_null() && said.errors.len() == 1, "no state, one error: {f:?} {said:?}");
        let ds =
            h.config("grafana_data_source", &[("name", s("Mine")), ("type", s("prometheus")), ("uid", s("taken-ds"))]);
        let (x, said) = h.plan_apply("grafana_data_source", None, &ds).await;
        assert!(x.state.is_null(), "a tainted state would make the next apply delete their data source: {x:?}");
        assert!(said.errors.len() == 1 && said.errors[0].contains("already exists"), "{said:?}");
        assert_eq!(h.grafana("GET", "/api/datasources/uid/taken-ds", None).await.1["name"], "Theirs");
        assert_eq!(h.grafana("GET", "/api/folders/taken", None).await.1["title"], "Someone else's");
    }

    #[tokio::test]
    async fn a_dashboard_text_of_the_same_meaning_plans_no_change_and_a_new_title_does() {
        let h = Harness::start(&[]).await;
        let text = r#"{"title":"Svc","uid":"svc","panels":[{"id":1,"type":"stat","title":"p"}]}"#;
        let config = h.config("grafana_dashboard", &[("config_json", s(text))]);
        let (created, said) = h.plan_apply("grafana_dashboard", None, &config).await;
        said.assert_clean();
        // Keys reordered and spaced: the same dashboard, so the prior text stays.
        let same = r#"{ "panels": [ { "title": "p", "type": "stat", "id": 1 } ], "uid": "svc", "title": "Svc" }"#;
        let (planned, replace, _, said) = h
            .plan("grafana_dashboard", Some(&created), &h.config("grafana_dashboard", &[("config_json", s(same))]))
            .await;
        said.assert_clean();
        assert_eq!(planned, created.state);
        assert!(replace.is_empty());
        // Another title: the text and the version Grafana will give change, in place.
        let retitled = text.replace("\"Svc\"", "\"Svc v2\"");
        let (planned, replace, _, _) = h
            .plan("grafana_dashboard", Some(&created), &h.config("grafana_dashboard", &[("config_json", s(&retitled))]))
            .await;
        assert_eq!(planned.get("config_json"), &s(&retitled));
        assert!(matches!(planned.get("version"), Value::Unknown(_)) && replace.is_empty(), "{planned:?}");
    }

    #[tokio::test]
    async fn imports_take_uid_or_1_uid_and_refuse_other_organisations() {
        let h = Harness::start(&[]).await;
        h.grafana("POST", "/api/folders", Some(json!({"uid": "ops", "title": "Ops"}))).await;
        for id in ["ops", "1:ops"] {
            let (stored, said) = h.import("grafana_folder", id).await;
            said.assert_clean();
            let stored: Stored = stored.expect("imported");
            assert_eq!((stored.state.get("uid"), stored.state.get("title")), (&s("ops"), &s("Ops")), "{id}");
        }
        let (stored, said) = h.import("grafana_folder", "2:ops").await;
        assert!(stored.is_none(), "{stored:?}");
        assert!(said.errors[0].contains("organisation \"2\" is not supported"), "{said:?}");
    }

    #[tokio::test]
    async fn the_official_providers_folder_state_upgrades_with_blank_strings_as_null() {
        let h = Harness::start(&[]).await;
        let official = r#"{"id":"0:ops","org_id":"0","uid":"ops","title":"Ops","parent_folder_uid":"","url":"http://g/dashboards/f/ops/ops","prevent_destroy_if_not_empty":false}"#;
        let (v, said) = h.upgrade("grafana_folder", 0, official).await;
        said.assert_clean();
        assert_eq!((v.get("uid"), v.get("id"), v.get("org_id")), (&s("ops"), &s("0:ops"), &s("0")));
        assert!(v.get("parent_folder_uid").is_null(), "\"\" is SDKv2's unset: {v:?}");
        let (_, said) = h.upgrade("grafana_folder", 99, official).await;
        assert!(said.errors[0].starts_with("Unsupported state version"), "{said:?}");
    }

    #[tokio::test]
    async fn a_data_source_secret_reaches_grafana_and_never_the_state() {
        let h = Harness::start(&[]).await;
        let secret = "s3cret-in-process";
        let config = h.config(
            "grafana_data_source",
            &[
                ("name", s("AMP")),
                ("type", s("prometheus")),
                ("url", s("https://aps.example")),
                ("secure_json_data_encoded_wo", s(&format!(r#"{{"basicAuthPassword":"{secret}"}}"#))),
                ("secure_json_data_encoded_wo_version", Value::int(1)),
            ],
        );
        assert!(h.validate("grafana_data_source", &config).await.errors.is_empty());
        let (created, said) = h.plan_apply("grafana_data_source", None, &config).await;
        said.assert_clean();
        let ty = h.schema("grafana_data_source").ty();
        let wire = created.state.to_msgpack(&ty);
        assert!(!wire.windows(secret.len()).any(|w| w == secret.as_bytes()), "the secret is in the state");
        assert_eq!(created.state.get("secure_json_fields"), &Value::List(vec![s("basicAuthPassword")]));
        let uid = created.state.get("uid").as_str().unwrap().to_string();
        let (_, held) = h.grafana("GET", &format!("/api/datasources/uid/{uid}"), None).await;
        assert_eq!(held["secureJsonFields"]["basicAuthPassword"], true);
    }

    #[tokio::test]
    async fn plan_time_checks_name_the_attribute_and_make_no_call() {
        let h = Harness::start(&[]).await;
        let before = h.stats().await["requests"].clone();
        let folder = h.config("grafana_folder", &[("title", s("T")), ("org_id", s("2")), ("uid", s("not a uid!"))]);
        let said = h.validate("grafana_folder", &folder).await;
        assert!(
            said.errors.iter().any(|e| e.starts_with("Unsupported organisation") && e.ends_with("(at org_id)")),
            "{said:?}"
        );
        assert!(said.errors.iter().any(|e| e.ends_with("(at uid)")), "{said:?}");
        let long = "n".repeat(191);
        let ds = h.config("grafana_data_source", &[("name", s(&long)), ("type", s("prometheus"))]);
        let said = h.validate("grafana_data_source", &ds).await;
        assert!(said.errors.iter().any(|e| e.contains("191 bytes long") && e.ends_with("(at name)")), "{said:?}");
        let dashboard = h.config("grafana_dashboard", &[("config_json", s(r#"{"panels":[]}"#))]);
        let said = h.validate("grafana_dashboard", &dashboard).await;
        assert!(said.errors.iter().any(|e| e.ends_with("(at config_json)")), "a model without a title: {said:?}");
        assert_eq!(h.stats().await["requests"], before, "validation called Grafana");
    }

    #[tokio::test]
    async fn a_dashboard_deleted_in_grafana_is_removed_from_state_with_a_warning() {
        let h = Harness::start(&[]).await;
        let config = h.config("grafana_dashboard", &[("config_json", s(r#"{"title":"Gone soon","uid":"gone"}"#))]);
        let (created, said) = h.plan_apply("grafana_dashboard", None, &config).await;
        said.assert_clean();
        assert_eq!(h.grafana("DELETE", "/api/dashboards/uid/gone", None).await.0, 200);
        let (read, said) = h.read("grafana_dashboard", &created).await;
        assert!(read.state.is_null() && said.errors.is_empty(), "{read:?} {said:?}");
        assert!(said.warnings[0].starts_with("grafana_dashboard no longer exists in Grafana"), "{said:?}");
        // And the next plan creates it again.
        let (planned, _, _, said) = h.plan("grafana_dashboard", None, &config).await;
        said.assert_clean();
        assert_eq!(planned.get("uid"), &s("gone"));
    }

    #[tokio::test]
    async fn a_folder_moved_under_a_parent_is_an_update_in_place() {
        let h = Harness::start(&[]).await;
        let parent = h.config("grafana_folder", &[("title", s("Parent")), ("uid", s("parent"))]);
        let (_, said) = h.plan_apply("grafana_folder", None, &parent).await;
        said.assert_clean();
        let child = h.config("grafana_folder", &[("title", s("Child")), ("uid", s("child"))]);
        let (c, said) = h.plan_apply("grafana_folder", None, &child).await;
        said.assert_clean();
        let moved = h.config(
            "grafana_folder",
            &[("title", s("Child")), ("uid", s("child")), ("parent_folder_uid", s("parent"))],
        );
        let (_, replace, _, said) = h.plan("grafana_folder", Some(&c), &moved).await;
        said.assert_clean();
        assert!(replace.is_empty(), "a move is not a replacement: {replace:?}");
        let (after, said) = h.plan_apply("grafana_folder", Some(&c), &moved).await;
        said.assert_clean();
        assert_eq!(after.state.get("parent_folder_uid"), &s("parent"));
        assert_eq!(h.grafana("GET", "/api/folders/child", None).await.1["parentUid"], "parent");
    }
}
