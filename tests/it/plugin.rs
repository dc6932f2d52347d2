//! The plugin contract: schema as Terraform sees it, the handshake, signals, logs.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::Arc;

use crate::support::{Emulator, Terraform, Workdir, provider_bin};

on_both_terraforms!(schema_has_descriptions_everywhere, debug_logs_reach_terraform_without_the_token);

fn schema_has_descriptions_everywhere(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    w.config(&emu, "");
    w.init();
    let r = w.ok(&["providers", "schema", "-json"]);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
    let p = &v["provider_schemas"]["registry.terraform.io/amg-oss/grafana"];
    let attrs = |block: &serde_json::Value| block["block"]["attributes"].as_object().cloned().unwrap_or_default();
    let provider = attrs(&p["provider"]);
    assert!(provider.contains_key("url") && provider.contains_key("ca_cert"));
    assert_eq!(provider["auth"]["sensitive"], true);
    let expected = [
        ("resource", "grafana_folder"),
        ("resource", "grafana_dashboard"),
        ("resource", "grafana_datasource"),
        ("resource", "grafana_data_source"),
        ("data source", "grafana_folder"),
        ("data source", "grafana_dashboard"),
        ("data source", "grafana_dashboards"),
        ("data source", "grafana_datasource"),
        ("data source", "grafana_data_source"),
        ("data source", "grafana_datasources"),
    ];
    for (kind, name) in expected {
        let key = if kind == "resource" { "resource_schemas" } else { "data_source_schemas" };
        assert!(p[key][name].is_object(), "{kind} {name} missing from the schema");
    }
    for (kind, schemas) in [("resource", &p["resource_schemas"]), ("data source", &p["data_source_schemas"])] {
        for (type_name, schema) in schemas.as_object().unwrap() {
            assert!(
                !schema["block"]["description"].as_str().unwrap_or_default().is_empty(),
                "{kind} {type_name} has no description"
            );
            for (name, a) in attrs(schema).iter().chain(provider.iter()) {
                let d = a["description"].as_str().unwrap_or_default();
                assert!(d.len() > 15, "{kind} {type_name} attribute {name} has no real description: {a}");
                assert_eq!(a["description_kind"], "markdown", "{type_name}.{name}");
            }
        }
    }
    let folder = attrs(&p["resource_schemas"]["grafana_folder"]);
    assert_eq!(folder["title"]["required"], true);
    assert_eq!(folder["uid"]["optional"], true);
    assert_eq!(folder["uid"]["computed"], true);
    assert_eq!(folder["url"]["computed"], true);
    if tf.has_identity() {
        let id = &p["resource_identity_schemas"]["grafana_folder"]["attributes"]["uid"];
        assert_eq!(id["type"], "string", "{}", p["resource_identity_schemas"]);
        assert_eq!(id["required_for_import"], true);
    }
}

fn debug_logs_reach_terraform_without_the_token(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let mut w = Workdir::new(tf);
    w.config(&emu, "resource \"grafana_folder\" \"f\" {\n  title = \"Logged\"\n}\n");
    w.init();
    w.env("TF_LOG_PROVIDER", "DEBUG");
    let r = w.apply();
    let all = r.all();
    assert!(
        all.contains("grafana request") && all.contains("/api/folders"),
        "provider debug lines missing from Terraform's output"
    );
    assert!(all.contains("terraform-provider-grafana"), "lines not attributed to the provider");
    assert!(!all.contains(&emu.admin_token), "the token appears in the logs");
    let token_secret = emu.admin_token.split('_').nth(1).unwrap();
    assert!(!all.contains(token_secret), "part of the token appears in the logs");
}

#[test]
fn run_by_hand_it_explains_itself_and_exits_1() {
    let out = Command::new(provider_bin()).env_remove("TF_PLUGIN_MAGIC_COOKIE").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty(), "nothing but the handshake may go to stdout");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("plugin for Terraform and OpenTofu") && err.contains("--debug"), "{err}");
}

#[test]
fn refuses_a_client_without_protocol_6() {
    let out = Command::new(provider_bin())
        .env("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2")
        .env("PLUGIN_PROTOCOL_VERSIONS", "4,5")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(String::from_utf8_lossy(&out.stderr).contains("protocol 6 only"));
}

