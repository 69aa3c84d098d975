//! The claims `verify-bounds` checks (SPEC §4), each producing a PASS/FAIL verdict with the
//! measured figure beside the theory, plus one [`Record`] per measurement.
//!
//! Checks run in order: `representation` (R1), `and2-upper` (T3), `lower-sanity` (T1/T2 on
//! every network built), `gap` (representing vs computing), then the lower bound executed:
//! `probe-decoder`, `exhaustive`, `capacity` (C1), `chernoff`, `description-length`. The
//! `lower-sanity` verdict is recomputed after the last check, so it covers every network any
//! check built. Then computation beyond one AS-2AND layer (issue 5): `influence` (the input
//! channel), `worst-case` (adversarial inputs), `permutation` (linear maps), `u-and` (the
//! ε-linear readout), `depth-2` (two layers composed) and `trained` (networks trained with
//! the same codes, between the bounds). Each criterion is stated in the check's `theory` string and fixed before any
//! run: a check is never tuned until it passes.
//!
//! Every expensive unit of a check runs as a cell ([`Runner::cell`], [`cells`]): a stable id,
//! its records and value written together when it finishes, so that a run resumes, shards
//! and merges to the results of one uninterrupted run (README, "Long runs").

mod and2_upper;
mod capacity;
pub mod cells;
mod chernoff;
pub mod depth2;
mod description_length;
mod exhaustive;
mod gap;
pub mod influence;
mod lower_sanity;
pub mod permutation;
mod probe_decoder;
mod representation;
pub mod trained;
pub mod u_and;
pub mod worst_case;
mod worst_case_certified;
pub use worst_case_certified::params_at as certified_params;

use std::collections::BTreeMap;
use std::time::Instant;

pub use and2_upper::and2_search;

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::base::instance::{And2Instance, PairDistribution};
use crate::base::sample::InputDistribution;
use crate::error::{Error, Result, invalid};
use crate::evaluate::eval::SampleSpec;
use crate::results::{CheckResult, LineFit, Record, Resources, RunConfig, RunResults, Status};
use crate::rng::{derive_seed, stream};
use crate::stats::bootstrap_line;
use crate::theory;
use cells::{CellMarker, CellMode, CellStore, TallyDelta, shard_of};
use superposition_schema::checks::CheckId;
pub use superposition_schema::config::{LowerBoundConfig, Scale, ScaleConfig};

/// Receives records as they are made (to stream them to disk) and progress.
pub trait Observer {
    /// A measurement was made.
    fn record(&mut self, record: &Record);
    /// `done` of `total` units of the current check are finished.
    fn progress(&mut self, check: &str, done: u64, total: u64, message: &str);
    /// A cell finished (computed, not replayed): its records, made while it ran and not
    /// passed to [`Observer::record`], then its marker. A file observer writes them together
    /// ([`cells`] describes the layout).
    fn cell(&mut self, records: &[Record], marker: &CellMarker) {
        for record in records {
            self.record(record);
        }
        let _ = marker;
    }
}

/// An observer that ignores everything.
pub struct Silent;

impl Observer for Silent {
    fn record(&mut self, _: &Record) {}
    fn progress(&mut self, _: &str, _: u64, _: u64, _: &str) {}
}

/// Lower-bound sanity of every network built (check `lower-sanity`): counts and minima, so the
/// tallies of cells merge ([`SanityTally::merge`]) in any order to one run's.
#[derive(Debug, Clone, Copy)]
struct SanityTally {
    networks: u64,
    violations: u64,
    min_margin_bits: f64,
    min_neuron_ratio: f64,
}

impl Default for SanityTally {
    /// No network yet: the minima start at +∞.
    fn default() -> Self {
        Self {
            networks: 0,
            violations: 0,
            min_margin_bits: f64::INFINITY,
            min_neuron_ratio: f64::INFINITY,
        }
    }
}

