//! Silero's encoder rebuilt as a handful of large matrix products.
//!
//! The exported encoder is a strided convolution (the STFT, see
//! [`super::spectrogram`]) and four small convolutions. ONNX Runtime runs a
//! convolution one batch item at a time, so a batch of windows becomes
//! hundreds of tiny matrix products (a few output positions each), far from
//! what the CPU can do. Each window only has 4 STFT frames, so every layer
//! can be written instead as one product over the whole batch:
//!
//! * Layer 0 (kernel 3, padding 1): each frame's magnitudes next to its
//!   neighbours' (zeros at the edges, laid out by
//!   [`super::spectrogram::Spectrogram::layer0_input`]), times the weight
//!   unrolled tap by tap.
//! * Layer 1 (stride 2): output 0 sees (zero, frame 0, frame 1), output 1
//!   sees frames 1 to 3.
//! * Layers 2 and 3 have one output position; their kernels' taps that only
//!   meet zero padding drop out.
//!
//! The graph is built in memory from the model's own weights, so it is the
//! same function; only the order of floating-point sums differs (features
//! agree to about 1e-5). [`super::model`] checks each build against the
//! exported encoder before using it.

use super::onnx_proto::{FloatTensor, GraphWriter, MODEL_GRAPH, fields, float_initializer};
use super::spectrogram::{FRAMES, LAYER0_ROW, Spectrogram};

/// Name of the graph's input: `[windows, 4, 387]`, the first convolution's
/// input unrolled (see [`Spectrogram::layer0_input`]).
pub(crate) const INPUT: &str = "layer0";
/// Name of the graph's output: `[windows, 128]` features for the LSTM.
pub(crate) const OUTPUT: &str = "features";
/// Frequency bins.
const BINS: u64 = super::spectrogram::BINS as u64;
/// Features per window.
const FEATURES: u64 = 128;

fn weight(graph: &[u8], name: &str, dims: &[u64]) -> Option<FloatTensor> {
    float_initializer(graph, name).filter(|t| t.dims == dims)
}

/// `[out, in, 3]` convolution weight, taps `taps`, as an `[in × taps, out]`
/// matrix (tap-major rows), for input laid out frame by frame.
fn unrolled(w: &FloatTensor, taps: std::ops::Range<usize>) -> Vec<f32> {
    let (outs, ins) = (w.dims[0] as usize, w.dims[1] as usize);
    let mut m = Vec::with_capacity(taps.len() * ins * outs);
    for k in taps {
        for i in 0..ins {
            for o in 0..outs {
                m.push(w.values[(o * ins + i) * 3 + k]);
            }
        }
    }
    m
}

