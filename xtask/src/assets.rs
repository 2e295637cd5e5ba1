//! `cargo xtask assets` (not written yet).

pub(crate) fn run(_args: &[String]) -> anyhow::Result<()> {
    anyhow::bail!("`cargo xtask assets` is not available yet")
}
