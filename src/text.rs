//! Text normalisation shared by the detectors (stub, to be written).

/// Normalises a post for near-duplicate comparison.
pub fn normalize(text: &str) -> String {
    text.to_lowercase()
}
