//! Figures extracted from a [`RunResults`]: records grouped per size, figures read from the
//! checks' typed details.
//!
//! Every accessor tolerates absence: a missing check, record kind or detail field yields
//! `None` or an empty list, never a panic, because a results file may come from an older or
//! partial run.

use std::collections::BTreeMap;

use superposition_schema::checks::probe_decoder::ProbePoint;
use superposition_schema::checks::{CheckDetail, CheckId, exhaustive};
use superposition_schema::results::{CheckResult, LineFit, Record, RepresentationCode, RunResults};

use crate::stats::{median, wilson};

/// Check id of the representation scaling check (R1).
pub(crate) const REPRESENTATION: CheckId = CheckId::Representation;
/// Check id of the 2-AND upper-bound check (T3).
pub(crate) const AND2_UPPER: CheckId = CheckId::And2Upper;
/// Check id of the representing-vs-computing gap.
pub(crate) const GAP: CheckId = CheckId::Gap;

/// The check with this id, if it ran.
pub(crate) fn check(results: &RunResults, id: CheckId) -> Option<&CheckResult> {
    results.check(id)
}

/// Which of a check's fitted lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fit {
    /// Its main fit (`detail.fit`).
    Main,
    /// `and2-upper`'s fit of the parameter count p* (`detail.param_fit`).
    Params,
}

/// A check's fitted line, from its typed detail; `None` if the check has no such fit.
pub(crate) fn fit(check: &CheckResult, which: Fit) -> Option<LineFit> {
    match &check.detail {
        CheckDetail::Gap(d) => d.fit.filter(|_| which == Fit::Main),
        CheckDetail::Representation(d) => d.fit.filter(|_| which == Fit::Main),
        CheckDetail::Capacity(d) => d.fit.filter(|_| which == Fit::Main),
        CheckDetail::And2Upper(d) => match which {
            Fit::Main => d.fit,
            Fit::Params => d.param_fit,
        },
        CheckDetail::LowerSanity(_)
        | CheckDetail::ProbeDecoder(_)
        | CheckDetail::Exhaustive(_)
        | CheckDetail::Chernoff(_)
        | CheckDetail::DescriptionLength(_)
        | CheckDetail::Influence(_)
        | CheckDetail::WorstCase(_)
        | CheckDetail::Permutation(_)
        | CheckDetail::UAnd(_)
        | CheckDetail::Depth2(_)
        | CheckDetail::Trained(_) => None,
    }
}

/// δ of a check: its `detail.delta`, else the run's configured δ.
pub(crate) fn delta(results: &RunResults, check: Option<&CheckResult>) -> f64 {
    check
        .and_then(|c| match &c.detail {
            CheckDetail::Representation(d) => Some(d.delta),
            CheckDetail::And2Upper(d) => Some(d.delta),
            CheckDetail::Influence(d) => Some(d.delta),
            CheckDetail::WorstCase(d) => Some(d.delta),
            CheckDetail::Permutation(d) => Some(d.delta),
            CheckDetail::UAnd(d) => Some(d.delta),
            CheckDetail::Depth2(d) => Some(d.delta),
            CheckDetail::Trained(d) => Some(d.delta),
            CheckDetail::Capacity(d) => Some(d.delta),
            CheckDetail::LowerSanity(_)
            | CheckDetail::Gap(_)
            | CheckDetail::ProbeDecoder(_)
            | CheckDetail::Exhaustive(_)
            | CheckDetail::Chernoff(_)
            | CheckDetail::DescriptionLength(_) => None,
        })
        .unwrap_or(results.config.delta)
}

/// Per-seed values of one size, and their median.
#[derive(Debug, Clone)]
pub(crate) struct PerSize {
    /// The size (m or m′).
    pub size: u64,
    /// One value per seed, in record order.
    pub values: Vec<f64>,
}

impl PerSize {
    /// Median over seeds.
    pub fn median(&self) -> Option<f64> {
        median(&self.values)
    }

