//! The file pipeline: decode → downmix → resample → VAD → chunks, as a
//! stream.
//!
//! Worker threads do the work: one reads the decoded audio (decoded on
//! several threads for the codecs that allow it, see
//! `source::parallel_decode`) and resamples it, another runs the model and
//! packs chunks (in the exact mode the model's encoder runs on a third, see
//! `vad::pipelined`). They are joined by small bounded channels, so
//! memory stays flat however long the recording is, and the first chunk is
//! ready as soon as the first stretch of speech has been analysed. Dropping
//! the stream stops the workers.

use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::thread::JoinHandle;

use crate::assets::AssetConfig;
use crate::chunk::{Chunk, ChunkConfig};
use crate::damage::AudioDamage;
use crate::detector::{ChunkSummary, SpeechDetector};
use crate::error::AudioError;
use crate::resample::To16k;
use crate::source::{AudioInput, MonoSource};
use crate::vad::{SourceRange, VadConfig};

/// Everything the pipeline needs to know.
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct PipelineConfig {
    /// Speech detection.
    pub vad: VadConfig,
    /// Chunk packing.
    pub chunk: ChunkConfig,
    /// Where the runtime and model are.
    pub assets: AssetConfig,
    /// Threads decoding one recording: `None` (the default) uses one per
    /// core, up to 4, for the codecs that can be decoded in sections with
    /// exactly the samples one decoder gives (MP3, FLAC, Vorbis, PCM);
    /// `Some(1)` decodes on one thread, e.g. on a server that chunks many
    /// recordings at once. Other codecs always use one.
    pub decode_threads: Option<usize>,
}

impl PipelineConfig {
    /// Sets the speech detection parameters.
    #[must_use]
    pub fn with_vad(mut self, vad: VadConfig) -> Self {
        self.vad = vad;
        self
    }

    /// Sets the chunk packing parameters.
    #[must_use]
    pub fn with_chunk(mut self, chunk: ChunkConfig) -> Self {
        self.chunk = chunk;
        self
    }

    /// Sets where the runtime and model are.
    #[must_use]
    pub fn with_assets(mut self, assets: AssetConfig) -> Self {
        self.assets = assets;
        self
    }

    /// Sets the threads decoding one recording (see
    /// [`PipelineConfig::decode_threads`]).
    ///
    /// ```
    /// use scribe_audio::PipelineConfig;
    ///
    /// let one = PipelineConfig::default().with_decode_threads(1);
    /// assert_eq!(one.decode_threads, Some(1));
    /// assert!(PipelineConfig::default().with_decode_threads(0).validate().is_err());
    /// ```
    #[must_use]
    pub fn with_decode_threads(mut self, threads: usize) -> Self {
        self.decode_threads = Some(threads);
        self
    }

    /// Checks every part of the configuration.
    ///
    /// # Errors
    ///
    /// [`AudioError::InvalidConfig`] naming the bad value.
    pub fn validate(&self) -> Result<(), AudioError> {
        self.vad.validate()?;
        self.chunk.validate()?;
        match self.decode_threads {
            Some(n) if n == 0 || n > 64 => Err(AudioError::InvalidConfig(format!(
                "decode threads {n} must be 1 to 64 (or unset for one per core)"
            ))),
            _ => Ok(()),
        }
    }
}

/// 16 kHz samples per block handed from the decoder thread to the VAD thread
/// (about 1 s).
const BLOCK_SAMPLES: usize = 16_000;
/// Blocks in flight between the threads (bounded memory).
const BLOCKS_IN_FLIGHT: usize = 16;
/// Chunks ready ahead of the consumer.
const CHUNKS_IN_FLIGHT: usize = 4;

enum Message {
    Chunk(Chunk),
    Segments(Vec<SourceRange>),
    Done(ChunkSummary),
    Failed(Failure),
}

/// Why the stream stopped early: the error and, when it is damage in the
/// input after some audio, where the audio stops.
struct Failure {
    error: AudioError,
    damage: Option<AudioDamage>,
}

impl From<AudioError> for Failure {
    fn from(error: AudioError) -> Self {
        Self {
            error,
            damage: None,
        }
    }
}

