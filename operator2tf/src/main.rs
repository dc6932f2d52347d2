//! `operator2tf`: grafana-operator (and Flux) manifests → a Terraform configuration for
//! `amg-oss/grafana` whose first plan imports what the operator made.
//!
//! Flow: arguments → `load` (files, kustomizations, YAML as Kubernetes reads it) → `flux`
//! (`${VAR}` substitution) → `convert` (one module per kind) → `live` (uids checked and looked
//! up in the workspace) or offline → `write` (the output directory) and `report`.

mod convert;
mod flux;
mod hcl;
mod live;
mod load;
mod report;
mod write;
mod yaml;

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const USAGE: &str = "\
usage: operator2tf [--var NAME=VALUE]... [--fetch] [--grafana-com-url URL]
                   [--grafana-url URL --grafana-auth TOKEN [--ca-cert FILE] | --workspace-id ID [--region R]]
                   [--with-provider] --out DIR PATH...

Converts grafana-operator manifests (GrafanaFolder, GrafanaDashboard, GrafanaDatasource; files,
directories, kustomizations) into Terraform for the amg-oss/grafana provider: main.tf, imports.tf,
variables.tf, dashboards/*.json and CONVERSION.md in DIR.

  --var NAME=VALUE     a Flux postBuild variable's value (others become Terraform variables)
  --fetch              download `url:` and `grafanaCom:` dashboards
  --grafana-com-url    where grafana.com's API is (a mirror); default https://grafana.com
  --grafana-url/--grafana-auth
                       live mode: look objects up in this Grafana with this token (or GRAFANA_AUTH)
  --ca-cert FILE       a PEM CA certificate to trust for the workspace (either live mode)
  --workspace-id ID    live mode on AMG: a token minted with your AWS credentials, deleted after
  --region R           the workspace's region (default: the AWS configuration's)
  --with-provider      also write a terraform and provider block
";

#[derive(Default, Debug)]
struct Args {
    vars: Vec<(String, String)>,
    fetch: bool,
    grafana_com: Option<String>,
    grafana_url: Option<String>,
    grafana_auth: Option<String>,
    ca_cert: Option<PathBuf>,
    workspace_id: Option<String>,
    region: Option<String>,
    with_provider: bool,
    out: Option<PathBuf>,
    paths: Vec<PathBuf>,
}

fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut a = Args::default();
    while let Some(arg) = it.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = |name: &str| inline.clone().or_else(|| it.next()).ok_or(format!("{name} needs a value"));
        match flag.as_str() {
            "--var" => {
                let v = value("--var")?;
                let (n, val) = v.split_once('=').ok_or(format!("--var {v}: write NAME=VALUE"))?;
                a.vars.push((n.to_string(), val.to_string()));
            }
            "--fetch" => a.fetch = true,
            "--with-provider" => a.with_provider = true,
            "--grafana-com-url" => a.grafana_com = Some(value(&flag)?),
            "--grafana-url" => a.grafana_url = Some(value(&flag)?),
            "--grafana-auth" => a.grafana_auth = Some(value(&flag)?),
            "--ca-cert" => a.ca_cert = Some(value(&flag)?.into()),
            "--workspace-id" => a.workspace_id = Some(value(&flag)?),
            "--region" => a.region = Some(value(&flag)?),
            "--out" => a.out = Some(value(&flag)?.into()),
            "-h" | "--help" => return Err(String::new()),
            f if f.starts_with('-') && f.len() > 1 => return Err(format!("unknown flag {f}")),
            _ => a.paths.push(arg.into()),
        }
    }
    if a.out.is_none() {
        return Err("--out DIR is required".into());
    }
    if a.paths.is_empty() {
        return Err("give at least one file or directory of manifests".into());
    }
    if a.grafana_url.is_some() && a.workspace_id.is_some() {
        return Err("--grafana-url and --workspace-id are two ways to reach the workspace: give one".into());
    }
    if a.grafana_url.is_some() && a.grafana_auth.is_none() {
        a.grafana_auth = std::env::var("GRAFANA_AUTH").ok().filter(|t| !t.is_empty());
        if a.grafana_auth.is_none() {
            return Err("--grafana-url needs --grafana-auth TOKEN (or GRAFANA_AUTH)".into());
        }
    }
    Ok(a)
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("operator2tf: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("operator2tf: {e}");
            ExitCode::from(2)
        }
    }
}

fn client(ca: Option<&PathBuf>) -> Result<reqwest::blocking::Client, String> {
    let mut b = reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(60))
        .user_agent(concat!("operator2tf/", env!("CARGO_PKG_VERSION")));
    if let Some(path) = ca {
        let pem = std::fs::read(path).map_err(|e| format!("--ca-cert {}: {e}", path.display()))?;
        let cert = reqwest::Certificate::from_pem(&pem).map_err(|e| format!("--ca-cert {}: {e}", path.display()))?;
        b = b.add_root_certificate(cert);
    }
    b.build().map_err(|e| e.to_string())
}

/// Converts and writes; `Ok(false)` when some manifest failed (the rest is written).
fn run(args: &Args) -> Result<bool, String> {
    let http = client(args.ca_cert.as_ref())?;
    let mut loaded = load::load(&args.paths);
    let mut vars = flux::Vars { kept: convert::kept_names(&loaded.manifests), ..Default::default() };
    // A Flux Kustomization among the manifests gives its postBuild values; `--var` wins.
    for m in loaded.manifests.iter().filter(|m| m.value["kind"] == "Kustomization") {
        for (k, v) in m.value["spec"]["postBuild"]["substitute"].as_object().into_iter().flatten() {
            let v = v.as_str().map(str::to_string).unwrap_or_else(|| v.to_string());
            vars.given.insert(k.clone(), v);
        }
    }
    vars.given.extend(args.vars.iter().cloned());
    for m in &mut loaded.manifests {
        vars.manifest(&mut m.value);
    }
    let fetch = convert::Fetch {
        enabled: args.fetch,
        grafana_com: args.grafana_com.clone().unwrap_or_else(|| "https://grafana.com".into()),
        client: http.clone(),
    };
    let mut out = convert::convert(&loaded.manifests, &fetch, vars);
    out.failures.extend(loaded.failures);
    for (source, what) in loaded.skipped {
        out.notes.push(convert::Note {
            source,
            what,
            todo: "Pass it to operator2tf yourself if it holds manifests.".into(),
        });
    }
    let live = live_mode(args, http, &mut out)?;
    let inputs: Vec<String> = args.paths.iter().map(|p| p.display().to_string()).collect();
    let dir = args.out.as_ref().expect("checked");
    let opts = write::Options { with_provider: args.with_provider, live: live.as_deref(), inputs: &inputs };
    write::write(dir, &out, &opts).map_err(|e| format!("writing {}: {e}", dir.display()))?;
    for f in &out.failures {
        eprintln!("error: {}: {}", f.source, f.message);
    }
    let imported = out.resources.iter().filter(|r| r.import.is_some()).count();
    let n = out.resources.len();
    println!(
        "operator2tf: {n} {} ({imported} to import, {} to create), {} not converted, {} failed: see {}",
        if n == 1 { "resource" } else { "resources" },
        out.resources.len() - imported,
        out.notes.len(),
        out.failures.len(),
        dir.join("CONVERSION.md").display()
    );
    Ok(out.failures.is_empty())
}

/// Resolves imports against the workspace (live) or from the manifests (offline); the words
/// for the report.
fn live_mode(
    args: &Args,
    http: reqwest::blocking::Client,
    out: &mut convert::Converted,
) -> Result<Option<String>, String> {
    if let Some(url) = &args.grafana_url {
        let g = live::Grafana { url: url.clone(), token: args.grafana_auth.clone().unwrap_or_default(), client: http };
        live::resolve(&g, out).map_err(|e| format!("live mode ({url}): {}", e.0))?;
        return Ok(Some(format!("the Grafana at `{url}`")));
    }
    if let Some(ws) = &args.workspace_id {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().map_err(|e| e.to_string())?;
        let ttl = Duration::from_secs(600);
        let leased = rt
            .block_on(terraform_provider_grafana::amg_lease::open(ws, args.region.as_deref(), ttl))
            .map_err(|e| format!("--workspace-id {ws}: {e}"))?;
        let g = live::Grafana { url: leased.url.clone(), token: leased.token.clone(), client: http };
        // Off the runtime: the blocking client runs its own.
        let found = std::thread::scope(|s| s.spawn(|| live::resolve(&g, out)).join().expect("the lookup thread"));
        let closed = rt.block_on(terraform_provider_grafana::amg_lease::close(leased));
        if let Err(e) = closed {
            eprintln!(
                "operator2tf: warning: the token minted for {ws} could not be deleted ({e}); it expires in 10 minutes"
            );
        }
        found.map_err(|e| format!("live mode (workspace {ws}): {}", e.0))?;
        return Ok(Some(format!("AMG workspace `{ws}`")));
    }
    live::offline(out);
    Ok(None)
}
