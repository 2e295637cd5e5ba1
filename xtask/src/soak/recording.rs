//! The soak's recording: `examples/audio/consultation.wav` said over and
//! over with a second of silence after each time, cut at the length asked
//! for. Built in the job (nothing to download) and the same every run.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::{Context, Result, bail};

/// The clip repeated; 16 kHz mono 16-bit PCM.
pub(crate) const CLIP: &str = "examples/audio/consultation.wav";

const RATE: u32 = 16_000;
const BYTES_PER_FRAME: usize = 2;

/// Writes `minutes` of the repeated clip to `out` as a WAV file.
pub(crate) fn write(root: &Path, minutes: u32, out: &Path) -> Result<()> {
    let clip_path = root.join(CLIP);
    let wav = std::fs::read(&clip_path)
        .with_context(|| format!("cannot read {}", clip_path.display()))?;
    let clip = pcm_of(&wav).with_context(|| format!("{} is not what the soak expects", CLIP))?;
    let total = usize::try_from(minutes)? * 60 * RATE as usize * BYTES_PER_FRAME;
    let silence = vec![0u8; RATE as usize * BYTES_PER_FRAME];
    let mut file = BufWriter::new(
        File::create(out).with_context(|| format!("cannot create {}", out.display()))?,
    );
    file.write_all(&header(
        u32::try_from(total).context("recording too long for a WAV")?,
    ))?;
    let mut written = 0;
    while written < total {
        for part in [clip, &silence[..]] {
            let take = part.len().min(total - written);
            file.write_all(&part[..take])?;
            written += take;
        }
    }
    file.flush()?;
    Ok(())
}

/// The PCM data of a 16 kHz mono 16-bit WAV file (anything else refused).
fn pcm_of(wav: &[u8]) -> Result<&[u8]> {
    if wav.len() < 12 || &wav[..4] != b"RIFF" || &wav[8..12] != b"WAVE" {
        bail!("not a RIFF/WAVE file");
    }
    let mut at = 12;
    let mut format_ok = false;
    while at + 8 <= wav.len() {
        let id = &wav[at..at + 4];
        let size = u32::from_le_bytes([wav[at + 4], wav[at + 5], wav[at + 6], wav[at + 7]]);
        let body_start = at + 8;
        let body_end = body_start.saturating_add(size as usize).min(wav.len());
        let body = &wav[body_start..body_end];
        match id {
            b"fmt " if body.len() >= 16 => {
                let word = |i: usize| u16::from_le_bytes([body[i], body[i + 1]]);
                let rate = u32::from_le_bytes([body[4], body[5], body[6], body[7]]);
                let (tag, channels, bits) = (word(0), word(2), word(14));
                if tag != 1 || channels != 1 || bits != 16 || rate != RATE {
                    bail!(
                        "want 16 kHz mono 16-bit PCM, found format {tag}, {channels} channels, \
                         {bits} bits, {rate} Hz"
                    );
                }
                format_ok = true;
            }
            b"data" => {
                if !format_ok {
                    bail!("the data chunk comes before a usable fmt chunk");
                }
                // Whole frames only.
                return Ok(&body[..body.len() - body.len() % BYTES_PER_FRAME]);
            }
            _ => {}
        }
        // Chunks are padded to an even size.
        at = body_start + size as usize + (size as usize & 1);
    }
    bail!("no data chunk")
}

/// A 44-byte canonical header for `data_bytes` of 16 kHz mono 16-bit PCM.
fn header(data_bytes: u32) -> Vec<u8> {
    let mut h = Vec::with_capacity(44);
    h.extend_from_slice(b"RIFF");
    h.extend_from_slice(&(36 + data_bytes).to_le_bytes());
    h.extend_from_slice(b"WAVEfmt ");
    h.extend_from_slice(&16u32.to_le_bytes());
    h.extend_from_slice(&1u16.to_le_bytes());
    h.extend_from_slice(&1u16.to_le_bytes());
    h.extend_from_slice(&RATE.to_le_bytes());
    h.extend_from_slice(&(RATE * BYTES_PER_FRAME as u32).to_le_bytes());
    h.extend_from_slice(&(BYTES_PER_FRAME as u16).to_le_bytes());
    h.extend_from_slice(&16u16.to_le_bytes());
    h.extend_from_slice(b"data");
    h.extend_from_slice(&data_bytes.to_le_bytes());
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_reads_back() {
        let mut wav = header(4);
        wav.extend_from_slice(&[1, 0, 2, 0]);
        assert_eq!(pcm_of(&wav).ok(), Some(&[1u8, 0, 2, 0][..]));
    }

    #[test]
    fn a_recording_is_the_clip_and_a_second_of_silence_over_and_over() {
        let root = crate::workspace_root();
        let dir = std::env::temp_dir().join(format!("soak-recording-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
        let out = dir.join("one.wav");
        write(&root, 1, &out).unwrap_or_else(|e| panic!("{e}"));
        let made = std::fs::read(&out).unwrap_or_else(|e| panic!("{e}"));
        let _ = std::fs::remove_dir_all(&dir);
        let clip_file = std::fs::read(root.join(CLIP)).unwrap_or_else(|e| panic!("{e}"));
        let clip = pcm_of(&clip_file).unwrap_or_else(|e| panic!("{e}"));
        let pcm = pcm_of(&made).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(pcm.len(), 60 * 16_000 * 2, "exactly one minute");
        assert_eq!(&pcm[..clip.len()], clip);
        let second = clip.len() + 32_000;
        assert!(pcm[clip.len()..second].iter().all(|b| *b == 0));
        assert_eq!(&pcm[second..second + clip.len()], clip);
    }
}
