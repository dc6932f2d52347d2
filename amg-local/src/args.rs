//! The command line. Flag names are an interface other tools rely on: keep them.
//! Only `main` reads it: the layers below get plain values.

use std::net::SocketAddr;

pub const USAGE: &str = "usage: amg-local [--listen 127.0.0.1:0] [--grafana-version 10.4|12.4] [--tls] \
[--fault-rate F] [--drop-rate F] [--latency-ms N] [--seed S] [--prometheus-sigv4-migration] \
[--settle-ms N] [--deny grafana:Action[,grafana:Action...]] [--control-fault-rate F] [--control-drop-rate F] \
[--access-control]";

#[derive(Clone, Debug)]
pub struct Args {
    pub listen: SocketAddr,
    pub grafana_version: String,
    pub tls: bool,
    pub fault_rate: f64,
    pub drop_rate: f64,
    pub latency_ms: u64,
    pub seed: Option<u64>,
    /// Grafana 12+ converts `prometheus` data sources with SigV4 into
    /// `grafana-amazonprometheus-datasource`; on, 12.4 workspaces do so on every save.
    pub prometheus_sigv4_migration: bool,
    /// How long a created or updated workspace stays CREATING/UPDATING (default 800 ms).
    pub settle_ms: u64,
    /// IAM actions the control plane denies to every caller (AccessDeniedException), as an IAM
    /// policy without them would.
    pub deny: Vec<String>,
    /// Control-plane operations answered 429 ThrottlingException (Retry-After) or 500
    /// InternalServerException before any effect.
    pub control_fault_rate: f64,
    /// Control-plane writes applied, then the connection closed unanswered.
    pub control_drop_rate: f64,
    /// Serve Grafana's role-based permission API (`/api/access-control/…`), as a Grafana
    /// outside AMG does; off, it answers 404, as AMG does.
    pub access_control: bool,
}

impl Args {
    pub fn parse(mut it: impl Iterator<Item = String>) -> Result<Args, String> {
        let mut a = Args {
            listen: "127.0.0.1:0".parse().expect("literal address"),
            grafana_version: "12.4".into(),
            tls: false,
            fault_rate: 0.0,
            drop_rate: 0.0,
            latency_ms: 0,
            seed: None,
            prometheus_sigv4_migration: false,
            settle_ms: 800,
            deny: Vec::new(),
            control_fault_rate: 0.0,
            control_drop_rate: 0.0,
            access_control: false,
        };
        while let Some(flag) = it.next() {
            let (flag, inline) = match flag.split_once('=') {
                Some((f, v)) => (f.to_string(), Some(v.to_string())),
                None => (flag, None),
            };
            let mut value =
                |name: &str| inline.clone().or_else(|| it.next()).ok_or_else(|| format!("{name} needs a value"));
            match flag.as_str() {
                "--listen" => {
                    let v = value("--listen")?;
                    a.listen = v.parse().map_err(|e| format!("--listen {v}: {e}"))?;
                    if !a.listen.ip().is_loopback() {
                        return Err(format!("--listen {v}: amg-local serves on loopback only"));
                    }
                }
                "--grafana-version" => {
                    let v = value("--grafana-version")?;
                    if crate::world::Profile::parse(&v).is_none() {
                        return Err(format!("--grafana-version {v}: supported versions are 10.4 and 12.4"));
                    }
                    a.grafana_version = v;
                }
                "--tls" => a.tls = true,
                "--prometheus-sigv4-migration" => a.prometheus_sigv4_migration = true,
                "--access-control" => a.access_control = true,
                "--fault-rate" => a.fault_rate = rate("--fault-rate", &value("--fault-rate")?)?,
                "--drop-rate" => a.drop_rate = rate("--drop-rate", &value("--drop-rate")?)?,
                "--control-fault-rate" => {
                    a.control_fault_rate = rate("--control-fault-rate", &value("--control-fault-rate")?)?
                }
                "--control-drop-rate" => {
                    a.control_drop_rate = rate("--control-drop-rate", &value("--control-drop-rate")?)?
                }
                "--latency-ms" => {
                    let v = value("--latency-ms")?;
                    a.latency_ms =
                        v.parse().map_err(|_| format!("--latency-ms {v}: expected a whole number of milliseconds"))?;
                }
                "--settle-ms" => {
                    let v = value("--settle-ms")?;
                    a.settle_ms =
                        v.parse().map_err(|_| format!("--settle-ms {v}: expected a whole number of milliseconds"))?;
                }
                "--deny" => {
                    for action in value("--deny")?.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                        if !action.starts_with("grafana:") {
                            return Err(format!("--deny {action}: name IAM actions as grafana:Operation"));
                        }
                        a.deny.push(action.to_string());
                    }
                }
                "--seed" => {
                    let v = value("--seed")?;
                    a.seed = Some(v.parse().map_err(|_| format!("--seed {v}: expected a whole number"))?);
                }
                "-h" | "--help" => return Err("help requested".into()),
                other => return Err(format!("unknown argument {other:?}")),
            }
        }
        Ok(a)
    }
}

fn rate(name: &str, v: &str) -> Result<f64, String> {
    match v.parse::<f64>() {
        Ok(f) if (0.0..=1.0).contains(&f) => Ok(f),
        _ => Err(format!("{name} {v}: expected a fraction between 0 and 1")),
    }
}
