//! Name resolution over the module tree, and the walk from the crate root
//! that finds every public path: `pub mod` chains and `pub use` re-exports,
//! through private modules too.

use std::collections::BTreeMap;

use syn::Attribute;

use super::normalize::item_name;
use super::tree::{
    Binding, BindingKind, Crate, ItemRef, ModId, UsePath, cfg_attrs, item_attrs, push_unique,
};

/// Resolution can loop (`pub use self::a as b` in a cycle); past this depth
/// a path is given up on.
const MAX_DEPTH: usize = 48;

/// What a path names.
#[derive(Clone)]
pub(super) enum Target {
    Item(ItemRef),
    Module(ModId),
    /// A path into another crate (or the standard library, or the prelude):
    /// listed as written, never expanded.
    External(Vec<String>),
    /// Something this resolver does not follow (an enum variant, an
    /// associated item), as written.
    Unresolved(String),
}

impl Crate {
    /// Resolves a whole `use` path.
    pub(super) fn resolve_use(&self, from: ModId, path: &UsePath, depth: usize) -> Vec<Target> {
        let (targets, used) = self.resolve_prefix(from, path, depth);
        if used < path.segments.len() {
            return vec![Target::Unresolved(path.text())];
        }
        targets
    }

    /// Follows `path` from module `from` through modules and into other
    /// crates, stopping at the first segment that names an item. Returns what
    /// that prefix names and how many segments it took.
    pub(super) fn resolve_prefix(
        &self,
        from: ModId,
        path: &UsePath,
        depth: usize,
    ) -> (Vec<Target>, usize) {
        let segments = &path.segments;
        if path.absolute {
            return (vec![Target::External(segments.clone())], segments.len());
        }
        let Some(first) = segments.first() else {
            return (Vec::new(), 0);
        };
        let mut targets = match first.as_str() {
            "crate" => vec![Target::Module(0)],
            "self" => vec![Target::Module(from)],
            "super" => self.parent_of(from),
            name => {
                let found = self.lookup(from, name, depth);
                if found.is_empty() {
                    // Not bound here: a crate from the extern prelude, or
                    // a name from the language prelude.
                    vec![Target::External(vec![name.to_owned()])]
                } else {
                    found
                }
            }
        };
        let mut used = 1;
        while used < segments.len() {
            if let Some(external) = targets.iter().find_map(|t| match t {
                Target::External(p) => Some(p),
                _ => None,
            }) {
                let mut full = external.clone();
                full.extend(segments[used..].iter().cloned());
                return (vec![Target::External(full)], segments.len());
            }
            let modules: Vec<ModId> = targets
                .iter()
                .filter_map(|t| match t {
                    Target::Module(m) => Some(*m),
                    _ => None,
                })
                .collect();
            if modules.is_empty() {
                break;
            }
            let segment = &segments[used];
            let next: Vec<Target> = modules
                .into_iter()
                .flat_map(|m| match segment.as_str() {
                    "super" => self.parent_of(m),
                    name => self.lookup(m, name, depth),
                })
                .collect();
            if next.is_empty() {
                return (vec![Target::Unresolved(path.text())], segments.len());
            }
            targets = next;
            used += 1;
        }
        (targets, used)
    }

    fn parent_of(&self, module: ModId) -> Vec<Target> {
        self.modules[module]
            .parent
            .map(Target::Module)
            .into_iter()
            .collect()
    }

    /// Every meaning of `name` in `module`: its own items and imports first,
    /// then what its glob imports bring in.
    pub(super) fn lookup(&self, module: ModId, name: &str, depth: usize) -> Vec<Target> {
        if depth > MAX_DEPTH {
            return Vec::new();
        }
        let mut found = Vec::new();
        if let Some(bindings) = self.modules[module].names.get(name) {
            for binding in bindings {
                found.extend(self.binding_targets(module, binding, depth + 1));
            }
        }
        if found.is_empty() {
            for glob in &self.modules[module].globs {
                for target in self.resolve_use(module, &glob.path, depth + 1) {
                    let Target::Module(source) = target else {
                        continue;
                    };
                    // A glob brings in what the importing module may see:
                    // everything of an ancestor, the public names of others.
                    let sees_private = self.is_within(module, source);
                    if let Some(bindings) = self.modules[source].names.get(name) {
                        for binding in bindings.iter().filter(|b| sees_private || b.public) {
                            found.extend(self.binding_targets(source, binding, depth + 1));
                        }
                    }
                }
            }
        }
        found
    }

    fn binding_targets(&self, module: ModId, binding: &Binding, depth: usize) -> Vec<Target> {
        match &binding.kind {
            BindingKind::Item(item) => vec![Target::Item(*item)],
            BindingKind::Module(m) => vec![Target::Module(*m)],
            BindingKind::Use(path) => self.resolve_use(module, path, depth),
        }
    }
}

/// Every public path of the crate.
#[derive(Default)]
pub(super) struct Exports {
    /// Public paths of each local item, shortest (then first in order) first.
    pub(super) items: BTreeMap<ItemRef, Vec<Export>>,
    /// Public modules (the root is not listed).
    pub(super) modules: Vec<Export>,
    /// Re-exports of what this walk does not expand: other crates' items,
    /// and paths it could not follow.
    pub(super) foreign: Vec<Foreign>,
}

