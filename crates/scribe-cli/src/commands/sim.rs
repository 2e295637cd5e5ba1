//! `scribe sim`: the local protocol server, exactly as the `scribe-sim`
//! binary runs it (same flags).

use crate::exit::Exit;

pub async fn run(args: scribe_sim::cli::SimArgs) -> Result<Exit, scribe::Error> {
    scribe_sim::cli::run(args)
        .await
        .map_err(|e| scribe::Error::new(scribe::ErrorKind::Other, format!("scribe sim: {e}")))?;
    Ok(Exit::Ok)
}
