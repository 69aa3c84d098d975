//! Memory budget: estimate before allocating, refuse with a clear message.

use crate::error::{Error, Result};

/// The memory budget in bytes: `SUPERPOSITION_MEMORY_BUDGET_MIB` if set, else 75 % of the
/// machine's MemTotal (8 GiB if that cannot be read).
pub fn budget_bytes() -> u64 {
    if let Some(mib) = std::env::var("SUPERPOSITION_MEMORY_BUDGET_MIB")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        return mib << 20;
    }
    let total_kib = std::fs::read_to_string("/proc/meminfo").ok().and_then(|text| {
        text.lines()
            .find(|line| line.starts_with("MemTotal:"))
            .and_then(|line| line.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
    });
    match total_kib {
        Some(kib) => kib * 1024 / 4 * 3,
        None => 8 << 30,
    }
}

/// Refuses `needed` bytes for `what` when they exceed the budget.
pub fn check(what: impl FnOnce() -> String, needed: u64) -> Result<()> {
    let budget = budget_bytes();
    if needed > budget {
        return Err(Error::TooLarge {
            what: what(),
            needed_mib: needed >> 20,
            budget_mib: budget >> 20,
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn refuses_over_budget_and_accepts_under() {
        let budget = super::budget_bytes();
        assert!(budget > 0);
        let err = super::check(|| "a test table".into(), budget + 1)
            .unwrap_err()
            .to_string();
        assert!(err.contains("a test table") && err.contains("MiB"), "{err}");
        assert!(super::check(|| unreachable!(), 1).is_ok());
    }
}
