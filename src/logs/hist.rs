//! Log-linear histograms: the percentiles of any number of timer values in a
//! few kilobytes, without keeping or sorting the values.
//!
//! Values below 64 have a bucket each (exact). Above, every power of two is
//! cut into 64 equal buckets, so a bucket is at most 1/64 of its lowest
//! value wide; a percentile is reported as the middle of its bucket (clamped
//! to the smallest and largest value seen, which are kept exactly), hence at
//! most half a bucket — 1/128, under 0.8 % — from the nearest-rank value.

const SUB_BITS: u32 = 6;
const SUB: u64 = 1 << SUB_BITS;

/// The relative error bound of [`Histogram::percentile`], for reports.
pub const ERROR_BOUND: &str =
    "percentiles within 0.8 % (log-linear histogram, 64 buckets per power of two); max exact";

#[derive(Clone, Debug, Default)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    min: u64,
    max: u64,
}

fn index(value: u64) -> usize {
    if value < SUB {
        value as usize
    } else {
        let exponent = 63 - value.leading_zeros();
        let shift = exponent - SUB_BITS;
        let mantissa = (value >> shift) - SUB;
        ((u64::from(shift) + 1) * SUB + mantissa) as usize
    }
}

/// The values a bucket holds: `low..=high`.
fn bounds(index: usize) -> (u64, u64) {
    let index = index as u64;
    if index < SUB {
        (index, index)
    } else {
        let shift = index / SUB - 1;
        let low = (SUB + index % SUB) << shift;
        (low, low + (1 << shift) - 1)
    }
}

impl Histogram {
    #[inline]
    pub fn add(&mut self, value: u64) {
        let slot = index(value);
        match self.counts.get_mut(slot) {
            Some(count) => *count += 1,
            None => {
                // Grown in steps, to the largest value seen so far.
                self.counts.resize(slot + 1 + SUB as usize, 0);
                if let Some(count) = self.counts.get_mut(slot) {
                    *count += 1;
                }
            }
        }
        if self.total == 0 || value < self.min {
            self.min = value;
        }
        if value > self.max {
            self.max = value;
        }
        self.total += 1;
    }

    pub fn merge(&mut self, other: &Histogram) {
        if other.total == 0 {
            return;
        }
        if other.counts.len() > self.counts.len() {
            self.counts.resize(other.counts.len(), 0);
        }
        for (mine, theirs) in self.counts.iter_mut().zip(&other.counts) {
            *mine += theirs;
        }
        if self.total == 0 || other.min < self.min {
            self.min = other.min;
        }
        self.max = self.max.max(other.max);
        self.total += other.total;
    }

    pub fn count(&self) -> u64 {
        self.total
    }

    pub fn max(&self) -> u64 {
        self.max
    }

    /// The nearest-rank percentile `p` (0 < p ≤ 1), within [`ERROR_BOUND`].
    pub fn percentile(&self, p: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((p * self.total as f64).ceil() as u64).clamp(1, self.total);
        let mut seen = 0;
        for (slot, count) in self.counts.iter().enumerate() {
            seen += count;
            if seen >= rank {
                let (low, high) = bounds(slot);
                return (low + (high - low) / 2).clamp(self.min, self.max);
            }
        }
        self.max
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_cover_every_value_once() {
        let mut expected = 0;
        for slot in 0..2000 {
            let (low, high) = bounds(slot);
            assert_eq!(low, expected, "bucket {slot}");
            assert_eq!(index(low), slot);
            assert_eq!(index(high), slot);
            expected = high + 1;
        }
    }

    #[test]
    fn percentiles_are_exact_below_64_and_within_the_bound_above() {
        let mut small = Histogram::default();
        for v in 1..=50 {
            small.add(v);
        }
        assert_eq!(small.percentile(0.5), 25);
        assert_eq!(small.percentile(1.0), 50);
        let mut values: Vec<u64> = (0..100_000u64).map(|i| (i * 7919) % 3_600_000).collect();
        let mut histogram = Histogram::default();
        for &v in &values {
            histogram.add(v);
        }
        values.sort_unstable();
        for p in [0.5, 0.9, 0.99, 0.999] {
            let exact = values[((p * values.len() as f64).ceil() as usize) - 1] as f64;
            let got = histogram.percentile(p) as f64;
            assert!(
                (got - exact).abs() <= exact / 128.0,
                "p{p}: {got} vs {exact}"
            );
        }
        assert_eq!(histogram.max(), *values.last().unwrap());
        let mut halves = Histogram::default();
        let mut other = Histogram::default();
        for (i, &v) in values.iter().enumerate() {
            if i % 2 == 0 {
                halves.add(v)
            } else {
                other.add(v)
            }
        }
        halves.merge(&other);
        assert_eq!(halves.percentile(0.9), histogram.percentile(0.9));
    }
}
