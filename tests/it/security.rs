//! Regression tests for the security review (issue "Security: a private key quoted in an error,
//! secrets that follow redirects, …"), each against real Terraform and small hostile servers on
//! loopback, or `amg-local`, and named after its finding.

use std::io::Write;
use std::time::{Duration, Instant};

use serde_json::json;

use crate::amg_auth::{SA, provider_block, signed_call, tokens, workdir};
use amg_local::harness::Loopback;

use crate::support::{Emulator, REQUIRED, Terraform, Workdir, provider_peak_rss};

on_both_terraforms!(
    regression_a_private_key_given_as_tls_key_was_quoted_in_the_error,
    regression_secrets_followed_a_redirect_to_another_host,
    regression_the_amg_token_went_where_grafana_url_pointed,
    regression_unbounded_retries_aborted_the_process_and_weakened_transport_went_unsaid,
);

/// A URL-mode provider block for `url`.
fn url_provider(url: &str, extra: &str) -> String {
    format!("provider \"grafana\" {{\n  url  = \"{url}\"\n  auth = \"glsa_admin_token_x\"\n{extra}}}\n")
}

fn regression_a_private_key_given_as_tls_key_was_quoted_in_the_error(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let key = rcgen::KeyPair::generate().unwrap();
    let cert = rcgen::CertificateParams::new(vec!["client".to_string()]).unwrap().self_signed(&key).unwrap();
    // A key in another form than PEM, as a CI secret holds it: base64 of its DER.
    let b64 = {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(key.serialize_der())
    };
    let w = Workdir::new(tf);
    w.write(
        "main.tf",
        &format!(
            "{REQUIRED}\nvariable \"key\" {{\n  type      = string\n  sensitive = true\n  default   = \"{b64}\"\n}}\n{}\nresource \"grafana_folder\" \"f\" {{\n  title = \"f\"\n}}\n",
            url_provider(&emu.grafana_url, &format!("  tls_cert = <<-EOT\n{}EOT\n  tls_key  = var.key\n", cert.pem()))
        ),
    );
    w.init();
    let r = w.plan(&[]);
    assert_eq!(r.code, 1, "{r:?}");
    let all = r.all();
    assert!(all.contains("Cannot read tls_key"), "{all}");
    assert!(all.contains("neither PEM content"), "the form expected is named: {all}");
    for part in [&b64[..], &b64[20..60], &b64[b64.len() - 40..]] {
        assert!(!all.contains(part), "the key is in the output: {all}");
    }
}

