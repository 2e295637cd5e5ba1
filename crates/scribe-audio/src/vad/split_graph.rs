//! Cutting the sequence export of Silero VAD in two: the encoder (STFT and
//! convolutions, independent for every window) and the recurrent part (LSTM
//! and output layer, carrying the state from window to window).
//!
//! The encoder can then run ahead on another core while the recurrent part
//! keeps the exact window order, so the cut halves give the whole model's
//! probabilities bit for bit. The cut is made in memory on the ONNX protobuf: the
//! nodes before the LSTM become the encoder graph, whose output is the
//! LSTM's input; the rest becomes the recurrent graph, with that tensor as
//! an input. Anything unexpected in the file makes the cut fail, and the
//! caller keeps the whole model.

/// Graph input of the encoder (the windows with their context).
pub(crate) const ENCODER_INPUT: &str = "input";

/// The two halves of the model, as ONNX files in memory, and the name of
/// the tensor between them.
#[derive(Debug)]
pub(crate) struct SplitGraphs {
    pub(crate) encoder: Vec<u8>,
    pub(crate) recurrent: Vec<u8>,
    pub(crate) features: String,
}

use super::onnx_proto::{
    GRAPH_INITIALIZER, GRAPH_INPUT, GRAPH_NODE, GRAPH_OUTPUT, GRAPH_VALUE_INFO, MODEL_GRAPH,
    NODE_INPUT, NODE_OP_TYPE, NODE_OUTPUT, TENSOR_NAME, VALUE_INFO_NAME, fields, float_value_info,
    put_bytes, string, strings,
};

struct Node<'a> {
    raw: &'a [u8],
    inputs: Vec<String>,
    outputs: Vec<String>,
    op_type: String,
}

/// Cuts the sequence export before its LSTM; `None` when the file is not
/// shaped as expected.
pub(crate) fn split_before_lstm(model: &[u8]) -> Option<SplitGraphs> {
    let top = fields(model)?;
    let graph = top.iter().find(|f| f.number == MODEL_GRAPH)?.bytes;
    let graph_fields = fields(graph)?;
    let nodes = graph_fields
        .iter()
        .filter(|f| f.number == GRAPH_NODE)
        .map(|f| {
            Some(Node {
                raw: f.bytes,
                inputs: strings(f.bytes, NODE_INPUT)?,
                outputs: strings(f.bytes, NODE_OUTPUT)?,
                op_type: string(f.bytes, NODE_OP_TYPE)?,
            })
        })
        .collect::<Option<Vec<_>>>()?;
    let mut lstms = nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.op_type == "LSTM");
    let (cut, lstm) = lstms.next()?;
    if lstms.next().is_some() {
        return None;
    }
    let features = lstm.inputs.first()?.clone();
    let (encoder_nodes, recurrent_nodes) = nodes.split_at(cut);
    // The encoder must produce the LSTM input, and nothing else it makes
    // may be needed after the cut.
    let made_before: std::collections::HashSet<&str> = encoder_nodes
        .iter()
        .flat_map(|n| n.outputs.iter().map(String::as_str))
        .collect();
    if !made_before.contains(features.as_str()) {
        return None;
    }
    let crosses = recurrent_nodes
        .iter()
        .flat_map(|n| &n.inputs)
        .any(|name| name != &features && made_before.contains(name.as_str()));
    if crosses {
        return None;
    }
    let graph_inputs: Vec<String> = graph_fields
        .iter()
        .filter(|f| f.number == GRAPH_INPUT)
        .map(|f| string(f.bytes, VALUE_INFO_NAME))
        .collect::<Option<_>>()?;
    if !graph_inputs.iter().any(|n| n == ENCODER_INPUT) {
        return None;
    }
    let outputs: Vec<&[u8]> = graph_fields
        .iter()
        .filter(|f| f.number == GRAPH_OUTPUT)
        .map(|f| f.bytes)
        .collect();
    let features_info = float_value_info(&features, None);

    let half = |part: &[Node<'_>], extra_inputs: &[&[u8]], outputs: &[&[u8]]| -> Option<Vec<u8>> {
        let used: std::collections::HashSet<&str> = part
            .iter()
            .flat_map(|n| n.inputs.iter().map(String::as_str))
            .collect();
        let mut body = Vec::new();
        for node in part {
            put_bytes(&mut body, GRAPH_NODE, node.raw);
        }
        for field in &graph_fields {
            let keep = match field.number {
                GRAPH_NODE | GRAPH_OUTPUT | GRAPH_VALUE_INFO => false,
                GRAPH_INITIALIZER => used.contains(string(field.bytes, TENSOR_NAME)?.as_str()),
                GRAPH_INPUT => used.contains(string(field.bytes, VALUE_INFO_NAME)?.as_str()),
                _ => true,
            };
            if keep {
                body.extend_from_slice(field.raw);
            }
        }
        for input in extra_inputs {
            put_bytes(&mut body, GRAPH_INPUT, input);
        }
        for output in outputs {
            put_bytes(&mut body, GRAPH_OUTPUT, output);
        }
        let mut file = Vec::new();
        for field in &top {
            if field.number == MODEL_GRAPH {
                put_bytes(&mut file, MODEL_GRAPH, &body);
            } else {
                file.extend_from_slice(field.raw);
            }
        }
        Some(file)
    };
    Some(SplitGraphs {
        encoder: half(encoder_nodes, &[], &[&features_info])?,
        recurrent: half(recurrent_nodes, &[&features_info], &outputs)?,
        features,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn garbage_is_refused_not_a_panic() {
        assert!(split_before_lstm(&[]).is_none());
        assert!(split_before_lstm(&[0xff; 64]).is_none());
        assert!(split_before_lstm(b"not an onnx file at all").is_none());
        // A length running past the end.
        assert!(split_before_lstm(&[0x3a, 0x7f, 0x01]).is_none());
    }
}