    /// Smallest value over seeds.
    pub fn min(&self) -> f64 {
        self.values.iter().copied().fold(f64::INFINITY, f64::min)
    }

    /// Largest value over seeds.
    pub fn max(&self) -> f64 {
        self.values.iter().copied().fold(f64::NEG_INFINITY, f64::max)
    }
}

/// Group (size, value) pairs by size, sizes ascending.
fn group(pairs: impl Iterator<Item = (u64, f64)>) -> Vec<PerSize> {
    let mut map: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
    for (size, v) in pairs {
        map.entry(size).or_default().push(v);
    }
    map.into_iter().map(|(size, values)| PerSize { size, values }).collect()
}

/// Which `And2MinWidth` records the main figures use: those with centering on if any
/// exist (the construction as specified), else all of them.
fn main_centering(results: &RunResults) -> Option<bool> {
    let mut seen = (false, false);
    for r in &results.records {
        if let Record::And2MinWidth { centering, .. } = r {
            if *centering {
                seen.0 = true;
            } else {
                seen.1 = true;
            }
        }
    }
    match seen {
        (true, _) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

/// A figure of the minimal-width AS-2AND networks, per m′, for one centering setting.
fn and2_min(
    results: &RunResults,
    centering: bool,
    value: impl Fn(&superposition_schema::results::Resources) -> f64,
) -> Vec<PerSize> {
    group(results.records.iter().filter_map(|r| match r {
        Record::And2MinWidth {
            m_prime,
            centering: c,
            resources,
            ..
        } if *c == centering => Some((*m_prime, value(resources))),
        _ => None,
    }))
}

/// n*(m′) per seed for the main centering setting, and (if also present) for the other.
pub(crate) fn and2_widths(results: &RunResults) -> (Vec<PerSize>, Vec<PerSize>) {
    match main_centering(results) {
        None => (Vec::new(), Vec::new()),
        Some(c) => (
            and2_min(results, c, |r| r.hidden_width as f64),
            and2_min(results, !c, |r| r.hidden_width as f64),
        ),
    }
}

/// p*(m′) (parameters at n*) per seed, main centering setting.
pub(crate) fn and2_params(results: &RunResults) -> Vec<PerSize> {
    main_centering(results).map_or_else(Vec::new, |c| and2_min(results, c, |r| r.parameters as f64))
}

/// Parameter bits at n* per seed, main centering setting.
pub(crate) fn and2_param_bits(results: &RunResults) -> Vec<PerSize> {
    main_centering(results).map_or_else(Vec::new, |c| and2_min(results, c, |r| r.parameter_bits as f64))
}

/// d*(m) per seed from `RepresentationMinWidth` of the Bloom code (not the negative control's
/// folded one-hot code), and t at d* per seed.
pub(crate) fn representation_widths(results: &RunResults) -> (Vec<PerSize>, Vec<PerSize>) {
    let rows = || {
        results.records.iter().filter_map(|r| match r {
            Record::RepresentationMinWidth {
                m,
                width,
                t,
                code: RepresentationCode::Bloom,
                ..
            } => Some((*m, *width, *t)),
            _ => None,
        })
    };
    (
        group(rows().map(|(m, w, _)| (m, w as f64))),
        group(rows().map(|(m, _, t)| (m, t as f64))),
    )
}

/// One row of `and2-upper`'s `detail.constants`; every field optional.
#[derive(Debug, Clone, Default)]
pub(crate) struct And2Constants {
    /// m′.
    pub m_prime: Option<u64>,
    /// Median n* over seeds.
    pub n_star: Option<f64>,
    /// n*/(√m′·log₂ m′).
    pub c_upper: Option<f64>,
    /// n*/√(m′·log₂ m′).
    pub c_lower: Option<f64>,
    /// Median p*.
    pub p_star: Option<f64>,
    /// p*/(m′·log₂² m′).
    pub c_params: Option<f64>,
}

/// `detail.constants` of `and2-upper`, rows in file order.
pub(crate) fn and2_constants(check: &CheckResult) -> Vec<And2Constants> {
    let CheckDetail::And2Upper(d) = &check.detail else {
        return Vec::new();
    };
    d.constants
        .iter()
        .map(|row| And2Constants {
            m_prime: Some(row.m_prime),
            n_star: Some(row.n_star),
            c_upper: Some(row.c_upper),
            c_lower: Some(row.c_lower),
            p_star: Some(row.p_star),
            c_params: Some(row.c_params),
        })
        .collect()
}

/// Failure against hidden width for one m′ (and centering), pooled over seeds.
#[derive(Debug, Clone)]
pub(crate) struct Sweep {
    /// m′.
    pub m_prime: u64,
    /// Whether centering was on.
    pub centering: bool,
    /// (width, failures, samples), widths ascending, pooled over seeds.
    pub points: Vec<(usize, u64, u64)>,
}

impl Sweep {
    /// (width, rate, wilson lo, wilson hi) per width.
    pub fn rates(&self) -> Vec<(f64, f64, f64, f64)> {
        self.points
            .iter()
            .filter(|p| p.2 > 0)
            .map(|&(w, f, n)| {
                let (lo, hi) = wilson(f, n);
                (w as f64, f as f64 / n as f64, lo, hi)
            })
            .collect()
    }
}

/// `And2Probe` records with purpose `sweep`, pooled over seeds at equal width: failures and
/// samples are summed and the rate recomputed (averaging per-seed rates would weigh seeds
/// with fewer samples too much).
pub(crate) fn and2_sweeps(results: &RunResults) -> Vec<Sweep> {
    let mut map: BTreeMap<(u64, bool), BTreeMap<usize, (u64, u64)>> = BTreeMap::new();
    for r in &results.records {
        if let Record::And2Probe {
            purpose,
            m_prime,
            centering,
            resources,
            failure,
            ..
        } = r
            && purpose == "sweep"
        {
            let cell = map
                .entry((*m_prime, !*centering))
                .or_default()
                .entry(resources.hidden_width)
                .or_default();
            cell.0 += failure.failures;
            cell.1 += failure.samples;
        }
    }
    map.into_iter()
        .map(|((m_prime, not_centering), widths)| Sweep {
            m_prime,
            centering: !not_centering,
            points: widths.into_iter().map(|(w, (f, n))| (w, f, n)).collect(),
        })
        .collect()
}

/// `LowerSanity` records summarised per (network, m′): the tightest case over seeds.
#[derive(Debug, Clone)]
pub(crate) struct SanityRow {
    /// Construction name.
    pub network: String,
    /// m′.
    pub m_prime: u64,
    /// Networks (seeds) summarised.
    pub count: usize,
    /// Smallest parameter bits.
    pub parameter_bits: u64,
    /// log₂ #instances (largest seen, normally the same for all seeds).
    pub log2_instances: f64,
    /// Smallest neuron count.
    pub neurons: usize,
    /// Neuron bound (largest seen).
    pub neuron_bound: f64,
}

/// Per (network, m′) summary of the lower-bound sanity records.
pub(crate) fn sanity_rows(results: &RunResults) -> Vec<SanityRow> {
    let mut map: BTreeMap<(String, u64), SanityRow> = BTreeMap::new();
    for r in &results.records {
        if let Record::LowerSanity {
            network,
            m_prime,
            parameter_bits,
            log2_instances,
            neurons,
            neuron_bound,
            ..
        } = r
        {
            let row = map.entry((network.clone(), *m_prime)).or_insert_with(|| SanityRow {
                network: network.clone(),
                m_prime: *m_prime,
                count: 0,
                parameter_bits: u64::MAX,
                log2_instances: f64::NEG_INFINITY,
                neurons: usize::MAX,
                neuron_bound: f64::NEG_INFINITY,
            });
            row.count += 1;
            row.parameter_bits = row.parameter_bits.min(*parameter_bits);
            row.log2_instances = row.log2_instances.max(*log2_instances);
            row.neurons = row.neurons.min(*neurons);
            row.neuron_bound = row.neuron_bound.max(*neuron_bound);
        }
    }
    map.into_values().collect()
}

/// One point of the representing-vs-computing gap.
#[derive(Debug, Clone, Copy)]
pub(crate) struct GapPoint {
    /// m′ (= m for the representation side).
    pub m_prime: u64,
    /// n*(m′), median.
    pub n_star: f64,
    /// d*(m′), median.
    pub d_star: f64,
}

/// The gap points: `gap.detail.points` if present, else the medians of n* and d* at the
/// sizes both checks measured.
pub(crate) fn gap_points(results: &RunResults) -> Vec<GapPoint> {
    if let Some(CheckDetail::Gap(d)) = check(results, GAP).map(|c| &c.detail) {
        let parsed: Vec<GapPoint> = d
            .points
            .iter()
            .map(|p| GapPoint {
                m_prime: p.m_prime,
                n_star: p.n_star,
                d_star: p.d_star,
            })
            .collect();
        if !parsed.is_empty() {
            return parsed;
        }
    }
    let (n, _) = and2_widths(results);
    let (d, _) = representation_widths(results);
    n.iter()
        .filter_map(|ns| {
            let ds = d.iter().find(|ds| ds.size == ns.size)?;
            Some(GapPoint {
                m_prime: ns.size,
                n_star: ns.median()?,
                d_star: ds.median()?,
            })
        })
        .collect()
}

/// Check id of the capacity check (C1).
pub(crate) const CAPACITY: CheckId = CheckId::Capacity;
/// Check id of the measured-failure-vs-analytic-bound check.
pub(crate) const CHERNOFF: CheckId = CheckId::Chernoff;
/// Check id of the description-length check (T1's minimum, measured).
pub(crate) const DESCRIPTION_LENGTH: CheckId = CheckId::DescriptionLength;
/// Check id of the probe decoder (T1's decoding step, executed).
pub(crate) const PROBE_DECODER: CheckId = CheckId::ProbeDecoder;
/// Check id of the exhaustive tiny-network enumeration (the counting lemma).
pub(crate) const EXHAUSTIVE: CheckId = CheckId::Exhaustive;

/// One capacity measurement: one width, one seed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct CapacityPoint {
    /// Hidden width n.
    pub width: u64,
    /// Largest m′ passing (0 if none did).
    pub m_max: u64,
    /// Smallest m′ failing above it (0 if none measured).
    pub m_failing: u64,
    /// Counting capacity of the network's parameter bits (0 if unknown).
    pub counting: u64,
    /// Parameter bits of the network at m′_max.
    pub parameter_bits: Option<f64>,
    /// log₂ #instances at m′_max.
    pub log2_instances: Option<f64>,
}

/// `Capacity` records, else `capacity.detail.points`.
pub(crate) fn capacity_points(results: &RunResults) -> Vec<CapacityPoint> {
    let from_records: Vec<CapacityPoint> = results
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Capacity {
                hidden_width,
                m_prime_max,
                m_prime_failing,
                resources,
                log2_instances,
                counting_capacity,
                ..
            } => Some(CapacityPoint {
                width: *hidden_width as u64,
                m_max: *m_prime_max,
                m_failing: *m_prime_failing,
                counting: *counting_capacity,
                parameter_bits: resources.map(|r| r.parameter_bits as f64),
                log2_instances: Some(*log2_instances),
            }),
            _ => None,
        })
        .collect();
    if !from_records.is_empty() {
        return from_records;
    }
    let Some(CheckDetail::Capacity(d)) = check(results, CAPACITY).map(|c| &c.detail) else {
        return Vec::new();
    };
    d.points
        .iter()
        .map(|p| CapacityPoint {
            width: p.hidden_width as u64,
            m_max: p.m_prime_max,
            m_failing: p.m_prime_failing,
            counting: p.counting_capacity,
            parameter_bits: p.parameter_bits.map(|b| b as f64),
            log2_instances: Some(p.log2_instances),
        })
        .collect()
}

