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
use std::path::Path;

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
    /// The roots to trust given `SSL_CERT_FILE` and `SSL_CERT_DIR` ([`crate::store::dynamo::ClientEnv`]):
    /// [`TrustedRoots::System`] if either is set (and not empty), else
    /// [`TrustedRoots::AmazonTrustServices`]. A set path must be an existing file
    /// (`SSL_CERT_FILE`) or directory (`SSL_CERT_DIR`): a wrong path would leave the function
    /// trusting nothing, every call failing, so it stops start-up instead.
    pub fn for_paths(
        cert_file: Option<OsString>,
        cert_dir: Option<OsString>,
    ) -> Result<Self, ConfigError> {
        let cert_file = cert_file.filter(|path| !path.is_empty());
        let cert_dir = cert_dir.filter(|path| !path.is_empty());
        if let Some(path) = &cert_file
            && !Path::new(path).is_file()
        {
            return Err(invalid_path("SSL_CERT_FILE", path, "an existing PEM file"));
        }
        if let Some(path) = &cert_dir
            && !Path::new(path).is_dir()
        {
            return Err(invalid_path("SSL_CERT_DIR", path, "an existing directory"));
        }
        Ok(if cert_file.is_some() || cert_dir.is_some() {
            Self::System
        } else {
            Self::AmazonTrustServices
        })
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

fn invalid_path(var: &'static str, path: &OsString, expected: &'static str) -> ConfigError {
    ConfigError::Invalid {
        var,
        value: path.to_string_lossy().into_owned(),
        expected,
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
        let file = || {
            Some(OsString::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/Cargo.toml"
            )))
        };
        let dir = || Some(OsString::from(env!("CARGO_MANIFEST_DIR")));
        let amazon = Ok(TrustedRoots::AmazonTrustServices);
        assert_eq!(TrustedRoots::for_paths(None, None), amazon);
        let empty = || Some(OsString::new());
        assert_eq!(TrustedRoots::for_paths(empty(), empty()), amazon);
        assert_eq!(
            TrustedRoots::for_paths(file(), None),
            Ok(TrustedRoots::System)
        );
        assert_eq!(
            TrustedRoots::for_paths(None, dir()),
            Ok(TrustedRoots::System)
        );
        assert_eq!(
            TrustedRoots::for_paths(file(), dir()),
            Ok(TrustedRoots::System)
        );
    }

    #[test]
    fn a_certificate_path_that_is_not_there_stops_start_up_naming_the_variable() {
        let missing = || Some(OsString::from("/nonexistent/ca-bundle.pem"));
        let dir = || Some(OsString::from(env!("CARGO_MANIFEST_DIR")));
        let file_error = TrustedRoots::for_paths(missing(), None)
            .unwrap_err()
            .to_string();
        assert!(
            file_error.starts_with("SSL_CERT_FILE is \"/nonexistent/ca-bundle.pem\""),
            "{file_error}"
        );
        // A directory is not a file, and a file is not a directory.
        assert!(TrustedRoots::for_paths(dir(), None).is_err());
        let dir_error = TrustedRoots::for_paths(None, missing())
            .unwrap_err()
            .to_string();
        assert!(dir_error.starts_with("SSL_CERT_DIR is "), "{dir_error}");
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
