//! The walker on small crates held in memory.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Result, anyhow};

/// The listing of a crate given as (path under `src/`, source) pairs.
fn list(files: &[(&str, &str)]) -> Vec<String> {
    let files: BTreeMap<String, String> = files
        .iter()
        .map(|(path, text)| (format!("src/{path}"), (*text).to_owned()))
        .collect();
    let read = |path: &Path| -> Result<String> {
        let key = path.to_string_lossy().replace('\\', "/");
        files
            .get(&key)
            .cloned()
            .ok_or_else(|| anyhow!("no file {key}"))
    };
    let krate = super::tree::Crate::load(Path::new("src/lib.rs"), &read).expect("the crate loads");
    super::listing::lines(&krate, "scribe")
}

#[track_caller]
fn assert_lines(files: &[(&str, &str)], expected: &[&str]) {
    let lines = list(files);
    assert_eq!(lines, expected, "\nlisted:\n{}\n", lines.join("\n"));
}

#[test]
fn a_private_module_counts_only_through_its_re_exports() {
    assert_lines(
        &[
            ("lib.rs", "mod inner;\npub use inner::Shown;"),
            (
                "inner.rs",
                "pub struct Shown { pub size: u32, cache: Vec<u8> }\n\
                 pub struct Unlisted;\n\
                 pub fn helper() {}",
            ),
        ],
        &[
            "pub struct scribe::Shown { /* private fields */ }",
            "pub scribe::Shown::size: u32",
        ],
    );
}

#[test]
fn restricted_visibility_is_not_public() {
    assert_lines(
        &[(
            "lib.rs",
            "pub(crate) fn crate_only() {}\n\
             pub mod m {\n\
                 pub(super) fn parent_only() {}\n\
                 pub(in crate::m) struct Inside;\n\
                 pub fn open() {}\n\
                 pub struct Point { pub x: i32, pub(crate) y: i32 }\n\
                 impl Point { pub fn x(&self) -> i32 { self.x } pub(crate) fn y(&self) -> i32 { self.y } fn z() {} }\n\
             }\n\
             mod hidden { pub fn unreachable() {} }",
        )],
        &[
            "pub mod scribe::m",
            "pub struct scribe::m::Point { /* private fields */ }",
            "pub scribe::m::Point::x: i32",
            "pub fn scribe::m::Point::x(&self) -> i32",
            "pub fn scribe::m::open()",
        ],
    );
}

#[test]
fn cfg_gates_are_noted_and_test_code_is_skipped() {
    // `tests.rs` does not exist: a `#[cfg(test)]` module is never read.
    assert_lines(
        &[
            (
                "lib.rs",
                "#[cfg(feature = \"audio\")]\nmod audio;\n\
                 #[cfg(feature = \"audio\")]\npub use audio::Source;\n\
                 #[cfg(test)]\nmod tests;\n\
                 pub struct Client;\n\
                 impl Client {\n\
                     #[cfg(feature = \"audio\")]\n\
                     pub fn decode(&self) {}\n\
                     #[cfg(test)]\n\
                     pub fn for_tests(&self) {}\n\
                 }",
            ),
            (
                "audio.rs",
                "pub enum Source { Path(std::path::PathBuf), #[cfg(unix)] Fd(i32) }\n\
                 impl From<&str> for Source { fn from(s: &str) -> Self { todo!() } }\n\
                 impl crate::Client { pub fn upload(&self, source: Source) {} }",
            ),
        ],
        &[
            "pub struct scribe::Client;",
            "#[cfg(feature = \"audio\")] pub fn scribe::Client::decode(&self)",
            "#[cfg(feature = \"audio\")] pub fn scribe::Client::upload(&self, source: scribe::Source)",
            "#[cfg(feature = \"audio\")] pub enum scribe::Source",
            "#[cfg(unix)] scribe::Source::Fd(i32)",
            "scribe::Source::Path(std::path::PathBuf)",
            // Gated by its type's gate alone: no note of its own.
            "impl From<&str> for scribe::Source",
        ],
    );
}