/// Per-width groups of a capacity figure (values of 0 left out: no m′ passed there).
pub(crate) fn capacity_groups(points: &[CapacityPoint], value: impl Fn(&CapacityPoint) -> u64) -> Vec<PerSize> {
    group(
        points
            .iter()
            .filter(|p| value(p) > 0)
            .map(|p| (p.width, value(p) as f64)),
    )
}

/// One measured failure rate beside its analytic bound.
#[derive(Debug, Clone)]
pub(crate) struct ChernoffPoint {
    /// Where it was measured (`search`, `sweep`, `capacity`, `chernoff`).
    pub source: String,
    /// Samples measured.
    pub samples: u64,
    /// Failures.
    pub failures: u64,
    /// Measured rate.
    pub rate: f64,
    /// Wilson 95 % lower end of the rate.
    pub wilson_lo: f64,
    /// The per-sample bound (may exceed 1).
    pub bound: f64,
}

/// `Chernoff` records.
pub(crate) fn chernoff_points(results: &RunResults) -> Vec<ChernoffPoint> {
    results
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Chernoff {
                source, failure, bound, ..
            } => Some(ChernoffPoint {
                source: source.clone(),
                samples: failure.samples,
                failures: failure.failures,
                rate: failure.rate,
                wilson_lo: failure.wilson_lo,
                bound: bound.sample,
            }),
            _ => None,
        })
        .collect()
}

