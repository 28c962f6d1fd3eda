//! Kubernetes quantities (memory, cpu, duration): exact values from literals, compared and emitted.

use std::cmp::Ordering;
use std::fmt;

/// What a quantity measures; decided by the schema type of the path it is assigned to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Measure {
    Memory,
    Cpu,
    Duration,
}

/// A quantity normalised so quantities of one measure compare by value, with the form it was
/// written in kept for emission.
///
/// The derived `PartialEq` also compares `text`, so `1Gi` and `1024Mi` are not `==`; use
/// [`Quantity::compare`] to compare values.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub measure: Measure,
    /// The literal as written, number and unit together, e.g. "4GiB", "500m" or "4294967296".
    pub text: String,
    /// Bytes for memory, millicores for cpu, nanoseconds for durations; never negative.
    base_value: i128,
    /// Whether a memory quantity was written with a binary unit, which Kubernetes keeps on output.
    binary: bool,
}

/// Why a literal is not a valid quantity of the measure its path expects.
#[derive(Debug, Clone, PartialEq)]
pub enum QuantityError {
    /// The unit exists but does not belong to this measure, like `Mi` on a cpu path.
    UnitNotFor {
        unit: String,
        measure: Measure,
        allowed: &'static [&'static str],
    },
    /// The unit `m` on a memory path, which means thousandths of a byte and is almost always a
    /// mistake for `Mi`.
    MilliMemory { number: String },
    /// The number text is not a decimal number.
    InvalidNumber { text: String },
    /// The value is below zero.
    Negative { text: String, measure: Measure },
    /// The value is not a whole number of the measure's base unit.
    NotExact { text: String, measure: Measure },
    /// The value does not fit in the base unit's 128-bit integer.
    Overflow { text: String, measure: Measure },
}

/// The units memory takes besides a plain number of bytes.
pub const MEMORY_UNITS: &[&str] = &[
    "B", "k", "K", "M", "G", "T", "P", "E", "KB", "MB", "GB", "TB", "PB", "EB", "Ki", "Mi", "Gi",
    "Ti", "Pi", "Ei", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB",
];
/// The units cpu takes besides a plain number of cores.
pub const CPU_UNITS: &[&str] = &["m"];
/// The units a duration takes besides a plain number of seconds.
pub const DURATION_UNITS: &[&str] = &["ns", "us", "ms", "s", "m", "min", "h", "d", "w"];

impl Quantity {
    /// From a literal's number text and unit text ("" for a plain number), as lexed.
    ///
    /// The number may hold `_` separators, one leading sign, a fraction and an exponent (`1e3`).
    pub fn parse(number: &str, unit: &str, measure: Measure) -> Result<Quantity, QuantityError> {
        let text = format!("{number}{unit}");
        if measure == Measure::Memory && unit == "m" {
            return Err(QuantityError::MilliMemory {
                number: number.to_string(),
            });
        }
        let Some((factor, binary)) = unit_factor(unit, measure) else {
            return Err(QuantityError::UnitNotFor {
                unit: unit.to_string(),
                measure,
                allowed: allowed_units(measure),
            });
        };
        let base_value = match exact_multiple(number, factor) {
            Ok(value) => value,
            Err(Inexact::Invalid) => return Err(QuantityError::InvalidNumber { text }),
            Err(Inexact::Negative) => return Err(QuantityError::Negative { text, measure }),
            Err(Inexact::Overflow) => return Err(QuantityError::Overflow { text, measure }),
            Err(Inexact::Fraction) => return Err(QuantityError::NotExact { text, measure }),
        };
        Ok(Quantity {
            measure,
            text,
            base_value,
            binary,
        })
    }

    /// Compares two quantities of the same measure by value (None if measures differ).
    pub fn compare(&self, other: &Quantity) -> Option<Ordering> {
        (self.measure == other.measure).then(|| self.base_value.cmp(&other.base_value))
    }

    /// The value in the base unit: bytes for memory, millicores for cpu, nanoseconds for
    /// durations. It is exact and never negative.
    pub fn base_value(&self) -> i128 {
        self.base_value
    }

