//! Kubernetes resource quantities (`1Gi`, `500Mi`, `2G`, `1.5Gi`, `1e9`), read exactly as the
//! API server reads them, so that sizes compare correctly. Pure; no formatting beyond the text
//! the user or the API wrote.
//!
//! Written here rather than taken from a crate: k8s-openapi's `Quantity` is only the text, and
//! a parser that goes through floating point cannot hold every quantity exactly (`100.1Mi`,
//! `9223372036854775807`), where the API server compares them exactly; this keeps an integer
//! mantissa and a decimal scale, as upstream's `resource.Quantity` does.

use std::cmp::Ordering;
use std::fmt;

use serde::{Serialize, Serializer};

/// A quantity: the text as written and its exact value in nano-units.
#[derive(Debug, Clone)]
pub struct Quantity {
    text: String,
    nanos: i128,
}

impl Quantity {
    /// The text as written (`1.5Gi`).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// Strictly more than nothing.
    pub fn is_positive(&self) -> bool {
        self.nanos > 0
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.nanos == other.nanos
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.nanos.cmp(&other.nanos)
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl Serialize for Quantity {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

impl std::str::FromStr for Quantity {
    type Err = String;

    fn from_str(text: &str) -> Result<Quantity, String> {
        parse(text)
    }
}

/// Parses a quantity: `<sign><digits>[.<digits>]<suffix>`, the suffix one of `Ki Mi Gi Ti Pi
/// Ei` (powers of 1024), `n u m k M G T P E` or none (powers of 1000), or `e<exponent>`.
/// Values finer than a nano-unit are rounded up, as the API server does.
pub fn parse(text: &str) -> Result<Quantity, String> {
    let trimmed = text.trim();
    let invalid = || format!("{text:?} is not a quantity (expected e.g. 500Mi, 2Gi, 1.5Gi, 10G)");
    let (negative, rest) = match trimmed.as_bytes().first() {
        Some(b'-') => (true, &trimmed[1..]),
        Some(b'+') => (false, &trimmed[1..]),
        _ => (false, trimmed),
    };
    let number_len = rest
        .find(|c: char| !c.is_ascii_digit() && c != '.')
        .unwrap_or(rest.len());
    let (number, suffix) = rest.split_at(number_len);
    let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
    if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
        return Err(invalid());
    }
    let (pow2, pow10) = suffix_powers(suffix).ok_or_else(invalid)?;
    let digits = format!("{whole}{fraction}");
    let mantissa: i128 = digits.parse().map_err(|_| too_large(text))?;
    let scale = 9 + pow10 - i32::try_from(fraction.len()).map_err(|_| invalid())?;
    let nanos = scaled(mantissa, pow2, scale).ok_or_else(|| too_large(text))?;
    Ok(Quantity {
        text: trimmed.to_string(),
        nanos: if negative { -nanos } else { nanos },
    })
}

fn too_large(text: &str) -> String {
    format!("{text:?} is too large a quantity")
}

/// The powers of two and ten a suffix stands for.
fn suffix_powers(suffix: &str) -> Option<(u32, i32)> {
    let binary = ["Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];
    if let Some(i) = binary.iter().position(|s| *s == suffix) {
        return Some((10 * (i as u32 + 1), 0));
    }
    let decimal = match suffix {
        "n" => -9,
        "u" => -6,
        "m" => -3,
        "" => 0,
        "k" => 3,
        "M" => 6,
        "G" => 9,
        "T" => 12,
        "P" => 15,
        "E" => 18,
        _ => return exponent(suffix).map(|e| (0, e)),
    };
    Some((0, decimal))
}

/// `e3`, `E-2`, `e+6`.
fn exponent(suffix: &str) -> Option<i32> {
    let rest = suffix.strip_prefix(['e', 'E'])?;
    let digits = rest.strip_prefix(['+', '-']).unwrap_or(rest);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 3 {
        return None;
    }
    rest.parse().ok()
}

/// `mantissa * 2^pow2 * 10^pow10`, rounded up to an integer; `None` on overflow.
fn scaled(mantissa: i128, pow2: u32, pow10: i32) -> Option<i128> {
    let value = mantissa.checked_mul(2i128.checked_pow(pow2)?)?;
    if pow10 >= 0 {
        return value.checked_mul(10i128.checked_pow(pow10.unsigned_abs())?);
    }
    match 10i128.checked_pow(pow10.unsigned_abs()) {
        Some(divisor) => Some(value / divisor + i128::from(value % divisor != 0)),
        None => Some(i128::from(value != 0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(text: &str) -> Quantity {
        parse(text).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn binary_and_decimal_suffixes() {
        assert_eq!(q("1Gi"), q("1024Mi"));
        assert_eq!(q("1.5Gi"), q("1536Mi"));
        assert_eq!(q("0.5Gi"), q("512Mi"));
        assert_eq!(q("2G"), q("2000M"));
        assert_eq!(q("1e9"), q("1G"));
        assert_eq!(q("1E3"), q("1k"));
        assert_eq!(q("1500m"), q("1.5"));
        assert_eq!(q("1073741824"), q("1Gi"));
        assert_eq!(q(".5Ki"), q("512"));
    }

    #[test]
    fn sizes_order_as_the_api_server_orders_them() {
        assert!(q("2G") < q("2Gi"));
        assert!(q("500Mi") < q("1Gi"));
        assert!(q("1Gi") < q("1.5Gi"));
        assert!(q("1.5Gi") < q("2Gi"));
        assert!(q("1000Mi") > q("1G"));
        assert!(q("1Ti") > q("999Gi"));
        assert!(q("1Ei") > q("1E"));
        assert!(q("-1Gi") < q("0"));
        assert!(!q("0Gi").is_positive());
    }

    #[test]
    fn the_text_is_kept_as_written() {
        assert_eq!(q(" 1.5Gi ").text(), "1.5Gi");
        assert_eq!(q("2Gi").to_string(), "2Gi");
    }

    #[test]
    fn finer_than_nano_rounds_up() {
        assert_eq!(q("1.0000000001"), q("1000000001n"));
        assert!(q("1n") > q("0"));
    }

    #[test]
    fn malformed_quantities_are_refused() {
        for bad in [
            "", "Gi", "1GB", "1gi", "1.2.3", "--1", "1 Gi", "1e", "1e1.5", "one", ".",
        ] {
            assert!(parse(bad).is_err(), "{bad:?} parsed");
        }
        assert!(parse("99999999999999999999999999999999999Ei").is_err());
    }
}
