//! The provider's settings, in one place: every rule about the provider block and its
//! environment variables is stated once, as a function here, and both calls use them:
//! [`check_block`] at validate (the block as written, values maybe unknown, no environment) and
//! [`Settings::from`] at configure (every value known, the environment read through [`Env`], so
//! the tests pass a map instead of the process's).

use std::collections::BTreeMap;
use std::ops::RangeInclusive;
use std::time::Duration;

use super::messages::{
    bad_role, bad_status_pattern, bad_url, bad_workspace_id, grafana_cloud, grafana_url_ignored,
    insecure_from_env_with_amg, insecure_warning, invalid_headers_env, missing_url, not_a_number_in_env, org_refused,
    out_of_range, plain_http, tls_pair, two_auth_modes, two_auth_modes_in_env, unreadable_pem,
};
use super::schema::{GRAFANA_CLOUD, ProviderModel};
use crate::amg;
use crate::diag::{Diagnostic, Diagnostics};
use crate::framework::Options;
use crate::grafana::{self, Secret};
use crate::model::{Attr, Model};
use crate::value::{Number, Value};

/// Where settings come from besides the provider block.
pub trait Env {
    /// The variable's value; `None` when unset or empty.
    fn var(&self, name: &str) -> Option<String>;
}

/// The process's environment.
pub struct ProcessEnv;

impl Env for ProcessEnv {
    fn var(&self, name: &str) -> Option<String> {
        std::env::var(name).ok().filter(|s| !s.is_empty())
    }
}

impl Env for BTreeMap<&str, &str> {
    fn var(&self, name: &str) -> Option<String> {
        self.get(name).filter(|s| !s.is_empty()).map(|s| s.to_string())
    }
}

/// What `configure` builds the provider from.
#[derive(Debug)]
pub struct Settings {
    /// The Grafana client's configuration (its token minted by `amg` when that is set).
    pub client: grafana::Config,
    /// AMG-native auth's settings, when `workspace_id` is set.
    pub amg: Option<amg::Settings>,
    /// Said at every plan (plain HTTP, certificates not checked, an environment variable ignored).
    pub warnings: Vec<Diagnostic>,
}

/// How resources keep their state: known even when other values are not (a workspace created
/// in the same run), so it is read apart from [`Settings::from`].
pub fn options(m: &ProviderModel, env: &dyn Env) -> Options {
    Options { store_dashboard_sha256: flag(&m.store_dashboard_sha256, env, "GRAFANA_STORE_DASHBOARD_SHA256") }
}

/// The provider block as written, at validate: each known value by the rules
/// [`Settings::from`] applies; unknown values wait for configure.
pub fn check_block(config: &Value, diags: &mut Diagnostics) {
    for (name, _) in GRAFANA_CLOUD {
        if !config.get(name).is_null() {
            diags.push(grafana_cloud(name));
        }
    }
    let m = ProviderModel::decode(config);
    let mut check = |r: Result<(), Diagnostic>| {
        if let Err(d) = r {
            diags.push(d);
        }
    };
    if let Some(u) = m.url.as_str() {
        check(parse_url(u).map(drop));
    }
    check(number(&m.org_id, "org_id", &ORG, "").and_then(|o| o.map_or(Ok(()), org)));
    check(number(&m.retries, "retries", &RETRIES, "").map(drop));
    check(number(&m.retry_wait, "retry_wait", &RETRY_WAIT, " seconds").map(drop));
    check(
        number(&m.workspace_ready_timeout_seconds, "workspace_ready_timeout_seconds", &READY_TIMEOUT, " seconds")
            .map(drop),
    );
    check(number(&m.token_ttl_seconds, "token_ttl_seconds", &TOKEN_TTL, " seconds").map(drop));
    for c in m.retry_status_codes.known().into_iter().flatten() {
        check(status_pattern(c));
    }
    if !m.workspace_id.is_null() && !m.auth.is_null() {
        check(Err(two_auth_modes()));
    }
    if let Some(w) = m.workspace_id.as_str() {
        check(workspace_id(w));
    }
    if let Some(r) = m.grafana_role.as_str() {
        check(role(r).map(drop));
    }
    if m.tls_cert.is_null() != m.tls_key.is_null() && !m.tls_cert.is_unknown() && !m.tls_key.is_unknown() {
        check(Err(tls_pair()));
    }
}

