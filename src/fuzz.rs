//! Property-based fuzz targets (proptest, stable Rust) for everything that parses bytes from
//! outside: Terraform's msgpack and JSON values, raw states to upgrade, dashboard models, data
//! source JSON, and Grafana's answers (`grafana::tests::fuzz_grafana_answers`, which needs the
//! client's loopback test server). Each must never panic, whatever the input.
//!
//! `cargo test` runs each target for 256 cases. `cargo xtask fuzz <target> --minutes N` runs one
//! for N minutes (`FUZZ_SECONDS`), in release mode; a failure prints the shrunk input.
//! Targets: `value`, `state_upgrade`, `dashboard`, `datasource_json`, `grafana_answers`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::Value as Json;

use crate::value::{Type, Value};

/// Runs `test` on inputs from `strategy`: 256 cases, or for `FUZZ_SECONDS` seconds.
pub(crate) fn fuzz<S: Strategy>(strategy: S, test: impl Fn(S::Value)) {
    let deadline = std::env::var("FUZZ_SECONDS")
        .ok()
        .and_then(|s| s.parse::<u64>().ok())
        .map(|s| Instant::now() + Duration::from_secs(s));
    let mut rounds = 0u64;
    loop {
        let mut runner = TestRunner::new(Config { cases: 256, failure_persistence: None, ..Config::default() });
        if let Err(e) = runner.run(&strategy, |v| {
            test(v);
            Ok(())
        }) {
            panic!("{e}");
        }
        rounds += 1;
        match deadline {
            Some(d) if Instant::now() < d => continue,
            Some(_) => {
                eprintln!("fuzz: {} cases, no failure", rounds * 256);
                return;
            }
            None => return,
        }
    }
}

fn types() -> impl Strategy<Value = Type> {
    let leaf = prop_oneof![Just(Type::String), Just(Type::Number), Just(Type::Bool)];
    leaf.prop_recursive(4, 24, 4, |inner| {
        prop_oneof![
            inner.clone().prop_map(Type::list),
            inner.clone().prop_map(Type::set),
            inner.clone().prop_map(Type::map),
            proptest::collection::btree_map("[a-z_]{1,6}", inner, 0..5).prop_map(Type::Object),
        ]
    })
}

/// Any JSON value, nested a few levels.
pub(crate) fn json() -> impl Strategy<Value = Json> {
    let leaf = prop_oneof![
        Just(Json::Null),
        any::<bool>().prop_map(Json::Bool),
        any::<i64>().prop_map(Json::from),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(Json::from),
        ".{0,12}".prop_map(Json::String),
        prop_oneof![Just("${DS_PROM}"), Just("uid"), Just("title"), Just("__inputs"), Just("httpHeaderName1")]
            .prop_map(|s| Json::String(s.to_string())),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..6).prop_map(Json::Array),
            proptest::collection::btree_map(
                prop_oneof![
                    "[a-zA-Z_]{1,8}",
                    Just("uid".to_string()),
                    Just("title".to_string()),
                    Just("panels".to_string()),
                    Just("__inputs".to_string()),
                    Just("name".to_string()),
                    Just("type".to_string()),
                    Just("value".to_string()),
                    Just("httpHeaderName1".to_string()),
                    Just("sigV4AuthType".to_string()),
                ],
                inner,
                0..6
            )
            .prop_map(|m| Json::Object(m.into_iter().collect())),
        ]
    })
}

/// Bytes that are sometimes well-formed: raw noise, or an encoding of something real with a
/// few bytes changed.
pub(crate) fn bytes_like(valid: impl Strategy<Value = Vec<u8>>) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..512),
        (valid, proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..4)).prop_map(
            |(mut b, edits)| {
                for (i, byte) in edits {
                    if !b.is_empty() {
                        let at = i.index(b.len());
                        b[at] = byte;
                    }
                }
                b
            }
        ),
    ]
}

#[test]
fn fuzz_value() {
    let msgpack = json().prop_map(|j| {
        let mut out = Vec::new();
        rmpv::encode::write_value(&mut out, &to_rmpv(&j)).unwrap();
        out
    });
    let input = (types(), bytes_like(msgpack), bytes_like(json().prop_map(|j| j.to_string().into_bytes())));
    fuzz(input, |(ty, mp, js)| {
        if let Ok(v) = Value::from_msgpack(&mp, &ty) {
            // What decodes encodes, and decodes to the same value again (the same number may
            // change representation, 0.0 becoming 0: compare the encodings).
            let bytes = v.to_msgpack(&ty);
            let again = Value::from_msgpack(&bytes, &ty).expect("a re-encoded value decodes");
            assert_eq!(again.to_msgpack(&ty), bytes);
        }
        let _ = Value::from_json(&js, &ty);
    });
}

