//! TLS: the client configuration (webpki roots plus `--ca-file`), a verifier that records the
//! verification result instead of aborting (so the probe can still report the certificate and the
//! capabilities inside TLS, while refusing to authenticate), certificate details and the
//! classification of handshake errors.

use crate::codes;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{SystemTime, UNIX_EPOCH};

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    AlertDescription, CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore,
    SignatureScheme,
};

use super::TlsReport;

/// Reads a PEM file of CA certificates.
pub(crate) fn load_ca_file(path: &Path) -> Result<Vec<CertificateDer<'static>>, String> {
    // A regular file of at most 1 MiB: `--ca-file /dev/zero` or a FIFO is refused, not read.
    let bytes = crate::input::read_file(path, crate::input::MAX_SMALL_FILE_SIZE)
        .map_err(|m| format!("cannot read CA file {}: {m}", path.display()))?;
    let certs: Result<Vec<_>, _> = CertificateDer::pem_slice_iter(&bytes).collect();
    let certs = certs.map_err(|e| format!("CA file {}: {e}", path.display()))?;
    if certs.is_empty() {
        return Err(format!(
            "CA file {} holds no PEM certificate",
            path.display()
        ));
    }
    Ok(certs)
}

/// The TLS setup shared by the probes of one run.
pub(crate) struct TlsSetup {
    provider: Arc<CryptoProvider>,
    roots: Arc<RootCertStore>,
    pub(crate) ca_error: Result<(), String>,
}

impl TlsSetup {
    pub(crate) fn new(ca_file: Option<&Path>) -> TlsSetup {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let mut roots = RootCertStore::empty();
        roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
        let mut ca_error = Ok(());
        if let Some(path) = ca_file {
            match load_ca_file(path) {
                Ok(certs) => {
                    for c in certs {
                        if let Err(e) = roots.add(c) {
                            ca_error = Err(format!("CA file {}: {e}", path.display()));
                        }
                    }
                }
                Err(e) => ca_error = Err(e),
            }
        }
        TlsSetup {
            provider,
            roots: Arc::new(roots),
            ca_error,
        }
    }

    /// A client config for one connection, with a fresh recorder of the verification result.
    pub(crate) fn client_config(&self) -> Result<(Arc<ClientConfig>, Arc<Recorder>), String> {
        let inner =
            WebPkiServerVerifier::builder_with_provider(self.roots.clone(), self.provider.clone())
                .build()
                .map_err(|e| format!("TLS verifier: {e}"))?;
        let recorder = Arc::new(Recorder {
            inner,
            result: Mutex::new(None),
            chain: Mutex::new(Vec::new()),
        });
        let config = ClientConfig::builder_with_provider(self.provider.clone())
            .with_safe_default_protocol_versions()
            .map_err(|e| format!("TLS config: {e}"))?
            .dangerous()
            .with_custom_certificate_verifier(recorder.clone())
            .with_no_client_auth();
        Ok((Arc::new(config), recorder))
    }
}

/// Runs the real webpki verification, keeps its result, and lets the handshake continue.
/// The probe then treats the session as unverified: it reports `certificate-invalid` and never
/// authenticates over it. Handshake signatures are still checked for real.
#[derive(Debug)]
pub(crate) struct Recorder {
    inner: Arc<WebPkiServerVerifier>,
    result: Mutex<Option<Result<(), rustls::Error>>>,
    chain: Mutex<Vec<CertificateDer<'static>>>,
}

impl Recorder {
    /// `None` when no certificate was seen (the handshake failed before).
    pub(crate) fn result(&self) -> Option<Result<(), rustls::Error>> {
        self.result.lock().ok().and_then(|r| r.clone())
    }

    pub(crate) fn end_entity(&self) -> Option<CertificateDer<'static>> {
        self.chain.lock().ok().and_then(|c| c.first().cloned())
    }
}

impl ServerCertVerifier for Recorder {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        let res = self
            .inner
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .map(|_| ());
        if let Ok(mut chain) = self.chain.lock() {
            chain.push(end_entity.clone().into_owned());
            chain.extend(intermediates.iter().map(|c| c.clone().into_owned()));
        }
        if let Ok(mut r) = self.result.lock() {
            *r = Some(res);
        }
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.inner.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.inner.supported_verify_schemes()
    }
}

