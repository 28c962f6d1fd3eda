//! Terraform's numbers: binary floating point with a 512-bit mantissa, rounded to nearest even
//! after every operation, as `cty` computes them with Go's `big.Float`, and printed as Go prints
//! them, in the fewest digits that read back as the same number.
//!
//! Exact decimal arithmetic would differ from Terraform only in the last of about 155 digits,
//! but a template shows every digit: `"${10/3}x"` is `3.333…332x` in Terraform. The exponent is
//! kept within `MAX_EXPONENT` bits, so that no operation grows without bound; a value beyond it
//! is out of range, as it would be for a `.hub` number anyway.

use std::cmp::Ordering;

use num_bigint::BigUint;
use num_traits::{One, ToPrimitive, Zero};

/// The precision of a number literal or a number converted from a string, in bits.
pub const LITERAL_PRECISION: u64 = 512;

/// The precision of the index of a `for` over a list, which `cty` makes from a Go `int64`.
pub const INDEX_PRECISION: u64 = 64;

/// The largest magnitude of the binary exponent of a number: about 1e±1233, far beyond the
/// range of an `f64`, in which every value of a variables file lies.
const MAX_EXPONENT: i64 = 4096;

/// The significant digits of a literal that are read exactly; the rest only decide whether the
/// value lies above the digits kept. 400 digits are far more than 512 bits can tell apart.
const MAX_LITERAL_DIGITS: usize = 400;

/// Why an operation has no result.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NumberError {
    /// Beyond about 1e±1233, or, for a value to be written out, beyond the range of an `f64`.
    OutOfRange,
    /// A division by zero, which Terraform makes infinite (and then cannot write out).
    DivisionByZero,
}

/// A number: `(-1)^negative × mantissa × 2^exponent`, with an odd mantissa (or a zero one and a
/// zero exponent) of at most `precision` bits. A zero keeps its sign, as Go's does: `-0` is
/// printed as `-0` in a template.
#[derive(Debug, Clone)]
pub struct Number {
    negative: bool,
    mantissa: BigUint,
    exponent: i64,
    precision: u64,
}

impl PartialEq for Number {
    fn eq(&self, other: &Number) -> bool {
        self.compare(other) == Ordering::Equal
    }
}

impl Number {
    /// The integer `value`, with the given precision.
    pub fn from_u64(value: u64, precision: u64) -> Number {
        Number::rounded(false, BigUint::from(value), 0, false, precision)
            .expect("a u64 is in range")
    }

    /// Reads a decimal number as Go's `big.ParseFloat` does in base 10: an optional sign, digits
    /// with an optional fraction (either part may be empty, not both), and an optional exponent.
    /// `None` if the text is not such a number.
    pub fn parse(text: &str) -> Option<Result<Number, NumberError>> {
        let (negative, unsigned) = match text.as_bytes().first()? {
            b'-' => (true, &text[1..]),
            b'+' => (false, &text[1..]),
            _ => (false, text),
        };
        let (digits_part, exponent_part) = match unsigned.find(['e', 'E']) {
            Some(at) => (&unsigned[..at], Some(&unsigned[at + 1..])),
            None => (unsigned, None),
        };
        let (whole, fraction) = digits_part.split_once('.').unwrap_or((digits_part, ""));
        let all_digits = |part: &str| part.bytes().all(|byte| byte.is_ascii_digit());
        if whole.is_empty() && fraction.is_empty() || !all_digits(whole) || !all_digits(fraction) {
            return None;
        }
        let exponent: i64 = match exponent_part {
            None => 0,
            Some(exponent) => {
                let digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
                if digits.is_empty() || !all_digits(digits) {
                    return None;
                }
                // A longer exponent is out of range whatever the digits before it.
                match exponent.parse::<i64>() {
                    Ok(exponent) if exponent.abs() < 1 << 40 => exponent,
                    _ => return Some(Err(NumberError::OutOfRange)),
                }
            }
        };
        Some(Number::from_decimal(negative, whole, fraction, exponent))
    }

