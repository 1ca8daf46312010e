//! The HTTP layer's one error type, mapped to status codes. Internal errors are logged with
//! their detail and answered with a generic message, so store paths and such never leak.
//!
//! Every error answers with one JSON shape, `{"error": "..."}`, including what axum's own
//! extractors reject (a bad query string or path segment: [`ApiQuery`], [`ApiPath`]), unknown
//! paths and wrong methods ([`not_found`], [`method_not_allowed`]): clients and the API's
//! fuzzing from `openapi.json` see one error schema.

use axum::extract::{FromRequestParts, Path, Query};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No such account, or nothing analysed yet.
    #[error("{0}")]
    NotFound(String),
    /// A state-changing endpoint was called without the right bearer token.
    #[error("missing or wrong bearer token")]
    Unauthorized,
    /// State-changing endpoints are off because no token is configured.
    #[error("state-changing endpoints are off: set server.api_token or ECHOSCOPE_API_TOKEN")]
    Disabled,
    /// A query parameter or path segment is off.
    #[error("{0}")]
    BadRequest(String),
    /// The request's `Host` is not in `server.allowed_hosts` (DNS-rebinding guard).
    #[error("host {0:?} is not allowed: add it to server.allowed_hosts")]
    ForbiddenHost(String),
    /// The path exists but not with this method.
    #[error("method not allowed")]
    MethodNotAllowed,
    /// The store refuses work (damaged, read-only...); the detail goes to the log only.
    #[error("the store is unavailable")]
    Unavailable(String),
    /// Something failed inside; the detail goes to the log only.
    #[error("internal error")]
    Internal(String),
}

impl From<crate::store::StoreError> for ApiError {
    fn from(e: crate::store::StoreError) -> Self {
        match e {
            crate::store::StoreError::UnknownAccount(name) => {
                ApiError::NotFound(format!("unknown account {name:?}"))
            }
            // Read-only, full, damaged...: the service is unavailable, not broken inside.
            e @ crate::store::StoreError::Unusable { .. } => ApiError::Unavailable(e.to_string()),
            other => ApiError::Internal(other.to_string()),
        }
    }
}

impl ApiError {
    /// The HTTP status of this error (the JSON API and the pages answer with the same); an
    /// internal error's detail is logged here.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Unauthorized => StatusCode::UNAUTHORIZED,
            ApiError::Disabled => StatusCode::FORBIDDEN,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::ForbiddenHost(_) => StatusCode::FORBIDDEN,
            ApiError::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unavailable(detail) => {
                tracing::error!(error = %detail, "request failed: store unavailable");
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "request failed");
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = Json(serde_json::json!({ "error": self.to_string() }));
        if matches!(self, ApiError::Unauthorized) {
            (status, [(header::WWW_AUTHENTICATE, "Bearer")], body).into_response()
        } else {
            (status, body).into_response()
        }
    }
}

/// `Query<T>` whose rejection is an [`ApiError::BadRequest`] in the JSON shape.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Query::<T>::from_request_parts(parts, state).await {
            Ok(Query(value)) => Ok(ApiQuery(value)),
            Err(rejection) => Err(ApiError::BadRequest(rejection.body_text())),
        }
    }
}

/// `Path<T>` whose rejection is an [`ApiError::BadRequest`] in the JSON shape.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;
    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        match Path::<T>::from_request_parts(parts, state).await {
            Ok(Path(value)) => Ok(ApiPath(value)),
            Err(rejection) => Err(ApiError::BadRequest(rejection.body_text())),
        }
    }
}

/// The answer to a path no route serves.
pub async fn not_found() -> ApiError {
    ApiError::NotFound("no such path".into())
}

/// The answer to a routed path called with another method.
pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}
