//! Cells: the units of work of a `verify-bounds` run, each with a stable id, so that a killed
//! run resumes where it stopped (`--resume`) and a run splits over machines (`--shard i/N`,
//! then `cargo xtask merge`).
//!
//! A cell is one expensive, deterministic unit of a check (one width search, one sweep, one
//! capacity search, …), run through [`Runner::cell`](super::Runner::cell). Its id is the
//! check's id, `/control` under the negative control, then the unit's parameters:
//! `and2-upper/search/centered/planted/m=2^12/seed=3`. It depends only on the run's
//! configuration and, where a cell's input is another cell's value, on that value (put into
//! the id), never on the machine, the thread count or what ran before.
//!
//! The records file (`verify-bounds-<name>.records.jsonl`) is JSON lines:
//! - line 1, the run's [`RunHeader`] (`{"header": {…}}`): scale, seed, k, the scale's whole
//!   configuration, the selected checks, the negative-controls flag and the crate version;
//! - then, for each finished cell, its records (one [`Record`] per line, tagged by `kind`,
//!   as before) followed by one marker line (`{"cell": {…}}`, a [`CellMarker`]: id, the
//!   cell's value, its lower-sanity tally delta and its record count), written and flushed
//!   together;
//! - records made outside any cell (cheap, recomputed on every run) stream as plain lines
//!   between cells; a reader ignores them.
//!
//! A kill leaves at worst a half-written last line (dropped by [`parse_log`], never parsed)
//! and records of an unfinished cell without their marker (ignored: a marker claims the
//! `records` lines just before it).

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use serde::{Deserialize, Serialize};

use super::SanityTally;
use crate::results::Record;

/// The format name written in every header.
pub const FORMAT: &str = "superposition-cells/1";

/// The first line of a records file: what was run. Two files hold interchangeable cells
/// only if their headers are equal ([`RunHeader::differences`]); a shard's index is not
/// part of it, so shards and their merge share one header.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunHeader {
    /// [`FORMAT`].
    pub format: String,
    /// The crate version that wrote the file.
    pub version: String,
    /// `quick`, `standard` or `full`.
    pub scale: String,
    /// The master seed.
    pub seed: u64,
    /// k, the input sparsity.
    pub k: usize,
    /// The checks selected (`--checks`), or none for all.
    pub checks: Option<Vec<String>>,
    /// Negative-control mode.
    pub negative_controls: bool,
    /// The whole `ScaleConfig`, as JSON.
    pub config: serde_json::Value,
}

impl RunHeader {
    /// Every field in which `self` (the file's) differs from `run` (this run's), one line
    /// each, naming the field (and the `config` key) and both values.
    pub fn differences(&self, run: &RunHeader) -> Vec<String> {
        let mut out = Vec::new();
        let mut field = |name: &str, file: String, now: String| {
            if file != now {
                out.push(format!("{name}: the file has {file}, this run {now}"));
            }
        };
        field("format", self.format.clone(), run.format.clone());
        field("version", self.version.clone(), run.version.clone());
        field("scale", self.scale.clone(), run.scale.clone());
        field("seed", self.seed.to_string(), run.seed.to_string());
        field("k", self.k.to_string(), run.k.to_string());
        field("checks", format!("{:?}", self.checks), format!("{:?}", run.checks));
        field(
            "negative_controls",
            self.negative_controls.to_string(),
            run.negative_controls.to_string(),
        );
        match (self.config.as_object(), run.config.as_object()) {
            (Some(a), Some(b)) => {
                let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
                for key in keys {
                    let show = |v: Option<&serde_json::Value>| v.map_or("nothing".into(), |v| v.to_string());
                    field(&format!("config.{key}"), show(a.get(key)), show(b.get(key)));
                }
            }
            _ => field("config", self.config.to_string(), run.config.to_string()),
        }
        out
    }
}

/// The lower-sanity tally of the networks one cell built: counts and minima, so deltas merge
/// in any order to the tally of one sequential run. (JSON has no ∞: a minimum over no
/// network is `null`.)
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct TallyDelta {
    /// Networks built.
    pub networks: u64,
    /// Networks below a lower bound.
    pub violations: u64,
    /// Smallest parameter bits − log₂ #instances.
    pub min_margin_bits: Option<f64>,
    /// Smallest neurons / neuron bound.
    pub min_neuron_ratio: Option<f64>,
}

impl From<SanityTally> for TallyDelta {
    fn from(t: SanityTally) -> Self {
        let finite = |x: f64| x.is_finite().then_some(x);
        Self {
            networks: t.networks,
            violations: t.violations,
            min_margin_bits: finite(t.min_margin_bits),
            min_neuron_ratio: finite(t.min_neuron_ratio),
        }
    }
}