#[test]
fn fuzz_state_upgrade() {
    let resources = crate::resources::all();
    let state = prop_oneof![
        json().prop_map(|j| j.to_string().into_bytes()),
        proptest::collection::btree_map(
            prop_oneof![
                Just("config_json"),
                Just("uid"),
                Just("title"),
                Just("folder"),
                Just("id"),
                Just("org_id"),
                Just("json_data_encoded"),
                Just("http_headers"),
                Just("version"),
                Just("parent_folder_uid"),
            ],
            json(),
            0..8
        )
        .prop_map(|m| serde_json::to_vec(&m).unwrap()),
    ];
    fuzz((0..resources.len(), -1i64..4, bytes_like(state)), |(r, version, raw)| {
        let mut diags = crate::diag::Diagnostics::default();
        let _ = resources[r].upgrade_state(version, &raw, &mut diags);
    });
}

#[test]
fn fuzz_dashboard() {
    use crate::dashboard_json as dj;
    let text = || prop_oneof![json().prop_map(|j| j.to_string()), ".{0,64}"];
    let inputs = proptest::collection::btree_map("[A-Z_]{1,6}", ".{0,6}", 0..3);
    fuzz((text(), text(), inputs), |(text, other, inputs): (String, String, BTreeMap<String, String>)| {
        // The quick check (validation, plans) agrees with the full parse.
        match (dj::parse(&text), dj::check(&text)) {
            (Ok(m), Ok(h)) => assert_eq!(dj::uid_of(&m), h.uid()),
            (Err(a), Err(b)) => assert_eq!(a.summary, b.summary, "{text:?}"),
            (a, b) => panic!("parse {a:?} but check {b:?} for {text:?}"),
        }
        let Ok(m) = dj::parse(&text) else { return };
        let subs = dj::Subs::new(m.get("__inputs"), &inputs);
        let up = dj::upload(m.clone(), &inputs);
        let a = dj::comparable(up.clone(), None);
        assert_eq!(a, dj::comparable(up.clone(), None), "the canonical form is deterministic");
        // The comparison without building forms agrees with comparing the canonical forms: on
        // the upload written back pretty (the same model, but for floats serde_json does not
        // read back exactly) and on another model.
        let pretty: dj::Model = serde_json::from_str(&serde_json::to_string_pretty(&up).unwrap()).unwrap();
        let others = [Some(pretty), dj::parse(&other).ok()];
        for o in others.iter().flatten() {
            let expected = a == dj::comparable(o.clone(), None);
            assert_eq!(dj::same_meaning(&m, &subs, o, &dj::Subs::none()), expected, "{text:?} against {o:?}");
        }
        let _ = dj::without_server_fields(&m);
        let _ = dj::declared_inputs(m.get("__inputs"));
    });
}

#[test]
fn fuzz_datasource_json() {
    use crate::datasource_json as dsj;
    let text = prop_oneof![json().prop_map(|j| j.to_string()), ".{0,64}"];
    let headers = proptest::collection::btree_map(".{0,8}", ".{0,8}", 0..4);
    fuzz((text.clone(), text, headers, ".{0,12}"), |(a, b, headers, kind)| {
        let _ = dsj::parse_secrets(&a);
        if let (Ok(x), Ok(y)) = (dsj::parse_object(&a), dsj::parse_object(&b)) {
            assert!(dsj::same_json(&x, &x));
            let _ = dsj::same_json(&x, &y);
            let _ = dsj::check_json_data(&kind, &x);
            let _ = dsj::header_names(&x);
            let _ = dsj::without_headers(&x);
            let _ = dsj::header_keys_in(&x);
        }
        let (numbered, _) = dsj::number_headers(&headers);
        assert_eq!(dsj::header_names(&numbered).len(), headers.len(), "every header numbered and read back");
    });
}

/// serde_json → rmpv, for well-formed msgpack inputs.
fn to_rmpv(j: &Json) -> rmpv::Value {
    match j {
        Json::Null => rmpv::Value::Nil,
        Json::Bool(b) => rmpv::Value::Boolean(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) => rmpv::Value::from(i),
            None => rmpv::Value::F64(n.as_f64().unwrap_or(0.0)),
        },
        Json::String(s) => rmpv::Value::from(s.as_str()),
        Json::Array(xs) => rmpv::Value::Array(xs.iter().map(to_rmpv).collect()),
        Json::Object(m) => {
            rmpv::Value::Map(m.iter().map(|(k, v)| (rmpv::Value::from(k.as_str()), to_rmpv(v))).collect())
        }
    }
}
