//! The Markdown of a run's `README.md` and of the index over runs.
//!
//! Text only: figures are drawn elsewhere and referenced by relative links; a figure that
//! was not drawn is replaced by the reason.

use std::fmt::Write as _;

use superposition_schema::checks::{CheckDetail, Kind};
use superposition_schema::measure::ConditionalErrors;
use superposition_schema::results::{CheckResult, RunResults};

use crate::data::{self};
use crate::figures::{
    capacity_lower_shape, capacity_upper_shape, lower_shape, params_lower_shape, params_upper_shape, upper_shape,
};
use crate::format::{cell, fixed, num, pow2, seconds};
use crate::page::{FigureOutcomes, compact, drawn, figure, status};
use crate::stats::effective_exponent;

/// Sizes 2^e as `2⁸, 2¹⁰, …`.
fn sizes(log2: &[u32]) -> String {
    if log2.is_empty() {
        return "none".into();
    }
    log2.iter()
        .map(|&e| pow2(f64::from(e).exp2()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `claims: 9 of 10 pass; invariants: 4 of 4 hold` — counted apart, since an invariant
/// holding is no evidence for the paper.
pub(crate) fn counts(results: &RunResults) -> String {
    let ((claims_passed, claims), (held, invariants)) = (results.tally(Kind::Claim), results.tally(Kind::Invariant));
    format!("claims: {claims_passed} of {claims} pass; invariants: {held} of {invariants} hold")
}

/// The table of the checks of one kind; ids link to `<link_prefix>#<id>`. Empty when no check
/// of that kind ran.
pub(crate) fn checks_table(results: &RunResults, link_prefix: &str, kind: Kind) -> String {
    let of_kind: Vec<&CheckResult> = results.checks.iter().filter(|c| c.id().kind() == kind).collect();
    if of_kind.is_empty() {
        return String::new();
    }
    let mut s = String::from("| check | status | measured | criterion | seconds |\n|---|---|---|---|---:|\n");
    for c in of_kind {
        let _ = writeln!(
            s,
            "| [`{id}`]({link_prefix}#{id}) | **{}** | {} | {} | {} |",
            status(c.status),
            cell(&c.measured),
            cell(&c.theory),
            num((c.seconds * 100.0).round() / 100.0),
            id = c.id(),
        );
    }
    s
}

/// Both tables: claims (evidence for or against the paper), then invariants (guards of the
/// implementation, never evidence).
pub(crate) fn checks_tables(results: &RunResults, link_prefix: &str) -> String {
    let mut s = String::new();
    let claims = checks_table(results, link_prefix, Kind::Claim);
    if !claims.is_empty() {
        s.push_str("**Claims**: statements of the paper (or a cited paper) tested empirically; each could come out either way.\n\n");
        s.push_str(&claims);
    }
    let invariants = checks_table(results, link_prefix, Kind::Invariant);
    if !invariants.is_empty() {
        if !s.is_empty() {
            s.push('\n');
        }
        s.push_str(
            "**Invariants**: properties any correct implementation has; they catch bugs, not falsehoods, \
             and are no evidence for the paper.\n\n",
        );
        s.push_str(&invariants);
    }
    s
}

/// Title block: scale, seed, git, version, total time, configuration.
pub(crate) fn header(r: &RunResults) -> String {
    let mut s = format!("# superposition-bounds verification report: scale `{}`\n\n", r.scale);
    s.push_str(
        "Empirical checks of the bounds of Adler & Shavit, *On the Complexity of Neural \
         Computation in Superposition* (arXiv:2409.15318). Generated from the results file \
         alone.\n\n",
    );
    let c = &r.config;
    let rows = [
        ("scale", format!("`{}`", r.scale)),
        ("master seed", r.seed.to_string()),
        ("git", format!("`{}`", r.git)),
        ("version", r.version.clone()),
        ("total time", seconds(r.seconds)),
        ("sparsity k", c.k.to_string()),
        ("target failure δ", num(c.delta)),
        ("samples per failure rate", c.samples.to_string()),
        ("seeds per size", c.seeds.to_string()),
        ("2-AND sizes m′", sizes(&c.and2_log2_sizes)),
        ("representation sizes m", sizes(&c.representation_log2_sizes)),
    ];
    s.push_str("| | |\n|---|---|\n");
    for (k, v) in rows {
        let _ = writeln!(s, "| {k} | {v} |");
    }
    if !(c.extra.is_null() || c.extra.as_object().is_some_and(|o| o.is_empty())) {
        let _ = writeln!(s, "| other settings | `{}` |", cell(&compact(&c.extra, 600)));
    }
    s
}

/// `median [min, max]` of per-seed values.
fn spread(g: &data::PerSize) -> String {
    match g.median() {
        Some(m) if g.values.len() > 1 => format!("{} [{}, {}]", num(m), num(g.min()), num(g.max())),
        Some(m) => num(m),
        None => "—".into(),
    }
}

/// An optional number, `—` when absent.
fn opt(x: Option<f64>) -> String {
    x.map_or_else(|| "—".into(), num)
}

/// Section of `representation`.
pub(crate) fn representation(s: &mut String, r: &RunResults, c: &CheckResult, figs: &FigureOutcomes) {
    figure(s, figs, "representation-width", "d* against log2 m");
    let delta = data::delta(r, Some(c));
    let (widths, ts) = data::representation_widths(r);
    if widths.is_empty() {
        s.push_str("\nNo `RepresentationMinWidth` records: the per-size table is empty.\n");
    } else {
        s.push_str("\n| m | seeds | d* median [min, max] | d*/log₂ m | t at d* (median) | Bloom 1.44·k·log₂(m/δ) |\n|---|---:|---:|---:|---:|---:|\n");
        for (g, t) in widths.iter().zip(&ts) {
            let log2m = (g.size as f64).log2();
            let bloom = 1.44 * r.config.k as f64 * (log2m - delta.log2());
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} |",
                pow2(g.size as f64),
                g.values.len(),
                spread(g),
                opt(g.median().map(|d| d / log2m)),
                opt(t.median()),
                num(bloom),
            );
        }
    }
    if let Some(fit) = data::fit(c, data::Fit::Main) {
        let _ = writeln!(
            s,
            "\nFit d* = a + b·log₂ m: a = {}, b = {} [{}, {}] (95 % bootstrap), R² = {}.",
            num(fit.intercept),
            num(fit.slope),
            num(fit.slope_lo),
            num(fit.slope_hi),
            fixed(fit.r2, 3)
        );
    }
    if let CheckDetail::Representation(d) = &c.detail {
        let (lo, hi) = (d.ratio_min, d.ratio_max);
        let _ = writeln!(
            s,
            "d*/log₂ m ranges over [{}, {}] across the sizes measured.",
            num(lo),
            num(hi)
        );
        if let (Some([band_lo, band_hi]), false) = (d.bloom_band, d.bloom.is_empty()) {
            let ratios = d.bloom.iter().map(|p| fixed(p.ratio, 3)).collect::<Vec<_>>();
            let _ = writeln!(
                s,
                "The criterion: median d*/Bloom within [{}, {}] at every m; measured {} (m = 2^{}…2^{}).",
                num(band_lo),
                num(band_hi),
                ratios.join(", "),
                (d.bloom[0].m as f64).log2(),
                (d.bloom[d.bloom.len() - 1].m as f64).log2()
            );
        }
    }
    if drawn(figs, "representation-width") {
        let _ = writeln!(
            s,
            "\n**How to read this.** Each grey dot is the smallest width d* at which a random \
             t-subset (Bloom) code of m features recovers random {k}-sparse inputs exactly with \
             failure ≤ δ = {d}, for one seed; the black line joins the medians. The horizontal axis \
             is log₂ m, so R1's O(log m) claim is a straight line here and d*/log₂ m stays flat: \
             doubling the number of features costs a constant number of extra neurons. The dashed \
             curve is the classical Bloom-filter estimate 1.44·k·log₂(m/δ) (false-positive rate δ/m \
             per feature); points near or below it mean the code and decoder are as good as a Bloom \
             filter. Curvature upwards would contradict R1.",
            k = r.config.k,
            d = num(delta)
        );
    }
}

/// Section of `and2-upper`.
pub(crate) fn and2_upper(s: &mut String, r: &RunResults, c: &CheckResult, figs: &FigureOutcomes) {
    let delta = data::delta(r, Some(c));
    figure(s, figs, "and2-width", "n* against m′, log-log");
    and2_fit_text(s, c, &and2_sizes(r, c));
    let _ = writeln!(
        s,
        "\n**How to read this.** Each grey dot is the smallest hidden width n* at which the \
         AS-2AND construction computed one random 2-AND instance (one seed) with sample failure \
         ≤ δ = {d} on planted k-sparse inputs (⌊k/2⌋ instance pairs on, the rest uniform), found by \
         binary search; the black line joins the medians. On log-log axes a \
         power law is a straight line whose slope is its exponent. T3 promises \
         n* = O(√m′·log m′) (exponent ½ plus a log factor); T2 says no network can use fewer \
         than Ω(√(m′ log m′)) neurons. The dashed curves are these two shapes with constants \
         fitted to the medians: shapes, not bounds, since the paper gives no constants. The \
         criterion, as this run stated it before measuring: {criterion}. A c_upper = \
         n*/(√m′·log₂ m′) that falls with m′ is expected at finite sizes (vote amplification \
         improves as t = log₂ m′ grows) and an exponent below ½ is reported, not hidden, but is \
         no violation: T2 only forbids c_lower = n*/√(m′·log₂ m′) from falling towards 0 for ever.",
        d = num(delta),
        criterion = c.theory.trim_end_matches('.')
    );
    if let CheckDetail::And2Upper(detail) = &c.detail {
        if let Some(shape) = &detail.shape {
            crate::sections::shape::section(s, shape, "n*");
        }
        and2_validation(s, &detail.validation, delta);
    }
    and2_table(s, r, c);
    figure(s, figs, "and2-transition", "failure rate against hidden width");
    let zero = data::and2_sweeps(r).iter().all(|sw| sw.points.iter().all(|p| p.1 == 0));
    if drawn(figs, "and2-transition") && zero {
        s.push_str(
            "\nEvery swept width had zero failures, so the curves lie on 0; the bars are the Wilson upper limits.\n",
        );
    }
    if drawn(figs, "and2-transition") {
        let _ = writeln!(
            s,
            "\n**How to read this.** One curve per m′: the fraction of planted k-sparse samples with at \
             least one wrong output among all m′ ANDs, against hidden width, with failures and \
             samples pooled over seeds at equal width (bars: Wilson 95 % intervals). Where a curve \
             crosses the dashed δ line is n*(m′). A sharp drop means n* hardly depends on δ or on \
             the number of samples; the curves shift right as m′ grows, and their horizontal spacing \
             on the log width axis is the exponent of the width plot."
        );
    }
    figure(s, figs, "and2-params", "parameters p* against m′, log-log");
    if let Some(fit) = data::fit(c, data::Fit::Params) {
        let _ = writeln!(
            s,
            "\nFit ln p* = a + b·ln m′: b = {} [{}, {}] (95 % bootstrap), R² = {}.",
            fixed(fit.slope, 3),
            fixed(fit.slope_lo, 3),
            fixed(fit.slope_hi, 3),
            fixed(fit.r2, 3)
        );
    }
    let sizes = and2_sizes(r, c);
    if let (Some(low), Some(up)) = (
        effective_exponent(&sizes, params_lower_shape),
        effective_exponent(&sizes, params_upper_shape),
    ) {
        let _ = writeln!(
            s,
            "Over the sizes measured m′·log₂ m′ has effective exponent {} and m′·log₂² m′ {}.",
            fixed(low, 3),
            fixed(up, 3)
        );
    }
    if drawn(figs, "and2-params") {
        s.push_str(
            "\n**How to read this.** p* counts nonzero weights plus biases of the network at n*. \
             T3 builds the network with O(m′·log² m′) parameters; T1's counting argument says any \
             network computing every 2-AND instance needs Ω(m′ log m′) parameters, because its \
             parameter bits must identify one of the instances (the last two table columns: \
             parameter bits must exceed log₂ #instances). The dashed curves are the two shapes with \
             fitted constants; a fitted exponent between the effective exponents of the two shapes \
             is what the theory allows.\n",
        );
    }
}

/// n* on fresh samples and under uniform inputs (absent from older results).
fn and2_validation(s: &mut String, rows: &[superposition_schema::checks::and2_upper::Validation], delta: f64) {
    if rows.is_empty() {
        return;
    }
    let _ = writeln!(
        s,
        "\n**n* on fresh samples, and under uniform inputs.** The search stops at the first width \
         (of a passing run of three precision steps) whose failure on its samples is ≤ δ = {d}, so \
         the rate it reports at n* is selected, not measured. Below, each seed's network at n* is \
         evaluated on fresh samples (all of them), pooled over seeds, with the Wilson 95 % interval: \
         n* is a δ-crossing, so the fresh rate should sit near δ, on either side. *Planted* inputs \
         switch on ⌊k/2⌋ instance pairs; *uniform* inputs are k distinct inputs uniformly at random \
         (few true pairs on: mostly a test of false positives). The last columns split the errors \
         per output on those fresh samples: false negatives given the pair on, false positives given \
         one endpoint on, and given none.\n\n\
         | m′ | n* planted | fresh planted failure | seeds with Wilson low end > δ | n* uniform | fresh uniform failure | uniform/planted | P(0 \\| pair on) | P(1 \\| one endpoint) | P(1 \\| none) (planted; uniform) |\n\
         |---|---:|---|---:|---:|---|---:|---|---|---|",
        d = num(delta)
    );
    let rate = |f: &superposition_schema::results::FailureRate| {
        format!(
            "{} [{}, {}] ({}/{})",
            fixed(f.rate, 3),
            fixed(f.wilson_lo, 3),
            fixed(f.wilson_hi, 3),
            f.failures,
            f.samples
        )
    };
    for v in rows {
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} of {} | {} | {} | {} | {} | {} | {} |",
            pow2(v.m_prime as f64),
            num(v.n_star_planted),
            rate(&v.planted),
            v.planted_unconfirmed,
            v.seeds,
            v.n_star_uniform.map_or("—".into(), num),
            v.uniform.as_ref().map_or("—".into(), rate),
            v.n_star_uniform.map_or("—".into(), |u| fixed(u / v.n_star_planted, 3)),
            conditional(&v.planted_errors, v.uniform_errors.as_ref(), |e| e
                .false_negative_rate()),
            conditional(&v.planted_errors, v.uniform_errors.as_ref(), |e| e
                .false_positive_rate_one()),
            conditional(&v.planted_errors, v.uniform_errors.as_ref(), |e| e
                .false_positive_rate_none()),
        );
    }
}

