//! The provider itself: its configuration block, the Grafana client built from it, and the
//! list of resource and data source types.
//!
//! URL mode: `url` + `auth` (a service-account token) reach any Grafana. Values unknown at
//! plan time (a workspace created in the same run) do not fail the plan: the provider stays
//! unconfigured until apply, and only calls that need Grafana say so.

use std::sync::{Arc, RwLock};

use tokio_util::sync::CancellationToken;

use crate::amg;
use crate::data_sources;
use crate::diag::{Diagnostic, Diagnostics};
use crate::framework::{DataSource, Options, Resource};
use crate::grafana::{self, Client, Secret};
use crate::resources;
use crate::schema::{Attribute, Schema};
use crate::value::{Type, Value};

pub fn schema() -> Schema {
    Schema::new(
        "Manages Grafana objects (folders, dashboards, data sources) in an Amazon Managed Grafana workspace or any Grafana reachable over HTTP(S).",
        vec![
            Attribute::string("url")
                .optional()
                .describe("Base URL of the Grafana, e.g. `https://g-abc1234567.grafana-workspace.us-east-1.amazonaws.com`. For an AMG workspace use `\"https://${aws_grafana_workspace.this.endpoint}\"`. May also be set with the `GRAFANA_URL` environment variable."),
            Attribute::string("auth")
                .optional()
                .sensitive()
                .describe("A Grafana service-account token (`glsa_…`) or API key, sent as `Authorization: Bearer`. May also be set with the `GRAFANA_AUTH` environment variable. Never logged."),
            Attribute::string("ca_cert")
                .optional()
                .describe("Extra certificate authority to trust for `url`: PEM content, or the path of a PEM file. May also be set with the `GRAFANA_CA_CERT` environment variable."),
            Attribute::string("tls_cert").optional().describe("A client certificate to present to Grafana (PEM content or the path of a PEM file), with `tls_key`. May also be set with `GRAFANA_TLS_CERT`."),
            Attribute::string("tls_key").optional().sensitive().describe("The client certificate's private key (PEM content or the path of a PEM file), with `tls_cert`. May also be set with `GRAFANA_TLS_KEY`."),
            Attribute::bool("insecure_skip_verify").optional().describe("Accept any certificate from Grafana, without verifying it. For test setups only: prefer `ca_cert`. May also be set with `GRAFANA_INSECURE_SKIP_VERIFY`."),
            Attribute::of("http_headers", Type::map(Type::String)).optional().sensitive().describe("Headers sent with every request to Grafana, name to value (a proxy's credentials, say). May also be set with `GRAFANA_HTTP_HEADERS`, as a JSON object. Never logged."),
            Attribute::number("retries").optional().describe("How many times a failed request is retried (default 4). Requests are retried on statuses that mean Grafana did not act (429, 503) and failed connections; reads also on `retry_status_codes`, timeouts and lost answers; a write that Grafana may have acted on is never repeated: the provider reads back instead. May also be set with `GRAFANA_RETRIES`."),
            Attribute::number("retry_wait").optional().describe("Seconds to wait between retries, instead of the default exponential wait (0.2 s doubling to at most 5 s, with full jitter); a `Retry-After` from Grafana wins. Every call is bounded in time too (30 s per attempt, 75 s in all). May also be set with `GRAFANA_RETRY_WAIT`."),
            Attribute::of("retry_status_codes", Type::set(Type::String)).optional().describe("More statuses to retry reads on, `x` a digit wildcard (e.g. `[\"5xx\", \"429\"]`). Writes answered with them are not retried, as Grafana may have acted on them; a 4xx other than 429 is never retried. May also be set with `GRAFANA_RETRY_STATUS_CODES`, comma-separated."),
            Attribute::bool("allow_url_outside_workspace").optional().describe("AMG-native auth: let `url` name another address than the workspace's own endpoint (as `DescribeWorkspace` gives it), such as a proxy or a private DNS name in front of the workspace. Without it, a `url` that is not the workspace's endpoint is refused before any token is minted, as the minted token is an admin token. Default `false`."),
            Attribute::string("workspace_id").optional().describe("AMG-native auth: the id of an Amazon Managed Grafana workspace (`g-` and ten hex digits such as `g-abc1234567`, e.g. `aws_grafana_workspace.this.id`). With it the provider needs no Grafana token: it uses the caller's AWS credentials (the AWS SDK's default chain: environment, shared profiles, SSO, web identity/IRSA, EKS Pod Identity, container and instance metadata) to mint a short-lived service-account token when it first needs one, and deletes it when Terraform stops the provider. Excludes `auth`. May also be set with `GRAFANA_AMG_WORKSPACE_ID`."),
            Attribute::string("region").optional().describe("AMG-native auth: the workspace's AWS region. Default: the AWS configuration's (AWS_REGION, the profile's `region`)."),
            Attribute::string("profile").optional().describe("AMG-native auth: the AWS shared-config profile to take credentials from. Default: AWS_PROFILE, else `default`."),
            Attribute::string("grafana_role").optional().describe("AMG-native auth: the Grafana role of the minted token: `ADMIN` (the default; needed for data sources), `EDITOR` or `VIEWER`. The provider keeps one service account per role in the workspace, `terraform-provider-grafana-admin` (`-editor`, `-viewer`), and reuses it on every run."),
            Attribute::number("token_ttl_seconds").optional().describe("AMG-native auth: how long a minted token lives, in seconds (default 900, at least 5, at most 2592000). The provider mints a new one when 80% of that has passed, and deletes its tokens when Terraform stops it; the TTL bounds the life of a token left behind by a killed process."),
            Attribute::number("workspace_ready_timeout_seconds").optional().describe("AMG-native auth: how long to wait for a workspace that is not ACTIVE yet (CREATING, UPDATING, VERSION_UPDATING, UPGRADING) before failing, in seconds (default 600)."),
            Attribute::bool("store_dashboard_sha256").optional().describe("Keep only a SHA-256 hash of each dashboard's model in state, instead of its JSON: for very large dashboards. The plan then shows a dashboard whose content changed as a change of that hash (a drift made in Grafana too); the apply works from the configuration. As with the official provider, Terraform is asked to accept a planned `config_json` that differs from the configuration. May also be set with `GRAFANA_STORE_DASHBOARD_SHA256`."),
            Attribute::number("org_id").optional().describe("The organisation. AMG workspaces have one, organisation 1: `0` and `1` mean it, any other value is refused at plan. Accepted for configurations written for the official provider. May also be set with `GRAFANA_ORG_ID`."),
        ]
        .into_iter()
        .chain(GRAFANA_CLOUD.iter().map(|(name, sensitive)| {
            let a = if *name == "stack_id" { Attribute::number(name) } else { Attribute::string(name) }.optional();
            let a = if *sensitive { a.sensitive() } else { a };
            a.describe("An argument of the official provider for Grafana Cloud and its services (Synthetic Monitoring, OnCall, k6, Fleet Management, Frontend Observability, Connections): refused at plan, as this provider manages Amazon Managed Grafana and self-hosted Grafana.")
        }))
        .collect(),
    )
}

