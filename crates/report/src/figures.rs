//! The report's figures, built from a [`RunResults`] as [`Figure`] descriptions.
//!
//! Each builder returns `Err(reason)` instead of a figure when the data cannot make a
//! meaningful plot (check not run, no records, a single size); the reason is printed in the
//! Markdown where the plot would have been.

use superposition_schema::checks::CheckDetail;
use superposition_schema::results::{LineFit, RunResults};

use crate::data::{self, PerSize};
use crate::format::{fixed, num, pow2};
use crate::plot::{Axis, Figure, GREY, INK, Mark, PALETTE, Series, TickStyle};
use crate::stats::fit_constant_log;
pub(crate) use superposition_schema::theory::{
    capacity_lower_shape, capacity_upper_shape, lower_shape, parameter_lower_shape as params_lower_shape,
    parameter_shape as params_upper_shape, upper_shape,
};

pub(crate) use crate::plot::Built;

/// Stems of every figure the report can contain, in report order.
pub(crate) const STEMS: [&str; 8] = [
    "and2-width",
    "and2-transition",
    "and2-params",
    "representation-width",
    "gap",
    "capacity",
    "chernoff",
    "description-length",
];

/// Stem of the bench-compare figure (not part of a run's report).
pub(crate) const PERFORMANCE_STEM: &str = "performance";

/// `performance`: verified outputs per second of each path against m′, log-log.
pub(crate) fn performance(points: &[crate::PerformancePoint]) -> Built {
    if points.is_empty() {
        return Err("bench-compare measured no size".into());
    }
    let path = |f: &dyn Fn(&crate::PerformancePoint) -> Option<f64>| -> Vec<(f64, f64)> {
        points
            .iter()
            .filter_map(|p| Some((p.m_prime as f64, f(p).filter(|v| *v > 0.0)?)))
            .collect()
    };
    let mut series = Vec::new();
    for (label, color, pts) in [
        (
            "Rust: exact sublinear verification",
            INK,
            path(&|p| Some(p.rust_outputs_per_s)),
        ),
        (
            "naive dense path (faer GEMM)",
            PALETTE[1],
            path(&|p| p.dense_outputs_per_s),
        ),
        ("NumPy/SciPy baseline", PALETTE[2], path(&|p| p.numpy_outputs_per_s)),
    ] {
        if !pts.is_empty() {
            series.push(Series::new(Some(label.into()), color, Mark::LineDots, pts));
        }
    }
    Ok(Figure {
        stem: PERFORMANCE_STEM,
        title: "Verified outputs per second (samples × m′ / s), one run".into(),
        x: Axis::log("m′ (pairwise ANDs verified per sample)", TickStyle::PowersOfTwo),
        y: Axis::log("verified outputs per second", TickStyle::Decimal),
        series,
    })
}

/// `n` values spaced evenly in log between lo and hi (for drawing smooth curves).
fn log_space(lo: f64, hi: f64, n: usize) -> Vec<f64> {
    let steps = n.max(2) - 1;
    (0..=steps)
        .map(|i| (lo.ln() + (hi / lo).ln() * i as f64 / steps as f64).exp())
        .collect()
}

/// Why a size-scaling plot cannot be drawn, if it cannot.
fn need_two_sizes(sizes: usize, what: &str) -> Result<(), String> {
    if sizes >= 2 {
        Ok(())
    } else {
        Err(format!(
            "a scaling plot needs at least two sizes {what}; this run has {sizes}, so there is no trend to show"
        ))
    }
}

/// Per-seed dots and a median line for per-size values; x mapped by `x_of`.
fn seeds_and_median(
    groups: &[PerSize],
    x_of: impl Fn(u64) -> f64,
    what: &str,
    median_color: plotters::style::RGBColor,
) -> Vec<Series> {
    let seeds = groups.iter().map(|g| g.values.len()).max().unwrap_or(0);
    let dots: Vec<(f64, f64)> = groups
        .iter()
        .flat_map(|g| g.values.iter().map(|&v| (x_of(g.size), v)))
        .collect();
    let medians: Vec<(f64, f64)> = groups
        .iter()
        .filter_map(|g| Some((x_of(g.size), g.median()?)))
        .collect();
    let mut out = Vec::new();
    if seeds > 1 {
        out.push(Series::new(
            Some(format!("{what} per seed ({seeds} seeds)")),
            GREY,
            Mark::Dots,
            dots,
        ));
        out.push(Series::new(
            Some(format!("median {what} over seeds")),
            median_color,
            Mark::LineDots,
            medians,
        ));
    } else {
        out.push(Series::new(
            Some(what.to_string()),
            median_color,
            Mark::LineDots,
            medians,
        ));
    }
    out
}

