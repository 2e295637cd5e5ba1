//! `scribe-sim`: run the local MedScribeAlliance simulator until Ctrl-C.

use std::process::ExitCode;

use clap::Parser as _;

#[tokio::main]
async fn main() -> ExitCode {
    // `RUST_LOG=scribe_sim=info` (the default) logs one line per request:
    // method, path, status and time, never bodies.
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("scribe_sim=info")),
        )
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let command = scribe_sim::cli::SimCommand::parse();
    match scribe_sim::cli::run(command.args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scribe-sim: {e}");
            ExitCode::FAILURE
        }
    }
}
