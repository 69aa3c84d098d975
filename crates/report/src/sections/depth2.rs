//! Report section of check `depth-2`: two AS-2AND layers composed, with and without the
//! intermediate threshold.

use std::fmt::Write as _;

use superposition_schema::checks::CheckDetail;
use superposition_schema::checks::depth2::{Depth2Grid, Depth2Record};
use superposition_schema::results::{CheckResult, FailureRate, Record, RunResults};

use crate::format::{fixed, pow2};
use crate::page::FigureOutcomes;
use crate::plot::Built;
use crate::plot::{Axis, Figure, GREY, Mark, PALETTE, Series};

/// Stems of the section's figures.
const STEMS: [&str; 2] = ["depth-2-4and", "depth-2-andor"];

/// One grid point, flattened from its record.
struct Point {
    circuit: String,
    m_prime: u64,
    f1: f64,
    f2: f64,
    n1: usize,
    n2: usize,
    layer1: f64,
    ideal: f64,
    threshold: f64,
    raw: f64,
    threshold_layer2: f64,
    predicted: f64,
    gates_on: f64,
    neurons: usize,
    n_star: usize,
    measured: bool,
}

fn points(results: &RunResults) -> Vec<Point> {
    results
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Depth2(Depth2Record::Grid(g)) => {
                let Depth2Grid {
                    circuit,
                    m_prime,
                    layer1_factor,
                    layer2_factor,
                    layer1_width,
                    layer2_width,
                    layer1,
                    ideal,
                    threshold,
                    raw,
                    threshold_layer2,
                    predicted,
                    mean_gates_on,
                    total_neurons,
                    n_star,
                    n_star_measured,
                    ..
                } = g.as_ref();
                Some(Point {
                    circuit: circuit.clone(),
                    m_prime: *m_prime,
                    f1: *layer1_factor,
                    f2: *layer2_factor,
                    n1: *layer1_width,
                    n2: *layer2_width,
                    layer1: layer1.rate,
                    ideal: ideal.rate,
                    threshold: threshold.rate,
                    raw: raw.rate,
                    threshold_layer2: threshold_layer2.rate,
                    predicted: *predicted,
                    gates_on: *mean_gates_on,
                    neurons: *total_neurons,
                    n_star: *n_star,
                    measured: *n_star_measured,
                })
            }
            _ => None,
        })
        .collect()
}

/// The section's figures, each paired with its stem.
pub(crate) fn figures(results: &RunResults) -> Vec<(&'static str, Built)> {
    let p = points(results);
    vec![
        (STEMS[0], failure_figure(&p, STEMS[0], "4-and", "4-AND circuit")),
        (STEMS[1], failure_figure(&p, STEMS[1], "and-or", "AND/OR circuit")),
    ]
}

/// Failure vs n₂/n* at layer-1 width n₁ = n*: with the threshold (solid), without (open
/// circles), and independent layers' prediction (dashed), one colour per size.
fn failure_figure(points: &[Point], stem: &'static str, circuit: &str, name: &str) -> Built {
    let mine: Vec<&Point> = points.iter().filter(|p| p.circuit == circuit && p.f1 == 1.0).collect();
    if mine.is_empty() {
        return Err("no depth-2 grid point with layer 1 at n* (check not run?)".into());
    }
    let mut sizes: Vec<u64> = mine.iter().map(|p| p.m_prime).collect();
    sizes.sort_unstable();
    sizes.dedup();
    let mut series = Vec::new();
    for (i, &m) in sizes.iter().enumerate() {
        let color = PALETTE[i % PALETTE.len()];
        let mut at: Vec<&&Point> = mine.iter().filter(|p| p.m_prime == m).collect();
        at.sort_by(|a, b| a.f2.total_cmp(&b.f2));
        let label = pow2(m as f64);
        series.push(Series::new(
            Some(format!("m′ = {label}: predicted 1−(1−f₁)(1−f₂)")),
            color,
            Mark::Dashed,
            at.iter().map(|p| (p.f2, p.predicted)).collect(),
        ));
        series.push(Series::new(
            Some(format!("m′ = {label}: with threshold")),
            color,
            Mark::LineDots,
            at.iter().map(|p| (p.f2, p.threshold)).collect(),
        ));
        series.push(Series::new(
            Some(format!("m′ = {label}: without (raw ReLU)")),
            color,
            Mark::Dots,
            at.iter().map(|p| (p.f2, p.raw)).collect(),
        ));
    }
    let x_max = mine.iter().map(|p| p.f2).fold(0.0, f64::max);
    series.push(Series::new(
        Some("δ = 0.05".into()),
        GREY,
        Mark::Line,
        vec![(0.0, 0.05), (x_max, 0.05)],
    ));
    Ok(Figure {
        stem,
        title: format!("depth-2 {name}: failure vs layer-2 width, layer 1 at n*"),
        x: Axis::linear("layer-2 width n₂ / n*(m′)"),
        y: Axis::linear("depth-2 sample failure (any gate wrong), gate-planted inputs").with_range(0.0, 1.0),
        series,
    })
}