/// The power law exp(intercept)·x^slope of a log-log fit, over `xs`, with its label.
fn power_law(fit: &LineFit, lo: f64, hi: f64, lhs: &str, color: plotters::style::RGBColor) -> Series {
    let pts = log_space(lo, hi, 40)
        .into_iter()
        .map(|m| (m, (fit.intercept + fit.slope * m.ln()).exp()))
        .collect();
    let label = format!(
        "fit: {lhs} ∝ m′^{} [{}, {}] (95 % bootstrap)",
        fixed(fit.slope, 3),
        fixed(fit.slope_lo, 3),
        fixed(fit.slope_hi, 3)
    );
    Series::new(Some(label), color, Mark::Line, pts)
}

/// c·shape(m′) with c fitted in log space to `medians`, labelled with c.
fn fitted_shape(
    medians: &[(f64, f64)],
    lo: f64,
    hi: f64,
    shape: fn(f64) -> f64,
    name: &str,
    color: plotters::style::RGBColor,
) -> Option<Series> {
    let c = fit_constant_log(medians, shape)?;
    let pts = log_space(lo, hi, 40).into_iter().map(|m| (m, c * shape(m))).collect();
    Some(Series::new(
        Some(format!("{name}, c = {} (fitted)", num(c))),
        color,
        Mark::Dashed,
        pts,
    ))
}

/// Medians (size, value) of per-size groups, falling back to `fallback` when there are no
/// records.
fn medians_or(groups: &[PerSize], fallback: Vec<(f64, f64)>) -> Vec<(f64, f64)> {
    let from_records: Vec<(f64, f64)> = groups
        .iter()
        .filter_map(|g| Some((g.size as f64, g.median()?)))
        .collect();
    if from_records.is_empty() {
        fallback
    } else {
        from_records
    }
}

/// Range of x over (x, y) points.
fn x_span(points: &[(f64, f64)]) -> (f64, f64) {
    let lo = points.iter().map(|p| p.0).fold(f64::INFINITY, f64::min);
    let hi = points.iter().map(|p| p.0).fold(f64::NEG_INFINITY, f64::max);
    (lo, hi)
}

/// `and2-width`: n* against m′, log-log, with fit and the two theory shapes.
pub(crate) fn and2_width(results: &RunResults) -> Built {
    let check = data::check(results, data::AND2_UPPER).ok_or("check `and2-upper` was not run")?;
    let (main, other) = data::and2_widths(results);
    let constants = data::and2_constants(check);
    let fallback = constants
        .iter()
        .filter_map(|c| Some((c.m_prime? as f64, c.n_star?)))
        .collect();
    let medians = medians_or(&main, fallback);
    need_two_sizes(medians.len(), "m′")?;
    let (lo, hi) = x_span(&medians);

    let mut series = if main.is_empty() {
        vec![Series::new(
            Some("median n* over seeds".into()),
            INK,
            Mark::LineDots,
            medians.clone(),
        )]
    } else {
        seeds_and_median(&main, |m| m as f64, "n* (planted inputs)", INK)
    };
    if let CheckDetail::And2Upper(d) = &check.detail {
        let uniform: Vec<(f64, f64)> = d
            .validation
            .iter()
            .filter_map(|v| Some((v.m_prime as f64, v.n_star_uniform?)))
            .collect();
        if !uniform.is_empty() {
            series.push(Series::new(
                Some("median n* over seeds, uniform inputs".into()),
                PALETTE[4],
                Mark::LineDots,
                uniform,
            ));
        }
    }
    if !other.is_empty() {
        let pts = other
            .iter()
            .filter_map(|g| Some((g.size as f64, g.median()?)))
            .collect();
        series.push(Series::new(
            Some("median n* without centering (planted inputs)".into()),
            PALETTE[6],
            Mark::LineDots,
            pts,
        ));
    }
    if let Some(fit) = data::fit(check, data::Fit::Main) {
        series.push(power_law(&fit, lo, hi, "n*", PALETTE[0]));
    }
    series.extend(fitted_shape(
        &medians,
        lo,
        hi,
        lower_shape,
        "c·√(m′·log₂m′): T2 lower-bound shape",
        PALETTE[1],
    ));
    series.extend(fitted_shape(
        &medians,
        lo,
        hi,
        upper_shape,
        "c·√m′·log₂m′: T3 upper-bound shape",
        PALETTE[2],
    ));
    Ok(Figure {
        stem: STEMS[0],
        title: format!(
            "AS-2AND: minimal hidden width n* at failure ≤ δ = {}",
            num(data::delta(results, Some(check)))
        ),
        x: Axis::log("m′ (pairwise ANDs computed)", TickStyle::PowersOfTwo),
        y: Axis::log("n* (hidden neurons)", TickStyle::Decimal),
        series,
    })
}