/// The official provider's Grafana Cloud arguments (name, sensitive): accepted in the schema so
/// that a configuration written for it gets one clear message instead of "unsupported argument".
const GRAFANA_CLOUD: &[(&str, bool)] = &[
    ("stack_id", false),
    ("cloud_access_policy_token", true),
    ("cloud_api_url", false),
    ("sm_access_token", true),
    ("sm_url", false),
    ("oncall_access_token", true),
    ("oncall_url", false),
    ("cloud_provider_access_token", true),
    ("cloud_provider_url", false),
    ("connections_api_access_token", true),
    ("connections_api_url", false),
    ("fleet_management_auth", true),
    ("fleet_management_url", false),
    ("frontend_o11y_api_url", false),
    ("frontend_o11y_api_access_token", true),
    ("k6_url", false),
    ("k6_access_token", true),
];

enum State {
    NotConfigured,
    /// Configured with values unknown at plan time; they will be known at apply.
    Unknown,
    Ready(Client),
}

pub struct Provider {
    resources: Vec<Arc<dyn Resource>>,
    data_sources: Vec<Arc<dyn DataSource>>,
    state: RwLock<State>,
    /// Cancelled by `StopProvider`: every Grafana request in flight returns at once.
    pub cancel: CancellationToken,
    /// Settings resources follow (`store_dashboard_sha256`), known once configured.
    options: RwLock<Options>,
    /// AMG-native auth, when configured: its tokens are deleted at [`Provider::shutdown`].
    amg: std::sync::Mutex<Option<Arc<amg::Amg>>>,
}

impl Default for Provider {
    fn default() -> Self {
        Provider::new()
    }
}