/// Fills the certificate part of a TLS report from the end-entity certificate.
pub(crate) fn describe_certificate(der: &CertificateDer<'_>, report: &mut TlsReport) {
    use x509_parser::prelude::{FromDer, GeneralName, X509Certificate};
    let Ok((_, cert)) = X509Certificate::from_der(der.as_ref()) else {
        report.subject = "(unparsable certificate)".into();
        return;
    };
    report.subject = cert.subject().to_string();
    report.issuer = cert.issuer().to_string();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            match name {
                GeneralName::DNSName(d) => report.san.push((*d).to_string()),
                GeneralName::IPAddress(b) => {
                    let ip = match b.len() {
                        4 => Some(std::net::IpAddr::from(
                            <[u8; 4]>::try_from(*b).unwrap_or_default(),
                        )),
                        16 => Some(std::net::IpAddr::from(
                            <[u8; 16]>::try_from(*b).unwrap_or_default(),
                        )),
                        _ => None,
                    };
                    if let Some(ip) = ip {
                        report.san.push(ip.to_string());
                    }
                }
                _ => {}
            }
        }
    }
    let not_after = cert.validity().not_after.timestamp();
    report.not_after = rfc3339(not_after);
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    report.days_left = (not_after - now).div_euclid(86_400);
}

/// `2026-11-22T10:00:00Z` from Unix seconds (proleptic Gregorian, UTC).
fn rfc3339(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

/// A certificate verification error in words a user can act on.
pub(crate) fn explain_cert_error(e: &rustls::Error, server_name: &str) -> String {
    match e {
        rustls::Error::InvalidCertificate(ce) => match ce {
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. } => {
                format!("the certificate is not valid for the name {server_name}")
            }
            CertificateError::Expired | CertificateError::ExpiredContext { .. } => {
                "the certificate has expired".into()
            }
            CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. } => {
                "the certificate is not valid yet".into()
            }
            CertificateError::UnknownIssuer => {
                "the certificate is not issued by a trusted CA (unknown issuer)".into()
            }
            CertificateError::BadSignature => "the certificate's signature does not verify".into(),
            CertificateError::Revoked => "the certificate is revoked".into(),
            other => format!("the certificate does not verify: {other:?}"),
        },
        other => format!("the certificate does not verify: {other}"),
    }
}

/// What went wrong in a handshake: (code, message, help).
pub(crate) fn classify_handshake_error(
    err: &std::io::Error,
    implicit: bool,
    port: u16,
) -> (&'static str, String, Option<String>) {
    let inner = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<rustls::Error>());
    match inner {
        Some(rustls::Error::AlertReceived(AlertDescription::ProtocolVersion))
        | Some(rustls::Error::PeerIncompatible(
            rustls::PeerIncompatible::ServerDoesNotSupportTls12Or13,
        )) => (
            codes::TLS_VERSION_OBSOLETE,
            "the server refused TLS 1.2 and 1.3 (alert protocol_version): it speaks only older TLS"
                .into(),
            Some(
                "TLS 1.0 and 1.1 are deprecated for mail submission (RFC 8997); the server must be upgraded, or the provider's current host used"
                    .into(),
            ),
        ),
        Some(rustls::Error::InvalidMessage(_)) if implicit => (
            codes::TLS_HANDSHAKE_FAILED,
            format!("the server did not answer with TLS: port {port} seems to speak plain SMTP"),
            Some(
                "use STARTTLS on this port (usually 587), or implicit TLS on port 465".into(),
            ),
        ),
        Some(e) => (
            codes::TLS_HANDSHAKE_FAILED,
            format!("TLS handshake failed: {e}"),
            None,
        ),
        None if err.kind() == std::io::ErrorKind::UnexpectedEof => (
            codes::TLS_HANDSHAKE_FAILED,
            "the server closed the connection during the TLS handshake".into(),
            None,
        ),
        None => (
            codes::TLS_HANDSHAKE_FAILED,
            format!("TLS handshake failed: {err}"),
            None,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc3339_dates() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(rfc3339(1_795_000_000), "2026-11-18T11:06:40Z");
    }
}