/// `and2-transition`: pooled failure rate against hidden width, one series per m′.
pub(crate) fn and2_transition(results: &RunResults) -> Built {
    let sweeps: Vec<data::Sweep> = data::and2_sweeps(results)
        .into_iter()
        .filter(|s| !s.rates().is_empty())
        .collect();
    if sweeps.is_empty() {
        return Err("the results hold no failure-vs-width sweep (`And2Probe` records with purpose \"sweep\")".into());
    }
    let mixed = sweeps.iter().any(|s| s.centering) && sweeps.iter().any(|s| !s.centering);
    let mut series = Vec::new();
    let (mut lo, mut hi) = (f64::INFINITY, f64::NEG_INFINITY);
    for (i, sweep) in sweeps.iter().enumerate() {
        let rates = sweep.rates();
        let mut label = format!("m′ = {}", pow2(sweep.m_prime as f64));
        if mixed && !sweep.centering {
            label.push_str(" (no centering)");
        }
        let mut s = Series::new(
            Some(label),
            PALETTE[i % 6],
            Mark::LineDots,
            rates.iter().map(|r| (r.0, r.1)).collect(),
        );
        s.error_bars = rates.iter().map(|r| (r.0, r.2, r.3)).collect();
        for r in &rates {
            lo = lo.min(r.0);
            hi = hi.max(r.0);
        }
        series.push(s);
    }
    let delta = data::delta(results, data::check(results, data::AND2_UPPER));
    series.push(Series::new(
        Some(format!("δ = {} (target failure)", num(delta))),
        INK,
        Mark::Dashed,
        vec![(lo, delta), (hi, delta)],
    ));
    let x = if hi > 4.0 * lo {
        Axis::log("hidden width n (neurons)", TickStyle::Decimal)
    } else {
        Axis::linear("hidden width n (neurons)")
    };
    Ok(Figure {
        stem: STEMS[1],
        title: "AS-2AND: sample failure rate against hidden width (seeds pooled), planted inputs".into(),
        x,
        y: Axis::linear("failure rate (any output wrong), Wilson 95 % bars").with_range(-0.02, 1.02),
        series,
    })
}

/// `and2-params`: p* against m′ with the parameter-count shapes.
pub(crate) fn and2_params(results: &RunResults) -> Built {
    let check = data::check(results, data::AND2_UPPER).ok_or("check `and2-upper` was not run")?;
    let groups = data::and2_params(results);
    let fallback = data::and2_constants(check)
        .iter()
        .filter_map(|c| Some((c.m_prime? as f64, c.p_star?)))
        .collect();
    let medians = medians_or(&groups, fallback);
    need_two_sizes(medians.len(), "m′")?;
    let (lo, hi) = x_span(&medians);
    let mut series = if groups.is_empty() {
        vec![Series::new(
            Some("median p* over seeds".into()),
            INK,
            Mark::LineDots,
            medians.clone(),
        )]
    } else {
        seeds_and_median(&groups, |m| m as f64, "p*", INK)
    };
    if let Some(fit) = data::fit(check, data::Fit::Params) {
        series.push(power_law(&fit, lo, hi, "p*", PALETTE[0]));
    }
    series.extend(fitted_shape(
        &medians,
        lo,
        hi,
        params_lower_shape,
        "c·m′·log₂m′: T1 lower-bound shape",
        PALETTE[1],
    ));
    series.extend(fitted_shape(
        &medians,
        lo,
        hi,
        params_upper_shape,
        "c·m′·log₂²m′: T3 parameter shape",
        PALETTE[2],
    ));
    Ok(Figure {
        stem: STEMS[2],
        title: "AS-2AND: parameters p* (nonzero weights + biases) at n*".into(),
        x: Axis::log("m′ (pairwise ANDs computed)", TickStyle::PowersOfTwo),
        y: Axis::log("p* (parameters)", TickStyle::Decimal),
        series,
    })
}