    /// `±0.whole fraction × 10^exponent`, rounded to [`LITERAL_PRECISION`] bits.
    fn from_decimal(
        negative: bool,
        whole: &str,
        fraction: &str,
        exponent: i64,
    ) -> Result<Number, NumberError> {
        let digits = format!("{whole}{fraction}");
        let digits = digits.trim_start_matches('0');
        // The value is `digits × 10^(exponent - fraction digits)`.
        let mut decimal_exponent = exponent - fraction.len() as i64;
        let significant = digits.trim_end_matches('0');
        decimal_exponent += (digits.len() - significant.len()) as i64;
        if significant.is_empty() {
            return Ok(Number::zero(negative, LITERAL_PRECISION));
        }
        // Digits beyond those kept only tell whether the value is above the kept ones: a final
        // `1` stands for them, which rounds the same at 512 bits.
        let (kept, dropped) = significant.split_at(significant.len().min(MAX_LITERAL_DIGITS));
        let mut kept = kept.to_string();
        if !dropped.is_empty() {
            decimal_exponent += dropped.len() as i64 - 1;
            kept.push('1');
        }
        // 10^x is about 2^(3.32x): a decimal exponent this far out is beyond the binary range.
        let magnitude = decimal_exponent + kept.len() as i64;
        if magnitude.abs() > MAX_EXPONENT * 3 / 10 + 2 {
            return Err(NumberError::OutOfRange);
        }
        let mantissa: BigUint = kept.parse().expect("the kept text is digits");
        let ten_power = |power: i64| BigUint::from(10u32).pow(power as u32);
        if decimal_exponent >= 0 {
            let whole = mantissa * ten_power(decimal_exponent);
            return Number::rounded(negative, whole, 0, false, LITERAL_PRECISION);
        }
        Number::quotient(
            negative,
            mantissa,
            0,
            &ten_power(-decimal_exponent),
            0,
            LITERAL_PRECISION,
        )
    }

    /// A zero of the given sign.
    fn zero(negative: bool, precision: u64) -> Number {
        Number {
            negative,
            mantissa: BigUint::zero(),
            exponent: 0,
            precision,
        }
    }

    /// `(-1)^negative × mantissa × 2^exponent`, plus a little more when `sticky` (the bits of
    /// an inexact quotient below those given), rounded to `precision` bits, nearest even.
    fn rounded(
        negative: bool,
        mut mantissa: BigUint,
        mut exponent: i64,
        sticky: bool,
        precision: u64,
    ) -> Result<Number, NumberError> {
        if mantissa.is_zero() {
            return Ok(Number::zero(negative, precision));
        }
        let bits = mantissa.bits();
        if bits > precision {
            let shift = bits - precision;
            let remainder = &mantissa & ((BigUint::one() << shift) - 1u32);
            let half = BigUint::one() << (shift - 1);
            mantissa >>= shift;
            exponent += shift as i64;
            let round_up = match remainder.cmp(&half) {
                Ordering::Greater => true,
                Ordering::Equal => sticky || mantissa.bit(0),
                Ordering::Less => false,
            };
            if round_up {
                mantissa += 1u32;
            }
        }
        let trailing = mantissa.trailing_zeros().unwrap_or(0);
        mantissa >>= trailing;
        exponent += trailing as i64;
        let top = exponent + mantissa.bits() as i64;
        if !(-MAX_EXPONENT..=MAX_EXPONENT).contains(&top) {
            return Err(NumberError::OutOfRange);
        }
        Ok(Number {
            negative,
            mantissa,
            exponent,
            precision,
        })
    }

    /// `(-1)^negative × (dividend × 2^dividend_exponent) / (divisor × 2^divisor_exponent)`,
    /// correctly rounded: the quotient is computed to two bits more than the precision, and the
    /// remainder decides ties.
    fn quotient(
        negative: bool,
        dividend: BigUint,
        dividend_exponent: i64,
        divisor: &BigUint,
        divisor_exponent: i64,
        precision: u64,
    ) -> Result<Number, NumberError> {
        let shift = (precision + 2 + divisor.bits()).saturating_sub(dividend.bits());
        let scaled = dividend << shift;
        let quotient = &scaled / divisor;
        let exact = (&quotient * divisor) == scaled;
        let exponent = dividend_exponent - divisor_exponent - shift as i64;
        Number::rounded(negative, quotient, exponent, !exact, precision)
    }

    pub fn is_zero(&self) -> bool {
        self.mantissa.is_zero()
    }

    /// The number with the other sign.
    pub fn negate(&self) -> Number {
        Number {
            negative: !self.negative,
            ..self.clone()
        }
    }

    /// `self + other`, rounded once.
    pub fn add(&self, other: &Number) -> Result<Number, NumberError> {
        let precision = self.precision.max(other.precision);
        if self.is_zero() && other.is_zero() {
            return Ok(Number::zero(self.negative && other.negative, precision));
        }
        let exponent = self.exponent.min(other.exponent);
        let left = &self.mantissa << (self.exponent - exponent) as u64;
        let right = &other.mantissa << (other.exponent - exponent) as u64;
        let (negative, sum) = if self.negative == other.negative {
            (self.negative, left + right)
        } else if left >= right {
            (self.negative, left - right)
        } else {
            (other.negative, right - left)
        };
        // An exact cancellation gives +0, as in Go's default rounding mode.
        let negative = negative && !sum.is_zero();
        Number::rounded(negative, sum, exponent, false, precision)
    }