/// One conditional error rate under planted inputs, and under uniform ones where measured.
fn conditional(
    planted: &ConditionalErrors,
    uniform: Option<&ConditionalErrors>,
    rate: impl Fn(&ConditionalErrors) -> Option<f64>,
) -> String {
    let show = |e: &ConditionalErrors| match rate(e) {
        None => "—".to_string(),
        Some(0.0) => "0".to_string(),
        Some(r) => format!("{r:.2e}"),
    };
    match uniform {
        Some(u) => format!("{}; {}", show(planted), show(u)),
        None => show(planted),
    }
}

/// Sizes m′ (as f64) measured by `and2-upper`: from records, else from its constants.
fn and2_sizes(r: &RunResults, c: &CheckResult) -> Vec<f64> {
    let (main, _) = data::and2_widths(r);
    if main.is_empty() {
        data::and2_constants(c)
            .iter()
            .filter_map(|k| Some(k.m_prime? as f64))
            .collect()
    } else {
        main.iter().map(|g| g.size as f64).collect()
    }
}

/// The fitted exponent of n* and what the theory shapes predict over the same range.
fn and2_fit_text(s: &mut String, c: &CheckResult, sizes: &[f64]) {
    let Some(fit) = data::fit(c, data::Fit::Main) else {
        s.push_str("\nNo power-law fit in the results (`detail.fit` absent).\n");
        return;
    };
    let _ = write!(
        s,
        "\nFit ln n* = a + b·ln m′: b = {} [{}, {}] (95 % bootstrap), R² = {}.",
        fixed(fit.slope, 3),
        fixed(fit.slope_lo, 3),
        fixed(fit.slope_hi, 3),
        fixed(fit.r2, 3)
    );
    if let (Some(up), Some(low)) = (
        effective_exponent(sizes, upper_shape),
        effective_exponent(sizes, lower_shape),
    ) {
        let _ = write!(
            s,
            " Over the sizes measured the T3 shape √m′·log₂ m′ has effective exponent {} and the \
             T2 shape √(m′·log₂ m′) {}; ½ is the exponent without log factors.",
            fixed(up, 3),
            fixed(low, 3)
        );
    }
    if fit.slope_hi > 0.65 {
        s.push_str(" The interval reaches above 0.65: n* grows faster than T3 allows at this range.");
    } else if fit.slope < 0.5 {
        s.push_str(
            " The exponent is below ½: a finite-size effect (vote amplification improves as \
             t = log₂ m′ grows), not a contradiction of T2, whose constant is unknown.",
        );
    }
    s.push('\n');
}

