//! Neural Permutation and sparse linear maps in superposition (AS-PERM): the construction (issue 5; skeleton).
