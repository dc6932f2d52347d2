//! Every control-plane operation through the real AWS SDK (`aws-sdk-grafana`), errors included.

use std::time::{Duration, Instant};

use aws_sdk_grafana::Client;
use aws_sdk_grafana::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_grafana::types::{AccountAccessType, AuthenticationProviderTypes, PermissionType, Role, WorkspaceStatus};

use crate::support::{Emu, call};

pub fn client(emu: &Emu) -> Client {
    let conf = aws_sdk_grafana::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("AKIDEXAMPLE", "not-a-secret", None, None, "static"))
        .endpoint_url(emu.control_plane_url.clone())
        .retry_config(aws_sdk_grafana::config::retry::RetryConfig::disabled())
        .build();
    Client::from_conf(conf)
}

/// A CreateWorkspace request with the three members the model requires.
fn new_workspace(c: &Client) -> aws_sdk_grafana::operation::create_workspace::builders::CreateWorkspaceFluentBuilder {
    c.create_workspace()
        .account_access_type(AccountAccessType::CurrentAccount)
        .authentication_providers(AuthenticationProviderTypes::AwsSso)
        .permission_type(PermissionType::ServiceManaged)
}

async fn wait_status(c: &Client, id: &str, want: WorkspaceStatus) {
    let t = Instant::now();
    loop {
        let ws = c.describe_workspace().workspace_id(id).send().await.unwrap().workspace.unwrap();
        if ws.status == want {
            return;
        }
        assert!(t.elapsed() < Duration::from_secs(10), "workspace {id} stuck in {:?}", ws.status);
        tokio::time::sleep(Duration::from_millis(200)).await; // wait: poll interval, deadline above
    }
}

