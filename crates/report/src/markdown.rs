//! The Markdown of a run's `README.md` and of the index over runs.
//!
//! Text only: figures are drawn elsewhere and referenced by relative links; a figure that
//! was not drawn is replaced by the reason.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use superposition_core::results::{CheckResult, RunResults, Status};

use crate::data::{self, AND2_UPPER, GAP, LOWER_SANITY, REPRESENTATION};
use crate::figures::{lower_shape, params_lower_shape, params_upper_shape, upper_shape};
use crate::format::{cell, fixed, num, pow2, seconds};
use crate::stats::effective_exponent;

/// Outcome of each figure by stem: drawn, or the reason it was not.
pub(crate) type FigureOutcomes = BTreeMap<&'static str, Result<(), String>>;

/// Checks with a dedicated section, in report order.
const KNOWN: [&str; 4] = [REPRESENTATION, AND2_UPPER, LOWER_SANITY, GAP];

/// Longest detail JSON printed for a check without a dedicated section.
const MAX_DETAIL_CHARS: usize = 4000;

/// `PASS` or `FAIL`.
fn status(s: Status) -> &'static str {
    match s {
        Status::Pass => "PASS",
        Status::Fail => "FAIL",
    }
}

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

/// (pass, fail) counts.
fn counts(results: &RunResults) -> (usize, usize) {
    let pass = results.checks.iter().filter(|c| c.status == Status::Pass).count();
    (pass, results.checks.len() - pass)
}

/// The check table; ids link to `<link_prefix>#<id>`.
pub(crate) fn checks_table(results: &RunResults, link_prefix: &str) -> String {
    let mut s = String::from("| check | status | measured | theory | seconds |\n|---|---|---|---|---:|\n");
    for c in &results.checks {
        let _ = writeln!(
            s,
            "| [`{id}`]({link_prefix}#{id}) | **{}** | {} | {} | {} |",
            status(c.status),
            cell(&c.measured),
            cell(&c.theory),
            num((c.seconds * 100.0).round() / 100.0),
            id = c.id,
        );
    }
    s
}

/// The whole README of one run.
pub(crate) fn report(results: &RunResults, figs: &FigureOutcomes) -> String {
    let mut s = header(results);
    s.push_str("\n## Checks\n\n");
    if results.checks.is_empty() {
        s.push_str("Nothing was run: this results file holds no checks, so there is nothing to report.\n");
        return s;
    }
    let (pass, fail) = counts(results);
    let _ = writeln!(s, "{pass} of {} checks pass, {fail} fail.\n", results.checks.len());
    s.push_str(&checks_table(results, ""));
    let missing: Vec<String> = KNOWN
        .iter()
        .filter(|id| data::check(results, id).is_none())
        .map(|id| format!("`{id}`"))
        .collect();
    if !missing.is_empty() {
        let _ = writeln!(s, "\nNot run in this results file: {}.", missing.join(", "));
    }
    for id in KNOWN {
        if let Some(c) = data::check(results, id) {
            s.push_str(&section_head(c, known_title(id)));
            match id {
                REPRESENTATION => representation(&mut s, results, c, figs),
                AND2_UPPER => and2_upper(&mut s, results, c, figs),
                LOWER_SANITY => lower_sanity(&mut s, results, c),
                _ => gap(&mut s, results, c, figs),
            }
        }
    }
    for c in results.checks.iter().filter(|c| !KNOWN.contains(&c.id.as_str())) {
        s.push_str(&section_head(c, "(no dedicated figure in this report version)"));
        generic(&mut s, c);
    }
    s
}

/// Title of a known check's section.
fn known_title(id: &str) -> &'static str {
    match id {
        REPRESENTATION => "(R1): representing m sparse features takes O(log m) neurons",
        AND2_UPPER => "(T3): computing m′ pairwise ANDs with O(√m′·log m′) neurons",
        LOWER_SANITY => "(T1/T2): every network carries at least log₂ #instances bits",
        _ => "(R1 vs T2/T3): representing against computing",
    }
}

/// Title block: scale, seed, git, version, total time, configuration.
fn header(r: &RunResults) -> String {
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

/// A JSON value on one line, cut at `max` characters.
fn compact(v: &serde_json::Value, max: usize) -> String {
    let s = v.to_string();
    if s.chars().count() <= max {
        s
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut} … (truncated)")
    }
}

/// Heading (with an anchor equal to the id) and the check's one-line verdict.
fn section_head(c: &CheckResult, title: &str) -> String {
    format!(
        "\n<a id=\"{id}\"></a>\n\n## `{id}` {title}\n\n**{}** in {}. Measured: {}. Theory: {}.\n",
        status(c.status),
        seconds(c.seconds),
        c.measured.trim_end_matches('.'),
        c.theory.trim_end_matches('.'),
        id = c.id,
    )
}

