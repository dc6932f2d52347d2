//! go-plugin's own services: `GRPCController` (Shutdown), `GRPCStdio` and `GRPCBroker`.
//! Our logs go to stderr, so the stdio stream carries nothing; the broker is unused by Terraform.

use std::pin::Pin;
use std::sync::Arc;

use tokio_stream::Stream;
use tonic::{Request, Response, Status, Streaming};

use crate::provider::Provider;
use crate::tfplugin::goplugin as pb;

type Empty<T> = Pin<Box<dyn Stream<Item = Result<T, Status>> + Send + 'static>>;

pub(super) struct Controller {
    pub(super) shutdown: Arc<tokio::sync::Notify>,
    pub(super) provider: Arc<Provider>,
}

#[tonic::async_trait]
impl pb::grpc_controller_server::GrpcController for Controller {
    /// Terraform kills the process about 2 s after this returns: the provider's clean-up
    /// (deleting minted tokens, bounded) runs first, then the server stops.
    async fn shutdown(&self, _req: Request<()>) -> Result<Response<()>, Status> {
        self.provider.shutdown().await;
        self.shutdown.notify_one();
        Ok(Response::new(()))
    }
}

pub(super) struct Stdio;

#[tonic::async_trait]
impl pb::grpc_stdio_server::GrpcStdio for Stdio {
    type StreamStdioStream = Empty<pb::StdioData>;
    async fn stream_stdio(&self, _req: Request<()>) -> Result<Response<Self::StreamStdioStream>, Status> {
        Ok(Response::new(Box::pin(tokio_stream::empty())))
    }
}

pub(super) struct Broker;

#[tonic::async_trait]
impl pb::grpc_broker_server::GrpcBroker for Broker {
    type StartStreamStream = Empty<pb::ConnInfo>;
    async fn start_stream(
        &self,
        _req: Request<Streaming<pb::ConnInfo>>,
    ) -> Result<Response<Self::StartStreamStream>, Status> {
        Ok(Response::new(Box::pin(tokio_stream::empty())))
    }
}