/// The handshake line is the only stdout output; SIGINT does not kill the plugin (Terraform
/// sends StopProvider instead); SIGTERM ends it cleanly.
#[test]
fn handshake_line_then_sigint_ignored_and_sigterm_exits() {
    let mut child = Command::new(provider_bin())
        .env("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2")
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_CLIENT_CERT", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n")
        .env("TF_LOG_PROVIDER", "info")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // The provider's log, line by line, to wait on.
    let (log_tx, log) = std::sync::mpsc::channel::<String>();
    let stderr = child.stderr.take().unwrap();
    std::thread::spawn(move || BufReader::new(stderr).lines().map_while(Result::ok).try_for_each(|l| log_tx.send(l)));
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let line = lines.next().unwrap().unwrap();
    let parts: Vec<&str> = line.split('|').collect();
    assert_eq!(parts.len(), 6, "{line}");
    assert_eq!(&parts[..3], ["1", "6", "unix"], "{line}");
    assert!(std::path::Path::new(parts[3]).exists(), "socket {} missing", parts[3]);
    assert_eq!(parts[4], "grpc");
    assert!(parts[5].len() > 50 && !parts[5].ends_with('='), "certificate not raw base64: {}", parts[5]);
    let pid = child.id().to_string();
    Command::new("kill").args(["-INT", &pid]).status().unwrap();
    // The event itself: the provider says it received SIGINT and ignored it.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let ignored =
        std::iter::from_fn(|| log.recv_timeout(deadline.saturating_duration_since(std::time::Instant::now())).ok())
            .any(|l| l.contains("SIGINT ignored"));
    assert!(ignored, "no \"SIGINT ignored\" in the provider's log within 10 s");
    assert!(child.try_wait().unwrap().is_none(), "the plugin died on SIGINT");
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let st = child.wait().unwrap();
    assert!(st.success(), "{st}");
    assert!(lines.next().is_none(), "more than the handshake line on stdout");
    assert!(!std::path::Path::new(parts[3]).exists(), "socket left behind");
}

on_both_terraforms!(provider_config_unknown_at_plan_does_not_fail_the_plan);

/// The workspace URL is often known only after apply (a workspace created in the same run).
fn provider_config_unknown_at_plan_does_not_fail_the_plan(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let w = Workdir::new(tf);
    let config = format!(
        r#"{}
resource "terraform_data" "endpoint" {{
  input = "{}"
}}

provider "grafana" {{
  url  = terraform_data.endpoint.output
  auth = "{}"
}}

resource "grafana_folder" "f" {{
  title = "Created after its URL"
}}
"#,
        crate::support::REQUIRED,
        emu.grafana_url,
        emu.admin_token
    );
    w.write("main.tf", &config);
    w.init();
    let r = w.plan(&[]);
    assert_eq!(r.code, 2, "{r:?}");
    assert!(r.stdout.contains("grafana_folder.f will be created"), "{r:?}");
    assert_eq!(emu.count("GET", None) + emu.writes(), 0, "the plan must not call Grafana: {}", emu.stats());
    w.apply();
    assert_eq!(emu.held("folders"), 1);
    w.assert_plan_empty("after apply");
}

/// Ctrl-C in a terminal signals the whole process group: Terraform and the provider. The
/// provider must survive it (Terraform stops it with StopProvider), and the apply must end
/// promptly with a clear message instead of hanging on the slow request.
/// Terraform 1.11.4 only: the 1.15.5 shim runs Terraform inside Python, whose own SIGINT
/// handling is not Terraform's.
#[test]
fn ctrl_c_during_apply_stops_cleanly_tf_1_11() {
    let tf = crate::support::terraform("1.11.4");
    let emu = Emulator::start(&["--latency-ms", "20000"]);
    let w = Workdir::new(&tf);
    w.config(&emu, "resource \"grafana_folder\" \"slow\" {\n  title = \"Slow\"\n}\n");
    w.init();
    let started = std::time::Instant::now();
    let mut child = crate::support::spawn_interruptible(
        &w,
        &["apply", "-auto-approve", "-no-color", "-refresh=false"],
        &[("TF_LOG_PROVIDER", "debug")],
    );
    // Wait for the event, not a guess: the provider logs the create's request to Grafana, which
    // then waits on the emulator's 20 s latency. ("Creating..." is printed before Terraform
    // calls the provider: a Ctrl-C right after it may come before the call.)
    let (stdout, stderr) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let (tx, rx) = std::sync::mpsc::channel();
    let out_reader =
        std::thread::spawn(move || BufReader::new(stdout).lines().map_while(Result::ok).collect::<Vec<_>>().join("\n"));
    let err_reader = std::thread::spawn(move || {
        let mut shown = String::new();
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("grafana request") && line.contains("/api/folders") {
                let _ = tx.send(());
            }
            // Terraform's and the provider's log lines start with a timestamp; the rest is what
            // a user sees.
            if !line.starts_with("20") {
                shown.push_str(&line);
                shown.push('\n');
            }
        }
        shown
    });
    rx.recv_timeout(std::time::Duration::from_secs(60)).expect("the provider never sent the folder's create");
    crate::support::interrupt(&child);
    let status = child.wait().unwrap();
    let elapsed = started.elapsed();
    let all = format!("{}\n{}", out_reader.join().unwrap(), err_reader.join().unwrap());
    assert!(elapsed.as_secs() < 15, "apply did not stop promptly ({elapsed:?}): {all}");
    assert_ne!(status.code(), Some(0), "{all}");
    assert!(all.contains("Interrupt received"), "{all}");
    assert!(all.contains("Terraform asked the provider to stop"), "the provider did not report the stop: {all}");
    assert!(!all.contains("plugin exited") && !all.contains("plugin crashed"), "the provider died: {all}");
}