/// The embedded figure, or why it is missing.
fn figure(s: &mut String, figs: &FigureOutcomes, stem: &str, alt: &str) {
    match figs.get(stem) {
        Some(Ok(())) => {
            let _ = writeln!(s, "\n![{alt}]({stem}.png)\n\n([SVG]({stem}.svg))");
        }
        Some(Err(reason)) => {
            let _ = writeln!(s, "\n*Plot `{stem}` not drawn: {reason}.*");
        }
        None => {
            let _ = writeln!(s, "\n*Plot `{stem}` not drawn.*");
        }
    }
}

/// Whether the figure `stem` was drawn (its "how to read" text only makes sense then).
fn drawn(figs: &FigureOutcomes, stem: &str) -> bool {
    figs.get(stem).is_some_and(Result::is_ok)
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
fn representation(s: &mut String, r: &RunResults, c: &CheckResult, figs: &FigureOutcomes) {
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
    if let Some(fit) = data::fit(c, "fit") {
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
    if let (Some(lo), Some(hi)) = (
        data::field::<f64>(&c.detail, "ratio_min"),
        data::field::<f64>(&c.detail, "ratio_max"),
    ) {
        let _ = writeln!(
            s,
            "d*/log₂ m ranges over [{}, {}] across the sizes measured.",
            num(lo),
            num(hi)
        );
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
fn and2_upper(s: &mut String, r: &RunResults, c: &CheckResult, figs: &FigureOutcomes) {
    let delta = data::delta(r, Some(c));
    figure(s, figs, "and2-width", "n* against m′, log-log");
    and2_fit_text(s, c, &and2_sizes(r, c));
    let _ = writeln!(
        s,
        "\n**How to read this.** Each grey dot is the smallest hidden width n* at which the \
         AS-2AND construction computed one random 2-AND instance (one seed) with sample failure \
         ≤ δ = {d}, found by binary search; the black line joins the medians. On log-log axes a \
         power law is a straight line whose slope is its exponent. T3 promises \
         n* = O(√m′·log m′) (exponent ½ plus a log factor); T2 says no network can use fewer \
         than Ω(√(m′ log m′)) neurons. The dashed curves are these two shapes with constants \
         fitted to the medians: shapes, not bounds, since the paper gives no constants. The check \
         passes when the fitted exponent's interval stays at or below 0.65, i.e. \
         c_upper = n*/(√m′·log₂ m′) does not grow. A c_upper that falls with m′ is expected at \
         finite sizes (vote amplification improves as t = log₂ m′ grows) and an exponent below ½ \
         is reported, not hidden, but is no violation: T2 only forbids c_lower = n*/√(m′·log₂ m′) \
         from falling towards 0 for ever.",
        d = num(delta)
    );
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
            "\n**How to read this.** One curve per m′: the fraction of random k-sparse samples with at \
             least one wrong output among all m′ ANDs, against hidden width, with failures and \
             samples pooled over seeds at equal width (bars: Wilson 95 % intervals). Where a curve \
             crosses the dashed δ line is n*(m′). A sharp drop means n* hardly depends on δ or on \
             the number of samples; the curves shift right as m′ grows, and their horizontal spacing \
             on the log width axis is the exponent of the width plot."
        );
    }
    figure(s, figs, "and2-params", "parameters p* against m′, log-log");
    if let Some(fit) = data::fit(c, "param_fit") {
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
    let Some(fit) = data::fit(c, "fit") else {
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
fn lower_sanity(s: &mut String, r: &RunResults, c: &CheckResult) {
    let d = &c.detail;
    let networks = data::field::<u64>(d, "networks");
    let violations = data::field::<u64>(d, "violations");
    if networks.is_some() || violations.is_some() {
        let _ = writeln!(
            s,
            "\n{} networks checked, {} violations; smallest margin (parameter bits − log₂ #instances) \
             {} bits; smallest neurons / neuron bound {}.",
            opt(networks.map(|x| x as f64)),
            opt(violations.map(|x| x as f64)),
            opt(data::field(d, "min_margin_bits")),
            opt(data::field(d, "min_neuron_ratio")),
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
fn gap(s: &mut String, r: &RunResults, c: &CheckResult, figs: &FigureOutcomes) {
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
    if let Some(fit) = data::fit(c, "fit") {
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

/// Section of a check without a dedicated rendering: its detail as compact JSON.
fn generic(s: &mut String, c: &CheckResult) {
    if c.detail.is_null() {
        s.push_str("\nNo detail recorded.\n");
    } else {
        let _ = writeln!(
            s,
            "\nDetail as recorded:\n\n```json\n{}\n```",
            compact(&c.detail, MAX_DETAIL_CHARS)
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
        let (pass, fail) = counts(r);
        let _ = writeln!(
            s,
            "- [`{scale}`]({scale}/README.md): {} checks, {pass} pass, {fail} fail; {} (git `{}`, seed {})",
            r.checks.len(),
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
        s.push_str(&checks_table(best, &format!("{scale}/README.md")));
    }
    s
}
