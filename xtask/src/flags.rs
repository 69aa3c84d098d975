//! The command line: every command and its flags, declared in one place (clap derive).
//!
//! Each command is a struct here and one `run` in the file of the same name. The doc comments
//! of commands and flags are their `--help` text, printed as written (so `<scale>` is a
//! placeholder there, not an HTML tag).

#![allow(rustdoc::invalid_html_tags)]

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// `cargo xtask <command>`.
#[derive(Parser)]
#[command(name = "xtask", about = "superposition-bounds automation")]
pub struct Xtask {
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Subcommand)]
pub enum Command {
    /// Run every check of SPEC §4 at a scale; exit non-zero if any fails.
    VerifyBounds(VerifyBounds),
    /// Regenerate reports from results files alone.
    Report(Report),
    /// Time Rust sublinear verification, the dense faer path and NumPy/SciPy side by side.
    BenchCompare(BenchCompare),
    /// Hold any network file (docs/network-format.md) against the bounds: exit 0 if it meets δ.
    Check(Check),
    /// Prove or refute a network file's worst case, output by output (docs/certify.md): exit 0
    /// if every output is certified.
    Certify(Certify),
    /// Build a construction and write it as a network file (docs/network-format.md).
    Export(Export),
    /// Write only the fixed input and output codes, to train a network against them.
    Codes(Codes),
    /// Merge the records of `verify-bounds --shard` runs and write the results and report one
    /// unsharded run would (README, "Long runs").
    Merge(Merge),
    /// Train a network (tied or free) on a random 2-AND instance with the constructions' fixed
    /// codes, print its exact failure on fresh samples and write it as a network file.
    Train(Train),
}

/// Which input distributions `check` measures.
#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DistributionArg {
    Planted,
    Uniform,
    Both,
}

/// `check`.
#[derive(Args)]
pub struct Check {
    /// The network file (superposition-network/1, docs/network-format.md).
    #[arg(long)]
    pub network: PathBuf,
    /// k, active inputs per sample (default: the k the file was built for).
    #[arg(long)]
    pub k: Option<usize>,
    /// Random samples per input distribution.
    #[arg(long, default_value_t = 2000)]
    pub samples: u64,
    /// planted, uniform or both (a permutation or linear map has uniform inputs only).
    #[arg(long, value_enum, default_value = "both")]
    pub distribution: DistributionArg,
    /// Seed of the samples and of the adversary.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// δ, the target per-sample failure rate.
    #[arg(long, default_value_t = 0.05)]
    pub delta: f64,
    /// Also evaluate the samples of this file (safetensors, `samples.active` I32 [S, k], as
    /// python/superposition_network.py writes), listing every failed row.
    #[arg(long)]
    pub samples_file: Option<PathBuf>,
    /// Adversary targets (0 skips the worst-case adversary).
    #[arg(long, default_value_t = 64)]
    pub targets: usize,
    /// Adversary greedy restarts per target.
    #[arg(long, default_value_t = 4)]
    pub restarts: usize,
    /// A verify-bounds results file whose AS-2AND n* is set beside the network (skipped, with
    /// a note, when the file does not exist).
    #[arg(long, default_value = "results/verify-bounds-standard.json")]
    pub reference: PathBuf,
    /// Directory for check.json, README.md and the chart.
    #[arg(long, default_value = "check")]
    pub out: PathBuf,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}

/// `certify`.
#[derive(Args, Debug)]
pub struct Certify {
    /// The network file (superposition-network/1): an integer tied network with the vote
    /// decoder and a 2-AND instance, whose rows are exactly additive over inputs.
    #[arg(long)]
    pub network: PathBuf,
    /// k: every input with at most k active features is considered (default: the k the file
    /// was built for).
    #[arg(long)]
    pub k: Option<usize>,
    /// Search nodes allowed to each half of each output; an output whose search runs out is
    /// reported undecided.
    #[arg(long, default_value_t = 1_000_000)]
    pub budget: u64,
    /// Directory for certify.json.
    #[arg(long, default_value = "certify")]
    pub out: PathBuf,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}

/// The constructions `export` writes. (No variant doc comments: see [`ScaleArg`].)
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum ConstructionArg {
    #[value(name = "as-2and")]
    As2And,
    Channel,
    #[value(name = "as-perm")]
    AsPerm,
    #[value(name = "depth-2")]
    Depth2,
}