/// `representation-width`: d* against log₂ m, linear axes, with the Bloom bound.
pub(crate) fn representation_width(results: &RunResults) -> Built {
    let check = data::check(results, data::REPRESENTATION).ok_or("check `representation` was not run")?;
    let (groups, _) = data::representation_widths(results);
    if groups.is_empty() {
        return Err("the results hold no `RepresentationMinWidth` records".into());
    }
    need_two_sizes(groups.len(), "m")?;
    let log2 = |m: u64| (m as f64).log2();
    let (lo, hi) = (log2(groups[0].size), log2(groups[groups.len() - 1].size));
    let mut series = seeds_and_median(&groups, log2, "d*", INK);
    if let Some(fit) = data::fit(check, data::Fit::Main) {
        let label = format!(
            "fit: d* = {} + {}·log₂ m, slope [{}, {}], R² = {}",
            num(fit.intercept),
            num(fit.slope),
            num(fit.slope_lo),
            num(fit.slope_hi),
            fixed(fit.r2, 3)
        );
        let pts = [lo, hi].iter().map(|&x| (x, fit.intercept + fit.slope * x)).collect();
        series.push(Series::new(Some(label), PALETTE[0], Mark::Line, pts));
    }
    let delta = data::delta(results, Some(check));
    let k = results.config.k as f64;
    if k > 0.0 && delta > 0.0 && delta < 1.0 {
        let pts = [lo, hi].iter().map(|&x| (x, 1.44 * k * (x - delta.log2()))).collect();
        let label = format!("Bloom bound 1.44·k·log₂(m/δ), k = {}, δ = {}", num(k), num(delta));
        series.push(Series::new(Some(label), PALETTE[1], Mark::Dashed, pts));
    }
    Ok(Figure {
        stem: STEMS[3],
        title: format!("Representation R: minimal width d* at failure ≤ δ = {}", num(delta)),
        x: Axis::linear("log₂ m (m = features represented)"),
        y: Axis::linear("d* (representation neurons)"),
        series,
    })
}

/// `gap`: d* and n* against m′ on one log-log plot.
pub(crate) fn gap(results: &RunResults) -> Built {
    let points = data::gap_points(results);
    if points.is_empty() {
        return Err("no size has both a representation width d* and a computing width n*".into());
    }
    need_two_sizes(points.len(), "m′")?;
    let n = points.iter().map(|p| (p.m_prime as f64, p.n_star)).collect();
    let d = points.iter().map(|p| (p.m_prime as f64, p.d_star)).collect();
    let title = match data::check(results, data::GAP).and_then(|c| data::fit(c, data::Fit::Main)) {
        Some(fit) => format!(
            "Computing vs representing: n*/d* ∝ m′^{} [{}, {}]",
            fixed(fit.slope, 3),
            fixed(fit.slope_lo, 3),
            fixed(fit.slope_hi, 3)
        ),
        None => "Computing vs representing m′ features".into(),
    };
    Ok(Figure {
        stem: STEMS[4],
        title,
        x: Axis::log("m′ (features represented = ANDs computed)", TickStyle::PowersOfTwo),
        y: Axis::log("width (neurons)", TickStyle::Decimal),
        series: vec![
            Series::new(
                Some("n*(m′): hidden width to compute m′ ANDs (T2/T3)".into()),
                PALETTE[1],
                Mark::LineDots,
                n,
            ),
            Series::new(
                Some("d*(m′): width to represent m′ features (R1)".into()),
                PALETTE[0],
                Mark::LineDots,
                d,
            ),
        ],
    })
}

/// Log tick style for sizes: powers of two when every size is one.
fn size_ticks(sizes: impl IntoIterator<Item = u64>) -> TickStyle {
    if sizes.into_iter().all(u64::is_power_of_two) {
        TickStyle::PowersOfTwo
    } else {
        TickStyle::Decimal
    }
}

