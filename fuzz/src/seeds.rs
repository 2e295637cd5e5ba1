//! The crafted part of the seed corpus, built by the project's own writers
//! (or by hand, byte by byte, where the project only reads a format).
//!
//! `scribe-fuzz seeds` writes these into `fuzz/corpus/<target>/`; they are
//! checked in, so a fuzz run needs nothing but the repository. Inputs that
//! once crashed a target are added beside them by hand, under a name
//! starting with `crash-`.

use scribe_audio::__fuzz as audio;
use scribe_protocol::webhook::sign;

/// One seed file: target, file name, content.
pub type Seed = (&'static str, String, Vec<u8>);

/// Every crafted seed. `examples_audio` is the repository's
/// `examples/audio/` directory, whose recordings give the decoder's seeds
/// their first few kilobytes.
pub fn all(examples_audio: &std::path::Path) -> Vec<Seed> {
    let mut seeds = Vec::new();
    onnx(&mut seeds);
    priming(&mut seeds);
    wav(&mut seeds);
    decode(&mut seeds, examples_audio);
    chunk_names(&mut seeds);
    protocol(&mut seeds);
    signature(&mut seeds);
    config(&mut seeds);
    seeds
}

fn add(seeds: &mut Vec<Seed>, target: &'static str, name: &str, content: impl Into<Vec<u8>>) {
    seeds.push((target, name.to_owned(), content.into()));
}

fn onnx(seeds: &mut Vec<Seed>) {
    let (small, _) = audio::onnx_write_model(
        &[("w", &[2, 3], &[1.0, -2.0, 3.5, 0.0, 1e-9, f32::MAX])],
        &[&[-1, 4]],
        &[("Relu", &["input"], &["output"], &[("axis", -1)])],
        16,
    );
    add(seeds, "onnx_proto", "small_model.onnx", small);
    // Shaped like Silero's sequence export: an encoder, then one LSTM, so
    // the graph cut succeeds.
    let (lstm, _) = audio::onnx_write_model(
        &[("conv_w", &[1, 4], &[0.5; 4]), ("lstm_w", &[1, 1], &[0.25])],
        &[],
        &[
            ("Conv", &["input", "conv_w"], &["features"], &[]),
            (
                "LSTM",
                &["features", "lstm_w"],
                &["hidden"],
                &[("hidden_size", 1)],
            ),
            ("Relu", &["hidden"], &["output"], &[]),
        ],
        16,
    );
    add(seeds, "onnx_proto", "lstm_model.onnx", lstm);
    // A tensor with packed dims and `float_data` storage, inside a graph
    // inside a model, written field by field.
    let mut tensor = Vec::new();
    let mut dims = Vec::new();
    audio::onnx_put_varint(&mut dims, 2);
    audio::onnx_put_varint(&mut dims, 1);
    audio::onnx_put_bytes(&mut tensor, 1, &dims);
    tensor.extend_from_slice(&[0x10, 0x01]); // data_type = FLOAT
    let floats: Vec<u8> = [1.5f32, -0.5]
        .iter()
        .flat_map(|v| v.to_le_bytes())
        .collect();
    audio::onnx_put_bytes(&mut tensor, 4, &floats);
    audio::onnx_put_bytes(&mut tensor, 8, b"packed");
    let mut graph = Vec::new();
    audio::onnx_put_bytes(&mut graph, 5, &tensor);
    let mut model = vec![0x08, 0x08]; // ir_version 8
    audio::onnx_put_bytes(&mut model, 7, &graph);
    add(seeds, "onnx_proto", "float_data_tensor.onnx", model);
    // Fixed-width fields and an over-long (but valid) varint.
    add(
        seeds,
        "onnx_proto",
        "fixed_width_fields.bin",
        [
            &[0x09][..],
            &1u64.to_le_bytes(),
            &[0x15],
            &1u32.to_le_bytes(),
            &[0x08, 0x80, 0x80, 0x80, 0x00],
        ]
        .concat(),
    );
}

/// An MP4 box.
fn mp4_box(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
    let mut out = ((body.len() + 8) as u32).to_be_bytes().to_vec();
    out.extend_from_slice(kind);
    out.extend_from_slice(body);
    out
}

/// A `moov` body with one sound track: an edit list (an empty edit, then
/// one starting `media_time` ticks in) and a media timescale.
fn moov_body(version: u8, media_time: u64, timescale: u32) -> Vec<u8> {
    let mut hdlr = vec![0; 8];
    hdlr.extend_from_slice(b"soun");
    hdlr.extend_from_slice(&[0; 13]);
    let mut mdhd = vec![version, 0, 0, 0];
    let mut elst = vec![version, 0, 0, 0, 0, 0, 0, 2];
    if version == 1 {
        mdhd.extend_from_slice(&[0; 16]); // creation and modification times
        mdhd.extend_from_slice(&timescale.to_be_bytes());
        mdhd.extend_from_slice(&[0; 12]);
        for time in [u64::MAX, media_time] {
            elst.extend_from_slice(&10u64.to_be_bytes());
            elst.extend_from_slice(&time.to_be_bytes());
            elst.extend_from_slice(&[0, 1, 0, 0]);
        }
    } else {
        mdhd.extend_from_slice(&[0; 8]);
        mdhd.extend_from_slice(&timescale.to_be_bytes());
        mdhd.extend_from_slice(&[0; 8]);
        for time in [u32::MAX, media_time as u32] {
            elst.extend_from_slice(&10u32.to_be_bytes());
            elst.extend_from_slice(&time.to_be_bytes());
            elst.extend_from_slice(&[0, 1, 0, 0]);
        }
    }
    let mdia = [mp4_box(b"mdhd", &mdhd), mp4_box(b"hdlr", &hdlr)].concat();
    let trak = [
        mp4_box(b"edts", &mp4_box(b"elst", &elst)),
        mp4_box(b"mdia", &mdia),
    ]
    .concat();
    mp4_box(b"trak", &trak)
}

/// A Matroska BlockGroup: a block of `track` (flags `flags`, frame
/// `frame`) and a DiscardPadding of `nanos`.
fn block_group(track: u8, flags: u8, frame: &[u8], nanos: i64) -> Vec<u8> {
    let mut block = vec![0x80 | track, 0x00, 0x00, flags];
    block.extend_from_slice(frame);
    let mut group = vec![0xA1, 0x80 | block.len() as u8];
    group.extend_from_slice(&block);
    group.extend_from_slice(&[0x75, 0xA2, 0x88]);
    group.extend_from_slice(&nanos.to_be_bytes());
    let mut out = vec![0xA0, 0x80 | group.len() as u8];
    out.extend_from_slice(&group);
    out
}

fn priming(seeds: &mut Vec<Seed>) {
    let ftyp = mp4_box(b"ftyp", b"M4A \x00\x00\x02\x00isomiso2");
    let moov = moov_body(0, 2112, 44_100);
    add(seeds, "priming", "moov_body_elst_v0.bin", moov.clone());
    add(
        seeds,
        "priming",
        "file_elst_v0.m4a",
        [
            ftyp.clone(),
            mp4_box(b"free", &[0; 4]),
            mp4_box(b"moov", &moov),
        ]
        .concat(),
    );
    // Version 1 boxes, and a `moov` with a 64-bit size.
    let moov1 = moov_body(1, 1024, 48_000);
    let mut large = 1u32.to_be_bytes().to_vec();
    large.extend_from_slice(b"moov");
    large.extend_from_slice(&((moov1.len() + 16) as u64).to_be_bytes());
    large.extend_from_slice(&moov1);
    add(
        seeds,
        "priming",
        "file_elst_v1_large.m4a",
        [ftyp, large].concat(),
    );
    // The end of a WebM file: noise, a padded block, a laced one, noise.
    let ebml = [0x1A, 0x45, 0xDF, 0xA3, 0x80];
    let padded = block_group(1, 0x00, &[1, 2, 3, 4], 14_187_500);
    let laced = block_group(2, 0x02, &[9, 9], 6_500_000);
    add(
        seeds,
        "priming",
        "tail_discard_padding.webm",
        [
            &ebml[..],
            &[0xA0, 0xFF, 0x75],
            &padded,
            &laced,
            &[0xA0, 0x81],
        ]
        .concat(),
    );
    // Void elements each holding the start of a "group" whose body is all
    // the Voids after it: the shape that once made the tail scan quadratic.
    let units = 300;
    let mut voids = ebml.to_vec();
    for k in 0..units {
        let rest = ((units - k - 1) * 11) as u64;
        voids.extend_from_slice(&[0xEC, 0x89, 0xA0, 0x01]);
        voids.extend_from_slice(&rest.to_be_bytes()[1..]);
    }
    add(seeds, "priming", "tail_nested_voids.webm", voids);
}

/// A PCM WAV header for `channels` × `bits` at `rate`, `format` 1 (PCM) or
/// 3 (float), over `data`.
fn wav_file(format: u16, channels: u16, rate: u32, bits: u16, data: &[u8]) -> Vec<u8> {
    let block = channels * bits / 8;
    let mut out = b"RIFF".to_vec();
    out.extend_from_slice(&(36 + data.len() as u32).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&format.to_le_bytes());
    out.extend_from_slice(&channels.to_le_bytes());
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * u32::from(block)).to_le_bytes());
    out.extend_from_slice(&block.to_le_bytes());
    out.extend_from_slice(&bits.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&(data.len() as u32).to_le_bytes());
    out.extend_from_slice(data);
    out
}

