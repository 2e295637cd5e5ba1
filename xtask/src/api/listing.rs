//! One line per public item: modules, items at their shortest public path,
//! other paths of the same item as `pub use` lines, members of structs,
//! enums and traits, and the `impl` blocks of public types wherever in the
//! crate they are written.

use syn::visit_mut::VisitMut;
use syn::{Fields, ImplItem, Item, TraitItem, Visibility};

use super::normalize::Normalizer;
use super::print::{
    PLACEHOLDER, PRIVATE, attrs_text, fn_text, item_text, member_attrs, placeholder, shown_attrs,
    strip_body, strip_semicolon, trait_item_text, type_text, variant_text,
};
use super::resolve::{Export, Exports, Target};
use super::tree::{
    Crate, ItemRef, ModId, UsePath, cfg_attrs, is_public, is_test_only, push_unique, without,
};

/// Where a line sorts among those of one path.
const ITEM: u8 = 0;
const FIELD: u8 = 1;
const ASSOCIATED: u8 = 2;
const TRAIT_IMPL: u8 = 3;

struct Line {
    /// The item's path, or its owner's for members and impls.
    key: Vec<String>,
    section: u8,
    /// The member's name, or the impl's text.
    name: String,
    text: String,
}

/// The listing's lines, sorted by path, then kind, then name.
pub(super) fn lines(krate: &Crate, crate_name: &str) -> Vec<String> {
    let exports = Exports::find(krate, crate_name);
    let mut lines = Vec::new();
    for module in &exports.modules {
        lines.push(Line {
            key: module.path.clone(),
            section: ITEM,
            name: String::new(),
            text: format!(
                "{}pub mod {}",
                attrs_text(&module.cfgs),
                module.path.join("::")
            ),
        });
    }
    for foreign in &exports.foreign {
        let export = &foreign.export;
        let note = if foreign.followed {
            ""
        } else {
            "  // not followed by `cargo xtask api`"
        };
        lines.push(Line {
            key: export.path.clone(),
            section: ITEM,
            name: String::new(),
            text: format!(
                "{}pub use {} as {};{note}",
                attrs_text(&export.cfgs),
                foreign.source,
                export.path.join("::")
            ),
        });
    }
    for (&item, paths) in &exports.items {
        let Some((canonical, aliases)) = paths.split_first() else {
            continue;
        };
        lines.extend(item_lines(krate, &exports, item, canonical));
        for alias in aliases {
            lines.push(Line {
                key: alias.path.clone(),
                section: ITEM,
                name: String::new(),
                text: format!(
                    "{}pub use {} as {};",
                    attrs_text(&alias.cfgs),
                    canonical.path.join("::"),
                    alias.path.join("::")
                ),
            });
        }
    }
    for (module, contents) in krate.modules.iter().enumerate() {
        for item in &contents.items {
            if let Item::Impl(block) = item {
                lines.extend(impl_lines(krate, &exports, module, block));
            }
        }
    }
    lines.sort_by(|a, b| {
        (&a.key, a.section, &a.name, &a.text).cmp(&(&b.key, b.section, &b.name, &b.text))
    });
    lines.dedup_by(|a, b| a.text == b.text);
    lines.into_iter().map(|line| line.text).collect()
}