impl Provider {
    pub fn new() -> Provider {
        let (resources, data_sources) = (resources::all(), data_sources::all());
        // A typed model that drifted from its schema is a bug of ours: fail loudly in debug
        // builds (every test runs one), before any value is decoded with it.
        if cfg!(debug_assertions) {
            for r in &resources {
                crate::model::check_against_schema(r.type_name(), r.model_attributes(), &r.schema()).unwrap();
            }
            for d in &data_sources {
                crate::model::check_against_schema(d.type_name(), d.model_attributes(), &d.schema()).unwrap();
            }
        }
        Provider {
            resources,
            data_sources,
            state: RwLock::new(State::NotConfigured),
            cancel: CancellationToken::new(),
            options: RwLock::new(Options::default()),
            amg: std::sync::Mutex::new(None),
        }
    }

    pub fn resources(&self) -> &[Arc<dyn Resource>] {
        &self.resources
    }
    pub fn data_sources(&self) -> &[Arc<dyn DataSource>] {
        &self.data_sources
    }
    pub fn resource(&self, name: &str) -> Option<&dyn Resource> {
        self.resources.iter().find(|r| r.type_name() == name).map(|r| r.as_ref())
    }
    pub fn data_source(&self, name: &str) -> Option<&dyn DataSource> {
        self.data_sources.iter().find(|r| r.type_name() == name).map(|r| r.as_ref())
    }

    /// Checks the provider block alone.
    pub fn validate(&self, config: &Value, diags: &mut Diagnostics) {
        if let Some(u) = config.get("url").as_str()
            && let Err(e) = parse_url(u)
        {
            diags.push(e);
        }
        for (name, _) in GRAFANA_CLOUD {
            if !config.get(name).is_null() {
                diags.push(
                    Diagnostic::error(
                        "A Grafana Cloud argument",
                        format!(
                            "`{name}` configures Grafana Cloud or one of its services in the official grafana/grafana provider. This provider manages Amazon Managed Grafana and self-hosted Grafana, where it has no meaning: remove it. Keep the official provider (under another local name) for Grafana Cloud resources."
                        ),
                    )
                    .at_attr(name),
                );
            }
        }
        if let Some(o) = config.get("org_id").as_i64()
            && !matches!(o, 0 | 1)
        {
            diags.push(org_refused(o));
        }
        for (name, range, unit) in BOUNDED {
            if let Err(d) = within(name, config.get(name), &range, unit) {
                diags.push(d);
            }
        }
        if let Value::Set(codes) | Value::List(codes) = config.get("retry_status_codes") {
            for c in codes.iter().filter_map(Value::as_str) {
                if let Err(e) = status_pattern(c) {
                    diags.push(e);
                }
            }
        }
        if !config.get("workspace_id").is_null() && !config.get("auth").is_null() {
            diags.push(two_auth_modes());
        }
        if let Some(w) = config.get("workspace_id").as_str()
            && let Err(d) = workspace_id(w)
        {
            diags.push(d);
        }
        if let Some(r) = config.get("grafana_role").as_str()
            && amg::Role::parse(r).is_none()
        {
            diags.push(bad_role(r));
        }
        if let Some(t) = config.get("token_ttl_seconds").as_i64()
            && !TOKEN_TTL.contains(&t)
        {
            diags.push(bad_ttl(t));
        }
        if config.get("tls_cert").is_null() != config.get("tls_key").is_null()
            && !matches!(config.get("tls_cert"), Value::Unknown(_))
            && !matches!(config.get("tls_key"), Value::Unknown(_))
        {
            diags.push(
                Diagnostic::error(
                    "tls_cert and tls_key go together",
                    "A client certificate needs its key: set both `tls_cert` and `tls_key`, or neither.",
                )
                .at_attr("tls_key"),
            );
        }
    }

