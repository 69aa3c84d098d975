//! U-AND (Hänni et al.): all pairwise ANDs with an averaged ε-error readout: the construction (issue 5; skeleton).