fn regression_secrets_followed_a_redirect_to_another_host(tf: &Terraform) {
    let elsewhere = Loopback::start(|_, s| Loopback::json(s, "200 OK", r#"{"id":1,"uid":"x","name":"x","version":1}"#));
    let target = format!("{}/api/datasources", elsewhere.url);
    let grafana = Loopback::start(move |req, s| {
        if Loopback::grafana_settings(req, s) {
            return;
        }
        if req.method == "POST" && req.path == "/api/datasources" {
            let _ = write!(
                s,
                "HTTP/1.1 307 Temporary Redirect\r\nlocation: {target}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
            );
            return;
        }
        Loopback::json(s, "404 Not Found", r#"{"message":"not found"}"#);
    });
    let w = Workdir::new(tf);
    w.write(
        "main.tf",
        &format!(
            "{REQUIRED}\n{}\nresource \"grafana_data_source\" \"db\" {{\n  name = \"db\"\n  type = \"postgres\"\n  url  = \"db.example:5432\"\n  secure_json_data_encoded = jsonencode({{ password = \"ds-s3cret\" }})\n}}\n",
            url_provider(&grafana.url, "  http_headers = { \"X-Proxy-Secret\" = \"hdr-s3cret\" }\n")
        ),
    );
    w.init();
    let r = w.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(
        grafana.seen().iter().any(|s| {
            s.method == "POST"
                && s.head.contains("hdr-s3cret")
                && String::from_utf8_lossy(&s.body).contains("ds-s3cret")
        }),
        "the create never reached the first server: {:?}",
        grafana.seen()
    );
    let leaked = elsewhere.seen();
    assert!(leaked.is_empty(), "the redirect was followed: {leaked:?}");
    let all = r.all().replace('\n', " ");
    assert!(all.contains("redirect to http://127.0.0.1:"), "the error names where it pointed: {all}");
    assert!(all.contains("follows no redirect"), "{all}");
}

/// What a Terraform run measured from outside: the exit code, all it printed, how long it took
/// and the highest peak RSS sampled among its provider processes.
struct Measured {
    code: Option<i32>,
    printed: String,
    took: Duration,
    peak: Option<u64>,
}

/// Runs Terraform, sampling the provider processes' peak RSS until it ends.
fn run_measuring(w: &Workdir, args: &[&str]) -> Measured {
    let started = Instant::now();
    let mut child = crate::support::spawn_interruptible(w, args, &[]);
    let mut peak = None;
    while child.try_wait().expect("wait").is_none() {
        peak = peak.max(provider_peak_rss(w));
        std::thread::sleep(Duration::from_millis(10)); // wait: polling interval of the RSS sampler
    }
    let out = child.wait_with_output().expect("output");
    let printed = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    Measured { code: out.status.code(), printed, took: started.elapsed(), peak }
}

/// 1 GiB without a length (the last MiB slowly, so the sampler sees the provider at its
/// peak), and 1 GiB announced by its length: both refused, the provider far below 256 MB.
#[test]
fn regression_a_huge_answer_exhausted_the_providers_memory() {
    let tf = crate::support::terraform("1.11.4");
    let grafana = Loopback::start(|req, s| {
        if Loopback::grafana_settings(req, s) {
            return;
        }
        if req.path.starts_with("/api/folders/announced") {
            let _ = write!(
                s,
                "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n[",
                1u64 << 30
            );
        } else {
            let _ = write!(s, "HTTP/1.1 200 OK\r\ncontent-type: application/json\r\nconnection: close\r\n\r\n[");
        }
        let block = vec![b' '; 1 << 20];
        for i in 0..1024 {
            if s.write_all(&block).is_err() {
                return;
            }
            if i >= 62 {
                std::thread::sleep(Duration::from_millis(100)); // wait: the slow tail the sampler needs
            }
        }
    });
    for (uid, measured) in [("streamed", true), ("announced", false)] {
        let w = Workdir::new(&tf);
        w.write(
            "main.tf",
            &format!(
                "{REQUIRED}\n{}\ndata \"grafana_folder\" \"f\" {{\n  uid = \"{uid}\"\n}}\n",
                url_provider(&grafana.url, "")
            ),
        );
        w.init();
        let Measured { code, printed: all, took, peak } = run_measuring(&w, &["plan", "-input=false", "-no-color"]);
        assert_eq!(code, Some(1), "{uid}: {all}");
        assert!(all.contains("is too large"), "{uid}: the error does not say so: {all}");
        assert!(took < Duration::from_secs(40), "{uid}: took {took:?}");
        if measured {
            let peak = peak.expect("the provider's RSS was sampled");
            eprintln!("a 1 GiB answer: provider peak RSS {} MB, refused in {took:?}", peak >> 20);
            assert!(peak < 256 << 20, "peak RSS {} MB", peak >> 20);
        }
    }
}

/// A search that answers the same page whatever `page` says: a clear error, quickly.
#[test]
fn regression_a_search_that_repeats_its_page_for_ever_exhausted_memory() {
    let tf = crate::support::terraform("1.15.5");
    let page: String = {
        let hits: Vec<serde_json::Value> = (0..5000)
            .map(|i| json!({"uid": format!("d{i}"), "title": format!("D {i}"), "type": "dash-db", "uri": "db/x", "url": "/d/x", "tags": []}))
            .collect();
        serde_json::to_string(&hits).unwrap()
    };
    let grafana = Loopback::start(move |req, s| {
        if Loopback::grafana_settings(req, s) {
            return;
        }
        Loopback::json(s, "200 OK", &page);
    });
    let w = Workdir::new(&tf);
    w.write(
        "main.tf",
        &format!("{REQUIRED}\n{}\ndata \"grafana_dashboards\" \"all\" {{}}\n", url_provider(&grafana.url, "")),
    );
    w.init();
    let Measured { code, printed: all, took, peak } = run_measuring(&w, &["plan", "-input=false", "-no-color"]);
    assert_eq!(code, Some(1), "{all}");
    assert!(all.contains("page 2 repeats page 1"), "{all}");
    assert!(took < Duration::from_secs(40), "took {took:?}");
    assert!(peak.is_none_or(|p| p < 256 << 20), "peak RSS {:?}", peak);
    let searches = grafana.seen().iter().filter(|s| s.path.starts_with("/api/search")).count();
    assert_eq!(searches, 2, "it stopped at the first repeated page");
}

fn regression_the_amg_token_went_where_grafana_url_pointed(tf: &Terraform) {
    let emu = Emulator::start(&["--tls"]);
    let ws = emu.workspace_id.clone();
    let stray = Loopback::start(|_, s| Loopback::json(s, "200 OK", "{}"));
    let mut w = workdir(tf, &emu, false);
    w.env("GRAFANA_URL", &stray.url);
    w.write(
        "main.tf",
        &format!(
            "{REQUIRED}\n{}\nresource \"grafana_folder\" \"f\" {{\n  title = \"AMG only\"\n}}\n",
            provider_block(&emu, &format!("\"{ws}\""), "")
        ),
    );
    w.init();
    let r = w.apply();
    assert!(r.stdout.contains("Resources: 1 added, 0 changed, 0 destroyed."), "{r:?}");
    assert!(r.all().contains("GRAFANA_URL ignored"), "no warning: {r:?}");
    assert!(stray.seen().is_empty(), "a request went to GRAFANA_URL: {:?}", stray.seen());
    assert_eq!(emu.held("folders"), 1);

    // The block's own `url`, not the workspace's: refused before a token is minted.
    let minted = tokens(&emu, &ws).1;
    let w2 = workdir(tf, &emu, false);
    w2.write(
        "main.tf",
        &format!(
            "{REQUIRED}\n{}\nresource \"grafana_folder\" \"g\" {{\n  title = \"elsewhere\"\n}}\n",
            provider_block(&emu, &format!("\"{ws}\""), &format!("  url = \"{}\"\n", stray.url))
        ),
    );
    w2.init();
    let r = w2.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(r.code, 1, "{r:?}");
    let all = r.all().replace('\n', " ");
    assert!(all.contains("is not the workspace's own endpoint"), "{all}");
    assert!(all.contains("allow_url_outside_workspace"), "{all}");
    assert!(stray.seen().is_empty(), "a request went to the block's url: {:?}", stray.seen());
    assert_eq!(tokens(&emu, &ws).1, minted, "a token was minted for another URL");
}

fn regression_unbounded_retries_aborted_the_process_and_weakened_transport_went_unsaid(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    let folder = "resource \"grafana_folder\" \"f\" {\n  title = \"f\"\n}\n";
    w.write(
        "main.tf",
        &format!("{REQUIRED}\n{}\n{folder}", url_provider(&emu.grafana_url, "  retries = 100000000000000\n")),
    );
    w.init();
    let r = w.plan(&[]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.all().contains("`retries` must be a whole number from 0 to 50"), "{r:?}");
    assert!(!r.all().contains("memory allocation"), "{r:?}");
    assert_eq!(emu.writes(), 0);

    // insecure_skip_verify and plain HTTP to another machine are said at plan.
    w.write(
        "main.tf",
        &format!("{REQUIRED}\n{}\n{folder}", url_provider("http://grafana.example", "  insecure_skip_verify = true\n")),
    );
    let r = w.plan(&[]);
    assert_eq!(r.code, 2, "{r:?}");
    let all = r.all().replace('\n', " ");
    assert!(all.contains("Warning: insecure_skip_verify: Grafana's certificate is not checked"), "{all}");
    assert!(all.contains("Warning: Grafana reached over plain HTTP"), "{all}");
}

/// A service account found by the provider's name with more than `grafana_role`: refused.
#[test]
fn regression_a_service_account_with_a_higher_role_was_used() {
    let tf = crate::support::terraform("1.11.4");
    let emu = Emulator::start(&["--tls"]);
    let ws = emu.workspace_id.clone();
    let created = signed_call(
        &emu,
        "POST",
        &format!("/workspaces/{ws}/serviceaccounts"),
        &json!({"name": "terraform-provider-grafana-viewer", "grafanaRole": "ADMIN"}),
    );
    assert!(created["id"].is_string(), "{created}");
    let w = workdir(&tf, &emu, false);
    w.write(
        "main.tf",
        &format!(
            "{REQUIRED}\n{}\nresource \"grafana_folder\" \"f\" {{\n  title = \"f\"\n}}\n",
            provider_block(&emu, &format!("\"{ws}\""), "  grafana_role = \"VIEWER\"\n")
        ),
    );
    w.init();
    let r = w.run(&["apply", "-auto-approve", "-input=false", "-no-color"]);
    assert_eq!(r.code, 1, "{r:?}");
    let all = r.all().replace('\n', " ");
    assert!(all.contains("has the ADMIN role, more than `grafana_role` (VIEWER) asks for"), "{all}");
    assert_eq!(emu.held("folders"), 0);
    let viewer = &emu.stats()["workspaces"][&ws]["tokens_by_service_account"]["terraform-provider-grafana-viewer"];
    assert_eq!(viewer["total"].as_u64().unwrap_or(0), 0, "a token was minted under it: {viewer}");
    assert_eq!(tokens(&emu, &ws).1, 0, "nor under {SA}");
}