    /// Whole seconds of a duration; None for other measures, for a duration that is not a whole
    /// number of seconds, or for one too long for an `i64`.
    pub fn as_seconds(&self) -> Option<i64> {
        if self.measure != Measure::Duration || self.base_value % NANOS_PER_SECOND != 0 {
            return None;
        }
        i64::try_from(self.base_value / NANOS_PER_SECOND).ok()
    }

    /// The bytes of a memory quantity; None for other measures.
    pub fn as_bytes(&self) -> Option<i128> {
        (self.measure == Measure::Memory).then_some(self.base_value)
    }

    /// The cores of a cpu quantity, such as 0.5 for `500m`; None for other measures.
    pub fn as_cores(&self) -> Option<f64> {
        (self.measure == Measure::Cpu).then(|| self.base_value as f64 / 1000.0)
    }

    /// Kubernetes canonical form for memory and cpu (e.g. "4Gi", "500m", "2"), used when a target
    /// needs it. Memory keeps binary or decimal suffixes as written, as Kubernetes does, so `4GiB`
    /// becomes "4Gi" and `4GB` becomes "4G". A duration becomes the largest Go duration unit that
    /// holds it exactly ("24h" for `1d`), which Kubernetes and Go's `time.ParseDuration` accept.
    pub fn to_kubernetes_string(&self) -> String {
        const BINARY: &[&str] = &["Ei", "Pi", "Ti", "Gi", "Mi", "Ki", ""];
        const DECIMAL: &[&str] = &["E", "P", "T", "G", "M", "k", ""];
        let value = self.base_value;
        match self.measure {
            Measure::Duration if value == 0 => "0s".to_string(),
            Measure::Duration => {
                in_largest_exact_unit(value, &["h", "m", "s", "ms", "us", "ns"], Measure::Duration)
            }
            _ if value == 0 => "0".to_string(),
            // Kubernetes writes binary values under 1024 bytes as plain decimal numbers.
            Measure::Memory if self.binary && value >= 1024 => {
                in_largest_exact_unit(value, BINARY, Measure::Memory)
            }
            Measure::Memory => in_largest_exact_unit(value, DECIMAL, Measure::Memory),
            // Whole cores take the decimal suffixes that memory bytes take.
            Measure::Cpu if value % 1000 == 0 => {
                in_largest_exact_unit(value / 1000, DECIMAL, Measure::Memory)
            }
            Measure::Cpu => format!("{value}m"),
        }
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(&self.text)
    }
}

impl fmt::Display for Measure {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(match self {
            Measure::Memory => "memory",
            Measure::Cpu => "cpu",
            Measure::Duration => "duration",
        })
    }
}

impl fmt::Display for QuantityError {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QuantityError::UnitNotFor {
                unit,
                measure,
                allowed,
            } => {
                let units: Vec<String> = allowed.iter().map(|unit| format!("`{unit}`")).collect();
                let plain = match measure {
                    Measure::Memory => "bytes",
                    Measure::Cpu => "cores",
                    Measure::Duration => "seconds",
                };
                write!(
                    formatter,
                    "`{unit}` is not a {measure} unit; {measure} takes {} or a plain number of {plain}",
                    units.join(", ")
                )
            }
            QuantityError::MilliMemory { number } => write!(
                formatter,
                "`{number}m` means thousandths of a byte, and memory takes no `m`; did you mean `{number}Mi`"
            ),
            QuantityError::InvalidNumber { text } => write!(formatter, "`{text}` is not a number"),
            QuantityError::Negative { text, measure } => {
                write!(formatter, "{measure} cannot be negative, but `{text}` is")
            }
            QuantityError::NotExact { text, measure } => match measure {
                Measure::Memory => write!(formatter, "`{text}` is not a whole number of bytes"),
                Measure::Cpu => write!(
                    formatter,
                    "`{text}` is finer than `1m`, the smallest cpu step"
                ),
                Measure::Duration => {
                    write!(formatter, "`{text}` is not a whole number of nanoseconds")
                }
            },
            QuantityError::Overflow { text, measure } => {
                write!(formatter, "`{text}` is too large for a {measure} quantity")
            }
        }
    }
}

