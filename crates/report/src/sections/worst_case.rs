//! Report section of check `worst-case`: worst-case (adversarial) against average-case
//! minimal width of AS-2AND, with the ratio set against √(log₂ m′).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use superposition_schema::checks::worst_case::{CertifiedDetail, WorstCaseRecord};
use superposition_schema::checks::{CheckDetail, CheckId};
use superposition_schema::results::{CheckResult, LineFit, Record, RunResults};

use crate::data;
use crate::format::{fixed, num, pow2};
use crate::page::{FigureOutcomes, figure};
use crate::plot::Built;
use crate::plot::{Axis, Figure, GREY, INK, Mark, PALETTE, Series, TickStyle};
use crate::stats::{fit_constant_log, median};

/// The check's id.
pub(crate) const ID: CheckId = CheckId::WorstCase;

/// Stems of the section's figures.
const STEMS: [&str; 2] = ["worst-case-width", "worst-case-ratio"];

/// Per m′: (n*_avg per seed, n*_worst per seed — `None` when censored — and the cap).
type Widths = (Vec<f64>, Vec<Option<f64>>, usize);

/// [`Widths`] per m′.
type PerSize = BTreeMap<u64, Widths>;

/// The `MinWidth` records grouped by m′.
fn min_widths(results: &RunResults) -> PerSize {
    let mut out: PerSize = BTreeMap::new();
    for r in &results.records {
        if let Record::WorstCase(WorstCaseRecord::MinWidth {
            m_prime,
            n_avg,
            n_worst,
            max_width,
            ..
        }) = r
        {
            let e = out
                .entry(*m_prime)
                .or_insert_with(|| (Vec::new(), Vec::new(), *max_width));
            e.0.push(*n_avg as f64);
            e.1.push(n_worst.map(|w| w as f64));
            e.2 = e.2.max(*max_width);
        }
    }
    out
}

/// Median that keeps +∞ (censored seeds) in the ranking, `None` when it is infinite or
/// there are no values (the shared median drops non-finite values).
fn censored_median(values: &[f64]) -> Option<f64> {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    let m = match n {
        0 => return None,
        _ if n % 2 == 1 => v[n / 2],
        _ => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    };
    m.is_finite().then_some(m)
}

/// Median of per-seed worst-case widths, `None` when the median seed is censored (+∞).
fn worst_median(values: &[Option<f64>]) -> Option<f64> {
    let v: Vec<f64> = values.iter().map(|w| w.unwrap_or(f64::INFINITY)).collect();
    censored_median(&v)
}

/// √(m′·log₂ m′).
fn lower_shape(m: f64) -> f64 {
    (m * m.log2()).sqrt()
}

/// √m′·log₂ m′.
fn upper_shape(m: f64) -> f64 {
    m.sqrt() * m.log2()
}

/// The section's figures, each paired with its stem.
pub(crate) fn figures(results: &RunResults) -> Vec<(&'static str, Built)> {
    vec![(STEMS[0], width(results)), (STEMS[1], ratio(results))]
}