/// Builds the batched encoder (after the spectrogram) from the sequence
/// export's weights; `None` when the file does not hold the weights of the
/// shapes expected, or its STFT is not the one [`Spectrogram`] computes.
pub(crate) fn build(model: &[u8]) -> Option<Vec<u8>> {
    let top = fields(model)?;
    let graph = top.iter().find(|f| f.number == MODEL_GRAPH)?.bytes;
    let basis = weight(
        graph,
        "stft.forward_basis_buffer",
        &[2 * BINS, 1, super::spectrogram::FRAME_SAMPLES as u64],
    )?;
    if !Spectrogram::matches(&basis) {
        return None;
    }
    let w0 = weight(graph, "encoder.0.weight", &[FEATURES, BINS, 3])?;
    let b0 = weight(graph, "encoder.0.bias", &[FEATURES])?;
    let w1 = weight(graph, "encoder.1.weight", &[64, FEATURES, 3])?;
    let b1 = weight(graph, "encoder.1.bias", &[64])?;
    let w2 = weight(graph, "encoder.2.weight", &[64, 64, 3])?;
    let b2 = weight(graph, "encoder.2.bias", &[64])?;
    let w3 = weight(graph, "encoder.3.weight", &[FEATURES, 64, 3])?;
    let b3 = weight(graph, "encoder.3.bias", &[FEATURES])?;

    let mut g = GraphWriter::default();
    g.floats("w0", &[3 * BINS, FEATURES], &unrolled(&w0, 0..3));
    g.floats("b0", &[FEATURES], &b0.values);
    g.floats("w1", &[3 * FEATURES, 64], &unrolled(&w1, 0..3));
    g.floats("b1", &[64], &b1.values);
    g.floats("w2", &[2 * 64, 64], &unrolled(&w2, 1..3));
    g.floats("b2", &[64], &b2.values);
    g.floats("w3", &[64, FEATURES], &unrolled(&w3, 1..2));
    g.floats("b3", &[FEATURES], &b3.values);
    let axis1 = g.ints(&[1]);
    let [i0, i2, i3, i5] = [0, 2, 3, 5].map(|i| g.ints(&[i]));
    let pad_front = g.ints(&[0, 1, 0, 0, 0, 0]);
    let stride2_col = g.ints(&[-1, 1, 3 * FEATURES as i64]);
    let flat2 = g.ints(&[-1, 2 * 64]);

    // Layer 0: [N, 4, 3 × 129] × [387, 128].
    g.node("MatMul", &[INPUT, "w0"], &["y0m"], &[]);
    g.node("Add", &["y0m", "b0"], &["y0b"], &[]);
    g.node("Relu", &["y0b"], &["y0"], &[]);
    // Layer 1, stride 2: [N, 2, 3 × 128] × [384, 64].
    g.node("Pad", &["y0", &pad_front], &["y0p"], &[]);
    g.node("Slice", &["y0p", &i0, &i3, &axis1], &["y0a"], &[]);
    g.node("Slice", &["y0p", &i2, &i5, &axis1], &["y0c"], &[]);
    g.node("Reshape", &["y0a", &stride2_col], &["col1a"], &[]);
    g.node("Reshape", &["y0c", &stride2_col], &["col1b"], &[]);
    g.node("Concat", &["col1a", "col1b"], &["col1"], &[("axis", 1)]);
    g.node("MatMul", &["col1", "w1"], &["y1m"], &[]);
    g.node("Add", &["y1m", "b1"], &["y1b"], &[]);
    g.node("Relu", &["y1b"], &["y1"], &[]);
    // Layer 2 (one output, taps 1 and 2) and layer 3 (one output, tap 1).
    g.node("Reshape", &["y1", &flat2], &["x2"], &[]);
    g.node("MatMul", &["x2", "w2"], &["y2m"], &[]);
    g.node("Add", &["y2m", "b2"], &["y2b"], &[]);
    g.node("Relu", &["y2b"], &["y2"], &[]);
    g.node("MatMul", &["y2", "w3"], &["y3m"], &[]);
    g.node("Add", &["y3m", "b3"], &["y3b"], &[]);
    g.node("Relu", &["y3b"], &[OUTPUT], &[]);
    Some(g.finish(
        (INPUT, &[None, Some(FRAMES as u64), Some(LAYER0_ROW as u64)]),
        (OUTPUT, &[None, Some(FEATURES)]),
        16,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_without_the_weights_gives_none() {
        assert!(build(&[]).is_none());
        assert!(build(b"not a model").is_none());
        let other = GraphWriter::default().finish(("x", &[None]), ("y", &[None]), 16);
        assert!(build(&other).is_none());
    }

    #[test]
    fn unrolling_puts_tap_then_input_in_rows() {
        // out 2, in 2, taps 3: value = 100 o + 10 i + k.
        let values = (0..2)
            .flat_map(|o| {
                (0..2).flat_map(move |i| (0..3).map(move |k| (100 * o + 10 * i + k) as f32))
            })
            .collect();
        let w = FloatTensor {
            dims: vec![2, 2, 3],
            values,
        };
        assert_eq!(
            unrolled(&w, 1..3),
            vec![1.0, 101.0, 11.0, 111.0, 2.0, 102.0, 12.0, 112.0]
        );
    }
}
