//! `cargo xtask fixtures` (not written yet).

pub(crate) fn run(_args: &[String]) -> anyhow::Result<()> {
    anyhow::bail!("`cargo xtask fixtures` is not available yet")
}
