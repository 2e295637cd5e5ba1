//! The crate's module tree as the compiler would find it: `mod foo;` is
//! followed to `foo.rs` or `foo/mod.rs` (or its `#[path]`), and every module
//! keeps a table of the names it binds, so paths can be resolved later.
//!
//! Macros are not expanded: items a macro invocation would generate are not
//! seen. Modules and items under `#[cfg(test)]` are left out entirely.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use quote::ToTokens;
use syn::{Attribute, Item, UseTree, Visibility};

/// Index of a module in [`Crate::modules`]; the crate root is 0.
pub(super) type ModId = usize;

/// An item of a module: the module and its index in [`Module::items`].
pub(super) type ItemRef = (ModId, usize);

pub(super) struct Crate {
    pub(super) modules: Vec<Module>,
}

pub(super) struct Module {
    /// Empty for the crate root.
    pub(super) name: String,
    pub(super) parent: Option<ModId>,
    /// Every item of the module but those under `#[cfg(test)]`; an inline
    /// module's items move to its own [`Module`].
    pub(super) items: Vec<Item>,
    /// The `#[cfg]` attributes of this module's declaration and of its
    /// ancestors', root first: the module exists only when all hold.
    pub(super) cfgs: Vec<Attribute>,
    pub(super) names: BTreeMap<String, Vec<Binding>>,
    pub(super) globs: Vec<Glob>,
}

/// One meaning of a name in a module (a name can mean a type and a value).
pub(super) struct Binding {
    /// Plain `pub`; `pub(crate)`, `pub(super)` and `pub(in ..)` are not.
    pub(super) public: bool,
    /// The `#[cfg]` attributes of the declaring item or `use`.
    pub(super) cfgs: Vec<Attribute>,
    pub(super) kind: BindingKind,
}

pub(super) enum BindingKind {
    Item(ItemRef),
    Module(ModId),
    /// A `use` (or `extern crate`), resolved from the module that holds it.
    Use(UsePath),
}

/// `use path::*`.
pub(super) struct Glob {
    pub(super) public: bool,
    pub(super) cfgs: Vec<Attribute>,
    pub(super) path: UsePath,
}

#[derive(Clone)]
pub(super) struct UsePath {
    /// `::name`: always another crate.
    pub(super) absolute: bool,
    pub(super) segments: Vec<String>,
}

impl UsePath {
    pub(super) fn text(&self) -> String {
        let joined = self.segments.join("::");
        if self.absolute {
            format!("::{joined}")
        } else {
            joined
        }
    }
}

/// Where a module's `mod foo;` declarations look for files.
struct Dirs {
    /// The file holding the declarations, for messages.
    file: PathBuf,
    /// Base of `#[path = ".."]`.
    path_base: PathBuf,
    /// Where `foo.rs` and `foo/mod.rs` are looked for.
    children: PathBuf,
}

impl Crate {
    /// Loads the crate whose root file is `root`, reading every file through
    /// `read` (tests hand in sources from memory).
    pub(super) fn load(root: &Path, read: &dyn Fn(&Path) -> Result<String>) -> Result<Crate> {
        let mut krate = Crate {
            modules: Vec::new(),
        };
        let file = parse_file(root, read)?;
        let dir = root.parent().unwrap_or(Path::new("")).to_path_buf();
        let dirs = Dirs {
            file: root.to_path_buf(),
            path_base: dir.clone(),
            children: dir,
        };
        krate.add_module(String::new(), None, Vec::new(), file.items, &dirs, read)?;
        Ok(krate)
    }

    fn add_module(
        &mut self,
        name: String,
        parent: Option<ModId>,
        cfgs: Vec<Attribute>,
        items: Vec<Item>,
        dirs: &Dirs,
        read: &dyn Fn(&Path) -> Result<String>,
    ) -> Result<ModId> {
        let id = self.modules.len();
        self.modules.push(Module {
            name,
            parent,
            items: Vec::new(),
            cfgs,
            names: BTreeMap::new(),
            globs: Vec::new(),
        });
        let mut kept = Vec::new();
        for mut item in items {
            if is_test_only(item_attrs(&item)) {
                continue;
            }
            let index = kept.len();
            if let Item::Mod(decl) = &mut item {
                let child = self.load_child(id, decl, dirs, read)?;
                self.bind(
                    id,
                    &decl.ident.to_string(),
                    &decl.vis,
                    &decl.attrs,
                    BindingKind::Module(child),
                );
            } else {
                self.bind_item(id, index, &item);
            }
            kept.push(item);
        }
        self.modules[id].items = kept;
        Ok(id)
    }

