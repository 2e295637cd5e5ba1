//! One module per command.

mod info;
mod session;
mod sim;
mod transcribe;
mod vad;

use crate::cli::{Cli, Command, SessionCommand};
use crate::exit::Exit;

/// Runs the parsed command.
pub async fn run(cli: Cli) -> Result<Exit, scribe::Error> {
    let global = cli.global;
    match cli.command {
        Command::Transcribe(args) => transcribe::run(&global, args).await,
        Command::Vad(args) => vad::run(args).await,
        Command::Session(SessionCommand::Get { id, json }) => {
            session::get(&global, &id, json).await
        }
        Command::Session(SessionCommand::End {
            id,
            files,
            yes,
            json,
        }) => session::end(&global, &id, files, yes, json).await,
        Command::Templates(server) => info::templates(&global, server).await,
        Command::Discovery(server) => info::discovery(&global, server).await,
        Command::Sim(args) => sim::run(args).await,
    }
}
