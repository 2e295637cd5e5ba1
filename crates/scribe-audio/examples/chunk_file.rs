//! Chunks a recording and reports timings: `cargo run --release -p
//! scribe-audio --example chunk_file -- FILE [sequential|sections] [--segments]`.

use std::time::Instant;

use scribe_audio::{AudioInput, PipelineConfig, VadConfig, VadMode, chunk_audio};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: chunk_file FILE [sequential|sections]")?;
    let mode = match args.next().as_deref() {
        Some("sections") => VadMode::sections(),
        _ => VadMode::Sequential,
    };
    let config = PipelineConfig::default().with_vad(VadConfig::default().with_mode(mode));
    let started = Instant::now();
    let mut stream = chunk_audio(AudioInput::Path(path.into()), &config)?;
    let mut first = None;
    let mut count = 0;
    let mut longest: f64 = 0.0;
    for chunk in &mut stream {
        let chunk = chunk?;
        first.get_or_insert_with(|| started.elapsed());
        count += 1;
        longest = longest.max(chunk.duration_seconds);
    }
    let total = started.elapsed();
    let summary = stream.summary().copied();
    eprintln!(
        "mode {mode:?}: {count} chunks (longest {longest:.2} s), first after {:?}, all after {total:?}; {summary:?}",
        first.unwrap_or_default()
    );
    Ok(())
}