impl SanityTally {
    /// Adds one network built for `instance`: its parameter bits against log₂ #instances and
    /// its neurons against the bound that follows at its bits per parameter.
    fn add(&mut self, instance: &And2Instance, resources: &Resources) {
        let log2_instances = theory::log2_and2_instances(instance.inputs() as u64, instance.outputs() as u64);
        let bits_per_parameter = resources.parameter_bits as f64 / resources.parameters as f64;
        let bound = theory::neuron_lower_bound(log2_instances, bits_per_parameter);
        let margin = resources.parameter_bits as f64 - log2_instances;
        let ratio = resources.neurons as f64 / bound;
        self.networks += 1;
        self.violations += u64::from(margin < 0.0 || ratio < 1.0);
        self.min_margin_bits = self.min_margin_bits.min(margin);
        self.min_neuron_ratio = self.min_neuron_ratio.min(ratio);
    }

    /// Adds another tally (a cell's).
    fn merge(&mut self, other: &SanityTally) {
        self.networks += other.networks;
        self.violations += other.violations;
        self.min_margin_bits = self.min_margin_bits.min(other.min_margin_bits);
        self.min_neuron_ratio = self.min_neuron_ratio.min(other.min_neuron_ratio);
    }
}

/// Runs checks at one scale.
pub struct Runner<'a> {
    config: ScaleConfig,
    seed: u64,
    observer: &'a mut dyn Observer,
    records: Vec<Record>,
    /// Where each finished check's records are in `records`, in run order, and whether they
    /// are a control's; the running check's start is `current`.
    spans: Vec<(CheckId, std::ops::Range<usize>, bool)>,
    current: Option<(CheckId, usize)>,
    tally: SanityTally,
    /// The checks to run, in [`CheckId::ALL`] order.
    selected: Vec<CheckId>,
    /// Checks added to the selection because a selected check consumes them: (added, by).
    added: Vec<(CheckId, CheckId)>,
    /// Negative-control mode: every check runs on its deliberately wrong input
    /// ([`CheckId::control`]), on which a correct check FAILs.
    control: bool,
    /// Finished cells to replay (a resumed, sharded or merging run).
    store: CellStore,
    /// Which cells this run computes.
    mode: CellMode,
    /// The running cell's first record in `records` (cells do not nest).
    in_cell: Option<usize>,
    /// Cells this run needed but neither held nor computed (sharded or replay-only runs).
    deferred_cells: Vec<String>,
    /// How many cells were replayed and computed.
    replayed: u64,
    computed: u64,
}

/// n*(m′) of `and2-upper` per seed, per log₂ m′ (centering on): what `gap`, `probe-decoder`,
/// `chernoff`, `description-length`, `influence`, `worst-case` and `depth-2` consume.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct And2Widths(pub BTreeMap<u32, Vec<f64>>);

impl And2Widths {
    /// n* of seed `s` at 2^`log_m`, and whether `and2-upper` measured it; for a size or seed
    /// it did not measure, 8·√(m′·log₂ m′), near the measured n* at 2¹⁰–2¹² (the prototype's
    /// 5–6 is too narrow there).
    pub fn n_star(&self, log_m: u32, s: usize) -> (usize, bool) {
        match self.0.get(&log_m).and_then(|w| w.get(s)) {
            Some(&w) => (w as usize, true),
            None => (
                (8.0 * crate::theory::lower_shape((1u64 << log_m) as f64)).round() as usize,
                false,
            ),
        }
    }
}

/// Median d*(m) of `representation` per log₂ m: what `gap` and `permutation` consume.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct RepresentationMedians(pub BTreeMap<u32, f64>);

/// What finished checks hand to the checks that consume them ([`CheckId::consumes`]).
#[derive(Debug, Default)]
struct Products {
    representation: Option<RepresentationMedians>,
    and2_upper: Option<And2Widths>,
}

impl Products {
    fn and2_upper(&self) -> Result<&And2Widths> {
        self.and2_upper.as_ref().ok_or_else(|| missing(CheckId::And2Upper))
    }

