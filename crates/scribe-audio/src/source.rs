//! Inputs the pipeline accepts, and their conversion to mono f32 blocks.

use std::fs::File;
use std::io::{Cursor, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::decode::{MAX_SAMPLE_RATE, PacketDecoder};
use crate::error::AudioError;
use crate::panic_guard::catch_decoder_panic;

mod parallel_decode;

/// A recording to chunk.
///
/// Files and bytes are decoded by content (wav, mp3, m4a/mp4, webm, ogg,
/// flac); raw samples state their own rate and channel layout.
#[derive(Clone)]
#[non_exhaustive]
pub enum AudioInput {
    /// An audio file on disk.
    Path(PathBuf),
    /// An audio file already in memory.
    Bytes(Vec<u8>),
    /// Raw interleaved 16-bit little-endian PCM.
    PcmI16Le {
        /// The samples, 2 bytes each, channels interleaved.
        bytes: Vec<u8>,
        /// Frames per second.
        sample_rate: u32,
        /// Interleaved channels.
        channels: u16,
    },
    /// Interleaved f32 samples in [-1, 1].
    F32 {
        /// The samples, channels interleaved.
        samples: Vec<f32>,
        /// Frames per second.
        sample_rate: u32,
        /// Interleaved channels.
        channels: u16,
    },
}

impl std::fmt::Debug for AudioInput {
    // Never prints audio, only its shape.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AudioInput::Path(path) => f.debug_tuple("Path").field(path).finish(),
            AudioInput::Bytes(bytes) => write!(f, "Bytes({} bytes)", bytes.len()),
            AudioInput::PcmI16Le {
                bytes,
                sample_rate,
                channels,
            } => write!(
                f,
                "PcmI16Le({} bytes, {sample_rate} Hz, {channels} ch)",
                bytes.len()
            ),
            AudioInput::F32 {
                samples,
                sample_rate,
                channels,
            } => write!(
                f,
                "F32({} samples, {sample_rate} Hz, {channels} ch)",
                samples.len()
            ),
        }
    }
}

impl From<PathBuf> for AudioInput {
    fn from(path: PathBuf) -> Self {
        AudioInput::Path(path)
    }
}

impl From<&std::path::Path> for AudioInput {
    fn from(path: &std::path::Path) -> Self {
        AudioInput::Path(path.to_path_buf())
    }
}

impl From<Vec<u8>> for AudioInput {
    fn from(bytes: Vec<u8>) -> Self {
        AudioInput::Bytes(bytes)
    }
}

/// Mono f32 audio in blocks, at one sample rate.
pub(crate) trait MonoSource: Send {
    /// Writes the next block into `out` (replacing its contents) and returns
    /// its sample rate, or `None` at the end.
    fn next_block(&mut self, out: &mut Vec<f32>) -> Result<Option<u32>, AudioError>;

    /// Frames the container announces, when it does (raw input announces
    /// nothing).
    fn declared_frames(&self) -> Option<u64> {
        None
    }
}

/// Frames per block for raw inputs (about a quarter second at 48 kHz).
const RAW_BLOCK_FRAMES: usize = 12_000;

fn check_format(sample_rate: u32, channels: u16) -> Result<(), AudioError> {
    if sample_rate == 0 || sample_rate > MAX_SAMPLE_RATE {
        return Err(AudioError::InvalidSampleRate { rate: sample_rate });
    }
    if channels == 0 {
        return Err(AudioError::InvalidChannels { channels: 0 });
    }
    Ok(())
}

/// Averages interleaved frames into mono, replacing `out`.
pub(crate) fn downmix(interleaved: &[f32], channels: usize, out: &mut Vec<f32>) {
    out.clear();
    mix_interleaved(interleaved, channels, out);
}

/// Appends the average of each interleaved frame to `out`.
pub(crate) fn mix_interleaved(interleaved: &[f32], channels: usize, out: &mut Vec<f32>) {
    match channels {
        0 | 1 => out.extend_from_slice(interleaved),
        2 => out.extend(
            interleaved
                .chunks_exact(2)
                .map(|frame| (frame[0] + frame[1]) * 0.5),
        ),
        _ => {
            let scale = 1.0 / channels as f32;
            out.extend(
                interleaved
                    .chunks_exact(channels)
                    .map(|frame| frame.iter().sum::<f32>() * scale),
            );
        }
    }
}