impl std::error::Error for QuantityError {}

const NANOS_PER_SECOND: i128 = 1_000_000_000;

/// Writes a nonzero value in the first of `units` (largest first, ending in a unit worth one
/// base unit) that holds it exactly.
fn in_largest_exact_unit(value: i128, units: &[&str], measure: Measure) -> String {
    let exact = |unit: &&str| {
        let (factor, _) = unit_factor(unit, measure)?;
        (value % factor == 0).then(|| format!("{}{unit}", value / factor))
    };
    units
        .iter()
        .find_map(exact)
        .unwrap_or_else(|| value.to_string())
}

/// The units a measure accepts, for error messages.
fn allowed_units(measure: Measure) -> &'static [&'static str] {
    match measure {
        Measure::Memory => MEMORY_UNITS,
        Measure::Cpu => CPU_UNITS,
        Measure::Duration => DURATION_UNITS,
    }
}

/// How many base units one of `unit` is, and whether it is a binary memory unit.
fn unit_factor(unit: &str, measure: Measure) -> Option<(i128, bool)> {
    let decimal = |power: u32| Some((1000_i128.pow(power), false));
    let binary = |power: u32| Some((1024_i128.pow(power), true));
    let nanos = |count: i128| Some((count, false));
    match (measure, unit) {
        (Measure::Memory, "" | "B") => decimal(0),
        (Measure::Memory, "k" | "K" | "KB") => decimal(1),
        (Measure::Memory, "M" | "MB") => decimal(2),
        (Measure::Memory, "G" | "GB") => decimal(3),
        (Measure::Memory, "T" | "TB") => decimal(4),
        (Measure::Memory, "P" | "PB") => decimal(5),
        (Measure::Memory, "E" | "EB") => decimal(6),
        (Measure::Memory, "Ki" | "KiB") => binary(1),
        (Measure::Memory, "Mi" | "MiB") => binary(2),
        (Measure::Memory, "Gi" | "GiB") => binary(3),
        (Measure::Memory, "Ti" | "TiB") => binary(4),
        (Measure::Memory, "Pi" | "PiB") => binary(5),
        (Measure::Memory, "Ei" | "EiB") => binary(6),
        (Measure::Cpu, "") => Some((1000, false)),
        (Measure::Cpu, "m") => Some((1, false)),
        (Measure::Duration, "ns") => nanos(1),
        (Measure::Duration, "us") => nanos(1_000),
        (Measure::Duration, "ms") => nanos(1_000_000),
        (Measure::Duration, "" | "s") => nanos(NANOS_PER_SECOND),
        (Measure::Duration, "m" | "min") => nanos(60 * NANOS_PER_SECOND),
        (Measure::Duration, "h") => nanos(3_600 * NANOS_PER_SECOND),
        (Measure::Duration, "d") => nanos(86_400 * NANOS_PER_SECOND),
        (Measure::Duration, "w") => nanos(604_800 * NANOS_PER_SECOND),
        _ => None,
    }
}

/// Why a number text does not give a whole, nonnegative number of base units.
enum Inexact {
    Invalid,
    Negative,
    Overflow,
    Fraction,
}