    fn representation(&self) -> Result<&RepresentationMedians> {
        self.representation
            .as_ref()
            .ok_or_else(|| missing(CheckId::Representation))
    }
}

/// A consumed product that is absent: the run order guarantees it never happens.
fn missing(producer: CheckId) -> crate::Error {
    invalid(
        "checks",
        producer,
        format!("{producer} must run before the checks that consume it (see CheckId::consumes)"),
    )
}

impl<'a> Runner<'a> {
    /// A runner for `config` under master `seed`.
    pub fn new(config: ScaleConfig, seed: u64, observer: &'a mut dyn Observer) -> Result<Self> {
        config.validate()?;
        Ok(Self {
            config,
            seed,
            observer,
            records: Vec::new(),
            spans: Vec::new(),
            current: None,
            tally: SanityTally::default(),
            selected: CheckId::ALL.to_vec(),
            added: Vec::new(),
            control: false,
            store: CellStore::default(),
            mode: CellMode::All,
            in_cell: None,
            deferred_cells: Vec::new(),
            replayed: 0,
            computed: 0,
        })
    }

    /// Replays the cells of `store` instead of computing them, and computes the others as
    /// `mode` says ([`cells`]).
    pub fn with_cells(mut self, store: CellStore, mode: CellMode) -> Self {
        self.store = store;
        self.mode = mode;
        self
    }

    /// (cells replayed, cells computed) so far.
    pub fn cell_counts(&self) -> (u64, u64) {
        (self.replayed, self.computed)
    }

    /// Runs `work` as the cell `key` of the running check (id: the check, `/control` under the
    /// negative control, `/`, `key`), or replays it: a cell in the store re-emits its records,
    /// merges its tally and returns its value; one computed has its records and marker handed
    /// to the observer when it finishes. The value returned is always the one read back from
    /// JSON, so a computed and a replayed cell behave alike. A cell this run may not compute
    /// (another shard's, or any under [`CellMode::ReplayOnly`]) is an [`Error::Deferred`].
    ///
    /// `key` must name every parameter of the work that is not fixed by the run's
    /// configuration: another cell's value that the work uses goes into the key.
    fn cell<T: Serialize + DeserializeOwned>(
        &mut self,
        key: impl std::fmt::Display,
        work: impl FnOnce(&mut Self) -> Result<T>,
    ) -> Result<T> {
        assert!(self.in_cell.is_none(), "cells do not nest (cell {key} inside another)");
        let check = self.current.map_or("none", |(id, _)| id.as_str());
        let id = format!("{check}{}/{key}", if self.control { "/control" } else { "" });
        if let Some(cell) = self.store.get(&id) {
            let (records, marker) = (cell.records.clone(), cell.marker.clone());
            self.records.extend(records);
            self.tally.merge(&marker.tally.into());
            self.replayed += 1;
            return serde_json::from_value(marker.value)
                .map_err(|e| invalid("cell", &id, format!("its recorded value does not read back: {e}")));
        }
        let mine = match self.mode {
            CellMode::All => true,
            CellMode::Shard { i, n } => shard_of(&id, n) == i,
            CellMode::ReplayOnly => false,
        };
        if !mine {
            self.deferred_cells.push(id.clone());
            return Err(Error::Deferred(id));
        }
        let start = self.records.len();
        let outer = std::mem::take(&mut self.tally);
        self.in_cell = Some(start);
        let value = work(self);
        self.in_cell = None;
        let delta = std::mem::replace(&mut self.tally, outer);
        self.tally.merge(&delta);
        let value = match value {
            Ok(value) => serde_json::to_value(value).expect("cell values serialize"),
            Err(e) => {
                // No marker: the records stream as loose lines, as they did before cells.
                for record in &self.records[start..] {
                    self.observer.record(record);
                }
                return Err(e);
            }
        };
        let marker = CellMarker {
            id,
            value,
            tally: TallyDelta::from(delta),
            records: self.records.len() - start,
        };
        self.observer.cell(&self.records[start..], &marker);
        self.computed += 1;
        serde_json::from_value(marker.value).map_err(|e| {
            invalid(
                "cell",
                &marker.id,
                format!("its value does not read back from JSON: {e}"),
            )
        })
    }

