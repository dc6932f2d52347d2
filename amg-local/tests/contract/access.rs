//! Access: the organisation's users, who appear as single sign-on makes them
//! (`POST /_amg-local/workspaces/{id}/users`), listed and looked up as Grafana's `org_users.go`
//! answers (`OrgUserDTO`, `UserLookupDTO`).

use serde_json::{Value, json};

use crate::support::{Emu, call};

#[test]
fn users_appear_on_sign_in_and_are_listed_and_looked_up_as_grafana_does() {
    for profile in ["10.4", "12.4"] {
        let emu = Emu::start(&["--grafana-version", profile]);
        let bo = emu.sign_in("bo", "bo@example.com", "Bo", "Editor");
        let al = emu.sign_in("al", "Al@Example.com", "Al", "Viewer");
        assert_ne!(bo, al);
        let url = format!("{}/_amg-local/workspaces/{}/users", emu.control_plane_url, emu.workspace_id);
        let again = json!({"login": "AL", "email": "other@example.com"}).to_string();
        assert_eq!(call("POST", &url, None, Some(&again)).0, 409, "{profile}: a login signs in once");

        let (s, all) = emu.api("GET", "/api/org/users", None);
        assert_eq!(s, 200);
        let logins: Vec<&str> = all.as_array().unwrap().iter().map(|u| u["login"].as_str().unwrap()).collect();
        assert_eq!(logins, ["al", "bo"], "{profile}: ordered by login");
        let first = &all[0];
        assert_eq!(
            (&first["userId"], &first["email"], &first["role"], &first["orgId"]),
            (&json!(al), &json!("Al@Example.com"), &json!("Viewer"), &json!(1))
        );
        assert_eq!(first.get("uid").is_some(), profile == "12.4", "{profile}: uid on 12 only");

        let (_, found) = emu.api("GET", "/api/org/users?query=example.COM&limit=1", None);
        assert_eq!(found.as_array().map(Vec::len), Some(1), "{profile}: query on email, any case; limit");
        let (_, found) = emu.api("GET", "/api/org/users/lookup?query=b", None);
        assert_eq!(found, json!([{"userId": bo, "login": "bo", "avatarUrl": found[0]["avatarUrl"]}]));
        assert_eq!(emu.api("GET", "/api/org/users?query=nobody", None).1, Value::Array(Vec::new()));
    }
}
