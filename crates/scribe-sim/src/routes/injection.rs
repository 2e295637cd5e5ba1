//! The fault-injection middleware: asks the injector about each request and
//! misbehaves as told.

use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use crate::faults::FaultKind;
use crate::reject::Reject;
use crate::request_log::LogSlot;
use crate::route::Route;
use crate::routes::stream::DropAfterFrames;
use crate::server::ConnectionControl;
use crate::state::AppState;
use scribe_protocol::error::ErrorCode;

const GATEWAY_PAGE: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>scribe-sim gateway (simulated fault)</center>\r\n\
</body>\r\n</html>\r\n";

pub(crate) async fn inject(
    State(state): State<AppState>,
    mut request: Request,
    next: Next,
) -> Response {
    let route = request
        .extensions()
        .get::<Route>()
        .copied()
        .unwrap_or(Route::Other);
    let Some(kind) = state.faults.decide(route) else {
        return next.run(request).await;
    };
    if let Some(slot) = request.extensions().get::<LogSlot>() {
        state.log.mark_fault(slot.0, kind.label());
    }
    match kind {
        FaultKind::InternalError => Reject::new(
            ErrorCode::InternalError,
            "simulated internal error (fault injection)",
        )
        .into_response(),
        FaultKind::Unavailable { retry_after } => {
            let reject = Reject::new(
                ErrorCode::ServiceUnavailable,
                "simulated outage (fault injection)",
            );
            match retry_after {
                Some(d) => reject.retry_after(d.as_secs()).into_response(),
                None => reject.into_response(),
            }
        }
        FaultKind::RateLimited { retry_after } => Reject::new(
            ErrorCode::RateLimitExceeded,
            "simulated rate limit (fault injection)",
        )
        .retry_after(retry_after.as_secs())
        .into_response(),
        FaultKind::GatewayHtml => (
            StatusCode::BAD_GATEWAY,
            [(header::CONTENT_TYPE, "text/html")],
            GATEWAY_PAGE,
        )
            .into_response(),
        FaultKind::EmptyBody { status } => StatusCode::from_u16(status)
            .unwrap_or(StatusCode::BAD_GATEWAY)
            .into_response(),
        FaultKind::FastApiDetail => (
            StatusCode::UNPROCESSABLE_ENTITY,
            axum::Json(serde_json::json!({
                "detail": [{
                    "loc": ["body"],
                    "msg": "simulated validation error (fault injection)",
                    "type": "value_error"
                }]
            })),
        )
            .into_response(),
        FaultKind::Slow(delay) => {
            tokio::time::sleep(delay).await;
            next.run(request).await
        }
        FaultKind::ResetBeforeBody => {
            reset(request.extensions().get::<ConnectionControl>().cloned()).await
        }
        FaultKind::ResetAfterBody => {
            let control = request.extensions().get::<ConnectionControl>().cloned();
            let limit = state.config.max_upload_bytes.saturating_mul(2);
            // Read (and discard) everything the client sends first.
            let _ = axum::body::to_bytes(request.into_body(), limit).await;
            reset(control).await
        }
        FaultKind::LostAnswer => {
            let control = request.extensions().get::<ConnectionControl>().cloned();
            // The handler runs to the end; only its answer is thrown away.
            drop(next.run(request).await);
            reset(control).await
        }
        FaultKind::StallBody => {
            // Announce 64 bytes, send 8, then nothing more, ever.
            let start = futures_util::stream::once(async {
                Ok::<_, std::io::Error>(axum::body::Bytes::from_static(b"{\"stall\""))
            });
            let stalled = futures_util::stream::pending();
            (
                StatusCode::OK,
                [
                    (header::CONTENT_TYPE, "application/json"),
                    (header::CONTENT_LENGTH, "64"),
                ],
                axum::body::Body::from_stream(futures_util::StreamExt::chain(start, stalled)),
            )
                .into_response()
        }
        FaultKind::WsDropAfterFrames(n) => {
            request.extensions_mut().insert(DropAfterFrames(n));
            next.run(request).await
        }
    }
}

/// Kill the connection and never answer: the connection task drops the
/// socket with a zero linger, which sends a TCP reset.
async fn reset(control: Option<ConnectionControl>) -> Response {
    match control {
        Some(control) => {
            control.kill();
            std::future::pending::<Response>().await
        }
        None => Reject::new(
            ErrorCode::InternalError,
            "connection reset fault without a connection",
        )
        .into_response(),
    }
}
