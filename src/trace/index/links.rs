//! Each span joined to the span its parent link names, from hashed ids alone: the spans
//! sorted by id and the links sorted by the id they name are read side by side, so the join
//! holds no map and no number per span. A link goes to the first span (in file order) of the
//! id it names, as `Trace::build` links it; later spans of an id are duplicates.

use super::Keyed;
use crate::trace::spill::{Budget, Cursor, Run, Sorter, record};
use std::io;

record! {
    /// Span `g`'s parent link goes to span `parent`.
    pub(super) struct Link { g: u32, parent: u32 }
}

/// The joined links and what the join found apart.
pub(super) struct Links {
    /// Every link found, in file order of the child.
    pub parents: Run<Link>,
    /// Spans whose parent id is not in the file, in file order.
    pub orphans: Vec<u32>,
    /// (later occurrence, first occurrence) of every repeated id, in file order.
    pub duplicates: Vec<(u32, u32)>,
}

/// Join `names` (the ids parent links name, sorted) to `ids` (every span's id, sorted).
pub(super) fn link(ids: &Run<Keyed>, names: &Run<Keyed>, budget: Budget) -> io::Result<Links> {
    let mut ids = Cursor::new(ids)?;
    let mut parents = Sorter::new(budget);
    let (mut orphans, mut duplicates) = (Vec::new(), Vec::new());
    let mut first: Option<Keyed> = None;
    for name in names.iter()? {
        let name = name?;
        while first.is_none_or(|f| f.key < name.key) {
            match first_of_id(&mut ids, &mut duplicates)? {
                Some(f) => first = Some(f),
                None => break,
            }
        }
        match first {
            Some(f) if f.key == name.key => parents.push(Link {
                g: name.g,
                parent: f.g,
            })?,
            _ => orphans.push(name.g),
        }
    }
    while first_of_id(&mut ids, &mut duplicates)?.is_some() {}
    orphans.sort_unstable();
    duplicates.sort_unstable();
    Ok(Links {
        parents: parents.finish()?,
        orphans,
        duplicates,
    })
}

/// The first span of the next id (records sorted by id, then file order), the id's later spans
/// noted as duplicates; None after the last id.
fn first_of_id(
    ids: &mut Cursor<'_, Keyed>,
    duplicates: &mut Vec<(u32, u32)>,
) -> io::Result<Option<Keyed>> {
    let Some(first) = ids.take()? else {
        return Ok(None);
    };
    while let Some(later) = ids.take_if(|k| k.key == first.key)? {
        duplicates.push((later.g, first.g));
    }
    Ok(Some(first))
}