    /// Builds the Grafana client from the provider block and the environment.
    pub fn configure(&self, config: &Value, diags: &mut Diagnostics) {
        // Known even when other values are not (a workspace created in this run).
        let sha256 = match config.get("store_dashboard_sha256") {
            Value::Bool(b) => *b,
            _ => std::env::var("GRAFANA_STORE_DASHBOARD_SHA256")
                .is_ok_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes")),
        };
        *self.options.write().expect("options lock") = Options { store_dashboard_sha256: sha256 };
        if !config.is_wholly_known() {
            tracing::info!("provider configuration has values unknown until apply; deferring client setup");
            *self.state.write().expect("provider state lock") = State::Unknown;
            return;
        }
        let setting = |name: &str, env: &str| -> Option<String> {
            config.get(name).as_str().map(str::to_string).or_else(|| std::env::var(env).ok()).filter(|s| !s.is_empty())
        };
        // Exactly one auth mode: the provider block's choice beats the environment's.
        let from_block = |name: &str| config.get(name).as_str().is_some_and(|s| !s.is_empty());
        let amg_mode = match (from_block("workspace_id"), from_block("auth")) {
            (true, true) => return diags.push(two_auth_modes()),
            (true, false) => true,
            (false, true) => false,
            (false, false) => {
                match (setting("workspace_id", "GRAFANA_AMG_WORKSPACE_ID"), setting("auth", "GRAFANA_AUTH")) {
                    (Some(_), Some(_)) => {
                        return diags.push(
                        Diagnostic::error(
                            "Two ways to authenticate",
                            "Both GRAFANA_AMG_WORKSPACE_ID and GRAFANA_AUTH are set: unset one (AMG-native auth with the workspace id, or a Grafana token).",
                        )
                        .at_attr("workspace_id"),
                    );
                    }
                    (w, _) => w.is_some(),
                }
            }
        };
        let amg = if amg_mode {
            match self.amg_settings(config, &setting) {
                Ok(s) => Some(Arc::new(amg::Amg::new(s))),
                Err(d) => return diags.push(d),
            }
        } else {
            None
        };
        // AMG-native auth sends a fresh admin token: only to the workspace, or to the block's own
        // `url` (checked against the workspace's endpoint before any token goes out, unless
        // `allow_url_outside_workspace`); a GRAFANA_URL left in the environment is ignored.
        let url_setting = if amg_mode {
            if std::env::var("GRAFANA_URL").is_ok_and(|u| !u.is_empty()) && !from_block("url") {
                diags.push(
                    Diagnostic::warning(
                        "GRAFANA_URL ignored",
                        "AMG-native auth (`workspace_id`) sends its token only to the workspace's own URL, so GRAFANA_URL from the environment is ignored. Unset it, or set `url` in the provider block if the workspace is reached through another address.",
                    )
                    .at_attr("url"),
                );
            }
            config.get("url").as_str().filter(|u| !u.is_empty()).map(str::to_string)
        } else {
            setting("url", "GRAFANA_URL")
        };
        let url = match url_setting {
            Some(u) => match parse_url(&u) {
                Ok(u) => Some(u),
                Err(d) => return diags.push(d),
            },
            None if amg.is_some() => None,
            None => {
                let debug = if crate::plugin::debug_mode() {
                    " This provider runs in debug mode (`--debug`): it reads GRAFANA_URL, GRAFANA_AUTH and the AWS settings from the environment of the shell that started it, not Terraform's; export them there."
                } else {
                    ""
                };
                diags.push(
                    Diagnostic::error(
                        "Missing Grafana URL",
                        format!("Set `url` in the provider block (or the GRAFANA_URL environment variable) to the Grafana base URL, e.g. \"https://${{aws_grafana_workspace.this.endpoint}}\"; or set `workspace_id` to use AMG-native auth, which finds the URL itself.{debug}"),
                    )
                    .at_attr("url"),
                );
                return;
            }
        };
        let ca_pem = match setting("ca_cert", "GRAFANA_CA_CERT").map(|c| load_pem(&c)).transpose() {
            Ok(p) => p,
            Err(d) => return diags.push(d),
        };
        let auth = match &amg {
            Some(a) => grafana::Auth::Minted(a.clone()),
            None => {
                setting("auth", "GRAFANA_AUTH").map_or(grafana::Auth::None, |t| grafana::Auth::Token(Secret::new(&t)))
            }
        };
        if let Some(d) = url.as_ref().and_then(cleartext) {
            diags.push(d);
        }
        let mut cfg = grafana::Config::with_auth(url, auth);
        cfg.ca_pem = ca_pem;
        cfg.url_must_be_the_sources = amg_mode && !config.get("allow_url_outside_workspace").as_bool().unwrap_or(false);
        let number = |name: &str, env: &str| -> Result<Option<i64>, Diagnostic> {
            match config.get(name).as_i64() {
                Some(n) => Ok(Some(n)),
                None => std::env::var(env)
                    .ok()
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        s.trim().parse::<i64>().map_err(|_| {
                            Diagnostic::error(
                                format!("Invalid {env}"),
                                format!("{env} must be a whole number, not {s:?}."),
                            )
                            .at_attr(name)
                        })
                    })
                    .transpose(),
            }
        };
        let flag = |name: &str, env: &str| -> bool {
            config.get(name).as_bool().unwrap_or_else(|| {
                std::env::var(env).is_ok_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
            })
        };
        let mut read = || -> Result<(), Diagnostic> {
            if let Some(n) = number("retries", "GRAFANA_RETRIES")? {
                within("retries", &Value::int(n), &RETRIES, "")?;
                cfg.max_retries = n as usize;
            }
            if let Some(w) = number("retry_wait", "GRAFANA_RETRY_WAIT")? {
                within("retry_wait", &Value::int(w), &RETRY_WAIT, " seconds")?;
                cfg.retry_wait = (w > 0).then(|| std::time::Duration::from_secs(w as u64));
            }
            if let Some(o) = number("org_id", "GRAFANA_ORG_ID")?.filter(|o| !matches!(o, 0 | 1)) {
                return Err(org_refused(o));
            }
            cfg.retry_statuses = match config.get("retry_status_codes") {
                Value::Set(v) | Value::List(v) => v.iter().filter_map(Value::as_str).map(str::to_string).collect(),
                _ => std::env::var("GRAFANA_RETRY_STATUS_CODES")
                    .map(|s| s.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect())
                    .unwrap_or_default(),
            };
            for c in &cfg.retry_statuses {
                status_pattern(c)?;
            }
            cfg.insecure_skip_verify = flag("insecure_skip_verify", "GRAFANA_INSECURE_SKIP_VERIFY");
            if cfg.insecure_skip_verify {
                if amg_mode && config.get("insecure_skip_verify").as_bool() != Some(true) {
                    return Err(Diagnostic::error(
                        "GRAFANA_INSECURE_SKIP_VERIFY refused with AMG-native auth",
                        "GRAFANA_INSECURE_SKIP_VERIFY turns off the check of Grafana's certificate, and AMG-native auth sends an admin token: unset it (AMG workspaces have certificates that verify), or set `insecure_skip_verify = true` in the provider block if you mean it.",
                    )
                    .at_attr("insecure_skip_verify"));
                }
                diags.push(insecure_warning(cfg.ca_pem.is_some()));
            }
            let cert = setting("tls_cert", "GRAFANA_TLS_CERT").map(|c| load_pem_as(&c, "tls_cert")).transpose()?;
            let key = setting("tls_key", "GRAFANA_TLS_KEY").map(|k| load_pem_as(&k, "tls_key")).transpose()?;
            cfg.identity_pem = match (cert, key) {
                (Some(mut c), Some(k)) => {
                    c.push(b'\n');
                    c.extend(k);
                    Some(c)
                }
                (None, None) => None,
                _ => {
                    return Err(Diagnostic::error(
                        "tls_cert and tls_key go together",
                        "Set both `tls_cert` and `tls_key` (or GRAFANA_TLS_CERT and GRAFANA_TLS_KEY), or neither.",
                    )
                    .at_attr("tls_key"));
                }
            };
            cfg.headers = match config.get("http_headers") {
                Value::Map(m) => m.iter().filter_map(|(k, v)| Some((k.clone(), Secret::new(v.as_str()?)))).collect(),
                _ => match std::env::var("GRAFANA_HTTP_HEADERS").ok().filter(|s| !s.is_empty()) {
                    None => Vec::new(),
                    Some(j) => serde_json::from_str::<std::collections::BTreeMap<String, String>>(&j)
                        .map_err(|_| {
                            Diagnostic::error(
                                "Invalid GRAFANA_HTTP_HEADERS",
                                "GRAFANA_HTTP_HEADERS must be a JSON object of strings, e.g. {\"X-Org\": \"a\"}.",
                            )
                            .at_attr("http_headers")
                        })?
                        .into_iter()
                        .map(|(k, v)| (k, Secret::new(&v)))
                        .collect(),
                },
            };
            Ok(())
        };
        if let Err(d) = read() {
            return diags.push(d);
        }
        match Client::new(cfg, self.cancel.clone()) {
            Ok(c) => {
                *self.amg.lock().expect("amg lock") = amg;
                *self.state.write().expect("provider state lock") = State::Ready(c)
            }
            Err(e) => diags.push(Diagnostic::error("Invalid provider configuration", e.to_string())),
        }
    }

    /// The configured client, or an error diagnostic saying why there is none.
    pub fn client(&self, diags: &mut Diagnostics) -> Option<Client> {
        match &*self.state.read().expect("provider state lock") {
            State::Ready(c) => Some(c.clone()),
            State::Unknown => {
                diags.push(Diagnostic::error(
                    "Provider configuration not yet known",
                    "The provider block uses values known only after apply (for example a workspace endpoint created in this run), and this step needs to call Grafana. Apply the resources it depends on first (`terraform apply -target=…`), or set `url` and `auth` from known values.",
                ));
                None
            }
            State::NotConfigured => {
                diags.push(Diagnostic::error(
                    "Provider not configured",
                    "Terraform did not configure the provider before using it.",
                ));
                None
            }
        }
    }

    /// Settings resources follow.
    pub fn options(&self) -> Options {
        *self.options.read().expect("options lock")
    }

    /// Terraform is about to end the process: delete the tokens this process minted (bounded),
    /// then cancel whatever is still in flight.
    pub async fn shutdown(&self) {
        let amg = self.amg.lock().expect("amg lock").take();
        if let Some(a) = amg {
            a.revoke().await;
        }
        self.cancel.cancel();
    }

    /// AMG-native auth's settings from the provider block and the environment.
    fn amg_settings(
        &self,
        config: &Value,
        setting: &dyn Fn(&str, &str) -> Option<String>,
    ) -> Result<amg::Settings, Diagnostic> {
        let id = setting("workspace_id", "GRAFANA_AMG_WORKSPACE_ID").expect("AMG mode has a workspace id");
        workspace_id(&id)?;
        let role = match config.get("grafana_role").as_str() {
            None => amg::Role::Admin,
            Some(r) => amg::Role::parse(r).ok_or_else(|| bad_role(r))?,
        };
        let ttl = config.get("token_ttl_seconds").as_i64().unwrap_or(900);
        if !TOKEN_TTL.contains(&ttl) {
            return Err(bad_ttl(ttl));
        }
        within(
            "workspace_ready_timeout_seconds",
            config.get("workspace_ready_timeout_seconds"),
            &READY_TIMEOUT,
            " seconds",
        )?;
        let wait = config.get("workspace_ready_timeout_seconds").as_i64().unwrap_or(600).max(0);
        Ok(amg::Settings {
            workspace_id: id,
            region: config.get("region").as_str().filter(|r| !r.is_empty()).map(str::to_string),
            profile: config.get("profile").as_str().filter(|p| !p.is_empty()).map(str::to_string),
            role,
            ttl: std::time::Duration::from_secs(ttl as u64),
            ready_timeout: std::time::Duration::from_secs(wait as u64),
        })
    }

    /// The client if the provider is configured with known values.
    pub fn client_if_ready(&self) -> Option<Client> {
        match &*self.state.read().expect("provider state lock") {
            State::Ready(c) => Some(c.clone()),
            _ => None,
        }
    }
}