fn wav(seeds: &mut Vec<Seed>) {
    let ramp: Vec<i16> = (0..64).map(|i| (i * 1000 - 32_000) as i16).collect();
    let chunk = scribe_audio::encode_wav(&ramp, 16_000).expect("a 16 kHz WAV encodes");
    add(seeds, "wav", "chunk_16k_mono.wav", chunk);
    let pcm: Vec<u8> = ramp.iter().flat_map(|s| s.to_le_bytes()).collect();
    add(
        seeds,
        "wav",
        "stereo_8k.wav",
        wav_file(1, 2, 8_000, 16, &pcm),
    );
    add(
        seeds,
        "wav",
        "float32.wav",
        wav_file(3, 1, 16_000, 32, &pcm),
    );
    add(
        seeds,
        "wav",
        "pcm8.wav",
        wav_file(1, 1, 16_000, 8, &pcm[..32]),
    );
    // A LIST chunk before the data, as many editors write.
    let mut listed = wav_file(1, 1, 16_000, 16, &pcm);
    let data_at = listed.len() - pcm.len() - 8;
    let list = [&b"LIST"[..], &4u32.to_le_bytes(), b"INFO"].concat();
    listed.splice(data_at..data_at, list);
    add(seeds, "wav", "list_chunk.wav", listed);
}

