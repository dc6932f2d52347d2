//! The panic guard every RPC handler runs under: a panic (a bug of ours) becomes an error
//! diagnostic for that one call, and the process keeps serving.

use tonic::Response;

use super::{Res, convert, pb};
use crate::diag::{Diagnostic, Diagnostics};

/// A response that can carry diagnostics: what a handler returns when it panicked.
pub(super) trait WithDiagnostics: Default {
    fn set_diagnostics(&mut self, d: Vec<pb::Diagnostic>);
}

macro_rules! with_diagnostics {
    ($($m:ident),* $(,)?) => {$(
        impl WithDiagnostics for pb::$m::Response {
            fn set_diagnostics(&mut self, d: Vec<pb::Diagnostic>) {
                self.diagnostics = d;
            }
        }
    )*};
}

with_diagnostics!(
    get_provider_schema,
    get_resource_identity_schemas,
    upgrade_resource_identity,
    validate_provider_config,
    configure_provider,
    validate_resource_config,
    validate_data_resource_config,
    upgrade_resource_state,
    read_resource,
    plan_resource_change,
    apply_resource_change,
    move_resource_state,
    import_resource_state,
    read_data_source,
    validate_ephemeral_resource_config,
    open_ephemeral_resource,
    renew_ephemeral_resource,
    close_ephemeral_resource,
    validate_list_resource_config,
    generate_resource_config,
);

/// StopProvider answers with an error string, not diagnostics.
impl WithDiagnostics for pb::stop_provider::Response {
    fn set_diagnostics(&mut self, d: Vec<pb::Diagnostic>) {
        self.error = d.into_iter().map(|d| d.summary).collect::<Vec<_>>().join("; ");
    }
}

/// Runs a handler; a panic inside it (a bug of ours) becomes an error diagnostic for that one
/// call instead of a dead plugin, and the process keeps serving. The panic's message goes to
/// the log (through the panic hook), never into the diagnostic, which could reach a terminal
/// or CI log with whatever the message held.
pub(super) async fn guarded<T: WithDiagnostics, F: std::future::Future<Output = Res<T>>>(
    rpc: &'static str,
    f: F,
) -> Res<T> {
    use futures_util::FutureExt;
    match std::panic::AssertUnwindSafe(f).catch_unwind().await {
        Ok(r) => r,
        Err(_) => {
            tracing::error!(rpc, "internal error: a request handler panicked; answered with a diagnostic");
            let mut resp = T::default();
            resp.set_diagnostics(convert::diagnostics(Diagnostics::from(internal_error(rpc))));
            Ok(Response::new(resp))
        }
    }
}

/// What a panic in `rpc`'s handler answers: no detail of the panic (see [`guarded`]).
pub(super) fn internal_error(rpc: &str) -> Diagnostic {
    Diagnostic::error(
        "Internal error in the Grafana provider",
        format!(
            "The provider hit a bug while handling {rpc} and stopped that one request; nothing else was affected, and \
                it kept serving. Please report it, with the output of TF_LOG_PROVIDER=debug (it holds the details and \
                no credentials)."
        ),
    )
}

/// Debug builds only: `GRAFANA_PROVIDER_TEST_PANIC=<rpc>:<type>` makes that call panic, once
/// per process, so the tests can show what a panic does. Compiled out of release builds.
pub(super) fn test_panic(rpc: &str, type_name: &str) {
    static DONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if cfg!(debug_assertions)
        && std::env::var("GRAFANA_PROVIDER_TEST_PANIC").is_ok_and(|v| v == format!("{rpc}:{type_name}"))
        && !DONE.swap(true, std::sync::atomic::Ordering::SeqCst)
    {
        panic!("GRAFANA_PROVIDER_TEST_PANIC: {rpc} of {type_name}");
    }
}