/// `insecure_skip_verify` in force: said at every plan, as it puts the token at risk.
fn insecure_warning(with_ca: bool) -> Diagnostic {
    let ca = if with_ca { " `ca_cert` is ignored while it is set." } else { "" };
    Diagnostic::warning(
        "insecure_skip_verify: Grafana's certificate is not checked",
        format!(
            "With `insecure_skip_verify` (or GRAFANA_INSECURE_SKIP_VERIFY) the provider accepts any certificate, so anyone between it and Grafana can read the token, headers and secrets it sends, and its client certificate is presented to any server.{ca} For a private CA, set `ca_cert` instead."
        ),
    )
    .at_attr("insecure_skip_verify")
}

/// A bearer token over plain HTTP to another machine: said at every plan.
fn cleartext(u: &url::Url) -> Option<Diagnostic> {
    let loopback = match u.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    (u.scheme() == "http" && !loopback).then(|| {
        Diagnostic::warning(
            "Grafana reached over plain HTTP",
            "`url` starts with http:// and names another machine: the token, headers and data source secrets cross the network unencrypted. Use https://.",
        )
        .at_attr("url")
    })
}

fn parse_url(u: &str) -> Result<url::Url, Diagnostic> {
    let bad = |why: &str| {
        Diagnostic::error("Invalid Grafana URL", format!("`url` must be an http(s) URL such as https://g-abc1234567.grafana-workspace.us-east-1.amazonaws.com: {why}."))
            .at_attr("url")
    };
    let parsed = url::Url::parse(u).map_err(|e| bad(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad(&format!("the scheme is {:?}", parsed.scheme())));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad("credentials belong in `auth`, not in the URL"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(bad(
            "it has a query (`?…`) or fragment (`#…`), which would end up inside every API path and link; give the base URL only, such as https://host or https://host/grafana",
        ));
    }
    Ok(parsed)
}

/// `token_ttl_seconds`: AMG takes 1 to 2592000 (30 days); below 5 s a token would expire
/// between minting and use.
const TOKEN_TTL: std::ops::RangeInclusive<i64> = 5..=2_592_000;
/// `retries`: enough for any outage a plan should wait out (each pause is at most 5 s, and a
/// call at most 75 s in all).
const RETRIES: std::ops::RangeInclusive<i64> = 0..=50;
/// `retry_wait`: seconds; a call is bounded at 75 s in all anyway.
const RETRY_WAIT: std::ops::RangeInclusive<i64> = 0..=60;
/// `workspace_ready_timeout_seconds`: an hour; AMG creates a workspace in minutes.
const READY_TIMEOUT: std::ops::RangeInclusive<i64> = 0..=3600;

/// The provider's bounded numbers: name, allowed range, unit.
const BOUNDED: [(&str, std::ops::RangeInclusive<i64>, &str); 3] = [
    ("retries", RETRIES, ""),
    ("retry_wait", RETRY_WAIT, " seconds"),
    ("workspace_ready_timeout_seconds", READY_TIMEOUT, " seconds"),
];

/// A number attribute within its range (a value beyond `i64` is out of it too).
fn within(name: &str, v: &Value, range: &std::ops::RangeInclusive<i64>, unit: &str) -> Result<(), Diagnostic> {
    let out = match v {
        Value::Number(_) => v.as_i64().is_none_or(|n| !range.contains(&n)),
        _ => false,
    };
    if !out {
        return Ok(());
    }
    Err(Diagnostic::error(
        format!("Invalid {name}"),
        format!("`{name}` must be a whole number from {} to {}{unit}.", range.start(), range.end()),
    )
    .at_attr(name))
}

fn two_auth_modes() -> Diagnostic {
    Diagnostic::error(
        "Two ways to authenticate",
        "`auth` (a Grafana token) and `workspace_id` (AMG-native auth, which mints its own short-lived token from your AWS credentials) exclude each other: remove one.",
    )
    .at_attr("auth")
}

/// An AMG workspace id, as the AMG API's model has it: `g-` and ten hex digits.
fn workspace_id(w: &str) -> Result<(), Diagnostic> {
    let ok = w.len() == 12
        && w.starts_with("g-")
        && w[2..].bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    if ok {
        return Ok(());
    }
    Err(Diagnostic::error(
        "Invalid workspace_id",
        format!("{w:?} is not an AMG workspace id: those are `g-` and ten hex digits, e.g. g-abc1234567 (`aws_grafana_workspace.this.id`; not its name or endpoint)."),
    )
    .at_attr("workspace_id"))
}

fn bad_role(r: &str) -> Diagnostic {
    Diagnostic::error("Invalid grafana_role", format!("`grafana_role` is {r:?}: use ADMIN, EDITOR or VIEWER."))
        .at_attr("grafana_role")
}

fn bad_ttl(t: i64) -> Diagnostic {
    Diagnostic::error(
        "Invalid token_ttl_seconds",
        format!("`token_ttl_seconds` is {t}: use 5 to 2592000 seconds (AMG's limit is 30 days); the default, 900, suits most runs."),
    )
    .at_attr("token_ttl_seconds")
}

fn org_refused(o: i64) -> Diagnostic {
    Diagnostic::error(
        "Unsupported organisation",
        format!("`org_id` is {o}, but an AMG workspace has one organisation, 1. Remove `org_id` (and GRAFANA_ORG_ID), or set it to 1."),
    )
    .at_attr("org_id")
}

/// A `retry_status_codes` entry: three characters, digits or `x`.
fn status_pattern(p: &str) -> Result<(), Diagnostic> {
    if p.len() == 3 && p.chars().all(|c| c.is_ascii_digit() || c == 'x' || c == 'X') {
        Ok(())
    } else {
        Err(Diagnostic::error(
            "Invalid retry status code",
            format!("{p:?} is not a status code: write three digits, `x` for any digit, e.g. \"429\" or \"5xx\"."),
        )
        .at_attr("retry_status_codes"))
    }
}

/// PEM content, or the path of a PEM file, for `attr` (`ca_cert`, `tls_cert`, `tls_key`).
/// The value is never quoted in the error: it may be a private key in another form (base64,
/// `openssl pkcs12 -nodes` output) taken for a path.
fn load_pem_as(v: &str, attr: &str) -> Result<Vec<u8>, Diagnostic> {
    if v.trim_start().starts_with("-----BEGIN") {
        return Ok(v.as_bytes().to_vec());
    }
    std::fs::read(v).map_err(|e| {
        let os = e.raw_os_error().map_or_else(|| e.kind().to_string(), |_| e.to_string());
        Diagnostic::error(
            format!("Cannot read {attr}"),
            format!(
                "`{attr}` is neither PEM content (text starting with `-----BEGIN`) nor the path of a readable PEM file: reading it as a path failed ({os}). Give the PEM text itself, e.g. file(\"ca.pem\") or a variable holding it, or the path of a PEM file. (The value is not shown: it may be a key.)"
            ),
        )
        .at_attr(attr)
    })
}

fn load_pem(v: &str) -> Result<Vec<u8>, Diagnostic> {
    load_pem_as(v, "ca_cert")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn configure(attrs: Vec<(&str, Value)>) -> Diagnostics {
        let mut all: std::collections::BTreeMap<String, Value> =
            schema().attributes.iter().map(|a| (a.name.to_string(), Value::Null)).collect();
        all.insert("url".into(), Value::string("https://g.example.com"));
        for (k, v) in attrs {
            all.insert(k.into(), v);
        }
        let mut d = Diagnostics::default();
        Provider::new().configure(&Value::Object(all), &mut d);
        d
    }

    #[test]
    fn a_client_certificate_is_loaded_from_tls_cert_and_tls_key() {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let key = rcgen::KeyPair::generate().unwrap();
        let cert = rcgen::CertificateParams::new(vec!["client".to_string()]).unwrap().self_signed(&key).unwrap();
        let d =
            configure(vec![("tls_cert", Value::string(cert.pem())), ("tls_key", Value::string(key.serialize_pem()))]);
        assert!(!d.has_errors(), "{:?}", d.0);
        let d = configure(vec![
            ("tls_cert", Value::string(cert.pem())),
            ("tls_key", Value::string("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n")),
        ]);
        assert!(d.has_errors(), "a broken key is refused");
        assert!(!d.0[0].detail.contains("nope"), "the key's content in an error: {}", d.0[0].detail);
        let d = configure(vec![("org_id", Value::int(3))]);
        assert_eq!(d.0[0].summary, "Unsupported organisation");
    }

    #[test]
    fn urls_are_checked_at_plan_time() {
        for ok in [
            "https://g-abc1234567.grafana-workspace.us-east-1.amazonaws.com",
            "http://127.0.0.1:3000/",
            "https://h/grafana",
        ] {
            assert!(parse_url(ok).is_ok(), "{ok}");
        }
        let why = |u: &str| parse_url(u).unwrap_err().detail;
        assert!(why("https://h/?orgId=1").contains("query"), "{}", why("https://h/?orgId=1"));
        assert!(why("https://h/#x").contains("fragment"));
        assert!(why("https://u:p@h/").contains("credentials belong in `auth`"));
        assert!(why("ftp://h/").contains("\"ftp\""));
        assert!(why("not a url").contains("must be an http(s) URL"));
        assert_eq!(parse_url("https://h/?x").unwrap_err().path, Some(crate::diag::AttrPath::attr("url")));
    }

    #[test]
    fn ca_cert_is_pem_content_or_a_readable_file() {
        let pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        assert_eq!(load_pem(pem).unwrap(), pem.as_bytes());
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), pem).unwrap();
        assert_eq!(load_pem(f.path().to_str().unwrap()).unwrap(), pem.as_bytes());
        let d = load_pem("/no/such/ca.pem").unwrap_err();
        assert_eq!(d.summary, "Cannot read ca_cert");
        assert_eq!(d.path, Some(crate::diag::AttrPath::attr("ca_cert")));
    }
}