/// Starts chunking `input` and returns the stream of chunks.
///
/// The input is opened and probed, the configuration checked and the model
/// loaded before this returns, so those errors come back here; errors found
/// later (a corrupt packet, a truncated file) end the stream with an `Err`
/// item after the chunks made before it. Those chunks hold all the audio
/// decoded before the damage, and [`ChunkStream::damage`] then says where it
/// stops: a caller may keep them and warn instead of failing.
///
/// ```no_run
/// use scribe_audio::{AudioInput, PipelineConfig, chunk_audio};
///
/// let mut stream = chunk_audio(AudioInput::Path("visit.mp3".into()), &PipelineConfig::default())?;
/// for chunk in &mut stream {
///     let chunk = chunk?;
///     println!("{}: {:.1} s of speech", chunk.name, chunk.duration_seconds);
/// }
/// if stream.summary().is_some_and(|s| s.no_speech()) {
///     println!("no speech in the recording");
/// }
/// # Ok::<(), scribe_audio::AudioError>(())
/// ```
///
/// # Errors
///
/// Input errors ([`AudioError::Io`], [`AudioError::Empty`], format errors),
/// configuration errors, and [`AudioError::RuntimeMissing`] /
/// [`AudioError::ModelMissing`].
pub fn chunk_audio(input: AudioInput, config: &PipelineConfig) -> Result<ChunkStream, AudioError> {
    config.validate()?;
    let detector = SpeechDetector::new(&config.vad, Some(&config.chunk), &config.assets)?;
    ChunkStream::start(input, config.decode_threads, detector)
}

/// Runs speech detection over the whole input and returns the padded speech
/// segments, as the reference `get_speech_timestamps` does (16 kHz samples).
///
/// To get the chunks too, use [`chunk_audio`] with
/// [`ChunkStream::keep_segments`]: one pass gives both.
///
/// # Errors
///
/// As [`chunk_audio`], plus any decoding error found on the way.
pub fn speech_timestamps(
    input: AudioInput,
    vad: &VadConfig,
    assets: &AssetConfig,
) -> Result<Vec<SourceRange>, AudioError> {
    let detector = SpeechDetector::new(vad, None, assets)?;
    let mut stream = ChunkStream::start(input, None, detector)?.keep_segments();
    if let Some(e) = stream.by_ref().find_map(Result::err) {
        return Err(e);
    }
    Ok(std::mem::take(&mut stream.segments))
}

/// A stream of chunks, produced ahead by background threads.
///
/// Iterating yields `Ok(chunk)` in index order, and at most one `Err` after
/// which the stream ends. [`ChunkStream::summary`] tells, once the stream has
/// ended, what the recording held (including "no speech at all"); with
/// [`ChunkStream::keep_segments`], [`ChunkStream::segments`] gives the speech
/// segments found by the same pass.
#[derive(Debug)]
pub struct ChunkStream {
    chunks: Receiver<Message>,
    summary: Option<ChunkSummary>,
    ended: bool,
    /// Whether segments are kept as they arrive.
    keep_segments: bool,
    segments: Vec<SourceRange>,
    damage: Option<AudioDamage>,
    workers: Vec<JoinHandle<()>>,
}

impl ChunkStream {
    fn start(
        input: AudioInput,
        decode_threads: Option<usize>,
        mut detector: SpeechDetector,
    ) -> Result<Self, AudioError> {
        let source = input.open(decode_threads)?;
        detector.pipeline_encoder()?;
        let (block_tx, block_rx) = sync_channel::<Result<Vec<f32>, Failure>>(BLOCKS_IN_FLIGHT);
        let (chunk_tx, chunk_rx) = sync_channel::<Message>(CHUNKS_IN_FLIGHT);
        let decoder = std::thread::Builder::new()
            .name("scribe-audio-input".into())
            .spawn(move || decode_worker(source, &block_tx))
            .map_err(|_| AudioError::WorkerStopped)?;
        let vad = std::thread::Builder::new()
            .name("scribe-audio-vad".into())
            .spawn(move || vad_worker(detector, &block_rx, &chunk_tx))
            .map_err(|_| AudioError::WorkerStopped)?;
        Ok(Self {
            chunks: chunk_rx,
            summary: None,
            ended: false,
            keep_segments: false,
            segments: Vec::new(),
            damage: None,
            workers: vec![decoder, vad],
        })
    }

