//! Figures extracted from a [`RunResults`]: records grouped per size, check details parsed
//! leniently.
//!
//! Every accessor tolerates absence: a missing check, record kind or detail field yields
//! `None` or an empty list, never a panic, because a results file may come from an older or
//! partial run.

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde_json::Value;
use superposition_core::results::{CheckResult, LineFit, Record, RunResults};

use crate::stats::{median, wilson};

/// Check id of the representation scaling check (R1).
pub(crate) const REPRESENTATION: &str = "representation";
/// Check id of the 2-AND upper-bound check (T3).
pub(crate) const AND2_UPPER: &str = "and2-upper";
/// Check id of the lower-bound sanity check (T1/T2).
pub(crate) const LOWER_SANITY: &str = "lower-sanity";
/// Check id of the representing-vs-computing gap.
pub(crate) const GAP: &str = "gap";

/// The check with this id, if it ran.
pub(crate) fn check<'a>(results: &'a RunResults, id: &str) -> Option<&'a CheckResult> {
    results.checks.iter().find(|c| c.id == id)
}

/// `detail[key]` deserialised as `T`, `None` if absent or of another shape.
pub(crate) fn field<T: DeserializeOwned>(detail: &Value, key: &str) -> Option<T> {
    detail.get(key).and_then(|v| serde_json::from_value(v.clone()).ok())
}

/// `detail.fit` as a [`LineFit`].
pub(crate) fn fit(check: &CheckResult, key: &str) -> Option<LineFit> {
    field(&check.detail, key)
}

/// δ of a check: its `detail.delta`, else the run's configured δ.
pub(crate) fn delta(results: &RunResults, check: Option<&CheckResult>) -> f64 {
    check
        .and_then(|c| field::<f64>(&c.detail, "delta"))
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
    value: impl Fn(&superposition_core::results::Resources) -> f64,
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

/// d*(m) per seed from `RepresentationMinWidth`, and t at d* per seed.
pub(crate) fn representation_widths(results: &RunResults) -> (Vec<PerSize>, Vec<PerSize>) {
    let rows = || {
        results.records.iter().filter_map(|r| match r {
            Record::RepresentationMinWidth { m, width, t, .. } => Some((*m, *width, *t)),
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
    let Some(rows) = check.detail.get("constants").and_then(Value::as_array) else {
        return Vec::new();
    };
    rows.iter()
        .map(|row| And2Constants {
            m_prime: field(row, "m_prime"),
            n_star: field(row, "n_star"),
            c_upper: field(row, "c_upper"),
            c_lower: field(row, "c_lower"),
            p_star: field(row, "p_star"),
            c_params: field(row, "c_params"),
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
    if let Some(points) = check(results, GAP)
        .and_then(|c| c.detail.get("points"))
        .and_then(Value::as_array)
    {
        let parsed: Vec<GapPoint> = points
            .iter()
            .filter_map(|p| {
                Some(GapPoint {
                    m_prime: field(p, "m_prime")?,
                    n_star: field(p, "n_star")?,
                    d_star: field(p, "d_star")?,
                })
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