fn item_lines(krate: &Crate, exports: &Exports, item: ItemRef, export: &Export) -> Vec<Line> {
    let mut syntax = krate.item(item).clone();
    Normalizer::new(krate, exports, item.0).visit_item_mut(&mut syntax);
    let path = export.path.join("::");
    let cfg = attrs_text(&export.cfgs);
    let head = |text: String| Line {
        key: export.path.clone(),
        section: ITEM,
        name: String::new(),
        text: format!("{cfg}{}", text.replace(PLACEHOLDER, &path)),
    };
    let member = |section: u8, name: String, text: String| Line {
        key: export.path.clone(),
        section,
        name,
        text,
    };
    let mut lines = Vec::new();
    match syntax {
        Item::Struct(mut s) => {
            let fields = std::mem::replace(&mut s.fields, Fields::Unit);
            s.attrs = shown_attrs(&s.attrs);
            s.ident = placeholder();
            let mut text;
            match fields {
                Fields::Named(named) => {
                    s.semi_token = Some(Default::default());
                    text = strip_semicolon(item_text(Item::Struct(s)));
                    if named
                        .named
                        .iter()
                        .any(|f| !is_public(&f.vis) && !is_test_only(&f.attrs))
                    {
                        text.push_str(" { /* private fields */ }");
                    } else if named.named.is_empty() {
                        text.push_str(" {}");
                    }
                    for (name, text) in named_field_lines(&path, &named.named) {
                        lines.push(member(FIELD, name, text));
                    }
                }
                Fields::Unnamed(mut unnamed) => {
                    for field in &mut unnamed.unnamed {
                        field.attrs = member_attrs(&field.attrs);
                        if !is_public(&field.vis) {
                            field.vis = Visibility::Inherited;
                            field.ty = syn::parse_str(PRIVATE).expect("a placeholder is a type");
                        }
                    }
                    s.fields = Fields::Unnamed(unnamed);
                    text = strip_semicolon(item_text(Item::Struct(s)))
                        .replace(PRIVATE, "/* private field */");
                }
                Fields::Unit => {
                    s.semi_token = Some(Default::default());
                    text = item_text(Item::Struct(s));
                }
            }
            lines.push(head(text));
        }
        Item::Union(mut u) => {
            let fields = std::mem::take(&mut u.fields.named);
            u.attrs = shown_attrs(&u.attrs);
            u.ident = placeholder();
            let mut text = strip_body(&item_text(Item::Union(u)));
            if fields
                .iter()
                .any(|f| !is_public(&f.vis) && !is_test_only(&f.attrs))
            {
                text.push_str(" { /* private fields */ }");
            }
            lines.push(head(text));
            for (name, text) in named_field_lines(&path, &fields) {
                lines.push(member(FIELD, name, text));
            }
        }
        Item::Enum(mut e) => {
            let variants = std::mem::take(&mut e.variants);
            e.attrs = shown_attrs(&e.attrs);
            e.ident = placeholder();
            lines.push(head(strip_body(&item_text(Item::Enum(e)))));
            for mut variant in variants.into_iter().filter(|v| !is_test_only(&v.attrs)) {
                let attrs = member_attrs(&variant.attrs);
                variant.attrs.clear();
                let name = variant.ident.to_string();
                let text = variant_text(variant);
                lines.push(member(
                    FIELD,
                    name,
                    format!("{}{path}::{text}", attrs_text(&attrs)),
                ));
            }
        }
        Item::Trait(mut t) => {
            let items = std::mem::take(&mut t.items);
            t.attrs = shown_attrs(&t.attrs);
            t.ident = placeholder();
            lines.push(head(strip_body(&item_text(Item::Trait(t)))));
            for item in items {
                if let Some((name, text)) = trait_member(item, &path) {
                    lines.push(member(ASSOCIATED, name, text));
                }
            }
        }
        Item::Fn(f) => {
            let text = fn_text(shown_attrs(&f.attrs), f.vis, &f.sig, &path);
            lines.push(head(text));
        }
        Item::Type(mut t) => {
            t.attrs = shown_attrs(&t.attrs);
            t.ident = placeholder();
            lines.push(head(strip_semicolon(item_text(Item::Type(t)))));
        }
        Item::TraitAlias(mut t) => {
            t.attrs = shown_attrs(&t.attrs);
            t.ident = placeholder();
            lines.push(head(strip_semicolon(item_text(Item::TraitAlias(t)))));
        }
        Item::Const(c) => {
            let attrs = attrs_text(&shown_attrs(&c.attrs));
            lines.push(head(format!(
                "{attrs}pub const {PLACEHOLDER}: {}",
                type_text(&c.ty)
            )));
        }
        Item::Static(s) => {
            let attrs = attrs_text(&shown_attrs(&s.attrs));
            let mutability = if matches!(s.mutability, syn::StaticMutability::Mut(_)) {
                "mut "
            } else {
                ""
            };
            let ty = type_text(&s.ty);
            lines.push(head(format!(
                "{attrs}pub static {mutability}{PLACEHOLDER}: {ty}"
            )));
        }
        Item::Macro(m) => {
            let attrs = attrs_text(&shown_attrs(&m.attrs));
            lines.push(head(format!("{attrs}macro_rules! {PLACEHOLDER}")));
        }
        _ => {}
    }
    lines
}

