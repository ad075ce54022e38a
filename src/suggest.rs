//! "Did you mean …?" for names the user misspelt.

/// The candidate closest to `word`, when it is close enough to be a likely typo.
pub fn did_you_mean<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(&word.to_lowercase(), &c.to_lowercase()), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    #[test]
    fn close_names_only() {
        assert_eq!(
            super::did_you_mean("replica", ["replicas", "strategy"]),
            Some("replicas")
        );
        assert_eq!(super::did_you_mean("zzz", ["replicas", "strategy"]), None);
    }
}