/// `export`.
#[derive(Args, Debug)]
pub struct Export {
    /// as-2and, channel (AS-2AND with input channels for high-influence inputs), as-perm
    /// (a permutation), or depth-2 (two AS-2AND layers with a threshold between them, as check
    /// depth-2 builds them: layer 1 at --width on m′ pairs, layer 2 at --layer2-width on m′
    /// gates; --t sets layer 1's t, --tau layer 2's vote).
    #[arg(long, value_enum)]
    pub construction: ConstructionArg,
    /// m′, the number of output features (pairs, or the permutation's size).
    #[arg(long)]
    pub m_prime: usize,
    /// Hidden width n (the total hidden width N for channel).
    #[arg(long)]
    pub width: usize,
    /// t_in = t_out, code neurons per feature (default ⌈log₂ m′⌉).
    #[arg(long)]
    pub t: Option<usize>,
    /// τ, the vote threshold as a fraction of t_out.
    #[arg(long, default_value_t = 0.5)]
    pub tau: f64,
    /// θ, AS-2AND's firing level: a hidden neuron fires iff h ≥ θ (a multiple of 1/16 in (0, 1];
    /// as-2and only; check worst-case certifies θ = 1 networks far below the defaults' width).
    #[arg(long, default_value_t = 0.5)]
    pub fire: f64,
    /// Do not center the rows (no mass neuron; as-2and and as-perm).
    #[arg(long)]
    pub uncentered: bool,
    /// n_in, the input width (default: --width).
    #[arg(long)]
    pub input_width: Option<usize>,
    /// m, the number of inputs of a random 2-AND instance (default: m′).
    #[arg(long)]
    pub inputs: Option<usize>,
    /// A 2-AND instance JSON ({"inputs": m, "pairs": [[a, b], …]}) instead of a random one
    /// (as-2and and channel only); --m-prime must equal its number of pairs.
    #[arg(long)]
    pub instance: Option<PathBuf>,
    /// Seed of the random instance and of the codes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// k, the sparsity recorded in the file (the default of a later check).
    #[arg(long, default_value_t = 4)]
    pub k: usize,
    /// Layer-2 width n₂ (depth-2 only; default: --width).
    #[arg(long)]
    pub layer2_width: Option<usize>,
    /// The depth-2 circuit: 4-and (every gate an AND of two layer-1 pairs) or and-or (each gate
    /// an OR with probability ½, as check depth-2's AND/OR circuit); depth-2 only, default 4-and.
    #[arg(long, value_enum)]
    pub circuit: Option<CircuitArg>,
    /// The file to write (.safetensors).
    #[arg(long)]
    pub out: PathBuf,
}

/// The circuits a depth-2 export computes. (No variant doc comments: see [`ScaleArg`].)
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum CircuitArg {
    #[value(name = "4-and")]
    FourAnd,
    #[value(name = "and-or")]
    AndOr,
}

/// `codes`.
#[derive(Args, Debug)]
pub struct Codes {
    /// m, the number of input features.
    #[arg(long)]
    pub inputs: usize,
    /// m′, the number of output features (default: m).
    #[arg(long)]
    pub outputs: Option<usize>,
    /// n, the output representation's width (and n_in unless --input-width is given).
    #[arg(long)]
    pub width: usize,
    /// n_in, the input width (default: --width).
    #[arg(long)]
    pub input_width: Option<usize>,
    /// t_in, and t_out unless --t-out is given.
    #[arg(long)]
    pub t: usize,
    /// t_out (default: --t).
    #[arg(long)]
    pub t_out: Option<usize>,
    /// Seed of the codes (the file records it, and writes the codes explicitly).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// k, the sparsity recorded in the file.
    #[arg(long, default_value_t = 4)]
    pub k: usize,
    /// The file to write (.safetensors).
    #[arg(long)]
    pub out: PathBuf,
}

/// The scale of a verify-bounds run. (Its variants have no doc comments on purpose: clap
/// would print them in `--help`, and the `--scale` flag already describes them.)
#[derive(Clone, Copy, ValueEnum)]
pub enum ScaleArg {
    Quick,
    Standard,
    Full,
}