fn impl_lines(krate: &Crate, exports: &Exports, module: ModId, block: &syn::ItemImpl) -> Vec<Line> {
    let Some(owner) = impl_owner(krate, module, block) else {
        return Vec::new();
    };
    let Some(owner) = exports.canonical(owner) else {
        return Vec::new();
    };
    if let Some((_, trait_path, _)) = &block.trait_
        && !trait_is_nameable(krate, exports, module, trait_path)
    {
        return Vec::new();
    }
    // What gates the block beyond what gates its type.
    let mut gates = krate.modules[module].cfgs.clone();
    push_unique(&mut gates, cfg_attrs(&block.attrs));
    let gates = without(gates, &owner.cfgs);

    let mut block = block.clone();
    Normalizer::new(krate, exports, module).visit_item_impl_mut(&mut block);
    let path = owner.path.join("::");
    let mut lines = Vec::new();
    if block.trait_.is_some() {
        block.attrs = gates;
        block
            .items
            .retain(|item| matches!(item, ImplItem::Type(t) if !is_test_only(&t.attrs)));
        for item in &mut block.items {
            if let ImplItem::Type(ty) = item {
                ty.attrs = cfg_attrs(&ty.attrs);
            }
        }
        let text = strip_body(&item_text(Item::Impl(block)));
        lines.push(Line {
            key: owner.path.clone(),
            section: TRAIT_IMPL,
            name: text.clone(),
            text,
        });
        return lines;
    }
    let generic = !block.generics.params.is_empty() || block.generics.where_clause.is_some();
    let context = if generic {
        let mut header = block.clone();
        header.attrs.clear();
        header.items.clear();
        format!("  // in {}", strip_body(&item_text(Item::Impl(header))))
    } else {
        String::new()
    };
    for item in block.items {
        let (name, text) = match item {
            ImplItem::Fn(f) if is_public(&f.vis) && !is_test_only(&f.attrs) => {
                let name = f.sig.ident.to_string();
                let mut attrs = gates.clone();
                push_unique(&mut attrs, cfg_attrs(&f.attrs));
                attrs.extend(shown_attrs(&f.attrs));
                (
                    name.clone(),
                    fn_text(attrs, f.vis, &f.sig, &format!("{path}::{name}")),
                )
            }
            ImplItem::Const(c) if is_public(&c.vis) && !is_test_only(&c.attrs) => {
                let name = c.ident.to_string();
                let mut attrs = gates.clone();
                push_unique(&mut attrs, cfg_attrs(&c.attrs));
                attrs.extend(shown_attrs(&c.attrs));
                let ty = type_text(&c.ty);
                (
                    name.clone(),
                    format!("{}pub const {path}::{name}: {ty}", attrs_text(&attrs)),
                )
            }
            _ => continue,
        };
        lines.push(Line {
            key: owner.path.clone(),
            section: ASSOCIATED,
            name,
            text: format!("{text}{context}"),
        });
    }
    lines
}

