//! Unit tests of `links.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn links_like_the_tree_of_spans() {
    // 0 root, 1 child of 0, 2 orphan, 3<->4 a cycle, 5 a duplicate id of 1, 6 child of 1.
    let ids = [10, 11, 12, 13, 14, 11, 16];
    let parents = vec![0, 10, 99, 14, 13, 10, 11];
    let starts = [5, 1, 3, 2, 2, 0, 0];
    let kept = [(0, starts[0])];
    let mut asked = Vec::new();
    let mut reread = |g: u32| {
        asked.push(g);
        Some(starts[g as usize])
    };
    let l = link(&ids, parents, &kept, &mut reread).unwrap();
    assert_eq!(
        asked,
        vec![2, 4],
        "only the orphan and the cut span are read again"
    );
    assert_eq!(l.duplicates, vec![(5, 1)]);
    assert_eq!(l.orphans, vec![2]);
    assert_eq!(l.cycles, vec![(4, 3)]);
    assert_eq!(l.parent[6], 1, "links go to the first span of an id");
    // Roots 0 (start 5), 2 (3), 4 (2): in start order 4, 2, 0.
    let groups: Vec<&[u32]> = l
        .first
        .windows(2)
        .map(|w| &l.members[w[0] as usize..w[1] as usize])
        .collect();
    assert_eq!(groups, vec![&[3, 4][..], &[2], &[0, 1, 5, 6]]);
}
