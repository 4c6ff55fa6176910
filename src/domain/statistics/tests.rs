//! Reference values were computed independently of statrs, in Python 3's standard library
//! (`statistics.NormalDist` for the normal distribution, `math.lgamma`/`math.erfc`/`math.exp`
//! for the rest), from the textbook formulas named with each test; the script is quoted in each
//! comment so the figures can be recomputed by hand.

use super::*;

fn counts(converters: u64, people: u64) -> Counts {
    Counts { people, converters }
}

fn close(actual: f64, expected: f64, tolerance: f64) {
    assert!(
        (actual - expected).abs() <= tolerance,
        "{actual} is not within {tolerance} of {expected}"
    );
}

#[test]
fn the_95_quantile_is_the_normal_one() {
    // NormalDist().inv_cdf(0.975)
    close(z95(), 1.959_963_984_540_053_6, 1e-9);
}

#[test]
fn wilson_intervals_match_the_score_formula() {
    // p=c/n; d=1+z²/n; centre=(p+z²/2n)/d; half=z·sqrt(p(1-p)/n+z²/4n²)/d
    let (low, high) = wilson(counts(20, 100));
    close(low, 0.133_366_933_331_032_5, 1e-9);
    close(high, 0.288_829_165_593_158_85, 1e-9);
    let (low, high) = wilson(counts(0, 50));
    close(low, 0.0, 1e-12);
    close(high, 0.071_347_599_133_358_68, 1e-9);
    let (low, high) = wilson(counts(50, 50));
    close(low, 0.928_652_400_866_641_4, 1e-9);
    close(high, 1.0, 1e-12);
    assert_eq!(wilson(counts(0, 0)), (0.0, 1.0));
}

#[test]
fn uplift_uses_the_delta_method_on_the_log_ratio() {
    // lr=ln(p1/p0); se=sqrt((1-p1)/c1+(1-p0)/c0); exp(lr±z·se)-1, for 120/1000 against 100/1000
    let (point, low, high) = uplift(counts(120, 1000), counts(100, 1000)).unwrap();
    close(point, 0.2, 1e-12);
    close(low, -0.065_894_248_937_006_13, 1e-9);
    close(high, 0.541_581_344_897_307_9, 1e-9);
}

#[test]
fn uplift_is_absent_over_a_control_that_never_converts_and_defined_for_an_arm_that_never_does() {
    assert_eq!(uplift(counts(5, 100), counts(0, 100)), None);
    assert_eq!(uplift(counts(0, 0), counts(5, 100)), None);
    let (point, low, high) = uplift(counts(0, 100), counts(10, 100)).unwrap();
    assert_eq!(point, -1.0);
    assert!(low.is_finite() && high.is_finite() && low < high && low > -1.0);
    let (point, low, high) = uplift(counts(100, 100), counts(100, 100)).unwrap();
    assert_eq!((point, low, high), (0.0, 0.0, 0.0));
}

#[test]
fn p_values_come_from_the_pooled_two_proportion_z_test() {
    // p=(c1+c0)/(n1+n0); se=sqrt(p(1-p)(1/n1+1/n0)); 2·(1-Φ(|p1-p0|/se))
    let p = two_proportion_p_value(counts(120, 1000), counts(100, 1000)).unwrap();
    close(p, 0.152_917_781_863_946_22, 1e-9);
    assert_eq!(
        two_proportion_p_value(counts(0, 10), counts(0, 10)),
        Some(1.0)
    );
    assert_eq!(
        two_proportion_p_value(counts(10, 10), counts(10, 10)),
        Some(1.0)
    );
    assert_eq!(two_proportion_p_value(counts(1, 10), counts(0, 0)), None);
}

#[test]
fn probability_to_beat_the_control_matches_the_closed_form() {
    // Evan Miller's closed form for integer shapes: Σ_{i<αB} B(αA+i, βA+βB) /
    // ((βB+i)·B(1+i, βB)·B(αA, βA)), with B from math.lgamma.
    let (_, beat) = bayesian(&[counts(100, 1000), counts(120, 1000)]);
    assert_eq!(beat[0], None);
    close(beat[1].unwrap(), 0.923_183_438_973_191_7, 0.001);
    let (best, beat) = bayesian(&[counts(10, 100), counts(12, 100)]);
    close(beat[1].unwrap(), 0.670_720_465_212_067_5, 0.001);
    // With two arms, the better one is best exactly when it beats the other.
    close(best[1], 0.670_720_465_212_067_5, 0.001);
    close(best[0] + best[1], 1.0, 1e-9);
}

#[test]
fn probability_best_matches_a_monte_carlo_reference() {
    // random.seed(7); 400,000 draws of random.betavariate per arm, the largest counted:
    // [0.046055, 0.7252575, 0.2286875] (standard error under 0.0008)
    let (best, _) = bayesian(&[counts(100, 1000), counts(120, 1000), counts(110, 1000)]);
    close(best[0], 0.046_055, 0.003);
    close(best[1], 0.725_257_5, 0.003);
    close(best[2], 0.228_687_5, 0.003);
}

#[test]
fn bayesian_figures_are_defined_without_people_and_for_a_single_arm() {
    let (best, beat) = bayesian(&[counts(0, 0), counts(0, 0)]);
    close(best[0], 0.5, 0.001);
    close(beat[1].unwrap(), 0.5, 0.001);
    let (best, beat) = bayesian(&[counts(7, 7), counts(0, 7)]);
    assert!(best[0] > 0.99 && beat[1].unwrap() < 0.01);
    let (best, beat) = bayesian(&[counts(3, 40)]);
    assert_eq!((best, beat), (vec![1.0], vec![None]));
    let (best, beat) = bayesian(&[counts(50_000, 1_000_000), counts(50_500, 1_000_000)]);
    assert!(best
        .iter()
        .chain(beat.iter().flatten())
        .all(|p| p.is_finite()));
    assert_eq!(bayesian(&[]), (vec![], vec![]));
}

#[test]
fn sample_ratio_mismatch_is_pearsons_chi_square() {
    // χ² = Σ (o-e)²/e; one degree of freedom: p = erfc(sqrt(χ²/2)); two: p = exp(-χ²/2)
    close(
        sample_ratio_p_value(&[5000, 5200], &[50.0, 50.0]),
        0.047_670_380_656_161_03,
        1e-9,
    );
    close(
        sample_ratio_p_value(&[1000, 1000, 1100], &[20.0, 20.0, 20.0]),
        0.039_723_733_386_441_03,
        1e-9,
    );
    assert_eq!(sample_ratio_p_value(&[0, 0], &[50.0, 50.0]), 1.0);
    assert_eq!(sample_ratio_p_value(&[10, 0], &[50.0, 0.0]), 1.0);
    assert_eq!(sample_ratio_p_value(&[10, 1], &[50.0, 0.0]), 0.0);
    assert!(sample_ratio_p_value(&[1000, 2000], &[50.0, 50.0]) < SRM_THRESHOLD);
}