impl From<TallyDelta> for SanityTally {
    fn from(d: TallyDelta) -> Self {
        Self {
            networks: d.networks,
            violations: d.violations,
            min_margin_bits: d.min_margin_bits.unwrap_or(f64::INFINITY),
            min_neuron_ratio: d.min_neuron_ratio.unwrap_or(f64::INFINITY),
        }
    }
}

/// The line that closes a finished cell in the records file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellMarker {
    /// The cell's stable id.
    pub id: String,
    /// What the cell returned, as JSON.
    pub value: serde_json::Value,
    /// Its contribution to the lower-sanity tally.
    pub tally: TallyDelta,
    /// How many record lines just before this marker are the cell's.
    pub records: usize,
}

/// One line of a records file, as written.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
enum Bookkeeping {
    Header(RunHeader),
    Cell(CellMarker),
}

/// The header line, without its newline.
pub fn header_line(header: &RunHeader) -> String {
    serde_json::to_string(&Bookkeeping::Header(header.clone())).expect("headers serialize")
}

/// The marker line, without its newline.
pub fn marker_line(marker: &CellMarker) -> String {
    serde_json::to_string(&Bookkeeping::Cell(marker.clone())).expect("markers serialize")
}

/// A cell read back: its marker and its records.
#[derive(Debug, Clone)]
pub struct FinishedCell {
    /// The marker line.
    pub marker: CellMarker,
    /// Its records, in the order they were made.
    pub records: Vec<Record>,
}

impl FinishedCell {
    /// Equal value, tally and records (records compared as JSON: [`Record`] has no `Eq`).
    fn same_as(&self, other: &FinishedCell) -> bool {
        let json = |r: &[Record]| serde_json::to_string(r).expect("records serialize");
        self.marker == other.marker && json(&self.records) == json(&other.records)
    }
}

/// A records file read back.
#[derive(Debug)]
pub struct CellLog {
    /// The header (first line).
    pub header: RunHeader,
    /// The finished cells, in file order, each id once.
    pub cells: Vec<FinishedCell>,
    /// Bytes up to the end of the last complete line: where an appending run continues.
    pub complete_len: usize,
    /// Whether a half-written last line was dropped.
    pub dropped_partial: bool,
}

/// Reads a records file's text: drops a half-written last line (no final newline) unparsed,
/// refuses a missing header, keeps one copy of a cell written twice with the same content and
/// refuses one written twice with different content (a sign of non-determinism).
pub fn parse_log(text: &str) -> Result<CellLog, String> {
    let complete_len = text.rfind('\n').map_or(0, |i| i + 1);
    let dropped_partial = complete_len < text.len();
    let mut lines = text[..complete_len].lines().enumerate();
    let header = match lines.next() {
        Some((_, line)) => match serde_json::from_str::<Bookkeeping>(line) {
            Ok(Bookkeeping::Header(h)) => h,
            _ => {
                return Err(
                    "its first line is no run header: it was written before cells existed or is \
                            not a records file; run without --resume to start afresh"
                        .into(),
                );
            }
        },
        None => return Err("it holds no complete line (not even the run header)".into()),
    };
    let mut pending: Vec<Record> = Vec::new();
    let mut cells: Vec<FinishedCell> = Vec::new();
    let mut index: BTreeMap<String, usize> = BTreeMap::new();
    for (n, line) in lines {
        let value: serde_json::Value =
            serde_json::from_str(line).map_err(|e| format!("line {}: not JSON: {e}", n + 1))?;
        if value.get("cell").is_some() {
            let Bookkeeping::Cell(marker) =
                serde_json::from_value(value).map_err(|e| format!("line {}: bad cell marker: {e}", n + 1))?
            else {
                unreachable!("a line with a `cell` key parses as a cell marker or fails");
            };
            if marker.records > pending.len() {
                return Err(format!(
                    "line {}: cell {} claims {} records, but only {} precede it",
                    n + 1,
                    marker.id,
                    marker.records,
                    pending.len()
                ));
            }
            let records = pending.split_off(pending.len() - marker.records);
            pending.clear();
            let cell = FinishedCell { marker, records };
            match index.entry(cell.marker.id.clone()) {
                Entry::Occupied(e) => {
                    if !cells[*e.get()].same_as(&cell) {
                        return Err(format!(
                            "line {}: cell {} appears twice with different content (the run is not \
                             deterministic, or files of different runs were mixed)",
                            n + 1,
                            cell.marker.id
                        ));
                    }
                }
                Entry::Vacant(e) => {
                    e.insert(cells.len());
                    cells.push(cell);
                }
            }
        } else if value.get("header").is_some() {
            return Err(format!("line {}: a second run header", n + 1));
        } else {
            pending.push(serde_json::from_value(value).map_err(|e| format!("line {}: bad record: {e}", n + 1))?);
        }
    }
    Ok(CellLog {
        header,
        cells,
        complete_len,
        dropped_partial,
    })
}

