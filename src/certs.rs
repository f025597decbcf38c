//! When a kubeconfig's client certificate expires, read from the certificate itself (the
//! `validity` of its TBSCertificate, DER as RFC 5280 lays it out), so that an expired one is
//! refused in one line before any request rather than answered 401 by the server.

use jiff::Timestamp;
use jiff::civil::DateTime;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// The `notAfter` of the first certificate in `pem`, if it reads as one.
pub fn expiry(pem: &[u8]) -> Option<Timestamp> {
    let der = CertificateDer::pem_slice_iter(pem).next()?.ok()?;
    let (_, certificate, _) = element(&der)?;
    let (_, mut tbs, _) = element(certificate)?;
    // [0] version (optional), serialNumber, signature, issuer, then validity.
    let (tag, _, rest) = element(tbs)?;
    if tag == 0xA0 {
        tbs = rest;
    }
    for _ in 0..3 {
        tbs = element(tbs)?.2;
    }
    let (_, validity, _) = element(tbs)?;
    let not_after = element(validity)?.2;
    let (tag, time, _) = element(not_after)?;
    time_of(tag, std::str::from_utf8(time).ok()?)
}

/// One DER element: its tag, its content, and what follows it.
fn element(input: &[u8]) -> Option<(u8, &[u8], &[u8])> {
    let (&tag, rest) = input.split_first()?;
    let (&first, mut rest) = rest.split_first()?;
    let length = match first {
        short if short < 0x80 => usize::from(short),
        long => {
            let octets = usize::from(long & 0x7F);
            let (bytes, after) = (rest.get(..octets)?, rest.get(octets..)?);
            rest = after;
            bytes
                .iter()
                .try_fold(0usize, |n, &b| n.checked_mul(256)?.checked_add(usize::from(b)))?
        }
    };
    Some((tag, rest.get(..length)?, rest.get(length..)?))
}

/// A UTCTime (`YYMMDDHHMMSSZ`, years 1950 to 2049) or GeneralizedTime (`YYYYMMDDHHMMSSZ`).
fn time_of(tag: u8, text: &str) -> Option<Timestamp> {
    let full = match (tag, text.len()) {
        (0x17, 13) => {
            let century = if text[..2].parse::<u8>().ok()? < 50 {
                "20"
            } else {
                "19"
            };
            format!("{century}{text}")
        }
        (0x18, 15) => text.to_string(),
        _ => return None,
    };
    let civil = DateTime::strptime("%Y%m%d%H%M%SZ", &full).ok()?;
    civil
        .to_zoned(jiff::tz::TimeZone::UTC)
        .ok()
        .map(|z| z.timestamp())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_expiry_of_a_certificate_is_its_not_after() {
        let pem = include_bytes!("../tests/fixtures/expired-client.crt");
        assert_eq!(expiry(pem), Some("2025-01-01T00:00:00Z".parse().unwrap()));
        assert_eq!(expiry(b"not a certificate"), None);
    }

    #[test]
    fn both_time_forms_are_read() {
        let utc = time_of(0x17, "491231235959Z");
        assert_eq!(utc, Some("2049-12-31T23:59:59Z".parse().unwrap()));
        assert_eq!(
            time_of(0x17, "500101000000Z"),
            Some("1950-01-01T00:00:00Z".parse().unwrap())
        );
        let generalized = time_of(0x18, "20510101000000Z");
        assert_eq!(generalized, Some("2051-01-01T00:00:00Z".parse().unwrap()));
        assert_eq!(time_of(0x17, "2051"), None);
    }
}