#[tokio::test]
async fn workspace_lifecycle() {
    let emu = Emu::start(&[]);
    let c = client(&emu);
    let created = new_workspace(&c)
        .workspace_name("sdk-ws")
        .grafana_version("10.4")
        .tags("team", "a")
        .send()
        .await
        .unwrap()
        .workspace
        .unwrap();
    assert_eq!(created.status, WorkspaceStatus::Creating);
    assert_eq!(created.grafana_version, "10.4");
    assert!(!created.endpoint.contains("://"), "endpoint is a bare host:port: {}", created.endpoint);
    let id = created.id.clone();
    wait_status(&c, &id, WorkspaceStatus::Active).await;

    let list = c.list_workspaces().send().await.unwrap().workspaces;
    assert!(list.iter().any(|w| w.id == id && w.name.as_deref() == Some("sdk-ws")));
    assert_eq!(list.len(), 2, "the default workspace and ours");

    c.update_workspace().workspace_id(&id).workspace_description("described").send().await.unwrap();
    wait_status(&c, &id, WorkspaceStatus::Active).await;
    let ws = c.describe_workspace().workspace_id(&id).send().await.unwrap().workspace.unwrap();
    assert_eq!(ws.description.as_deref(), Some("described"));

    let conf = c.describe_workspace_configuration().workspace_id(&id).send().await.unwrap();
    assert!(conf.configuration.starts_with('{'));
    c.update_workspace_configuration()
        .workspace_id(&id)
        .configuration(r#"{"plugins":{"pluginAdminEnabled":true}}"#)
        .send()
        .await
        .unwrap();
    let conf = c.describe_workspace_configuration().workspace_id(&id).send().await.unwrap();
    assert_eq!(conf.configuration, r#"{"plugins":{"pluginAdminEnabled":true}}"#);
    let err = c.update_workspace_configuration().workspace_id(&id).configuration("not json").send().await.unwrap_err();
    assert!(err.as_service_error().unwrap().is_validation_exception(), "{err:?}");

    let auth = c.describe_workspace_authentication().workspace_id(&id).send().await.unwrap().authentication.unwrap();
    assert_eq!(auth.providers, vec![AuthenticationProviderTypes::AwsSso]);

    let arn = format!("arn:aws:grafana:us-east-1:123456789012:/workspaces/{id}");
    c.tag_resource().resource_arn(&arn).tags("env", "test").send().await.unwrap();
    let tags = c.list_tags_for_resource().resource_arn(&arn).send().await.unwrap().tags.unwrap();
    assert_eq!(tags.get("team").map(String::as_str), Some("a"));
    assert_eq!(tags.get("env").map(String::as_str), Some("test"));
    c.untag_resource().resource_arn(&arn).tag_keys("team").send().await.unwrap();
    let tags = c.list_tags_for_resource().resource_arn(&arn).send().await.unwrap().tags.unwrap();
    assert!(!tags.contains_key("team"));

    let dup = new_workspace(&c).workspace_name("sdk-ws").send().await.unwrap_err();
    assert!(dup.as_service_error().unwrap().is_conflict_exception(), "{dup:?}");

    let gone = c.delete_workspace().workspace_id(&id).send().await.unwrap().workspace.unwrap();
    assert_eq!(gone.status, WorkspaceStatus::Deleting);
    let t = Instant::now();
    loop {
        match c.describe_workspace().workspace_id(&id).send().await {
            Ok(_) => assert!(t.elapsed() < Duration::from_secs(10), "not deleted"),
            Err(e) => {
                let se = e.as_service_error().expect("a service error");
                assert!(se.is_resource_not_found_exception(), "{se:?}");
                if let aws_sdk_grafana::operation::describe_workspace::DescribeWorkspaceError::ResourceNotFoundException(nf) = se {
                    assert_eq!(nf.resource_id, id);
                    assert_eq!(nf.resource_type, "WORKSPACE");
                }
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(200)).await; // wait: poll interval of a loop with a deadline
    }
}

#[tokio::test]
async fn bad_input_comes_back_as_typed_errors() {
    let emu = Emu::start(&[]);
    let c = client(&emu);
    let e = c.describe_workspace().workspace_id("g-0000000000").send().await.unwrap_err();
    assert!(e.as_service_error().unwrap().is_resource_not_found_exception(), "{e:?}");
    let e = new_workspace(&c).grafana_version("7.0").send().await.unwrap_err();
    assert!(e.as_service_error().unwrap().is_validation_exception(), "{e:?}");
    let ws = emu.workspace_id.clone();
    let e = c
        .create_workspace_service_account()
        .workspace_id(&ws)
        .name("x")
        .grafana_role(Role::from("OWNER"))
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_validation_exception(), "{e:?}");
    let e = c.delete_workspace_service_account().workspace_id(&ws).service_account_id("999").send().await.unwrap_err();
    assert!(e.as_service_error().unwrap().is_resource_not_found_exception(), "{e:?}");
}

#[tokio::test]
async fn service_accounts_and_tokens() {
    let emu = Emu::start(&[]);
    let c = client(&emu);
    let ws = emu.workspace_id.clone();
    let g = emu.grafana_url.clone();

    let sa = c
        .create_workspace_service_account()
        .workspace_id(&ws)
        .name("ci")
        .grafana_role(Role::Editor)
        .send()
        .await
        .unwrap();
    assert_eq!(sa.grafana_role, Role::Editor);
    assert_eq!(sa.workspace_id, ws);
    let e = c
        .create_workspace_service_account()
        .workspace_id(&ws)
        .name("ci")
        .grafana_role(Role::Admin)
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_conflict_exception(), "{e:?}");
    let list = c.list_workspace_service_accounts().workspace_id(&ws).send().await.unwrap();
    assert!(list.service_accounts.iter().any(|s| s.id == sa.id && s.is_disabled == "false"));

    for bad in [0, 2_592_001] {
        let e = c
            .create_workspace_service_account_token()
            .workspace_id(&ws)
            .service_account_id(&sa.id)
            .name("t")
            .seconds_to_live(bad)
            .send()
            .await
            .unwrap_err();
        assert!(e.as_service_error().unwrap().is_validation_exception(), "secondsToLive {bad}: {e:?}");
    }
    let tok = c
        .create_workspace_service_account_token()
        .workspace_id(&ws)
        .service_account_id(&sa.id)
        .name("t")
        .seconds_to_live(3600)
        .send()
        .await
        .unwrap();
    let key = tok.service_account_token.as_ref().unwrap().key.clone();
    assert!(key.starts_with("glsa_") && key.len() == 5 + 32 + 1 + 8, "{key}");
    // The token works on the workspace's Grafana with the Editor role: folders yes, data sources no.
    assert_eq!(call("POST", &format!("{g}/api/folders"), Some(&key), Some(r#"{"title":"By editor"}"#)).0, 200);
    let (s, body) = call(
        "POST",
        &format!("{g}/api/datasources"),
        Some(&key),
        Some(r#"{"name":"p","type":"prometheus","access":"proxy"}"#),
    );
    assert_eq!(s, 403);
    assert_eq!(body["title"], "Access denied");
    let tokens =
        c.list_workspace_service_account_tokens().workspace_id(&ws).service_account_id(&sa.id).send().await.unwrap();
    assert_eq!(tokens.service_account_tokens.len(), 1);
    assert!(tokens.service_account_tokens[0].expires_at.secs() > tokens.service_account_tokens[0].created_at.secs());

    // Expiry is enforced.
    let short = c
        .create_workspace_service_account_token()
        .workspace_id(&ws)
        .service_account_id(&sa.id)
        .name("short")
        .seconds_to_live(1)
        .send()
        .await
        .unwrap();
    // Wait for the expiry itself (one second), not a guess at it.
    let key = short.service_account_token.unwrap().key;
    let start = Instant::now();
    let (s, body) = loop {
        let (s, body) = call("GET", &format!("{g}/api/folders"), Some(&key), None);
        if s != 200 || start.elapsed() > Duration::from_secs(10) {
            break (s, body);
        }
        tokio::time::sleep(Duration::from_millis(50)).await; // wait: poll interval, deadline above
    };
    assert!(start.elapsed() >= Duration::from_millis(500), "the token expired early: {:?}", start.elapsed());
    assert_eq!(s, 401);
    assert_eq!(
        body,
        serde_json::json!({"message":"Expired API key","messageId":"api-key.expired","statusCode":401,"traceID":""})
    );
    assert_eq!(emu.stats()["workspaces"][&ws]["live_tokens"], 2, "the admin token and `t`; not the expired one");

    // Deleting a token revokes it.
    let tid = tok.service_account_token.unwrap().id;
    c.delete_workspace_service_account_token()
        .workspace_id(&ws)
        .service_account_id(&sa.id)
        .token_id(&tid)
        .send()
        .await
        .unwrap();
    assert_eq!(call("GET", &format!("{g}/api/folders"), Some(&key), None).0, 401);
    let e = c
        .delete_workspace_service_account_token()
        .workspace_id(&ws)
        .service_account_id(&sa.id)
        .token_id(&tid)
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_resource_not_found_exception(), "{e:?}");

    // 99 tokens per service account, expired ones counted until deleted (one expired token is still there).
    for i in 0..98 {
        c.create_workspace_service_account_token()
            .workspace_id(&ws)
            .service_account_id(&sa.id)
            .name(format!("n{i}"))
            .seconds_to_live(60)
            .send()
            .await
            .unwrap();
    }
    let e = c
        .create_workspace_service_account_token()
        .workspace_id(&ws)
        .service_account_id(&sa.id)
        .name("one-too-many")
        .seconds_to_live(60)
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_service_quota_exceeded_exception(), "{e:?}");
    assert_eq!(e.raw_response().unwrap().status().as_u16(), 402);

    c.delete_workspace_service_account().workspace_id(&ws).service_account_id(&sa.id).send().await.unwrap();
    assert_eq!(emu.stats()["workspaces"][&ws]["service_accounts"], 1);
}

#[tokio::test]
async fn api_keys_on_10_4_only() {
    let emu = Emu::start(&["--grafana-version", "10.4"]);
    let c = client(&emu);
    let ws = emu.workspace_id.clone();
    let g = emu.grafana_url.clone();
    let k = c
        .create_workspace_api_key()
        .workspace_id(&ws)
        .key_name("viewer")
        .key_role("VIEWER")
        .seconds_to_live(600)
        .send()
        .await
        .unwrap();
    assert_eq!(emu.stats()["workspaces"][&ws]["api_keys"], 1);
    let (s, body) =
        call("POST", &format!("{g}/api/dashboards/db"), Some(&k.key), Some(r#"{"dashboard":{"title":"x"}}"#));
    // The RBAC middleware's refusal (see fidelity.rs, row 8).
    assert_eq!(s, 403, "{body}");
    assert_eq!(body["title"], "Access denied", "{body}");
    assert_eq!(call("GET", &format!("{g}/api/search"), Some(&k.key), None).0, 200);
    let e = c
        .create_workspace_api_key()
        .workspace_id(&ws)
        .key_name("viewer")
        .key_role("VIEWER")
        .seconds_to_live(600)
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_conflict_exception(), "{e:?}");
    c.delete_workspace_api_key().workspace_id(&ws).key_name("viewer").send().await.unwrap();
    assert_eq!(call("GET", &format!("{g}/api/search"), Some(&k.key), None).0, 401);
    let e = c.delete_workspace_api_key().workspace_id(&ws).key_name("viewer").send().await.unwrap_err();
    assert!(e.as_service_error().unwrap().is_resource_not_found_exception(), "{e:?}");

    let emu12 = Emu::start(&["--grafana-version", "12.4"]);
    let c12 = client(&emu12);
    let e = c12
        .create_workspace_api_key()
        .workspace_id(emu12.workspace_id.clone())
        .key_name("k")
        .key_role("ADMIN")
        .seconds_to_live(60)
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_validation_exception(), "{e:?}");
}

#[tokio::test]
async fn unsigned_requests_are_refused() {
    let emu = Emu::start(&[]);
    let (s, body) =
        call("GET", &format!("{}/workspaces/{}", emu.control_plane_url.clone(), emu.workspace_id.clone()), None, None);
    assert_eq!((s, body), (403, serde_json::json!({"message": "Missing Authentication Token"})));
}

/// `x-amg-local-fault` makes the control plane answer 429 ThrottlingException (with
/// Retry-After) or 500 InternalServerException, as the SDK's retry logic expects them.
#[tokio::test]
async fn throttling_and_internal_errors() {
    let emu = Emu::start(&[]);
    let c = client(&emu);
    let e = c
        .list_workspaces()
        .customize()
        .mutate_request(|r| {
            r.headers_mut().insert("x-amg-local-fault", "throttle");
        })
        .send()
        .await
        .unwrap_err();
    let raw = e.raw_response().unwrap();
    assert_eq!(raw.status().as_u16(), 429);
    assert_eq!(raw.headers().get("retry-after"), Some("1"));
    match e.as_service_error().unwrap() {
        aws_sdk_grafana::operation::list_workspaces::ListWorkspacesError::ThrottlingException(t) => {
            assert_eq!(t.message, "Rate exceeded");
            assert_eq!(t.service_code.as_deref(), Some("grafana"));
        }
        other => panic!("expected ThrottlingException, got {other:?}"),
    }
    let e = c
        .list_workspaces()
        .customize()
        .mutate_request(|r| {
            r.headers_mut().insert("x-amg-local-fault", "internal");
        })
        .send()
        .await
        .unwrap_err();
    assert!(e.as_service_error().unwrap().is_internal_server_exception(), "{e:?}");
}

#[tokio::test]
async fn denied_actions_are_access_denied_as_iam_says_it() {
    let emu = Emu::start(&["--deny", "grafana:CreateWorkspaceServiceAccount"]);
    let c = client(&emu);
    let ws = emu.workspace_id.clone();
    let e = c
        .create_workspace_service_account()
        .workspace_id(&ws)
        .name("x")
        .grafana_role(Role::Admin)
        .send()
        .await
        .unwrap_err();
    let se = e.as_service_error().unwrap();
    assert!(se.is_access_denied_exception(), "{e:?}");
    let msg = aws_sdk_grafana::error::ProvideErrorMetadata::message(se).unwrap_or_default().to_string();
    assert!(msg.contains("is not authorized to perform: grafana:CreateWorkspaceServiceAccount"), "{msg}");
    // Other actions are still allowed.
    assert!(c.list_workspace_service_accounts().workspace_id(&ws).send().await.is_ok());
}

#[tokio::test]
async fn settle_time_and_expired_credentials() {
    let emu = Emu::start(&["--settle-ms", "1500"]);
    let c = client(&emu);
    let created = Instant::now();
    let id = new_workspace(&c).workspace_name("slow").send().await.unwrap().workspace.unwrap().id;
    let ws = c.describe_workspace().workspace_id(&id).send().await.unwrap().workspace.unwrap();
    assert_eq!(ws.status, WorkspaceStatus::Creating, "creating right after the create");
    // The event, with a deadline: ACTIVE, and not before the settle time (measured from
    // before the create was sent, so never longer than the emulator's own clock says).
    wait_status(&c, &id, WorkspaceStatus::Active).await;
    assert!(created.elapsed() >= Duration::from_millis(1500), "active after {:?} of a 1.5 s settle", created.elapsed());

    // expire-credentials: tokens stay listed (and counted) but expired; Grafana refuses them.
    let sa = c
        .create_workspace_service_account()
        .workspace_id(&id)
        .name("sa")
        .grafana_role(Role::Admin)
        .send()
        .await
        .unwrap()
        .id;
    let t = c
        .create_workspace_service_account_token()
        .workspace_id(&id)
        .service_account_id(&sa)
        .name("t")
        .seconds_to_live(3600)
        .send()
        .await
        .unwrap()
        .service_account_token
        .unwrap();
    let url = format!(
        "http://{}/api/folders",
        c.describe_workspace().workspace_id(&id).send().await.unwrap().workspace.unwrap().endpoint
    );
    assert_eq!(call("GET", &url, Some(&t.key), None).0, 200);
    let (status, body) = call(
        "POST",
        &format!("{}/_amg-local/workspaces/{id}/expire-credentials", emu.control_plane_url.clone()),
        None,
        None,
    );
    assert_eq!((status, body["expired"].as_u64()), (200, Some(1)));
    assert_eq!(call("GET", &url, Some(&t.key), None).0, 401);
    let listed =
        c.list_workspace_service_account_tokens().workspace_id(&id).service_account_id(&sa).send().await.unwrap();
    assert_eq!(listed.service_account_tokens.len(), 1);
    assert!(
        listed.service_account_tokens[0].expires_at.secs()
            <= aws_sdk_grafana::primitives::DateTime::from(std::time::SystemTime::now()).secs()
    );
    let stats = emu.stats();
    assert_eq!(stats["workspaces"][&id]["tokens_by_service_account"]["sa"], serde_json::json!({"live": 0, "total": 1}));
}
