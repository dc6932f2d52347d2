//! The provider block, as Terraform validates and configures it: refusals name the argument.

use super::{Harness, s};
use crate::value::Value;

#[tokio::test]
async fn the_provider_block_is_checked_at_validate_each_refusal_at_its_argument() {
    let h = Harness::unconfigured(&[]);
    let said = h.validate_provider(&[("url", s("ftp://g.example")), ("retries", Value::int(-1))]).await;
    assert!(said.errors.iter().any(|e| e.starts_with("Invalid Grafana URL") && e.ends_with("(at url)")), "{said:?}");
    assert!(said.errors.iter().any(|e| e.ends_with("(at retries)")), "{said:?}");
    let said = h.validate_provider(&[("auth", s("glsa_x")), ("workspace_id", s("g-0123456789"))]).await;
    assert!(
        said.errors.iter().any(|e| e.starts_with("Two ways to authenticate") && e.ends_with("(at auth)")),
        "{said:?}"
    );
    let said = h.validate_provider(&[("workspace_id", s("my-workspace"))]).await;
    assert!(said.errors.iter().any(|e| e.ends_with("(at workspace_id)")), "{said:?}");
    let said = h.validate_provider(&[("grafana_role", s("OWNER"))]).await;
    assert!(said.errors.iter().any(|e| e.ends_with("(at grafana_role)")), "{said:?}");
    let said = h.validate_provider(&[("tls_cert", s("-----BEGIN CERTIFICATE-----"))]).await;
    assert!(said.errors.len() == 1, "a certificate without its key: {said:?}");
    // A well-formed block says nothing.
    let url = Value::string(h.emu.grafana_url.clone());
    h.validate_provider(&[("url", url), ("auth", s("glsa_x"))]).await.assert_clean();
}

#[tokio::test]
async fn a_ca_cert_that_is_no_certificate_is_refused_at_configure_at_ca_cert() {
    let h = Harness::unconfigured(&[]);
    let url = Value::string(h.emu.grafana_url.clone().replace("http://", "https://"));
    let said = h.configure(&[("url", url), ("auth", s("glsa_x")), ("ca_cert", s("not a certificate"))]).await;
    assert!(said.errors.len() == 1 && said.errors[0].ends_with("(at ca_cert)"), "{said:?}");
}

#[tokio::test]
async fn a_token_grafana_refuses_gets_advice_about_auth_and_nothing_is_created() {
    let h = Harness::unconfigured(&[]);
    let url = Value::string(h.emu.grafana_url.clone());
    h.configure(&[("url", url), ("auth", s("glsa_not_a_token_it_knows"))]).await.assert_clean();
    let config = h.config("grafana_folder", &[("title", s("Refused")), ("uid", s("refused"))]);
    let (_, _, carried, said) = h.plan("grafana_folder", None, &config).await;
    assert!(said.errors.is_empty(), "a plan that only adds calls nothing: {said:?}");
    let (stored, said) = h.apply("grafana_folder", None, &carried, &config).await;
    assert!(stored.state.is_null(), "{stored:?}");
    assert!(said.errors.len() == 1 && said.errors[0].contains("Check the provider's `auth`"), "{said:?}");
    assert!(!said.errors[0].contains("glsa_not_a_token_it_knows"), "the token is in the message: {said:?}");
    assert_eq!(h.grafana("GET", "/api/folders/refused", None).await.0, 404);
}
