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

/// `GET /api/plugins?type=app` and `GET /api/plugins/{id}/dashboards` (Grafana's
/// `PluginDashboardInfoDTO`, `pkg/plugins/dashboards.go`): how a client tells the dashboards an
/// app plugin imported, which `/api/search` does not mark.
#[test]
fn plugin_dashboards_are_listed_under_their_app_plugin() {
    let emu = Emu::start(&[]);
    let url = format!("{}/_amg-local/workspaces/{}/provisioned/dashboards", emu.control_plane_url, emu.workspace_id);
    let body = r#"{"pluginId":"grafana-x-ray-app","dashboard":{"uid":"xray","title":"X-Ray Insights"}}"#;
    assert_eq!(call("POST", &url, None, Some(body)).0, 200);
    assert_eq!(emu.api("POST", "/api/dashboards/db", Some(r#"{"dashboard":{"title":"Mine","uid":"mine"}}"#)).0, 200);

    let (s, apps) = emu.api("GET", "/api/plugins?type=app&embedded=0", None);
    assert_eq!(s, 200);
    let ids: Vec<&str> = apps.as_array().unwrap().iter().filter_map(|a| a["id"].as_str()).collect();
    assert_eq!(ids, ["grafana-x-ray-app"]);
    assert_eq!(apps[0]["type"], "app");
    assert_eq!(emu.api("GET", "/api/plugins?type=datasource", None), (200, json!([])), "only app plugins here");

    let (s, owned) = emu.api("GET", "/api/plugins/grafana-x-ray-app/dashboards", None);
    assert_eq!(s, 200);
    let d = &owned[0];
    assert_eq!((owned.as_array().unwrap().len(), &d["uid"], &d["imported"]), (1, &json!("xray"), &json!(true)));
    assert_eq!(
        (&d["pluginId"], &d["title"], &d["removed"]),
        (&json!("grafana-x-ray-app"), &json!("X-Ray Insights"), &json!(false))
    );
    assert_eq!(d["importedUrl"], "/d/xray/x-ray-insights");
    let (s, b) = emu.api("GET", "/api/plugins/nope/dashboards", None);
    assert_eq!((s, &b["message"]), (404, &json!("Plugin not found, no installed plugin with that id")));
}
