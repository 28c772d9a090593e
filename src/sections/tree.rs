//! The whole section tree in memory: a few dozen rows that every section list, feed and article
//! view needs, so reads look sections up here instead of asking the database each time.
//!
//! [`Sections`] holds the tree as last loaded. Writes that change sections are "shown
//! everywhere" writes ([`crate::cache::Scope::Everything`]): evicting everything forgets the
//! tree here and, through `NOTIFY`, in the other processes; the next read loads it again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};

use diesel::prelude::*;
use uuid::Uuid;

use super::model::Section;
use crate::schema::sections;

/// Every section, by id and by slug.
#[derive(Debug, Default)]
pub struct SectionTree {
    rows: Vec<Section>,
    by_id: HashMap<Uuid, usize>,
    by_slug: HashMap<String, usize>,
    children: HashMap<Uuid, Vec<Uuid>>,
}

impl SectionTree {
    pub fn load(conn: &mut PgConnection) -> QueryResult<SectionTree> {
        let rows = sections::table
            .select(Section::as_select())
            .order(sections::id)
            .load(conn)?;
        Ok(SectionTree::new(rows))
    }

    pub fn new(rows: Vec<Section>) -> SectionTree {
        let by_id = rows.iter().enumerate().map(|(i, s)| (s.id, i)).collect();
        let by_slug = rows
            .iter()
            .enumerate()
            .map(|(i, s)| (s.slug.clone(), i))
            .collect();
        let mut children: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
        for s in &rows {
            if let Some(p) = s.parent_id {
                children.entry(p).or_default().push(s.id);
            }
        }
        SectionTree {
            rows,
            by_id,
            by_slug,
            children,
        }
    }

    pub fn get(&self, id: Uuid) -> Option<&Section> {
        self.by_id.get(&id).map(|&i| &self.rows[i])
    }

    pub fn by_slug(&self, slug: &str) -> Option<&Section> {
        self.by_slug.get(slug).map(|&i| &self.rows[i])
    }

    /// `id` and every section above it.
    pub fn ancestors(&self, id: Uuid) -> Vec<Uuid> {
        let mut out = vec![id];
        let mut up = self.get(id).and_then(|s| s.parent_id);
        while let Some(p) = up.filter(|p| !out.contains(p)) {
            out.push(p);
            up = self.get(p).and_then(|s| s.parent_id);
        }
        out
    }

    /// `root` and every section below it.
    pub fn subtree(&self, root: Uuid) -> Vec<Uuid> {
        let mut out = vec![root];
        let mut i = 0;
        while let Some(&id) = out.get(i) {
            for &c in self.children.get(&id).into_iter().flatten() {
                // Writes keep the tree acyclic; the check keeps a bad row from looping here.
                if !out.contains(&c) {
                    out.push(c);
                }
            }
            i += 1;
        }
        out
    }
}

/// The tree as last loaded, shared by the requests of one process.
#[derive(Debug, Default)]
pub struct Sections {
    current: RwLock<Option<Arc<SectionTree>>>,
    /// Moves on with every [`Sections::forget`]: a tree read before it is not kept.
    generation: AtomicU64,
}

impl Sections {
    /// The tree, loaded with `conn` when it is not known. Never call it inside a transaction
    /// that changes sections: what it loads would be kept before the commit.
    pub fn tree(&self, conn: &mut PgConnection) -> QueryResult<Arc<SectionTree>> {
        if let Some(t) = self
            .current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
        {
            return Ok(t.clone());
        }
        let generation = self.generation.load(Ordering::Acquire);
        let tree = Arc::new(SectionTree::load(conn)?);
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        if self.generation.load(Ordering::Acquire) == generation {
            *current = Some(tree.clone());
        }
        Ok(tree)
    }

    /// The tree, loaded again when it lacks section `id` (another process may have created
    /// it since; its notification is not in yet).
    pub fn tree_with(&self, conn: &mut PgConnection, id: Uuid) -> QueryResult<Arc<SectionTree>> {
        let tree = self.tree(conn)?;
        if tree.get(id).is_some() {
            return Ok(tree);
        }
        self.forget();
        self.tree(conn)
    }

    /// The tree if it is loaded (no query).
    pub fn known(&self) -> Option<Arc<SectionTree>> {
        self.current
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Drops the tree: sections changed (or may have).
    pub fn forget(&self) {
        let mut current = self.current.write().unwrap_or_else(|e| e.into_inner());
        self.generation.fetch_add(1, Ordering::AcqRel);
        *current = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;

    fn section(slug: &str, parent: Option<Uuid>) -> Section {
        Section {
            id: Uuid::now_v7(),
            slug: slug.into(),
            name: slug.into(),
            description: None,
            parent_id: parent,
            position: 0,
            created_at: Utc::now(),
            updated_at: Utc::now(),
        }
    }

    #[test]
    fn subtree_holds_the_root_and_every_descendant() {
        let top = section("xianshiqu", None);
        let jiayu = section("jiayu", Some(top.id));
        let town = section("jiayu-town", Some(jiayu.id));
        let other = section("bendi", None);
        let ids = (top.id, jiayu.id, town.id, other.id);
        let tree = SectionTree::new(vec![other, town, jiayu, top]);
        let mut sub = tree.subtree(ids.0);
        sub.sort();
        let mut want = vec![ids.0, ids.1, ids.2];
        want.sort();
        assert_eq!(sub, want);
        assert_eq!(tree.subtree(ids.3), vec![ids.3]);
        assert_eq!(tree.by_slug("jiayu").map(|s| s.id), Some(ids.1));
        assert!(tree.by_slug("nope").is_none());
    }

    #[test]
    fn ancestors_climb_to_the_top_and_a_bad_cycle_does_not_loop() {
        let top = section("xianshiqu", None);
        let jiayu = section("jiayu", Some(top.id));
        let town = section("jiayu-town", Some(jiayu.id));
        let (t, j, w) = (top.id, jiayu.id, town.id);
        let tree = SectionTree::new(vec![town, top, jiayu]);
        assert_eq!(tree.ancestors(w), vec![w, j, t]);
        assert_eq!(tree.ancestors(t), vec![t]);
        // Unknown to the tree (created since by another process): itself only.
        let stranger = Uuid::now_v7();
        assert_eq!(tree.ancestors(stranger), vec![stranger]);
        let mut a = section("a", None);
        let b = section("b", Some(a.id));
        a.parent_id = Some(b.id);
        let (ia, ib) = (a.id, b.id);
        let cyclic = SectionTree::new(vec![a, b]);
        assert_eq!(cyclic.ancestors(ia), vec![ia, ib]);
        assert_eq!(cyclic.subtree(ia), vec![ia, ib]);
    }
}