    /// Keeps the speech segments (padded, as [`speech_timestamps`] reports
    /// them) as the stream is read, for [`ChunkStream::segments`]: the chunks
    /// and the segments come from one pass over the audio. Call it before
    /// reading the stream. The segments take 16 bytes each (about 15 kB for
    /// an hour of conversation).
    ///
    /// ```no_run
    /// use scribe_audio::{AudioInput, PipelineConfig, chunk_audio};
    ///
    /// let mut stream = chunk_audio(AudioInput::Path("visit.mp3".into()), &PipelineConfig::default())?
    ///     .keep_segments();
    /// let chunks = stream.by_ref().collect::<Result<Vec<_>, _>>()?;
    /// println!("{} chunks from {} speech segments", chunks.len(), stream.segments().len());
    /// # Ok::<(), scribe_audio::AudioError>(())
    /// ```
    #[must_use]
    pub fn keep_segments(mut self) -> Self {
        self.keep_segments = true;
        self
    }

    /// The speech segments found so far, in order (all of them once the
    /// stream has ended); empty unless [`ChunkStream::keep_segments`] was
    /// called.
    pub fn segments(&self) -> &[SourceRange] {
        &self.segments
    }

    fn receive(&mut self) -> Option<Message> {
        if self.ended {
            return None;
        }
        match self.chunks.recv() {
            Ok(message) => {
                match &message {
                    Message::Done(summary) => {
                        self.summary = Some(*summary);
                        self.ended = true;
                    }
                    Message::Failed(failure) => {
                        self.damage = failure.damage.clone();
                        self.ended = true;
                    }
                    Message::Segments(found) if self.keep_segments => {
                        self.segments.extend_from_slice(found);
                    }
                    _ => {}
                }
                Some(message)
            }
            Err(_) => {
                self.ended = true;
                Some(Message::Failed(AudioError::WorkerStopped.into()))
            }
        }
    }

    /// What the recording held; `None` until the stream has ended without
    /// an error.
    pub fn summary(&self) -> Option<&ChunkSummary> {
        self.summary.as_ref()
    }

    /// Where the recording stops being decodable, once the stream has ended
    /// with an [`AudioError::Truncated`] or [`AudioError::Corrupt`] error
    /// found after some audio was decoded; `None` otherwise. The chunks
    /// delivered before that error hold all of the audio before the damage.
    ///
    /// ```no_run
    /// use scribe_audio::{AudioInput, PipelineConfig, chunk_audio};
    ///
    /// let mut stream = chunk_audio(AudioInput::Path("cut.wav".into()), &PipelineConfig::default())?;
    /// let mut chunks = Vec::new();
    /// let mut failure = None;
    /// for item in &mut stream {
    ///     match item {
    ///         Ok(chunk) => chunks.push(chunk),
    ///         Err(e) => failure = Some(e),
    ///     }
    /// }
    /// match (failure, stream.damage()) {
    ///     (Some(_), Some(damage)) => eprintln!("warning: {damage}; keeping {} chunks", chunks.len()),
    ///     (Some(e), None) => return Err(e),
    ///     (None, _) => {}
    /// }
    /// # Ok::<(), scribe_audio::AudioError>(())
    /// ```
    pub fn damage(&self) -> Option<&AudioDamage> {
        self.damage.as_ref()
    }

    /// Reads the whole stream into memory.
    ///
    /// # Errors
    ///
    /// The first error the stream reports.
    pub fn collect_all(mut self) -> Result<(Vec<Chunk>, ChunkSummary), AudioError> {
        let mut chunks = Vec::new();
        for chunk in &mut self {
            chunks.push(chunk?);
        }
        let summary = self.summary.ok_or(AudioError::WorkerStopped)?;
        Ok((chunks, summary))
    }
}

impl Iterator for ChunkStream {
    type Item = Result<Chunk, AudioError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            match self.receive()? {
                Message::Chunk(chunk) => return Some(Ok(chunk)),
                Message::Failed(failure) => return Some(Err(failure.error)),
                Message::Done(_) => return None,
                Message::Segments(_) => {}
            }
        }
    }
}

impl Drop for ChunkStream {
    fn drop(&mut self) {
        // Closing the receiver makes the workers' next send fail, which ends
        // them; the join waits for at most one block's work.
        let (_, dead) = sync_channel::<Message>(1);
        drop(std::mem::replace(&mut self.chunks, dead));
        for worker in self.workers.drain(..) {
            let _ = worker.join();
        }
    }
}

