//! What a request says about its client: the address API Gateway saw (or the local server sets,
//! in the same place of the request's context) and API Gateway's request id, for the span the
//! endpoints' work runs in, so that its audit events carry them.

use lambda_http::request::RequestContext;
use lambda_http::{Request, RequestExt};

/// The span an endpoint's work runs in: the client's address and API Gateway's request id, when
/// the request came through API Gateway (the local server's requests carry the address only).
pub fn span(request: &Request) -> tracing::Span {
    let request_id = match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.request_id.as_deref(),
        _ => None,
    };
    tracing::info_span!("request", source_ip = source_ip(request), request_id)
}

/// The client's address, as API Gateway reports it (or the local server sets it, in the same
/// place of the request's context).
pub fn source_ip(request: &Request) -> Option<&str> {
    match request.request_context_ref() {
        Some(RequestContext::ApiGatewayV2(context)) => context.http.source_ip.as_deref(),
        _ => None,
    }
}
