//! `grafana_datasource` (and `grafana_data_source`, the official provider's name for the same
//! resource): a Grafana data source, with its secrets kept out of state where Terraform allows.
//!
//! Secrets are never read back (Grafana does not return them); what the state holds instead is
//! the list of secret keys Grafana reports (`secure_json_fields`) and the custom header names
//! (`http_header_names`). The plan compares them with what the configuration sets (write-only
//! values included, which Terraform hands to plan and apply but never stores), so a secret
//! removed outside Terraform shows as a change and the apply restores it. An update sends every
//! configured secret and clears (`""`) the ones the configuration no longer sets: Grafana keeps
//! secrets it is not sent. A configuration that sets no secret attribute at all leaves Grafana's
//! secrets alone (`Secrets::left_alone`): the plan keeps what Grafana holds and an update sends
//! only the header names back. The JSON rules are in [`crate::datasource_json`].

use std::collections::{BTreeMap, BTreeSet};

use async_trait::async_trait;

use crate::datasource_json as dsj;
use crate::diag::{AttrPath, Diagnostic, Diagnostics, api_error, quote, too_long};
use crate::framework::outcome::{Created, confirm_create, delete_outcome, read_outcome, unconfirmed_create};
use crate::framework::{Ctx, Lister, PlanCtx, ReadOutcome, Resource};
use crate::grafana::{self, MAX_DATASOURCE_NAME, MAX_DATASOURCE_URL};
use crate::model::{Attr, Model};
use crate::resources::{
    check_org_id, id_attributes, identity_uid, import_uid, new_uid, uid_identity, uid_identity_schema,
};
use crate::schema::{Attribute, IdentitySchema, Schema};
use crate::value::{Type, Value};

mod checks;
mod list;
mod save;

use checks::check_json_settings;
use save::{
    Secrets, already_exists, conflict_or, default_moved, default_to_move, read_only, request, same_settings, state,
};

/// One implementation, two names: `grafana_datasource` and `grafana_data_source`.
pub struct DataSourceResource {
    pub type_name: &'static str,
}

/// The type Grafana 12+ may convert `prometheus` data sources with SigV4 into.
const AMAZON_PROMETHEUS: &str = "grafana-amazonprometheus-datasource";

crate::model! {
    /// The resource's attributes, as the schema below declares them.
    pub struct DataSourceModel {
        name: String,
        kind = "type": String,
        uid: String,
        url: String,
        access_mode: String,
        basic_auth_enabled: bool,
        basic_auth_username: String,
        database_name: String,
        username: String,
        is_default: bool,
        json_data_encoded: String,
        http_headers: BTreeMap<String, String>,
        secure_json_data_encoded: String,
        secure_json_data_encoded_wo: String,
        secure_json_data_encoded_wo_version: i64,
        http_headers_wo: BTreeMap<String, String>,
        http_headers_wo_version: i64,
        secure_json_fields: Vec<String>,
        http_header_names: Vec<String>,
        version: i64,
        id: String,
        org_id: String,
        private_data_source_connect_network_id: String,
    }
}

