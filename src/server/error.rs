//! The HTTP layer's one error type, mapped to status codes. Internal errors are logged with
//! their detail and answered with a generic message, so store paths and such never leak.

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
    /// A query parameter is off.
    #[error("{0}")]
    BadRequest(String),
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
