//! The ephemeral resource RPCs (protocol 6.7, Terraform 1.10): decode, call the type, encode.
//! The trait methods in `mod.rs` run these under `guarded`.

use super::{Res, Service, convert, pb};
use crate::diag::{Diagnostic, Diagnostics};
use crate::framework::{EphemeralCtx, EphemeralResource};
use tonic::Response;

impl Service {
    fn ephemeral(&self, name: &str, diags: &mut Diagnostics) -> Option<&dyn EphemeralResource> {
        let r = self.provider.ephemeral_resource(name);
        if r.is_none() {
            let detail = format!("This provider has no ephemeral resource {name:?}.");
            diags.push(Diagnostic::error("Unknown ephemeral resource", detail));
        }
        r
    }

    pub(super) async fn validate_ephemeral(
        &self,
        req: pb::validate_ephemeral_resource_config::Request,
    ) -> Res<pb::validate_ephemeral_resource_config::Response> {
        let mut diags = Diagnostics::default();
        if let Some(e) = self.ephemeral(&req.type_name, &mut diags) {
            let config = convert::value(req.config.as_ref(), &e.schema().ty(), "configuration", &mut diags);
            if !diags.has_errors() {
                e.validate(&config, &mut diags);
            }
        }
        let diagnostics = convert::diagnostics(diags);
        Ok(Response::new(pb::validate_ephemeral_resource_config::Response { diagnostics }))
    }

    pub(super) async fn open_ephemeral(
        &self,
        req: pb::open_ephemeral_resource::Request,
    ) -> Res<pb::open_ephemeral_resource::Response> {
        let mut diags = Diagnostics::default();
        let (mut result, mut private) = (None, None);
        if let Some(e) = self.ephemeral(&req.type_name, &mut diags) {
            let ty = e.schema().ty();
            let config = convert::value(req.config.as_ref(), &ty, "configuration", &mut diags);
            let amg = self.provider.amg_settings();
            let ctx = EphemeralCtx { amg: amg.as_ref() };
            if !diags.has_errors()
                && let Some(opened) = e.open(&ctx, &config, &mut diags).await
            {
                result = convert::dynamic(&opened.result, &ty);
                private = Some(opened.private);
            }
        }
        let diagnostics = convert::diagnostics(diags);
        Ok(Response::new(pb::open_ephemeral_resource::Response { diagnostics, result, private, deferred: None }))
    }

    /// Never asked for: no open answers a renewal time (a token lives its whole TTL).
    pub(super) async fn renew_ephemeral(
        &self,
        req: pb::renew_ephemeral_resource::Request,
    ) -> Res<pb::renew_ephemeral_resource::Response> {
        let mut diags = Diagnostics::default();
        self.ephemeral(&req.type_name, &mut diags);
        let diagnostics = convert::diagnostics(diags);
        Ok(Response::new(pb::renew_ephemeral_resource::Response { diagnostics, private: req.private }))
    }

    pub(super) async fn close_ephemeral(
        &self,
        req: pb::close_ephemeral_resource::Request,
    ) -> Res<pb::close_ephemeral_resource::Response> {
        let mut diags = Diagnostics::default();
        if let Some(e) = self.ephemeral(&req.type_name, &mut diags) {
            e.close(req.private.as_deref().unwrap_or_default(), &mut diags).await;
        }
        let diagnostics = convert::diagnostics(diags);
        Ok(Response::new(pb::close_ephemeral_resource::Response { diagnostics }))
    }
}