fn decode(seeds: &mut Vec<Seed>, examples_audio: &std::path::Path) {
    let tone: Vec<i16> = (0..800)
        .map(|i| ((i as f32 * 0.3).sin() * 8_000.0) as i16)
        .collect();
    let wav = scribe_audio::encode_wav(&tone, 8_000).expect("an 8 kHz WAV encodes");
    add(seeds, "decode", "tone_8k.wav", wav);
    for (file, keep) in [
        ("consultation.mp3", 3_000),
        ("consultation.flac", 4_096),
        ("consultation-opus.ogg", 4_096),
        ("consultation-vorbis.ogg", 4_096),
        ("consultation.webm", 4_096),
        ("consultation.m4a", 4_096),
    ] {
        if let Ok(bytes) = std::fs::read(examples_audio.join(file)) {
            let name = format!("head_of_{file}");
            add(
                seeds,
                "decode",
                &name,
                bytes[..keep.min(bytes.len())].to_vec(),
            );
        }
    }
}

fn chunk_names(seeds: &mut Vec<Seed>) {
    for (i, name) in [
        "chunk_0.wav",
        "chunk_17.webm",
        "visit_a_12.ogg",
        "a.b-c_4294967295.m4a",
        "x__0.mp4",
        "rec.2025_3.mp3",
        "chunk_01.wav",
        "chunk_4294967296.wav",
        "chunk_3.WAV",
        "_0.wav",
        "chunk.wav",
        "audio/ogg; codecs=opus",
        "audio/x-m4a",
    ]
    .iter()
    .enumerate()
    {
        add(seeds, "chunk_name", &format!("name_{i:02}"), *name);
    }
    add(
        seeds,
        "chunk_name",
        "long_base",
        format!("{}_1.wav", "b".repeat(128)),
    );
}

