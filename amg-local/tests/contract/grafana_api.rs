//! Each behaviour of `amg-local/reference/grafana-api.md` §2–5, on both version profiles: status code and body.
//! Rows run in order against one emulator per profile; some rows set up what later rows need.

use serde_json::{Value, json};

use crate::support::{Emu, call};

#[derive(Clone, Copy, PartialEq, Debug)]
enum P {
    V10,
    V12,
}

enum Want {
    /// The body, exactly.
    Body(Value),
    /// The body's top-level keys, exactly (values vary: ids, timestamps).
    Keys(&'static [&'static str]),
}

struct Row {
    what: &'static str,
    method: &'static str,
    path: &'static str,
    body: Option<&'static str>,
    want: fn(P) -> (u16, Want),
}

fn rows() -> Vec<Row> {
    use Want::*;
    let r = |what, method, path, body, want| Row { what, method, path, body, want };
    vec![
        // ---- §3 folders ----
        r("create folder", "POST", "/api/folders", Some(r#"{"uid":"team-a","title":"Team A"}"#), |_| {
            (
                200,
                Keys(&[
                    "id",
                    "uid",
                    "orgId",
                    "title",
                    "url",
                    "hasAcl",
                    "canSave",
                    "canEdit",
                    "canAdmin",
                    "canDelete",
                    "createdBy",
                    "created",
                    "updatedBy",
                    "updated",
                    "version",
                ]),
            )
        }),
        r("folder title empty", "POST", "/api/folders", Some(r#"{"title":"  "}"#), |_| {
            (400, Body(json!({"message": "folder title cannot be empty"})))
        }),
        r("folder uid illegal", "POST", "/api/folders", Some(r#"{"title":"x","uid":"a/b"}"#), |_| {
            (400, Body(json!({"message": "uid contains illegal characters"})))
        }),
        r(
            "folder uid too long",
            "POST",
            "/api/folders",
            Some(r#"{"title":"x","uid":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}"#),
            |_| (400, Body(json!({"message": "uid too long, max 40 characters"}))),
        ),
        r("folder named General", "POST", "/api/folders", Some(r#"{"title":"General"}"#), |_| {
            (400, Body(json!({"message": "A folder with that name already exists"})))
        }),
        r("folder uid taken", "POST", "/api/folders", Some(r#"{"uid":"team-a","title":"Other"}"#), |_| {
            (409, Body(json!({"message": "a folder/dashboard with the same uid already exists"})))
        }),
        r(
            "folder title taken (unique on 10.4 only)",
            "POST",
            "/api/folders",
            Some(r#"{"uid":"team-a2","title":"Team A"}"#),
            |p| match p {
                P::V10 => (
                    409,
                    Body(
                        json!({"message": "a folder or dashboard in the general folder with the same name already exists"}),
                    ),
                ),
                P::V12 => (
                    200,
                    Keys(&[
                        "id",
                        "uid",
                        "orgId",
                        "title",
                        "url",
                        "hasAcl",
                        "canSave",
                        "canEdit",
                        "canAdmin",
                        "canDelete",
                        "createdBy",
                        "created",
                        "updatedBy",
                        "updated",
                        "version",
                    ]),
                ),
            },
        ),
        r("get folder missing", "GET", "/api/folders/nope", None, |_| {
            (404, Body(json!({"message": "folder not found", "status": "not-found"})))
        }),
        r(
            "rename folder with stale version",
            "PUT",
            "/api/folders/team-a",
            Some(r#"{"title":"Team A!","version":7}"#),
            |p| match p {
                P::V10 => (
                    412,
                    Body(
                        json!({"message": "the folder has been changed by someone else", "status": "version-mismatch"}),
                    ),
                ),
                // folderimpl/unifiedstore.go `Update` (see fidelity.rs, row 4).
                P::V12 => (412, Body(json!({"message": "The dashboard has been changed by someone else"}))),
            },
        ),
        r(
            "rename folder with overwrite",
            "PUT",
            "/api/folders/team-a",
            Some(r#"{"title":"Team A","overwrite":true}"#),
            |_| {
                (
                    200,
                    Keys(&[
                        "id",
                        "uid",
                        "orgId",
                        "title",
                        "url",
                        "hasAcl",
                        "canSave",
                        "canEdit",
                        "canAdmin",
                        "canDelete",
                        "createdBy",
                        "created",
                        "updatedBy",
                        "updated",
                        "version",
                    ]),
                )
            },
        ),
        r(
            "create nested folder (parentUid ignored on 10.4)",
            "POST",
            "/api/folders",
            Some(r#"{"uid":"sub","title":"Sub","parentUid":"team-a"}"#),
            |p| match p {
                P::V10 => (
                    200,
                    Keys(&[
                        "id",
                        "uid",
                        "orgId",
                        "title",
                        "url",
                        "hasAcl",
                        "canSave",
                        "canEdit",
                        "canAdmin",
                        "canDelete",
                        "createdBy",
                        "created",
                        "updatedBy",
                        "updated",
                        "version",
                    ]),
                ),
                P::V12 => (
                    200,
                    Keys(&[
                        "id",
                        "uid",
                        "orgId",
                        "title",
                        "url",
                        "hasAcl",
                        "canSave",
                        "canEdit",
                        "canAdmin",
                        "canDelete",
                        "createdBy",
                        "created",
                        "updatedBy",
                        "updated",
                        "version",
                        "parentUid",
                        "parents",
                    ]),
                ),
            },
        ),
        r("move folder (nested folders: 12.4)", "POST", "/api/folders/sub/move", Some(r#"{"parentUid":""}"#), |p| {
            match p {
                P::V10 => (404, Body(json!({"message": "Not found"}))),
                P::V12 => (
                    200,
                    Keys(&[
                        "id",
                        "uid",
                        "orgId",
                        "title",
                        "url",
                        "hasAcl",
                        "canSave",
                        "canEdit",
                        "canAdmin",
                        "canDelete",
                        "createdBy",
                        "created",
                        "updatedBy",
                        "updated",
                        "version",
                    ]),
                ),
            }
        }),
        r(
            "move folder under itself",
            "POST",
            "/api/folders/team-a/move",
            Some(r#"{"parentUid":"team-a"}"#),
            |p| match p {
                P::V10 => (404, Body(json!({"message": "Not found"}))),
                P::V12 => (400, Body(json!({"message": "Circular reference detected"}))),
            },
        ),
        // ---- §2 dashboards ----
        r(
            "save dashboard",
            "POST",
            "/api/dashboards/db",
            Some(r#"{"dashboard":{"uid":"prod","title":"Production Overview","panels":[]},"folderUid":"team-a"}"#),
            |p| match p {
                P::V10 => (200, Keys(&["id", "slug", "status", "uid", "url", "version"])),
                P::V12 => (200, Keys(&["id", "slug", "status", "uid", "url", "version", "folderUid"])),
            },
        ),
        r("dashboard title empty", "POST", "/api/dashboards/db", Some(r#"{"dashboard":{"title":" "}}"#), |_| {
            (400, Body(json!({"message": "Dashboard title cannot be empty", "status": "empty-name"})))
        }),
        r(
            "dashboard uid illegal",
            "POST",
            "/api/dashboards/db",
            Some(r#"{"dashboard":{"title":"x","uid":"a b"}}"#),
            |_| (400, Body(json!({"message": "uid contains illegal characters"}))),
        ),
        r(
            "dashboard uid too long",
            "POST",
            "/api/dashboards/db",
            Some(r#"{"dashboard":{"title":"x","uid":"12345678901234567890123456789012345678901"}}"#),
            |_| (400, Body(json!({"message": "uid too long, max 40 characters"}))),
        ),
        r(
            "dashboard folder missing",
            "POST",
            "/api/dashboards/db",
            Some(r#"{"dashboard":{"title":"x"},"folderUid":"nope"}"#),
            |p| match p {
                P::V10 => (400, Body(json!({"message": "Folder not found", "traceID": ""}))),
                P::V12 => (400, Body(json!({"message": "folder not found"}))),
            },
        ),
        r(
            "dashboard id unknown",
            "POST",
            "/api/dashboards/db",
            Some(r#"{"dashboard":{"title":"x","id":999}}"#),
            |_| (404, Body(json!({"message": "Dashboard not found", "status": "not-found"}))),
        ),
        r(
            "dashboard version mismatch",
            "POST",
            "/api/dashboards/db",
            Some(r#"{"dashboard":{"uid":"prod","title":"Production Overview"},"folderUid":"team-a"}"#),
            |_| {
                (
                    412,
                    Body(
                        json!({"message": "The dashboard has been changed by someone else", "status": "version-mismatch"}),
                    ),
                )
            },
        ),
        r(
            "dashboard update with the version seen",
            "POST",
            "/api/dashboards/db",
            Some(
                r#"{"dashboard":{"uid":"prod","title":"Production Overview","version":1},"folderUid":"team-a","message":"second"}"#,
            ),
            |p| match p {
                P::V10 => (200, Keys(&["id", "slug", "status", "uid", "url", "version"])),
                P::V12 => (200, Keys(&["id", "slug", "status", "uid", "url", "version", "folderUid"])),
            },
        ),
        r(
            "dashboard same title in folder (unique on 10.4 only)",
            "POST",
            "/api/dashboards/db",
            Some(r#"{"dashboard":{"uid":"prod2","title":"Production Overview"},"folderUid":"team-a"}"#),
            |p| match p {
                P::V10 => (
                    412,
                    Body(
                        json!({"message": "A dashboard with the same name in the folder already exists", "status": "name-exists"}),
                    ),
                ),
                P::V12 => (200, Keys(&["id", "slug", "status", "uid", "url", "version", "folderUid"])),
            },
        ),
        Row {
            what: "dashboard message too long",
            method: "POST",
            path: "/api/dashboards/db",
            body: Some(format!(r#"{{"dashboard":{{"title":"m"}},"message":"{}"}}"#, "m".repeat(501)).leak()),
            want: |_| (400, Want::Body(json!({"message": "message too long, max 500 characters"}))),
        },
        r(
            "save a folder through dashboards",
            "POST",
            "/api/dashboards/db",
            Some(r#"{"dashboard":{"title":"f"},"isFolder":true}"#),
            |_| (400, Body(json!({"message": "Use folders endpoint for saving folders."}))),
        ),
        r("get dashboard", "GET", "/api/dashboards/uid/prod", None, |_| (200, Keys(&["dashboard", "meta"]))),
        r("get dashboard missing", "GET", "/api/dashboards/uid/nope", None, |_| {
            (404, Body(json!({"message": "Dashboard not found", "traceID": ""})))
        }),
        r("dashboard versions", "GET", "/api/dashboards/uid/prod/versions", None, |p| match p {
            P::V10 => (200, Keys(&[])),
            P::V12 => (200, Keys(&["continueToken", "versions"])),
        }),
        r("restore version 1", "POST", "/api/dashboards/uid/prod/restore", Some(r#"{"version":1}"#), |p| match p {
            P::V10 => (200, Keys(&["id", "slug", "status", "uid", "url", "version"])),
            P::V12 => (200, Keys(&["id", "slug", "status", "uid", "url", "version", "folderUid"])),
        }),
        r("restore without a version", "POST", "/api/dashboards/uid/prod/restore", Some(r#"{}"#), |_| {
            (400, Body(json!({"message": "bad request data", "traceID": ""})))
        }),
        r("dashboard version missing", "GET", "/api/dashboards/uid/prod/versions/99", None, |_| {
            (500, Keys(&["message", "traceID"]))
        }),
        r("search limit above 5000", "GET", "/api/search?limit=5001", None, |_| {
            (
                422,
                Body(
                    json!({"message": "Limit is above maximum allowed (5000), use page parameter to access hits beyond limit"}),
                ),
            )
        }),
        r("search by ids and uids", "GET", "/api/search?dashboardIds=1&dashboardUIDs=prod", None, |_| {
            (400, Body(json!({"message": "search supports UIDs or IDs, not both"})))
        }),
        r("delete dashboard missing", "DELETE", "/api/dashboards/uid/nope", None, |_| {
            (404, Body(json!({"message": "Dashboard not found", "traceID": ""})))
        }),
        r("delete dashboard", "DELETE", "/api/dashboards/uid/prod", None, |p| match p {
            P::V10 => (200, Keys(&["id", "message", "title"])),
            P::V12 => (
                200,
                Body(
                    json!({"message": "Dashboard Production Overview deleted", "title": "Production Overview", "uid": "prod"}),
                ),
            ),
        }),
        // ---- §4 data sources ----
        r(
            "add data source without access",
            "POST",
            "/api/datasources",
            Some(r#"{"name":"x","type":"prometheus"}"#),
            |_| (400, Body(json!({"message": "bad request data", "traceID": ""}))),
        ),
        r(
            "add data source",
            "POST",
            "/api/datasources",
            Some(
                r#"{"uid":"amp","name":"AMP prod","type":"prometheus","access":"proxy","url":"https://aps.example/ws/","basicAuth":true,"basicAuthUser":"u","jsonData":{"httpMethod":"POST"},"secureJsonData":{"basicAuthPassword":"s3cret","empty":""}}"#,
            ),
            |_| (200, Keys(&["datasource", "id", "message", "name"])),
        ),
        r(
            "add data source, same name",
            "POST",
            "/api/datasources",
            Some(r#"{"name":"AMP prod","type":"prometheus","access":"proxy"}"#),
            |_| (409, Body(json!({"message": "data source with the same name already exists", "traceID": ""}))),
        ),
        r(
            "add data source, same uid",
            "POST",
            "/api/datasources",
            Some(r#"{"uid":"amp","name":"Other","type":"prometheus","access":"proxy"}"#),
            |_| (409, Body(json!({"message": "data source with the same uid already exists", "traceID": ""}))),
        ),
        r("get data source missing", "GET", "/api/datasources/uid/nope", None, |_| {
            (404, Body(json!({"message": "Data source not found"})))
        }),
        r("get data source (no secrets, secureJsonFields)", "GET", "/api/datasources/uid/amp", None, |p| match p {
            P::V10 => (
                200,
                Keys(&[
                    "id",
                    "uid",
                    "orgId",
                    "name",
                    "type",
                    "typeLogoUrl",
                    "access",
                    "url",
                    "user",
                    "database",
                    "basicAuth",
                    "basicAuthUser",
                    "withCredentials",
                    "isDefault",
                    "jsonData",
                    "secureJsonFields",
                    "version",
                    "readOnly",
                ]),
            ),
            P::V12 => (
                200,
                Keys(&[
                    "id",
                    "uid",
                    "orgId",
                    "name",
                    "type",
                    "typeLogoUrl",
                    "access",
                    "url",
                    "user",
                    "database",
                    "basicAuth",
                    "basicAuthUser",
                    "withCredentials",
                    "isDefault",
                    "jsonData",
                    "secureJsonFields",
                    "version",
                    "readOnly",
                    "apiVersion",
                ]),
            ),
        }),
        r(
            "update data source with the version seen",
            "PUT",
            "/api/datasources/uid/amp",
            Some(r#"{"name":"AMP prod","type":"prometheus","access":"proxy","version":1}"#),
            |_| (200, Keys(&["datasource", "id", "message", "name"])),
        ),
        r(
            "update data source with an older version",
            "PUT",
            "/api/datasources/uid/amp",
            Some(r#"{"name":"AMP prod","type":"prometheus","access":"proxy","version":1}"#),
            |_| {
                (
                    409,
                    Body(
                        json!({"message": "Datasource has already been updated by someone else. Please reload and try again", "traceID": ""}),
                    ),
                )
            },
        ),
        r("delete data source missing", "DELETE", "/api/datasources/uid/nope", None, |_| {
            (404, Body(json!({"message": "Data source not found"})))
        }),
        // ---- §3 again: delete cascades ----
        r("delete folder", "DELETE", "/api/folders/team-a", None, |_| {
            (200, Body(json!({"message": "Folder deleted"})))
        }),
        r("delete folder missing", "DELETE", "/api/folders/team-a", None, |_| {
            (404, Body(json!({"message": "folder not found", "status": "not-found"})))
        }),
    ]
}

fn run(p: P) {
    let emu = Emu::start(&["--grafana-version", if p == P::V10 { "10.4" } else { "12.4" }]);
    let mut failures = Vec::new();
    for row in rows() {
        let (status, body) = emu.api(row.method, row.path, row.body);
        let (want_status, want) = (row.want)(p);
        let ok = status == want_status
            && match &want {
                Want::Body(b) => &body == b,
                Want::Keys(keys) => match &body {
                    Value::Object(m) => {
                        let mut got: Vec<&str> = m.keys().map(String::as_str).collect();
                        let mut exp: Vec<&str> = keys.to_vec();
                        got.sort();
                        exp.sort();
                        got == exp
                    }
                    Value::Array(_) => keys.is_empty(),
                    _ => false,
                },
            };
        if !ok {
            let shown = match &want {
                Want::Body(b) => b.to_string(),
                Want::Keys(k) => format!("keys {k:?}"),
            };
            failures.push(format!(
                "{p:?} {}: {} {} → {status} {body}\n   expected {want_status} {shown}",
                row.what, row.method, row.path
            ));
        }
    }
    assert!(failures.is_empty(), "{} rows differ:\n{}", failures.len(), failures.join("\n"));
}

#[test]
fn behaviours_on_grafana_10_4() {
    run(P::V10);
}

#[test]
fn behaviours_on_grafana_12_4() {
    run(P::V12);
}

/// Secrets are never returned; `secureJsonFields` lists the non-empty ones.
#[test]
fn data_source_secrets_stay_in() {
    let emu = Emu::start(&[]);
    let (s, _) = emu.api("POST", "/api/datasources", Some(r#"{"uid":"cw","name":"CloudWatch","type":"cloudwatch","access":"proxy","jsonData":{"authType":"keys"},"secureJsonData":{"accessKey":"AKIA","secretKey":"s3cret","unused":""}}"#));
    assert_eq!(s, 200);
    let (_, ds) = emu.api("GET", "/api/datasources/uid/cw", None);
    assert_eq!(ds["secureJsonFields"], json!({"accessKey": true, "secretKey": true}));
    assert!(!ds.to_string().contains("s3cret") && ds.get("secureJsonData").is_none(), "{ds}");
    assert_eq!(ds["isDefault"], true, "the first data source is the default");
    // An update that omits a secret keeps it; "" clears it.
    let (s, _) = emu.api(
        "PUT",
        "/api/datasources/uid/cw",
        Some(r#"{"name":"CloudWatch","type":"cloudwatch","access":"proxy","secureJsonData":{"accessKey":""}}"#),
    );
    assert_eq!(s, 200);
    let (_, ds) = emu.api("GET", "/api/datasources/uid/cw", None);
    assert_eq!(ds["secureJsonFields"], json!({"secretKey": true}));
    assert_eq!(ds["version"], 1, "version omitted ⇒ stored version 1 (Grafana quirk)");
}

/// Auth failures carry Grafana's 401 bodies.
#[test]
fn unauthenticated_requests() {
    let emu = Emu::start(&[]);
    let g = emu.grafana_url.clone();
    let (s, b) = call("GET", &format!("{g}/api/search"), None, None);
    assert_eq!(
        (s, b),
        (401, json!({"message": "Unauthorized", "messageId": "auth.unauthorized", "statusCode": 401, "traceID": ""}))
    );
    let (s, b) = call("GET", &format!("{g}/api/search"), Some("glsa_unknown_00000000"), None);
    assert_eq!(
        (s, b),
        (401, json!({"message": "Invalid API key", "messageId": "api-key.invalid", "statusCode": 401, "traceID": ""}))
    );
}

/// What the server writes into the stored dashboard, as Grafana does.
#[test]
fn saved_dashboards_carry_id_uid_version_and_meta() {
    let emu = Emu::start(&[]);
    let (s, saved) =
        emu.api("POST", "/api/dashboards/db", Some(r#"{"dashboard":{"title":"  Padded  ","panels":[{"id":3}]}}"#));
    assert_eq!(s, 200);
    let uid = saved["uid"].as_str().unwrap().to_string();
    assert_eq!(uid.len(), 26, "generated uid like Grafana's: {uid}");
    assert_eq!(saved["url"], format!("/d/{uid}/padded"));
    let (_, got) = emu.api("GET", &format!("/api/dashboards/uid/{uid}"), None);
    assert_eq!(got["dashboard"]["title"], "Padded");
    assert_eq!(got["dashboard"]["uid"], uid.as_str());
    assert_eq!(got["dashboard"]["version"], 1);
    assert_eq!(got["dashboard"]["id"], saved["id"]);
    assert_eq!(got["meta"]["folderTitle"], "General");
    assert_eq!(got["meta"]["folderUid"], "");
    let keys: Vec<&String> = got["dashboard"].as_object().unwrap().keys().collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "dashboard keys come out sorted, as from a Go map");
}

/// Restoring saves the old data as a new version and records where it came from.
#[test]
fn restore_makes_a_new_version_from_an_old_one() {
    let emu = Emu::start(&["--grafana-version", "10.4"]);
    assert_eq!(emu.api("POST", "/api/dashboards/db", Some(r#"{"dashboard":{"uid":"r","title":"First"}}"#)).0, 200);
    assert_eq!(
        emu.api("POST", "/api/dashboards/db", Some(r#"{"dashboard":{"uid":"r","title":"Second","version":1}}"#)).0,
        200
    );
    let (s, saved) = emu.api("POST", "/api/dashboards/uid/r/restore", Some(r#"{"version":1}"#));
    assert_eq!((s, &saved["version"]), (200, &json!(3)));
    let (_, d) = emu.api("GET", "/api/dashboards/uid/r", None);
    assert_eq!(d["dashboard"]["title"], "First");
    let (_, versions) = emu.api("GET", "/api/dashboards/uid/r/versions", None);
    assert_eq!(versions[0]["message"], "Restored from version 1", "{versions}");
    assert_eq!(versions[0]["restoredFrom"], 1);
    assert_eq!(versions[2]["message"], "Initial save");
    let (s, v) = emu.api("GET", "/api/dashboards/uid/r/versions/9", None);
    assert_eq!(
        (s, v),
        (
            500,
            json!({"message": format!("Dashboard version 9 not found for dashboardId {}", d["dashboard"]["id"]), "traceID": ""})
        )
    );
}
