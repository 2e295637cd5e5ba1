//! `scribe-sim`: run the local MedScribeAlliance simulator until Ctrl-C.

use std::process::ExitCode;

use clap::Parser as _;

#[tokio::main]
async fn main() -> ExitCode {
    let command = scribe_sim::cli::SimCommand::parse();
    match scribe_sim::cli::run(command.args).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("scribe-sim: {e}");
            ExitCode::FAILURE
        }
    }
}
