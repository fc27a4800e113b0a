//! `https` to a consumer on 127.0.0.1 (and `http` to [::1] when the machine has IPv6 loopback):
//! the name in the URL is pinned to its checked address, and the certificate is verified for that
//! name against a test CA. Nothing leaves loopback; nothing is looked up.
#![cfg(feature = "client")]
#![allow(clippy::unwrap_used)]

use std::convert::Infallible;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use bytes::Bytes;
use callback_delivery::{
    Deliverer, DeliveryOptions, DeliveryRequest, FailureKind, Outcome, RetryPolicy, StaticResolver,
    UrlPolicy,
};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::TokioIo;
use rcgen::{BasicConstraints, CertificateParams, CertifiedIssuer, IsCa, KeyPair};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, pki_types::PrivateKeyDer};

/// A test CA and a certificate it issued for `consumer.test`.
struct Pki {
    ca_pem: String,
    server: rustls::ServerConfig,
}

fn new_pki() -> Pki {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
    let leaf_key = KeyPair::generate().unwrap();
    let leaf = CertificateParams::new(vec!["consumer.test".to_owned()])
        .unwrap()
        .signed_by(&leaf_key, &ca)
        .unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut server = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(
            vec![leaf.der().clone()],
            PrivateKeyDer::Pkcs8(leaf_key.serialize_der().into()),
        )
        .unwrap();
    server.alpn_protocols = vec![b"http/1.1".to_vec()];
    Pki {
        ca_pem: ca.pem(),
        server,
    }
}

/// An https consumer on 127.0.0.1 answering 200; counts the requests it served.
async fn tls_consumer(server: rustls::ServerConfig) -> (u16, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let served = Arc::new(AtomicUsize::new(0));
    let acceptor = TlsAcceptor::from(Arc::new(server));
    tokio::spawn({
        let served = served.clone();
        async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (acceptor, served) = (acceptor.clone(), served.clone());
                tokio::spawn(async move {
                    let Ok(tls) = acceptor.accept(stream).await else {
                        return;
                    };
                    let service = service_fn(move |_req: Request<Incoming>| {
                        served.fetch_add(1, Ordering::SeqCst);
                        async { Ok::<_, Infallible>(Response::new(Full::new(Bytes::new()))) }
                    });
                    let _ = http1::Builder::new()
                        .serve_connection(TokioIo::new(tls), service)
                        .await;
                });
            }
        }
    });
    (port, served)
}

fn options(extra_root: String) -> DeliveryOptions {
    DeliveryOptions::default()
        // The name is not allow-listed: its resolved address is, so https is required.
        .with_policy(UrlPolicy::default().with_allowed("127.0.0.1".parse().unwrap()))
        .with_retry(RetryPolicy::none())
        .with_extra_root_certificate(extra_root)
}

fn pinned() -> StaticResolver {
    StaticResolver::new().with_name("consumer.test", ["127.0.0.1".parse().unwrap()])
}

#[tokio::test]
async fn https_to_a_pinned_name_with_a_verified_certificate() {
    let pki = new_pki();
    let (port, served) = tls_consumer(pki.server).await;
    let deliverer = Deliverer::new(options(pki.ca_pem))
        .unwrap()
        .with_resolver(pinned());
    let url = format!("https://consumer.test:{port}/cb");
    let report = deliverer
        .deliver(&DeliveryRequest::json(
            &url,
            &serde_json::json!({"ok": true}),
        ))
        .await;
    assert_eq!(
        report.outcome,
        Outcome::Delivered {
            status: 200,
            attempts: 1
        },
        "{report:?}"
    );
    assert_eq!(served.load(Ordering::SeqCst), 1);
    let target = report.target.unwrap();
    assert_eq!(target.allowed_by().unwrap().to_string(), "127.0.0.1/32");

    // The same name over http is refused: only allow-listed hosts may use it.
    let report = deliverer
        .deliver(&DeliveryRequest::json(
            format!("http://consumer.test:{port}/cb"),
            &serde_json::json!({}),
        ))
        .await;
    assert!(
        matches!(report.outcome, Outcome::Denied(ref d) if d.rule.as_str() == "http-not-allowed")
    );
}

#[tokio::test]
async fn an_untrusted_certificate_fails_the_connection() {
    let pki = new_pki();
    let (port, served) = tls_consumer(pki.server).await;
    // Another CA than the one that issued the consumer's certificate.
    let other = new_pki();
    let deliverer = Deliverer::new(options(other.ca_pem))
        .unwrap()
        .with_resolver(pinned());
    let url = format!("https://consumer.test:{port}/cb");
    let report = deliverer
        .deliver(&DeliveryRequest::json(&url, &serde_json::json!({})))
        .await;
    match &report.outcome {
        Outcome::Failed {
            kind,
            attempts,
            error,
            ..
        } => {
            assert_eq!((*kind, *attempts), (FailureKind::Connect, 1));
            assert!(error.contains("certificate"), "{error}");
        }
        other => panic!("{other:?}"),
    }
    assert_eq!(served.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn an_ipv6_loopback_consumer_when_available() {
    let Ok(listener) = TcpListener::bind("[::1]:0").await else {
        eprintln!("no IPv6 loopback on this machine: skipped");
        return;
    };
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let service = service_fn(|_req: Request<Incoming>| async {
                    Ok::<_, Infallible>(Response::new(Full::new(Bytes::new())))
                });
                let _ = http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    let opts = DeliveryOptions::default()
        .with_policy(UrlPolicy::default().with_allowed("::1".parse().unwrap()))
        .with_retry(RetryPolicy::none());
    let report = Deliverer::new(opts)
        .unwrap()
        .deliver(&DeliveryRequest::json(
            format!("http://[::1]:{}/cb", addr.port()),
            &serde_json::json!({}),
        ))
        .await;
    assert!(report.is_delivered(), "{report:?}");
    assert_eq!(report.attempt_log[0].address, Some(addr));
}
