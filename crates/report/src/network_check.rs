//! The report of `cargo xtask check`: one network held against the bounds, from its
//! [`NetworkCheck`] alone — a Markdown page and a chart placing the network on the n-vs-m′
//! plane beside AS-2AND's measured n* and the bounds.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use superposition_schema::network_check::NetworkCheck;
use superposition_schema::theory;

use crate::Error;
use crate::format::{num, percent_interval, pow2, sci};
use crate::plot::{Axis, Built, Figure, GREY, INK, Mark, PALETTE, Series, TickStyle};

/// The chart's file stem.
const CHART: &str = "network-chart";

/// The reference construction's name (`AS-2AND`, `AS-PERM`), "the construction" when unknown.
fn construction(check: &NetworkCheck) -> &str {
    check
        .bounds
        .reference_construction
        .as_deref()
        .unwrap_or("the construction")
}

/// The chart: the reference construction's median n* per m′ (AS-2AND or AS-PERM, from the
/// reference run), the explicit neuron bound at the
/// network's bits per parameter and the two shapes at the reference's fitted constants over
/// the same range, and the network's hidden width and total neurons at its m′.
fn chart(check: &NetworkCheck) -> Built {
    let m = check.outputs as f64;
    let bits_per_parameter = check.stored_bits as f64 / check.resources.parameters.max(1) as f64;
    let b = &check.bounds;
    let mut xs: Vec<f64> = b.reference_widths.iter().map(|p| p.0 as f64).collect();
    xs.push(m);
    xs.sort_by(f64::total_cmp);
    xs.dedup();
    let (lo, hi) = (xs[0], xs[xs.len() - 1]);
    let grid: Vec<f64> = if hi > lo {
        (0..=32).map(|i| lo * (hi / lo).powf(f64::from(i) / 32.0)).collect()
    } else {
        vec![lo / 2.0, lo, lo * 2.0]
    };
    let mut series = Vec::new();
    if !b.reference_widths.is_empty() {
        series.push(Series::new(
            Some(format!("{} median n* (hidden width)", construction(check))),
            INK,
            Mark::LineDots,
            b.reference_widths.iter().map(|&(m, n)| (m as f64, n)).collect(),
        ));
    }
    if check.instance == "pairs" {
        series.push(Series::new(
            Some(format!(
                "explicit neuron bound at {} bits/parameter (T1/T2)",
                num(bits_per_parameter)
            )),
            PALETTE[3],
            Mark::Dashed,
            grid.iter()
                .map(|&x| {
                    let instances = theory::log2_and2_instances(x as u64, x as u64);
                    (x, theory::neuron_lower_bound(instances, bits_per_parameter))
                })
                .collect(),
        ));
    }
    if let Some([c_lower, c_upper]) = b.fitted_constants {
        for (c, shape, label, color) in [
            (
                c_lower,
                theory::lower_shape as fn(f64) -> f64,
                "√(m′·log₂m′)",
                PALETTE[1],
            ),
            (c_upper, theory::upper_shape, "√m′·log₂m′", PALETTE[2]),
        ] {
            series.push(Series::new(
                Some(format!("{}·{label} ({}'s fitted c)", num(c), construction(check))),
                color,
                Mark::Dashed,
                grid.iter().map(|&x| (x, c * shape(x))).collect(),
            ));
        }
    }
    series.push(Series::new(
        Some(format!("this network: hidden width {}", check.resources.hidden_width)),
        PALETTE[0],
        Mark::Filled,
        vec![(m, check.resources.hidden_width as f64)],
    ));
    series.push(Series::new(
        Some(format!("this network: all neurons {}", check.resources.neurons)),
        GREY,
        Mark::Filled,
        vec![(m, check.resources.neurons as f64)],
    ));
    Ok(Figure {
        stem: CHART,
        title: format!(
            "{} against {} and the bounds",
            short_name(&check.network),
            construction(check)
        ),
        x: Axis::log("m′ (outputs computed)", TickStyle::PowersOfTwo),
        y: Axis::log("neurons", TickStyle::Decimal),
        series,
    })
}

