//! Project chores, run as `cargo xtask <task>`.
//!
//! Each task lives in its own module; this file only dispatches.

use anyhow::{Result, bail};

mod api;
mod assets;
mod bench;
mod codegen;
#[cfg(test)]
mod docs_check;
mod fixtures;
mod fuzz;
mod soak;
mod test;

fn main() -> Result<()> {
    let mut args = std::env::args().skip(1);
    let Some(task) = args.next() else {
        bail!(
            "usage: cargo xtask <codegen [--check] | api [--check] | assets | fixtures | bench | test | fuzz | soak>"
        );
    };
    let rest: Vec<String> = args.collect();
    match task.as_str() {
        "codegen" => codegen::run(&rest),
        "api" => api::run(&rest),
        "assets" => assets::run(&rest),
        "fixtures" => fixtures::run(&rest),
        "bench" => bench::run(&rest),
        "test" => test::run(&rest),
        "fuzz" => fuzz::run(&rest),
        "soak" => soak::run(&rest),
        other => {
            bail!(
                "unknown task `{other}`; try test, codegen, api, assets, fixtures, bench, fuzz or soak"
            )
        }
    }
}

/// The workspace root, whatever directory the task was started from.
pub(crate) fn workspace_root() -> std::path::PathBuf {
    let manifest = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    manifest
        .parent()
        .map(std::path::Path::to_path_buf)
        .unwrap_or(manifest)
}