#[async_trait]
impl Resource for DataSourceResource {
    fn type_name(&self) -> &'static str {
        self.type_name
    }

    fn schema(&self) -> Schema {
        let mut s = Schema::new(
            "A Grafana data source: Amazon Managed Service for Prometheus, CloudWatch, X-Ray and any other plugin. \
                Secrets go in `secure_json_data_encoded_wo` and `http_headers_wo` (write-only: never in state; \
                Terraform and OpenTofu ≥ 1.11) or `secure_json_data_encoded` and `http_headers` (sensitive, kept in \
                state). A secret removed or emptied in Grafana shows as a change and is restored by the next apply; a \
                secret key removed from the configuration is removed from Grafana. A configuration that sets none of \
                the four secret attributes leaves Grafana's secrets as they are, as the official provider does (an \
                adopted data source keeps them). `grafana_datasource` and \
                `grafana_data_source` (the official provider's name) are the same resource; a `moved` block switches \
                between them.",
            vec![
                Attribute::string("name").required().describe("The data source's name, unique in the workspace."),
                Attribute::string("type").required().describe(
                    "The plugin id, e.g. `prometheus`, `grafana-amazonprometheus-datasource`, `cloudwatch`, \
                        `grafana-x-ray-datasource`. Changing it updates the data source in place. Grafana 12 and later \
                        may convert a `prometheus` data source with SigV4 into `grafana-amazonprometheus-datasource`: \
                        the provider then keeps `prometheus` as meaning the same and says so in a warning.",
                ),
                Attribute::string("uid").optional_computed().requires_replace().use_state_for_unknown().describe(
                    "Unique identifier: letters, digits, `-` and `_`, at most 40 characters. When not set, the \
                        provider chooses one (`tf` and 24 random hex digits). Changing it replaces the data source.",
                ),
                Attribute::string("url").optional().describe(
                    "The URL of the data source's backend, e.g. \
                        `https://aps-workspaces.us-east-1.amazonaws.com/workspaces/ws-…/`.",
                ),
                Attribute::string("access_mode").default(Value::string("proxy")).describe(
                    "`proxy` (Grafana's server calls the backend; the one AMG supports for AWS data sources) or \
                        `direct` (the browser does). Defaults to `proxy`.",
                ),
                Attribute::bool("basic_auth_enabled").default(Value::Bool(false)).describe(
                    "Whether to send basic authentication; the password goes in the secrets as `basicAuthPassword`. \
                        Defaults to `false`.",
                ),
                Attribute::string("basic_auth_username")
                    .default(Value::string(""))
                    .describe("The basic authentication user. Defaults to empty."),
                Attribute::string("database_name")
                    .default(Value::string(""))
                    .describe("The database, for SQL and time-series databases. Defaults to empty."),
                Attribute::string("username")
                    .default(Value::string(""))
                    .describe("The user, for SQL databases. Defaults to empty."),
                Attribute::bool("is_default").default(Value::Bool(false)).describe(
                    "Whether this is the workspace's default data source. Grafana makes the first data source the \
                        default whatever it is sent; `false` then plans nothing. Defaults to `false` for a new data \
                        source; unset, an imported default stays the default.",
                ),
                Attribute::string("json_data_encoded").optional().describe(
                    "The plugin's settings (`jsonData`) as a JSON object, e.g. `jsonencode({ sigV4Auth = true, \
                        sigV4AuthType = \"ec2_iam_role\", sigV4Region = \"us-east-1\" })`. Compared by meaning: key \
                        order and whitespace never show as a change. Custom headers go in `http_headers`, secrets in \
                        the secure attributes. Warnings name AMG mistakes: an unknown `sigV4AuthType`/`authType` (the \
                        workspace IAM role is `ec2_iam_role`), a misspelt `sigv4…` key, `assumeRoleArn` on core \
                        `prometheus` (it reads `sigV4AssumeRoleArn`), a secret in clear.",
                ),
            ]
            .into_iter()
            .chain(secret_attributes())
            .chain([Attribute::number("version").computed().describe(
                "The data source's version in Grafana; updates send the one last read, so a change made in Grafana \
                        since is not silently lost.",
            )])
            .chain(id_attributes("data source"))
            .chain([Attribute::string("private_data_source_connect_network_id").optional().describe(
                "Grafana Cloud's Private Data source Connect network, in the official provider: refused at plan. On \
                    AMG, reach data sources in a VPC through the workspace's VPC configuration \
                    (`aws_grafana_workspace.vpc_configuration`).",
            )])
            .collect(),
        );
        // 1 is the official provider's version.
        s.version = 2;
        s
    }

    fn model_attributes(&self) -> Vec<(&'static str, Type)> {
        DataSourceModel::attributes()
    }

    fn official_schema_version(&self) -> Option<i64> {
        Some(1)
    }

    fn identity_schema(&self) -> Option<IdentitySchema> {
        Some(uid_identity_schema("The data source's uid."))
    }

    fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        let c = DataSourceModel::decode(config);
        check_org_id(&c.org_id, diags);
        if !c.private_data_source_connect_network_id.is_null() {
            diags.push(
                Diagnostic::error(
                    "Private data source connect is Grafana Cloud's",
                    "`private_data_source_connect_network_id` selects a Grafana Cloud Private Data source Connect \
                        network, which AMG does not have. Remove it; to reach a data source in a VPC, give the AMG \
                        workspace a VPC configuration (`vpc_configuration` of `aws_grafana_workspace`).",
                )
                .at_attr("private_data_source_connect_network_id"),
            );
        }
        for (attr, value, max) in [("name", &c.name, MAX_DATASOURCE_NAME), ("url", &c.url, MAX_DATASOURCE_URL)] {
            if let Some(why) = value.as_str().and_then(|v| too_long(&format!("`{attr}`"), v, max)) {
                diags.push(Diagnostic::error(format!("Data source {attr} too long"), why).at_attr(attr));
            }
        }
        if let Some(uid) = c.uid.as_str()
            && let Err(e) = crate::resources::check_uid(uid)
        {
            diags.push(Diagnostic::error("Invalid data source uid", format!("`uid` {e}.")).at_attr("uid"));
        }
        check_json_settings(&c, diags);
        let both = |a: &str, b: &str, set_a: bool, set_b: bool, diags: &mut Diagnostics| {
            if set_a && set_b {
                diags.push(
                    Diagnostic::error(
                        format!("Both {a} and {b} are set"),
                        format!("Set one of `{a}` and `{b}`: they are the same settings, kept in state or not."),
                    )
                    .at_attr(b),
                );
            }
        };
        both(
            "secure_json_data_encoded",
            "secure_json_data_encoded_wo",
            !c.secure_json_data_encoded.is_null(),
            !c.secure_json_data_encoded_wo.is_null(),
            diags,
        );
        both("http_headers", "http_headers_wo", !c.http_headers.is_null(), !c.http_headers_wo.is_null(), diags);
    }

    fn normalize_planned(&self, prior: &Value, planned: &mut Value) {
        let (prior, mut plan) = (DataSourceModel::decode(prior), DataSourceModel::decode(planned));
        // The same settings in other words: keep the prior text.
        if let (Some(old), Some(new)) = (prior.json_data_encoded.as_str(), plan.json_data_encoded.as_str())
            && old != new
            && matches!((dsj::parse_object(old), dsj::parse_object(new)), (Ok(a), Ok(b)) if dsj::same_json(&a, &b))
        {
            plan.json_data_encoded = prior.json_data_encoded.clone();
        }
        *planned = plan.encode();
    }

    async fn modify_plan(&self, ctx: &PlanCtx<'_>, planned: &mut Value, diags: &mut Diagnostics) -> Vec<AttrPath> {
        let prior = DataSourceModel::decode(ctx.prior);
        let config = DataSourceModel::decode(ctx.config);
        let mut plan = DataSourceModel::decode(planned);
        // What Grafana should hold, from the configuration (write-only values included).
        match Secrets::of(&config) {
            // Left alone: what Grafana holds stays (unknown where the state does not say yet).
            _ if Secrets::left_alone(&config) && !ctx.prior.is_null() => {
                let held = |a: &Attr<Vec<String>>| if a.is_null() { Attr::unknown() } else { a.clone() };
                plan.secure_json_fields = held(&prior.secure_json_fields);
                plan.http_header_names = held(&prior.http_header_names);
            }
            Some(s) => {
                plan.secure_json_fields = s.keys().into_iter().collect::<Vec<_>>().into();
                plan.http_header_names = s.headers.keys().cloned().collect::<Vec<_>>().into();
                let held: BTreeSet<String> = prior.secure_json_fields.known().into_iter().flatten().cloned().collect();
                let expected = s.keys();
                let dropped: Vec<&String> = held.difference(&expected).collect();
                if !dropped.is_empty() && !ctx.prior.is_null() {
                    diags.push(Diagnostic::warning(
                        "Secrets will be removed from the data source",
                        format!(
                            "Grafana holds secrets {dropped:?} that the configuration does not set, so apply removes \
                                them. To keep them, set them in `secure_json_data_encoded_wo` (or \
                                `secure_json_data_encoded`, or the headers attributes); Grafana never returns their \
                                values, so an imported data source needs them written out."
                        ),
                    ));
                }
            }
            None => {
                plan.secure_json_fields = Attr::unknown();
                plan.http_header_names = Attr::unknown();
            }
        }
        // `is_default` unset: `false` for a new data source; an existing default (one imported,
        // or Grafana's first) stays the default rather than being taken away.
        if config.is_default.is_null() && prior.is_default.known() == Some(&true) {
            plan.is_default = true.into();
        }
        let changed = !ctx.prior.is_null() && plan.clone().without_computed() != prior.clone().without_computed();
        if ctx.prior.is_null() || changed {
            plan.version = Attr::unknown();
        } else {
            plan.version = prior.version.clone();
        }
        *planned = plan.encode();
        Vec::new()
    }

    async fn create(&self, ctx: &Ctx<'_>, planned_value: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let planned = DataSourceModel::decode(planned_value);
        let config = DataSourceModel::decode(ctx.config);
        let secrets = Secrets::of(&config).unwrap_or_default();
        let uid = planned.uid.as_str().map_or_else(new_uid, str::to_string);
        let req = request(&planned, &uid, &secrets, &BTreeSet::new(), None);
        let moved = default_to_move(ctx.client, &uid, &req, false).await;
        let err = match ctx.client.add_datasource(&req).await {
            Ok(ds) => {
                if let Some(m) = moved {
                    diags.push(default_moved(&m, &req.name));
                }
                return Some(state(&planned, &ds, diags));
            }
            Err(e) => e,
        };
        match confirm_create(&err, || ctx.client.get_datasource(&uid), |ds| ds.name == req.name).await {
            Created::Yes(ds) => Some(state(&planned, &ds, diags)),
            Created::Taken(ds) => {
                diags.push(already_exists(&ds, "uid"));
                None
            }
            Created::Unknown => {
                let (s, d) = unconfirmed_create("data source", planned_value, &uid, &err);
                diags.push(d.at_attr("uid"));
                Some(s)
            }
            Created::No if err.may_have_acted() => {
                diags.push(api_error(format!("Could not create data source {}", quote(&req.name)), &err));
                None
            }
            Created::No => {
                diags.push(conflict_or(ctx.client, &req, "create", &err).await);
                None
            }
        }
    }

    async fn read(&self, ctx: &Ctx<'_>, prior: &Value, diags: &mut Diagnostics) -> ReadOutcome {
        let prior = DataSourceModel::decode(prior);
        let uid = prior.uid.as_str().unwrap_or_default();
        match read_outcome(ctx.client.get_datasource(uid).await, "data source", uid, diags) {
            ReadOutcome::Found(ds) if ds.read_only => {
                diags.push(read_only(&ds));
                ReadOutcome::Failed
            }
            found => found.map(|ds| state(&prior, &ds, diags)),
        }
    }

    async fn update(&self, ctx: &Ctx<'_>, prior: &Value, planned: &Value, diags: &mut Diagnostics) -> Option<Value> {
        let (prior, planned) = (DataSourceModel::decode(prior), DataSourceModel::decode(planned));
        let config = DataSourceModel::decode(ctx.config);
        let (mut secrets, left_alone) = (Secrets::of(&config).unwrap_or_default(), Secrets::left_alone(&config));
        let uid = prior.uid.as_str().unwrap_or_default().to_string();
        let mut held: BTreeSet<String> = prior.secure_json_fields.known().into_iter().flatten().cloned().collect();
        if left_alone {
            held.clear();
            secrets.kept_header_names = prior.http_header_names.known().cloned().unwrap_or_default();
        }
        let req = request(&planned, &uid, &secrets, &held, prior.version.known().copied());
        let moved = default_to_move(ctx.client, &uid, &req, prior.is_default.is_true()).await;
        match ctx.client.update_datasource(&uid, &req).await {
            Ok(ds) => {
                if let Some(m) = moved {
                    diags.push(default_moved(&m, &req.name));
                }
                Some(state(&planned, &ds, diags))
            }
            Err(e) if e.may_have_acted() => match ctx.client.get_datasource(&uid).await {
                Ok(ds) if same_settings(&req, &ds) => Some(state(&planned, &ds, diags)),
                _ => {
                    diags.push(api_error(format!("Could not update data source {uid:?}"), &e));
                    None
                }
            },
            Err(grafana::Error::Api { status: 409, message, .. }) if message.contains("updated by someone else") => {
                diags.push(
                    Diagnostic::error(
                        "The data source changed in Grafana since Terraform read it",
                        format!(
                            "Data source {uid:?} ({:?}) was changed in Grafana after Terraform's last refresh (its \
                                version is newer than {}), so this update was refused rather than lose that change. \
                                Run `terraform plan` to see it: the next apply makes the data source match the \
                                configuration again.",
                            req.name,
                            prior.version.known().copied().unwrap_or_default()
                        ),
                    )
                    .at_attr("name"),
                );
                None
            }
            Err(grafana::Error::Api { status: 403, .. }) if provisioned(ctx.client, &uid).await => {
                diags.push(Diagnostic::error(
                    "The data source is provisioned (read-only)",
                    format!(
                        "Data source {uid:?} is provisioned from files, and Grafana refuses changes to it through the \
                            API. Change it where it is provisioned, or remove it from the configuration (`terraform \
                            state rm`)."
                    ),
                ));
                None
            }
            Err(e) => {
                diags.push(conflict_or(ctx.client, &req, "update", &e).await);
                None
            }
        }
    }

    async fn delete(&self, ctx: &Ctx<'_>, state: &Value, diags: &mut Diagnostics) {
        let state = DataSourceModel::decode(state);
        let uid = state.uid.as_str().unwrap_or_default();
        let deleted = ctx.client.delete_datasource(uid).await;
        if let Some(d) = delete_outcome("data source", uid, deleted, || ctx.client.get_datasource(uid)).await {
            diags.push(d);
        }
    }

    fn import_id(&self, id: &str, diags: &mut Diagnostics) -> Option<Value> {
        let uid = import_uid("data source", id, diags)?;
        Some(
            DataSourceModel {
                uid: uid.into(),
                access_mode: "proxy".into(),
                basic_auth_enabled: false.into(),
                basic_auth_username: "".into(),
                database_name: "".into(),
                username: "".into(),
                // Unset: the read takes Grafana's. (`false` here read as "configured false" and
                // kept the default data source non-default in state: a change after import.)
                ..Default::default()
            }
            .encode(),
        )
    }

    fn import_identity(&self, identity: &Value, diags: &mut Diagnostics) -> Option<Value> {
        self.import_id(&identity_uid(identity), diags)
    }

    fn identity_of(&self, state: &Value) -> Option<Value> {
        Some(uid_identity(&DataSourceModel::decode(state).uid))
    }

    fn accepts_move_from(&self, source_type: &str) -> bool {
        matches!(source_type, "grafana_datasource" | "grafana_data_source")
    }

    fn lister(&self) -> Option<&'static dyn Lister> {
        Some(&list::DataSourceList)
    }

    fn generated_config(&self, config: Value, state: &Value, diags: &mut Diagnostics) -> Value {
        list::generated(DataSourceModel::decode(&config), &DataSourceModel::decode(state), diags)
    }
}

