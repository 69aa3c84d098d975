//! The bundle format the NumPy baseline reads: a directory of raw little-endian arrays and a
//! `header.json` describing them (format `superposition-and2-bundle/1`, specified in the
//! docstring of `benches/baselines/and2_numpy.py`).
//!
//! A bundle holds one AS-2AND network (its instance, codes, integer weights and row union
//! sizes) and the samples to evaluate, so NumPy computes exactly the network Rust built.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use superposition_core::and2::{And2Network, DecoderKind};
use superposition_core::dense::{SampleSet, decoder_thresholds};
use superposition_core::instance::And2Instance;

use crate::error::{Error, io};

/// The format tag of a bundle (see benches/baselines/and2_numpy.py).
pub const BUNDLE_FORMAT: &str = "superposition-and2-bundle/1";

/// One array of a bundle: raw little-endian, C order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArraySpec {
    /// File name inside the bundle directory.
    pub file: String,
    /// NumPy dtype string (`<u1`, `<u2`, `<u4`, `<i4`, `<u8`).
    pub dtype: String,
    /// Shape, C order.
    pub shape: Vec<usize>,
}

/// `header.json` of a bundle.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BundleHeader {
    /// [`BUNDLE_FORMAT`].
    pub format: String,
    /// m.
    pub inputs: usize,
    /// m′.
    pub outputs: usize,
    /// n_in.
    pub input_width: usize,
    /// n.
    pub hidden_width: usize,
    /// t_in.
    pub t_in: usize,
    /// t_out.
    pub t_out: usize,
    /// τ.
    pub tau: f64,
    /// `vote` or `average`.
    pub decoder: String,
    /// Whether the rows are centered.
    pub centering: bool,
    /// ⌈τ·t_out⌉, at least 1.
    pub vote_threshold: u32,
    /// ⌈τ·t_out·2·n_in·t_in⌉.
    pub average_threshold: i64,
    /// k the samples were drawn with.
    pub k: usize,
    /// Number of samples.
    pub samples: usize,
    /// The arrays by name.
    pub arrays: BTreeMap<String, ArraySpec>,
}

/// Writes `values` as raw little-endian bytes to `dir/<name>.bin` and returns its spec.
fn write_array<T, const N: usize>(
    dir: &Path,
    name: &str,
    dtype: &str,
    shape: Vec<usize>,
    values: impl IntoIterator<Item = T>,
    to_le: impl Fn(T) -> [u8; N],
) -> Result<(String, ArraySpec), Error> {
    let file = format!("{name}.bin");
    let path = dir.join(&file);
    let handle = File::create(&path).map_err(io(&path))?;
    let mut writer = BufWriter::new(handle);
    let mut count = 0usize;
    for v in values {
        writer.write_all(&to_le(v)).map_err(io(&path))?;
        count += 1;
    }
    writer.flush().map_err(io(&path))?;
    let expected: usize = shape.iter().product();
    assert_eq!(count, expected, "{name}: wrote {count} values for shape {shape:?}");
    let spec = ArraySpec {
        file,
        dtype: dtype.into(),
        shape,
    };
    Ok((name.to_string(), spec))
}

/// Columns of A per parallel block when writing the weights.
const WEIGHT_BLOCK: usize = 256;

/// Writes the weights transposed (n_in × n, row q = A[:, q]) as u8 or u16, by column blocks
/// gathered in parallel.
fn write_weights(dir: &Path, network: &And2Network) -> Result<(String, ArraySpec), Error> {
    let p = network.params();
    let (n, n_in) = (p.hidden_width, p.input_width);
    let wide = network.resources().weight_max > u64::from(u8::MAX);
    let file = "weights.bin".to_string();
    let path = dir.join(&file);
    let handle = File::create(&path).map_err(io(&path))?;
    let mut writer = BufWriter::new(handle);
    for first in (0..n_in).step_by(WEIGHT_BLOCK) {
        let last = (first + WEIGHT_BLOCK).min(n_in);
        let bytes: Vec<Vec<u8>> = (first..last)
            .into_par_iter()
            .map(|q| {
                let mut column = Vec::with_capacity(n * if wide { 2 } else { 1 });
                for r in 0..n {
                    let w = network.weight(r, q);
                    if wide {
                        column.extend_from_slice(&(w as u16).to_le_bytes());
                    } else {
                        column.push(w as u8);
                    }
                }
                column
            })
            .collect();
        for column in bytes {
            writer.write_all(&column).map_err(io(&path))?;
        }
    }
    writer.flush().map_err(io(&path))?;
    let dtype = if wide { "<u2" } else { "<u1" };
    Ok((
        "weights".into(),
        ArraySpec {
            file,
            dtype: dtype.into(),
            shape: vec![n_in, n],
        },
    ))
}