    /// Negative-control mode: each check runs its criterion, unchanged, on its deliberately
    /// wrong input ([`CheckId::control`]); a correct check FAILs on every one. A check's control
    /// consumes what the controls of the checks it consumes produced.
    pub fn negative_controls(mut self) -> Self {
        self.control = true;
        self
    }

    /// Runs only the checks named in `ids`, in [`CheckId::ALL`] order, plus every check they
    /// consume (transitively), which [`Runner::added`] lists. Unknown ids are an error listing
    /// the valid ones.
    pub fn only(mut self, ids: &[String]) -> Result<Self> {
        if ids.is_empty() {
            return Err(invalid("checks", "(none)", "name at least one check"));
        }
        let mut wanted = std::collections::BTreeSet::new();
        for id in ids {
            let id: CheckId = id
                .parse()
                .map_err(|e: superposition_schema::checks::UnknownCheck| invalid("check", id, e.to_string()))?;
            wanted.insert(id);
        }
        // CheckId::ALL lists producers before consumers, so one pass from the end suffices.
        for &id in CheckId::ALL.iter().rev() {
            if wanted.contains(&id) {
                for &dep in id.consumes() {
                    if wanted.insert(dep) {
                        self.added.push((dep, id));
                    }
                }
            }
        }
        self.added.sort();
        self.selected = CheckId::ALL.iter().copied().filter(|id| wanted.contains(id)).collect();
        Ok(self)
    }

    /// Refuses a selection that could not run: k above the fewest inputs a selected check
    /// samples from ([`ScaleConfig::validate_k`]). [`Runner::run`] calls it first; a caller can
    /// call it before creating any file.
    pub fn validate_selection(&self) -> Result<()> {
        Ok(self
            .config
            .validate_k(|id| self.selected.iter().any(|c| c.as_str() == id))?)
    }

    /// Checks added to the selection because a selected check consumes them: (added, by).
    pub fn added(&self) -> &[(CheckId, CheckId)] {
        &self.added
    }

    /// Runs one check: the registry's dispatch, matched exhaustively over [`CheckId`].
    fn run_check(&mut self, id: CheckId, products: &mut Products) -> Result<CheckResult> {
        Ok(match id {
            CheckId::Representation => {
                let (check, medians) = self.representation()?;
                products.representation = Some(medians);
                check
            }
            CheckId::And2Upper => {
                let (check, widths) = self.and2_upper()?;
                products.and2_upper = Some(widths);
                check
            }
            CheckId::LowerSanity => self.lower_sanity()?,
            CheckId::Gap => self.gap(products.and2_upper()?, products.representation()?)?,
            CheckId::ProbeDecoder => self.probe_decoder(products.and2_upper()?)?,
            CheckId::Exhaustive => self.exhaustive()?,
            CheckId::Capacity => self.capacity()?,
            CheckId::Chernoff => self.chernoff(products.and2_upper()?)?,
            CheckId::DescriptionLength => self.description_length(products.and2_upper()?)?,
            CheckId::Influence => self.influence(products.and2_upper()?)?,
            CheckId::WorstCase => self.worst_case(products.and2_upper()?)?,
            CheckId::Permutation => self.permutation(products.representation()?)?,
            CheckId::UAnd => self.u_and()?,
            CheckId::Depth2 => self.depth2(products.and2_upper()?)?,
            CheckId::Trained => self.trained(products.and2_upper()?)?,
        })
    }