/// One row of `chernoff.detail.bound_widths`: where the bound first reaches δ, beside n*.
#[derive(Debug, Clone, Default)]
pub(crate) struct BoundWidth {
    /// m′.
    pub m_prime: Option<f64>,
    /// Median n*.
    pub n_star: Option<f64>,
    /// Smallest width at which the bound is ≤ δ.
    pub n_bound: Option<f64>,
    /// n_bound / n*.
    pub ratio: Option<f64>,
    /// The bound at n*.
    pub bound_at_n_star: Option<f64>,
}

/// `chernoff.detail.bound_widths`.
pub(crate) fn bound_widths(results: &RunResults) -> Vec<BoundWidth> {
    let Some(CheckDetail::Chernoff(d)) = check(results, CHERNOFF).map(|c| &c.detail) else {
        return Vec::new();
    };
    d.bound_widths
        .iter()
        .map(|p| BoundWidth {
            m_prime: Some(p.m_prime),
            n_star: Some(p.n_star),
            n_bound: Some(p.n_bound as f64),
            ratio: Some(p.bound_over_measured),
            bound_at_n_star: Some(p.bound_at_n_star),
        })
        .collect()
}

/// Description size of one network at n*.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DescriptionPoint {
    /// m′.
    pub m_prime: u64,
    /// Hidden width (n*).
    pub width: f64,
    /// Parameters.
    pub parameters: f64,
    /// Parameters × bits.
    pub parameter_bits: f64,
    /// Entropy-coded size, bits.
    pub entropy_bits: f64,
    /// Empirical entropy per weight numerator, bits.
    pub weight_entropy: Option<f64>,
    /// log₂ #instances.
    pub log2_instances: f64,
}

