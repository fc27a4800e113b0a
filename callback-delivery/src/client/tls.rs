//! The TLS configuration: the platform's verifier, with extra roots when given.

use std::sync::Arc;

/// The client's TLS configuration: HTTP/1.1 only, the platform's certificate verifier (with
/// `extra_roots`, DER bytes or PEM text, trusted besides the system's).
pub(super) fn tls_config(extra_roots: &[Vec<u8>]) -> Result<rustls::ClientConfig, String> {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject as _;
    let mut roots: Vec<CertificateDer<'static>> = Vec::new();
    for (i, bytes) in extra_roots.iter().enumerate() {
        if bytes.trim_ascii_start().starts_with(b"-----BEGIN") {
            for cert in CertificateDer::pem_slice_iter(bytes) {
                roots.push(cert.map_err(|e| format!("extra root certificate {}: {e}", i + 1))?);
            }
        } else {
            roots.push(CertificateDer::from(bytes.clone()));
        }
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = if roots.is_empty() {
        rustls_platform_verifier::Verifier::new(provider.clone())
    } else {
        rustls_platform_verifier::Verifier::new_with_extra_roots(roots, provider.clone())
    }
    .map_err(|e| e.to_string())?;
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| e.to_string())?
        .dangerous() // not dangerous: the platform verifier is the standard one
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}
