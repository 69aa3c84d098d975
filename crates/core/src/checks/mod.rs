//! The claims `verify-bounds` checks (SPEC §4), each producing a PASS/FAIL verdict with the
//! measured figure beside the theory, plus one [`Record`] per measurement.
//!
//! Checks run in order: `representation` (R1), `and2-upper` (T3), `lower-sanity` (T1/T2 on
//! every network built), `gap` (representing vs computing), then the lower bound executed:
//! `probe-decoder`, `exhaustive`, `capacity` (C1), `chernoff`, `description-length`. The
//! `lower-sanity` verdict is recomputed after the last check, so it covers every network any
//! check built. Then computation beyond one AS-2AND layer (issue 5): `influence` (the input
//! channel), `worst-case` (adversarial inputs), `permutation` (linear maps), `u-and` (the
//! ε-linear readout) and `depth-2` (two layers composed). Each criterion is stated in the check's `theory` string and fixed before any
//! run: a check is never tuned until it passes.

mod and2_upper;
mod capacity;
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
pub mod u_and;
pub mod worst_case;

use std::collections::BTreeMap;
use std::time::Instant;

pub use and2_upper::and2_search;

use crate::base::instance::{And2Instance, PairDistribution};
use crate::base::sample::InputDistribution;
use crate::error::{Result, invalid};
use crate::evaluate::eval::SampleSpec;
use crate::results::{CheckResult, LineFit, Record, Resources, RunConfig, RunResults, Status};
use crate::rng::{derive_seed, stream};
use crate::stats::bootstrap_line;
use crate::theory;
use superposition_schema::checks::CheckId;
pub use superposition_schema::config::{LowerBoundConfig, Scale, ScaleConfig};

/// Receives records as they are made (to stream them to disk) and progress.
pub trait Observer {
    /// A measurement was made.
    fn record(&mut self, record: &Record);
    /// `done` of `total` units of the current check are finished.
    fn progress(&mut self, check: &str, done: u64, total: u64, message: &str);
}

/// An observer that ignores everything.
pub struct Silent;

impl Observer for Silent {
    fn record(&mut self, _: &Record) {}
    fn progress(&mut self, _: &str, _: u64, _: u64, _: &str) {}
}

/// Lower-bound sanity of every network built (check `lower-sanity`).
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
}

/// n*(m′) of `and2-upper` per seed, per log₂ m′ (centering on): what `gap`, `probe-decoder`,
/// `chernoff`, `description-length`, `influence`, `worst-case` and `depth-2` consume.
#[derive(Debug, Clone, Default, PartialEq)]
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
#[derive(Debug, Clone, Default, PartialEq)]
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
        for id in self.selected.clone() {
            let t0 = Instant::now();
            if self.control && self.consumed_by_selection(id) {
                self.control = false;
                self.run_one(id, &mut products)?;
                self.control = true;
            }
            let mut check = self.run_one(id, &mut products)?;
            check.seconds = t0.elapsed().as_secs_f64();
            checks.push(check);
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

    fn emit(&mut self, record: Record) {
        self.observer.record(&record);
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

    #[test]
    fn unknown_or_empty_selections_are_refused_naming_the_known_checks() {
        let message = selection(&["gap", "nope"]).unwrap_err().to_string();
        assert!(message.contains("nope") && message.contains("depth-2"), "{message}");
        assert!(selection(&[]).is_err());
    }
}