pub(super) struct Foreign {
    pub(super) export: Export,
    /// The re-exported path, as the crate would spell it from its root.
    pub(super) source: String,
    /// False when the path goes where this walk does not (an enum variant).
    pub(super) followed: bool,
}

#[derive(Clone)]
pub(super) struct Export {
    pub(super) path: Vec<String>,
    /// Every `#[cfg]` met on the way: declarations, re-exports, modules.
    pub(super) cfgs: Vec<Attribute>,
}

impl Exports {
    pub(super) fn find(krate: &Crate, crate_name: &str) -> Exports {
        let mut exports = Exports::default();
        exports.walk(krate, 0, &[crate_name.to_owned()], &[]);
        for (item, paths) in exports.items.iter_mut() {
            // Shortest first; of two as short, the one under the item's own
            // name rather than a `pub use .. as` rename.
            let own = item_name(krate.item(*item));
            let key = |e: &Export| (e.path.len(), e.path.last() != own.as_ref(), e.path.clone());
            paths.sort_by_key(key);
            paths.dedup_by(|a, b| a.path == b.path);
        }
        exports
    }

    /// The path under which an item is listed in full.
    pub(super) fn canonical(&self, item: ItemRef) -> Option<&Export> {
        self.items.get(&item).and_then(|paths| paths.first())
    }

    fn walk(&mut self, krate: &Crate, module: ModId, path: &[String], cfgs: &[Attribute]) {
        if path.len() > MAX_DEPTH {
            return;
        }
        let here = &krate.modules[module];
        for (name, bindings) in &here.names {
            for binding in bindings.iter().filter(|b| b.public) {
                let mut inner = cfgs.to_vec();
                push_unique(&mut inner, binding.cfgs.iter().cloned());
                let targets = match &binding.kind {
                    BindingKind::Use(use_path) => krate.resolve_use(module, use_path, 0),
                    BindingKind::Item(item) => vec![Target::Item(*item)],
                    BindingKind::Module(m) => vec![Target::Module(*m)],
                };
                for target in targets {
                    self.export(krate, target, path, name, &inner);
                }
            }
        }
        for glob in here.globs.iter().filter(|g| g.public) {
            let mut inner = cfgs.to_vec();
            push_unique(&mut inner, glob.cfgs.iter().cloned());
            for target in krate.resolve_use(module, &glob.path, 0) {
                match target {
                    Target::Module(source) => {
                        for (name, bindings) in &krate.modules[source].names {
                            if here.names.contains_key(name) {
                                continue; // shadowed by a name of this module
                            }
                            for binding in bindings.iter().filter(|b| b.public) {
                                let mut cfgs = inner.clone();
                                push_unique(&mut cfgs, binding.cfgs.iter().cloned());
                                let targets = match &binding.kind {
                                    BindingKind::Use(p) => krate.resolve_use(source, p, 0),
                                    BindingKind::Item(item) => vec![Target::Item(*item)],
                                    BindingKind::Module(m) => vec![Target::Module(*m)],
                                };
                                for target in targets {
                                    self.export(krate, target, path, name, &cfgs);
                                }
                            }
                        }
                    }
                    other => {
                        let (source, followed) = match other {
                            Target::External(p) => (p.join("::"), true),
                            _ => (glob.path.text(), false),
                        };
                        let mut at = path.to_vec();
                        at.push("*".to_owned());
                        self.foreign.push(Foreign {
                            export: Export {
                                path: at,
                                cfgs: inner.clone(),
                            },
                            source: format!("{source}::*"),
                            followed,
                        });
                    }
                }
            }
        }
    }

    fn export(
        &mut self,
        krate: &Crate,
        target: Target,
        path: &[String],
        name: &str,
        cfgs: &[Attribute],
    ) {
        let mut at = path.to_vec();
        at.push(name.to_owned());
        let mut cfgs = cfgs.to_vec();
        match target {
            Target::Item(item) => {
                push_unique(&mut cfgs, krate.modules[item.0].cfgs.iter().cloned());
                push_unique(&mut cfgs, cfg_attrs(item_attrs(krate.item(item))));
                self.items
                    .entry(item)
                    .or_default()
                    .push(Export { path: at, cfgs });
            }
            Target::Module(m) => {
                if self.modules.iter().any(|e| e.path == at) {
                    return;
                }
                push_unique(&mut cfgs, krate.modules[m].cfgs.iter().cloned());
                self.modules.push(Export {
                    path: at.clone(),
                    cfgs: cfgs.clone(),
                });
                self.walk(krate, m, &at, &cfgs);
            }
            Target::External(source) => self.foreign.push(Foreign {
                export: Export { path: at, cfgs },
                source: source.join("::"),
                followed: true,
            }),
            Target::Unresolved(text) => self.foreign.push(Foreign {
                export: Export { path: at, cfgs },
                source: text,
                followed: false,
            }),
        }
    }
}