    /// Runs every selected check and returns the whole results file.
    ///
    /// Under [`Runner::negative_controls`], a check that a selected check consumes runs twice:
    /// first on its ordinary input, silently, to hand its consumers their ordinary products
    /// (so that each consumer's control differs from its ordinary run in one deliberate way),
    /// then on its own control, for its verdict. Consumers read only the ordinary run's records.
    pub fn run(mut self, scale: Scale, git: String) -> Result<RunResults> {
        self.validate_selection()?;
        let started = Instant::now();
        let mut checks = Vec::new();
        let mut products = Products::default();
        // Checks stopped for a cell this run does not hold (sharded or replay-only runs), and
        // those consuming them: they run no further and get no verdict.
        let mut deferred: Vec<CheckId> = Vec::new();
        for id in self.selected.clone() {
            if id.consumes().iter().any(|d| deferred.contains(d)) {
                deferred.push(id);
                continue;
            }
            let t0 = Instant::now();
            let mut outcome = Ok(());
            if self.control && self.consumed_by_selection(id) {
                self.control = false;
                outcome = self.run_one(id, &mut products).map(|_| ());
                self.control = true;
            }
            match outcome.and_then(|()| self.run_one(id, &mut products)) {
                Ok(mut check) => {
                    check.seconds = t0.elapsed().as_secs_f64();
                    checks.push(check);
                }
                Err(Error::Deferred(_)) => {
                    self.current = None;
                    deferred.push(id);
                }
                Err(e) => return Err(e),
            }
        }
        if !deferred.is_empty() {
            return Err(Error::Incomplete {
                checks: deferred.iter().map(|c| c.to_string()).collect(),
                cells: std::mem::take(&mut self.deferred_cells),
            });
        }
        // Later checks build networks too: the sanity verdict must cover all of them. (Under
        // the negative control, lower-sanity judges its control network alone.)
        if let Some(sanity) = checks.iter_mut().find(|c| c.id() == CheckId::LowerSanity)
            && !self.control
        {
            let seconds = sanity.seconds;
            *sanity = self.lower_sanity()?;
            sanity.seconds = seconds;
        }
        let c = &self.config;
        Ok(RunResults {
            scale: scale.name().into(),
            seed: self.seed,
            git,
            version: env!("CARGO_PKG_VERSION").into(),
            config: RunConfig {
                k: c.k,
                delta: c.delta,
                samples: c.samples,
                seeds: c.seeds,
                and2_log2_sizes: c.and2_sizes.clone(),
                representation_log2_sizes: c.representation_sizes.clone(),
                extra: serde_json::to_value(c).expect("config serializes"),
            },
            checks,
            records: self.records,
            seconds: started.elapsed().as_secs_f64(),
            negative_controls: self.control,
        })
    }

    /// Runs check `id` (its control under [`Runner::negative_controls`]), keeping its span of
    /// records.
    fn run_one(&mut self, id: CheckId, products: &mut Products) -> Result<CheckResult> {
        self.current = Some((id, self.records.len()));
        let mut scratch = Products::default();
        // A control's products are not handed on: consumers get the ordinary ones.
        let target = if self.control && self.consumed_by_selection(id) {
            &mut scratch
        } else {
            products
        };
        let check = self.run_check(id, target)?;
        debug_assert_eq!(check.id(), id, "a check's detail names another check");
        let span = self.current.take().expect("set above").1..self.records.len();
        self.spans.push((id, span, self.control));
        Ok(check)
    }

    fn consumed_by_selection(&self, id: CheckId) -> bool {
        self.selected.iter().any(|s| s.consumes().contains(&id))
    }

