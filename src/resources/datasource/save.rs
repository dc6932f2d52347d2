//! The Grafana side of a data source: the secrets a configuration sets, the add or update
//! request made of a plan, the state made of Grafana's answer, and the error messages.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value as Json};

use super::{AMAZON_PROMETHEUS, DataSourceModel};
use crate::datasource_json as dsj;
use crate::diag::{Diagnostic, Diagnostics, api_error};
use crate::grafana::{self, Client, DataSource, DataSourceRequest};
use crate::model::{Attr, Model};
use crate::value::Value;

/// The secrets and headers a configuration sets (write-only or kept in state).
#[derive(Default)]
pub(super) struct Secrets {
    pub(super) secure: BTreeMap<String, String>,
    pub(super) headers: BTreeMap<String, String>,
    /// Header names Grafana holds, sent back in order with no value (Grafana keeps the values
    /// it is not sent) when the configuration leaves secrets alone ([`Secrets::left_alone`]).
    pub(super) kept_header_names: Vec<String>,
}

impl Secrets {
    /// Whether the configuration sets none of the four secret attributes: the data source's
    /// secrets are then left as Grafana holds them, as the official provider leaves them (an
    /// adopted data source keeps the secrets its generated configuration cannot carry).
    pub(super) fn left_alone(c: &DataSourceModel) -> bool {
        c.secure_json_data_encoded.is_null()
            && c.secure_json_data_encoded_wo.is_null()
            && c.http_headers.is_null()
            && c.http_headers_wo.is_null()
    }

    /// None while a value is unknown (at plan time).
    pub(super) fn of(c: &DataSourceModel) -> Option<Secrets> {
        let text = match (&c.secure_json_data_encoded_wo, &c.secure_json_data_encoded) {
            (a, b) if a.is_unknown() || b.is_unknown() => return None,
            (Attr::Known(t), _) | (_, Attr::Known(t)) => Some(t.as_str()),
            _ => None,
        };
        let headers = match (&c.http_headers_wo, &c.http_headers) {
            (a, b) if a.is_unknown() || b.is_unknown() => return None,
            (Attr::Known(h), _) | (_, Attr::Known(h)) => h.clone(),
            _ => BTreeMap::new(),
        };
        let secure = text.map(dsj::parse_secrets).transpose().ok()?.unwrap_or_default();
        Some(Secrets { secure, headers, kept_header_names: Vec::new() })
    }

    pub(super) fn keys(&self) -> BTreeSet<String> {
        dsj::expected_secret_keys(&self.secure, self.headers.len())
    }
}

/// The add or update request: the planned settings, the configured secrets and headers, and
/// `""` for every secret Grafana holds that the configuration no longer sets.
pub(super) fn request(
    p: &DataSourceModel,
    uid: &str,
    s: &Secrets,
    held: &BTreeSet<String>,
    version: Option<i64>,
) -> DataSourceRequest {
    let mut json_data = p.json_data_encoded.as_str().and_then(|t| dsj::parse_object(t).ok()).unwrap_or_default();
    let (names, values) = dsj::number_headers(&s.headers);
    json_data.extend(names);
    for (i, name) in s.kept_header_names.iter().enumerate() {
        json_data.insert(format!("httpHeaderName{}", i + 1), Json::String(name.clone()));
    }
    let mut secure: BTreeMap<String, String> = held.iter().map(|k| (k.clone(), String::new())).collect();
    secure.extend(s.secure.clone());
    secure.extend(values);
    let text = |a: &Attr<String>| a.as_str().unwrap_or_default().to_string();
    DataSourceRequest {
        name: text(&p.name),
        kind: text(&p.kind),
        uid: uid.to_string(),
        access: p.access_mode.as_str().unwrap_or("proxy").to_string(),
        url: text(&p.url),
        user: text(&p.username),
        database: text(&p.database_name),
        basic_auth: p.basic_auth_enabled.is_true(),
        basic_auth_user: text(&p.basic_auth_username),
        is_default: p.is_default.is_true(),
        json_data,
        secure_json_data: secure,
        version,
    }
}

/// Whether Grafana holds the settings a request sent (after a lost answer).
pub(super) fn same_settings(req: &DataSourceRequest, ds: &DataSource) -> bool {
    ds.name == req.name
        && ds.url == req.url
        && dsj::same_json(ds.json_data.as_ref().unwrap_or(&Map::new()), &req.json_data)
}