/// `worst-case-width`: n*_avg and n*_worst against m′, log-log, with the two shapes.
fn width(results: &RunResults) -> Built {
    data::check(results, ID).ok_or("check `worst-case` was not run")?;
    let sizes = min_widths(results);
    if sizes.len() < 2 {
        return Err(format!(
            "a scaling plot needs at least two sizes; this run has {}",
            sizes.len()
        ));
    }
    let (lo, hi) = (
        *sizes.keys().next().expect("two sizes") as f64,
        *sizes.keys().last().expect("two sizes") as f64,
    );
    let dots = |pick: &dyn Fn(&Widths) -> Vec<f64>| -> Vec<(f64, f64)> {
        sizes
            .iter()
            .flat_map(|(&m, e)| pick(e).into_iter().map(move |v| (m as f64, v)))
            .collect()
    };
    let avg_medians: Vec<(f64, f64)> = sizes
        .iter()
        .filter_map(|(&m, e)| Some((m as f64, median(&e.0)?)))
        .collect();
    let worst_medians: Vec<(f64, f64)> = sizes
        .iter()
        .filter_map(|(&m, e)| Some((m as f64, worst_median(&e.1)?)))
        .collect();
    let censored: Vec<(f64, f64)> = sizes
        .iter()
        .filter(|(_, e)| e.1.iter().any(Option::is_none))
        .map(|(&m, e)| (m as f64, e.2 as f64))
        .collect();
    let mut series = vec![
        Series::new(Some("n*_avg per seed".into()), GREY, Mark::Dots, dots(&|e| e.0.clone())),
        Series::new(
            Some("median n*_avg (failure ≤ δ on planted samples)".into()),
            PALETTE[0],
            Mark::LineDots,
            avg_medians,
        ),
        Series::new(
            Some("n*_worst per seed".into()),
            PALETTE[3],
            Mark::Dots,
            dots(&|e| e.1.iter().flatten().copied().collect()),
        ),
        Series::new(
            Some("median n*_worst (adversary finds no error)".into()),
            INK,
            Mark::LineDots,
            worst_medians.clone(),
        ),
    ];
    if !censored.is_empty() {
        series.push(Series::new(
            Some("width cap where the adversary still won (n*_worst above it)".into()),
            PALETTE[5],
            Mark::Filled,
            censored,
        ));
    }
    let curve = |c: f64, shape: fn(f64) -> f64| -> Vec<(f64, f64)> {
        (0..=40)
            .map(|i| {
                let m = (lo.ln() + (hi / lo).ln() * f64::from(i) / 40.0).exp();
                (m, c * shape(m))
            })
            .collect()
    };
    // The shapes are fitted to n*_worst where it was measured, else (every size censored)
    // to n*_avg, and say which.
    let (anchor, anchored_to) = if worst_medians.is_empty() {
        (
            sizes
                .iter()
                .filter_map(|(&m, e)| Some((m as f64, median(&e.0)?)))
                .collect::<Vec<_>>(),
            "n*_avg",
        )
    } else {
        (worst_medians.clone(), "n*_worst")
    };
    for (shape, name, color) in [
        (upper_shape as fn(f64) -> f64, "c·√m′·log₂m′ (T3 shape)", PALETTE[2]),
        (lower_shape as fn(f64) -> f64, "c·√(m′·log₂m′) (T2 shape)", PALETTE[1]),
    ] {
        if let Some(c) = fit_constant_log(&anchor, shape) {
            series.push(Series::new(
                Some(format!("{name}, c = {} fitted to {anchored_to}", num(c))),
                color,
                Mark::Dashed,
                curve(c, shape),
            ));
        }
    }
    series.retain(|s| !s.points.is_empty());
    Ok(Figure {
        stem: STEMS[0],
        title: "AS-2AND: worst-case (adversarial) against average-case minimal width".into(),
        x: Axis::log("m′ (pairwise ANDs computed)", TickStyle::PowersOfTwo),
        y: Axis::log("minimal hidden width n (neurons)", TickStyle::Decimal),
        series,
    })
}

/// `worst-case-ratio`: n*_worst/n*_avg against log₂ m′, with c·√(log₂ m′).
fn ratio(results: &RunResults) -> Built {
    data::check(results, ID).ok_or("check `worst-case` was not run")?;
    let sizes = min_widths(results);
    let mut dots = Vec::new();
    let mut medians = Vec::new();
    for (&m, (avg, worst, _)) in &sizes {
        let x = (m as f64).log2();
        let ratios: Vec<f64> = avg
            .iter()
            .zip(worst)
            .map(|(a, w)| w.map_or(f64::INFINITY, |w| w / a))
            .collect();
        dots.extend(ratios.iter().filter(|r| r.is_finite()).map(|&r| (x, r)));
        if let Some(r) = censored_median(&ratios) {
            medians.push((x, r));
        }
    }
    if medians.len() < 2 {
        return Err(format!(
            "the ratio needs at least two sizes where the adversary was beaten below the width cap; this run has {}",
            medians.len()
        ));
    }
    let (lo, hi) = (medians[0].0, medians[medians.len() - 1].0);
    let mut series = vec![
        Series::new(Some("per seed".into()), GREY, Mark::Dots, dots),
        Series::new(
            Some("median n*_worst / n*_avg".into()),
            INK,
            Mark::LineDots,
            medians.clone(),
        ),
    ];
    if let Some(c) = fit_constant_log(&medians, f64::sqrt) {
        let pts = (0..=20)
            .map(|i| {
                let x = lo + (hi - lo) * f64::from(i) / 20.0;
                (x, c * x.sqrt())
            })
            .collect();
        series.push(Series::new(
            Some(format!("c·√(log₂m′), c = {} (the extra factor T3 allows)", num(c))),
            PALETTE[2],
            Mark::Dashed,
            pts,
        ));
        let flat = fit_constant_log(&medians, |_| 1.0).unwrap_or(c);
        series.push(Series::new(
            Some(format!("constant {} (no extra factor)", num(flat))),
            PALETTE[1],
            Mark::Dashed,
            vec![(lo, flat), (hi, flat)],
        ));
    }
    Ok(Figure {
        stem: STEMS[1],
        title: "AS-2AND: how much wider the worst case is than the average case".into(),
        x: Axis::linear("log₂ m′"),
        y: Axis::linear("n*_worst / n*_avg"),
        series,
    })
}

