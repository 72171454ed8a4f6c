//! The HTTPS client the functions reach DynamoDB with, and the certificate authorities it trusts.
//!
//! The SDK's default client reads the system's root certificates each time a process starts (on
//! Debian a 220 KB bundle plus each of ~290 files in `/etc/ssl/certs`) and decodes them: most of
//! a function's init time. The functions trust the five Amazon Trust Services roots instead,
//! compiled in ([`AMAZON_TRUST_SERVICES`]): every AWS endpoint's certificate chains to them, and
//! no other authority can vouch for a DynamoDB endpoint, which carries password hashes and
//! token digests. Setting `SSL_CERT_FILE` or `SSL_CERT_DIR` selects the system store read from
//! those paths instead, for an endpoint whose certificate comes from another authority.

use std::ffi::OsString;

use aws_smithy_http_client::tls::rustls_provider::CryptoMode;
use aws_smithy_http_client::tls::{Provider, TlsContext, TrustStore};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

use crate::config::ConfigError;

/// The Amazon Trust Services root certificates (Amazon Root CA 1 to 4 and Starfield Services
/// Root Certificate Authority - G2), PEM, as published at <https://www.amazontrust.com/repository/>.
pub const AMAZON_TRUST_SERVICES: &str = include_str!("amazon-trust-services.pem");

/// Where the root certificates a TLS connection is verified against come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrustedRoots {
    /// [`AMAZON_TRUST_SERVICES`], compiled in: nothing to read at start-up.
    AmazonTrustServices,
    /// The system store, as `SSL_CERT_FILE` / `SSL_CERT_DIR` (or the OS defaults) point to.
    System,
}

impl TrustedRoots {
    /// The roots this process's environment asks for: [`TrustedRoots::System`] if
    /// `SSL_CERT_FILE` or `SSL_CERT_DIR` is set (and not empty), else
    /// [`TrustedRoots::AmazonTrustServices`].
    pub fn from_env() -> Self {
        Self::choose(
            std::env::var_os("SSL_CERT_FILE"),
            std::env::var_os("SSL_CERT_DIR"),
        )
    }

    fn choose(cert_file: Option<OsString>, cert_dir: Option<OsString>) -> Self {
        let set = |value: &Option<OsString>| value.as_ref().is_some_and(|value| !value.is_empty());
        if set(&cert_file) || set(&cert_dir) {
            Self::System
        } else {
            Self::AmazonTrustServices
        }
    }

    fn trust_store(self) -> TrustStore {
        match self {
            Self::System => TrustStore::default().with_native_roots(true),
            Self::AmazonTrustServices => {
                TrustStore::empty().with_pem_certificate(AMAZON_TRUST_SERVICES)
            }
        }
    }
}

/// An HTTPS client (rustls with aws-lc, as the SDK's default) that trusts `roots`. It does not go
/// through an HTTP proxy: DynamoDB is reached directly or through a VPC endpoint.
pub fn https_client(roots: TrustedRoots) -> Result<SharedHttpClient, ConfigError> {
    let tls = TlsContext::builder()
        .with_trust_store(roots.trust_store())
        .build()
        .map_err(|error| ConfigError::HttpClient(error.to_string()))?;
    Ok(aws_smithy_http_client::Builder::new()
        .tls_provider(Provider::Rustls(CryptoMode::AwsLc))
        .tls_context(tls)
        .build_https())
}

#[cfg(test)]
mod tests {
    use rustls_pki_types::CertificateDer;
    use rustls_pki_types::pem::PemObject;

    use super::*;

    #[test]
    fn certificate_variables_select_the_system_store() {
        let path = || Some(OsString::from("/etc/ssl/certs/ca-certificates.crt"));
        let amazon = TrustedRoots::AmazonTrustServices;
        assert_eq!(TrustedRoots::choose(None, None), amazon);
        assert_eq!(
            TrustedRoots::choose(Some(OsString::new()), Some(OsString::new())),
            amazon
        );
        assert_eq!(TrustedRoots::choose(path(), None), TrustedRoots::System);
        assert_eq!(TrustedRoots::choose(None, path()), TrustedRoots::System);
    }

    #[test]
    fn the_amazon_roots_are_mozilla_trusted_and_usable_anchors() {
        let roots: Vec<CertificateDer<'_>> =
            CertificateDer::pem_slice_iter(AMAZON_TRUST_SERVICES.as_bytes())
                .collect::<Result<_, _>>()
                .expect("valid PEM");
        assert_eq!(roots.len(), 5);
        let mut store = rustls::RootCertStore::empty();
        for root in roots {
            assert!(
                webpki_root_certs::TLS_SERVER_ROOT_CERTS.contains(&root),
                "not in Mozilla's root program: {root:?}"
            );
            // The SDK panics on a root rustls cannot use; none may be such.
            store.add(root).expect("a usable trust anchor");
        }
        assert_eq!(store.len(), 5);
    }
}