/// Per-m′ table of `and2-upper`: widths, constants, parameters, bits.
fn and2_table(s: &mut String, r: &RunResults, c: &CheckResult) {
    let (widths, _) = data::and2_widths(r);
    let params = data::and2_params(r);
    let bits = data::and2_param_bits(r);
    let constants = data::and2_constants(c);
    let sanity = data::sanity_rows(r);
    let mut sizes: Vec<u64> = widths.iter().map(|g| g.size).collect();
    sizes.extend(constants.iter().filter_map(|k| k.m_prime));
    sizes.sort_unstable();
    sizes.dedup();
    if sizes.is_empty() {
        s.push_str("\nNo `And2MinWidth` records and no `detail.constants`: the per-size table is empty.\n");
        return;
    }
    s.push_str(
        "\n| m′ | seeds | n* median [min, max] | c_upper = n*/(√m′·log₂m′) | c_lower = n*/√(m′·log₂m′) | p* | p*/(m′·log₂²m′) | parameter bits | log₂ #instances |\n\
         |---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for m in sizes {
        let mf = m as f64;
        let w = widths.iter().find(|g| g.size == m);
        let k = constants
            .iter()
            .find(|k| k.m_prime == Some(m))
            .cloned()
            .unwrap_or_default();
        let n_star = w.and_then(data::PerSize::median).or(k.n_star);
        let p_star = params
            .iter()
            .find(|g| g.size == m)
            .and_then(data::PerSize::median)
            .or(k.p_star);
        let inst = sanity
            .iter()
            .filter(|row| row.m_prime == m)
            .max_by_key(|row| row.network.contains("and"))
            .map(|row| row.log2_instances);
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
            pow2(mf),
            w.map_or(0, |g| g.values.len()),
            w.map_or_else(|| opt(n_star), spread),
            opt(k.c_upper.or(n_star.map(|n| n / upper_shape(mf)))),
            opt(k.c_lower.or(n_star.map(|n| n / lower_shape(mf)))),
            opt(p_star),
            opt(k.c_params.or(p_star.map(|p| p / params_upper_shape(mf)))),
            opt(bits.iter().find(|g| g.size == m).and_then(data::PerSize::median)),
            opt(inst),
        );
    }
}