/// `verify-bounds`.
#[derive(Args)]
pub struct VerifyBounds {
    /// quick (CI, < 2 min), standard (< 10 min) or full (hours).
    #[arg(long, value_enum, default_value = "standard")]
    pub scale: ScaleArg,
    /// Master seed: the same seed gives the same results.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Directory for results files.
    #[arg(long, default_value = "results")]
    pub out: PathBuf,
    /// Directory for the rendered reports.
    #[arg(long, default_value = "reports")]
    pub reports: PathBuf,
    /// k, active inputs per sample.
    #[arg(long, default_value_t = 4)]
    pub k: usize,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Run only these checks (comma-separated ids). A partial run writes
    /// verify-bounds-<scale>-partial.json and reports/<scale>-partial/, never the full
    /// run's files.
    #[arg(long, value_delimiter = ',')]
    pub checks: Option<Vec<String>>,
    /// Run every check on its negative control (a deliberately wrong input on which a correct
    /// check must FAIL) instead: writes verify-bounds-<scale>-controls.json, renders no report,
    /// and exits 0 only if every check FAILed.
    #[arg(long)]
    pub negative_controls: bool,
    /// Compare the verdicts with the expected ones in this JSON file ({"check-id": "pass" |
    /// "fail", …}); exit 0 only if they are the same, printing every difference. Without it,
    /// any FAIL exits 1.
    #[arg(long, conflicts_with = "negative_controls")]
    pub expect: Option<PathBuf>,
    /// Continue the run whose records file is in --out: finished cells are replayed, the rest
    /// computed; refused if the file's configuration differs. The final JSON and report are
    /// those of an uninterrupted run. Without it an existing records file is replaced.
    #[arg(long)]
    pub resume: bool,
    /// Compute only the cells of shard i of N (0 ≤ i < N; by a fixed hash of the cell id),
    /// replaying any held (with --resume); checks needing another shard's cells stop without a
    /// verdict. Combine the shards' --out directories with `cargo xtask merge`.
    #[arg(long, value_parser = parse_shard)]
    pub shard: Option<(u64, u64)>,
}

/// `i/N` with 0 ≤ i < N.
fn parse_shard(text: &str) -> Result<(u64, u64), String> {
    let usage = || format!("--shard {text}: expected i/N with 0 ≤ i < N (e.g. 0/4; Slurm: $SLURM_ARRAY_TASK_ID/N)");
    let (i, n) = text.split_once('/').ok_or_else(usage)?;
    let (i, n): (u64, u64) = (
        i.trim().parse().map_err(|_| usage())?,
        n.trim().parse().map_err(|_| usage())?,
    );
    if n == 0 || i >= n {
        return Err(usage());
    }
    Ok((i, n))
}

/// `merge`.
#[derive(Args)]
pub struct Merge {
    /// The shards' --out directories (each with its verify-bounds-<name>.records.jsonl).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Directory for the merged records and the results JSON.
    #[arg(long, default_value = "results")]
    pub out: PathBuf,
    /// Directory for the rendered reports.
    #[arg(long, default_value = "reports")]
    pub reports: PathBuf,
    /// Worker threads for the fits (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}

/// `report`.
#[derive(Args)]
pub struct Report {
    /// Directory holding verify-bounds-<scale>.json files.
    #[arg(long, default_value = "results")]
    pub results: PathBuf,
    /// Directory for the rendered reports.
    #[arg(long, default_value = "reports")]
    pub reports: PathBuf,
}

/// `bench-compare`.
#[derive(Args)]
pub struct BenchCompare {
    /// m′ ∈ {2^12, 2^16} with fewer samples (under 3 minutes) instead of {2^16, 2^20}.
    #[arg(long)]
    pub quick: bool,
    /// Master seed: the same seed gives the same instances, codes and samples.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// k, active inputs per sample.
    #[arg(long, default_value_t = 4)]
    pub k: usize,
    /// Directory for bench-compare.json.
    #[arg(long, default_value = "results")]
    pub out: PathBuf,
    /// Directory for performance.md.
    #[arg(long, default_value = "reports")]
    pub reports: PathBuf,
    /// Worker threads for the Rust paths (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Python interpreter for the NumPy baseline.
    #[arg(long, default_value = "python3")]
    pub python: String,
    /// Keep the files written for NumPy (in the system temp directory).
    #[arg(long)]
    pub keep_bundles: bool,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;

    #[test]
    fn cli_is_well_formed() {
        Xtask::command().debug_assert();
    }

    #[test]
    fn defaults_are_the_documented_ones() {
        let parsed = Xtask::try_parse_from(["xtask", "bench-compare"]).expect("parses");
        let Command::BenchCompare(b) = parsed.command else {
            panic!("bench-compare parsed as another command");
        };
        assert_eq!(
            (b.quick, b.seed, b.k, b.threads, b.keep_bundles),
            (false, 1, 4, None, false)
        );
        assert_eq!(
            (b.out.to_str(), b.reports.to_str(), b.python.as_str()),
            (Some("results"), Some("reports"), "python3")
        );
        let parsed = Xtask::try_parse_from(["xtask", "verify-bounds", "--checks", "a,b"]).expect("parses");
        let Command::VerifyBounds(v) = parsed.command else {
            panic!("verify-bounds parsed as another command");
        };
        assert!(matches!(v.scale, ScaleArg::Standard));
        assert_eq!((v.seed, v.k, v.threads), (1, 4, None));
        assert_eq!(v.checks, Some(vec!["a".to_string(), "b".to_string()]));
    }

