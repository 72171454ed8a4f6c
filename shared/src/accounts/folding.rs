//! Turning `USERNAME_CASE_INSENSITIVE` on for a table that has users: which names share a fold
//! (they must be renamed or deleted first, since only one of them could ever log in) and which
//! names are not stored folded yet (each is renamed to its fold, since a login looks a name up
//! folded). `authtoken user fold-names` reports the plan and, with `--apply`, carries it out.

use std::collections::BTreeMap;

use crate::store::{Store, StoreError};
use crate::username::fold;

/// What a table needs before its names match whatever their case.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct FoldPlan {
    /// How many users were read.
    pub users: usize,
    /// Names that share a fold, each group sorted, the groups sorted by fold.
    pub collisions: Vec<Vec<String>>,
    /// Each other name not stored folded, with its fold: `(name, folded)`, sorted by name.
    pub renames: Vec<(String, String)>,
}

impl FoldPlan {
    /// Whether the table already has every name folded and unique regardless of case.
    pub fn is_done(&self) -> bool {
        self.collisions.is_empty() && self.renames.is_empty()
    }
}

/// Reads every user, `page_size` at a time, calling `progress` with the count read after each
/// page, and plans the folding of their names.
pub async fn plan(
    store: &impl Store,
    page_size: u32,
    mut progress: impl FnMut(usize),
) -> Result<FoldPlan, StoreError> {
    let mut by_fold: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut users = 0;
    let mut after: Option<String> = None;
    loop {
        let page = store.list_users(after.as_deref(), page_size).await?;
        users += page.users.len();
        for user in page.users {
            by_fold
                .entry(fold(&user.username))
                .or_default()
                .push(user.username);
        }
        progress(users);
        match page.next {
            Some(next) => after = Some(next),
            None => break,
        }
    }
    let mut plan = FoldPlan {
        users,
        ..FoldPlan::default()
    };
    for (folded, mut names) in by_fold {
        names.sort();
        match names.as_slice() {
            [name] if *name == folded => {}
            [name] => plan.renames.push((name.clone(), folded)),
            _ => plan.collisions.push(names),
        }
    }
    plan.renames.sort();
    Ok(plan)
}