/// `capacity`: m′_max against n, log-log, with the two capacity shapes and the counting
/// capacity of the network's parameter bits.
pub(crate) fn capacity(results: &RunResults) -> Built {
    let check = data::check(results, data::CAPACITY).ok_or("check `capacity` was not run")?;
    let points = data::capacity_points(results);
    if points.is_empty() {
        return Err("the results hold no `Capacity` records and no `capacity.detail.points`".into());
    }
    let groups = data::capacity_groups(&points, |p| p.m_max);
    if groups.is_empty() {
        return Err("no width found any m′ passing at failure ≤ δ (m′_max = 0 everywhere)".into());
    }
    need_two_sizes(groups.len(), "n with m′_max > 0")?;
    let (lo, hi) = (groups[0].size as f64, groups[groups.len() - 1].size as f64);
    let mut series = seeds_and_median(&groups, |n| n as f64, "m′_max", INK);
    let (c_lower, c_upper) = match &check.detail {
        CheckDetail::Capacity(d) => (d.c_lower_shape, d.c_upper_shape),
        _ => (None, None),
    };
    let medians: Vec<(f64, f64)> = groups
        .iter()
        .filter_map(|g| Some((g.size as f64, g.median()?)))
        .collect();
    for (recorded, shape, name, color) in [
        (
            c_lower,
            capacity_lower_shape as fn(f64) -> f64,
            "n²/log₂²n: T3's achieved shape",
            PALETTE[2],
        ),
        (
            c_upper,
            capacity_upper_shape,
            "n²/log₂n: C1's upper-bound shape",
            PALETTE[1],
        ),
    ] {
        // The check's least-squares constant if recorded, else one fitted here in log space.
        let (c, how) = match recorded.filter(|c| c.is_finite() && *c > 0.0) {
            Some(c) => (Some(c), "from the check"),
            None => (fit_constant_log(&medians, shape), "fitted here"),
        };
        if let Some(c) = c {
            let pts = log_space(lo, hi, 40).into_iter().map(|n| (n, c * shape(n))).collect();
            series.push(Series::new(
                Some(format!("c·{name}, c = {} ({how})", num(c))),
                color,
                Mark::Dashed,
                pts,
            ));
        }
    }
    let counting = data::capacity_groups(&points, |p| p.counting);
    if !counting.is_empty() {
        let pts = counting
            .iter()
            .filter_map(|g| Some((g.size as f64, g.median()?)))
            .collect();
        series.push(Series::new(
            Some("counting capacity of the network's parameter bits (median)".into()),
            PALETTE[3],
            Mark::LineDots,
            pts,
        ));
    }
    Ok(Figure {
        stem: STEMS[5],
        title: format!(
            "Capacity C1: largest m′ computed at failure ≤ δ = {}",
            num(data::delta(results, Some(check)))
        ),
        x: Axis::log(
            "n (hidden width = input width)",
            size_ticks(groups.iter().map(|g| g.size)),
        ),
        y: Axis::log("m′_max (pairwise ANDs computed)", TickStyle::Decimal),
        series,
    })
}

/// Smallest value drawn on the log axes of the Chernoff plot (bounds and rates below it are
/// drawn at it).
const CHERNOFF_FLOOR: f64 = 1e-6;

