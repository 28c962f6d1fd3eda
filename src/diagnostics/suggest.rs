//! "Did you mean" suggestions for misspelled names, by edit distance.

/// The candidate closest to `name`, if it is close enough to be a likely typo.
///
/// Close enough means an edit distance of at most a third of the longer name (at least 1), or a
/// case-insensitive match.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in candidates {
        if candidate == name {
            continue;
        }
        let distance = if candidate.eq_ignore_ascii_case(name) {
            0
        } else {
            edit_distance(name, candidate)
        };
        let limit = (name.chars().count().max(candidate.chars().count()) / 3).max(1);
        if distance <= limit && best.is_none_or(|(best_distance, _)| distance < best_distance) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// Optimal string alignment distance: insertions, deletions, substitutions and transpositions
/// of adjacent characters each cost one.
pub fn edit_distance(left: &str, right: &str) -> usize {
    let left: Vec<char> = left.chars().collect();
    let right: Vec<char> = right.chars().collect();
    let width = right.len() + 1;
    let mut table = vec![0usize; (left.len() + 1) * width];
    for (row, cell) in table.iter_mut().step_by(width).enumerate() {
        *cell = row;
    }
    for (column, cell) in table.iter_mut().take(width).enumerate() {
        *cell = column;
    }
    for row in 1..=left.len() {
        for column in 1..=right.len() {
            let cost = usize::from(left[row - 1] != right[column - 1]);
            let mut best = (table[(row - 1) * width + column] + 1)
                .min(table[row * width + column - 1] + 1)
                .min(table[(row - 1) * width + column - 1] + cost);
            if row > 1
                && column > 1
                && left[row - 1] == right[column - 2]
                && left[row - 2] == right[column - 1]
            {
                best = best.min(table[(row - 2) * width + column - 2] + 1);
            }
            table[row * width + column] = best;
        }
    }
    table[left.len() * width + right.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_the_closest_keyword() {
        let keywords = ["platform", "archetype", "mixin", "community", "cluster"];
        assert_eq!(did_you_mean("archtype", keywords), Some("archetype"));
        assert_eq!(did_you_mean("comunity", keywords), Some("community"));
        assert_eq!(did_you_mean("Cluster", keywords), Some("cluster"));
        assert_eq!(did_you_mean("banana", keywords), None);
    }

    #[test]
    fn counts_a_transposition_as_one_edit() {
        assert_eq!(edit_distance("tunalbe", "tunable"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
    }
}
