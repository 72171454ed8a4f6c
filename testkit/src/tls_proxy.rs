//! DynamoDB over HTTPS on loopback: a TLS-terminating proxy in front of the local
//! DynamoDB-compatible server, with a certificate from a test authority ([`test_ca`], see `testkit/tls/README.md`) that only a
//! client told to trust it will accept.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use rustls::ServerConfig;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use tokio::net::{TcpListener, TcpStream};
use tokio_rustls::TlsAcceptor;

/// The test certificate authority's certificate (PEM file): what `SSL_CERT_FILE` must name for a
/// client to accept the proxy.
pub fn test_ca() -> PathBuf {
    tls_dir().join("ca.pem")
}

fn tls_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tls")
}

fn server_config() -> ServerConfig {
    let chain = CertificateDer::pem_file_iter(tls_dir().join("server.pem"))
        .and_then(|certificates| certificates.collect::<Result<Vec<_>, _>>())
        .expect("read testkit/tls/server.pem");
    let key = PrivateKeyDer::from_pem_file(tls_dir().join("server.key"))
        .expect("read testkit/tls/server.key");
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS versions")
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .expect("the test certificate and key")
}

/// The running proxy; it stops with the test's runtime.
pub struct TlsProxy {
    addr: SocketAddr,
}

impl TlsProxy {
    /// Starts a proxy on a free loopback port that serves TLS and forwards the plain bytes to
    /// `upstream` (`host:port`).
    pub async fn start(upstream: String) -> Self {
        let acceptor = TlsAcceptor::from(Arc::new(server_config()));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let addr = listener.local_addr().expect("local addr");
        tokio::spawn(async move {
            loop {
                let Ok((client, _)) = listener.accept().await else {
                    return;
                };
                let acceptor = acceptor.clone();
                let upstream = upstream.clone();
                tokio::spawn(async move {
                    // A client that refuses the certificate ends the handshake: nothing to forward.
                    let Ok(mut client) = acceptor.accept(client).await else {
                        return;
                    };
                    if let Ok(mut server) = TcpStream::connect(&upstream).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut server).await;
                    }
                });
            }
        });
        Self { addr }
    }

    /// The proxy's endpoint URL, `https://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("https://{}", self.addr)
    }
}
