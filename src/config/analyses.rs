//! Settings of the analyses beyond pooling that `brief.toml`'s `[analysis]` table chooses:
//! how single-arm proportions are transformed before they are pooled.

use serde::{Deserialize, Serialize};

/// The transformation under which single-arm proportions are pooled (`[analysis]
/// proportions`), back-transformed for display.
///
/// Why: a proportion near 0 or 1 has a skewed sampling distribution; metafor pools it as a
/// logit (`rma(measure = "PLO")`, back-transformed with `transf.ilogit`) or as a
/// Freeman–Tukey double arcsine (`measure = "PFT"`, back-transformed with
/// `transf.ipft.hm`, the harmonic mean of the group sizes; Miller 1978). The logit is the
/// default: Schwarzer et al. 2019 (Res Synth Methods 10:476–483) show the back-transformed
/// Freeman–Tukey estimate can be misleading.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Proportions {
    /// Logit transformation (metafor `PLO`).
    #[default]
    Logit,
    /// Freeman–Tukey double arcsine (metafor `PFT`).
    FreemanTukey,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Deserialize)]
    struct T {
        p: Proportions,
    }

    #[test]
    fn reads_both_names_and_refuses_others() {
        let t: T = toml::from_str("p = \"freeman-tukey\"").unwrap();
        assert_eq!(t.p, Proportions::FreemanTukey);
        let t: T = toml::from_str("p = \"logit\"").unwrap();
        assert_eq!(t.p, Proportions::Logit);
        assert!(toml::from_str::<T>("p = \"arcsine\"").is_err());
    }
}
