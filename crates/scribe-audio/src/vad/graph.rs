//! Cutting the sequence export of Silero VAD in two: the encoder (STFT and
//! convolutions, about 90% of the work, independent for every window) and
//! the recurrent part (LSTM and output layer, carrying the state from window
//! to window).
//!
//! The encoder can then run ahead on another core while the recurrent part
//! keeps the exact window order, so the probabilities stay bit-identical to
//! the whole model's. The cut is made in memory on the ONNX protobuf: the
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

// Field numbers of the ONNX protobuf messages used here.
const MODEL_GRAPH: u64 = 7;
const GRAPH_NODE: u64 = 1;
const GRAPH_INITIALIZER: u64 = 5;
const GRAPH_INPUT: u64 = 11;
const GRAPH_OUTPUT: u64 = 12;
const GRAPH_VALUE_INFO: u64 = 13;
const NODE_INPUT: u64 = 1;
const NODE_OUTPUT: u64 = 2;
const NODE_OP_TYPE: u64 = 4;
const TENSOR_NAME: u64 = 8;
const VALUE_INFO_NAME: u64 = 1;
const VALUE_INFO_TYPE: u64 = 2;
const TYPE_TENSOR: u64 = 1;
const TENSOR_TYPE_ELEM: u64 = 1;
const ELEM_FLOAT: u64 = 1;

const WIRE_VARINT: u64 = 0;
const WIRE_I64: u64 = 1;
const WIRE_LEN: u64 = 2;
const WIRE_I32: u64 = 5;

/// One protobuf field: its number, its payload (bytes for length-delimited
/// fields, empty otherwise) and its whole encoding.
struct Field<'a> {
    number: u64,
    bytes: &'a [u8],
    raw: &'a [u8],
}

fn varint(b: &[u8], i: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *b.get(*i)?;
        *i += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte < 0x80 {
            return Some(value);
        }
    }
    None
}

fn fields(b: &[u8]) -> Option<Vec<Field<'_>>> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let start = i;
        let key = varint(b, &mut i)?;
        let mut bytes: &[u8] = &[];
        match key & 7 {
            WIRE_VARINT => {
                varint(b, &mut i)?;
            }
            WIRE_I64 => i = i.checked_add(8)?,
            WIRE_LEN => {
                let len = usize::try_from(varint(b, &mut i)?).ok()?;
                let end = i.checked_add(len)?;
                bytes = b.get(i..end)?;
                i = end;
            }
            WIRE_I32 => i = i.checked_add(4)?,
            _ => return None,
        }
        out.push(Field {
            number: key >> 3,
            bytes,
            raw: b.get(start..i)?,
        });
    }
    Some(out)
}

fn strings(message: &[u8], number: u64) -> Option<Vec<String>> {
    fields(message)?
        .iter()
        .filter(|f| f.number == number)
        .map(|f| String::from_utf8(f.bytes.to_vec()).ok())
        .collect()
}

fn string(message: &[u8], number: u64) -> Option<String> {
    strings(message, number)?.into_iter().next()
}

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    loop {
        let byte = (n & 0x7f) as u8;
        n >>= 7;
        if n == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

fn put_bytes(out: &mut Vec<u8>, number: u64, bytes: &[u8]) {
    put_varint(out, number << 3 | WIRE_LEN);
    put_varint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// A float tensor of unknown shape named `name`.
fn float_value_info(name: &str) -> Vec<u8> {
    let mut elem = Vec::new();
    put_varint(&mut elem, TENSOR_TYPE_ELEM << 3 | WIRE_VARINT);
    put_varint(&mut elem, ELEM_FLOAT);
    let mut type_proto = Vec::new();
    put_bytes(&mut type_proto, TYPE_TENSOR, &elem);
    let mut info = Vec::new();
    put_bytes(&mut info, VALUE_INFO_NAME, name.as_bytes());
    put_bytes(&mut info, VALUE_INFO_TYPE, &type_proto);
    info
}

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
    let features_info = float_value_info(&features);

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
    fn varints_round_trip() {
        for n in [0u64, 1, 127, 128, 300, 1 << 40, u64::MAX] {
            let mut b = Vec::new();
            put_varint(&mut b, n);
            let mut i = 0;
            assert_eq!(varint(&b, &mut i), Some(n));
            assert_eq!(i, b.len());
        }
    }

    #[test]
    fn garbage_is_refused_not_a_panic() {
        assert!(split_before_lstm(&[]).is_none());
        assert!(split_before_lstm(&[0xff; 64]).is_none());
        assert!(split_before_lstm(b"not an onnx file at all").is_none());
        // A length running past the end.
        assert!(split_before_lstm(&[0x3a, 0x7f, 0x01]).is_none());
    }
}
