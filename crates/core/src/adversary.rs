//! Adversarial k-sparse inputs against a built AS-2AND network: the construction (issue 5; skeleton).
