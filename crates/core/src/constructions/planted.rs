//! A deliberately wrong AS-2AND network: a planted code collision, the negative control of
//! check `worst-case` and a network with known worst-case errors for the adversary's tests.
//!
//! Two outputs with the same code rows are decoded alike. Planting an output j′ = (a_j, x) on
//! exactly the code rows of an existing output j, with x a new input, makes the 2-sparse input
//! {a_j, x} wrong at every width: j′ is true there and j is not, yet both are decoded the same.
//! Choosing j as the output whose code neurons host the most inputs makes it the adversary's
//! first target ([`crate::evaluate::adversary`] attacks the most crowded outputs first).

use crate::base::code::SubsetCode;
use crate::base::instance::And2Instance;
use crate::constructions::and2::{And2Network, And2Params};
use crate::error::Result;
use crate::network::AdditiveRows;

/// AS-2AND with a planted collision, and the instance it computes.
#[derive(Debug, Clone)]
pub struct PlantedCollision {
    /// The instance plus input x = m and output j′ = (a_j, x), the last pair.
    pub instance: And2Instance,
    /// The network: the ordinary codes for every original input and output, a seeded code
    /// for x, and C_out(j′) = C_out(j).
    pub network: And2Network,
    /// j, the output whose code j′ copies.
    pub output: u32,
    /// j′ = m′, the planted output.
    pub twin: u32,
}

/// Plants the collision into the AS-2AND network of `instance` at `params`. j is the output
/// whose code neurons host the most inputs (largest Σ_{r ∈ C_out(j)} |S_r|, ties to the lowest
/// index). In the planted network j's load grows by t_out (x joins each of its rows) and no
/// other output's by as much, so j stays first in the adversary's crowded order (j′, with the
/// same load and a higher index, comes after it).
pub fn plant_collision(instance: &And2Instance, params: And2Params) -> Result<PlantedCollision> {
    let (inputs, outputs) = (instance.inputs(), instance.outputs());
    let ordinary = And2Network::build(instance, params)?;
    let load = |j: usize| -> usize {
        let rows = ordinary.output_rows(j);
        rows.iter().map(|&r| ordinary.row_load(r as usize)).sum()
    };
    let j = (0..outputs)
        .max_by_key(|&j| (load(j), std::cmp::Reverse(j)))
        .expect("an instance has outputs");
    let x = inputs as u32;
    let mut pairs = instance.pairs().to_vec();
    pairs.push((instance.pairs()[j].0, x));
    let planted = And2Instance::new(inputs + 1, pairs)?;
    let extra_input = params.input_code(inputs + 1)?;
    let mut input_sets: Vec<Vec<u32>> = (0..inputs).map(|i| ordinary.input_code().set(i).to_vec()).collect();
    input_sets.push(extra_input.set(inputs).to_vec());
    let mut output_sets: Vec<Vec<u32>> = (0..outputs).map(|o| ordinary.output_code().set(o).to_vec()).collect();
    output_sets.push(ordinary.output_code().set(j).to_vec());
    drop(ordinary);
    let network = And2Network::with_codes(
        &planted,
        params,
        SubsetCode::from_sets(params.input_width, params.t_in, &input_sets)?,
        SubsetCode::from_sets(params.hidden_width, params.t_out, &output_sets)?,
    )?;
    Ok(PlantedCollision {
        instance: planted,
        network,
        output: j as u32,
        twin: outputs as u32,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::base::instance::PairDistribution;
    use crate::constructions::and2::Scratch;

    #[test]
    fn the_twin_copies_the_most_crowded_code_and_errs_at_every_width() {
        let instance = And2Instance::random(64, 64, PairDistribution::Uniform, 7).unwrap();
        for width in [200, 1000, 4000] {
            let params = And2Params::defaults(64, width, 11);
            let ordinary = And2Network::build(&instance, params).unwrap();
            let p = plant_collision(&instance, params).unwrap();
            let (j, twin) = (p.output as usize, p.twin as usize);
            assert_eq!((p.instance.inputs(), p.instance.outputs(), twin), (65, 65, 64));
            assert_eq!(p.instance.pairs()[twin], (instance.pairs()[j].0, 64));
            assert_eq!(p.network.output_code().set(j), p.network.output_code().set(twin));
            // Every original code is kept.
            for o in 0..64 {
                assert_eq!(p.network.output_code().set(o), ordinary.output_code().set(o));
            }
            // j is the most crowded output of the ordinary network.
            let load = |net: &And2Network, o: usize| -> usize {
                net.output_rows(o).iter().map(|&r| net.row_load(r as usize)).sum()
            };
            assert!((0..64).all(|o| load(&ordinary, o) <= load(&ordinary, j)));
            // The collision: on {a_j, x}, j′ is true and j is not, and they decode alike.
            let (mut scratch, mut got, mut truth) = (Scratch::default(), Vec::new(), Vec::new());
            let active = [instance.pairs()[j].0, 64];
            p.network.evaluate_dense(&active, &mut scratch, &mut got);
            p.instance.true_outputs(&p.instance.pair_index(), &active, &mut truth);
            assert_eq!(got.contains(&p.output), got.contains(&p.twin));
            assert!(truth.contains(&p.twin) && !truth.contains(&p.output));
            assert_ne!(got, truth, "width {width}");
        }
    }
}