    /// `self - other`, rounded once.
    pub fn subtract(&self, other: &Number) -> Result<Number, NumberError> {
        self.add(&other.negate())
    }

    /// `self × other`, rounded once.
    pub fn multiply(&self, other: &Number) -> Result<Number, NumberError> {
        let precision = self.precision.max(other.precision);
        Number::rounded(
            self.negative != other.negative,
            &self.mantissa * &other.mantissa,
            self.exponent + other.exponent,
            false,
            precision,
        )
    }

    /// `self / other`, rounded once.
    pub fn divide(&self, other: &Number) -> Result<Number, NumberError> {
        if other.is_zero() {
            return Err(NumberError::DivisionByZero);
        }
        let precision = self.precision.max(other.precision);
        let negative = self.negative != other.negative;
        if self.is_zero() {
            return Ok(Number::zero(negative, precision));
        }
        Number::quotient(
            negative,
            self.mantissa.clone(),
            self.exponent,
            &other.mantissa,
            other.exponent,
            precision,
        )
    }

    /// `self % other` as `cty` computes it: `self - other × trunc(self / other)`, each step
    /// rounded, so the result has the sign of `self`; `x % 0` is `x`.
    pub fn remainder(&self, other: &Number) -> Result<Number, NumberError> {
        if other.is_zero() {
            return Ok(self.clone());
        }
        let quotient = self.divide(other)?;
        let truncated = quotient.truncate();
        self.subtract(&other.multiply(&truncated)?)
    }

    /// The integer part, towards zero.
    fn truncate(&self) -> Number {
        if self.exponent >= 0 {
            return self.clone();
        }
        let mantissa = &self.mantissa >> (-self.exponent) as u64;
        Number::rounded(self.negative, mantissa, 0, false, self.precision)
            .expect("a smaller magnitude is in range")
    }

    /// Compares by value; `-0` equals `0`.
    pub fn compare(&self, other: &Number) -> Ordering {
        let sign = |number: &Number| match (number.is_zero(), number.negative) {
            (true, _) => 0,
            (false, true) => -1,
            (false, false) => 1,
        };
        let (left_sign, right_sign) = (sign(self), sign(other));
        if left_sign != right_sign || left_sign == 0 {
            return left_sign.cmp(&right_sign);
        }
        let exponent = self.exponent.min(other.exponent);
        let left = &self.mantissa << (self.exponent - exponent) as u64;
        let right = &other.mantissa << (other.exponent - exponent) as u64;
        let magnitude = left.cmp(&right);
        if left_sign < 0 {
            magnitude.reverse()
        } else {
            magnitude
        }
    }

    /// The number as an integer, if it is a whole number; `None` for a fraction.
    pub fn to_integer(&self) -> Option<(bool, BigUint)> {
        if self.exponent < 0 {
            return None;
        }
        Some((self.negative, &self.mantissa << self.exponent as u64))
    }

    /// The whole number as an `i64`, if it is one that fits.
    pub fn to_i64(&self) -> Option<i64> {
        let (negative, magnitude) = self.to_integer()?;
        let magnitude = magnitude.to_i128()?;
        i64::try_from(if negative { -magnitude } else { magnitude }).ok()
    }

    /// The nearest `f64` (ties to even), or `OutOfRange` beyond its range.
    pub fn to_f64(&self) -> Result<f64, NumberError> {
        if self.is_zero() {
            return Ok(0.0);
        }
        let bits = self.mantissa.bits() as i64;
        let top = self.exponent + bits - 1;
        // The weight of the last bit an f64 keeps at this magnitude (subnormals keep fewer).
        let quantum = (top - 52).max(-1074);
        let kept = if self.exponent >= quantum {
            &self.mantissa << (self.exponent - quantum) as u64
        } else {
            let shift = (quantum - self.exponent) as u64;
            let remainder = &self.mantissa & ((BigUint::one() << shift) - 1u32);
            let half = BigUint::one() << (shift - 1);
            let mut kept = &self.mantissa >> shift;
            if remainder > half || remainder == half && kept.bit(0) {
                kept += 1u32;
            }
            kept
        };
        let kept = kept.to_u64().expect("at most 54 bits") as f64;
        let magnitude = kept * power_of_two(quantum).ok_or(NumberError::OutOfRange)?;
        if !magnitude.is_finite() {
            return Err(NumberError::OutOfRange);
        }
        Ok(if self.negative { -magnitude } else { magnitude })
    }