fn protocol(seeds: &mut Vec<Seed>) {
    // The wire types' fixtures are read from scribe-protocol's tests; these
    // are the answers only the error reader and the timestamp take.
    for (name, body) in [
        (
            "html_502.txt",
            "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
        ),
        (
            "fastapi_validation.json",
            r#"{"detail":[{"loc":["body","templates",0],"msg":"field required","type":"missing","input":{"x":1}}]}"#,
        ),
        (
            "fastapi_detail_code.json",
            r#"{"detail":{"code":"session_not_found","message":"gone"}}"#,
        ),
        (
            "oauth_error.json",
            r#"{"error":"invalid_token","error_description":"expired"}"#,
        ),
        (
            "flat_code.json",
            r#"{"code":"rate_limit_exceeded","message":"slow down","details":null}"#,
        ),
        (
            "plain_text.txt",
            "upstream connect error or disconnect/reset before headers",
        ),
        ("epoch_millis.json", "1737282600123"),
        ("naive_iso.json", "\"2025-01-19 10:30:00.123456\""),
        (
            "session_object_templates.json",
            r#"{"session_id":"ses_1","status":"partial","created_at":"2025-01-19T10:30:00+05:30","templates":{"soap":{"status":"failed","error":{"code":"template_failed","message":"x"}}},"extra_field":null}"#,
        ),
    ] {
        add(seeds, "protocol", name, body);
    }
}

fn signature(seeds: &mut Vec<Seed>) {
    let body =
        br#"{"event":"session.completed","timestamp":1737282900,"session_id":"ses_abc123def456"}"#;
    let header = sign(b"whsec_test", 1_737_282_900, body);
    let seed = |secret: &str, now: &str, tolerance: &str, header: &str| {
        [
            secret.as_bytes(),
            b"\n",
            now.as_bytes(),
            b"\n",
            tolerance.as_bytes(),
            b"\n",
            header.as_bytes(),
            b"\n",
            body,
        ]
        .concat()
    };
    add(
        seeds,
        "signature",
        "valid.txt",
        seed("whsec_test", "1737282960", "300", &header),
    );
    let rotated = format!("v1=00ff,{header}, v0=abc");
    add(
        seeds,
        "signature",
        "rotated.txt",
        seed("whsec_test", "1737282960", "300", &rotated),
    );
    add(
        seeds,
        "signature",
        "stale.txt",
        seed("whsec_test", "1737999999", "300", &header),
    );
    add(
        seeds,
        "signature",
        "uppercase.txt",
        seed("whsec_test", "1737282900", "0", &header.to_uppercase()),
    );
    add(
        seeds,
        "signature",
        "malformed.txt",
        seed("", "0", "18446744073709551615", "t=,v1,=,"),
    );
}

fn config(seeds: &mut Vec<Seed>) {
    for (name, text) in [
        (
            "env_full.txt",
            "SCRIBE_CLIENT_ID=id\nSCRIBE_CLIENT_SECRET=secret\nSCRIBE_BASE_URL=http://127.0.0.1:8080/voice/\nSCRIBE_DEFAULT_TEMPLATES=clinical_notes_template, transcript_template\nSCRIBE_DEFAULT_MODEL=pro\nSCRIBE_DEFAULT_LANGUAGE_HINT=en,HI\nSCRIBE_TRANSCRIPT_LANGUAGE=en\nSCRIBE_REQUEST_TIMEOUT=500ms\nSCRIBE_POLL_INTERVAL=1.5\nSCRIBE_POLL_TIMEOUT=2m\n",
        ),
        (
            "env_dev.txt",
            "SCRIBE_ENV=development\nSCRIBE_API_KEY=k\nSCRIBE_POLL_TIMEOUT= 1h \n",
        ),
        (
            "file_json.txt",
            "SCRIBE_ENV=prod\n--- json\n{\"base_url\": \"https://api.example.com/voice\", \"poll_interval\": \"250ms\", \"default_templates\": [\"a\", \"b\"], \"request_timeout\": 45}\n",
        ),
        (
            "file_yaml.txt",
            "--- yaml\nenv: dev\ndefault_language_hint: [en, ta]\ntranscript_language: hi\npoll_timeout: 10m\nauth_base_url: https://auth.example.com/\n",
        ),
        (
            "durations.txt",
            "30\n1.5\n250ms\n30s\n2m\n1h\n 2 m \n1e300h\n0\n",
        ),
    ] {
        add(seeds, "config", name, text);
    }
}