/// The certified search (issue 13): what was proven, per size, k and parameter point.
fn certified_section(s: &mut String, d: &CertifiedDetail) {
    let _ = writeln!(
        s,
        "\n### Certified widths (the verdict)\n\nn*_cert is the smallest total n_in + n at which the exact \
         certifier proves **every** output right on **every** input with at most k active features, over \
         the parameter points below (hidden width searched to {} % precision, the width found and the next \
         two steps all certified; cap {} units of √m′·log₂m′ on n_in + n; an output undecided within {} \
         search nodes per half counts as not certified). A reference point is certified at the cap first \
         and searched only if certified there.\n",
        num(d.precision * 100.0),
        num(d.cap_units),
        d.budget
    );
    let _ = writeln!(
        s,
        "| point | τ | t_in = t_out | n_in / n | centering | θ (fires at h ≥ θ) | searched |\n|---|---|---|---|---|---|---|"
    );
    for p in &d.points {
        let _ = writeln!(
            s,
            "| {} | {} | {}·log₂m′ | {} | {} | {} | {} |",
            p.name,
            num(p.tau),
            num(p.t_factor),
            num(p.input_ratio),
            if p.centering { "on" } else { "off" },
            num(p.fire),
            if p.searched { "yes" } else { "reference" }
        );
    }
    let total = |v: Option<f64>, cap: usize| v.map_or_else(|| format!("> {}", num(cap as f64)), num);
    let _ = writeln!(
        s,
        "\n| m′ | k | n*_cert per seed (best point) | median | 2·n*_avg | ratio | median/(√m′·log₂m′) |\n|---|---|---|---|---|---|---|"
    );
    for r in &d.rows {
        let seeds = r
            .seeds
            .iter()
            .zip(&r.best_points)
            .map(|(v, p)| format!("{} ({})", total(*v, r.cap_total), p.as_deref().unwrap_or("none")))
            .collect::<Vec<_>>()
            .join(", ");
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} |",
            pow2(r.m_prime as f64),
            r.k,
            seeds,
            total(r.median, r.cap_total),
            r.avg_total.map_or("—".into(), num),
            cell(r.ratio),
            cell(r.c_upper),
        );
    }
    let names: Vec<&str> = d.points.iter().map(|p| p.name.as_str()).collect();
    let _ = writeln!(
        s,
        "\nEvery point's total per seed:\n\n| m′ | k | {} |\n|---|---|{}",
        names.join(" | "),
        "---|".repeat(names.len())
    );
    for r in &d.rows {
        let per: Vec<String> = r
            .per_point
            .iter()
            .map(|(_, v)| v.iter().map(|x| total(*x, r.cap_total)).collect::<Vec<_>>().join(", "))
            .collect();
        let _ = writeln!(s, "| {} | {} | {} |", pow2(r.m_prime as f64), r.k, per.join(" | "));
    }
    let show = |f: Option<&LineFit>| {
        f.map_or_else(
            || "no fit".to_string(),
            |f| {
                format!(
                    "{} [{}, {}]",
                    fixed(f.slope, 2),
                    fixed(f.slope_lo, 2),
                    fixed(f.slope_hi, 2)
                )
            },
        )
    };
    let shape = d.shape.map_or_else(
        || "no fit".to_string(),
        |f| {
            format!(
                "c = {}, a = {} [{}, {}]",
                fixed(f.c, 2),
                fixed(f.a, 2),
                fixed(f.a_lo, 2),
                fixed(f.a_hi, 2)
            )
        },
    );
    let ks = d
        .k_fits
        .iter()
        .map(|f| format!("{}: b = {}", pow2(f.m_prime as f64), show(f.fit.as_ref())))
        .collect::<Vec<_>>()
        .join("; ");
    let _ = writeln!(
        s,
        "\nAt k = {}: n*_cert = c·√m′·(log₂m′)^a with {shape} (criterion: a's upper end ≤ 1); n*_cert ∝ m′^{}; \
         n*_cert/(2·n*_avg) ∝ (log₂m′)^{} (½ would be the extra √log m′). k dependence, n*_cert ∝ k^b: {}. \
         Censored (size, k, seed): {}. Intervals: 95 % bootstrap over sizes and seeds (over k and seeds for b); \
         censored seeds enter every fit at the cap, so an exponent with censoring is a lower estimate. Criteria: every \
         size certified below the cap: {}; shape bounded: {}.",
        d.k,
        show(d.power_fit.as_ref()),
        show(d.ratio_fit.as_ref()),
        if ks.is_empty() { "not measured".to_string() } else { ks },
        d.censored,
        if d.criteria.certified_below_cap {
            "met"
        } else {
            "not met"
        },
        if d.criteria.shape_bounded { "met" } else { "not met" },
    );
    if !d.at_average.is_empty() {
        let _ = writeln!(
            s,
            "\nEach point at the average case's budget (total 2·n*_avg, seed 0), certified at k = {}; the \
             first output not certified (most crowded first) and its verified counterexample:\n\n\
             | m′ | point | n | n_in | certified | first failure |\n|---|---|---|---|---|---|",
            d.k
        );
        for a in &d.at_average {
            let failure = a.failure.as_ref().map_or("—".to_string(), |f| {
                let half = f.half.replace('_', " ");
                match &f.active {
                    Some(x) => format!("output {} ({half}) on {x:?}", f.output),
                    None => format!("output {} ({half} undecided within the budget)", f.output),
                }
            });
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} |",
                pow2(a.m_prime as f64),
                a.point,
                a.hidden,
                a.input_width,
                if a.certified { "yes" } else { "no" },
                failure
            );
        }
    }
    s.push_str(
        "\n**What is proven and what is not refuted.** A certified network is proven right on every input \
         with at most k active features: the certifier's branch and bound is exact, both of its bounds are \
         sound, and every counterexample is verified by evaluating the network. n*_cert is therefore a \
         proven upper bound on the worst-case total neurons of AS-2AND with these constants, for this \
         instance and these codes. The search allows slack: the width found and the next two steps are \
         certified, but a narrower width might be certified on its own, and an output undecided within the \
         budget counts as not certified. The parameter points are a handful, not an optimum over every \
         construction. Below n*_cert, only the refuted widths are known to fail. The adversary's widths \
         below are lower estimates on the defaults only: where it found nothing, nothing was proven.\n",
    );
}

