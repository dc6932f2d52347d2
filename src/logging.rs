//! Logs as hclog JSON lines on stderr, which Terraform shows under `TF_LOG` / `TF_LOG_PROVIDER`.
//!
//! Each event becomes one line: `{"@level","@message","@module","@timestamp", fields…}`.
//! The level comes from `TF_LOG_PROVIDER`, else `TF_LOG`, else `warn`. Secrets are never
//! passed to `tracing` in the first place (see `grafana::Secret`), so nothing is scrubbed here.

use std::io::Write;

use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::prelude::*;

/// Installs the stderr JSON logger for the process.
pub fn init() {
    let level = std::env::var("TF_LOG_PROVIDER")
        .or_else(|_| std::env::var("TF_LOG"))
        .ok()
        .and_then(|l| match l.to_ascii_lowercase().as_str() {
            "trace" | "json" => Some(Level::TRACE),
            "debug" => Some(Level::DEBUG),
            "info" => Some(Level::INFO),
            "warn" => Some(Level::WARN),
            "error" => Some(Level::ERROR),
            _ => None,
        })
        .unwrap_or(Level::WARN);
    let filter = tracing_subscriber::filter::Targets::new()
        .with_target("terraform_provider_grafana", level)
        .with_default(Level::WARN);
    let _ = tracing_subscriber::registry().with(HclogLayer.with_filter(filter)).try_init();
}

struct HclogLayer;

/// hclog's timestamp, with exactly six fractional digits: go-plugin parses `@timestamp` with
/// the layout `2006-01-02T15:04:05.000000Z07:00`, and a line it cannot parse is shown whole at
/// DEBUG level, whatever its `@level` (an RFC 3339 stamp with nanoseconds is such a line).
fn timestamp(t: time::OffsetDateTime) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.microsecond()
    )
}

struct Fields(serde_json::Map<String, serde_json::Value>);

impl Visit for Fields {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(key(field), serde_json::Value::String(format!("{value:?}")));
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(key(field), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(key(field), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(key(field), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(key(field), value.into());
    }
}

fn key(f: &Field) -> String {
    if f.name() == "message" { "@message".to_string() } else { f.name().to_string() }
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let meta = event.metadata();
        let mut f = Fields(serde_json::Map::new());
        f.0.insert("@level".into(), meta.level().as_str().to_ascii_lowercase().into());
        event.record(&mut f);
        f.0.entry("@message").or_insert_with(|| "".into());
        f.0.insert("@module".into(), meta.target().replace("::", ".").into());
        f.0.insert("@timestamp".into(), timestamp(time::OffsetDateTime::now_utc()).into());
        let mut line = serde_json::Value::Object(f.0).to_string();
        line.push('\n');
        let _ = std::io::stderr().lock().write_all(line.as_bytes());
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn regression_provider_logs_showed_only_at_debug_level() {
        // go-plugin reads `@timestamp` with six fractional digits; nine made it show every
        // line as raw DEBUG text, so WARN lines were invisible at TF_LOG_PROVIDER=WARN.
        let t = time::OffsetDateTime::from_unix_timestamp_nanos(1_764_604_800_123_456_789).unwrap();
        assert_eq!(super::timestamp(t), "2025-12-01T16:00:00.123456Z");
    }
}