on_both_terraforms!(debug_mode_prints_a_reattach_value_terraform_uses);

/// `--debug` runs the provider by hand (for a debugger): it prints TF_REATTACH_PROVIDERS, and
/// Terraform uses that process instead of starting one, then leaves it running.
fn debug_mode_prints_a_reattach_value_terraform_uses(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let mut child =
        Command::new(provider_bin()).arg("--debug").stdout(Stdio::piped()).stderr(Stdio::null()).spawn().unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut value = None;
    for _ in 0..5 {
        let mut line = String::new();
        reader.read_line(&mut line).unwrap();
        if let Some(v) = line.trim().strip_prefix("export TF_REATTACH_PROVIDERS='") {
            value = Some(v.trim_end_matches('\'').to_string());
            break;
        }
    }
    let value = value.expect("a TF_REATTACH_PROVIDERS line");
    let parsed: serde_json::Value = serde_json::from_str(&value).unwrap();
    assert_eq!(parsed["registry.terraform.io/amg-oss/grafana"]["ProtocolVersion"], 6, "{parsed}");
    let mut w = Workdir::new(tf);
    w.env("TF_REATTACH_PROVIDERS", &value);
    w.config(&emu, "resource \"grafana_folder\" \"f\" {\n  title = \"Debugged\"\n}\n");
    // No init: Terraform does not install a reattached provider.
    let r = w.apply();
    r.assert_summary("1 added, 0 changed, 0 destroyed");
    assert_eq!(emu.held("folders"), 1);
    assert!(child.try_wait().unwrap().is_none(), "Terraform must leave a reattached provider running");
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(child.wait().unwrap().success());
}

on_both_terraforms!(official_provider_arguments);

/// The official provider's provider-block arguments: its Grafana Cloud ones are refused at plan
/// with one message and nothing written; `org_id` accepts AMG's one organisation only; the
/// generic ones take effect (`retries`, `insecure_skip_verify`, `http_headers`).
fn official_provider_arguments(tf: &Terraform) {
    let emu = Emulator::start(&["--tls", "--fault-rate", "1", "--seed", "5"]);
    let w = Workdir::new(tf);
    let body = "resource \"grafana_folder\" \"f\" {\n  title = \"Args\"\n}\n";
    let write = |args: &str| {
        let provider = format!(
            "provider \"grafana\" {{\n  url  = \"{}\"\n  auth = \"{}\"\n{args}}}\n",
            emu.grafana_url, emu.admin_token
        );
        w.write("main.tf", &format!("{}\n{provider}\n{body}", crate::support::REQUIRED));
    };
    write(
        "  cloud_access_policy_token = \"glc_x\"\n  sm_url = \"https://sm\"\n  k6_access_token = \"k6\"\n  stack_id = 12\n  org_id = 2\n",
    );
    w.init();
    let r = w.plan(&[]);
    assert_eq!(r.code, 1, "{r:?}");
    let err = r.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    for name in ["cloud_access_policy_token", "sm_url", "k6_access_token", "stack_id"] {
        assert!(err.contains(&format!("`{name}` configures Grafana Cloud")), "{name}: {err}");
    }
    assert!(err.contains("Unsupported organisation"), "{err}");
    // Terraform quotes the configuration line itself; the provider's own words never repeat it.
    assert_eq!(err.matches("glc_x").count(), 1, "a token in an error: {err}");
    assert_eq!(emu.writes(), 0);

    // retries = 0: the first 429 is the answer (the emulator fails every request here).
    write(
        "  ca_cert = \"CA\"\n  retries = 0\n  org_id = 1\n"
            .replace("CA", emu.ca_cert_file.as_deref().unwrap())
            .as_str(),
    );
    let r = w.run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(r.code, 1, "{r:?}");
    assert!(r.stderr.contains("429") || r.stderr.contains("503"), "{r:?}");
    let posts = emu.count("POST", Some("/api/folders"));
    assert_eq!(posts, 1, "retries = 0 sends once: {}", emu.stats());
}