/// Finished cells by id: what a resumed, sharded or merging run replays.
#[derive(Debug, Default, Clone)]
pub struct CellStore {
    cells: BTreeMap<String, FinishedCell>,
}

impl CellStore {
    /// Adds `cells`; a cell already held must be the same (else an error naming it).
    pub fn extend(&mut self, cells: impl IntoIterator<Item = FinishedCell>) -> Result<(), String> {
        for cell in cells {
            match self.cells.entry(cell.marker.id.clone()) {
                Entry::Occupied(e) => {
                    if !e.get().same_as(&cell) {
                        return Err(format!(
                            "cell {} appears twice with different content (the run is not deterministic, \
                             or files of different runs were mixed)",
                            cell.marker.id
                        ));
                    }
                }
                Entry::Vacant(e) => {
                    e.insert(cell);
                }
            }
        }
        Ok(())
    }

    /// The cell `id`, if held.
    pub fn get(&self, id: &str) -> Option<&FinishedCell> {
        self.cells.get(id)
    }

    /// Number of cells held.
    pub fn len(&self) -> usize {
        self.cells.len()
    }

    /// Whether no cell is held.
    pub fn is_empty(&self) -> bool {
        self.cells.is_empty()
    }

    /// The cells, by id.
    pub fn iter(&self) -> impl Iterator<Item = &FinishedCell> {
        self.cells.values()
    }
}

/// Which cells a run computes; the others it replays from its [`CellStore`] or defers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CellMode {
    /// Every cell not in the store is computed (an ordinary or resumed run).
    All,
    /// Only cells with [`shard_of`]`(id, n) == i` are computed; a check that needs a cell
    /// neither held nor its own is deferred.
    Shard {
        /// This shard, 0-based.
        i: u64,
        /// Number of shards.
        n: u64,
    },
    /// No cell is computed: every one must be in the store (`cargo xtask merge`).
    ReplayOnly,
}