impl DataSourceModel {
    /// The model without what Grafana or the provider computes, to tell whether anything the
    /// user sets changed.
    fn without_computed(mut self) -> DataSourceModel {
        self.version = Attr::Null;
        self
    }
}

/// The secrets and custom headers, in state (sensitive) or write-only, and the names of what
/// Grafana holds: never a secret value.
fn secret_attributes() -> Vec<Attribute> {
    vec![
        Attribute::of("http_headers", Type::map(Type::String)).optional().sensitive().describe(
            "Custom HTTP headers sent to the backend, name to value, kept in state. Stored by Grafana in header-name \
                order, so adding a header never reshuffles the others. Use `http_headers_wo` to keep the values out of \
                state.",
        ),
        Attribute::string("secure_json_data_encoded").optional().sensitive().describe(
            "Secrets (`secureJsonData`) as a JSON object of strings, e.g. `jsonencode({ basicAuthPassword = \
                var.password })`. Kept in state (sensitive). Prefer `secure_json_data_encoded_wo` where Terraform ≥ \
                1.11 runs.",
        ),
        Attribute::string("secure_json_data_encoded_wo").optional().sensitive().write_only().describe(
            "Secrets (`secureJsonData`) as a JSON object of strings, write-only: sent to Grafana, never stored in \
                state or plan (Terraform and OpenTofu ≥ 1.11). Change `secure_json_data_encoded_wo_version` to send \
                new values; a secret removed or emptied in Grafana is restored by the next apply anyway. Give the \
                values from an ephemeral variable (`variable \"db_password\" { ephemeral = true }`, Terraform ≥ 1.10), \
                an ephemeral resource or a `sensitive` variable, not as literals: a literal in the configuration is \
                visible in `terraform show -json` of a saved plan (Terraform's doing, not the provider's).",
        ),
        Attribute::number("secure_json_data_encoded_wo_version").optional().describe(
            "Any number; changing it sends `secure_json_data_encoded_wo` again (write-only values are not compared \
                between runs).",
        ),
        Attribute::of("http_headers_wo", Type::map(Type::String)).optional().sensitive().write_only().describe(
            "Custom HTTP headers, write-only: the values are never stored in state or plan (Terraform and OpenTofu ≥ \
                1.11). Their names are stored, in `http_header_names`. As with `secure_json_data_encoded_wo`, give the \
                values from ephemeral or `sensitive` variables, not literals.",
        ),
        Attribute::number("http_headers_wo_version")
            .optional()
            .describe("Any number; changing it sends `http_headers_wo` again."),
        Attribute::of("secure_json_fields", Type::list(Type::String)).computed().describe(
            "The keys of the secrets Grafana holds (`secureJsonFields`), sorted; header values are \
                `httpHeaderValue<N>`. No secret is stored, only these names.",
        ),
        Attribute::of("http_header_names", Type::list(Type::String))
            .computed()
            .describe("The custom header names Grafana holds, in its order."),
    ]
}