on_both_terraforms!(insecure_skip_verify_and_http_headers);

/// `insecure_skip_verify` reaches a TLS Grafana whose CA is not given; `http_headers` are
/// accepted (their sending is checked by the client's unit test).
fn insecure_skip_verify_and_http_headers(tf: &Terraform) {
    let emu = Emulator::start(&["--tls"]);
    let w = Workdir::new(tf);
    let provider = format!(
        "provider \"grafana\" {{\n  url  = \"{}\"\n  auth = \"{}\"\n  insecure_skip_verify = true\n  http_headers = {{ \"X-Proxy-Token\" = \"proxy-secret\" }}\n  retry_status_codes = [\"5xx\", \"429\"]\n  retry_wait = 1\n}}\n",
        emu.grafana_url, emu.admin_token
    );
    w.write(
        "main.tf",
        &format!(
            "{}\n{provider}\nresource \"grafana_folder\" \"f\" {{\n  title = \"Unverified\"\n}}\n",
            crate::support::REQUIRED
        ),
    );
    w.init();
    w.apply();
    assert_eq!(emu.held("folders"), 1);
    w.assert_plan_empty("insecure_skip_verify");
}

on_both_terraforms!(a_panic_in_a_request_handler_is_a_diagnostic_and_the_provider_keeps_serving);

/// A bug that panics inside a request handler (forced here with the debug builds' test hook,
/// on the first folder create of the process) fails that one resource with a diagnostic; the
/// process keeps serving the other creates, and the next apply converges.
fn a_panic_in_a_request_handler_is_a_diagnostic_and_the_provider_keeps_serving(tf: &Terraform) {
    let emu = Emulator::start(&[]);
    let mut w = Workdir::new(tf);
    let folders = (0..3)
        .map(|i| format!("resource \"grafana_folder\" \"f{i}\" {{\n  title = \"F{i}\"\n}}\n"))
        .collect::<String>();
    w.config(&emu, &folders);
    w.init();
    w.env("GRAFANA_PROVIDER_TEST_PANIC", "ApplyResourceChange:grafana_folder");
    let r = w.run(&["apply", "-auto-approve", "-input=false", "-no-color", "-parallelism=1"]);
    assert_eq!(r.code, 1, "{r:?}");
    let all = r.all();
    assert_eq!(all.matches("Internal error in the Grafana provider").count(), 1, "{r:?}");
    assert!(all.contains("ApplyResourceChange"), "{r:?}");
    for crash in ["plugin crashed", "Plugin did not respond", "panic:", "panicked at", "rpc error"] {
        assert!(!all.contains(crash), "{crash}: {r:?}");
    }
    assert_eq!(emu.held("folders"), 2, "the other two creates were served by the same process after the panic");
    w.env("GRAFANA_PROVIDER_TEST_PANIC", "");
    let r = w.apply();
    r.assert_summary("1 added, 0 changed, 0 destroyed");
    assert_eq!(emu.held("folders"), 3);
    w.assert_plan_empty("after a panic and a re-apply");
}

