//! Report section of check `trained`: minimal trained widths beside AS-2AND's n* and the
//! bounds, the training curves, and the trained networks' bits against log₂ #instances.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use superposition_schema::checks::trained::{Detail, TrainedPoint, TrainedRecord, TrainedRun};
use superposition_schema::checks::{CheckDetail, CheckId};
use superposition_schema::results::{CheckResult, LineFit, Record, RunResults};

use crate::data;
use crate::format::{fixed, num, percent_interval, pow2};
use crate::page::{FigureOutcomes, figure};
use crate::plot::{Axis, Built, Figure, GREY, INK, Mark, PALETTE, Series, TickStyle};
use crate::stats::median;

/// The check's id.
const ID: CheckId = CheckId::Trained;

/// Stems of the section's figures.
const STEMS: [&str; 3] = ["trained-width", "trained-curves", "trained-bits"];

fn detail(c: &CheckResult) -> Option<&Detail> {
    let CheckDetail::Trained(d) = &c.detail else {
        return None;
    };
    Some(d)
}

fn runs(results: &RunResults) -> impl Iterator<Item = &TrainedRun> {
    results.records.iter().filter_map(|r| match r {
        Record::Trained(TrainedRecord::Run(run)) => Some(run.as_ref()),
        _ => None,
    })
}

fn points(results: &RunResults) -> Vec<&TrainedPoint> {
    data::check(results, ID)
        .and_then(detail)
        .map(|d| d.points.iter().collect())
        .unwrap_or_default()
}

/// Per m′, the median over seeds of `value` of the points of `architecture` that have it.
fn per_size(
    points: &[&TrainedPoint],
    architecture: &str,
    value: impl Fn(&TrainedPoint) -> Option<f64>,
) -> Vec<(f64, f64)> {
    let mut by: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    for p in points.iter().filter(|p| p.architecture == architecture) {
        if let Some(v) = value(p) {
            by.entry(p.m_prime).or_default().push(v);
        }
    }
    by.into_iter()
        .filter_map(|(m, v)| median(&v).map(|v| (m as f64, v)))
        .collect()
}

/// The section's figures, each paired with its stem.
pub(crate) fn figures(results: &RunResults) -> Vec<(&'static str, Built)> {
    vec![
        (STEMS[0], width_figure(results)),
        (STEMS[1], curves_figure(results)),
        (STEMS[2], bits_figure(results)),
    ]
}

/// Neurons against m′: trained tied and free at n* (medians over seeds), AS-2AND at its n*
/// (counted alike: n_in + n + 1), the explicit bound and the two shapes (c = 1).
fn width_figure(results: &RunResults) -> Built {
    data::check(results, ID).ok_or("check `trained` was not run")?;
    let pts = points(results);
    let mut series = Vec::new();
    for (i, name) in ["tied", "free"].iter().enumerate() {
        let line = per_size(&pts, name, |p| p.neurons.map(|n| n as f64));
        if !line.is_empty() {
            series.push(Series::new(
                Some(format!("trained {name}: neurons at n*_trained (median over seeds)")),
                PALETTE[i],
                Mark::LineDots,
                line,
            ));
        }
    }
    if series.is_empty() {
        return Err("no trained network met δ at any width of the grid".into());
    }
    let as2and = per_size(&pts, "tied", |p| Some((2 * p.as2and_n_star + 1) as f64));
    series.push(Series::new(
        Some("AS-2AND: neurons 2·n* + 1 at its n* (and2-upper)".into()),
        INK,
        Mark::LineDots,
        as2and,
    ));
    let bound = per_size(&pts, "tied", |p| Some(p.neuron_bound));
    series.push(Series::new(
        Some("explicit neuron bound at the tied networks' bits/parameter".into()),
        GREY,
        Mark::Dashed,
        bound,
    ));
    series.push(Series::new(
        Some("√(m′·log₂m′) (T2 shape, c = 1)".into()),
        PALETTE[2],
        Mark::Dashed,
        per_size(&pts, "tied", |p| Some(p.shape_lower)),
    ));
    series.push(Series::new(
        Some("√m′·log₂m′ (T3 shape, c = 1)".into()),
        PALETTE[3],
        Mark::Dashed,
        per_size(&pts, "tied", |p| Some(p.shape_upper)),
    ));
    Ok(Figure {
        stem: STEMS[0],
        title: "trained networks: neurons at the minimal width meeting δ, against m′".into(),
        x: Axis::log("m′ (outputs; m = m′ inputs)", TickStyle::PowersOfTwo),
        y: Axis::log("neurons", TickStyle::PowersOfTwo),
        series,
    })
}

