//! `cargo xtask test`: the project's one test command.
//!
//! Makes sure the ONNX Runtime library and the Silero VAD model are in the
//! local cache (fetching the pinned wheels from PyPI when they are not), then
//! runs every test of the workspace. Extra arguments go to `cargo test`.

use anyhow::{Context, Result, bail};
use std::process::Command;

pub(crate) fn run(args: &[String]) -> Result<()> {
    crate::assets::run(&[])?;
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let status = Command::new(cargo)
        .current_dir(crate::workspace_root())
        .args(["test", "--workspace"])
        .args(args)
        .status()
        .context("could not start `cargo test`")?;
    if !status.success() {
        bail!("tests failed");
    }
    Ok(())
}