/// The file name of a path, for titles.
fn short_name(path: &str) -> String {
    Path::new(path)
        .file_name()
        .map_or_else(|| path.to_string(), |n| n.to_string_lossy().into_owned())
}

/// A margin, "exact" when infinite (no decision near any threshold measured).
fn margin(m: f64) -> String {
    if m.is_finite() { sci(m) } else { "—".into() }
}

/// The page's Markdown (the chart embedded when it was drawn).
pub(crate) fn markdown(check: &NetworkCheck, chart_drawn: Option<&str>) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "# `{}` held against the bounds\n", check.network);
    let _ = writeln!(
        s,
        "**{}** at δ = {}: {} architecture{}, m = {} inputs, m′ = {} outputs ({} instance), k = {}, seed {}; {}. \
         Checked in {} s by `cargo xtask check` from this network file alone.\n",
        if check.meets_delta {
            "Meets δ"
        } else {
            "Does not meet δ"
        },
        num(check.delta),
        check.architecture,
        check
            .construction
            .as_ref()
            .map_or(String::new(), |c| format!(" (built by `{c}`)")),
        check.inputs,
        check.outputs,
        check.instance,
        check.k,
        check.seed,
        if check.exact {
            "integer weights, every decision exact"
        } else {
            "f32 weights accumulated in f64; a decision within the rounding bound fails its sample"
        },
        num(check.seconds),
    );
    s.push_str(
        "The criterion: the network meets δ iff its per-sample failure rate (a sample fails if any of the m′ outputs \
         is wrong) is at most δ on every input distribution measured — the rule of verify-bounds' width searches; \
         the Wilson interval says how sure that is.\n\n",
    );
    if let Some(stem) = chart_drawn {
        let _ = writeln!(s, "![{stem}]({stem}.png)\n\n([SVG]({stem}.svg))\n");
    }
    s.push_str(
        "## Failure on random k-sparse inputs\n\n\
         | inputs | failure [Wilson 95 %] | P(0 \\| pair on) | P(1 \\| one endpoint) | P(1 \\| none) | uncertain samples | smallest margin |\n\
         |---|---|---:|---:|---:|---:|---:|\n",
    );
    for d in &check.distributions {
        let e = &d.errors;
        let show = |v: Option<f64>| v.map_or_else(|| "—".into(), sci);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} |",
            d.inputs.as_str(),
            percent_interval(&d.failure),
            show(e.false_negative_rate()),
            show(e.false_positive_rate_one()),
            show(e.false_positive_rate_none()),
            d.uncertain_samples,
            margin(d.min_margin),
        );
    }
    s.push_str(
        "\nPlanted inputs switch ⌊k/2⌋ of the instance's pairs on and fill the rest uniformly; uniform inputs are k \
         distinct inputs uniformly at random. For a permutation, \"pair on\" reads \"its source input on\". The \
         margin is the smallest distance of a decision to its threshold, in units of the activation.\n",
    );
    if check.instance == "circuit" {
        s.push_str(
            "\nFor a depth-2 circuit the outputs are its gates: planted inputs switch on both layer-1 pairs of a \
             random gate (half the samples) or ⌊k/2⌋ layer-1 pairs; \"pair on\" reads \"the gate true\", \"one \
             endpoint\" \"a false AND gate with one of its two layer-1 pairs on\", \"none\" \"a false gate with \
             neither on\".\n",
        );
    }
    if let Some(f) = &check.samples_file {
        let _ = writeln!(
            s,
            "\nOn the samples of `{}`: {}; {} uncertain; smallest margin {}; failed rows: {}.",
            f.path,
            percent_interval(&f.failure),
            f.uncertain_samples,
            margin(f.min_margin),
            if f.failed.is_empty() {
                "none".to_string()
            } else {
                f.failed.iter().map(u64::to_string).collect::<Vec<_>>().join(", ")
            }
        );
    }
    s.push_str("\n## Worst case\n\n");
    let a = &check.adversary;
    if !a.ran {
        let _ = writeln!(
            s,
            "The adversary did not run: {}.",
            a.reason.as_deref().unwrap_or("no reason recorded")
        );
    } else if let Some(c) = &a.counterexample {
        let _ = writeln!(
            s,
            "The greedy adversary ({} targets, {} restarts each) found a verified counterexample: active inputs {:?} \
             make outputs {:?} wrong (attack {:?} on output {}). The network is not correct on every {}-sparse input.",
            a.targets, a.restarts, c.active, c.wrong, c.attack, c.target, check.k
        );
    } else {
        let _ = writeln!(
            s,
            "The greedy adversary ({} targets, {} restarts each) found no counterexample. It is a heuristic: this is no \
             proof that the network is correct on every {}-sparse input.",
            a.targets, a.restarts, check.k
        );
    }
    let r = &check.resources;
    let b = &check.bounds;
    s.push_str("\n## Resources and the bounds at this m′\n\n| quantity | value |\n|---|---:|\n");
    let mut row = |k: &str, v: String| {
        let _ = writeln!(s, "| {k} | {v} |");
    };
    row("input neurons n_in", r.input_width.to_string());
    row("hidden neurons", r.hidden_width.to_string());
    row("all neurons", r.neurons.to_string());
    row("parameters (nonzero weights + biases)", r.parameters.to_string());
    row("parameter bits as stored", check.stored_bits.to_string());
    if let Some(q) = &check.lossless_integer {
        row(
            "bits after the smallest lossless integer form",
            format!(
                "{} ({} bits/parameter over 2^{})",
                q.bits, q.bits_per_parameter, q.log2_denominator
            ),
        );
    }
    row("log₂ #instances", num(b.log2_instances));
    row("parameter bits / log₂ #instances", num(b.bits_over_instances));
    row("explicit neuron bound (T1/T2)", num(b.neuron_bound));
    row("neurons / neuron bound", num(b.neurons_over_bound));
    row("√(m′·log₂m′)", num(b.lower_shape));
    row("√m′·log₂m′", num(b.upper_shape));
    row(
        "hidden width / √(m′·log₂m′)",
        num(r.hidden_width as f64 / b.lower_shape),
    );
    row(
        "hidden width / (√m′·log₂m′)",
        num(r.hidden_width as f64 / b.upper_shape),
    );
    if let Some(n) = b.reference_n_star {
        row(
            &format!(
                "{} median n* at m′ = {}",
                construction(check),
                pow2(check.outputs as f64)
            ),
            num(n),
        );
        row(
            &format!("hidden width / {} n*", construction(check)),
            num(r.hidden_width as f64 / n),
        );
    }
    match &b.reference {
        Some(reference) => {
            let _ = writeln!(
                s,
                "\n{}'s figures are from `{reference}`{}.",
                construction(check),
                b.fitted_constants.map_or(String::new(), |[cl, cu]| format!(
                    "; its fitted constants: n* ≈ {}·√(m′·log₂m′) ≈ {}·√m′·log₂m′",
                    num(cl),
                    num(cu)
                ))
            );
        }
        None => s.push_str("\nNo reference run was read, so no construction's n* is beside the network.\n"),
    }
    s
}

/// Writes `dir/README.md` and the chart (PNG and SVG) of `check`; returns the paths written,
/// README first. `dir` is created if missing.
pub fn render(check: &NetworkCheck, dir: &Path) -> Result<Vec<PathBuf>, Error> {
    crate::create_dir(dir)?;
    let mut written = Vec::new();
    let drawn = match chart(check) {
        Ok(fig) => {
            written.extend(crate::plot::save(&fig, dir)?);
            Some(CHART)
        }
        Err(_) => None,
    };
    let readme = dir.join("README.md");
    crate::write(&readme, &markdown(check, drawn))?;
    written.insert(0, readme);
    Ok(written)
}