impl Settings {
    /// From a wholly known provider block and the environment: the block's value of each
    /// setting, else its environment variable's, by the rules above. The first error stops it.
    pub fn from(m: &ProviderModel, env: &dyn Env) -> Result<Settings, Diagnostic> {
        let mut warnings = Vec::new();
        let setting = |attr: &Attr<String>, var: &str| {
            attr.as_str().filter(|s| !s.is_empty()).map(str::to_string).or_else(|| env.var(var))
        };
        let amg_mode = auth_mode(m, env)?;
        let amg = if amg_mode { Some(amg_settings(m, env)?) } else { None };
        let url = match (amg_mode, setting(&m.url, "GRAFANA_URL")) {
            // AMG-native auth sends a fresh admin token: only to the workspace, or to the block's
            // own `url`; a GRAFANA_URL left in the environment is ignored.
            (true, _) => {
                let block_url = m.url.as_str().filter(|u| !u.is_empty());
                if env.var("GRAFANA_URL").is_some() && block_url.is_none() {
                    warnings.push(grafana_url_ignored());
                }
                block_url.map(parse_url).transpose()?
            }
            (false, Some(u)) => Some(parse_url(&u)?),
            (false, None) => return Err(missing_url()),
        };
        let ca_pem = setting(&m.ca_cert, "GRAFANA_CA_CERT").map(|c| load_pem(&c, "ca_cert")).transpose()?;
        let auth = match amg_mode {
            true => grafana::Auth::None,
            false => {
                setting(&m.auth, "GRAFANA_AUTH").map_or(grafana::Auth::None, |t| grafana::Auth::Token(Secret::new(&t)))
            }
        };
        warnings.extend(url.as_ref().and_then(cleartext));
        let mut c = grafana::Config::with_auth(url, auth);
        c.ca_pem = ca_pem;
        c.url_must_be_the_sources = amg_mode && !m.allow_url_outside_workspace.is_true();
        if let Some(n) = env_number(&m.retries, env, "GRAFANA_RETRIES", "retries", &RETRIES, "")? {
            c.max_retries = n as usize;
        }
        if let Some(w) = env_number(&m.retry_wait, env, "GRAFANA_RETRY_WAIT", "retry_wait", &RETRY_WAIT, " seconds")? {
            c.retry_wait = (w > 0).then(|| Duration::from_secs(w as u64));
        }
        if let Some(o) = env_number(&m.org_id, env, "GRAFANA_ORG_ID", "org_id", &ORG, "")? {
            org(o)?;
        }
        c.retry_statuses = match m.retry_status_codes.known() {
            Some(codes) => codes.iter().cloned().collect(),
            None => env.var("GRAFANA_RETRY_STATUS_CODES").map_or_else(Vec::new, |s| {
                s.split(',').map(|c| c.trim().to_string()).filter(|c| !c.is_empty()).collect()
            }),
        };
        c.retry_statuses.iter().try_for_each(|p| status_pattern(p))?;
        c.insecure_skip_verify = flag(&m.insecure_skip_verify, env, "GRAFANA_INSECURE_SKIP_VERIFY");
        if c.insecure_skip_verify {
            if amg_mode && !m.insecure_skip_verify.is_true() {
                return Err(insecure_from_env_with_amg());
            }
            warnings.push(insecure_warning(c.ca_pem.is_some()));
        }
        let cert = setting(&m.tls_cert, "GRAFANA_TLS_CERT").map(|p| load_pem(&p, "tls_cert")).transpose()?;
        let key = setting(&m.tls_key, "GRAFANA_TLS_KEY").map(|p| load_pem(&p, "tls_key")).transpose()?;
        c.identity_pem = match (cert, key) {
            (Some(mut c), Some(k)) => {
                c.push(b'\n');
                c.extend(k);
                Some(c)
            }
            (None, None) => None,
            _ => return Err(tls_pair()),
        };
        c.headers = match m.http_headers.known() {
            Some(h) => h.iter().map(|(k, v)| (k.clone(), Secret::new(v))).collect(),
            None => match env.var("GRAFANA_HTTP_HEADERS") {
                None => Vec::new(),
                Some(j) => serde_json::from_str::<BTreeMap<String, String>>(&j)
                    .map_err(|_| invalid_headers_env())?
                    .into_iter()
                    .map(|(k, v)| (k, Secret::new(&v)))
                    .collect(),
            },
        };
        Ok(Settings { client: c, amg, warnings })
    }
}