/// Section of `lower-sanity`.
pub(crate) fn lower_sanity(s: &mut String, r: &RunResults, c: &CheckResult) {
    if let CheckDetail::LowerSanity(d) = &c.detail {
        let _ = writeln!(
            s,
            "\n{} networks checked, {} violations; smallest margin (parameter bits − log₂ #instances) \
             {} bits; smallest neurons / neuron bound {}.",
            opt(Some(d.networks as f64)),
            opt(Some(d.violations as f64)),
            opt(d.min_margin_bits),
            opt(d.min_neuron_ratio),
        );
    }
    let rows = data::sanity_rows(r);
    if rows.is_empty() {
        s.push_str("\nNo `LowerSanity` records: the per-network table is empty.\n");
    } else {
        s.push_str(
            "\n| network | m′ | networks | parameter bits (min) | log₂ #instances | margin bits | neurons (min) | neuron bound | neurons / bound |\n\
             |---|---|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for row in &rows {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                cell(&row.network),
                pow2(row.m_prime as f64),
                row.count,
                row.parameter_bits,
                num(row.log2_instances),
                num(row.parameter_bits as f64 - row.log2_instances),
                row.neurons,
                num(row.neuron_bound),
                num(row.neurons as f64 / row.neuron_bound),
            );
        }
    }
    s.push_str(
        "\n**How to read this.** The lower bounds are a counting argument: a network that \
         computes an instance lets a decoder recover the instance by probing it with 1- and \
         2-sparse inputs, so distinct instances need distinct parameter settings and the \
         parameters must carry at least log₂(#instances) bits (T1). Every network built here \
         must therefore have a non-negative margin, and at least as many neurons as the bound \
         that follows at its bits per weight (T2), i.e. neurons / bound ≥ 1. A violation would \
         not refute the theorem: it would mean resources are miscounted, a bug to fix.\n",
    );
}