impl AudioInput {
    /// Opens the input: files are opened and probed here, so a missing file
    /// or an unreadable header is reported before any work starts.
    /// Files and bytes are decoded on up to `decode_threads` threads (one
    /// per core, up to 4, when `None`).
    pub(crate) fn open(
        self,
        decode_threads: Option<usize>,
    ) -> Result<Box<dyn MonoSource>, AudioError> {
        let workers = decode_threads.unwrap_or_else(parallel_decode::workers);
        match self {
            AudioInput::Path(path) => {
                let first = open_file(&path)?;
                decoded(first, workers, || open_file(&path))
            }
            AudioInput::Bytes(bytes) => {
                if bytes.is_empty() {
                    return Err(AudioError::Empty);
                }
                let shared = SharedBytes(Arc::new(bytes));
                let open = || {
                    let prefix = &shared.0[..shared.0.len().min(16)];
                    catch_decoder_panic(|| {
                        PacketDecoder::open(Box::new(Cursor::new(shared.clone())), prefix)
                    })
                };
                decoded(open()?, workers, open)
            }
            AudioInput::PcmI16Le {
                bytes,
                sample_rate,
                channels,
            } => {
                check_format(sample_rate, channels)?;
                let frame_bytes = 2 * usize::from(channels);
                if bytes.is_empty() {
                    return Err(AudioError::Empty);
                }
                if bytes.len() % frame_bytes != 0 {
                    return Err(AudioError::PartialFrame {
                        len: bytes.len(),
                        frame_bytes,
                    });
                }
                Ok(Box::new(PcmSource {
                    bytes,
                    offset: 0,
                    sample_rate,
                    channels: usize::from(channels),
                    interleaved: Vec::new(),
                }))
            }
            AudioInput::F32 {
                samples,
                sample_rate,
                channels,
            } => {
                check_format(sample_rate, channels)?;
                if samples.is_empty() {
                    return Err(AudioError::Empty);
                }
                if samples.len() % usize::from(channels) != 0 {
                    return Err(AudioError::PartialFrame {
                        len: samples.len() * 4,
                        frame_bytes: 4 * usize::from(channels),
                    });
                }
                Ok(Box::new(F32Source {
                    samples,
                    offset: 0,
                    sample_rate,
                    channels: usize::from(channels),
                }))
            }
        }
    }
}

/// Bytes shared by the decoders of one recording.
#[derive(Clone)]
struct SharedBytes(Arc<Vec<u8>>);

impl AsRef<[u8]> for SharedBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

/// Opens and probes a file.
fn open_file(path: &Path) -> Result<PacketDecoder<'static>, AudioError> {
    let io = |source| AudioError::Io {
        path: path.to_path_buf(),
        source,
    };
    let mut file = File::open(path).map_err(io)?;
    let mut prefix = [0u8; 16];
    let read = read_prefix(&mut file, &mut prefix).map_err(io)?;
    if read == 0 {
        return Err(AudioError::Empty);
    }
    file.seek(SeekFrom::Start(0)).map_err(io)?;
    catch_decoder_panic(|| PacketDecoder::open(Box::new(file), &prefix[..read]))
}

/// The decoded recording as a source: decoded on up to `workers` threads
/// in sections when that gives exactly the same samples (`reopen` opens it
/// again for each further thread), else by `first` alone.
fn decoded(
    first: PacketDecoder<'static>,
    workers: usize,
    reopen: impl Fn() -> Result<PacketDecoder<'static>, AudioError>,
) -> Result<Box<dyn MonoSource>, AudioError> {
    let Some(plan) = first.section_plan().filter(|_| workers > 1) else {
        return Ok(Box::new(DecodedSource::new(first)));
    };
    let mut decoders = vec![first];
    // Opened once already: if it cannot be opened again, fewer will do.
    while decoders.len() < workers
        && let Ok(decoder) = reopen()
    {
        decoders.push(decoder);
    }
    if decoders.len() == 1 {
        return Ok(Box::new(DecodedSource::new(decoders.remove(0))));
    }
    Ok(Box::new(parallel_decode::SectionedSource::start(
        decoders, plan,
    )?))
}

fn read_prefix(file: &mut File, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        let n = file.read(&mut buf[filled..])?;
        if n == 0 {
            break;
        }
        filled += n;
    }
    Ok(filled)
}

struct DecodedSource {
    decoder: PacketDecoder<'static>,
}

impl DecodedSource {
    fn new(decoder: PacketDecoder<'static>) -> Self {
        Self { decoder }
    }
}

impl MonoSource for DecodedSource {
    fn next_block(&mut self, out: &mut Vec<f32>) -> Result<Option<u32>, AudioError> {
        let decoder = &mut self.decoder;
        catch_decoder_panic(|| match decoder.next_block()? {
            Some(block) => {
                out.clear();
                out.extend_from_slice(block.samples);
                Ok(Some(block.rate))
            }
            None => Ok(None),
        })
    }

    fn declared_frames(&self) -> Option<u64> {
        self.decoder.facts().declared_frames
    }
}

struct PcmSource {
    bytes: Vec<u8>,
    offset: usize,
    sample_rate: u32,
    channels: usize,
    interleaved: Vec<f32>,
}

impl MonoSource for PcmSource {
    fn next_block(&mut self, out: &mut Vec<f32>) -> Result<Option<u32>, AudioError> {
        if self.offset >= self.bytes.len() {
            return Ok(None);
        }
        let end = (self.offset + RAW_BLOCK_FRAMES * 2 * self.channels).min(self.bytes.len());
        self.interleaved.clear();
        self.interleaved.extend(
            self.bytes[self.offset..end]
                .chunks_exact(2)
                .map(|b| f32::from(i16::from_le_bytes([b[0], b[1]])) / 32768.0),
        );
        self.offset = end;
        downmix(&self.interleaved, self.channels, out);
        Ok(Some(self.sample_rate))
    }
}

struct F32Source {
    samples: Vec<f32>,
    offset: usize,
    sample_rate: u32,
    channels: usize,
}

impl MonoSource for F32Source {
    fn next_block(&mut self, out: &mut Vec<f32>) -> Result<Option<u32>, AudioError> {
        if self.offset >= self.samples.len() {
            return Ok(None);
        }
        let end = (self.offset + RAW_BLOCK_FRAMES * self.channels).min(self.samples.len());
        downmix(&self.samples[self.offset..end], self.channels, out);
        self.offset = end;
        Ok(Some(self.sample_rate))
    }
}