/// Exactly one auth mode: the provider block's choice beats the environment's. True for
/// AMG-native auth.
fn auth_mode(m: &ProviderModel, env: &dyn Env) -> Result<bool, Diagnostic> {
    let set = |a: &Attr<String>| a.as_str().is_some_and(|s| !s.is_empty());
    match (set(&m.workspace_id), set(&m.auth)) {
        (true, true) => Err(two_auth_modes()),
        (true, false) => Ok(true),
        (false, true) => Ok(false),
        (false, false) => match (env.var("GRAFANA_AMG_WORKSPACE_ID"), env.var("GRAFANA_AUTH")) {
            (Some(_), Some(_)) => Err(two_auth_modes_in_env()),
            (w, _) => Ok(w.is_some()),
        },
    }
}

/// AMG-native auth's settings from the provider block and the environment.
fn amg_settings(m: &ProviderModel, env: &dyn Env) -> Result<amg::Settings, Diagnostic> {
    let id = m.workspace_id.as_str().filter(|w| !w.is_empty()).map(str::to_string);
    let id = id.or_else(|| env.var("GRAFANA_AMG_WORKSPACE_ID")).expect("AMG mode has a workspace id");
    workspace_id(&id)?;
    let role = m.grafana_role.as_str().map_or(Ok(amg::Role::Admin), role)?;
    let ttl = number(&m.token_ttl_seconds, "token_ttl_seconds", &TOKEN_TTL, " seconds")?.unwrap_or(DEFAULT_TOKEN_TTL);
    let wait =
        number(&m.workspace_ready_timeout_seconds, "workspace_ready_timeout_seconds", &READY_TIMEOUT, " seconds")?;
    let text = |a: &Attr<String>| a.as_str().filter(|s| !s.is_empty()).map(str::to_string);
    Ok(amg::Settings {
        workspace_id: id,
        region: text(&m.region),
        profile: text(&m.profile),
        role,
        ttl: Duration::from_secs(ttl as u64),
        ready_timeout: Duration::from_secs(wait.unwrap_or(DEFAULT_READY_TIMEOUT) as u64),
    })
}

// ---- the rules ----

/// `token_ttl_seconds`: AMG takes 1 to 2592000 (30 days); below 5 s a token would expire
/// between minting and use.
pub(crate) const TOKEN_TTL: RangeInclusive<i64> = 5..=2_592_000;
pub(crate) const DEFAULT_TOKEN_TTL: i64 = 900;
/// `retries`: enough for any outage a plan should wait out (each pause is at most 5 s, and a
/// call at most 75 s in all).
const RETRIES: RangeInclusive<i64> = 0..=50;
/// `retry_wait`: seconds; a call is bounded at 75 s in all anyway.
const RETRY_WAIT: RangeInclusive<i64> = 0..=60;
/// `workspace_ready_timeout_seconds`: an hour; AMG creates a workspace in minutes.
const READY_TIMEOUT: RangeInclusive<i64> = 0..=3600;
pub(crate) const DEFAULT_READY_TIMEOUT: i64 = 600;
/// `org_id`: any whole number parses; [`org`] then takes only AMG's one organisation.
const ORG: RangeInclusive<i64> = i64::MIN..=i64::MAX;

/// A number setting within its range; `None` when unset.
pub(crate) fn number(
    a: &Attr<Number>,
    name: &str,
    range: &RangeInclusive<i64>,
    unit: &str,
) -> Result<Option<i64>, Diagnostic> {
    match a.known() {
        None => Ok(None),
        Some(n) => match n.as_i64().filter(|n| range.contains(n)) {
            Some(n) => Ok(Some(n)),
            None => Err(out_of_range(name, range, unit)),
        },
    }
}

/// A number setting from the block, else from its environment variable.
fn env_number(
    a: &Attr<Number>,
    env: &dyn Env,
    var: &str,
    name: &str,
    range: &RangeInclusive<i64>,
    unit: &str,
) -> Result<Option<i64>, Diagnostic> {
    if !a.is_null() {
        return number(a, name, range, unit);
    }
    let Some(s) = env.var(var) else { return Ok(None) };
    let n = s.trim().parse::<i64>().map_err(|_| not_a_number_in_env(var, name, &s))?;
    number(&Attr::Known(Number::Int(n)), name, range, unit)
}

/// A flag from the block, else its environment variable (`1`, `true`, `yes`).
fn flag(a: &Attr<bool>, env: &dyn Env, var: &str) -> bool {
    a.known().copied().unwrap_or_else(|| {
        env.var(var).is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "1" | "true" | "yes"))
    })
}