impl DescriptionPoint {
    /// (parameters × bits) / log₂ #instances.
    pub fn factor_bits(&self) -> f64 {
        self.parameter_bits / self.log2_instances
    }

    /// Entropy-coded bits / log₂ #instances.
    pub fn factor_entropy(&self) -> f64 {
        self.entropy_bits / self.log2_instances
    }
}

/// `DescriptionLength` records, else `description-length.detail.points`; by m′.
pub(crate) fn description_points(results: &RunResults) -> Vec<DescriptionPoint> {
    let mut out: Vec<DescriptionPoint> = results
        .records
        .iter()
        .filter_map(|r| match r {
            Record::DescriptionLength {
                m_prime,
                hidden_width,
                parameters,
                parameter_bits,
                entropy_bits,
                weight_entropy,
                log2_instances,
                ..
            } => Some(DescriptionPoint {
                m_prime: *m_prime,
                width: *hidden_width as f64,
                parameters: *parameters as f64,
                parameter_bits: *parameter_bits as f64,
                entropy_bits: *entropy_bits,
                weight_entropy: Some(*weight_entropy),
                log2_instances: *log2_instances,
            }),
            _ => None,
        })
        .collect();
    if out.is_empty()
        && let Some(CheckDetail::DescriptionLength(d)) = check(results, DESCRIPTION_LENGTH).map(|c| &c.detail)
    {
        out = d
            .points
            .iter()
            .map(|p| DescriptionPoint {
                m_prime: p.m_prime as u64,
                width: p.hidden_width as f64,
                parameters: p.parameters as f64,
                parameter_bits: p.parameter_bits as f64,
                entropy_bits: p.entropy_bits,
                weight_entropy: Some(p.weight_entropy),
                log2_instances: p.log2_instances,
            })
            .collect();
    }
    out.retain(|p| p.log2_instances > 0.0);
    out.sort_by_key(|p| p.m_prime);
    out
}

