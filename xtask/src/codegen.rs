//! `cargo xtask codegen` (not written yet).

pub(crate) fn run(_args: &[String]) -> anyhow::Result<()> {
    anyhow::bail!("`cargo xtask codegen` is not available yet")
}