/// Whether the data source is provisioned (read-only): Grafana's 403 then means that.
async fn provisioned(client: &grafana::Client, uid: &str) -> bool {
    matches!(client.get_datasource(uid).await, Ok(ds) if ds.read_only)
}

#[cfg(test)]
mod tests {
    use serde_json::Value as Json;

    use super::*;
    use crate::framework::validate_resource;

    #[test]
    fn regression_debug_output_showed_secrets() {
        let model = DataSourceModel {
            name: "AMP".into(),
            secure_json_data_encoded: r#"{"password":"s3cret-a"}"#.to_string().into(),
            secure_json_data_encoded_wo: r#"{"password":"s3cret-b"}"#.to_string().into(),
            ..Default::default()
        };
        let shown = format!("{model:?}");
        assert!(shown.contains("AMP") && !shown.contains("s3cret"), "{shown}");
        let req = grafana::DataSourceRequest {
            name: "AMP".into(),
            kind: "prometheus".into(),
            uid: "u".into(),
            access: "proxy".into(),
            url: "https://x".into(),
            user: String::new(),
            database: String::new(),
            basic_auth: false,
            basic_auth_user: String::new(),
            is_default: false,
            json_data: Default::default(),
            secure_json_data: BTreeMap::from([("password".to_string(), "s3cret-c".to_string())]),
            version: None,
        };
        let shown = format!("{req:?}");
        assert!(shown.contains("password") && !shown.contains("s3cret"), "{shown}");
        let mut cfg = grafana::Config::with_auth(None, grafana::Auth::None);
        cfg.identity_pem = Some(b"-----BEGIN PRIVATE KEY-----s3cret-d".to_vec());
        let shown = format!("{cfg:?}");
        assert!(!shown.contains("s3cret") && shown.contains("identity_pem"), "{shown}");
    }