fn decode_worker(mut source: Box<dyn MonoSource>, out: &SyncSender<Result<Vec<f32>, Failure>>) {
    let mut resampler: Option<To16k> = None;
    let mut mono = Vec::new();
    let mut block = Vec::with_capacity(BLOCK_SAMPLES * 2);
    // Frames taken from the source, at its rate: where damage is found.
    let mut frames = 0u64;
    let result = (|| -> Result<bool, AudioError> {
        while let Some(rate) = source.next_block(&mut mono)? {
            frames += mono.len() as u64;
            let resampler = match resampler.as_mut() {
                Some(r) if r.rate() == rate => r,
                Some(_) => {
                    return Err(AudioError::Corrupt {
                        detail: "the sample rate changes mid-stream".into(),
                    });
                }
                None => resampler.insert(To16k::new(rate)?),
            };
            // About a second at a time, so that a source handing over long
            // stretches (sections of a file decoded in parallel) still
            // fills the queue in small blocks.
            for piece in mono.chunks(rate.max(1) as usize) {
                resampler.push(piece, &mut block)?;
                if block.len() >= BLOCK_SAMPLES {
                    let full = std::mem::replace(&mut block, Vec::with_capacity(BLOCK_SAMPLES * 2));
                    if out.send(Ok(full)).is_err() {
                        return Ok(false);
                    }
                }
            }
        }
        match resampler.as_mut() {
            Some(r) => r.finish(&mut block)?,
            None => return Err(AudioError::Empty),
        }
        Ok(true)
    })();
    match result {
        Ok(true) => {
            if !block.is_empty() {
                let _ = out.send(Ok(block));
            }
        }
        Ok(false) => {}
        Err(error) => {
            let rate = resampler.as_ref().map_or(0, To16k::rate);
            let damage = AudioDamage::from_error(&error, frames, rate, source.declared_frames());
            // Audio decoded before the error still goes through, so the
            // chunks made from it are not lost; before damage, all of it,
            // the resampler's tail included.
            if damage.is_some()
                && let Some(r) = resampler.as_mut()
                && r.finish(&mut block).is_err()
            {
                tracing::debug!("the resampler's tail before the damage was dropped");
            }
            if !block.is_empty() && out.send(Ok(block)).is_err() {
                return;
            }
            let _ = out.send(Err(Failure { error, damage }));
        }
    }
}

fn vad_worker(
    mut detector: SpeechDetector,
    blocks: &Receiver<Result<Vec<f32>, Failure>>,
    out: &SyncSender<Message>,
) {
    let mut segments = Vec::new();
    let mut chunks = Vec::new();
    let mut failure = None;
    // The sender closing without an error means the decoder finished.
    for block in blocks {
        let step = block.and_then(|samples| {
            detector
                .push(&samples, &mut segments, &mut chunks)
                .map_err(Failure::from)
        });
        if let Err(e) = step {
            failure = Some(e);
            break;
        }
        if !send_results(out, &mut segments, &mut chunks) {
            return;
        }
    }
    if let Some(e) = failure {
        // Chunks already complete are delivered before the error; the open
        // chunk is closed too, so no decoded speech is lost.
        let _ = detector.finish(&mut segments, &mut chunks);
        if send_results(out, &mut segments, &mut chunks) {
            let _ = out.send(Message::Failed(e));
        }
        return;
    }
    match detector.finish(&mut segments, &mut chunks) {
        Ok(summary) => {
            if send_results(out, &mut segments, &mut chunks) {
                if summary.no_speech() {
                    tracing::info!(
                        source_seconds = summary.source_seconds,
                        "no speech found in the recording; no chunks produced"
                    );
                }
                let _ = out.send(Message::Done(summary));
            }
        }
        Err(e) => {
            let _ = out.send(Message::Failed(e.into()));
        }
    }
}

/// Sends what the detector produced; false when the consumer has gone.
fn send_results(
    out: &SyncSender<Message>,
    segments: &mut Vec<SourceRange>,
    chunks: &mut Vec<Chunk>,
) -> bool {
    if !segments.is_empty()
        && out
            .send(Message::Segments(std::mem::take(segments)))
            .is_err()
    {
        return false;
    }
    for chunk in chunks.drain(..) {
        if out.send(Message::Chunk(chunk)).is_err() {
            return false;
        }
    }
    true
}
