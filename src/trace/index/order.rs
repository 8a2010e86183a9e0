//! Every span listed in the order pass two reads it: roots in start order (unknown first, then
//! file order, as `Trace::build` orders them), each root's spans in file order. Two sorts: by
//! root, to learn each root's start, then by that start.

use super::links::Links;
use super::roots::Roots;
use super::{Member, NONE, Place};
use crate::trace::spill::{Budget, Cursor, Run, Sorter, record};
use std::io;

record! {
    /// Root `root` starts at `start` (`nanos`).
    struct RootStart { root: u32, start: i128 }
}

/// The members of every root, in reading order, from each span's `places` (file order), its
/// link and its root.
pub(super) fn order(
    places: &Run<Place>,
    links: &Links,
    roots: &Roots,
    budget: Budget,
) -> io::Result<Run<Member>> {
    let (by_root, starts) = by_root(places, links, roots, budget)?;
    let mut starts = Cursor::new(&starts)?;
    let mut sorted = Sorter::new(budget);
    for m in by_root.iter()? {
        let m = m?;
        starts.skip_while(|s| s.root < m.root)?;
        let root = starts.head().filter(|s| s.root == m.root);
        let start = root.ok_or_else(super::corrupt)?.start;
        sorted.push(Member { start, ..m })?;
    }
    sorted.finish()
}

/// Every span as a member (start not yet known) sorted by root, and the start of each root.
fn by_root(
    places: &Run<Place>,
    links: &Links,
    roots: &Roots,
    budget: Budget,
) -> io::Result<(Run<Member>, Run<RootStart>)> {
    let mut parents = Cursor::new(&links.parents)?;
    let mut states = Cursor::new(&roots.states)?;
    let mut members = Sorter::new(budget);
    let mut starts = Sorter::new(budget);
    for p in places.iter()? {
        let p = p?;
        let state = states.take()?.filter(|s| s.g == p.g);
        let state = state.ok_or_else(super::corrupt)?;
        let root = match roots.cyclic.binary_search_by_key(&p.g, |c| c.0) {
            Ok(k) => roots.cyclic[k].1,
            Err(_) => state.to,
        };
        if root == p.g {
            starts.push(RootStart {
                root,
                start: p.start,
            })?;
        }
        let parent = parents.take_if(|l| l.g == p.g)?;
        members.push(Member {
            start: 0,
            root,
            g: p.g,
            offset: p.offset,
            len: p.len,
            nth: p.nth,
            id: p.id,
            parent: parent.map_or(NONE, |l| l.parent),
            orphan: u8::from(links.orphans.binary_search(&p.g).is_ok()),
        })?;
    }
    Ok((members.finish()?, starts.finish()?))
}