/// One probe-decoder run.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ProbeRow {
    /// m′.
    pub m_prime: u64,
    /// m.
    pub m: Option<u64>,
    /// Hidden width decoded.
    pub width: u64,
    /// width / n*.
    pub factor: f64,
    /// 1-sparse probes.
    pub one_sparse: u64,
    /// 2-sparse probes.
    pub two_sparse: u64,
    /// C(m, 2).
    pub naive: u64,
    /// Probes answered wrongly.
    pub wrong: u64,
    /// Outputs decoded to the wrong pair.
    pub mismatches: u64,
    /// Whether the probe budget was exceeded.
    pub over_budget: bool,
    /// Decoding wall time (from the detail; machine-dependent).
    pub seconds: Option<f64>,
}

/// `ProbeDecoder` records (seconds joined from the detail), else `detail.points`.
pub(crate) fn probe_rows(results: &RunResults) -> Vec<ProbeRow> {
    let points: &[ProbePoint] = match check(results, PROBE_DECODER).map(|c| &c.detail) {
        Some(CheckDetail::ProbeDecoder(d)) => &d.points,
        _ => &[],
    };
    let seconds_of = |m_prime: u64, width: u64| {
        points
            .iter()
            .find(|p| p.m_prime as u64 == m_prime && p.width as u64 == width)
            .map(|p| p.seconds)
    };
    let from_records: Vec<ProbeRow> = results
        .records
        .iter()
        .filter_map(|r| match r {
            Record::ProbeDecoder {
                m_prime,
                m,
                hidden_width,
                width_factor,
                one_sparse_probes,
                two_sparse_probes,
                naive_probes,
                wrong_probes,
                mismatches,
                over_budget,
                ..
            } => Some(ProbeRow {
                m_prime: *m_prime,
                m: Some(*m),
                width: *hidden_width as u64,
                factor: *width_factor,
                one_sparse: *one_sparse_probes,
                two_sparse: *two_sparse_probes,
                naive: *naive_probes,
                wrong: *wrong_probes,
                mismatches: *mismatches,
                over_budget: *over_budget,
                seconds: seconds_of(*m_prime, *hidden_width as u64),
            }),
            _ => None,
        })
        .collect();
    if !from_records.is_empty() {
        return from_records;
    }
    points
        .iter()
        .map(|p| ProbeRow {
            m_prime: p.m_prime as u64,
            m: None,
            width: p.width as u64,
            factor: p.factor,
            one_sparse: p.one_sparse_probes,
            two_sparse: p.two_sparse_probes,
            naive: p.naive_probes,
            wrong: p.wrong_probes,
            mismatches: p.mismatches,
            over_budget: p.over_budget,
            seconds: Some(p.seconds),
        })
        .collect()
}

