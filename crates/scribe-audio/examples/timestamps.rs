//! Prints speech timestamps (16 kHz samples) as JSON lines:
//! `cargo run --release -p scribe-audio --example timestamps -- FILE [sequential|sections]`.

#![allow(clippy::print_stdout)] // prints results for scripts to read

use scribe_audio::{AssetConfig, AudioInput, VadConfig, VadMode, speech_timestamps};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: timestamps FILE [sequential|sections]")?;
    let mode = match args.next().as_deref() {
        Some("sections") => VadMode::sections(),
        _ => VadMode::Sequential,
    };
    let vad = VadConfig::default().with_mode(mode);
    let segments = speech_timestamps(AudioInput::Path(path.into()), &vad, &AssetConfig::default())?;
    for s in segments {
        println!("{{\"start\": {}, \"end\": {}}}", s.start, s.end);
    }
    Ok(())
}
