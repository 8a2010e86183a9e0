//! TLS to PostgreSQL with libpq's `sslmode` meanings, over rustls (the driver's own parser knows
//! only `disable`/`prefer`/`require`, so temper reads `sslmode` and `sslrootcert` itself):
//!
//! - `disable`, `allow`, `prefer` (the default): plain connections.
//! - `require`: encrypted; the certificate is not checked (as libpq does without a root
//!   certificate), so self-signed team servers work.
//! - `verify-ca`: encrypted, the certificate chain checked against `sslrootcert=PATH` or the
//!   system's trust store; the host name is not.
//! - `verify-full`: as `verify-ca`, and the certificate must name the host.
//!
//! See docs/postgres.md ("TLS").

use super::{Result, StoreError};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::crypto::WebPkiSupportedAlgorithms;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, SignatureScheme};
use std::path::PathBuf;
use std::sync::Arc;

/// What the URL asked of TLS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Tls {
    /// No TLS.
    Off,
    /// Encrypted, any certificate.
    Require,
    /// Encrypted, chain checked; `full`: host name checked too.
    Verify { full: bool, root: Option<PathBuf> },
}

/// Take `sslmode` and `sslrootcert` out of `url` (the rest goes to the driver); an unknown mode
/// is an error naming the accepted ones.
pub(crate) fn split_url(url: &str) -> Result<(String, Tls)> {
    let Some((base, query)) = url.split_once('?') else {
        return Ok((url.to_string(), Tls::Off));
    };
    let (mut mode, mut root, mut kept) = (None, None, Vec::new());
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        match pair.split_once('=') {
            Some(("sslmode", v)) => mode = Some(percent_decode(v)),
            Some(("sslrootcert", v)) => root = Some(PathBuf::from(percent_decode(v))),
            _ => kept.push(pair),
        }
    }
    let tls = match (mode.as_deref(), root) {
        (None | Some("disable" | "allow" | "prefer"), _) => Tls::Off,
        (Some("require"), None) => Tls::Require,
        // libpq: with a root certificate, `require` checks the chain as `verify-ca` does.
        (Some("require" | "verify-ca"), root) => Tls::Verify { full: false, root },
        (Some("verify-full"), root) => Tls::Verify { full: true, root },
        (Some(other), _) => {
            return Err(StoreError::Open {
                path: "postgres URL".into(),
                detail: format!(
                    "sslmode={other:?} is not a TLS mode; use disable, prefer, require, verify-ca or verify-full"
                ),
            });
        }
    };
    let url = match kept.is_empty() {
        true => base.to_string(),
        false => format!("{base}?{}", kept.join("&")),
    };
    Ok((url, tls))
}

/// `%XX` escapes decoded (paths in URLs); anything malformed is kept as written.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 1..i + 3)
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], hex) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The rustls client configuration for `tls` (not called for [`Tls::Off`]).
pub(crate) fn client_config(tls: &Tls) -> std::result::Result<rustls::ClientConfig, String> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let builder = rustls::ClientConfig::builder_with_provider(provider.clone())
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?;
    let verifier: Arc<dyn ServerCertVerifier> = match tls {
        Tls::Off | Tls::Require => {
            Arc::new(AnyCertificate(provider.signature_verification_algorithms))
        }
        Tls::Verify { full, root } => {
            let inner: Arc<dyn ServerCertVerifier> = match root {
                Some(path) => {
                    let mut roots = rustls::RootCertStore::empty();
                    let certs = CertificateDer::pem_file_iter(path)
                        .map_err(|e| format!("cannot read sslrootcert {}: {e}", path.display()))?;
                    for cert in certs {
                        let cert = cert.map_err(|e| {
                            format!("cannot read sslrootcert {}: {e}", path.display())
                        })?;
                        roots.add(cert).map_err(|e| {
                            format!(
                                "sslrootcert {} holds a bad certificate: {e}",
                                path.display()
                            )
                        })?;
                    }
                    rustls::client::WebPkiServerVerifier::builder_with_provider(
                        Arc::new(roots),
                        provider,
                    )
                    .build()
                    .map_err(|e| e.to_string())?
                }
                None => Arc::new(
                    rustls_platform_verifier::Verifier::new(provider).map_err(|e| e.to_string())?,
                ),
            };
            match full {
                true => inner,
                false => Arc::new(AnyName(inner)),
            }
        }
    };
    Ok(builder
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth())
}

/// What a failed TLS handshake means for the user, with the fix; `None` when the error is not
/// about TLS.
pub(crate) fn explain(detail: &str, tls: &Tls) -> Option<String> {
    let lower = detail.to_ascii_lowercase();
    if lower.contains("server does not support tls") {
        return Some(
            "the server does not accept TLS connections (ssl = off); ask its admin to turn TLS on, or drop sslmode from the URL".into(),
        );
    }
    if !lower.contains("certificate") && !lower.contains("tls") {
        return None;
    }
    let fix = match tls {
        Tls::Verify { root: None, .. } => {
            "add sslrootcert=PATH (the CA certificate that signed the server's) to the URL, or use sslmode=require to encrypt without checking the certificate"
        }
        Tls::Verify { .. } => {
            "check that sslrootcert names the CA that signed the server's certificate (and, for verify-full, that the certificate names this host)"
        }
        _ => "check the server's TLS settings",
    };
    Some(format!("TLS failed: {detail}; {fix}"))
}

/// `sslmode=require`: any certificate, but the handshake's signatures are still checked.
#[derive(Debug)]
struct AnyCertificate(WebPkiSupportedAlgorithms);

impl ServerCertVerifier for AnyCertificate {
    fn verify_server_cert(
        &self,
        _: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        _: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_schemes()
    }
}

/// `sslmode=verify-ca`: the chain is checked by `.0`; a certificate for another name passes.
#[derive(Debug)]
struct AnyName(Arc<dyn ServerCertVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        name: &ServerName<'_>,
        ocsp: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        match self
            .0
            .verify_server_cert(end_entity, intermediates, name, ocsp, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

#[cfg(test)]
#[path = "pg_tls_tests.rs"]
mod tests;