#[test]
fn impl_methods_keep_their_whole_signature() {
    assert_lines(
        &[
            (
                "lib.rs",
                "mod client;\nmod error;\nmod wait;\npub use client::Client;\npub use error::Error;",
            ),
            (
                "client.rs",
                "#[derive(Clone)]\n#[must_use]\npub struct Client { inner: u8 }",
            ),
            (
                "error.rs",
                "#[non_exhaustive]\npub struct Error;\nimpl std::fmt::Display for Error { fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result { Ok(()) } }",
            ),
            (
                "wait.rs",
                "use std::time::Duration;\nuse crate::{Client, Error};\n\
                 impl Client {\n\
                     /// Docs are not listed.\n\
                     #[must_use]\n\
                     pub async fn wait<T, F>(&self, mut timeout: Duration, f: F) -> Result<T, Error>\n\
                     where\n\
                         T: Default + Send + 'static,\n\
                         F: Fn(&str) -> Option<T>,\n\
                     { todo!() }\n\
                     pub fn with_id(mut self, id: impl Into<String>) -> Self { self }\n\
                     pub const LIMIT: usize = 3;\n\
                     fn private(&self) {}\n\
                 }",
            ),
        ],
        &[
            "#[derive(Clone)] #[must_use] pub struct scribe::Client { /* private fields */ }",
            "pub const scribe::Client::LIMIT: usize",
            "#[must_use] pub async fn scribe::Client::wait<T, F>(&self, timeout: std::time::Duration, f: F) -> Result<T, scribe::Error> where T: Default + Send + 'static, F: Fn(&str) -> Option<T>",
            "pub fn scribe::Client::with_id(self, id: impl Into<String>) -> Self",
            "#[non_exhaustive] pub struct scribe::Error;",
            "impl std::fmt::Display for scribe::Error",
        ],
    );
}

#[test]
fn into_future_impls_show_their_associated_types() {
    assert_lines(
        &[(
            "lib.rs",
            "use std::future::{Future, IntoFuture};\nuse std::pin::Pin;\n\
             pub struct Error;\n\
             pub struct Call<'a, C = ()> { client: &'a C }\n\
             impl<'a, C: Sync> Call<'a, C> { pub fn retries(self, n: u32) -> Self { self } }\n\
             impl<'a> IntoFuture for Call<'a> {\n\
                 type Output = Result<u32, Error>;\n\
                 type IntoFuture = Pin<Box<dyn Future<Output = Self::Output> + Send + 'a>>;\n\
                 fn into_future(self) -> Self::IntoFuture { todo!() }\n\
             }",
        )],
        &[
            "pub struct scribe::Call<'a, C = ()> { /* private fields */ }",
            "pub fn scribe::Call::retries(self, n: u32) -> Self  // in impl<'a, C: Sync> scribe::Call<'a, C>",
            "impl<'a> std::future::IntoFuture for scribe::Call<'a> { type Output = Result<u32, scribe::Error>; \
             type IntoFuture = std::pin::Pin<Box<dyn std::future::Future<Output = Self::Output> + Send + 'a>>; }",
            "pub struct scribe::Error;",
        ],
    );
}

#[test]
fn other_crates_are_listed_as_re_exports_not_expanded() {
    assert_lines(
        &[
            (
                "lib.rs",
                "pub use scribe_protocol as protocol;\n\
                 pub use protocol::chunk::{AudioExtension, ChunkName as Name};\n\
                 pub use tokio_util::sync::CancellationToken;\n\
                 mod error;\npub use error::ErrorKind;\n\
                 pub mod stream { pub use crate::Local; }\n\
                 pub struct Local;",
            ),
            ("error.rs", "pub use scribe_transport::ErrorKind;"),
        ],
        &[
            "pub use scribe_protocol::chunk::AudioExtension as scribe::AudioExtension;",
            "pub use tokio_util::sync::CancellationToken as scribe::CancellationToken;",
            "pub use scribe_transport::ErrorKind as scribe::ErrorKind;",
            "pub struct scribe::Local;",
            "pub use scribe_protocol::chunk::ChunkName as scribe::Name;",
            "pub use scribe_protocol as scribe::protocol;",
            "pub mod scribe::stream",
            // An item with two public paths is listed in full at the shorter.
            "pub use scribe::Local as scribe::stream::Local;",
        ],
    );
}

