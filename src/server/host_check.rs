//! Checks the `Host` of requests to the API and the web pages against `[server] allowed_hosts`,
//! so that a web page cannot read them through DNS rebinding.
//!
//! A page on `evil.example` whose name the attacker re-points at 127.0.0.1 makes the victim's
//! browser send `Host: evil.example` to the daemon, and the same-origin policy lets the page
//! read the answer. Refusing hosts the operator did not name closes that. The default allows
//! what reaches the daemon honestly: the listen address; `localhost`, `127.0.0.1` and `::1`
//! when it listens on loopback; any IP address (but no name) when it listens on all
//! interfaces, since an IP-literal Host cannot come from a rebound name. Names clients use go
//! in `allowed_hosts`; `"*"` turns the check off. A request without a Host (HTTP/1.0, tests)
//! is let through: browsers always send one. `/healthz`, `/readyz` and `/metrics` are not
//! checked (the router leaves them out): Kubernetes probes and Prometheus send the pod IP or a
//! service name, and those endpoints hold nothing a page could steal.

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::extract::{Request, State as AxState};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::error::ApiError;
use super::State;
use crate::config::Server;

/// Middleware: refuses a request whose `Host` header (or absolute-form URI authority) is not
/// allowed, with 403 and the JSON error shape.
pub async fn check(AxState(state): AxState<Arc<State>>, request: Request, next: Next) -> Response {
    let config = state.config();
    let from_uri = request.uri().authority().map(|a| a.as_str().to_string());
    let from_header = match request.headers().get(header::HOST) {
        Some(v) => match v.to_str() {
            Ok(text) => Some(text.to_string()),
            Err(_) => return ApiError::ForbiddenHost("(not text)".into()).into_response(),
        },
        None => None,
    };
    for host in [from_uri, from_header].into_iter().flatten() {
        if !is_allowed(&host, &config.server) {
            return ApiError::ForbiddenHost(host).into_response();
        }
    }
    next.run(request).await
}

/// Whether a `Host` value (`name`, `name:port`, `1.2.3.4:80`, `[::1]:9464`) may be answered.
pub fn is_allowed(host: &str, server: &Server) -> bool {
    let name = bare_host(host);
    if name.is_empty() {
        return false;
    }
    if server
        .allowed_hosts
        .iter()
        .any(|a| a.trim() == "*" || bare_host(a) == name)
    {
        return true;
    }
    allowed_by_default(&name, server.listen)
}

/// The default rule (see the module doc).
fn allowed_by_default(name: &str, listen: SocketAddr) -> bool {
    let listen_ip = listen.ip();
    match name.parse::<IpAddr>() {
        Ok(ip) => {
            ip == listen_ip
                || listen_ip.is_unspecified()
                || (listen_ip.is_loopback() && ip.is_loopback())
        }
        Err(_) => name == "localhost" && (listen_ip.is_loopback() || listen_ip.is_unspecified()),
    }
}

/// The host without port or brackets, lower-cased, without a trailing dot.
fn bare_host(host: &str) -> String {
    let host = host.trim();
    let name = if let Some(rest) = host.strip_prefix('[') {
        // No closing bracket: not a host at all.
        rest.split_once(']')
            .map(|(name, _)| name)
            .unwrap_or_default()
    } else {
        match host.rsplit_once(':') {
            // One colon and digits after it: a port. More colons: a bare IPv6 address.
            Some((name, port))
                if !name.contains(':') && port.chars().all(|c| c.is_ascii_digit()) =>
            {
                name
            }
            Some(_) | None => host,
        }
    };
    name.trim_end_matches('.').to_ascii_lowercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn server(listen: &str, allowed: &[&str]) -> Server {
        Server {
            listen: listen.parse().unwrap(),
            allowed_hosts: allowed.iter().map(|s| s.to_string()).collect(),
            ..Server::default()
        }
    }

    #[test]
    fn loopback_default_allows_local_names_only() {
        let s = server("127.0.0.1:9464", &[]);
        for ok in [
            "127.0.0.1:9464",
            "127.0.0.1",
            "localhost:9464",
            "LOCALHOST.",
            "[::1]:9464",
            "::1",
        ] {
            assert!(is_allowed(ok, &s), "{ok}");
        }
        for bad in ["evil.example", "evil.example:9464", "10.0.0.1", "", "[::1"] {
            assert!(!is_allowed(bad, &s), "{bad}");
        }
    }

    #[test]
    fn all_interfaces_default_allows_addresses_but_no_names() {
        let s = server("0.0.0.0:9464", &[]);
        assert!(is_allowed("10.1.2.3:9464", &s));
        assert!(is_allowed("[fe80::1]:9464", &s));
        assert!(is_allowed("localhost", &s));
        assert!(!is_allowed("echoscope.internal", &s));
        let s = server("0.0.0.0:9464", &["echoscope.internal"]);
        assert!(is_allowed("Echoscope.Internal:9464", &s));
        assert!(!is_allowed("evil.example", &s));
        let s = server("0.0.0.0:9464", &["*"]);
        assert!(is_allowed("evil.example", &s));
    }
}
