"""Speech the Python reference pipeline would send for one recording.

Decodes FILE to 16 kHz mono 16-bit with PyAV (only the valid samples of each
frame), runs silero_vad.get_speech_timestamps with its defaults, and writes
the speech runs as [[start_s, end_s], ...] JSON to OUT. Run by
`cargo xtask bench audio` to check that scribe-audio sends the same speech.

usage: python reference_speech.py FILE OUT
"""

import json
import sys

import av
import numpy as np
import silero_vad

RATE = 16000


def decode(path):
    parts = []
    resampler = av.AudioResampler(format="s16", layout="mono", rate=RATE)
    with av.open(path) as container:
        for frame in container.decode(audio=0):
            for out in resampler.resample(frame):
                parts.append(out.to_ndarray().reshape(-1)[: out.samples])
        for out in resampler.resample(None):
            parts.append(out.to_ndarray().reshape(-1)[: out.samples])
    return np.concatenate(parts).astype(np.float32) / 32768.0


def main():
    path, out = sys.argv[1], sys.argv[2]
    audio = decode(path)
    model = silero_vad.load_silero_vad(onnx=True)
    runs = silero_vad.get_speech_timestamps(audio, model, sampling_rate=RATE)
    with open(out, "w") as f:
        json.dump([[r["start"] / RATE, r["end"] / RATE] for r in runs], f)


if __name__ == "__main__":
    main()