    /// The records emitted so far by the checks in `ids` (finished or running), in order;
    /// of finished checks run twice under the negative control, the ordinary run's only.
    fn records_of<'r>(&'r self, ids: &'r [CheckId]) -> impl Iterator<Item = &'r Record> + 'r {
        // The running check reads its own records whatever the mode.
        let running = self.current.map(|(id, start)| (id, start..self.records.len(), false));
        self.spans
            .iter()
            .cloned()
            .chain(running)
            .filter(move |(id, _, control)| ids.contains(id) && !control)
            .flat_map(move |(_, range, _)| &self.records[range])
    }

    /// The seed-`s` instance of size 2^`log_m` and its (code, sample) seeds, derived exactly as
    /// `and2-upper` derives them, so later checks revisit the networks whose n* it measured.
    fn and2_instance(&self, log_m: u32, s: u64) -> Result<(And2Instance, (u64, u64))> {
        let outputs = 1usize << log_m;
        let seed = derive_seed(self.seed, "and2", u64::from(log_m) << 16 | s);
        let instance = And2Instance::random(
            outputs,
            outputs,
            PairDistribution::Uniform,
            derive_seed(seed, "instance", 0),
        )?;
        Ok((
            instance,
            (derive_seed(seed, "code", 0), derive_seed(seed, "samples", 0)),
        ))
    }

    /// Whether the running check needed a cell this run does not hold (sharded runs): its
    /// loops of independent cells skip such cells ([`deferrable`]), and it calls this before
    /// it combines their values, to stop there without a verdict.
    fn stop_if_deferred(&self) -> Result<()> {
        let check = self.current.map_or("none", |(id, _)| id.as_str());
        let prefix = format!("{check}/");
        match self.deferred_cells.iter().find(|c| c.starts_with(&prefix)) {
            Some(cell) => Err(Error::Deferred(cell.clone())),
            None => Ok(()),
        }
    }

    /// Whether any cell of the running check was deferred (see [`Runner::stop_if_deferred`]).
    fn deferred_here(&self) -> bool {
        self.stop_if_deferred().is_err()
    }

    /// Records a measurement: streamed at once outside a cell, with the cell's marker inside one.
    fn emit(&mut self, record: Record) {
        if self.in_cell.is_none() {
            self.observer.record(&record);
        }
        self.records.push(record);
    }

    fn spec(&self, samples: u64, seed: u64, distribution: InputDistribution) -> SampleSpec {
        SampleSpec {
            k: self.config.k,
            distribution,
            samples,
            seed,
        }
    }

    fn fit(&self, groups: &[(f64, Vec<f64>)], domain: &str) -> Result<LineFit> {
        // Keyed by the fit's name: fits of equal-length names once shared their resamples.
        let mut rng = stream(self.seed, &format!("bootstrap/{domain}"), 0);
        bootstrap_line(groups, self.config.bootstrap, &mut rng).ok_or_else(|| {
            invalid(
                "sizes",
                groups.len(),
                format!("the {domain} fit needs at least two distinct sizes"),
            )
        })
    }
}

