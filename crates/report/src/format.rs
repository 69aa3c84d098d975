//! Number and text formatting shared by plots and Markdown.
//!
//! One rule everywhere: integers print as integers, everything else with three significant
//! digits, so a table never shows 5.123456789 next to 5.1.

/// A number for humans: integers as integers, otherwise three significant digits
/// (scientific notation outside [10⁻³, 10⁶)). Non-finite values print as `—`.
pub(crate) fn num(x: f64) -> String {
    if !x.is_finite() {
        return "—".to_string();
    }
    if x == x.trunc() && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    let a = x.abs();
    if !(1e-3..1e6).contains(&a) {
        return format!("{x:.2e}");
    }
    let magnitude = a.log10().floor() as i32;
    if magnitude >= 2 {
        let unit = 10f64.powi(magnitude - 2);
        return format!("{}", ((x / unit).round() * unit) as i64);
    }
    let decimals = (2 - magnitude).max(0) as usize;
    let s = format!("{x:.decimals$}");
    // Rounding can produce an integer-looking value with a trailing ".0…"; keep it short.
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    }
}

/// A ratio or exponent with a fixed number of decimals (3 significant digits is too few
/// to compare exponents like 0.512 and 0.518 at a glance, too many for 12.5).
pub(crate) fn fixed(x: f64, decimals: usize) -> String {
    if x.is_finite() {
        format!("{x:.decimals$}")
    } else {
        "—".to_string()
    }
}

/// A wall time: `0.42 s`, `12.3 s`, `4 min 05 s`, `1 h 02 min`.
pub(crate) fn seconds(s: f64) -> String {
    if !s.is_finite() || s < 0.0 {
        return "—".to_string();
    }
    if s < 60.0 {
        return format!("{} s", num(s));
    }
    let total = s.round() as u64;
    if total < 3600 {
        format!("{} min {:02} s", total / 60, total % 60)
    } else {
        format!("{} h {:02} min", total / 3600, (total % 3600) / 60)
    }
}

/// `n` in Unicode superscript digits (and minus), for tick labels like 2¹⁶.
pub(crate) fn superscript(n: i64) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let mut out = String::new();
    if n < 0 {
        out.push('⁻');
    }
    for c in n.unsigned_abs().to_string().chars() {
        let d = c.to_digit(10).map_or(0, |d| d as usize);
        out.push(DIGITS[d]);
    }
    out
}

/// A power of two as `2ᵏ` (used for m′, which the checks always take as powers of two);
/// other values fall back to [`num`].
pub(crate) fn pow2(x: f64) -> String {
    if x > 0.0 {
        let e = x.log2().round();
        if (x - e.exp2()).abs() <= 1e-9 * x {
            return format!("2{}", superscript(e as i64));
        }
    }
    num(x)
}

/// A tick label for a log axis: plain numbers in [10⁻³, 10⁵), otherwise `a·10ᵇ`.
pub(crate) fn tick(x: f64) -> String {
    let a = x.abs();
    if a == 0.0 || (1e-3..1e5).contains(&a) {
        return num(x);
    }
    let e = a.log10().floor();
    let mantissa = x / 10f64.powf(e);
    let exp = superscript(e as i64);
    if (mantissa - 1.0).abs() < 1e-9 {
        format!("10{exp}")
    } else {
        format!("{}·10{exp}", num((mantissa * 100.0).round() / 100.0))
    }
}

/// Make free text safe inside a Markdown table cell.
pub(crate) fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace(['\n', '\r'], " ")
}

/// A small rate in scientific notation (two decimals), 0 as 0.
pub(crate) fn sci(x: f64) -> String {
    if x == 0.0 { "0".into() } else { format!("{x:.2e}") }
}

/// A failure rate in per cent with its 95 % Wilson interval and counts: `5 % [4.13, 6.04] (100/2000)`.
pub(crate) fn percent_interval(f: &superposition_schema::measure::FailureRate) -> String {
    format!(
        "{} % [{}, {}] ({}/{})",
        num(100.0 * f.rate),
        num(100.0 * f.wilson_lo),
        num(100.0 * f.wilson_hi),
        f.failures,
        f.samples
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers() {
        assert_eq!(num(12.0), "12");
        assert_eq!(num(1_048_576.0), "1048576");
        assert_eq!(num(5.123_456), "5.12");
        assert_eq!(num(0.051_23), "0.0512");
        assert_eq!(num(123.456), "123");
        assert_eq!(num(1234.56), "1230");
        assert_eq!(num(0.000_012_3), "1.23e-5");
        assert_eq!(num(9.999_9), "10");
        assert_eq!(num(f64::NAN), "—");
        assert_eq!(seconds(12.34), "12.3 s");
        assert_eq!(seconds(245.0), "4 min 05 s");
        assert_eq!(pow2(65536.0), "2¹⁶");
        assert_eq!(pow2(100.0), "100");
        assert_eq!(tick(1e6), "10⁶");
        assert_eq!(tick(2e6), "2·10⁶");
        assert_eq!(tick(500.0), "500");
    }
}