/// The local type an `impl` block is for (`impl X`, `impl Trait for &X`);
/// none for a blanket impl or another crate's type.
fn impl_owner(krate: &Crate, module: ModId, block: &syn::ItemImpl) -> Option<ItemRef> {
    let mut ty = &*block.self_ty;
    loop {
        ty = match ty {
            syn::Type::Reference(r) => &r.elem,
            syn::Type::Paren(p) => &p.elem,
            syn::Type::Group(g) => &g.elem,
            _ => break,
        };
    }
    let syn::Type::Path(type_path) = ty else {
        return None;
    };
    if type_path.qself.is_some() {
        return None;
    }
    let segments: Vec<String> = type_path
        .path
        .segments
        .iter()
        .map(|s| s.ident.to_string())
        .collect();
    let generic = block
        .generics
        .type_params()
        .any(|p| segments.first() == Some(&p.ident.to_string()));
    if generic || segments.first().is_some_and(|s| s == "Self") {
        return None;
    }
    let path = UsePath {
        absolute: type_path.path.leading_colon.is_some(),
        segments,
    };
    krate
        .resolve_use(module, &path, 0)
        .into_iter()
        .find_map(|target| match target {
            Target::Item(item)
                if matches!(
                    krate.item(item),
                    Item::Struct(_) | Item::Enum(_) | Item::Union(_)
                ) =>
            {
                Some(item)
            }
            _ => None,
        })
}

/// A private trait's impls cannot be used outside the crate.
fn trait_is_nameable(
    krate: &Crate,
    exports: &Exports,
    module: ModId,
    trait_path: &syn::Path,
) -> bool {
    let path = UsePath {
        absolute: trait_path.leading_colon.is_some(),
        segments: trait_path
            .segments
            .iter()
            .map(|s| s.ident.to_string())
            .collect(),
    };
    krate
        .resolve_use(module, &path, 0)
        .iter()
        .all(|target| match target {
            Target::Item(item) => exports.canonical(*item).is_some(),
            _ => true,
        })
}

/// A trait's method, associated type or constant, with `{ .. }` marking a
/// provided (default) one.
fn trait_member(item: TraitItem, owner: &str) -> Option<(String, String)> {
    let (name, attrs) = match &item {
        TraitItem::Fn(f) => (f.sig.ident.to_string(), &f.attrs),
        TraitItem::Type(t) => (t.ident.to_string(), &t.attrs),
        TraitItem::Const(c) => (c.ident.to_string(), &c.attrs),
        _ => return None,
    };
    if is_test_only(attrs) {
        return None;
    }
    let mut shown = cfg_attrs(attrs);
    shown.extend(shown_attrs(attrs));
    let path = format!("{owner}::{name}");
    let text = match item {
        TraitItem::Fn(f) => {
            let provided = if f.default.is_some() { " { .. }" } else { "" };
            format!(
                "{}{provided}",
                fn_text(shown, Visibility::Inherited, &f.sig, &path)
            )
        }
        TraitItem::Type(mut t) => {
            t.attrs = shown;
            t.ident = placeholder();
            trait_item_text(TraitItem::Type(t)).replace(PLACEHOLDER, &path)
        }
        TraitItem::Const(mut c) => {
            let provided = if c.default.is_some() { " { .. }" } else { "" };
            c.attrs = shown;
            c.ident = placeholder();
            c.default = None;
            format!(
                "{}{provided}",
                trait_item_text(TraitItem::Const(c)).replace(PLACEHOLDER, &path)
            )
        }
        _ => return None,
    };
    Some((name, text))
}

/// A public field that exists outside the crate's own tests.
/// The name and line of each shown named field: `pub path::name: Type`.
fn named_field_lines<'a>(
    path: &str,
    fields: impl IntoIterator<Item = &'a syn::Field>,
) -> Vec<(String, String)> {
    fields
        .into_iter()
        .filter(|f| shown_field(f))
        .map(|field| {
            let name = field
                .ident
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default();
            let text = format!(
                "{}pub {path}::{name}: {}",
                attrs_text(&member_attrs(&field.attrs)),
                type_text(&field.ty)
            );
            (name, text)
        })
        .collect()
}

fn shown_field(field: &syn::Field) -> bool {
    is_public(&field.vis) && !is_test_only(&field.attrs)
}