/// A cell's outcome inside a loop of independent cells: `Ok(None)` for a cell deferred to
/// another shard, so that the loop still runs its other cells; the check then calls
/// [`Runner::stop_if_deferred`] before it uses the loop's values together.
fn deferrable<T>(outcome: Result<T>) -> Result<Option<T>> {
    match outcome {
        Ok(value) => Ok(Some(value)),
        Err(Error::Deferred(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

fn status(pass: bool) -> Status {
    if pass { Status::Pass } else { Status::Fail }
}

/// What the checks' tests of their negative controls share: a small runner and the n*
/// `and2-upper` measures at its sizes.
#[cfg(test)]
pub(crate) mod test_support {
    use super::*;

    /// Quick scale at k = 4 cut down to m = 2⁸, 2⁹ and one seed, with no sweeps.
    pub(crate) fn small_config() -> ScaleConfig {
        let mut config = ScaleConfig::new(Scale::Quick, 4);
        config.and2_sizes = vec![8, 9];
        config.representation_sizes = vec![8, 9];
        config.seeds = 1;
        config.sweep_sizes = vec![];
        config.uncentered_sizes = vec![];
        config.gaussian_sizes = vec![];
        config.bootstrap = 100;
        config
    }

    /// A runner for `config`, in negative-control mode if `control`.
    pub(crate) fn runner(config: ScaleConfig, control: bool) -> Runner<'static> {
        let silent: &'static mut Silent = Box::leak(Box::new(Silent));
        let mut runner = Runner::new(config, 1, silent).expect("a valid test configuration");
        runner.control = control;
        runner
    }

    /// Runs a check by `run` under `config` in control mode, asserting it FAILs, then in the
    /// ordinary mode, asserting it PASSes: the control test, and proof that it can fail.
    pub(crate) fn control_fails_ordinary_passes(
        config: &ScaleConfig,
        run: impl Fn(&mut Runner<'static>) -> Result<CheckResult>,
    ) {
        for (control, expected) in [(true, Status::Fail), (false, Status::Pass)] {
            let check = run(&mut runner(config.clone(), control)).expect("the check runs");
            assert_eq!(check.status, expected, "control {control}: {}", check.measured);
        }
    }

    /// n* as `and2-upper` measures it under `config` (ordinary run).
    pub(crate) fn and2_widths(config: &ScaleConfig) -> And2Widths {
        runner(config.clone(), false).and2_upper().expect("and2-upper runs").1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The checks a selection runs, and those added for the checks that consume them.
    type Selection = (Vec<CheckId>, Vec<(CheckId, CheckId)>);

    fn selection(ids: &[&str]) -> Result<Selection> {
        let config = ScaleConfig::new(Scale::Quick, 4);
        let mut silent = Silent;
        let ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
        let runner = Runner::new(config, 1, &mut silent)?.only(&ids)?;
        Ok((runner.selected.clone(), runner.added().to_vec()))
    }

    #[test]
    fn a_selected_check_brings_what_it_consumes_in_run_order() {
        let (selected, added) = selection(&["gap"]).unwrap();
        assert_eq!(selected, [CheckId::Representation, CheckId::And2Upper, CheckId::Gap]);
        assert_eq!(
            added,
            [
                (CheckId::Representation, CheckId::Gap),
                (CheckId::And2Upper, CheckId::Gap)
            ]
        );
        // chernoff consumes and2-upper and capacity; lower-sanity consumes and2-upper.
        let (selected, _) = selection(&["chernoff", "lower-sanity"]).unwrap();
        assert_eq!(
            selected,
            [
                CheckId::And2Upper,
                CheckId::LowerSanity,
                CheckId::Capacity,
                CheckId::Chernoff
            ]
        );
        let (selected, added) = selection(&["exhaustive"]).unwrap();
        assert_eq!((selected, added), (vec![CheckId::Exhaustive], vec![]));
    }

    /// Writes computed cells as a records file's lines would be (no header).
    #[derive(Default)]
    struct Lines(String);

    impl Observer for Lines {
        fn record(&mut self, record: &Record) {
            self.0 += &(serde_json::to_string(record).unwrap() + "\n");
        }
        fn progress(&mut self, _: &str, _: u64, _: u64, _: &str) {}
        fn cell(&mut self, records: &[Record], marker: &CellMarker) {
            for record in records {
                self.record(record);
            }
            self.0 += &(cells::marker_line(marker) + "\n");
        }
    }

    /// A results file as JSON without its wall-clock `seconds` fields.
    fn without_seconds(results: &RunResults) -> serde_json::Value {
        fn strip(v: &mut serde_json::Value) {
            match v {
                serde_json::Value::Object(map) => {
                    map.remove("seconds");
                    map.values_mut().for_each(strip);
                }
                serde_json::Value::Array(items) => items.iter_mut().for_each(strip),
                _ => {}
            }
        }
        let mut v = serde_json::to_value(results).unwrap();
        strip(&mut v);
        v
    }

    fn header() -> cells::RunHeader {
        cells::RunHeader {
            format: cells::FORMAT.into(),
            version: "test".into(),
            scale: "quick".into(),
            seed: 1,
            k: 4,
            checks: None,
            negative_controls: false,
            config: serde_json::Value::Null,
        }
    }

    /// and2-upper (independent cells), capacity (cells chained by width) and chernoff (a
    /// consumer of both) on a small configuration.
    fn sharding_config() -> (ScaleConfig, Vec<String>) {
        let mut config = test_support::small_config();
        config.sweep_sizes = vec![8];
        config.uncentered_sizes = vec![8];
        config.lower.capacity_widths = vec![256, 512];
        config.lower.chernoff_sizes = vec![8];
        (config, vec!["and2-upper".into(), "capacity".into(), "chernoff".into()])
    }

    fn run_with(store: CellStore, mode: CellMode) -> (Result<RunResults>, CellStore) {
        let (config, checks) = sharding_config();
        let mut lines = Lines::default();
        let outcome = Runner::new(config, 1, &mut lines)
            .unwrap()
            .only(&checks)
            .unwrap()
            .with_cells(store, mode)
            .run(Scale::Quick, "test".into());
        let text = cells::header_line(&header()) + "\n" + &lines.0;
        let mut computed = CellStore::default();
        computed.extend(cells::parse_log(&text).unwrap().cells).unwrap();
        (outcome, computed)
    }

    /// Shards, merged stage by stage, end with the unsharded run's results: every cell computed
    /// once, by one shard; a replay-only run of the merged cells equals the unsharded run, and
    /// one missing a cell lists it.
    #[test]
    fn three_shards_merged_by_stages_give_the_unsharded_results() {
        let (whole, all_cells) = run_with(CellStore::default(), CellMode::All);
        let whole = whole.unwrap();
        assert!(all_cells.len() >= 8, "{} cells", all_cells.len());
        let mut merged = CellStore::default();
        let mut stages = 0;
        let results = loop {
            stages += 1;
            assert!(stages <= 6, "sharding did not converge");
            let mut computed_here = 0;
            for i in 0..3 {
                let (outcome, computed) = run_with(merged.clone(), CellMode::Shard { i, n: 3 });
                for cell in computed.iter() {
                    assert_eq!(cells::shard_of(&cell.marker.id, 3), i, "{}", cell.marker.id);
                    assert!(
                        merged.get(&cell.marker.id).is_none(),
                        "{} computed twice",
                        cell.marker.id
                    );
                }
                computed_here += computed.len();
                if let Err(e) = &outcome {
                    assert!(matches!(e, Error::Incomplete { .. }), "{e}");
                }
                merged.extend(computed.iter().cloned()).unwrap();
            }
            assert!(computed_here > 0 || merged.len() == all_cells.len());
            match run_with(merged.clone(), CellMode::ReplayOnly) {
                (Ok(results), computed) => {
                    assert!(computed.is_empty());
                    break results;
                }
                (Err(Error::Incomplete { cells, .. }), _) => assert!(!cells.is_empty()),
                (Err(e), _) => panic!("{e}"),
            }
        };
        assert!(stages >= 2, "capacity's widths chain: at least two stages");
        assert_eq!(merged.len(), all_cells.len());
        assert_eq!(without_seconds(&results), without_seconds(&whole));
        // Every merged cell is the unsharded run's, exactly.
        for cell in all_cells.iter() {
            let mut one = CellStore::default();
            one.extend([cell.clone()]).unwrap();
            one.extend(merged.get(&cell.marker.id).cloned()).unwrap();
        }
        // A merge missing a cell names it.
        let dropped = all_cells.iter().next().unwrap().marker.id.clone();
        let mut partial = CellStore::default();
        partial
            .extend(all_cells.iter().filter(|c| c.marker.id != dropped).cloned())
            .unwrap();
        match run_with(partial, CellMode::ReplayOnly).0 {
            Err(Error::Incomplete { cells, .. }) => assert!(cells.contains(&dropped), "{cells:?}"),
            other => panic!("expected the missing cell {dropped}, got {:?}", other.map(|_| ())),
        }
    }

    #[test]
    #[should_panic(expected = "cells do not nest")]
    fn cells_do_not_nest() {
        let mut runner = test_support::runner(test_support::small_config(), false);
        let _ = runner.cell("outer", |r| r.cell("inner", |_| Ok(1)));
    }

    #[test]
    fn unknown_or_empty_selections_are_refused_naming_the_known_checks() {
        let message = selection(&["gap", "nope"]).unwrap_err().to_string();
        assert!(message.contains("nope") && message.contains("depth-2"), "{message}");
        assert!(selection(&[]).is_err());
    }
}
