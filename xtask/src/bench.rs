//! `cargo xtask bench` (not written yet).

pub(crate) fn run(_args: &[String]) -> anyhow::Result<()> {
    anyhow::bail!("`cargo xtask bench` is not available yet")
}