/// Section of `gap`.
pub(crate) fn gap(s: &mut String, r: &RunResults, c: &CheckResult, figs: &FigureOutcomes) {
    figure(s, figs, "gap", "d* and n* against m′, log-log");
    let points = data::gap_points(r);
    if !points.is_empty() {
        s.push_str("\n| m′ | d* (represent) | n* (compute) | n*/d* |\n|---|---:|---:|---:|\n");
        for p in &points {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} |",
                pow2(p.m_prime as f64),
                num(p.d_star),
                num(p.n_star),
                num(p.n_star / p.d_star)
            );
        }
    }
    if let Some(fit) = data::fit(c, data::Fit::Main) {
        let _ = writeln!(
            s,
            "\nFit ln(n*/d*) = a + b·ln m′: b = {} [{}, {}] (95 % bootstrap), R² = {}.",
            fixed(fit.slope, 3),
            fixed(fit.slope_lo, 3),
            fixed(fit.slope_hi, 3),
            fixed(fit.r2, 3)
        );
    }
    if drawn(figs, "gap") {
        s.push_str(
            "\n**How to read this.** d*(m′) is what it takes to *store* m′ sparse features (R1: \
             O(log m′)); n*(m′) is what it takes to *compute* m′ pairwise ANDs of them (between T2's \
             √(m′ log m′) and T3's √m′·log m′). On log-log axes the representing curve is almost flat \
             while the computing curve rises with slope about ½: in superposition, computation costs \
             polynomially many neurons where representation costs logarithmically many. The slope of \
             ln(n*/d*) against ln m′ is how fast that gap opens.\n",
        );
    }
}

/// Rank of a scale name for "most complete": full > standard > quick > anything else.
fn rank(scale: &str) -> u8 {
    match scale {
        "full" => 3,
        "standard" => 2,
        "quick" => 1,
        _ => 0,
    }
}

/// The index over runs: one line per scale, then the most complete scale's check table.
pub(crate) fn index(runs: &[(String, RunResults)]) -> String {
    let mut s = String::from("# superposition-bounds verification reports\n\n");
    s.push_str(
        "Empirical checks of Adler & Shavit, arXiv:2409.15318, one report per scale \
         (`cargo xtask verify-bounds --scale <scale>`).\n\n",
    );
    if runs.is_empty() {
        s.push_str("No runs yet.\n");
        return s;
    }
    let mut order: Vec<&(String, RunResults)> = runs.iter().collect();
    order.sort_by(|a, b| rank(&b.0).cmp(&rank(&a.0)).then_with(|| a.0.cmp(&b.0)));
    for (scale, r) in &order {
        let _ = writeln!(
            s,
            "- [`{scale}`]({scale}/README.md): {} checks — {}; {} (git `{}`, seed {})",
            r.checks.len(),
            counts(r),
            seconds(r.seconds),
            r.git,
            r.seed
        );
    }
    let (scale, best) = order[0];
    let _ = writeln!(s, "\n## Checks at scale `{scale}`\n");
    if best.checks.is_empty() {
        s.push_str("Nothing was run at this scale.\n");
    } else {
        s.push_str(&checks_tables(best, &format!("{scale}/README.md")));
    }
    s
}

