//! Unit tests of `cluster.rs` (kept beside it so the module reads without them).

use super::*;

#[test]
fn largest_cluster_first_and_failures_left_out() {
    let samples = [
        Observed::ok(0, "a"),
        Observed::ok(1, "b"),
        Observed::failed(2),
        Observed::ok(3, "b"),
    ];
    let (cs, _) = clusters(&samples, Mode::Exact);
    assert_eq!(cs.len(), 2);
    assert_eq!(cs[0].members, vec![1, 3]);
    assert_eq!(cs[1].members, vec![0]);
}

#[test]
fn entropy_of_even_split_is_one_bit() {
    let samples = [Observed::ok(0, "a"), Observed::ok(1, "b")];
    let (cs, _) = clusters(&samples, Mode::Exact);
    assert!((entropy_bits(&cs) - 1.0).abs() < 1e-9);
    let same = [Observed::ok(0, "a"), Observed::ok(1, "a")];
    assert_eq!(entropy_bits(&clusters(&same, Mode::Exact).0), 0.0);
}

#[test]
fn groups_cluster_like_their_samples() {
    let samples = [
        Observed::ok(0, "{\"a\": 1}"),
        Observed::ok(1, "{\"a\":1}"),
        Observed::ok(2, "no json"),
        Observed::ok(3, "{\"a\": 1}"),
        Observed::ok(4, "no json"),
    ];
    let groups = [
        Group::all("{\"a\": 1}", &[0, 3]),
        Group::all("{\"a\":1}", &[1]),
        Group::all("no json", &[2, 4]),
    ];
    let firsts = [0, 1, 2];
    let sized = [
        Group::first("{\"a\": 1}", 2, &firsts[0]),
        Group::first("{\"a\":1}", 1, &firsts[1]),
        Group::first("no json", 2, &firsts[2]),
    ];
    for mode in [Mode::Exact, Mode::Whitespace, Mode::Json] {
        let want = clusters(&samples, mode);
        assert_eq!(clusters_of_groups(groups, mode), want, "{mode}");
        // From sizes alone: the same sizes, order and representatives.
        let (got, fell_back) = clusters_of_groups(sized, mode);
        assert_eq!(fell_back, want.1, "{mode}");
        let shape = |cs: &[Cluster]| -> Vec<(u32, usize, String)> {
            cs.iter()
                .map(|c| (c.representative(), c.size(), c.normalized.clone()))
                .collect()
        };
        assert_eq!(shape(&got), shape(&want.0), "{mode}");
    }
}
