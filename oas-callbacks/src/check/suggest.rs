//! "Did you mean": the known name closest to a mistyped one, within bounded work.

/// "Did you mean" looks only at names up to this length (the edit distance is quadratic in it),
/// at most this many candidates, and for the first this-many problems of a check: bounded work
/// on a document with a million operations or million-character names.
const MAX_SUGGESTED_LEN: usize = 64;
const MAX_SUGGESTION_CANDIDATES: usize = 1_000;
pub(super) const MAX_SUGGESTIONS: usize = 100;

/// The known name closest to `name`: the same ignoring case, or within a small edit distance.
pub(super) fn closest<'a>(name: &str, known: impl Iterator<Item = &'a str>) -> Option<&'a str> {
    if name.len() > MAX_SUGGESTED_LEN {
        return None;
    }
    let mut best: Option<(usize, &str)> = None;
    let candidates = known
        .filter(|candidate| candidate.len() <= MAX_SUGGESTED_LEN)
        .take(MAX_SUGGESTION_CANDIDATES);
    for candidate in candidates {
        let distance = if candidate.eq_ignore_ascii_case(name) {
            0
        } else {
            edit_distance(&name.to_ascii_lowercase(), &candidate.to_ascii_lowercase())
        };
        let limit = (name.chars().count() / 3).max(1);
        // Ties go to the smallest name, so the answer does not depend on iteration order.
        if distance <= limit && best.is_none_or(|(d, b)| (distance, candidate) < (d, b)) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current.push(substitution.min(previous[j + 1] + 1).min(current[j] + 1));
        }
        previous = current;
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_close_names() {
        assert_eq!(
            closest("userid", ["userId", "other"].into_iter()),
            Some("userId")
        );
        assert_eq!(closest("sers", ["users"].into_iter()), Some("users"));
        assert_eq!(closest("zzzz", ["users"].into_iter()), None);
    }
}
