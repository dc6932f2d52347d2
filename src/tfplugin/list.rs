//! List resources and generated configuration (protocol 6.10; Terraform 1.13 and 1.14):
//! decode, call `framework::list`, encode. `ListResource` is a server stream: a task runs the
//! listing and sends each result as Terraform reads; when Terraform stops reading (its limit,
//! or the query ended) the channel closes and the listing stops at its next result.

use std::pin::Pin;
use std::task::{Context, Poll};

use async_trait::async_trait;
use tokio::sync::mpsc;
use tonic::{Response, Status};

use super::guard::{WithDiagnostics, internal_error};
use super::{Res, Service, convert, pb};
use crate::diag::{Diagnostic, Diagnostics};
use crate::framework::Resource;
use crate::framework::list::{self, ListEvent, ListRequest, ListSink};
use crate::schema::IdentitySchema;
use crate::value::{Type, Value};

type Event = pb::list_resource::Event;

/// Results waiting to be read: one set here (a listing that could not start), then the listing task's.
#[derive(Default)]
pub struct ListStream {
    first: Option<Event>,
    rx: Option<mpsc::Receiver<Result<Event, Status>>>,
}

impl futures_util::Stream for ListStream {
    type Item = Result<Event, Status>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if let Some(e) = self.first.take() {
            return Poll::Ready(Some(Ok(e)));
        }
        match self.rx.as_mut() {
            Some(rx) => rx.poll_recv(cx),
            None => Poll::Ready(None),
        }
    }
}

/// A stream that ends after one result carrying the diagnostics (no identity: Terraform
/// reports them and ends the list).
impl WithDiagnostics for ListStream {
    fn set_diagnostics(&mut self, d: Vec<pb::Diagnostic>) {
        self.first = Some(Event { diagnostic: d, ..Default::default() });
        self.rx = None;
    }
}

/// Sends each result into the channel, encoded with the resource's state type and identity schema.
struct Sender {
    tx: mpsc::Sender<Result<Event, Status>>,
    ty: Type,
    ids: Option<IdentitySchema>,
}

#[async_trait]
impl ListSink for Sender {
    async fn send(&mut self, e: ListEvent) -> bool {
        let event = Event {
            identity: convert::identity_data(e.identity, self.ids.as_ref()),
            display_name: e.display_name,
            resource_object: e.object.and_then(|o| convert::dynamic(&o, &self.ty)),
            diagnostic: convert::diagnostics(e.diags),
        };
        self.tx.send(Ok(event)).await.is_ok()
    }
}

impl Service {
    fn listed(&self, name: &str, diags: &mut Diagnostics) -> Option<(&dyn Resource, crate::schema::Schema)> {
        let found = self.provider.resource(name).and_then(|r| Some((r, r.lister()?.schema())));
        if found.is_none() {
            diags.push(Diagnostic::error(
                "Unknown list resource",
                format!("This provider has no list resource {name:?}."),
            ));
        }
        found
    }

    pub(super) async fn list(&self, req: pb::list_resource::Request) -> Res<ListStream> {
        let mut diags = Diagnostics::default();
        let Some((_, schema)) = self.listed(&req.type_name, &mut diags) else {
            return Ok(Response::new(with_diagnostics(diags)));
        };
        tracing::debug!(type_name = %req.type_name, limit = req.limit, "list_resource");
        let config = convert::value(req.config.as_ref(), &schema.ty(), "list configuration", &mut diags);
        let client = self.provider.client(&mut diags);
        let (Some(client), false) = (client, diags.has_errors()) else {
            return Ok(Response::new(with_diagnostics(diags)));
        };
        let (tx, rx) = mpsc::channel(16);
        let (provider, type_name) = (self.provider.clone(), req.type_name.clone());
        let request = ListRequest {
            config,
            include_object: req.include_resource_object,
            limit: usize::try_from(req.limit).ok().filter(|l| *l > 0).unwrap_or(100),
        };
        tokio::spawn(async move {
            use futures_util::FutureExt;
            let Some(r) = provider.resource(&type_name) else { return };
            let mut sink = Sender { tx: tx.clone(), ty: r.schema().ty(), ids: r.identity_schema() };
            let run = std::panic::AssertUnwindSafe(list::list(r, &client, request, &mut sink)).catch_unwind();
            if run.await.is_err() {
                tracing::error!("internal error: a listing panicked; answered with a diagnostic");
                let diagnostic = convert::diagnostics(Diagnostics::from(internal_error("ListResource")));
                let _ = tx.send(Ok(Event { diagnostic, ..Default::default() })).await;
            }
        });
        Ok(Response::new(ListStream { first: None, rx: Some(rx) }))
    }

    pub(super) async fn validate_list(
        &self,
        req: pb::validate_list_resource_config::Request,
    ) -> Res<pb::validate_list_resource_config::Response> {
        let mut diags = Diagnostics::default();
        if let Some((_, schema)) = self.listed(&req.type_name, &mut diags) {
            convert::value(req.config.as_ref(), &schema.ty(), "list configuration", &mut diags);
        }
        let diagnostics = convert::diagnostics(diags);
        Ok(Response::new(pb::validate_list_resource_config::Response { diagnostics }))
    }

    pub(super) async fn generate_config(
        &self,
        req: pb::generate_resource_config::Request,
    ) -> Res<pb::generate_resource_config::Response> {
        let mut diags = Diagnostics::default();
        let mut config = None;
        if let Some(r) = self.resource(&req.type_name, &mut diags) {
            let ty = r.schema().ty();
            let state = convert::value(req.state.as_ref(), &ty, "state", &mut diags);
            if !diags.has_errors() {
                let generated: Value = list::generate(r, &state, &mut diags);
                config = convert::dynamic(&generated, &ty);
            }
        }
        let diagnostics = convert::diagnostics(diags);
        Ok(Response::new(pb::generate_resource_config::Response { config, diagnostics }))
    }
}

fn with_diagnostics(diags: Diagnostics) -> ListStream {
    let mut s = ListStream::default();
    s.set_diagnostics(convert::diagnostics(diags));
    s
}
