//! The check registry and each check's schema (configuration, records, typed detail), one
//! module per check.
//!
//! `registry!` below is the one list of checks: it generates [`CheckId`] (matched
//! exhaustively by the runner in superposition-core and by the report's section dispatch, so
//! a check registered here but not run or not rendered is a compile error), the check's title,
//! the checks whose outputs it consumes, and [`CheckDetail`], the typed detail of a verdict.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

pub mod and2_upper;
pub mod capacity;
pub mod chernoff;
pub mod depth2;
pub mod description_length;
pub mod exhaustive;
pub mod gap;
pub mod influence;
pub mod lower_sanity;
pub mod permutation;
pub mod probe_decoder;
pub mod representation;
pub mod trained;
pub mod u_and;
pub mod worst_case;

macro_rules! registry {
    ($($variant:ident = $id:literal, $module:ident, $kind:ident, $title:literal, [$($consumes:ident),*],
        control: $control:literal;)*) => {
        /// A check `verify-bounds` runs, in run order.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        pub enum CheckId {
            $(
                #[doc = concat!("`", $id, "` ", $title)]
                #[serde(rename = $id)]
                $variant,
            )*
        }

        impl CheckId {
            /// Every check, in run order.
            pub const ALL: &'static [CheckId] = &[$(CheckId::$variant),*];

            /// The id as the CLI and results files spell it (`and2-upper`).
            pub fn as_str(self) -> &'static str {
                match self {
                    $(CheckId::$variant => $id,)*
                }
            }

            /// The claim in a few words, after the id in report headings.
            pub fn title(self) -> &'static str {
                match self {
                    $(CheckId::$variant => $title,)*
                }
            }

            /// A claim of the paper tested, or an invariant of any correct implementation guarded.
            pub fn kind(self) -> Kind {
                match self {
                    $(CheckId::$variant => Kind::$kind,)*
                }
            }

            /// The negative control: the deliberately wrong input on which a correct check must
            /// FAIL (`verify-bounds --negative-controls` runs it).
            pub fn control(self) -> &'static str {
                match self {
                    $(CheckId::$variant => $control,)*
                }
            }

            /// The checks whose outputs this one consumes: they run before it, and a run that
            /// selects it without them runs them first.
            pub fn consumes(self) -> &'static [CheckId] {
                match self {
                    $(CheckId::$variant => &[$(CheckId::$consumes),*],)*
                }
            }
        }

        /// The typed detail of one verdict: the check's figures (fits, constants, criteria).
        /// In JSON, `id` names the check and `detail` holds its figures.
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[serde(tag = "id", content = "detail")]
        pub enum CheckDetail {
            $(
                #[doc = concat!("Detail of `", $id, "`.")]
                #[serde(rename = $id)]
                $variant($module::Detail),
            )*
        }

        impl CheckDetail {
            /// The check this detail belongs to.
            pub fn id(&self) -> CheckId {
                match self {
                    $(CheckDetail::$variant(_) => CheckId::$variant,)*
                }
            }
        }
    };
}