/// The section's Markdown, appended to `s` after the heading.
pub(crate) fn section(s: &mut String, r: &RunResults, c: &CheckResult, figs: &FigureOutcomes) {
    let pts = points(r);
    s.push_str(
        "\nLayer 1 is AS-2AND on m′ pairs of m = m′ inputs (the seed-0 instance of `and2-upper`); \
         layer 2 reads layer 1's hidden layer through layer 1's output code (t_in₂ = t_out₁) and \
         computes m′ gates, each an AND (a 4-AND of inputs) or an OR of two layer-1 outputs; AND \
         and OR gates live in separate neuron pools (bias 1 and 0). Half the samples plant a whole \
         gate (its four inputs), half plant ⌊k/2⌋ layer-1 pairs. *With threshold*: layer 2 reads \
         1[h₁ ≥ ½]; *without*: it reads the ReLU activations h₁ with the same weights (an on code \
         neuron has h₁ = 1 when free of interference); f₂ is layer 2 fed the interference-free code \
         of the true layer-1 outputs, i.e. layer 2 as an independent first layer.\n",
    );
    for (stem, alt) in [
        (
            STEMS[0],
            "depth-2 4-AND failure vs layer-2 width; inputs: half plant a gate, half ⌊k/2⌋ layer-1 pairs",
        ),
        (
            STEMS[1],
            "depth-2 AND/OR failure vs layer-2 width; inputs: half plant a gate, half ⌊k/2⌋ layer-1 pairs",
        ),
    ] {
        crate::page::figure(s, figs, stem, alt);
    }
    if crate::page::drawn(figs, STEMS[0]) {
        s.push_str(
            "\n*How to read:* x is layer 2's width in units of the one-layer n*(m′) (layer 1 fixed \
             at n*); solid lines are the depth-2 failure with the intermediate threshold, open \
             circles without it, dashed lines what independent layers would give, \
             1 − (1 − f₁)(1 − f₂). A solid line below its dashed one means a layer-1 error often \
             does not reach a gate (a wrong layer-1 output that no on gate reads); above it means \
             errors compound (layer-1 interference that does not flip a layer-1 output still \
             moves a gate).\n",
        );
    }
    if pts.is_empty() {
        crate::page::generic(s, c);
        return;
    }
    s.push_str(
        "\n| m′ | circuit | n* | n₁/n* | n₂/n* | n₁ | n₂ | neurons | gates on / sample | f₁ | f₂ | \
         predicted | with threshold | layer 2 adds | without threshold |\n\
         |---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n",
    );
    for p in &pts {
        let _ = writeln!(
            s,
            "| {} | {} | {}{} | {} | {} | {} | {} | {} | {} | {} | {} | {} | **{}** | {} | {} |",
            pow2(p.m_prime as f64),
            p.circuit,
            p.n_star,
            if p.measured { "" } else { " (fallback)" },
            fixed(p.f1, 2),
            fixed(p.f2, 2),
            p.n1,
            p.n2,
            p.neurons,
            fixed(p.gates_on, 2),
            fixed(p.layer1, 3),
            fixed(p.ideal, 3),
            fixed(p.predicted, 3),
            fixed(p.threshold, 3),
            fixed(p.threshold_layer2, 3),
            fixed(p.raw, 3),
        );
    }
    let mins: Vec<String> = r
        .records
        .iter()
        .filter_map(|rec| match rec {
            Record::Depth2(Depth2Record::MinWidth {
                circuit,
                m_prime,
                n_star,
                layer2_width,
                failure,
                total,
                ..
            }) => Some(format!(
                "| {} | {circuit} | {n_star} | {layer2_width} | {} | {} | {} |",
                pow2(*m_prime as f64),
                fixed(*layer2_width as f64 / *n_star as f64, 2),
                fixed(failure.rate, 3),
                fixed(total.rate, 3)
            )),
            _ => None,
        })
        .collect();
    if !mins.is_empty() {
        s.push_str(
            "\nMinimal layer-2 width n₂* at which layer 2 adds failure ≤ δ (samples with layer 1 \
             right but a gate wrong), with the threshold and layer 1 at n*:\n\n\
             | m′ | circuit | n* | n₂* | n₂*/n* | layer 2 adds | depth-2 failure |\n|---|---|---|---|---|---|---|\n",
        );
        for line in mins {
            s.push_str(&line);
            s.push('\n');
        }
    }
    judged(s, c);
    reading(s, &pts);
}

