//! Response envelopes and errors as Grafana writes them, and the JSON body extractor.

use axum::extract::{FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value, json};

pub(super) type R = Result<Response, Response>;

pub(super) fn gerr(status: StatusCode, body: Value) -> Response {
    (status, axum::Json(body)).into_response()
}

/// `{"message": m}`
pub(super) fn msg(status: StatusCode, m: &str) -> Response {
    gerr(status, json!({ "message": m }))
}

/// `{"message": m, "traceID": ""}` (handler errors that carry an underlying error).
pub(super) fn msg_trace(status: StatusCode, m: &str) -> Response {
    gerr(status, json!({ "message": m, "traceID": "" }))
}

pub(super) fn ok(v: Value) -> R {
    Ok(axum::Json(v).into_response())
}

/// A request body that must be a JSON object. Grafana answers `400 bad request data` to
/// anything else, and 413 past the body limit.
pub(super) struct Body(pub Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for Body {
    type Rejection = Response;

    async fn from_request(req: Request, state: &S) -> Result<Body, Response> {
        let b = axum::body::Bytes::from_request(req, state).await.map_err(|r| {
            if r.status() == StatusCode::PAYLOAD_TOO_LARGE {
                msg(StatusCode::PAYLOAD_TOO_LARGE, "request body too large")
            } else {
                msg_trace(StatusCode::BAD_REQUEST, "bad request data")
            }
        })?;
        match serde_json::from_slice::<Value>(&b) {
            Ok(Value::Object(m)) => Ok(Body(m)),
            _ => Err(msg_trace(StatusCode::BAD_REQUEST, "bad request data")),
        }
    }
}