    #[test]
    fn export_and_codes_parse_their_flags() {
        let parsed = Xtask::try_parse_from([
            "xtask",
            "export",
            "--construction",
            "as-2and",
            "--m-prime",
            "64",
            "--width",
            "90",
            "--out",
            "n.st",
        ])
        .expect("parses");
        let Command::Export(e) = parsed.command else {
            panic!("export parsed as another command");
        };
        assert_eq!(
            (e.construction, e.m_prime, e.width, e.tau, e.seed, e.k),
            (ConstructionArg::As2And, 64, 90, 0.5, 1, 4)
        );
        assert_eq!((e.t, e.input_width, e.inputs, e.instance), (None, None, None, None));
        assert!(
            Xtask::try_parse_from([
                "xtask",
                "export",
                "--construction",
                "as-3and",
                "--m-prime",
                "4",
                "--width",
                "9",
                "--out",
                "x"
            ])
            .is_err()
        );
        let parsed = Xtask::try_parse_from([
            "xtask", "codes", "--inputs", "10", "--width", "20", "--t", "3", "--out", "c",
        ])
        .expect("parses");
        let Command::Codes(c) = parsed.command else {
            panic!("codes parsed as another command");
        };
        assert_eq!(
            (c.inputs, c.outputs, c.width, c.t, c.t_out, c.seed),
            (10, None, 20, 3, None, 1)
        );
    }
}

/// The architectures `train` trains. (No variant doc comments: see [`ScaleArg`].)
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum ArchitectureArg {
    Tied,
    Free,
}

/// The training input distributions.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum TrainDistributionArg {
    Planted,
    Uniform,
    Mixed,
}

/// The training losses.
#[derive(Clone, Copy, PartialEq, Eq, Debug, ValueEnum)]
pub enum LossArg {
    Hinge,
    Logistic,
}

/// `train`.
#[derive(Args, Debug)]
pub struct Train {
    /// m′, the number of output features (pairs of a random uniform 2-AND instance).
    #[arg(long)]
    pub m_prime: usize,
    /// n, the output code's width (and the input code's, n_in = n); t_in = t_out = ⌈log₂ m′⌉.
    #[arg(long)]
    pub width: usize,
    /// n_h, the free hidden width (free only; default: --width).
    #[arg(long)]
    pub hidden: Option<usize>,
    /// tied (one hidden layer that is the output code, AS-2AND's shape) or free (a free
    /// hidden ReLU layer of width n_h, then a linear layer into the output code).
    #[arg(long, value_enum, default_value = "tied")]
    pub architecture: ArchitectureArg,
    /// Optimizer steps.
    #[arg(long, default_value_t = 2000)]
    pub steps: u64,
    /// B, samples per step.
    #[arg(long, default_value_t = 256)]
    pub batch: usize,
    /// AdamW's learning rate (default 10⁻² tied, 10⁻³ free: free at 10⁻² collapsed to no
    /// neuron firing at m′ = 256, width 775, and learned at 10⁻³).
    #[arg(long)]
    pub lr: Option<f32>,
    /// AdamW's decoupled weight decay λ (on the weight matrices only).
    #[arg(long, default_value_t = 0.0)]
    pub weight_decay: f32,
    /// hinge (margin γ around ½) or logistic (BCE on s·(z − ½)).
    #[arg(long, value_enum, default_value = "hinge")]
    pub loss: LossArg,
    /// γ, the hinge's margin.
    #[arg(long, default_value_t = 0.25)]
    pub margin: f32,
    /// s, the logistic loss's scale.
    #[arg(long, default_value_t = 4.0)]
    pub scale: f32,
    /// Weight of the loss terms with target 1.
    #[arg(long, default_value_t = 1.0)]
    pub positive_weight: f32,
    /// Seed of the instance, the codes, the initial weights and the batches.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// planted (⌊k/2⌋ instance pairs on, the rest uniform), uniform, or mixed (even samples of
    /// a batch planted, odd ones uniform) training inputs.
    /// (Default mixed: trained on planted inputs alone, tied fails 31–90 % of uniform samples.)
    #[arg(long, value_enum, default_value = "mixed")]
    pub distribution: TrainDistributionArg,
    /// k, active inputs per sample.
    #[arg(long, default_value_t = 4)]
    pub k: usize,
    /// m, the number of inputs (default: m′).
    #[arg(long)]
    pub inputs: Option<usize>,
    /// Fresh samples per distribution for the final exact failure (from the "samples" streams
    /// of --seed, as `check --seed` draws them; never a training batch).
    #[arg(long, default_value_t = 2000)]
    pub eval_samples: u64,
    /// Start from AS-2AND's weights for the same instance, codes and width (tied only)
    /// instead of a random initialisation.
    #[arg(long)]
    pub warm_start: bool,
    /// The file to write (.safetensors).
    #[arg(long)]
    pub out: PathBuf,
    /// Worker threads (default: all cores). The trained weights do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
}
