//! The HTTP clients every wire format sends through: one connection pool per process and kind
//! (with TLS roots for `https://`, without for a plain local server).

use super::ProviderError;
use std::sync::OnceLock;

/// The shared client for `url` (one connection pool per process and kind). Plain `http://`
/// endpoints (a local server) get a client without TLS roots: loading the platform's
/// certificates costs tens of ms at start-up and an unencrypted endpoint never uses them.
/// Installs the ring TLS provider once.
pub(crate) fn client_for(url: &str) -> Result<reqwest::Client, ProviderError> {
    static TLS: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    static PLAIN: OnceLock<Result<reqwest::Client, String>> = OnceLock::new();
    let plain = url
        .get(..7)
        .is_some_and(|scheme| scheme.eq_ignore_ascii_case("http://"));
    let (cell, roots) = if plain {
        (&PLAIN, Roots::None)
    } else {
        (&TLS, Roots::Platform)
    };
    cell.get_or_init(|| build_client(roots))
        .clone()
        .map_err(ProviderError::Client)
}

/// Which certificates a client trusts.
#[derive(Clone, Copy)]
enum Roots {
    /// The platform's verifier and roots (every `https://` endpoint).
    Platform,
    /// None: the client only ever speaks plain HTTP.
    None,
}

fn build_client(roots: Roots) -> Result<reqwest::Client, String> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let builder = reqwest::Client::builder()
        .pool_max_idle_per_host(64)
        .tcp_nodelay(true);
    let builder = match roots {
        Roots::Platform => builder,
        Roots::None => builder.tls_certs_only(std::iter::empty()),
    };
    builder.build().map_err(|e| e.to_string())
}
