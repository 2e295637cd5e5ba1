//! Inspects a recording and reports how long full decoding took:
//! `cargo run --release -p scribe-audio --example inspect_file -- FILE`.

use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: inspect_file FILE")?;
    let bytes = std::fs::read(path)?;
    let started = Instant::now();
    let info = scribe_audio::inspect(&bytes)?;
    eprintln!("{info:?} decoded in {:?}", started.elapsed());
    Ok(())
}