/// `chernoff`: measured failure rate against the analytic bound, log-log, with y = x.
pub(crate) fn chernoff(results: &RunResults) -> Built {
    data::check(results, data::CHERNOFF).ok_or("check `chernoff` was not run")?;
    let points = data::chernoff_points(results);
    if points.is_empty() {
        return Err("the results hold no `Chernoff` records".into());
    }
    // Zero-failure rates cannot sit on a log axis: they are drawn at ½/samples (below any
    // measurable rate) as open circles.
    let y_of = |p: &data::ChernoffPoint| {
        if p.failures == 0 {
            0.5 / p.samples.max(1) as f64
        } else {
            p.rate
        }
    };
    let x_of = |p: &data::ChernoffPoint| p.bound.max(CHERNOFF_FLOOR);
    let mut sources: Vec<&str> = points.iter().map(|p| p.source.as_str()).collect();
    sources.sort_unstable();
    sources.dedup();
    let mut series = Vec::new();
    for (i, source) in sources.iter().enumerate() {
        let color = PALETTE[i % 6];
        let of = |zero: bool| -> Vec<(f64, f64)> {
            points
                .iter()
                .filter(|p| p.source == *source && (p.failures == 0) == zero)
                .map(|p| (x_of(p), y_of(p).max(CHERNOFF_FLOOR)))
                .collect()
        };
        let (hit, zero) = (of(false), of(true));
        let label = format!("{source} ({} rates)", hit.len() + zero.len());
        // One legend entry per source; the open-circle convention gets its own entry below.
        let (hit_label, zero_label) = if hit.is_empty() {
            (None, Some(label))
        } else {
            (Some(label), None)
        };
        if !hit.is_empty() {
            series.push(Series::new(hit_label, color, Mark::Filled, hit));
        }
        if !zero.is_empty() {
            series.push(Series::new(zero_label, color, Mark::Dots, zero));
        }
    }
    if points.iter().any(|p| p.failures == 0) {
        series.push(Series::new(
            Some("open: no failures, drawn at ½/samples".into()),
            GREY,
            Mark::Dots,
            Vec::new(),
        ));
    }
    let clamped = points.iter().any(|p| p.bound < CHERNOFF_FLOOR);
    let xs = points.iter().map(x_of);
    let ys = points.iter().map(|p| y_of(p).max(CHERNOFF_FLOOR));
    let lo = xs.clone().chain(ys.clone()).fold(f64::INFINITY, f64::min);
    let hi = xs.fold(1.0f64, f64::max);
    let y_hi = ys.fold(1.0f64, f64::max);
    let diag_hi = hi.min(y_hi).max(lo * 10.0);
    series.push(Series::new(
        Some("measured = bound (above it: bound refuted)".into()),
        INK,
        Mark::Dashed,
        vec![(lo, lo), (diag_hi, diag_hi)],
    ));
    if hi > 1.0 {
        series.push(Series::new(
            Some("bound = 1 (vacuous to the right)".into()),
            GREY,
            Mark::Dashed,
            vec![(1.0, lo), (1.0, y_hi)],
        ));
    }
    Ok(Figure {
        stem: STEMS[6],
        title: "AS-2AND: measured failure rate against the analytic (Chernoff + union) bound".into(),
        x: Axis::log(
            if clamped {
                "analytic bound on the per-sample failure (bounds below 10⁻⁶ drawn at 10⁻⁶)"
            } else {
                "analytic bound on the per-sample failure"
            },
            TickStyle::Decimal,
        ),
        y: Axis::log("measured failure rate", TickStyle::Decimal),
        series,
    })
}

/// `description-length`: description size over log₂ #instances against m′.
pub(crate) fn description_length(results: &RunResults) -> Built {
    data::check(results, data::DESCRIPTION_LENGTH).ok_or("check `description-length` was not run")?;
    let points = data::description_points(results);
    if points.is_empty() {
        return Err("the results hold no `DescriptionLength` records and no `detail.points`".into());
    }
    let bits = data::group_sizes(points.iter().map(|p| (p.m_prime, p.factor_bits())));
    let entropy = data::group_sizes(points.iter().map(|p| (p.m_prime, p.factor_entropy())));
    need_two_sizes(bits.len(), "m′")?;
    let (lo, hi) = (bits[0].size as f64, bits[bits.len() - 1].size as f64);
    let mut series = seeds_and_median(&bits, |m| m as f64, "(parameters × bits) / log₂ #instances", PALETTE[0]);
    series.extend(seeds_and_median(
        &entropy,
        |m| m as f64,
        "entropy-coded bits / log₂ #instances",
        PALETTE[1],
    ));
    series.push(Series::new(
        Some("1: T1's minimum (below it a description could not identify the instance)".into()),
        INK,
        Mark::Dashed,
        vec![(lo, 1.0), (hi, 1.0)],
    ));
    let top = points
        .iter()
        .map(|p| p.factor_bits().max(p.factor_entropy()))
        .filter(|v| v.is_finite())
        .fold(1.0f64, f64::max);
    Ok(Figure {
        stem: STEMS[7],
        title: "Description length of AS-2AND at n* over the counting minimum".into(),
        x: Axis::log("m′ (pairwise ANDs computed)", size_ticks(bits.iter().map(|g| g.size))),
        y: Axis::linear("bits / log₂ #instances (factor above the minimum)").with_range(0.0, top * 1.08),
        series,
    })
}
