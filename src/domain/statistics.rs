//! The statistics of an experiment report, as the contract's "Experiments" states them: Wilson
//! intervals, uplift against the control with a delta-method interval on the log of the ratio,
//! the pooled two-proportion z-test, the Bayesian chances to beat the control and to be best under
//! Beta(1 + converters, 1 + people − converters) posteriors, and the sample-ratio-mismatch
//! chi-square test.
//!
//! Distributions come from `statrs`; nothing here hand-rolls a special function. Every figure has
//! a defined answer for every count, 0 people and 0 or all converters included: a figure that does
//! not exist (an uplift over a control that never converts) is `None`, never NaN.

#[cfg(test)]
mod tests;

use statrs::distribution::{Beta, ChiSquared, ContinuousCDF, Normal};

/// The two-sided 95 % normal quantile, 1.959963984540054.
pub fn z95() -> f64 {
    let normal = Normal::standard();
    normal.inverse_cdf(0.975)
}

/// One arm's counts: the unit (people or answers) and those with at least one goal event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counts {
    pub people: u64,
    pub converters: u64,
}

impl Counts {
    /// `converters / people`, 0 without people.
    pub fn rate(&self) -> f64 {
        if self.people == 0 {
            return 0.0;
        }
        self.converters.min(self.people) as f64 / self.people as f64
    }

    fn clamped(&self) -> (f64, f64) {
        (self.converters.min(self.people) as f64, self.people as f64)
    }
}

/// The 95 % Wilson score interval of the rate; `[0, 1]` without people.
pub fn wilson(counts: Counts) -> (f64, f64) {
    let (c, n) = counts.clamped();
    if n == 0.0 {
        return (0.0, 1.0);
    }
    let z = z95();
    let p = c / n;
    let z2 = z * z;
    let denominator = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denominator;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt() / denominator;
    ((centre - half).max(0.0), (centre + half).min(1.0))
}

/// Uplift against the control: `rate / rate_control − 1` and its 95 % interval by the delta
/// method on `ln(rate / rate_control)`. `None` when the control's rate is 0 or either arm has no
/// people. A zero count in the interval's variance (no converters in the arm) takes the
/// Haldane–Anscombe correction (half a converter, one more person) so that the interval exists.
pub fn uplift(arm: Counts, control: Counts) -> Option<(f64, f64, f64)> {
    if arm.people == 0 || control.people == 0 || control.rate() == 0.0 {
        return None;
    }
    let point = arm.rate() / control.rate() - 1.0;
    let corrected = |counts: Counts| {
        let (c, n) = counts.clamped();
        if c == 0.0 {
            (0.5, n + 1.0)
        } else {
            (c, n)
        }
    };
    let (c1, n1) = corrected(arm);
    let (c0, n0) = corrected(control);
    let (p1, p0) = (c1 / n1, c0 / n0);
    let log_ratio = (p1 / p0).ln();
    let se = ((1.0 - p1) / c1 + (1.0 - p0) / c0).sqrt();
    let z = z95();
    Some((
        point,
        (log_ratio - z * se).exp() - 1.0,
        (log_ratio + z * se).exp() - 1.0,
    ))
}

/// The two-sided p-value of the pooled two-proportion z-test of `arm` against `control`; `None`
/// when either has no people, 1 when nobody or everybody converted (no difference to see).
pub fn two_proportion_p_value(arm: Counts, control: Counts) -> Option<f64> {
    if arm.people == 0 || control.people == 0 {
        return None;
    }
    let (c1, n1) = arm.clamped();
    let (c0, n0) = control.clamped();
    let pooled = (c1 + c0) / (n1 + n0);
    let se = (pooled * (1.0 - pooled) * (1.0 / n1 + 1.0 / n0)).sqrt();
    if se == 0.0 {
        return Some(1.0);
    }
    let z = (c1 / n1 - c0 / n0) / se;
    let normal = Normal::standard();
    Some((2.0 * normal.sf(z.abs())).clamp(0.0, 1.0))
}

/// Points of the quantile grid the Bayesian integrals are taken on. Each integrand is monotone
/// in the quantile and bounded by 1, so the midpoint rule's error stays below 1 / (2 × POINTS),
/// well inside the contract's ±0.005.
const POINTS: usize = 2000;

/// The Beta(1 + converters, 1 + people − converters) posterior of an arm's rate.
fn posterior(counts: Counts) -> Beta {
    let (c, n) = counts.clamped();
    Beta::new(1.0 + c, 1.0 + n - c).expect("both shapes are at least 1")
}

/// The Bayesian figures of every arm: the chance each arm's rate is the highest, and the chance
/// it beats the first arm (the control; `None` for the control itself). Independent Beta
/// posteriors; each chance is an expectation over the arm's own posterior, integrated on its
/// quantile grid: P(best_i) = E[∏_{j≠i} F_j(X_i)], P(X_i > X_0) = E[F_0(X_i)].
pub fn bayesian(arms: &[Counts]) -> (Vec<f64>, Vec<Option<f64>>) {
    if arms.is_empty() {
        return (Vec::new(), Vec::new());
    }
    let posteriors: Vec<Beta> = arms.iter().map(|&c| posterior(c)).collect();
    let mut best = vec![0.0; arms.len()];
    let mut beat = vec![None; arms.len()];
    for (i, own) in posteriors.iter().enumerate() {
        let (mut best_sum, mut beat_sum) = (0.0, 0.0);
        for point in 0..POINTS {
            let u = (point as f64 + 0.5) / POINTS as f64;
            let x = own.inverse_cdf(u);
            let below_others: f64 = posteriors
                .iter()
                .enumerate()
                .filter(|&(j, _)| j != i)
                .map(|(_, other)| other.cdf(x))
                .product();
            best_sum += below_others;
            beat_sum += posteriors[0].cdf(x);
        }
        best[i] = best_sum / POINTS as f64;
        if i > 0 {
            beat[i] = Some((beat_sum / POINTS as f64).clamp(0.0, 1.0));
        }
    }
    // Ties have probability zero: the chances sum to 1 up to the integration error.
    let total: f64 = best.iter().sum();
    if total > 0.0 {
        best.iter_mut()
            .for_each(|b| *b = (*b / total).clamp(0.0, 1.0));
    }
    (best, beat)
}

/// The sample-ratio-mismatch check: Pearson's chi-square of people per arm against the shares
/// the weights promise, and its p-value (1 when there is nothing to test: no people, or fewer than
/// two arms with weight). An arm with weight 0 that got people is a certain mismatch (p = 0).
pub fn sample_ratio_p_value(people: &[u64], weights: &[f64]) -> f64 {
    let total: f64 = people.iter().map(|&p| p as f64).sum();
    let weight_sum: f64 = weights.iter().filter(|w| **w > 0.0).sum();
    if total == 0.0 || weight_sum <= 0.0 {
        return 1.0;
    }
    let mut chi = 0.0;
    let mut cells = 0usize;
    for (&observed, &weight) in people.iter().zip(weights) {
        if weight <= 0.0 {
            if observed > 0 {
                return 0.0;
            }
            continue;
        }
        let expected = total * weight / weight_sum;
        chi += (observed as f64 - expected).powi(2) / expected;
        cells += 1;
    }
    if cells < 2 {
        return 1.0;
    }
    let distribution = ChiSquared::new((cells - 1) as f64).expect("at least one degree of freedom");
    distribution.sf(chi).clamp(0.0, 1.0)
}

/// Below this p-value the sample ratio is broken.
pub const SRM_THRESHOLD: f64 = 0.001;

/// The chance of being best that makes an arm the winner.
pub const WIN_PROBABILITY: f64 = 0.95;
