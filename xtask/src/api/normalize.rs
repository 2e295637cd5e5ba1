//! Rewrites the paths in a signature to what they name, so the listing does
//! not depend on how a file happens to import things and a change of meaning
//! behind an unchanged name still shows: `Error` in `error.rs` becomes
//! `scribe::Error`, `fmt::Debug` becomes `std::fmt::Debug`.

use std::collections::HashSet;

use proc_macro2::Span;
use syn::punctuated::Punctuated;
use syn::visit_mut::{self, VisitMut};
use syn::{GenericParam, Ident, Item, PathArguments, PathSegment};

use super::resolve::{Exports, Target};
use super::tree::{Crate, ModId, UsePath};

/// Names the language gives types even where a module of the same name is
/// in scope (`use std::str;` does not change what `&str` means).
const PRIMITIVES: &[&str] = &[
    "bool", "char", "str", "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64",
    "i128", "isize", "f16", "f32", "f64", "f128",
];

pub(super) struct Normalizer<'a> {
    krate: &'a Crate,
    exports: &'a Exports,
    /// Where the code being rewritten was written.
    module: ModId,
    /// Generic parameters in scope: never resolved as module names.
    generics: HashSet<String>,
}

impl<'a> Normalizer<'a> {
    pub(super) fn new(krate: &'a Crate, exports: &'a Exports, module: ModId) -> Self {
        Normalizer {
            krate,
            exports,
            module,
            generics: HashSet::new(),
        }
    }

    /// What a path names, as the listing spells it: a local item by its
    /// listed public path (or its `crate::` path when it has none), another
    /// crate's item by its full path.
    fn spelling(&self, target: &Target) -> Option<Vec<String>> {
        match target {
            Target::Item(item) => Some(match self.exports.canonical(*item) {
                Some(export) => export.path.clone(),
                None => {
                    let mut path = self.krate.crate_path(item.0);
                    path.push(item_name(self.krate.item(*item))?);
                    path
                }
            }),
            Target::External(path) => Some(path.clone()),
            Target::Module(_) | Target::Unresolved(_) => None,
        }
    }

    fn rewrite(&self, path: &mut syn::Path) {
        if path.leading_colon.is_some() || path.segments.is_empty() {
            return;
        }
        let segments: Vec<String> = path.segments.iter().map(|s| s.ident.to_string()).collect();
        let first = segments[0].as_str();
        if first == "Self"
            || self.generics.contains(first)
            || (segments.len() == 1 && PRIMITIVES.contains(&first))
        {
            return;
        }
        let use_path = UsePath {
            absolute: false,
            segments: segments.clone(),
        };
        let (targets, used) = self.krate.resolve_prefix(self.module, &use_path, 0);
        let Some(spelled) = self.pick(&targets).and_then(|t| self.spelling(t)) else {
            return;
        };
        if spelled.is_empty() || used == 0 || spelled[..] == segments[..used] {
            return;
        }
        let arguments = path.segments[used - 1].arguments.clone();
        let mut rewritten: Punctuated<PathSegment, syn::Token![::]> = Punctuated::new();
        for (i, name) in spelled.iter().enumerate() {
            rewritten.push(PathSegment {
                ident: Ident::new(name, Span::call_site()),
                arguments: if i + 1 == spelled.len() {
                    arguments.clone()
                } else {
                    PathArguments::None
                },
            });
        }
        for segment in path.segments.iter().skip(used) {
            rewritten.push(segment.clone());
        }
        path.segments = rewritten;
    }

    /// A name can mean a type and a value at once; in a signature the type
    /// is meant.
    fn pick<'t>(&self, targets: &'t [Target]) -> Option<&'t Target> {
        let is_type = |t: &&Target| match t {
            Target::Item(item) => matches!(
                self.krate.item(*item),
                Item::Struct(_) | Item::Enum(_) | Item::Union(_) | Item::Type(_) | Item::Trait(_)
            ),
            _ => false,
        };
        targets
            .iter()
            .find(is_type)
            .or_else(|| targets.iter().find(|t| matches!(t, Target::Item(_))))
            .or_else(|| targets.first())
    }
}

impl VisitMut for Normalizer<'_> {
    fn visit_generics_mut(&mut self, generics: &mut syn::Generics) {
        for param in &generics.params {
            match param {
                GenericParam::Type(t) => self.generics.insert(t.ident.to_string()),
                GenericParam::Const(c) => self.generics.insert(c.ident.to_string()),
                GenericParam::Lifetime(_) => false,
            };
        }
        visit_mut::visit_generics_mut(self, generics);
    }

    fn visit_path_mut(&mut self, path: &mut syn::Path) {
        self.rewrite(path);
        for segment in &mut path.segments {
            self.visit_path_arguments_mut(&mut segment.arguments);
        }
    }

    fn visit_type_path_mut(&mut self, type_path: &mut syn::TypePath) {
        match &mut type_path.qself {
            // `<T as Trait>::Name`: the path's segments are counted by the
            // qualified self; only what is inside them is rewritten.
            Some(qself) => {
                self.visit_type_mut(&mut qself.ty);
                for segment in &mut type_path.path.segments {
                    self.visit_path_arguments_mut(&mut segment.arguments);
                }
            }
            None => self.visit_path_mut(&mut type_path.path),
        }
    }

    // Bodies, values, patterns and attributes are not part of a signature.
    fn visit_block_mut(&mut self, _: &mut syn::Block) {}
    fn visit_expr_mut(&mut self, _: &mut syn::Expr) {}
    fn visit_pat_mut(&mut self, _: &mut syn::Pat) {}
    fn visit_attribute_mut(&mut self, _: &mut syn::Attribute) {}
    fn visit_macro_mut(&mut self, _: &mut syn::Macro) {}
}

pub(super) fn item_name(item: &Item) -> Option<String> {
    let ident = match item {
        Item::Struct(i) => &i.ident,
        Item::Enum(i) => &i.ident,
        Item::Union(i) => &i.ident,
        Item::Trait(i) => &i.ident,
        Item::TraitAlias(i) => &i.ident,
        Item::Type(i) => &i.ident,
        Item::Fn(i) => &i.sig.ident,
        Item::Const(i) => &i.ident,
        Item::Static(i) => &i.ident,
        Item::Macro(i) => i.ident.as_ref()?,
        _ => return None,
    };
    Some(ident.to_string())
}
