//! The vote decoder's candidate index: which outputs have a given hidden neuron among their
//! anchors (the first s neurons of their output code), split into blocks of output ids.
//!
//! [`crate::constructions::and2::And2Network::evaluate`] counts, for every output, how many of its anchors
//! fired, one block of [`VOTE_BLOCK`] output ids at a time so that the u8 counters stay in
//! L1. This index stores, for every (block b, hidden neuron r), the run of outputs of block b
//! anchored at r as u16 offsets within the block: half the bytes of u32 output ids, and a
//! run is found by one lookup instead of a cursor walked with a bound check per entry. Runs
//! are laid out row-major (a row's runs for consecutive blocks are adjacent, so counting
//! block b+1 finds the start of its runs already in cache): a block-major layout measured
//! 1.8× slower at m′ = 2^20, and one m′-entry counter array read row by row 1.15× slower.
//!
//! Counting pushes an output as a candidate the moment its counter reaches the number of
//! votes needed, so each output is pushed at most once and no second pass over the runs is
//! needed; the block's counters are then cleared with one `fill`. At m′ = 2^20 this halves
//! the work of the former two-pass count (count, then compare-and-reset along the same
//! runs), which was 76 % of the decoder's time.

use crate::base::code::SubsetCode;
use crate::error::{Result, invalid};

/// Output ids counted per block (u8 counters, 32 KiB: fits in L1; offsets fit in u16).
pub(crate) const VOTE_BLOCK: usize = 1 << 15;

/// Hidden neuron ↦ the outputs it anchors, grouped by block of output ids.
#[derive(Debug, Clone)]
pub(crate) struct AnchorIndex {
    /// Blocks of output ids, ⌈m′ / VOTE_BLOCK⌉.
    blocks: usize,
    /// Outputs m′.
    outputs: usize,
    /// starts[r·blocks + b] .. starts[r·blocks + b + 1] is the run of (r, b) in `offsets`.
    starts: Vec<u32>,
    /// Output id − b·VOTE_BLOCK, increasing within each run.
    offsets: Vec<u16>,
}

impl AnchorIndex {
    /// The index of the first `anchor_len` neurons of every output's code.
    pub(crate) fn build(output_code: &SubsetCode, anchor_len: usize) -> Result<Self> {
        let (rows, outputs) = (output_code.width(), output_code.features());
        let blocks = outputs.div_ceil(VOTE_BLOCK).max(1);
        let entries = outputs as u64 * anchor_len as u64;
        if entries > u64::from(u32::MAX) {
            return Err(invalid(
                "outputs",
                outputs,
                format!("{entries} anchor entries exceed the index's 32-bit offsets"),
            ));
        }
        let mut starts = vec![0u32; rows * blocks + 1];
        for j in 0..outputs {
            let b = j / VOTE_BLOCK;
            for &r in &output_code.set(j)[..anchor_len] {
                starts[r as usize * blocks + b + 1] += 1;
            }
        }
        for i in 1..starts.len() {
            starts[i] += starts[i - 1];
        }
        let mut fill = starts.clone();
        let mut offsets = vec![0u16; entries as usize];
        // Outputs in increasing order, so every run is sorted.
        for j in 0..outputs {
            let (b, offset) = (j / VOTE_BLOCK, (j % VOTE_BLOCK) as u16);
            for &r in &output_code.set(j)[..anchor_len] {
                let slot = &mut fill[r as usize * blocks + b];
                offsets[*slot as usize] = offset;
                *slot += 1;
            }
        }
        Ok(Self {
            blocks,
            outputs,
            starts,
            offsets,
        })
    }

    /// Bytes held.
    #[cfg(test)]
    fn bytes(&self) -> u64 {
        4 * self.starts.len() as u64 + 2 * self.offsets.len() as u64
    }

    /// Estimated bytes of an index over `outputs` outputs with `anchor_len` anchors each on
    /// `rows` hidden neurons.
    pub(crate) fn estimate_bytes(rows: usize, outputs: usize, anchor_len: usize) -> u64 {
        4 * (rows as u64 * outputs.div_ceil(VOTE_BLOCK).max(1) as u64 + 1) + 2 * (outputs * anchor_len) as u64
    }

