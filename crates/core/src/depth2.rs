//! Two AS-2AND layers composed, with and without a threshold between them: the construction (issue 5; skeleton).