/// Section of `capacity`.
pub(crate) fn capacity(s: &mut String, r: &RunResults, c: &CheckResult, figs: &FigureOutcomes) {
    figure(s, figs, "capacity", "m′_max against n, log-log");
    let points = data::capacity_points(r);
    let maxima = data::capacity_groups(&points, |p| p.m_max);
    if points.is_empty() {
        s.push_str("\nNo `Capacity` records and no `detail.points`: the per-width table is empty.\n");
    } else {
        s.push_str(
            "\n| n | seeds | m′_max median [min, max] | smallest failing m′ above | m′_max/(n²/log₂²n) | m′_max/(n²/log₂n) | counting capacity | log₂ #instances at m′_max | parameter bits |\n\
             |---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        let mut widths: Vec<u64> = points.iter().map(|p| p.width).collect();
        widths.dedup();
        for w in widths {
            let at: Vec<&data::CapacityPoint> = points.iter().filter(|p| p.width == w).collect();
            let g = maxima.iter().find(|g| g.size == w);
            let med = g.and_then(data::PerSize::median);
            let median_of = |f: &dyn Fn(&data::CapacityPoint) -> Option<f64>| {
                crate::stats::median(&at.iter().filter_map(|p| f(p)).collect::<Vec<_>>())
            };
            let wf = w as f64;
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                pow2(wf),
                at.len(),
                g.map_or_else(|| "0 (none passed)".into(), spread),
                opt(median_of(&|p| (p.m_failing > 0).then_some(p.m_failing as f64))),
                opt(med.map(|m| m / capacity_lower_shape(wf))),
                opt(med.map(|m| m / capacity_upper_shape(wf))),
                opt(median_of(&|p| (p.counting > 0).then_some(p.counting as f64))),
                opt(median_of(&|p| p.log2_instances.filter(|l| *l > 0.0))),
                opt(median_of(&|p| p.parameter_bits)),
            );
        }
    }
    if let CheckDetail::Capacity(d) = &c.detail
        && let (Some(cl), Some(cu)) = (d.c_lower_shape, d.c_upper_shape)
    {
        let _ = writeln!(
            s,
            "\nLeast-squares constants: m′_max ≈ {}·n²/log₂²n (rms log-residual {}) and ≈ {}·n²/log₂n (rms {}); \
             the better shape here is `{}`.",
            num(cl),
            opt(d.rms_lower_shape),
            num(cu),
            opt(d.rms_upper_shape),
            d.better_shape,
        );
    }
    let widths: Vec<f64> = maxima.iter().map(|g| g.size as f64).collect();
    if let Some(fit) = data::fit(c, data::Fit::Main) {
        let _ = writeln!(
            s,
            "Fit ln m′_max = a + b·ln n: b = {} [{}, {}] (95 % bootstrap), R² = {}; over the widths measured \
             n²/log₂²n has effective exponent {} and n²/log₂n {}.",
            fixed(fit.slope, 3),
            fixed(fit.slope_lo, 3),
            fixed(fit.slope_hi, 3),
            fixed(fit.r2, 3),
            effective_exponent(&widths, capacity_lower_shape).map_or_else(|| "—".into(), |e| fixed(e, 3)),
            effective_exponent(&widths, capacity_upper_shape).map_or_else(|| "—".into(), |e| fixed(e, 3)),
        );
    }
    s.push_str(
        "\n**How to read this.** C1 turns the lower bound around: n neurons with O(1)-bit weights \
         carry about n² parameter bits, and since a network computing every instance of m′ ANDs \
         must carry log₂ C(C(m′,2), m′) ≈ m′·log₂ m′ bits, it can compute at most O(n²/log n) \
         ANDs. For each width n this check searches the largest m′ (m = m′) that AS-2AND computes \
         at failure ≤ δ. Grey dots are single seeds, the black line their median (on log-log axes \
         a straight line of slope 2 is n²). The two dashed curves are c·n²/log₂²n, the shape T3's \
         construction achieves, and c·n²/log₂n, C1's ceiling, with the check's least-squares \
         constants: shapes, not bounds. The pink line, where present, is the counting capacity \
         of the network's own parameter bits, the largest m′ whose instance count those bits \
         could still index; the check passes iff m′_max stays at or below it at every width.\n",
    );
}