/// The state for a data source as Grafana holds it: the configuration's text where it means
/// the same, Grafana's values where they differ (drift), never a secret.
pub(super) fn state(prior: &DataSourceModel, ds: &DataSource, diags: &mut Diagnostics) -> Value {
    let remote_json = ds.json_data.clone().unwrap_or_default();
    let settings = dsj::without_headers(&remote_json);
    let json_data_encoded = match prior.json_data_encoded.as_str().map(dsj::parse_object) {
        Some(Ok(m)) if dsj::same_json(&m, &settings) => prior.json_data_encoded.clone(),
        None if settings.is_empty() => Attr::Null,
        _ if settings.is_empty() && prior.json_data_encoded.as_str().is_some_and(|t| t.trim() == "{}") => {
            prior.json_data_encoded.clone()
        }
        _ => Attr::from(serde_json::to_string(&Json::Object(settings.clone())).expect("JSON serialises")),
    };
    // Grafana 12+ may convert a prometheus data source with SigV4: the same data source.
    let kind = match prior.kind.as_str() {
        Some("prometheus")
            if ds.kind == AMAZON_PROMETHEUS && settings.get("sigV4Auth").and_then(Json::as_bool) == Some(true) =>
        {
            diags.push(Diagnostic::warning(
                "Grafana converted this data source to Amazon Managed Service for Prometheus",
                format!(
                    "Grafana holds data source {:?} as `{AMAZON_PROMETHEUS}`: Grafana 12 and later convert \
                        `prometheus` data sources that use SigV4. The provider takes `type = \"prometheus\"` as \
                        meaning the same, so nothing is planned; set `type = \"{AMAZON_PROMETHEUS}\"` to match Grafana \
                        and silence this warning.",
                    ds.name
                ),
            ));
            prior.kind.clone()
        }
        _ => Attr::from(ds.kind.clone()),
    };
    // The first data source is forced default; a configured `false` stays.
    let is_default =
        if ds.is_default && prior.is_default.known() == Some(&false) { false.into() } else { ds.is_default.into() };
    DataSourceModel {
        name: ds.name.clone().into(),
        kind,
        uid: ds.uid.clone().into(),
        url: Attr::from_option(Some(ds.url.clone()).filter(|u| !u.is_empty() || !prior.url.is_null())),
        access_mode: ds.access.clone().into(),
        basic_auth_enabled: ds.basic_auth.into(),
        basic_auth_username: ds.basic_auth_user.clone().into(),
        database_name: ds.database.clone().into(),
        username: ds.user.clone().into(),
        is_default,
        json_data_encoded,
        http_headers: prior.http_headers.clone(),
        secure_json_data_encoded: prior.secure_json_data_encoded.clone(),
        secure_json_data_encoded_wo: Attr::Null,
        secure_json_data_encoded_wo_version: prior.secure_json_data_encoded_wo_version.clone(),
        http_headers_wo: Attr::Null,
        http_headers_wo_version: prior.http_headers_wo_version.clone(),
        secure_json_fields: ds.secret_keys().into(),
        http_header_names: dsj::header_names(&remote_json).into(),
        version: ds.version.into(),
        id: crate::resources::official_id(&prior.id, &ds.uid),
        org_id: crate::resources::org_id_of(&prior.org_id),
        private_data_source_connect_network_id: prior.private_data_source_connect_network_id.clone(),
    }
    .encode()
}

pub(super) fn headers_in_json(attr: &str, keys: &[String]) -> Diagnostic {
    Diagnostic::error(
        "Custom headers belong in http_headers",
        format!(
            "`{attr}` sets {keys:?}. Set custom headers with `http_headers_wo` (or `http_headers`) as a map of name to \
                value: the provider numbers them in name order, so a plan never reshuffles them."
        ),
    )
    .at_attr(attr)
}

pub(super) fn read_only(ds: &DataSource) -> Diagnostic {
    Diagnostic::error(
        "The data source is provisioned (read-only)",
        format!(
            "Data source {:?} ({}) is provisioned from files, and Grafana refuses changes to it through the API, so \
                Terraform cannot manage it. Look it up with the `grafana_datasource` data source instead.",
            ds.name, ds.uid
        ),
    )
}

/// A refused add or update: a name or uid conflict names the data source and how to import it.
/// Grafana holds another data source with the same `by` (`uid` or `name`).
pub(super) fn already_exists(ds: &DataSource, by: &str) -> Diagnostic {
    Diagnostic::error(
        format!("A data source with this {by} already exists"),
        format!(
            "Grafana already has data source {} (uid {}, type {}). Another resource in this configuration may manage \
                it: when two data sources swap {by}s, rename in two applies (first to a free {by}); or give each a \
                distinct {by}. If it is not managed here: to manage it with Terraform, import it (`terraform import \
                <address> {}`, or an import block); or choose another {by}.",
            crate::diag::quote(&ds.name),
            ds.uid,
            ds.kind,
            ds.uid
        ),
    )
    .at_attr(by)
}

