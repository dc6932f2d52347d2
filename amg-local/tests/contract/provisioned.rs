//! What Grafana provisions from files and its HTTP API cannot create: read-only data sources
//! and plugin dashboards, made through amg-local's own `/_amg-local/` endpoints, then refused
//! as Grafana refuses them (`amg-local/reference/grafana-api.md` §2.1 rule 9, §4).

use serde_json::json;

use crate::support::{Emu, call};

#[test]
fn provisioned_data_sources_are_read_only() {
    let emu = Emu::start(&[]);
    let url = format!(
        "{}/_amg-local/workspaces/{}/provisioned/datasources",
        emu.control_plane_url.clone(),
        emu.workspace_id.clone()
    );
    let body = r#"{"name":"AMP (provisioned)","type":"prometheus","uid":"prov-amp","url":"https://aps.example/"}"#;
    let (s, b) = call("POST", &url, None, Some(body));
    assert_eq!((s, &b["uid"]), (200, &json!("prov-amp")), "{b}");
    let (s, ds) = emu.api("GET", "/api/datasources/uid/prov-amp", None);
    assert_eq!((s, &ds["readOnly"], &ds["name"]), (200, &json!(true), &json!("AMP (provisioned)")), "{ds}");
    let put = r#"{"name":"renamed","type":"prometheus","access":"proxy"}"#;
    assert_eq!(
        emu.api("PUT", "/api/datasources/uid/prov-amp", Some(put)),
        (403, json!({"message": "Cannot update read-only data source"}))
    );
    assert_eq!(
        emu.api("DELETE", "/api/datasources/uid/prov-amp", None),
        (403, json!({"message": "Cannot delete read-only data source"}))
    );
    assert_eq!(emu.stats()["workspaces"][emu.workspace_id.clone()]["datasources"], 1);
    let (s, _) = call(
        "POST",
        &format!("{}/_amg-local/workspaces/g-nope/provisioned/datasources", emu.control_plane_url.clone()),
        None,
        Some(body),
    );
    assert_eq!(s, 404, "an unknown workspace");
}

#[test]
fn plugin_dashboards_refuse_a_save_without_overwrite() {
    let emu = Emu::start(&[]);
    let url = format!(
        "{}/_amg-local/workspaces/{}/provisioned/dashboards",
        emu.control_plane_url.clone(),
        emu.workspace_id.clone()
    );
    let (s, _) = call(
        "POST",
        &url,
        None,
        Some(r#"{"pluginId":"grafana-x-ray-app","dashboard":{"uid":"xray","title":"X-Ray"}}"#),
    );
    assert_eq!(s, 200);
    let save = r#"{"dashboard":{"uid":"xray","title":"X-Ray, edited","version":1}}"#;
    assert_eq!(
        emu.api("POST", "/api/dashboards/db", Some(save)),
        (412, json!({"message": "The dashboard belongs to plugin grafana-x-ray-app.", "status": "plugin-dashboard"}))
    );
    let (s, got) = emu.api("GET", "/api/dashboards/uid/xray", None);
    assert_eq!((s, &got["dashboard"]["title"]), (200, &json!("X-Ray")));
}
