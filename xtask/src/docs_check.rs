//! `docs/architecture.md` is a code map: every repository path it names in
//! backticks (`crates/...`, `xtask/...`, `docs/...`, `examples/...`) must
//! exist, so the map fails a test instead of quietly going out of date.

/// The repository paths a Markdown text names in backticks.
fn named_paths(markdown: &str) -> Vec<&str> {
    const ROOTS: [&str; 4] = ["crates/", "xtask/", "docs/", "examples/"];
    markdown
        .split('`')
        .skip(1)
        .step_by(2)
        .filter(|span| ROOTS.iter().any(|root| span.starts_with(root)))
        .filter(|span| !span.contains(char::is_whitespace))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_path_in_the_code_map_exists() {
        let root = crate::workspace_root();
        let map = std::fs::read_to_string(root.join("docs/architecture.md"))
            .unwrap_or_else(|e| panic!("docs/architecture.md: {e}"));
        let paths = named_paths(&map);
        assert!(
            paths.len() > 40,
            "the map names the modules ({})",
            paths.len()
        );
        let missing: Vec<_> = paths.iter().filter(|p| !root.join(p).exists()).collect();
        assert!(
            missing.is_empty(),
            "docs/architecture.md names paths that do not exist: {missing:?}"
        );
    }

    #[test]
    fn paths_are_found_only_in_backticks() {
        let text = "see `crates/a/src/b.rs` and crates/x.rs, `not/a/root.rs`, `cargo xtask api`";
        assert_eq!(named_paths(text), ["crates/a/src/b.rs"]);
    }
}