/// The number text `[+-]digits[.digits][(e|E)[+-]digits]`, with `_` allowed between digits,
/// times `factor`, exactly, as an integer.
fn exact_multiple(number: &str, factor: i128) -> Result<i128, Inexact> {
    let clean: String = number.chars().filter(|&c| c != '_').collect();
    let (negative, unsigned) = match clean.strip_prefix('-') {
        Some(unsigned) => (true, unsigned),
        None => (false, clean.strip_prefix('+').unwrap_or(&clean)),
    };
    let (mantissa, exponent) = unsigned.split_once(['e', 'E']).unwrap_or((unsigned, "0"));
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, "0"));
    let exponent_digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    let all_digits =
        |part: &str| !part.is_empty() && part.bytes().all(|byte| byte.is_ascii_digit());
    if ![whole, fraction, exponent_digits]
        .into_iter()
        .all(all_digits)
    {
        return Err(Inexact::Invalid);
    }
    // Exponents this large overflow or leave a fraction anyway, so they saturate.
    let magnitude = exponent_digits
        .parse::<i64>()
        .unwrap_or(1 << 40)
        .min(1 << 40);
    let mut exponent = if exponent.starts_with('-') {
        -magnitude
    } else {
        magnitude
    };
    // Trailing zeros move into the exponent so that `1.50000…` does not overflow the digits.
    let joined = format!("{whole}{fraction}");
    let significant = joined.trim_end_matches('0');
    exponent += (joined.len() - significant.len()) as i64 - fraction.len() as i64;
    let digits = significant.bytes().try_fold(0_i128, |digits, byte| {
        digits.checked_mul(10)?.checked_add(i128::from(byte - b'0'))
    });
    if significant.trim_start_matches('0').is_empty() {
        return Ok(0);
    }
    if negative {
        return Err(Inexact::Negative);
    }
    let product = digits.and_then(|digits| digits.checked_mul(factor));
    let product = product.ok_or(Inexact::Overflow)?;
    let power_of_ten = |exponent: i64| {
        let exponent = u32::try_from(exponent).ok()?;
        10_i128.checked_pow(exponent)
    };
    if exponent >= 0 {
        let multiplier = power_of_ten(exponent).ok_or(Inexact::Overflow)?;
        return product.checked_mul(multiplier).ok_or(Inexact::Overflow);
    }
    // A divisor beyond i128 is larger than any nonzero product, so the result is a fraction.
    let divisor = power_of_ten(-exponent).ok_or(Inexact::Fraction)?;
    if product % divisor != 0 {
        return Err(Inexact::Fraction);
    }
    Ok(product / divisor)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Splits a literal such as `4GiB` or `1e3` into the number and unit texts the lexer gives.
    fn parse(literal: &str, measure: Measure) -> Result<Quantity, QuantityError> {
        let all_units = [MEMORY_UNITS, DURATION_UNITS].concat();
        let is_unit = |unit: &str| unit.is_empty() || all_units.contains(&unit);
        let ends_in_digit = |number: &str| number.ends_with(|c: char| c.is_ascii_digit());
        let split = (1..=literal.len())
            .find(|&at| ends_in_digit(&literal[..at]) && is_unit(&literal[at..]))
            .unwrap_or(literal.len());
        Quantity::parse(&literal[..split], &literal[split..], measure)
    }

    /// Checks cases, separated by commas or lines, written `literal = base value` or
    /// `literal -> Kubernetes form`.
    fn check(measure: Measure, cases: &str) {
        for case in cases
            .split([',', '\n'])
            .map(str::trim)
            .filter(|case| !case.is_empty())
        {
            if let Some((literal, base_value)) = case.split_once(" = ") {
                let quantity = parse(literal, measure).unwrap();
                assert_eq!(quantity.base_value().to_string(), base_value, "{case}");
            } else {
                let (literal, kubernetes) = case.split_once(" -> ").unwrap();
                let quantity = parse(literal, measure).unwrap();
                assert_eq!(quantity.to_kubernetes_string(), kubernetes, "{case}");
            }
        }
    }

    /// Checks cases, one a line, written `literal => error message`.
    fn check_errors(measure: Measure, cases: &str) {
        for case in cases.lines().map(str::trim).filter(|case| !case.is_empty()) {
            let (literal, message) = case.split_once(" => ").unwrap();
            let error = parse(literal, measure).unwrap_err();
            assert_eq!(error.to_string(), message, "{literal}");
        }
    }

    #[test]
    fn every_memory_unit() {
        check(
            Measure::Memory,
            "3 = 3, 3B = 3, 3k = 3000, 3K = 3000, 3KB = 3000, 3M = 3000000, 3MB = 3000000
            3G = 3000000000, 3GB = 3000000000, 3T = 3000000000000, 3TB = 3000000000000
            3P = 3000000000000000, 3PB = 3000000000000000
            3E = 3000000000000000000, 3EB = 3000000000000000000
            3Ki = 3072, 3KiB = 3072, 3Mi = 3145728, 3MiB = 3145728
            3Gi = 3221225472, 3GiB = 3221225472, 3Ti = 3298534883328, 3TiB = 3298534883328
            3Pi = 3377699720527872, 3PiB = 3377699720527872
            3Ei = 3458764513820540928, 3EiB = 3458764513820540928
            1.5Gi = 1610612736, 4_096Mi = 4294967296, +2k = 2000, 1e3 = 1000, 2.5E2 = 250
            -0 = 0, 0e999999999999999999999 = 0
            1.500000000000000000000000000000000000000000000Ki = 1536",
        );
    }

    #[test]
    fn every_cpu_unit() {
        check(
            Measure::Cpu,
            "500m = 500, 2 = 2000, 0.5 = 500, 0.001 = 1, 1_000m = 1000",
        );
    }

    #[test]
    fn every_duration_unit() {
        check(
            Measure::Duration,
            "7ns = 7, 7us = 7000, 7ms = 7000000, 7s = 7000000000, 7 = 7000000000
            7m = 420000000000, 7min = 420000000000, 7h = 25200000000000
            7d = 604800000000000, 7w = 4233600000000000, 1.5us = 1500, 0.25h = 900000000000",
        );
    }

    #[test]
    fn equality_across_forms() {
        let same = |measure, literals: &[&str]| {
            let first = parse(literals[0], measure).unwrap();
            for literal in literals {
                let other = parse(literal, measure).unwrap();
                assert_eq!(first.compare(&other), Some(Ordering::Equal), "{literal}");
            }
        };
        same(
            Measure::Memory,
            &["1Gi", "1024Mi", "1073741824", "1GiB", "0.0009765625Ti"],
        );
        same(Measure::Duration, &["1h", "60m", "60min", "3600s", "3600"]);
        same(Measure::Cpu, &["0.5", "500m"]);
        // The derived `==` also compares the written text, so it tells the forms apart.
        assert_ne!(parse("0.5", Measure::Cpu), parse("500m", Measure::Cpu));
    }

    #[test]
    fn ordering_is_by_value() {
        let memory = |literal| parse(literal, Measure::Memory).unwrap();
        let (gibibytes, mebibytes, gigabytes) = (memory("4GiB"), memory("3900Mi"), memory("4G"));
        assert_eq!(gibibytes.base_value(), 4_294_967_296);
        assert_eq!(mebibytes.base_value(), 4_089_446_400);
        assert_eq!(gigabytes.base_value(), 4_000_000_000);
        // The design brief's `4GiB > 4G > 3900Mi` means that memory compares by value, and by
        // value 3900Mi is more than 4G, so the true order is 4GiB > 3900Mi > 4G.
        assert_eq!(gibibytes.compare(&mebibytes), Some(Ordering::Greater));
        assert_eq!(mebibytes.compare(&gigabytes), Some(Ordering::Greater));
        assert_eq!(gibibytes.compare(&gigabytes), Some(Ordering::Greater));
        let mut sorted = [gibibytes.clone(), gigabytes, mebibytes];
        sorted.sort_by(|left, right| left.compare(right).unwrap());
        let texts: Vec<&str> = sorted
            .iter()
            .map(|quantity| quantity.text.as_str())
            .collect();
        assert_eq!(texts, ["4G", "3900Mi", "4GiB"]);
        let duration = |literal| parse(literal, Measure::Duration).unwrap();
        assert_eq!(
            duration("90s").compare(&duration("1m")),
            Some(Ordering::Greater)
        );
        assert_eq!(
            duration("999ms").compare(&duration("1")),
            Some(Ordering::Less)
        );
        assert_eq!(duration("1h").compare(&gibibytes), None);
    }

    #[test]
    fn every_error() {
        let unit_not_for = QuantityError::UnitNotFor {
            unit: "Mi".to_string(),
            measure: Measure::Cpu,
            allowed: CPU_UNITS,
        };
        assert_eq!(parse("2Mi", Measure::Cpu), Err(unit_not_for));
        check_errors(
            Measure::Cpu,
            "2Mi => `Mi` is not a cpu unit; cpu takes `m` or a plain number of cores
            -0.5 => cpu cannot be negative, but `-0.5` is
            0.0005 => `0.0005` is finer than `1m`, the smallest cpu step
            0.5m => `0.5m` is finer than `1m`, the smallest cpu step
            1e99999999999999999999 => `1e99999999999999999999` is too large for a cpu quantity",
        );
        check_errors(
            Measure::Memory,
            "1h => `h` is not a memory unit; memory takes `B`, `k`, `K`, `M`, `G`, `T`, `P`, `E`, \
                `KB`, `MB`, `GB`, `TB`, `PB`, `EB`, `Ki`, `Mi`, `Gi`, `Ti`, `Pi`, `Ei`, `KiB`, \
                `MiB`, `GiB`, `TiB`, `PiB`, `EiB` or a plain number of bytes
            512m => `512m` means thousandths of a byte, and memory takes no `m`; did you mean `512Mi`
            1. => `1.` is not a number
            --1 => `--1` is not a number
            1e => `1e` is not a number
            -1Gi => memory cannot be negative, but `-1Gi` is
            0.5 => `0.5` is not a whole number of bytes
            1e-99999999999999999999 => `1e-99999999999999999999` is not a whole number of bytes
            1e30Ei => `1e30Ei` is too large for a memory quantity",
        );
        check_errors(
            Measure::Duration,
            "1Gi => `Gi` is not a duration unit; duration takes `ns`, `us`, `ms`, `s`, `m`, \
                `min`, `h`, `d`, `w` or a plain number of seconds
            0.5ns => `0.5ns` is not a whole number of nanoseconds
            11111111111111111111111111111111111111111w => \
                `11111111111111111111111111111111111111111w` is too large for a duration quantity",
        );
    }

    #[test]
    fn emission_helpers() {
        let quantity = |literal, measure| parse(literal, measure).unwrap();
        assert_eq!(quantity("1h", Measure::Duration).as_seconds(), Some(3_600));
        assert_eq!(quantity("1500ms", Measure::Duration).as_seconds(), None);
        assert_eq!(quantity("1Gi", Measure::Memory).as_seconds(), None);
        assert_eq!(
            quantity("1Gi", Measure::Memory).as_bytes(),
            Some(1_073_741_824)
        );
        assert_eq!(quantity("1h", Measure::Duration).as_bytes(), None);
        assert_eq!(quantity("500m", Measure::Cpu).as_cores(), Some(0.5));
        assert_eq!(quantity("2", Measure::Cpu).as_cores(), Some(2.0));
        assert_eq!(quantity("2", Measure::Memory).as_cores(), None);
        assert_eq!(quantity("4GiB", Measure::Memory).to_string(), "4GiB");
        check(
            Measure::Memory,
            "4GiB -> 4Gi, 4Gi -> 4Gi, 1024Mi -> 1Gi, 1.5Gi -> 1536Mi, 0.5Ki -> 512, 1.5Ki -> 1536
            4G -> 4G, 4GB -> 4G, 4000M -> 4G, 4294967296 -> 4294967296, 1500B -> 1500, 2K -> 2k
            0Gi -> 0",
        );
        let cpu = "500m -> 500m, 0.5 -> 500m, 2000m -> 2, 1500m -> 1500m, 1e3 -> 1k, 0 -> 0";
        check(Measure::Cpu, cpu);
        check(
            Measure::Duration,
            "1d -> 24h, 90s -> 90s, 120s -> 2m, 1.5s -> 1500ms, 3us -> 3us, 7ns -> 7ns, 0h -> 0s",
        );
    }
}