    /// Writes into `candidates` every output with at least `need` ≥ 1 of its anchors among
    /// `fired` (distinct hidden neurons), in no particular order, each once. `votes` is
    /// scratch of at least min(m′, VOTE_BLOCK) zeros, left zeroed.
    pub(crate) fn collect(&self, fired: &[u32], need: u8, votes: &mut [u8], candidates: &mut Vec<u32>) {
        debug_assert!(need >= 1);
        candidates.clear();
        for b in 0..self.blocks {
            let base = (b * VOTE_BLOCK) as u32;
            let len = (self.outputs - b * VOTE_BLOCK).min(VOTE_BLOCK);
            let votes = &mut votes[..len];
            for (i, &r) in fired.iter().enumerate() {
                if let Some(&ahead) = fired.get(i + PREFETCH_AHEAD) {
                    crate::base::kern::prefetch(self.run(ahead as usize, b).as_ptr());
                }
                for &offset in self.run(r as usize, b) {
                    let slot = &mut votes[offset as usize];
                    *slot += 1;
                    if *slot == need {
                        candidates.push(base + u32::from(offset));
                    }
                }
            }
            votes.fill(0);
        }
    }

    /// Bytes the count of [`Self::collect`] reads for `fired`: every run (2 bytes an entry)
    /// and its two run bounds (4 bytes each).
    pub(crate) fn bytes_read(&self, fired: &[u32]) -> u64 {
        (0..self.blocks)
            .flat_map(|b| fired.iter().map(move |&r| (r as usize, b)))
            .map(|(r, b)| 2 * self.run(r, b).len() as u64 + 8)
            .sum()
    }

    /// The run of (row, block).
    #[inline(always)]
    fn run(&self, row: usize, block: usize) -> &[u16] {
        let i = row * self.blocks + block;
        &self.offsets[self.starts[i] as usize..self.starts[i + 1] as usize]
    }
}

/// Fired rows ahead whose next run is prefetched.
const PREFETCH_AHEAD: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    /// Plain count over every output: the reference `collect` must equal.
    fn reference(code: &SubsetCode, anchor_len: usize, fired: &[u32], need: u8) -> Vec<u32> {
        (0..code.features() as u32)
            .filter(|&j| {
                let hits = code.set(j as usize)[..anchor_len]
                    .iter()
                    .filter(|r| fired.contains(r))
                    .count();
                hits >= usize::from(need)
            })
            .collect()
    }

    #[test]
    fn collect_equals_a_plain_count_across_blocks() {
        // Three blocks, the last one partial, so block bases and lengths are both exercised.
        let outputs = 2 * VOTE_BLOCK + 1234;
        let code = SubsetCode::random(outputs, 97, 6, 11, "test").unwrap();
        for (anchor_len, need) in [(6, 3), (4, 1), (5, 5)] {
            let index = AnchorIndex::build(&code, anchor_len).unwrap();
            let fired: Vec<u32> = (0..97).filter(|r| r % 3 != 1).collect();
            let mut votes = vec![0u8; VOTE_BLOCK];
            let mut got = Vec::new();
            index.collect(&fired, need, &mut votes, &mut got);
            got.sort_unstable();
            assert_eq!(got, reference(&code, anchor_len, &fired, need));
            assert!(votes.iter().all(|&v| v == 0), "counters are left zeroed");
            // Reuse of the same scratch gives the same answer.
            let mut again = Vec::new();
            index.collect(&fired, need, &mut votes, &mut again);
            again.sort_unstable();
            assert_eq!(again, got);
        }
    }

    #[test]
    fn small_output_counts_use_one_short_block() {
        let code = SubsetCode::random(40, 16, 4, 3, "test").unwrap();
        let index = AnchorIndex::build(&code, 3).unwrap();
        assert_eq!(index.blocks, 1);
        let fired = [0, 2, 3, 5, 7, 11, 13];
        let mut votes = vec![0u8; 40];
        let mut got = Vec::new();
        index.collect(&fired, 2, &mut votes, &mut got);
        got.sort_unstable();
        assert_eq!(got, reference(&code, 3, &fired, 2));
        assert_eq!(index.bytes(), AnchorIndex::estimate_bytes(16, 40, 3));
    }
}