/// Loss curves of the run at n* (or the widest run without one) of seed 0 per size and
/// architecture.
fn curves_figure(results: &RunResults) -> Built {
    data::check(results, ID).ok_or("check `trained` was not run")?;
    let pts = points(results);
    let mut chosen: BTreeMap<(String, u64), &TrainedRun> = BTreeMap::new();
    for run in runs(results).filter(|r| r.seed == 0) {
        let key = (run.architecture.clone(), run.m_prime);
        let at_n_star = pts.iter().any(|p| {
            p.architecture == run.architecture && p.m_prime == run.m_prime && p.seed == 0 && p.width == Some(run.width)
        });
        let replace = match chosen.get(&key) {
            None => true,
            Some(old) => at_n_star || (old.width < run.width && !old.meets_delta),
        };
        if replace {
            chosen.insert(key, run);
        }
    }
    if chosen.is_empty() {
        return Err("no training run recorded".into());
    }
    let mut series = Vec::new();
    for (i, ((name, m), run)) in chosen.iter().enumerate() {
        series.push(Series::new(
            Some(format!("{name}, m′ = {}, width {}", pow2(*m as f64), run.width)),
            PALETTE[i % PALETTE.len()],
            if name == "tied" { Mark::LineDots } else { Mark::Dashed },
            run.curve.iter().map(|&(s, l)| (s as f64, l.max(1e-6))).collect(),
        ));
    }
    Ok(Figure {
        stem: STEMS[1],
        title: "training curves: batch loss against step (seed 0, the run at n*_trained)".into(),
        x: Axis::linear("step"),
        y: Axis::log(
            "batch hinge loss (sum over code neurons, mean over samples)",
            TickStyle::Decimal,
        ),
        series,
    })
}

/// Total bits of each network at n* against log₂ #instances, with the line bits = log₂ #instances.
fn bits_figure(results: &RunResults) -> Built {
    data::check(results, ID).ok_or("check `trained` was not run")?;
    let pts = points(results);
    let mut series = Vec::new();
    for (i, name) in ["tied", "free"].iter().enumerate() {
        let xy: Vec<(f64, f64)> = pts
            .iter()
            .filter(|p| p.architecture == *name)
            .filter_map(|p| p.bits.map(|b| (p.log2_instances, b.total_bits)))
            .collect();
        if !xy.is_empty() {
            series.push(Series::new(
                Some(format!("trained {name}: total bits (pruned, quantized) at n*")),
                PALETTE[i],
                Mark::Dots,
                xy,
            ));
        }
    }
    if series.is_empty() {
        return Err("no trained network met δ, so none was quantized".into());
    }
    let (lo, hi) = pts
        .iter()
        .map(|p| p.log2_instances)
        .fold((f64::INFINITY, 0.0f64), |(a, b), x| (a.min(x), b.max(x)));
    series.push(Series::new(
        Some("bits = log₂ #instances (the counting bound)".into()),
        GREY,
        Mark::Dashed,
        vec![(lo, lo), (hi, hi)],
    ));
    Ok(Figure {
        stem: STEMS[2],
        title: "trained networks: description bits against log₂ #instances".into(),
        x: Axis::log("log₂ C(C(m,2), m′)", TickStyle::Decimal),
        y: Axis::log("bits", TickStyle::Decimal),
        series,
    })
}

fn fit_text(f: &Option<LineFit>) -> String {
    f.map_or("no fit (n* at fewer than three sizes)".into(), |f| {
        format!(
            "a = {} [{}, {}] (r² = {})",
            fixed(f.slope, 2),
            fixed(f.slope_lo, 2),
            fixed(f.slope_hi, 2),
            fixed(f.r2, 3)
        )
    })
}

