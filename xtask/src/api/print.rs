//! Printing pieces of syntax on one line each. `prettyplease` prints whole
//! items (wrapping long ones); an item is built around the piece with a
//! placeholder name, printed, joined back onto one line, and the placeholder
//! replaced by the item's public path, which is not a valid identifier.

use proc_macro2::Span;
use syn::punctuated::Punctuated;
use syn::{Attribute, Ident, Item, Meta, Token, TraitItem, Visibility};

use super::tree::cfg_attrs;

/// Stands for the item's path while the item is printed.
pub(super) const PLACEHOLDER: &str = "__API_ITEM__";

/// Stands for a private tuple field's type.
pub(super) const PRIVATE: &str = "__API_PRIVATE__";

pub(super) fn placeholder() -> Ident {
    Ident::new(PLACEHOLDER, Span::call_site())
}

/// An item printed by prettyplease, on one line.
pub(super) fn item_text(item: Item) -> String {
    let file = syn::File {
        shebang: None,
        attrs: Vec::new(),
        items: vec![item],
    };
    one_line(&prettyplease::unparse(&file))
}

/// Joins prettyplease's wrapped lines: no space inside brackets, and the
/// trailing comma it adds to a vertical list goes.
pub(super) fn one_line(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines().map(str::trim).filter(|l| !l.is_empty()) {
        if !out.is_empty() {
            let closes = line.starts_with([')', ']', '>', '}']);
            if closes && out.ends_with(',') {
                out.pop();
            }
            let after_open = out.ends_with(['(', '[', '<']);
            let tight = line.starts_with([')', ']', '>']);
            if !after_open && !tight {
                out.push(' ');
            }
        }
        out.push_str(line);
    }
    out
}

/// Drops an empty body (`{}`) and the comma prettyplease leaves before it
/// after a `where` clause.
pub(super) fn strip_body(text: &str) -> String {
    let text = text.trim_end();
    let text = text.strip_suffix("{}").unwrap_or(text).trim_end();
    text.strip_suffix(',').unwrap_or(text).to_owned()
}

/// A type on its own.
pub(super) fn type_text(ty: &syn::Type) -> String {
    let alias = Item::Type(syn::ItemType {
        attrs: Vec::new(),
        vis: syn::Visibility::Inherited,
        type_token: Default::default(),
        ident: placeholder(),
        generics: Default::default(),
        eq_token: Default::default(),
        ty: Box::new(ty.clone()),
        semi_token: Default::default(),
    });
    let text = item_text(alias);
    let prefix = format!("type {PLACEHOLDER} = ");
    let text = text.strip_prefix(&prefix).unwrap_or(&text);
    text.strip_suffix(';').unwrap_or(text).to_owned()
}

/// Attributes as a prefix of a line: `#[cfg(feature = "audio")] `.
pub(super) fn attrs_text(attrs: &[Attribute]) -> String {
    if attrs.is_empty() {
        return String::new();
    }
    let unit = Item::Struct(syn::ItemStruct {
        attrs: attrs.to_vec(),
        vis: syn::Visibility::Inherited,
        struct_token: Default::default(),
        ident: placeholder(),
        generics: Default::default(),
        fields: syn::Fields::Unit,
        semi_token: Some(Default::default()),
    });
    let text = item_text(unit);
    let suffix = format!("struct {PLACEHOLDER};");
    let text = text.strip_suffix(&suffix).unwrap_or(&text).trim_end();
    format!("{text} ")
}

/// Attributes that say something to a caller. Docs, lints, inlining and
/// serde's wire details do not; `#[cfg]` is shown apart, as a note.
const SHOWN: &[&str] = &["derive", "non_exhaustive", "must_use", "repr", "deprecated"];

pub(super) fn shown_attrs(attrs: &[Attribute]) -> Vec<Attribute> {
    let mut kept = Vec::new();
    for attr in attrs {
        let path = attr.path();
        if SHOWN.iter().any(|name| path.is_ident(name)) || is_doc_hidden(attr) {
            kept.push(attr.clone());
        } else if path.is_ident("cfg_attr")
            && let Some(attr) = shown_cfg_attr(attr)
        {
            kept.push(attr);
        }
    }
    kept
}