/// Section of `chernoff`.
pub(crate) fn chernoff(s: &mut String, r: &RunResults, c: &CheckResult, figs: &FigureOutcomes) {
    figure(
        s,
        figs,
        "chernoff",
        "measured failure rate against the analytic bound, log-log",
    );
    let points = data::chernoff_points(r);
    let mut sources: Vec<&str> = points.iter().map(|p| p.source.as_str()).collect();
    sources.sort_unstable();
    sources.dedup();
    if points.is_empty() {
        s.push_str("\nNo `Chernoff` records: the per-source table is empty.\n");
    } else {
        s.push_str(
            "\n| measured in | rates | with failures | bound < 1 (non-vacuous) | Wilson lower end above bound | max rate/bound (bound < 1) |\n\
             |---|---:|---:|---:|---:|---:|\n",
        );
        for src in sources {
            let at: Vec<&data::ChernoffPoint> = points.iter().filter(|p| p.source == src).collect();
            let informative: Vec<&&data::ChernoffPoint> = at.iter().filter(|p| p.bound < 1.0).collect();
            let worst = informative
                .iter()
                .filter(|p| p.rate > 0.0)
                .map(|p| p.rate / p.bound)
                .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.max(v))));
            let _ = writeln!(
                s,
                "| `{}` | {} | {} | {} | {} | {} |",
                cell(src),
                at.len(),
                at.iter().filter(|p| p.failures > 0).count(),
                informative.len(),
                at.iter().filter(|p| p.wilson_lo > p.bound.min(1.0)).count(),
                opt(worst),
            );
        }
    }
    if let CheckDetail::Chernoff(d) = &c.detail {
        let _ = writeln!(
            s,
            "\n{} of {} comparisons above the bound; {} non-vacuous; largest rate/bound {}.",
            d.above,
            num(d.comparisons as f64),
            num(d.non_vacuous as f64),
            opt(d.max_rate_over_bound),
        );
    }
    let widths = data::bound_widths(r);
    if !widths.is_empty() {
        s.push_str(
            "\nWhere the bound first reaches δ, against the measured n*:\n\n\
             | m′ | n* (measured) | n_δ (bound ≤ δ) | n_δ / n* | bound at n* |\n|---|---:|---:|---:|---:|\n",
        );
        for w in &widths {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} |",
                w.m_prime.map_or_else(|| "—".into(), pow2),
                opt(w.n_star),
                opt(w.n_bound),
                opt(w.ratio),
                opt(w.bound_at_n_star),
            );
        }
    }
    s.push_str(
        "\n**How to read this.** T3's proof bounds the failure of AS-2AND by a chain of Chernoff \
         bounds: per code neuron (noise from overlapping codes and colliding signals), over each \
         output's t_out votes, then a union bound over outputs. Every centered AS-2AND failure rate \
         measured in the run is drawn against the bound evaluated at the same (m, m′, n, t): filled \
         dots had failures, open dots had none and are drawn at ½/samples because 0 has no place \
         on a log axis. The dashed diagonal is measured = bound; the analysis is refuted by a point \
         whose 95 % Wilson lower end lies above it (the table's fifth column). Bounds above 1 (right \
         of the grey line) are vacuous and pass trivially, so the informative points are those \
         left of it. The distance below the diagonal, and n_δ / n*, say how loose the analysis is: \
         the constants T3 gives are far from what the construction needs.\n",
    );
}

/// Section of `description-length`.
pub(crate) fn description_length(s: &mut String, r: &RunResults, c: &CheckResult, figs: &FigureOutcomes) {
    figure(
        s,
        figs,
        "description-length",
        "description size over log2 #instances against m′",
    );
    let points = data::description_points(r);
    if points.is_empty() {
        s.push_str("\nNo `DescriptionLength` records and no `detail.points`: the per-size table is empty.\n");
    } else {
        s.push_str(
            "\n| m′ | n* | parameters | parameters × bits | entropy-coded bits | bits per weight (entropy) | log₂ #instances | factor (parameters × bits) | factor (entropy-coded) |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for p in &points {
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                pow2(p.m_prime as f64),
                num(p.width),
                num(p.parameters),
                num(p.parameter_bits),
                num(p.entropy_bits),
                opt(p.weight_entropy),
                num(p.log2_instances),
                num(p.factor_bits()),
                num(p.factor_entropy()),
            );
        }
    }
    if let CheckDetail::DescriptionLength(d) = &c.detail
        && let (Some(a), Some(b)) = (d.slope_factor_parameter_bits, d.slope_factor_entropy)
    {
        let _ = writeln!(
            s,
            "\nThe factors grow by {} (parameters × bits) and {} (entropy-coded) per doubling of m′; \
             {} sizes below the minimum.",
            num(a),
            num(b),
            num(d.below_minimum as f64),
        );
    }
    s.push_str(
        "\n**How to read this.** T1's counting argument says any description of a network that \
         computes a random 2-AND instance (from which, with the public codes, the probe decoder \
         reads the instance back) needs at least log₂ C(C(m,2), m′) bits. This check rebuilds the \
         seed-0 AS-2AND network at n* and measures two descriptions: parameters × their bits (the \
         count T1 and `lower-sanity` use) and an entropy code of the weight numerators and centering \
         counts. Both are divided by log₂ #instances, so 1 (dashed) is the information-theoretic \
         floor and a point below it would mean a counting or coding bug. How far above 1 the curves \
         sit is the construction's overhead over the optimum; T3's O(m′·log² m′) parameters against \
         T1's Ω(m′·log m′) predict a factor growing like log m′, i.e. roughly linearly on this \
         log-m′ axis.\n",
    );
}