    #[test]
    fn write_only_secrets_are_refused_for_clients_that_cannot_keep_them_naming_the_alternative() {
        let r = DataSourceResource { type_name: "grafana_datasource" };
        let config = DataSourceModel {
            name: "x".into(),
            kind: "loki".into(),
            secure_json_data_encoded_wo: r#"{"password":"p4ss"}"#.into(),
            ..Default::default()
        }
        .encode();
        let mut d = Diagnostics::default();
        validate_resource(&r, &config, false, &mut d);
        let e = d.0.iter().find(|d| d.path == Some(AttrPath::attr("secure_json_data_encoded_wo"))).expect("an error");
        assert!(e.detail.contains("set `secure_json_data_encoded` instead"), "{}", e.detail);
        assert!(!e.detail.contains("p4ss"));
        let mut d = Diagnostics::default();
        validate_resource(&r, &config, true, &mut d);
        assert!(!d.has_errors(), "{:?}", d.0);
    }

    #[test]
    fn an_update_sends_the_configured_secrets_and_clears_the_others() {
        let p = DataSourceModel {
            name: "x".into(),
            kind: "loki".into(),
            json_data_encoded: r#"{"a":1}"#.into(),
            ..Default::default()
        };
        let s = Secrets {
            secure: BTreeMap::from([("password".into(), "p".into())]),
            headers: BTreeMap::from([("X-B".into(), "b".into()), ("X-A".into(), "a".into())]),
            kept_header_names: Vec::new(),
        };
        let held = BTreeSet::from(["password".to_string(), "apiKey".to_string(), "httpHeaderValue3".to_string()]);
        let req = request(&p, "u", &s, &held, Some(4));
        assert_eq!(
            req.secure_json_data,
            BTreeMap::from([
                ("apiKey".into(), String::new()),
                ("httpHeaderValue1".into(), "a".into()),
                ("httpHeaderValue2".into(), "b".into()),
                ("httpHeaderValue3".into(), String::new()),
                ("password".into(), "p".into()),
            ])
        );
        assert_eq!(
            Json::Object(req.json_data),
            serde_json::json!({"a": 1, "httpHeaderName1": "X-A", "httpHeaderName2": "X-B"})
        );
        assert_eq!((req.version, req.access.as_str()), (Some(4), "proxy"));
    }
}
