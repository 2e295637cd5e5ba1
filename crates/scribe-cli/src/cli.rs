//! The command line, as clap sees it.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// EkaScribe from the terminal: audio in, structured clinical notes out.
///
/// Credentials come from SCRIBE_CLIENT_ID and SCRIBE_CLIENT_SECRET (or
/// SCRIBE_API_KEY), read from the environment or a `.env` file. Pass --local
/// to try everything against a simulated server instead.
#[derive(Debug, Parser)]
#[command(name = "scribe", version, about, long_about)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Options every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// Deployment preset: prod (default) or dev.
    #[arg(long, global = true, value_name = "ENV")]
    pub env: Option<String>,
    /// Protocol base URL (overrides --env and SCRIBE_BASE_URL).
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// Config file (instead of scribe.config.{json,yaml,yml} in this directory).
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// More log output on stderr (-v info, -vv debug, -vvv trace) from the SDK
    /// itself; dependencies stay at info (`RUST_LOG` overrides).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Transcribe recordings into one session and print the notes.
    Transcribe(TranscribeArgs),
    /// Run only the local audio pipeline: speech segments and chunks.
    Vad(VadArgs),
    /// Look at or end a session.
    #[command(subcommand)]
    Session(SessionCommand),
    /// List the templates the service offers.
    Templates(ServerArgs),
    /// Show the service's discovery document.
    Discovery(ServerArgs),
    /// Run the local protocol server (for demos and offline development;
    /// results are simulated).
    Sim(scribe_sim::cli::SimArgs),
}

/// Where commands that talk to a server send their requests.
#[derive(Debug, Args, Clone, Copy)]
pub struct ServerArgs {
    /// Use a simulated server started inside this process (no credentials needed).
    #[arg(long)]
    pub local: bool,
    /// Print JSON only.
    #[arg(long)]
    pub json: bool,
}

/// `scribe transcribe`.
#[derive(Debug, Args)]
pub struct TranscribeArgs {
    /// Recordings (wav, mp3, m4a, mp4, webm, ogg, flac), all in one session, in order.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// One or two template ids, comma-separated (default from configuration).
    #[arg(long, value_delimiter = ',', value_name = "ID,ID")]
    pub templates: Vec<String>,
    /// Model: lite (fast) or pro (most accurate).
    #[arg(long)]
    pub model: Option<String>,
    /// Session mode.
    #[arg(long, value_enum)]
    pub mode: Option<Mode>,
    /// Spoken languages, ISO 639-1, comma-separated (e.g. en,hi).
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    pub language: Vec<String>,
    /// Stream the audio over a WebSocket instead of uploading chunks.
    #[arg(long)]
    pub stream: bool,
    /// Fail on a damaged recording (cut short or corrupt part way) instead
    /// of transcribing the audio before the damage with a warning; the
    /// chunks before it stay stored and the session is left open.
    #[arg(long)]
    pub strict_audio: bool,
    #[command(flatten)]
    pub server: ServerArgs,
}

/// Session modes.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum Mode {
    /// One speaker dictating.
    Dictation,
    /// A doctor and a patient talking.
    Consultation,
}

/// `scribe vad`.
#[derive(Debug, Args)]
pub struct VadArgs {
    /// The recording to analyse.
    #[arg(value_name = "FILE")]
    pub file: PathBuf,
    /// Print one JSON object only.
    #[arg(long)]
    pub json: bool,
    /// Write the chunk files (chunk_0.wav, ...) into this directory.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
}

/// `scribe session ...`.
#[derive(Debug, Subcommand)]
pub enum SessionCommand {
    /// Show a session's status and results.
    Get {
        /// The session id.
        id: String,
        /// Print the session JSON only.
        #[arg(long)]
        json: bool,
    },
    /// End (commit) a session, starting its processing.
    ///
    /// Processing covers only the audio the server holds when the session
    /// ends. A session still recording (an upload that stopped part way)
    /// is shown first, with how much audio the server holds, and ending it
    /// needs a confirmation on the terminal or --yes. Exit status 8: the
    /// session was already ended; 9: not confirmed, nothing was changed.
    End {
        /// The session id.
        id: String,
        /// Number of audio files sent (default: what the server has received).
        #[arg(long)]
        files: Option<u32>,
        /// End a session still recording without asking (scripts; stdin is
        /// not a terminal).
        #[arg(long, short = 'y')]
        yes: bool,
        /// Print JSON only.
        #[arg(long)]
        json: bool,
    },
}