/// Writes the bundle the NumPy baseline reads: `header.json` and one `.bin` per array.
pub fn write_bundle(
    dir: &Path,
    network: &And2Network,
    instance: &And2Instance,
    samples: &SampleSet,
    k: usize,
) -> Result<(), Error> {
    std::fs::create_dir_all(dir).map_err(io(dir))?;
    let p = network.params();
    let (m, outputs) = (instance.inputs(), instance.outputs());
    let u32le = |v: u32| v.to_le_bytes();
    let pairs = instance.pairs().iter().flat_map(|&(a, b)| [a, b]);
    let mut arrays = BTreeMap::new();
    let entries = [
        write_array(dir, "pairs", "<u4", vec![outputs, 2], pairs, u32le)?,
        write_array(
            dir,
            "input_code",
            "<u4",
            vec![m, p.t_in],
            network.input_code().flat().iter().copied(),
            u32le,
        )?,
        write_array(
            dir,
            "output_code",
            "<u4",
            vec![outputs, p.t_out],
            network.output_code().flat().iter().copied(),
            u32le,
        )?,
        write_array(
            dir,
            "union_size",
            "<i4",
            vec![p.hidden_width],
            (0..p.hidden_width).map(|r| network.union_size(r) as i32),
            |v: i32| v.to_le_bytes(),
        )?,
        write_array(
            dir,
            "sample_offsets",
            "<u8",
            vec![samples.len() + 1],
            samples.offsets().iter().map(|&o| o as u64),
            |v: u64| v.to_le_bytes(),
        )?,
        write_array(
            dir,
            "sample_active",
            "<u4",
            vec![samples.active().len()],
            samples.active().iter().copied(),
            u32le,
        )?,
        write_weights(dir, network)?,
    ];
    arrays.extend(entries);
    let (vote_threshold, average_threshold) = decoder_thresholds(p);
    let header = BundleHeader {
        format: BUNDLE_FORMAT.into(),
        inputs: m,
        outputs,
        input_width: p.input_width,
        hidden_width: p.hidden_width,
        t_in: p.t_in,
        t_out: p.t_out,
        tau: p.tau,
        decoder: match p.decoder {
            DecoderKind::Vote => "vote",
            DecoderKind::Average => "average",
        }
        .into(),
        centering: p.centering,
        vote_threshold,
        average_threshold,
        k,
        samples: samples.len(),
        arrays,
    };
    let path = dir.join("header.json");
    let text = serde_json::to_string_pretty(&header).expect("header serializes");
    std::fs::write(&path, text).map_err(io(&path))
}

#[cfg(test)]
mod tests {
    use superposition_core::and2::And2Params;
    use superposition_core::eval::SampleSpec;
    use superposition_core::instance::PairDistribution;
    use superposition_core::sample::InputDistribution;

    use super::*;

    /// Reads a bundle back (the Rust side of the format the NumPy script reads).
    struct Bundle {
        header: BundleHeader,
        arrays: BTreeMap<String, Vec<u64>>,
    }

    fn read_bundle(dir: &Path) -> Result<Bundle, String> {
        let path = dir.join("header.json");
        let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let header: BundleHeader = serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let mut arrays = BTreeMap::new();
        for (name, spec) in &header.arrays {
            let path = dir.join(&spec.file);
            let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            let width = match spec.dtype.as_str() {
                "<u1" => 1,
                "<u2" => 2,
                "<u4" | "<i4" => 4,
                "<u8" => 8,
                other => return Err(format!("{name}: unknown dtype {other}")),
            };
            let values: Vec<u64> = bytes
                .chunks_exact(width)
                .map(|c| {
                    let mut b = [0u8; 8];
                    b[..width].copy_from_slice(c);
                    u64::from_le_bytes(b)
                })
                .collect();
            if values.len() != spec.shape.iter().product::<usize>() {
                return Err(format!("{name}: {} values for shape {:?}", values.len(), spec.shape));
            }
            arrays.insert(name.clone(), values);
        }
        Ok(Bundle { header, arrays })
    }

    #[test]
    fn bundle_round_trip() {
        let instance = And2Instance::random(90, 100, PairDistribution::Uniform, 3).unwrap();
        let params = And2Params::defaults(100, 70, 4);
        let network = And2Network::build(&instance, params).unwrap();
        let spec = SampleSpec {
            k: 4,
            distribution: InputDistribution::Planted,
            samples: 50,
            seed: 5,
        };
        let samples = SampleSet::draw(&instance, &spec);
        let dir = std::env::temp_dir().join(format!("sb-bundle-test-{}", std::process::id()));
        write_bundle(&dir, &network, &instance, &samples, 4).unwrap();
        let bundle = read_bundle(&dir).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();

        let h = &bundle.header;
        assert_eq!((h.format.as_str(), h.inputs, h.outputs), (BUNDLE_FORMAT, 90, 100));
        assert_eq!(
            (h.input_width, h.hidden_width, h.t_in, h.t_out),
            (70, 70, params.t_in, params.t_out)
        );
        assert_eq!((h.decoder.as_str(), h.centering, h.samples, h.k), ("vote", true, 50, 4));
        assert_eq!((h.vote_threshold, h.average_threshold), decoder_thresholds(&params));
        let u32s = |name: &str| -> Vec<u32> { bundle.arrays[name].iter().map(|&v| v as u32).collect() };
        let pairs: Vec<(u32, u32)> = u32s("pairs").chunks(2).map(|p| (p[0], p[1])).collect();
        assert_eq!(And2Instance::new(h.inputs, pairs).unwrap(), instance);
        assert_eq!(u32s("input_code"), network.input_code().flat());
        assert_eq!(u32s("output_code"), network.output_code().flat());
        let union: Vec<usize> = (0..70).map(|r| network.union_size(r)).collect();
        assert_eq!(
            bundle.arrays["union_size"]
                .iter()
                .map(|&v| v as usize)
                .collect::<Vec<_>>(),
            union
        );
        let weights = &bundle.arrays["weights"];
        assert_eq!(h.arrays["weights"].shape, vec![70, 70]);
        for q in 0..70 {
            for r in 0..70 {
                assert_eq!(weights[q * 70 + r], u64::from(network.weight(r, q)), "A[{r}, {q}]");
            }
        }
        let offsets: Vec<usize> = bundle.arrays["sample_offsets"].iter().map(|&v| v as usize).collect();
        let read = SampleSet::from_parts(offsets, u32s("sample_active"), h.inputs).unwrap();
        assert_eq!(read, samples);
    }
}