/// An optional number from the detail, `—` if absent.
fn cell(value: Option<f64>) -> String {
    value.map_or_else(|| "—".into(), num)
}

/// The section's Markdown, appended to `s` after the heading.
pub(crate) fn section(s: &mut String, r: &RunResults, c: &CheckResult, figs: &FigureOutcomes) {
    let CheckDetail::WorstCase(d) = &c.detail else {
        let _ = writeln!(
            s,
            "
No `worst-case` detail in this verdict (it belongs to `{}`).",
            c.id()
        );
        return;
    };
    if let Some(cert) = &d.certified {
        certified_section(s, cert);
        s.push_str(
            "\n### The heuristic adversary on the default parameters\n\nReported, not part of the verdict: \
             the greedy adversary's search for the smallest width at which it finds no bad input, on \
             AS-2AND's average-case constants only.\n",
        );
    }
    let budget = &d.budget;
    figure(
        s,
        figs,
        STEMS[0],
        "worst-case and average-case minimal width against m′",
    );
    figure(
        s,
        figs,
        STEMS[1],
        "ratio of worst-case to average-case width against log2 m′",
    );
    let _ = writeln!(
        s,
        "\n| m′ | n*_avg | n*_worst | n*_worst/n*_avg | ÷ √log₂m′ | n*_worst/(√m′·log₂m′) | censored seeds (cap) |\n|---|---|---|---|---|---|---|"
    );
    for row in &d.rows {
        let cap = row.max_width as f64;
        let worst = row.n_worst.map_or_else(|| format!("> {}", num(cap)), num);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} ({}) |",
            pow2(row.m_prime as f64),
            num(row.n_avg),
            worst,
            cell(row.ratio),
            cell(row.ratio_over_sqrt_log),
            cell(row.c_worst_upper),
            row.censored_seeds,
            num(cap),
        );
    }
    let show = |f: Option<LineFit>| {
        f.map_or_else(
            || "no fit".into(),
            |f| {
                format!(
                    "{} [{}, {}]",
                    fixed(f.slope, 3),
                    fixed(f.slope_lo, 3),
                    fixed(f.slope_hi, 3)
                )
            },
        )
    };
    let _ = writeln!(
        s,
        "\nFitted exponents (log n against log m′, 95 % bootstrap): average case {}, worst case {} \
         (sizes with a censored seed left out). Ratio against log₂ m′ (log-log slope; ½ would be \
         the extra √(log m′) factor): {}. Adversary budget per network: {} targets × {} restarts, \
         k = {}, {} random candidates per target; width search to {} % precision. The adversary \
         found an error at n*_avg in {} of {} seed(s) where random sampling did; {} reported \
         counterexample(s) disagreed with the dense oracle. δ = {}.",
        show(Some(d.avg_fit)),
        show(d.worst_fit),
        show(d.ratio_fit),
        budget.targets,
        budget.restarts,
        budget.k,
        budget.extra_candidates,
        num(budget.precision * 100.0),
        d.power_cases - d.power_misses,
        d.power_cases,
        d.unsound,
        num(data::delta(r, Some(c))),
    );
    let sizes = &d.n_avg_searched_here_at_log2_sizes;
    if !sizes.is_empty() {
        let _ = writeln!(
            s,
            "\nn*_avg was searched by this check (as `and2-upper` searches it) at log₂ m′ ∈ {sizes:?}: \
             `and2-upper` did not run or did not measure those sizes.",
        );
    }
    s.push_str(
        "\n**How to read this.** n*_avg is the smallest width at which at most a fraction δ of \
         random planted k-sparse inputs make any output wrong; n*_worst is the smallest width at \
         which a greedy adversary, attacking the most crowded outputs and random ones, finds **no** \
         k-sparse input that makes any output wrong. Every error it reports was verified by exact \
         evaluation, so a width it breaks is certainly not worst-case correct; a width it does not \
         break may still be, so n*_worst is a *lower estimate* of the true worst-case width. Where \
         the adversary still wins at the width cap, n*_worst is only known to exceed the cap. The \
         ratio plot sets n*_worst/n*_avg against √(log₂ m′), the gap between the paper's upper \
         bound O(√m′·log m′) and the lower bound √(m′ log m′): if the worst case were met at the \
         upper bound's shape, a ratio growing like √(log₂ m′) would say it needs that extra \
         factor and a flat ratio that it does not. Whether AS-2AND is worst-case correct at \
         O(√m′·log m′) at all is what this check tests (its last criterion), not something \
         this report assumes: a censored size is evidence against it at that size, within the \
         adversary's budget.\n",
    );
    let _ = write!(
        s,
        "\n**The attack that dominates at small m′.** An output j is decoded on when v = ⌈t/2⌉ of \
         its t = log₂ m′ code neurons reach h ≥ ½. Switching on one endpoint a_j lifts all of them to \
         about h = 0; each further active input that is an endpoint of *another* pair hosted on one \
         of j's neurons lifts that neuron by about 1, over the threshold. With k = 4 the adversary \
         has k − 1 = 3 such inputs, so for t = 8 (v = 4) one input sitting in pairs on two of j's \
         neurons suffices. That is a coincidence among co-hosted pairs, not interference noise. \
         With the default parameters (t_in = t_out = ⌈log₂ m′⌉, τ = ½, so v = ⌈t/2⌉) and k = 4, it \
         disappears only when j's neurons host almost nothing else (width of order m′·t²/…), which \
         is why n*_worst can exceed any cap close to n*_avg at the smallest sizes; other \
         parameters (a larger τ, a vote threshold above k − 1, or t chosen for the worst case) \
         change that conclusion{}. As m′ grows, v − (k − 1) grows with t, \
         and the attack needs ever more coincidences: the regime the paper's asymptotic analysis \
         (t = Θ(log m′) ≫ k) describes.\n",
        if d.certified.is_some() {
            ": the certified search above measures them"
        } else {
            " and are not measured here"
        }
    );
    let _ = writeln!(s, "\n**Reading.** {}.", c.measured.trim_end_matches('.'));
}