pub(super) async fn conflict_or(
    client: &Client,
    req: &DataSourceRequest,
    what: &str,
    e: &grafana::Error,
) -> Diagnostic {
    if let grafana::Error::Api { status: 409, message, .. } = e {
        let existing = if message.contains("same uid") {
            client.get_datasource(&req.uid).await.ok()
        } else if message.contains("same name") {
            client.get_datasource_by_name(&req.name).await.ok()
        } else {
            None
        };
        if let Some(ds) = existing {
            return already_exists(&ds, if message.contains("same uid") { "uid" } else { "name" });
        }
    }
    api_error(format!("Could not {what} data source {}", crate::diag::quote(&req.name)), e)
}

/// The data source that is Grafana's default now, other than `uid`, when this save makes `uid`
/// the default (Grafana keeps one: the other one's `isDefault` turns false). One list request,
/// only for a save that sets the default on a data source that was not it.
pub(super) async fn default_to_move(
    client: &Client,
    uid: &str,
    req: &DataSourceRequest,
    was_default: bool,
) -> Option<grafana::DataSourceSummary> {
    if !req.is_default || was_default {
        return None;
    }
    client.list_datasources().await.ok()?.into_iter().find(|d| d.is_default && d.uid != uid)
}

/// Grafana moved the default away from `from`: if `from` is configured as the default too, the
/// two flip on every apply.
pub(super) fn default_moved(from: &grafana::DataSourceSummary, name: &str) -> Diagnostic {
    Diagnostic::warning(
        "The default data source changed",
        format!(
            "Grafana keeps one default data source: making {} the default turned off `is_default` on data source {} \
                (uid {}). If that one is configured with `is_default = true` as well, the two take the default from \
                each other on every apply: set `is_default = true` on one data source only.",
            crate::diag::quote(name),
            crate::diag::quote(&from.name),
            from.uid
        ),
    )
    .at_attr("is_default")
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn grafana_holds(j: Json) -> DataSource {
        serde_json::from_value(j).expect("a data source as Grafana answers it")
    }

    fn model(json_data: Option<&str>) -> DataSourceModel {
        DataSourceModel {
            name: "AMP".into(),
            kind: "prometheus".into(),
            url: "https://aps.example".into(),
            json_data_encoded: Attr::from_option(json_data.map(str::to_string)),
            ..Default::default()
        }
    }

    #[test]
    fn a_request_sends_the_configured_secrets_numbers_the_headers_and_blanks_secrets_no_longer_set() {
        let p = model(Some(r#"{"httpMethod":"POST"}"#));
        let s = Secrets {
            secure: BTreeMap::from([("basicAuthPassword".into(), "pw".into())]),
            headers: BTreeMap::from([("X-B".into(), "b".into()), ("X-A".into(), "a".into())]),
            kept_header_names: Vec::new(),
        };
        let held = BTreeSet::from(["oldKey".to_string(), "basicAuthPassword".to_string()]);
        let req = request(&p, "amp", &s, &held, Some(3));
        assert_eq!((req.uid.as_str(), req.access.as_str(), req.version), ("amp", "proxy", Some(3)));
        assert_eq!(
            Json::Object(req.json_data.clone()),
            json!({"httpMethod": "POST", "httpHeaderName1": "X-A", "httpHeaderName2": "X-B"})
        );
        let sent: Vec<(&str, &str)> = req.secure_json_data.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        assert_eq!(
            sent,
            [("basicAuthPassword", "pw"), ("httpHeaderValue1", "a"), ("httpHeaderValue2", "b"), ("oldKey", "")]
        );
        assert_eq!(
            s.keys(),
            BTreeSet::from(["basicAuthPassword".into(), "httpHeaderValue1".into(), "httpHeaderValue2".into()])
        );
    }

    #[test]
    fn secrets_are_not_known_while_any_of_them_is_unknown() {
        let mut c = model(None);
        c.secure_json_data_encoded_wo = Attr::unknown();
        assert!(Secrets::of(&c).is_none());
        let mut c = model(None);
        c.http_headers = Attr::unknown();
        assert!(Secrets::of(&c).is_none());
        let mut c = model(None);
        c.secure_json_data_encoded = r#"{"password":"p"}"#.to_string().into();
        let s = Secrets::of(&c).expect("known");
        assert_eq!(s.secure.get("password").map(String::as_str), Some("p"));
    }

    #[test]
    fn settings_held_after_a_lost_answer_are_recognised_in_any_key_order() {
        let req = request(&model(Some(r#"{"a":1,"b":[1,2]}"#)), "amp", &Secrets::default(), &BTreeSet::new(), None);
        let held = |json_data: Json| {
            grafana_holds(
                json!({"uid": "amp", "name": "AMP", "type": "prometheus", "url": "https://aps.example", "jsonData": json_data}),
            )
        };
        assert!(same_settings(&req, &held(json!({"b": [1, 2], "a": 1.0}))));
        assert!(!same_settings(&req, &held(json!({"a": 2, "b": [1, 2]}))));
    }

    #[test]
    fn the_state_keeps_the_configurations_text_where_grafana_means_the_same_and_shows_drift_where_not() {
        let prior = model(Some(r#"{ "timeInterval": "30s", "httpMethod": "POST" }"#));
        let base =
            json!({"uid": "amp", "name": "AMP", "type": "prometheus", "url": "https://aps.example", "version": 4});
        let mut same = base.clone();
        same["jsonData"] = json!({"httpMethod": "POST", "timeInterval": "30s", "httpHeaderName1": "X-A"});
        let mut d = Diagnostics::default();
        let v = DataSourceModel::decode(&state(&prior, &grafana_holds(same), &mut d));
        assert_eq!(v.json_data_encoded, prior.json_data_encoded, "the configuration's text stands");
        assert_eq!(v.http_header_names.known().cloned(), Some(vec!["X-A".to_string()]));
        assert!(d.0.is_empty());
        let mut drifted = base.clone();
        drifted["jsonData"] = json!({"httpMethod": "GET", "timeInterval": "30s"});
        let v = DataSourceModel::decode(&state(&prior, &grafana_holds(drifted), &mut d));
        let text = v.json_data_encoded.as_str().expect("Grafana's settings");
        assert_eq!(serde_json::from_str::<Json>(text).unwrap(), json!({"httpMethod": "GET", "timeInterval": "30s"}));
    }

    #[test]
    fn the_state_holds_which_secrets_grafana_has_never_their_values() {
        let mut prior = model(None);
        prior.secure_json_data_encoded_wo = r#"{"password":"s3cret"}"#.to_string().into();
        prior.secure_json_data_encoded_wo_version = 2.into();
        let held = grafana_holds(json!({
            "uid": "amp", "name": "AMP", "type": "prometheus", "url": "https://aps.example",
            "secureJsonFields": {"password": true, "basicAuthPassword": true}
        }));
        let v = state(&prior, &held, &mut Diagnostics::default());
        assert!(!format!("{v:?}").contains("s3cret"), "{v:?}");
        let m = DataSourceModel::decode(&v);
        assert!(m.secure_json_data_encoded_wo.is_null());
        assert_eq!(m.secure_json_data_encoded_wo_version, prior.secure_json_data_encoded_wo_version);
        assert_eq!(m.secure_json_fields.known().cloned(), Some(vec!["basicAuthPassword".into(), "password".into()]));
    }

    #[test]
    fn a_prometheus_data_source_grafana_converted_to_amp_is_the_same_with_a_warning() {
        let prior = model(Some(r#"{"sigV4Auth":true}"#));
        let held = grafana_holds(json!({
            "uid": "amp", "name": "AMP", "type": AMAZON_PROMETHEUS, "url": "https://aps.example",
            "jsonData": {"sigV4Auth": true}
        }));
        let mut d = Diagnostics::default();
        let m = DataSourceModel::decode(&state(&prior, &held, &mut d));
        assert_eq!(m.kind.as_str(), Some("prometheus"));
        assert!(d.0.len() == 1 && d.0[0].summary.contains("Amazon Managed Service for Prometheus"), "{:?}", d.0);
        // Without SigV4 it is another type: drift.
        let held = grafana_holds(json!({"uid": "amp", "name": "AMP", "type": AMAZON_PROMETHEUS, "jsonData": {}}));
        let m = DataSourceModel::decode(&state(&model(None), &held, &mut Diagnostics::default()));
        assert_eq!(m.kind.as_str(), Some(AMAZON_PROMETHEUS));
    }

    #[test]
    fn a_configured_false_is_default_stays_false_when_grafana_forces_the_first_data_source_default() {
        let mut prior = model(None);
        prior.is_default = false.into();
        let forced = grafana_holds(json!({"uid": "amp", "name": "AMP", "type": "prometheus", "isDefault": true}));
        let m = DataSourceModel::decode(&state(&prior, &forced, &mut Diagnostics::default()));
        assert_eq!(m.is_default.known(), Some(&false));
        let m = DataSourceModel::decode(&state(&model(None), &forced, &mut Diagnostics::default()));
        assert_eq!(m.is_default.known(), Some(&true), "unset: Grafana's value");
    }
}