/// go-plugin's AutoMTLS: Terraform gives the plugin its client certificate, and only a client
/// holding it may talk to the plugin. A client with no certificate, or another one, gets no
/// HTTP/2 answer; the plugin keeps serving, and Terraform's own certificate gets through.
#[test]
fn regression_the_plugin_accepted_any_client() {
    use base64::Engine as _;
    use std::io::{Read as _, Write as _};
    let _ = rustls::crypto::ring::default_provider().install_default();
    let client_cert = |cn: &str| {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let mut p = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
        // As go-plugin makes them: a self-signed CA certificate used as the client's own.
        p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        p.extended_key_usages =
            vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth, rcgen::ExtendedKeyUsagePurpose::ServerAuth];
        p.distinguished_name.push(rcgen::DnType::CommonName, cn);
        let cert = p.self_signed(&key).unwrap();
        (cert, key)
    };
    let (terraform_cert, terraform_key) = client_cert("terraform");
    let (other_cert, other_key) = client_cert("someone else");
    let mut child = Command::new(provider_bin())
        .env("TF_PLUGIN_MAGIC_COOKIE", "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2")
        .env("PLUGIN_PROTOCOL_VERSIONS", "6")
        .env("PLUGIN_CLIENT_CERT", terraform_cert.pem())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let line = BufReader::new(child.stdout.take().unwrap()).lines().next().unwrap().unwrap();
    let parts: Vec<&str> = line.split('|').collect();
    let (socket, server_der) =
        (parts[3].to_string(), base64::engine::general_purpose::STANDARD_NO_PAD.decode(parts[5]).unwrap());

    // Talks HTTP/2 through TLS with `identity` (or none); returns how many bytes came back.
    let talk = |identity: Option<(&rcgen::Certificate, &rcgen::KeyPair)>| -> usize {
        let builder = rustls::ClientConfig::builder_with_provider(Arc::new(rustls::crypto::ring::default_provider()))
            .with_safe_default_protocol_versions()
            .unwrap()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(PinnedServer(server_der.clone())));
        let mut cfg = match identity {
            None => builder.with_no_client_auth(),
            Some((c, k)) => builder
                .with_client_auth_cert(
                    vec![c.der().clone()],
                    rustls::pki_types::PrivateKeyDer::Pkcs8(k.serialize_der().into()),
                )
                .unwrap(),
        };
        cfg.alpn_protocols = vec![b"h2".to_vec()];
        let conn = rustls::ClientConnection::new(Arc::new(cfg), "localhost".try_into().unwrap()).unwrap();
        let sock = std::os::unix::net::UnixStream::connect(&socket).unwrap();
        sock.set_read_timeout(Some(std::time::Duration::from_secs(10))).unwrap();
        let mut tls = rustls::StreamOwned::new(conn, sock);
        if tls.write_all(b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n\x00\x00\x00\x04\x00\x00\x00\x00\x00").is_err() {
            return 0;
        }
        let mut buf = [0u8; 64];
        tls.read(&mut buf).unwrap_or(0)
    };
    assert_eq!(talk(None), 0, "a client without a certificate was answered");
    assert_eq!(talk(Some((&other_cert, &other_key))), 0, "a client with another certificate was answered");
    assert!(child.try_wait().unwrap().is_none(), "the plugin died");
    assert!(talk(Some((&terraform_cert, &terraform_key))) >= 9, "Terraform's certificate got no HTTP/2 frame");
    Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap();
    assert!(child.wait().unwrap().success());
}

/// Trusts exactly the server certificate of the handshake line, as go-plugin's client does.
#[derive(Debug)]
struct PinnedServer(Vec<u8>);

impl rustls::client::danger::ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &rustls::pki_types::CertificateDer<'_>,
        _: &[rustls::pki_types::CertificateDer<'_>],
        _: &rustls::pki_types::ServerName<'_>,
        _: &[u8],
        _: rustls::pki_types::UnixTime,
    ) -> Result<rustls::client::danger::ServerCertVerified, rustls::Error> {
        if end_entity.as_ref() == self.0.as_slice() {
            Ok(rustls::client::danger::ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General("not the plugin's certificate".into()))
        }
    }
    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &rustls::pki_types::CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        let algs = rustls::crypto::ring::default_provider().signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(m, c, d, &algs)
    }
    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &rustls::pki_types::CertificateDer<'_>,
        d: &rustls::DigitallySignedStruct,
    ) -> Result<rustls::client::danger::HandshakeSignatureValid, rustls::Error> {
        let algs = rustls::crypto::ring::default_provider().signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(m, c, d, &algs)
    }
    fn supported_verify_schemes(&self) -> Vec<rustls::SignatureScheme> {
        rustls::crypto::ring::default_provider().signature_verification_algorithms.supported_schemes()
    }
}