pub(super) fn parse_url(u: &str) -> Result<url::Url, Diagnostic> {
    let parsed = url::Url::parse(u).map_err(|e| bad_url(&e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(bad_url(&format!("the scheme is {:?}", parsed.scheme())));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(bad_url("credentials belong in `auth`, not in the URL"));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(bad_url(
            "it has a query (`?…`) or fragment (`#…`), which would end up inside every API path and link; give the \
                base URL only, such as https://host or https://host/grafana",
        ));
    }
    Ok(parsed)
}

/// An AMG workspace id, as the AMG API's model has it: `g-` and ten hex digits.
pub(crate) fn workspace_id(w: &str) -> Result<(), Diagnostic> {
    let hex = |b: u8| b.is_ascii_digit() || (b'a'..=b'f').contains(&b);
    let ok = w.len() == 12 && w.starts_with("g-") && w[2..].bytes().all(hex);
    if ok { Ok(()) } else { Err(bad_workspace_id(w)) }
}

pub(crate) fn role(r: &str) -> Result<amg::Role, Diagnostic> {
    amg::Role::parse(r).ok_or_else(|| bad_role(r))
}

fn org(o: i64) -> Result<(), Diagnostic> {
    if matches!(o, 0 | 1) { Ok(()) } else { Err(org_refused(o)) }
}

/// A `retry_status_codes` entry: three characters, digits or `x`.
fn status_pattern(p: &str) -> Result<(), Diagnostic> {
    let ok = p.len() == 3 && p.chars().all(|c| c.is_ascii_digit() || c == 'x' || c == 'X');
    if ok { Ok(()) } else { Err(bad_status_pattern(p)) }
}

/// PEM content, or the path of a PEM file, for `attr` (`ca_cert`, `tls_cert`, `tls_key`).
/// The value is never quoted in the error: it may be a private key in another form (base64,
/// `openssl pkcs12 -nodes` output) taken for a path.
pub(super) fn load_pem(v: &str, attr: &str) -> Result<Vec<u8>, Diagnostic> {
    if v.trim_start().starts_with("-----BEGIN") {
        return Ok(v.as_bytes().to_vec());
    }
    std::fs::read(v).map_err(|e| {
        let os = e.raw_os_error().map_or_else(|| e.kind().to_string(), |_| e.to_string());
        unreadable_pem(attr, &os)
    })
}

/// A bearer token over plain HTTP to another machine: said at every plan.
fn cleartext(u: &url::Url) -> Option<Diagnostic> {
    let loopback = match u.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    };
    (u.scheme() == "http" && !loopback).then(plain_http)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A provider block with `set`, every other attribute null.
    fn block(set: &[(&str, Value)]) -> ProviderModel {
        let mut m = ProviderModel::default();
        let mut v = m.encode();
        for (k, x) in set {
            v.set(k, x.clone());
        }
        m = ProviderModel::decode(&v);
        m
    }

    fn from(set: &[(&str, Value)], env: &[(&str, &str)]) -> Result<Settings, Diagnostic> {
        Settings::from(&block(set), &env.iter().copied().collect::<BTreeMap<_, _>>())
    }

    #[test]
    fn the_block_beats_the_environment_and_the_environment_fills_in() {
        let s =
            from(&[], &[("GRAFANA_URL", "https://g.example"), ("GRAFANA_AUTH", "glsa_x"), ("GRAFANA_RETRIES", "7")])
                .unwrap();
        assert_eq!(s.client.url.as_ref().map(url::Url::as_str), Some("https://g.example/"));
        assert_eq!(s.client.max_retries, 7);
        assert!(s.amg.is_none());
        let s = from(
            &[("url", Value::string("https://h.example")), ("retries", Value::int(2))],
            &[("GRAFANA_URL", "https://g.example"), ("GRAFANA_RETRIES", "7")],
        )
        .unwrap();
        assert_eq!(
            (s.client.url.as_ref().map(url::Url::as_str), s.client.max_retries),
            (Some("https://h.example/"), 2)
        );
    }

    #[test]
    fn one_auth_mode_and_amg_settings_with_their_defaults() {
        let e =
            from(&[("workspace_id", Value::string("g-abc1234567")), ("auth", Value::string("t"))], &[]).unwrap_err();
        assert_eq!(
            (e.summary.as_str(), e.path.map(|p| p.to_string())),
            ("Two ways to authenticate", Some("auth".into()))
        );
        let e = from(&[], &[("GRAFANA_AMG_WORKSPACE_ID", "g-abc1234567"), ("GRAFANA_AUTH", "t")]).unwrap_err();
        assert_eq!(e.path.map(|p| p.to_string()).as_deref(), Some("workspace_id"));
        // The block's workspace beats a token in the environment; GRAFANA_URL is then ignored, said.
        let s = from(
            &[("workspace_id", Value::string("g-abc1234567"))],
            &[("GRAFANA_AUTH", "t"), ("GRAFANA_URL", "https://elsewhere")],
        )
        .unwrap();
        let amg = s.amg.expect("AMG mode");
        assert_eq!((amg.ttl, amg.ready_timeout), (Duration::from_secs(900), Duration::from_secs(600)));
        assert!(s.client.url.is_none() && s.client.url_must_be_the_sources);
        assert_eq!(s.warnings[0].summary, "GRAFANA_URL ignored");
        let e = from(&[("workspace_id", Value::string("my-workspace"))], &[]).unwrap_err();
        assert!(e.detail.contains("not an AMG workspace id"), "{e:?}");
        let e = from(&[("workspace_id", Value::string("g-abc1234567")), ("token_ttl_seconds", Value::int(1))], &[])
            .unwrap_err();
        assert_eq!(e.summary, "Invalid token_ttl_seconds");
    }

    #[test]
    fn environment_values_are_checked_by_the_same_rules_as_the_block() {
        type Case<'a> = (&'a [(&'a str, &'a str)], &'a str, &'a str);
        let cases: &[Case] = &[
            (&[("GRAFANA_RETRIES", "many")], "Invalid GRAFANA_RETRIES", "retries"),
            (&[("GRAFANA_RETRIES", "99")], "Invalid retries", "retries"),
            (&[("GRAFANA_ORG_ID", "3")], "Unsupported organisation", "org_id"),
            (&[("GRAFANA_RETRY_STATUS_CODES", "5xx,oops")], "Invalid retry status code", "retry_status_codes"),
            (&[("GRAFANA_HTTP_HEADERS", "not json")], "Invalid GRAFANA_HTTP_HEADERS", "http_headers"),
            (&[("GRAFANA_TLS_CERT", "-----BEGIN CERTIFICATE-----")], "tls_cert and tls_key go together", "tls_key"),
            (&[("GRAFANA_CA_CERT", "/no/such/ca.pem")], "Cannot read ca_cert", "ca_cert"),
        ];
        for (env, summary, path) in cases {
            let mut env = env.to_vec();
            env.push(("GRAFANA_URL", "https://g.example"));
            let e = from(&[], &env).unwrap_err();
            assert_eq!(
                (e.summary.as_str(), e.path.map(|p| p.to_string()).as_deref()),
                (*summary, Some(*path)),
                "{env:?}"
            );
        }
        // At validate, the same rules on the block as written.
        let mut d = Diagnostics::default();
        let written =
            block(&[("retries", Value::int(99)), ("org_id", Value::int(3)), ("grafana_role", Value::string("OWNER"))]);
        check_block(&written.encode(), &mut d);
        let summaries: Vec<&str> = d.0.iter().map(|d| d.summary.as_str()).collect();
        assert_eq!(summaries, ["Unsupported organisation", "Invalid retries", "Invalid grafana_role"]);
    }

    #[test]
    fn insecure_from_the_environment_is_refused_with_amg_and_warned_otherwise() {
        let e = from(&[("workspace_id", Value::string("g-abc1234567"))], &[("GRAFANA_INSECURE_SKIP_VERIFY", "true")])
            .unwrap_err();
        assert_eq!(e.summary, "GRAFANA_INSECURE_SKIP_VERIFY refused with AMG-native auth");
        let s = from(&[], &[("GRAFANA_URL", "http://g.example"), ("GRAFANA_INSECURE_SKIP_VERIFY", "1")]).unwrap();
        let said: Vec<&str> = s.warnings.iter().map(|w| w.summary.as_str()).collect();
        assert_eq!(
            said,
            ["Grafana reached over plain HTTP", "insecure_skip_verify: Grafana's certificate is not checked"]
        );
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
        assert_eq!(load_pem(pem, "ca_cert").unwrap(), pem.as_bytes());
        let f = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(f.path(), pem).unwrap();
        assert_eq!(load_pem(f.path().to_str().unwrap(), "ca_cert").unwrap(), pem.as_bytes());
        let d = load_pem("/no/such/ca.pem", "ca_cert").unwrap_err();
        assert_eq!(d.summary, "Cannot read ca_cert");
        assert_eq!(d.path, Some(crate::diag::AttrPath::attr("ca_cert")));
    }
}
