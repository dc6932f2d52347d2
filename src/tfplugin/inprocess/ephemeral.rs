//! The ephemeral `grafana_amg_token`, as Terraform validates and opens it: what it refuses
//! before any AWS call. Minting itself needs AWS credentials in the environment, so it is
//! tested through real Terraform (`tests/it/ephemeral.rs`).

use super::{Harness, s};
use crate::value::Value;

const TYPE: &str = "grafana_amg_token";

#[tokio::test]
async fn arguments_are_checked_at_validate_each_at_its_attribute() {
    let h = Harness::start(&[]).await;
    let (_, _, said) = h.open_ephemeral(TYPE, &[("workspace_id", s("my-workspace"))]).await;
    assert!(said.errors.len() == 1 && said.errors[0].ends_with("(at workspace_id)"), "{said:?}");
    let (_, _, said) = h.open_ephemeral(TYPE, &[("grafana_role", s("OWNER"))]).await;
    assert!(said.errors.len() == 1 && said.errors[0].ends_with("(at grafana_role)"), "{said:?}");
    let (_, _, said) = h.open_ephemeral(TYPE, &[("ttl_seconds", Value::int(2_592_001))]).await;
    assert!(said.errors.len() == 1 && said.errors[0].ends_with("(at ttl_seconds)"), "{said:?}");
    assert!(said.errors[0].contains("from 5 to 2592000 seconds"), "{said:?}");
}

#[tokio::test]
async fn without_a_workspace_of_its_own_or_the_providers_it_says_to_set_one_and_calls_nothing() {
    // The harness's provider uses `url` and `auth`: it has no workspace to lend.
    let h = Harness::start(&[]).await;
    let before = h.stats().await["requests"].clone();
    let (result, private, said) = h.open_ephemeral(TYPE, &[("grafana_role", s("EDITOR"))]).await;
    assert!(result.is_null() && private.is_none(), "{result:?}");
    assert!(said.errors.len() == 1, "{said:?}");
    assert!(said.errors[0].starts_with("No AMG workspace") && said.errors[0].ends_with("(at workspace_id)"));
    assert_eq!(h.stats().await["requests"], before, "nothing was called");
}

#[tokio::test]
async fn a_close_of_bytes_that_are_no_handle_warns_and_does_not_fail_the_run() {
    use tonic::Request;

    use super::super::pb;
    use super::super::pb::provider_server::Provider as _;
    let h = Harness::start(&[]).await;
    let req = pb::close_ephemeral_resource::Request { type_name: TYPE.into(), private: Some(b"not a handle".to_vec()) };
    let resp = h.svc.close_ephemeral_resource(Request::new(req)).await.unwrap().into_inner();
    let said = super::Said::of(&resp.diagnostics);
    assert!(said.errors.is_empty() && said.warnings.len() == 1, "{said:?}");
    assert!(said.warnings[0].starts_with("Could not delete the Grafana token"), "{said:?}");
}
