//! The TLS configuration: the platform's verifier, with extra roots when given.

use std::sync::{Arc, Mutex, PoisonError};

/// How many configurations (distinct sets of extra roots) the process keeps; past it the kept
/// ones are dropped and built again when asked for (a cache bound, never an error).
const MAX_SHARED_CONFIGS: usize = 16;

/// The configuration for `extra_roots`, built once per process for each distinct set: building
/// one loads and parses the system's root certificates (about 39 million instructions here),
/// and the outbox's worker builds a deliverer per signing secret. Roots added to the system
/// while the process runs are trusted from the next process on. A failure is not kept.
pub(super) fn shared_tls_config(
    extra_roots: &[Vec<u8>],
) -> Result<Arc<rustls::ClientConfig>, String> {
    type Kept = Vec<(Vec<Vec<u8>>, Arc<rustls::ClientConfig>)>;
    static KEPT: Mutex<Kept> = Mutex::new(Vec::new());
    // Held while building: two deliverers built at once load the roots once.
    let mut kept = KEPT.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((_, config)) = kept.iter().find(|(roots, _)| roots == extra_roots) {
        return Ok(config.clone());
    }
    let config = Arc::new(tls_config(extra_roots)?);
    if kept.len() >= MAX_SHARED_CONFIGS {
        kept.clear();
    }
    kept.push((extra_roots.to_vec(), config.clone()));
    Ok(config)
}

/// The client's TLS configuration: HTTP/1.1 only, the platform's certificate verifier (with
/// `extra_roots`, DER bytes or PEM text, trusted besides the system's).
fn tls_config(extra_roots: &[Vec<u8>]) -> Result<rustls::ClientConfig, String> {
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

#[cfg(test)]
#[allow(clippy::unwrap_used)] // a failed unwrap is the test failing
mod tests {
    use super::*;

    #[test]
    fn one_configuration_per_set_of_extra_roots() {
        let plain = shared_tls_config(&[]).unwrap();
        assert!(Arc::ptr_eq(&plain, &shared_tls_config(&[]).unwrap()));
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let root = params
            .self_signed(&rcgen::KeyPair::generate().unwrap())
            .unwrap()
            .der()
            .to_vec();
        let extra = shared_tls_config(std::slice::from_ref(&root)).unwrap();
        assert!(!Arc::ptr_eq(&plain, &extra));
        assert!(Arc::ptr_eq(&extra, &shared_tls_config(&[root]).unwrap()));
    }

    #[test]
    fn a_bad_root_is_an_error_each_time() {
        let bad = b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n".to_vec();
        assert!(shared_tls_config(std::slice::from_ref(&bad)).is_err());
        assert!(shared_tls_config(&[bad]).is_err());
    }
}
