//! Access on AMG: users, who come from single sign-on. The `grafana_user` lookup finds those
//! who signed in; the `grafana_user` resource is refused before any call.

use super::{Harness, s};
use crate::value::Value;

#[tokio::test]
async fn users_who_signed_in_are_found_by_email_login_or_id() {
    for profile in ["10.4", "12.4"] {
        let h = Harness::start(&["--grafana-version", profile]).await;
        let alice = h.emu.sign_in("alice", "Alice@Example.com", "Alice Liddell", "Editor");
        h.emu.sign_in("alicia", "alicia@example.com", "Alicia", "Viewer");
        for by in [("email", s("alice@example.com")), ("login", s("ALICE")), ("user_id", Value::int(alice))] {
            let (found, said) = h.read_data("grafana_user", std::slice::from_ref(&by)).await;
            said.assert_clean();
            assert_eq!(found.get("user_id"), &Value::int(alice), "{profile}: by {}", by.0);
            assert_eq!(found.get("email"), &s("Alice@Example.com"));
            assert_eq!((found.get("login"), found.get("name")), (&s("alice"), &s("Alice Liddell")));
            assert_eq!((found.get("role"), found.get("is_admin")), (&s("Editor"), &Value::Bool(false)));
            assert_eq!(found.get("id"), &s(&alice.to_string()));
        }
        // The official default `user_id = -1` is unset.
        let (found, said) = h.read_data("grafana_user", &[("user_id", Value::int(-1)), ("login", s("alicia"))]).await;
        said.assert_clean();
        assert_eq!(found.get("email"), &s("alicia@example.com"));
    }
}

#[tokio::test]
async fn a_user_who_never_signed_in_is_not_found_and_the_error_says_why() {
    let h = Harness::start(&[]).await;
    let (_, said) = h.read_data("grafana_user", &[("email", s("bob@example.com"))]).await;
    assert_eq!(said.errors.len(), 1, "{said:?}");
    let e = &said.errors[0];
    assert!(e.contains("IAM Identity Center") && e.contains("sign in once") && e.ends_with("(at email)"), "{e}");

    // None, or two, of the ways to name a user: refused before any call.
    let before = h.emu.count("GET", Some("/api/org/users"));
    for set in [vec![], vec![("email", s("a@example.com")), ("login", s("a"))]] {
        let (_, said) = h.read_data("grafana_user", &set).await;
        assert!(said.errors.len() == 1 && said.errors[0].contains("(at email)"), "{said:?}");
    }
    assert_eq!(h.emu.count("GET", Some("/api/org/users")), before);
}

#[tokio::test]
async fn a_grafana_user_resource_is_refused_naming_single_sign_on_with_no_call() {
    let h = Harness::start(&[]).await;
    let config = h.config(
        "grafana_user",
        &[("email", s("staff@example.com")), ("login", s("staff")), ("password", s("my-password"))],
    );
    let said = h.validate("grafana_user", &config).await;
    assert_eq!(said.errors.len(), 1, "{said:?}");
    let e = &said.errors[0];
    assert!(e.contains("single sign-on") && e.contains("data \"grafana_user\"") && !e.contains("my-password"), "{e}");
    let (imported, said) = h.import("grafana_user", "1").await;
    assert!(imported.is_none() && said.errors[0].contains("single sign-on"), "{said:?}");
    assert_eq!(h.emu.writes(), 0, "nothing written");
}