/// Section of `probe-decoder`.
pub(crate) fn probe_decoder(s: &mut String, r: &RunResults, c: &CheckResult) {
    let rows = data::probe_rows(r);
    if rows.is_empty() {
        s.push_str("\nNo `ProbeDecoder` records and no `detail.points`: the table is empty.\n");
    } else {
        s.push_str(
            "\n| m′ | m | width n | n / n* | 1-sparse probes | 2-sparse probes | naive probes C(m,2) | probes / naive | wrong probes | mismatched outputs | decode time |\n\
             |---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n",
        );
        for p in &rows {
            let probes = (p.one_sparse + p.two_sparse) as f64;
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {}{} | {} |",
                pow2(p.m_prime as f64),
                p.m.map_or_else(|| "—".into(), |m| m.to_string()),
                p.width,
                num(p.factor),
                p.one_sparse,
                p.two_sparse,
                p.naive,
                if p.naive > 0 {
                    num(probes / p.naive as f64)
                } else {
                    "—".into()
                },
                p.wrong,
                p.mismatches,
                if p.over_budget { " (over budget)" } else { "" },
                p.seconds.map_or_else(|| "—".into(), seconds),
            );
        }
    }
    if let CheckDetail::ProbeDecoder(d) = &c.detail {
        let (sound, all) = (d.decoder_sound, d.decoded_every_size);
        let _ = writeln!(
            s,
            "\nDecoder sound (no network correct on its probes mis-decoded): {}; every size decoded exactly at \
             some width: {}.",
            if sound { "yes" } else { "**no**" },
            if all { "yes" } else { "**no**" },
        );
    }
    s.push_str(
        "\n**How to read this.** T1's lower bound rests on a decoding step: from a network's \
         weights and the public codes alone, probing it with 1-sparse inputs (to read each \
         input's hidden code) and a few 2-sparse inputs recovers which pair each output computes, \
         so distinct instances need distinct networks. Here that decoder runs on the seed-0 \
         network of each size, at n* and, if the decoding is not exact there, at wider multiples \
         of n* until it is. A network at n* may still err on a few probes (it fails δ of random \
         samples), which shows as wrong probes and mismatched outputs; at the width where \
         mismatches reach 0 the instance was recovered exactly. Probes / naive compares the \
         decoder's cost with sweeping all C(m,2) pairs; times depend on the machine.\n",
    );
}

/// Section of `exhaustive`.
pub(crate) fn exhaustive(s: &mut String, r: &RunResults, c: &CheckResult) {
    let (cells, above, worst) = data::exhaustive_cells(r);
    if cells > 0 {
        let _ = writeln!(
            s,
            "\n{cells} (readout, m, n, m′) cells enumerated, {above} with more instances computed than 2^(parameter bits); \
             largest log₂(instances computed) − bits = {}.",
            opt(worst)
        );
    } else if let CheckDetail::Exhaustive(d) = &c.detail {
        let _ = writeln!(
            s,
            "\n{} cells above 2^(parameter bits); largest log₂(instances computed) − bits = {}.",
            d.violations,
            opt(d.max_log2_computed_over_networks)
        );
    }
    let table = data::exhaustive_table(r);
    if table.is_empty() {
        s.push_str("\nNo `detail.minimal_width` and no `Exhaustive` records: the minimal-width table is empty.\n");
    } else {
        s.push_str(
            "\n| readout | m | m′ | instances C(C(m,2), m′) | smallest n computing one | smallest n computing all | computable by the widest n | instances by minimal width |\n\
             |---|---:|---:|---:|---:|---:|---:|---|\n",
        );
        let widest = table.iter().flat_map(|t| t.histogram.iter().map(|h| h.0)).max();
        for t in &table {
            let hist = t
                .histogram
                .iter()
                .filter(|h| h.1 > 0)
                .map(|h| format!("n={}: {}", h.0, h.1))
                .collect::<Vec<_>>()
                .join(", ");
            let _ = writeln!(
                s,
                "| {} | {} | {} | {} | {} | {} | {} | {} |",
                cell(&t.readout),
                t.inputs,
                t.m_prime,
                t.total,
                t.min_width.map_or_else(|| "none".into(), |w| w.to_string()),
                t.width_all.map_or_else(|| "none".into(), |w| w.to_string()),
                t.computed.map_or_else(|| "—".into(), |x| format!("{x} of {}", t.total)),
                if hist.is_empty() { "—".into() } else { hist },
            );
        }
        if let Some(w) = widest {
            let _ = writeln!(s, "\nWidths enumerated up to n = {w}.");
        }
    }
    s.push_str(
        "\n**How to read this.** The counting lemma behind T1, checked by brute force: every \
         one-hidden-layer network of tiny width n with weights in {−1, 0, 1} and biases in \
         {−2, …, 1}, read out through a fixed vote code (`dedicated`: single neurons first; \
         `bloom2`: pairs of neurons first), is run on every input with at most k ones, and the \
         distinct 2-AND instances computed exactly are counted. There are only 2^(parameter bits) \
         such networks, so no cell may compute more instances than that; the check passes iff \
         none does. The table shows the smallest width at which some instance, and every \
         instance, of each class becomes computable, and how many instances first become \
         computable at each width: the exact minimal-width distribution that the asymptotic \
         bounds describe only in order of magnitude.\n",
    );
}
