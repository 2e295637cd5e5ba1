//! From a recording to structured notes in four lines.
//!
//! Try it against the local server, no credentials needed. In one terminal:
//!
//! ```text
//! cargo run -p scribe-cli -- sim
//! ```
//!
//! then copy the `export SCRIBE_...` lines it prints into another terminal
//! (or a `.env` file) and run, from the repository root:
//!
//! ```text
//! cargo run -p scribe --example quickstart -- examples/audio/consultation.wav
//! ```
//!
//! With real credentials (`SCRIBE_CLIENT_ID`, `SCRIBE_CLIENT_SECRET`) the
//! same program talks to EkaScribe. The VAD model comes from
//! `cargo xtask assets`.
#![allow(clippy::print_stdout)]

#[tokio::main]
async fn main() -> Result<(), scribe::Error> {
    let file = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "examples/audio/consultation.wav".to_owned());

    let client = scribe::ScribeClient::from_env()?; // loads .env
    let session = client.create_session().await?;
    session.upload_file(file).await?; // decode + VAD + upload + end
    let result = session.wait().await?;

    println!("session {}: {}", result.session_id(), result.status());
    for (template_id, template) in result.templates() {
        println!("{template_id}: {}", template.status);
        if let Some(data) = &template.data {
            println!("{data:#}");
        }
    }
    Ok(())
}