/// The verdict's judged points: chosen on the selection samples, judged on fresh ones (absent
/// from results written before the criterion judged fresh samples).
fn judged(s: &mut String, c: &CheckResult) {
    let CheckDetail::Depth2(d) = &c.detail else {
        return;
    };
    if d.min_widths.iter().all(|m| m.judged.is_none()) {
        return;
    }
    let _ = write!(
        s,
        "\nThe judged point per size and circuit: within {}·n* on both layers, the fewest failures \
         (with the threshold) on the selection samples; the verdict reads its failure on fresh \
         samples (PASS iff the Wilson 95 % upper bound ≤ δ = {}). The smallest passing point on the \
         selection samples is shown with its fresh failure, not judged.\n\n\
         | m′ | circuit | judged n₁/n*, n₂/n* | selection | fresh [Wilson 95 %] | smallest passing | its fresh failure |\n\
         |---|---|---|---|---|---|---|\n",
        fixed(d.max_factor, 1),
        d.delta,
    );
    let rate = |f: &FailureRate| {
        format!(
            "{}/{} [{}, {}]",
            f.failures,
            f.samples,
            fixed(f.wilson_lo, 3),
            fixed(f.wilson_hi, 3)
        )
    };
    for m in &d.min_widths {
        let (point, selection, fresh) = m.judged.map_or_else(
            || ("—".to_string(), "—".to_string(), "—".to_string()),
            |j| {
                (
                    format!("{}, {}", fixed(j.f1, 2), fixed(j.f2, 2)),
                    format!("{}/{}", j.selection.failures, j.selection.samples),
                    rate(&j.fresh),
                )
            },
        );
        let best = m.best_passing.as_ref().map_or("none".to_string(), |b| {
            format!("{}, {}", fixed(b.f1, 2), fixed(b.f2, 2))
        });
        let best_fresh = m.best_passing_fresh.as_ref().map_or("—".to_string(), rate);
        let _ = writeln!(
            s,
            "| {} | {} | {point} | {selection} | {fresh} | {best} | {best_fresh} |",
            pow2(m.m_prime as f64),
            m.circuit
        );
    }
}

/// What was measured, in words computed from the data.
fn reading(s: &mut String, pts: &[Point]) {
    let at = |circuit: &str| {
        pts.iter()
            .filter(|p| p.circuit == circuit && p.f1 == 1.0 && p.f2 == 1.0)
            .collect::<Vec<_>>()
    };
    let four = at("4-and");
    let below = four.iter().filter(|p| p.threshold <= p.predicted).count();
    let raw_worse = pts.iter().filter(|p| p.raw > p.threshold).count();
    let or_worse = at("and-or")
        .iter()
        .zip(&four)
        .filter(|(a, b)| a.threshold_layer2 > b.threshold_layer2)
        .count();
    let _ = writeln!(
        s,
        "\n*Reading.* With the threshold, the 4-AND circuit's failure at n₁ = n₂ = n* was at or \
         below the independent-layers prediction at {below} of {} sizes: most layer-1 errors are \
         outputs no on gate reads, so they do not reach layer 2. Without the threshold the failure \
         was higher than with it at {raw_worse} of {} grid points: raw activations pass layer-1 \
         interference (half-on code neurons, doubled activations) straight into layer 2. The \
         AND/OR circuit's layer 2 added more failure than the 4-AND's at {or_worse} of {} sizes: \
         an OR neuron fires on any one member of S₂_r and sums the partial code overlaps of two \
         off outputs, so its margin against interference is smaller than an AND neuron's, and it \
         needs a wider layer 2 (n₂*/n* above).",
        four.len(),
        pts.len(),
        four.len()
    );
}