/// The shard of a cell id: FNV-1a (64-bit) of its UTF-8 bytes, mod `n`. Fixed, so every
/// machine and every Rust version agrees (unlike `DefaultHasher`).
pub fn shard_of(id: &str, n: u64) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for &byte in id.as_bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash % n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::FailureRate;

    fn header(seed: u64) -> RunHeader {
        RunHeader {
            format: FORMAT.into(),
            version: "0.1.0".into(),
            scale: "quick".into(),
            seed,
            k: 4,
            checks: None,
            negative_controls: false,
            config: serde_json::json!({"samples": 200, "seeds": 3}),
        }
    }

    fn record(m: u64) -> Record {
        Record::RepresentationMinWidth {
            m,
            seed: 1,
            width: 10,
            t: 2,
            failure: FailureRate {
                failures: 0,
                samples: 10,
                rate: 0.0,
                wilson_lo: 0.0,
                wilson_hi: 0.3,
            },
            code: Default::default(),
        }
    }

    fn cell_lines(id: &str, value: u64, records: &[u64]) -> String {
        let mut text = String::new();
        for &m in records {
            text += &serde_json::to_string(&record(m)).unwrap();
            text.push('\n');
        }
        let marker = CellMarker {
            id: id.into(),
            value: value.into(),
            tally: SanityTally::default().into(),
            records: records.len(),
        };
        text + &marker_line(&marker) + "\n"
    }

    fn file(cells: &[String]) -> String {
        header_line(&header(1)) + "\n" + &cells.concat()
    }

    #[test]
    fn cells_are_read_with_their_records_and_loose_records_are_ignored() {
        let loose = serde_json::to_string(&record(99)).unwrap() + "\n";
        let text = file(&[cell_lines("a/1", 7, &[1, 2]), loose, cell_lines("a/2", 8, &[3])]);
        let log = parse_log(&text).unwrap();
        assert_eq!(log.header, header(1));
        assert!(!log.dropped_partial);
        assert_eq!(log.complete_len, text.len());
        let ids: Vec<&str> = log.cells.iter().map(|c| c.marker.id.as_str()).collect();
        assert_eq!(ids, ["a/1", "a/2"]);
        assert_eq!(log.cells[0].records.len(), 2);
        assert_eq!(log.cells[1].records.len(), 1, "the loose record is not the cell's");
        assert_eq!(log.cells[1].marker.value, serde_json::json!(8));
    }

    #[test]
    fn a_half_written_last_line_is_dropped_unparsed() {
        let whole = file(&[cell_lines("a/1", 7, &[1])]);
        let next = cell_lines("a/2", 8, &[2, 3]);
        // Cut anywhere inside the next cell's lines: the first cell survives, nothing else.
        for cut in 1..next.len() {
            let text = whole.clone() + &next[..cut];
            let log = parse_log(&text).unwrap_or_else(|e| panic!("cut at {cut}: {e}"));
            let ids: Vec<&str> = log.cells.iter().map(|c| c.marker.id.as_str()).collect();
            assert_eq!(ids, ["a/1"], "cut at {cut}");
            let ends_line = next[..cut].ends_with('\n');
            assert_eq!(log.dropped_partial, !ends_line, "cut at {cut}");
            assert!(log.complete_len <= text.len() && text[..log.complete_len].ends_with('\n'));
        }
        // A cut header is no header.
        let header = header_line(&header(1));
        assert!(parse_log(&header[..header.len() / 2]).is_err());
    }

    #[test]
    fn duplicate_cells_keep_one_copy_unless_they_differ() {
        let a = cell_lines("a/1", 7, &[1]);
        let log = parse_log(&file(&[a.clone(), a.clone()])).unwrap();
        assert_eq!(log.cells.len(), 1);
        let err = parse_log(&file(&[a.clone(), cell_lines("a/1", 8, &[1])])).unwrap_err();
        assert!(err.contains("a/1") && err.contains("different content"), "{err}");
        let err = parse_log(&file(&[a.clone(), cell_lines("a/1", 7, &[2])])).unwrap_err();
        assert!(err.contains("a/1"), "{err}");
        let mut store = CellStore::default();
        store
            .extend(parse_log(&file(std::slice::from_ref(&a))).unwrap().cells)
            .unwrap();
        store.extend(parse_log(&file(&[a])).unwrap().cells).unwrap();
        assert_eq!(store.len(), 1);
        let other = parse_log(&file(&[cell_lines("a/1", 9, &[1])])).unwrap().cells;
        assert!(store.extend(other).unwrap_err().contains("a/1"));
    }

    #[test]
    fn a_file_without_header_or_with_a_marker_missing_records_is_refused() {
        let no_header = cell_lines("a/1", 7, &[1]);
        assert!(parse_log(&no_header).unwrap_err().contains("no run header"));
        let marker = CellMarker {
            id: "a/1".into(),
            value: 1.into(),
            tally: SanityTally::default().into(),
            records: 3,
        };
        let text = file(&[marker_line(&marker) + "\n"]);
        assert!(parse_log(&text).unwrap_err().contains("claims 3 records"));
    }

    #[test]
    fn header_differences_name_the_field_and_both_values() {
        assert!(header(1).differences(&header(1)).is_empty());
        let mut other = header(2);
        other.config = serde_json::json!({"samples": 400, "seeds": 3});
        let d = header(1).differences(&other);
        assert_eq!(d.len(), 2, "{d:?}");
        assert!(d[0].starts_with("seed: the file has 1, this run 2"), "{d:?}");
        assert!(
            d[1].starts_with("config.samples: the file has 200, this run 400"),
            "{d:?}"
        );
    }

    #[test]
    fn shards_are_fnv1a_and_stable() {
        // FNV-1a 64 of "" and "a" (published test vectors).
        assert_eq!(shard_of("", u64::MAX), 0xcbf2_9ce4_8422_2325);
        assert_eq!(shard_of("a", u64::MAX), 0xaf63_dc4c_8601_ec8c);
        let ids = (0..300).map(|i| format!("c/{i}"));
        let mut counts = [0; 3];
        for id in ids {
            counts[shard_of(&id, 3) as usize] += 1;
        }
        assert!(counts.iter().all(|&c| c > 70), "{counts:?}");
    }

    #[test]
    fn tally_deltas_round_trip_through_json_with_no_network() {
        let empty: TallyDelta = SanityTally::default().into();
        let back: TallyDelta = serde_json::from_str(&serde_json::to_string(&empty).unwrap()).unwrap();
        let tally: SanityTally = back.into();
        assert!(tally.min_margin_bits.is_infinite() && tally.networks == 0);
    }
}