/// The section's Markdown, appended to `s` after the heading.
pub(crate) fn section(s: &mut String, r: &RunResults, c: &CheckResult, figs: &FigureOutcomes) {
    s.push_str(
        "\nOne-hidden-layer ReLU networks trained (hinge loss γ = 0.25 with positives weighted as listed \
         below, AdamW, mixed planted/uniform batches) to compute the seed-s instance of `and2-upper` through AS-2AND's own codes, so the \
         instance lives only in the weights. *Tied*: the hidden layer is the output code (AS-2AND's \
         shape); *free*: a free ReLU layer of width n_h = n, then a linear layer into the output code. \
         The width is searched on a grid of fractions of AS-2AND's n* for the same instance, one \
         training run per point; a width meets δ when the trained network fails at most ⌊δ·samples⌋ of \
         the planted **and** of the uniform selection samples (exact evaluation). Neurons are counted \
         as the harness counts them (n_in + n + 1 tied, n_in + n_h + n + 1 free).\n",
    );
    figure(
        s,
        figs,
        STEMS[0],
        "trained networks' neurons at n*_trained against m′, with AS-2AND and the bounds",
    );
    figure(s, figs, STEMS[1], "training curves: batch loss per step");
    figure(
        s,
        figs,
        STEMS[2],
        "trained networks' total bits against log₂ #instances",
    );
    let Some(d) = detail(c) else {
        crate::page::generic(s, c);
        return;
    };
    s.push_str(
        "\n| arch | m′ | seed | AS-2AND n* | n*_trained | /n* | decided by | neurons | bound | fresh planted | fresh uniform | pruned | bits/w (unpruned) | total bits | /log₂#inst |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for p in &d.points {
        let opt = |v: Option<usize>| v.map_or("—".to_string(), |v| v.to_string());
        let rate =
            |f: &Option<superposition_schema::results::FailureRate>| f.as_ref().map_or("—".into(), percent_interval);
        let (pruned, bits, total, factor) =
            p.bits.map_or(("—".into(), "—".into(), "—".into(), "—".into()), |b| {
                (
                    fixed(b.prune_fraction, 3),
                    format!("{} ({})", b.bits_per_weight, b.bits_unpruned),
                    num(b.total_bits),
                    fixed(b.factor, 2),
                )
            });
        let _ = writeln!(
            s,
            "| {} | {} | {} | {}{} | {} | {} | {} | {} | {} | {} | {} | {pruned} | {bits} | {total} | {factor} |",
            p.architecture,
            pow2(p.m_prime as f64),
            p.seed,
            p.as2and_n_star,
            if p.as2and_measured { "" } else { " (fallback)" },
            opt(p.width),
            p.fraction.map_or("none ≤ max".to_string(), |f| fixed(f, 3)),
            p.decided_by,
            opt(p.neurons),
            num(p.neuron_bound),
            rate(&p.fresh_planted),
            rate(&p.fresh_uniform),
        );
    }
    let ratio = |r: Option<f64>| r.map_or("—".to_string(), |r| fixed(r, 2));
    let _ = writeln!(
        s,
        "\nBits ∝ (m′·log₂m′)^a, fitted over the networks at n* (case-resampling bootstrap, 95 %): \
         tied {}; free {}. Median n*_trained / AS-2AND n*: tied {}, free {} (below 1: training beats the \
         construction in width at this budget). Networks without a width meeting δ on the grid: {} \
         (left out of the fit). Invariant violations (neurons below the bound or bits below \
         log₂ #instances): {}.",
        fit_text(&d.bits_fit),
        fit_text(&d.free_bits_fit),
        ratio(d.tied_ratio),
        ratio(d.free_ratio),
        d.without_n_star,
        d.invariant_violations
    );
    let factors = per_size(&d.points.iter().collect::<Vec<_>>(), "tied", |p| {
        p.bits.map(|b| b.factor)
    });
    if let (Some(first), Some(last)) = (factors.first(), factors.last()) {
        let _ = write!(
            s,
            "\n*Reading.* The tied networks' total bits over log₂ #instances (median over seeds) went \
             from {} at m′ = {} to {} at m′ = {}.",
            fixed(first.1, 1),
            pow2(first.0),
            fixed(last.1, 1),
            pow2(last.0)
        );
        if d.bits_fit.is_some_and(|f| f.slope_hi < 1.0) {
            s.push_str(
                " Bits can never fall below log₂ #instances, which grows like m′·log₂m′, so an \
                 exponent a below 1 can only hold while this factor is far above 1: the measured range \
                 is before the asymptote, where a trained network's dense weights (about n² of them at \
                 a few bits) grow with its width, not with the number of features it computes.",
            );
        }
        s.push('\n');
    }
    let steps: BTreeMap<(String, u64), (u64, f64)> = runs(r)
        .map(|run| {
            (
                (run.architecture.clone(), run.m_prime),
                (run.steps, run.positive_weight),
            )
        })
        .collect();
    if !steps.is_empty() {
        let list: Vec<String> = steps
            .iter()
            .map(|((a, m), (st, w))| format!("{a} {}: {st} (positives ×{})", pow2(*m as f64), num(*w)))
            .collect();
        let _ = writeln!(
            s,
            "\nSteps per run and the weight of the positive hinge terms (steps grow with m′ so each output \
             is planted about equally often): {}.{} \
             A larger budget may find smaller widths: n*_trained is the minimal width *at this budget*.",
            list.join(", "),
            batches(r)
        );
    }
}

/// " Batch B and learning rate: …" from the run's configuration (the fields it holds; empty
/// for a file without them).
fn batches(r: &RunResults) -> String {
    let t = &r.config.extra["trained"];
    let part = |name: &str, batch: &str, lr: &str| {
        let b = t[batch].as_u64()?;
        let lr = t[lr].as_f64()?;
        Some(format!("{name} B = {b}, lr {}", num(lr)))
    };
    let parts: Vec<String> = [part("tied", "batch", "tied_lr"), part("free", "free_batch", "free_lr")]
        .into_iter()
        .flatten()
        .collect();
    if parts.is_empty() {
        String::new()
    } else {
        format!(" Batch and AdamW learning rate: {}.", parts.join("; "))
    }
}