/// One row of the exhaustive minimal-width table.
#[derive(Debug, Clone)]
pub(crate) struct MinimalWidth {
    /// Readout name.
    pub readout: String,
    /// m.
    pub inputs: u64,
    /// m′.
    pub m_prime: u64,
    /// C(C(m,2), m′).
    pub total: u64,
    /// Smallest width computing some instance.
    pub min_width: Option<u64>,
    /// Smallest width computing every instance.
    pub width_all: Option<u64>,
    /// Instances computed by the largest width enumerated.
    pub computed: Option<u64>,
    /// (width, instances whose minimal width it is).
    pub histogram: Vec<(u64, u64)>,
}

/// `exhaustive.detail.minimal_width`, else the same table rebuilt from `Exhaustive` records.
pub(crate) fn exhaustive_table(results: &RunResults) -> Vec<MinimalWidth> {
    let table: &[exhaustive::MinimalWidth] = match check(results, EXHAUSTIVE).map(|c| &c.detail) {
        Some(CheckDetail::Exhaustive(d)) => &d.minimal_width,
        _ => &[],
    };
    let rows: Vec<MinimalWidth> = table
        .iter()
        .map(|t| MinimalWidth {
            readout: t.readout.name().to_string(),
            inputs: t.inputs as u64,
            m_prime: t.m_prime as u64,
            total: t.instances_total,
            min_width: t.min_width.map(|w| w as u64),
            width_all: t.width_computing_all.map(|w| w as u64),
            computed: Some(t.computed_at_max_width),
            histogram: t
                .minimal_width_histogram
                .iter()
                .map(|h| (h.width as u64, h.instances))
                .collect(),
        })
        .collect();
    if !rows.is_empty() {
        return rows;
    }
    let mut map: BTreeMap<(String, u64, u64), MinimalWidth> = BTreeMap::new();
    for r in &results.records {
        if let Record::Exhaustive { row, .. } = r {
            let readout = row.readout.name().to_string();
            let e = map
                .entry((readout.clone(), row.inputs as u64, row.m_prime as u64))
                .or_insert_with(|| MinimalWidth {
                    readout,
                    inputs: row.inputs as u64,
                    m_prime: row.m_prime as u64,
                    total: row.instances_total,
                    min_width: None,
                    width_all: None,
                    computed: Some(0),
                    histogram: Vec::new(),
                });
            let w = row.width as u64;
            if row.instances_computed > 0 {
                e.min_width = Some(e.min_width.map_or(w, |m| m.min(w)));
            }
            if row.instances_computed == row.instances_total {
                e.width_all = Some(e.width_all.map_or(w, |m| m.min(w)));
            }
            e.computed = e.computed.map(|c| c + row.minimal_width_here);
            e.histogram.push((w, row.minimal_width_here));
        }
    }
    map.into_values()
        .map(|mut e| {
            e.histogram.sort_unstable();
            e
        })
        .collect()
}

/// Exhaustive cells: (cells, cells above 2^bits, largest log₂(computed) − bits).
pub(crate) fn exhaustive_cells(results: &RunResults) -> (usize, usize, Option<f64>) {
    let (mut cells, mut above, mut worst) = (0, 0, None::<f64>);
    for r in &results.records {
        if let Record::Exhaustive { row, .. } = r {
            cells += 1;
            if row.instances_computed > 0 {
                let excess = (row.instances_computed as f64).log2() - row.parameter_bits;
                above += usize::from(excess > 0.0);
                worst = Some(worst.map_or(excess, |w| w.max(excess)));
            }
        }
    }
    (cells, above, worst)
}

/// Group (size, value) pairs by size, sizes ascending (non-finite values dropped).
pub(crate) fn group_sizes(pairs: impl Iterator<Item = (u64, f64)>) -> Vec<PerSize> {
    group(pairs.filter(|p| p.1.is_finite()))
}