    fn load_child(
        &mut self,
        parent: ModId,
        decl: &mut syn::ItemMod,
        dirs: &Dirs,
        read: &dyn Fn(&Path) -> Result<String>,
    ) -> Result<ModId> {
        let name = decl.ident.to_string();
        let mut cfgs = self.modules[parent].cfgs.clone();
        push_unique(&mut cfgs, cfg_attrs(&decl.attrs));
        let path_attr = path_attribute(&decl.attrs)?;
        if let Some((_, content)) = &mut decl.content {
            let children = match &path_attr {
                Some(p) => dirs.children.join(p),
                None => dirs.children.join(&name),
            };
            let inner = Dirs {
                file: dirs.file.clone(),
                path_base: children.clone(),
                children,
            };
            let items = std::mem::take(content);
            return self.add_module(name, Some(parent), cfgs, items, &inner, read);
        }
        let (file, children) = match path_attr {
            // A file named by `#[path]` owns its directory, like a mod.rs.
            Some(p) => {
                let file = dirs.path_base.join(p);
                let dir = file.parent().unwrap_or(Path::new("")).to_path_buf();
                (file, dir)
            }
            None => {
                let flat = dirs.children.join(format!("{name}.rs"));
                let nested = dirs.children.join(&name).join("mod.rs");
                let file = if read(&flat).is_ok() {
                    flat
                } else if read(&nested).is_ok() {
                    nested
                } else {
                    bail!(
                        "`mod {name};` in {}: neither {} nor {} can be read",
                        dirs.file.display(),
                        flat.display(),
                        nested.display()
                    );
                };
                (file, dirs.children.join(&name))
            }
        };
        let parsed = parse_file(&file, read)?;
        let inner = Dirs {
            file: file.clone(),
            path_base: file.parent().unwrap_or(Path::new("")).to_path_buf(),
            children,
        };
        self.add_module(name, Some(parent), cfgs, parsed.items, &inner, read)
    }

    fn bind_item(&mut self, module: ModId, index: usize, item: &Item) {
        let item_ref = (module, index);
        let (ident, vis, attrs) = match item {
            Item::Struct(i) => (&i.ident, &i.vis, &i.attrs),
            Item::Enum(i) => (&i.ident, &i.vis, &i.attrs),
            Item::Union(i) => (&i.ident, &i.vis, &i.attrs),
            Item::Trait(i) => (&i.ident, &i.vis, &i.attrs),
            Item::TraitAlias(i) => (&i.ident, &i.vis, &i.attrs),
            Item::Type(i) => (&i.ident, &i.vis, &i.attrs),
            Item::Fn(i) => (&i.sig.ident, &i.vis, &i.attrs),
            Item::Const(i) => (&i.ident, &i.vis, &i.attrs),
            Item::Static(i) => (&i.ident, &i.vis, &i.attrs),
            Item::Macro(i) => {
                // `#[macro_export] macro_rules! m` lives at the crate root.
                if let Some(ident) = &i.ident
                    && i.attrs.iter().any(|a| a.path().is_ident("macro_export"))
                {
                    let public = Visibility::Public(Default::default());
                    self.bind(
                        0,
                        &ident.to_string(),
                        &public,
                        &i.attrs,
                        BindingKind::Item(item_ref),
                    );
                }
                return;
            }
            Item::ExternCrate(i) => {
                let name = match &i.rename {
                    Some((_, rename)) => rename.to_string(),
                    None => i.ident.to_string(),
                };
                let path = UsePath {
                    absolute: true,
                    segments: vec![i.ident.to_string()],
                };
                self.bind(module, &name, &i.vis, &i.attrs, BindingKind::Use(path));
                return;
            }
            Item::Use(u) => {
                let mut flat = Vec::new();
                flatten_use(&u.tree, &mut Vec::new(), &mut flat);
                for (name, segments) in flat {
                    let path = UsePath {
                        absolute: u.leading_colon.is_some(),
                        segments,
                    };
                    match name {
                        Some(name) => {
                            self.bind(module, &name, &u.vis, &u.attrs, BindingKind::Use(path))
                        }
                        None => self.modules[module].globs.push(Glob {
                            public: is_public(&u.vis),
                            cfgs: cfg_attrs(&u.attrs),
                            path,
                        }),
                    }
                }
                return;
            }
            _ => return,
        };
        self.bind(
            module,
            &ident.to_string(),
            vis,
            attrs,
            BindingKind::Item(item_ref),
        );
    }

    fn bind(
        &mut self,
        module: ModId,
        name: &str,
        vis: &Visibility,
        attrs: &[Attribute],
        kind: BindingKind,
    ) {
        self.modules[module]
            .names
            .entry(name.to_owned())
            .or_default()
            .push(Binding {
                public: is_public(vis),
                cfgs: cfg_attrs(attrs),
                kind,
            });
    }

    pub(super) fn item(&self, (module, index): ItemRef) -> &Item {
        &self.modules[module].items[index]
    }