registry! {
    Representation = "representation", representation, Claim,
        "(R1): representing m sparse features takes O(log m) neurons", [],
        control: "one-hot codes folded modulo the width (feature i ↦ neuron i mod d, t = 1; sizes up to 2¹²): a representation whose width grows like m";
    And2Upper = "and2-upper", and2_upper, Claim,
        "(T3): computing m′ pairwise ANDs with O(√m′·log m′) neurons", [],
        control: "AS-2AND with one dedicated code neuron per output (output j on neuron j mod n): a construction whose width grows like m′";
    LowerSanity = "lower-sanity", lower_sanity, Invariant,
        "(T1/T2): every network carries at least log₂ #instances bits", [And2Upper],
        control: "a network that hides its instance in the decoder (identity hidden layer, each output's pair read from a table): exact, with 2m one-bit parameters";
    Gap = "gap", gap, Claim, "(R1 vs T2/T3): representing against computing", [Representation, And2Upper],
        control: "d* replaced by the folded one-hot code's (the representation control's search, sizes up to 2¹²), which grows like m";
    ProbeDecoder = "probe-decoder", probe_decoder, Invariant,
        "(T1's decoding step, executed): the instance read back from the weights", [And2Upper],
        control: "AS-2AND built for another instance than the one judged (the judged instance held only by the decoder): its weights decode to the wrong instance";
    Exhaustive = "exhaustive", exhaustive, Invariant, "(counting lemma): every tiny network enumerated", [],
        control: "a readout chosen per instance (pairs read off one fixed identity layer, the instance in the decoder): every instance computed by a family of 2^0 networks";
    Capacity = "capacity", capacity, Claim, "(C1): how many ANDs n neurons compute", [],
        control: "AS-2AND with one code neuron per output (t_out = 1): a hidden neuron decides all the outputs it hosts at once, so capacity grows at most like n (≈ δ·n/⌊k/2⌋ under planted inputs)";
    Chernoff = "chernoff", chernoff, Claim,
        "(T3's analysis): measured failure never exceeds the analytic bound", [And2Upper, Capacity],
        control: "the analytic bound divided by 10⁴: a \"bound\" set below the measured rates";
    DescriptionLength = "description-length", description_length, Invariant,
        "(T1): description size against the counting minimum", [And2Upper],
        control: "the decoder-hiding network of lower-sanity: its weights (the identity) describe no instance";
    Influence = "influence", influence, Claim,
        "(SPEC §3 step 5): a dedicated channel for high-influence inputs", [And2Upper],
        control: "the channel construction with its input channel switched off (θ above every influence)";
    WorstCase = "worst-case", worst_case, Claim, "(worst case): adversarial inputs against AS-2AND", [And2Upper],
        control: "AS-2AND with a planted bad input x: an extra output (a_j, x) on exactly the code rows of the adversary's first target j, so j or it is wrong at every width";
    Permutation = "permutation", permutation, Claim,
        "(AS-PERM): permutations and sparse linear maps in superposition", [Representation],
        control: "AS-PERM with one code neuron per output (t_out = 1), output j on neuron j mod n: width growing like m";
    UAnd = "u-and", u_and, Claim,
        "(U-AND, Hänni et al.): all pairwise ANDs with an averaged ε-error readout", [And2Upper],
        control: "U-AND with the connection probability p fixed instead of shrinking with d";
    Depth2 = "depth-2", depth2, Claim, "(multi-layer): two AS-2AND layers composed", [And2Upper],
        control: "the second layer wired to the wrong first-layer outputs (every gate reads the outputs after its own)";
    Trained = "trained", trained, Claim,
        "(v3, T1/T2): trained networks between the bounds; bits against m′·log m′", [And2Upper],
        control: "networks trained on another instance than the one judged (the seed-s instance of and2-upper's size 2^(log m′) with seed s + 1000): the targets carry no information about the judged instance, so no width meets δ";
}

/// What a check's verdict is evidence of (SPEC §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Tests a statement of the paper (or of a cited paper) empirically; could come out either
    /// way.
    Claim,
    /// Guards a property any correct implementation has; catches bugs, not falsehoods, and is
    /// never counted as evidence for the paper.
    Invariant,
}

impl Kind {
    /// `claim` or `invariant`.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Claim => "claim",
            Kind::Invariant => "invariant",
        }
    }
}

impl fmt::Display for CheckId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An id that names no check.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown check {given:?}; known checks: {}", CheckId::ALL.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "))]
pub struct UnknownCheck {
    /// The id given.
    pub given: String,
}

impl FromStr for CheckId {
    type Err = UnknownCheck;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CheckId::ALL
            .iter()
            .copied()
            .find(|c| c.as_str() == s)
            .ok_or_else(|| UnknownCheck { given: s.to_string() })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_through_their_names_and_json() {
        for &id in CheckId::ALL {
            assert_eq!(id.as_str().parse::<CheckId>(), Ok(id));
            let json = serde_json::to_string(&id).unwrap();
            assert_eq!(json, format!("\"{}\"", id.as_str()));
            assert_eq!(serde_json::from_str::<CheckId>(&json).unwrap(), id);
        }
        let err = "no-such-check".parse::<CheckId>().unwrap_err();
        assert!(err.to_string().contains("and2-upper"), "{err}");
    }

    #[test]
    fn every_check_runs_after_what_it_consumes() {
        for (i, &id) in CheckId::ALL.iter().enumerate() {
            for dep in id.consumes() {
                let j = CheckId::ALL.iter().position(|c| c == dep).unwrap();
                assert!(j < i, "{id} consumes {dep}, which runs after it");
            }
        }
    }
}