#[test]
fn module_files_are_found_as_the_compiler_finds_them() {
    assert_lines(
        &[
            (
                "lib.rs",
                "pub mod a;\npub mod b;\n#[path = \"elsewhere/c_impl.rs\"]\npub mod c;\nmod glob;\npub use glob::*;",
            ),
            ("a/mod.rs", "pub mod deep;"),
            ("a/deep.rs", "pub mod deeper;\npub type Id = u64;"),
            ("a/deep/deeper.rs", "pub static mut COUNT: u32 = 0;"),
            (
                "b.rs",
                "pub mod nested { pub trait Source: Send { type Item; fn next(&mut self) -> Option<Self::Item>; fn size(&self) -> usize { 0 } } }",
            ),
            ("elsewhere/c_impl.rs", "pub const C: &str = \"c\";"),
            ("glob.rs", "pub fn from_glob() {}\nfn hidden() {}"),
        ],
        &[
            "pub mod scribe::a",
            "pub mod scribe::a::deep",
            "pub type scribe::a::deep::Id = u64",
            "pub mod scribe::a::deep::deeper",
            "pub static mut scribe::a::deep::deeper::COUNT: u32",
            "pub mod scribe::b",
            "pub mod scribe::b::nested",
            "pub trait scribe::b::nested::Source: Send",
            "type scribe::b::nested::Source::Item",
            "fn scribe::b::nested::Source::next(&mut self) -> Option<Self::Item>",
            "fn scribe::b::nested::Source::size(&self) -> usize { .. }",
            "pub mod scribe::c",
            "pub const scribe::c::C: &str",
            "pub fn scribe::from_glob()",
        ],
    );
}

#[test]
fn a_missing_module_file_is_an_error_naming_both_candidates() {
    let read = |path: &Path| -> Result<String> {
        match path.to_string_lossy().as_ref() {
            "src/lib.rs" => Ok("mod gone;".to_owned()),
            other => Err(anyhow!("no file {other}")),
        }
    };
    let Err(error) = super::tree::Crate::load(Path::new("src/lib.rs"), &read) else {
        panic!("a crate with a missing module loaded");
    };
    let message = format!("{error:#}");
    assert!(
        message.contains("src/gone.rs") && message.contains("src/gone/mod.rs"),
        "{message}"
    );
}

#[test]
fn the_check_diff_shows_removed_then_added_lines() {
    let old = "// header\na\nb\nc\n";
    let new = "// header\na\nB\nc\nd\n";
    assert_eq!(super::diff(old, new), ["- b", "+ B", "+ d"]);
    assert!(super::diff(new, new).is_empty());
}

#[test]
fn the_listing_has_its_header_and_ends_with_a_newline() {
    let read = |path: &Path| -> Result<String> {
        match path.to_string_lossy().as_ref() {
            "src/lib.rs" => Ok("pub fn f() -> u8 { 0 }".to_owned()),
            other => Err(anyhow!("no file {other}")),
        }
    };
    let text = super::listing(Path::new("src/lib.rs"), &read).expect("a listing");
    assert!(text.starts_with("// The public API of the `scribe` crate"));
    assert!(text.contains("`cargo xtask api`"));
    assert!(text.ends_with("\npub fn scribe::f() -> u8\n"), "{text}");
}

#[test]
fn an_item_is_listed_under_its_own_name_and_renames_point_to_it() {
    assert_lines(
        &[
            (
                "lib.rs",
                "mod inner;\npub use inner::Thing as Alias;\npub use inner::Thing;",
            ),
            ("inner.rs", "pub struct Thing;"),
        ],
        &[
            "pub use scribe::Thing as scribe::Alias;",
            "pub struct scribe::Thing;",
        ],
    );
}