    /// `crate::a::b` for a module, the way code inside the crate names it.
    pub(super) fn crate_path(&self, mut module: ModId) -> Vec<String> {
        let mut names = Vec::new();
        while let Some(parent) = self.modules[module].parent {
            names.push(self.modules[module].name.clone());
            module = parent;
        }
        names.push("crate".to_owned());
        names.reverse();
        names
    }

    /// Whether `ancestor` is `module` or contains it.
    pub(super) fn is_within(&self, module: ModId, ancestor: ModId) -> bool {
        let mut current = Some(module);
        while let Some(m) = current {
            if m == ancestor {
                return true;
            }
            current = self.modules[m].parent;
        }
        false
    }
}

fn parse_file(path: &Path, read: &dyn Fn(&Path) -> Result<String>) -> Result<syn::File> {
    let text = read(path).with_context(|| format!("reading {}", path.display()))?;
    syn::parse_file(&text).with_context(|| format!("parsing {}", path.display()))
}

/// `use a::{b, c as d, e::*, self}` as (name, path) pairs; a glob has no name.
fn flatten_use(
    tree: &UseTree,
    prefix: &mut Vec<String>,
    out: &mut Vec<(Option<String>, Vec<String>)>,
) {
    match tree {
        UseTree::Path(p) => {
            prefix.push(p.ident.to_string());
            flatten_use(&p.tree, prefix, out);
            prefix.pop();
        }
        UseTree::Name(n) => {
            let ident = n.ident.to_string();
            if ident == "self" {
                if let Some(last) = prefix.last() {
                    out.push((Some(last.clone()), prefix.clone()));
                }
            } else {
                let mut path = prefix.clone();
                path.push(ident.clone());
                out.push((Some(ident), path));
            }
        }
        UseTree::Rename(r) => {
            let name = r.rename.to_string();
            if name == "_" {
                return;
            }
            let mut path = prefix.clone();
            if r.ident != "self" {
                path.push(r.ident.to_string());
            }
            out.push((Some(name), path));
        }
        UseTree::Glob(_) => out.push((None, prefix.clone())),
        UseTree::Group(g) => {
            for tree in &g.items {
                flatten_use(tree, prefix, out);
            }
        }
    }
}

pub(super) fn is_public(vis: &Visibility) -> bool {
    matches!(vis, Visibility::Public(_))
}

/// The `#[cfg(..)]` attributes among `attrs`.
pub(super) fn cfg_attrs(attrs: &[Attribute]) -> Vec<Attribute> {
    attrs
        .iter()
        .filter(|a| a.path().is_ident("cfg"))
        .cloned()
        .collect()
}

/// Appends the attributes of `more` that `list` does not hold yet.
pub(super) fn push_unique(list: &mut Vec<Attribute>, more: impl IntoIterator<Item = Attribute>) {
    for attr in more {
        let text = attr.to_token_stream().to_string();
        if !list.iter().any(|a| a.to_token_stream().to_string() == text) {
            list.push(attr);
        }
    }
}

/// The attributes of `list` that `remove` does not hold.
pub(super) fn without(list: Vec<Attribute>, remove: &[Attribute]) -> Vec<Attribute> {
    let removed: Vec<String> = remove
        .iter()
        .map(|a| a.to_token_stream().to_string())
        .collect();
    list.into_iter()
        .filter(|a| !removed.contains(&a.to_token_stream().to_string()))
        .collect()
}

/// `#[cfg(test)]`: compiled only for the crate's own tests.
pub(super) fn is_test_only(attrs: &[Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.meta
                .require_list()
                .is_ok_and(|list| list.tokens.to_string() == "test")
    })
}

fn path_attribute(attrs: &[Attribute]) -> Result<Option<String>> {
    for attr in attrs {
        if attr.path().is_ident("path") {
            let value = &attr.meta.require_name_value()?.value;
            let syn::Expr::Lit(syn::ExprLit {
                lit: syn::Lit::Str(s),
                ..
            }) = value
            else {
                bail!("#[path] without a string");
            };
            return Ok(Some(s.value()));
        }
    }
    Ok(None)
}

pub(super) fn item_attrs(item: &Item) -> &[Attribute] {
    match item {
        Item::Const(i) => &i.attrs,
        Item::Enum(i) => &i.attrs,
        Item::ExternCrate(i) => &i.attrs,
        Item::Fn(i) => &i.attrs,
        Item::ForeignMod(i) => &i.attrs,
        Item::Impl(i) => &i.attrs,
        Item::Macro(i) => &i.attrs,
        Item::Mod(i) => &i.attrs,
        Item::Static(i) => &i.attrs,
        Item::Struct(i) => &i.attrs,
        Item::Trait(i) => &i.attrs,
        Item::TraitAlias(i) => &i.attrs,
        Item::Type(i) => &i.attrs,
        Item::Union(i) => &i.attrs,
        Item::Use(i) => &i.attrs,
        _ => &[],
    }
}