    /// The number as Go's `big.Float.Text('f', -1)` prints it, which is how `cty` turns a number
    /// into a string: no exponent, and the fewest digits that read back as the same number at
    /// its precision.
    pub fn to_text(&self) -> String {
        let sign = if self.negative { "-" } else { "" };
        if self.is_zero() {
            return format!("{sign}0");
        }
        let mut digits = Decimal::exact(&self.mantissa, self.exponent);
        self.round_shortest(&mut digits);
        let fraction_digits = (digits.digits.len() as i64 - digits.point).max(0);
        let mut text = String::from(sign);
        if digits.point > 0 {
            for index in 0..digits.point {
                text.push(digits.at(index));
            }
        } else {
            text.push('0');
        }
        if fraction_digits > 0 {
            text.push('.');
            for index in 0..fraction_digits {
                text.push(digits.at(digits.point + index));
            }
        }
        text
    }

    /// Go's `roundShortest`: the fewest digits of `digits` (this number, exactly) that still lie
    /// within half a unit in the last place of the precision on either side.
    fn round_shortest(&self, digits: &mut Decimal) {
        let shift = (self.precision + 1) as i64 - self.mantissa.bits() as i64;
        let mantissa = if shift >= 0 {
            &self.mantissa << shift as u64
        } else {
            &self.mantissa >> (-shift) as u64
        };
        let exponent = self.exponent - shift;
        let lower = Decimal::exact(&(&mantissa - 1u32), exponent);
        let upper = Decimal::exact(&(&mantissa + 1u32), exponent);
        // The bounds themselves round back to this number only if its mantissa is even.
        let inclusive = !mantissa.bit(1);
        for index in 0..digits.digits.len() {
            let digit = digits.digits[index];
            let (low, high) = (lower.at(index as i64), upper.at(index as i64));
            let can_round_down = low as u8 != digit || inclusive && index + 1 == lower.digits.len();
            let can_round_up = digit != high as u8
                && (inclusive || digit + 1 < high as u8 || index + 1 < upper.digits.len());
            match (can_round_down, can_round_up) {
                (true, true) => return digits.round(index + 1),
                (true, false) => return digits.round_down(index + 1),
                (false, true) => return digits.round_up(index + 1),
                (false, false) => {}
            }
        }
    }
}

/// `2^exponent` as an `f64`, built from its bits so that it is exact, subnormals included.
fn power_of_two(exponent: i64) -> Option<f64> {
    match exponent {
        -1022..=1023 => Some(f64::from_bits(((exponent + 1023) as u64) << 52)),
        -1074..=-1023 => Some(f64::from_bits(1 << (exponent + 1074))),
        _ => None,
    }
}

/// A decimal number `0.digits × 10^point`, with no trailing zeros: Go's `decimal`.
struct Decimal {
    digits: Vec<u8>,
    point: i64,
}

impl Decimal {
    /// `mantissa × 2^exponent`, exactly.
    fn exact(mantissa: &BigUint, exponent: i64) -> Decimal {
        let (value, fraction_digits) = if exponent >= 0 {
            (mantissa << exponent as u64, 0)
        } else {
            (
                mantissa * BigUint::from(5u32).pow((-exponent) as u32),
                -exponent,
            )
        };
        let text = value.to_string();
        let point = text.len() as i64 - fraction_digits;
        let digits = text.trim_end_matches('0').as_bytes().to_vec();
        Decimal { digits, point }
    }

    /// The digit at `index`, `'0'` past the end.
    fn at(&self, index: i64) -> char {
        usize::try_from(index)
            .ok()
            .and_then(|index| self.digits.get(index))
            .map_or('0', |&digit| digit as char)
    }

    /// Keeps `length` digits, rounding to nearest, ties to even.
    fn round(&mut self, length: usize) {
        if length >= self.digits.len() {
            return;
        }
        let halfway = self.digits[length] == b'5' && length + 1 == self.digits.len();
        let up = if halfway {
            length > 0 && (self.digits[length - 1] - b'0') % 2 == 1
        } else {
            self.digits[length] >= b'5'
        };
        if up {
            self.round_up(length);
        } else {
            self.round_down(length);
        }
    }

    /// Keeps `length` digits, rounding up.
    fn round_up(&mut self, mut length: usize) {
        if length >= self.digits.len() {
            return;
        }
        while length > 0 && self.digits[length - 1] >= b'9' {
            length -= 1;
        }
        if length == 0 {
            self.digits = vec![b'1'];
            self.point += 1;
            return;
        }
        self.digits[length - 1] += 1;
        self.digits.truncate(length);
    }

    /// Keeps `length` digits, rounding down.
    fn round_down(&mut self, length: usize) {
        if length >= self.digits.len() {
            return;
        }
        self.digits.truncate(length);
        while self.digits.last() == Some(&b'0') {
            self.digits.pop();
        }
    }
}