fn is_doc_hidden(attr: &Attribute) -> bool {
    attr.path().is_ident("doc")
        && attr
            .meta
            .require_list()
            .is_ok_and(|list| list.tokens.to_string() == "hidden")
}

/// `#[cfg_attr(pred, derive(..), doc = "..")]` keeps only what is shown.
fn shown_cfg_attr(attr: &Attribute) -> Option<Attribute> {
    let metas = attr
        .parse_args_with(Punctuated::<Meta, Token![,]>::parse_terminated)
        .ok()?;
    let mut metas = metas.into_iter();
    let predicate = metas.next()?;
    let shown: Vec<Meta> = metas
        .filter(|meta| SHOWN.iter().any(|name| meta.path().is_ident(name)))
        .collect();
    if shown.is_empty() {
        return None;
    }
    Some(syn::parse_quote!(#[cfg_attr(#predicate, #(#shown),*)]))
}

/// A function's signature: `pub async fn path<T>(&self, ..) -> R where ..`.
pub(super) fn fn_text(
    attrs: Vec<Attribute>,
    vis: Visibility,
    sig: &syn::Signature,
    path: &str,
) -> String {
    let mut sig = sig.clone();
    sig.ident = placeholder();
    // `mut` on an argument is the body's business, not the caller's.
    for input in &mut sig.inputs {
        match input {
            syn::FnArg::Receiver(receiver) if receiver.reference.is_none() => {
                receiver.mutability = None;
            }
            syn::FnArg::Typed(typed) => {
                if let syn::Pat::Ident(binding) = &mut *typed.pat {
                    binding.mutability = None;
                }
                typed.attrs.clear();
            }
            _ => {}
        }
    }
    let item = Item::Fn(syn::ItemFn {
        attrs,
        vis,
        sig,
        block: Box::new(syn::Block {
            brace_token: Default::default(),
            stmts: Vec::new(),
        }),
    });
    strip_body(&item_text(item)).replace(PLACEHOLDER, path)
}

/// `Name`, `Name(T)`, `Name { field: T }` or `Name = 3`.
pub(super) fn variant_text(mut variant: syn::Variant) -> String {
    for field in variant.fields.iter_mut() {
        field.attrs = member_attrs(&field.attrs);
    }
    let wrapper = Item::Enum(syn::ItemEnum {
        attrs: Vec::new(),
        vis: Visibility::Inherited,
        enum_token: Default::default(),
        ident: placeholder(),
        generics: Default::default(),
        brace_token: Default::default(),
        variants: [variant].into_iter().collect(),
    });
    let text = item_text(wrapper);
    let prefix = format!("enum {PLACEHOLDER} {{");
    let text = text.strip_prefix(&prefix).unwrap_or(&text);
    let text = text.strip_suffix('}').unwrap_or(text).trim();
    text.strip_suffix(',').unwrap_or(text).to_owned()
}

pub(super) fn trait_item_text(item: TraitItem) -> String {
    let wrapper = Item::Trait(syn::ItemTrait {
        attrs: Vec::new(),
        vis: Visibility::Inherited,
        unsafety: None,
        auto_token: None,
        restriction: None,
        trait_token: Default::default(),
        ident: Ident::new("__API_TRAIT__", Span::call_site()),
        generics: Default::default(),
        colon_token: None,
        supertraits: Default::default(),
        brace_token: Default::default(),
        items: vec![item],
    });
    let text = item_text(wrapper);
    let text = text.strip_prefix("trait __API_TRAIT__ {").unwrap_or(&text);
    let text = text.strip_suffix('}').unwrap_or(text).trim();
    text.strip_suffix(';').unwrap_or(text).to_owned()
}

/// A field's or variant's own notes: its `#[cfg]`s and shown attributes.
pub(super) fn member_attrs(attrs: &[Attribute]) -> Vec<Attribute> {
    let mut shown = cfg_attrs(attrs);
    shown.extend(shown_attrs(attrs));
    shown
}

pub(super) fn strip_semicolon(text: String) -> String {
    match text.strip_suffix(';') {
        Some(stripped) => stripped.to_owned(),
        None => text,
    }
}
