//! Delimited text files: encoding detection, delimiter sniffing, streaming.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::Path;

use encoding_rs::{Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};
use encoding_rs_io::DecodeReaderBytesBuilder;

use super::{Error, Format, Row, Sheet};

const SAMPLE: usize = 64 * 1024;

pub fn open(path: &Path) -> Result<Sheet, Error> {
    let shown = path.display().to_string();
    let io = |source| Error::Io {
        path: shown.clone(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let total = file.metadata().map_err(io)?.len();
    let mut sample = Vec::with_capacity(SAMPLE);
    file.take(SAMPLE as u64).read_to_end(&mut sample).map_err(io)?;
    let encoding = detect_encoding(&sample).map_err(|reason| Error::NotSpreadsheet {
        path: shown.clone(),
        reason,
    })?;
    let (decoded, _, _) = encoding.decode(&sample);
    let extension = path.extension().map(|e| e.to_string_lossy().to_lowercase());
    let delimiter = sniff_delimiter(&decoded, extension.as_deref() == Some("tsv"));

    let file = File::open(path).map_err(io)?;
    let decoder = DecodeReaderBytesBuilder::new()
        .encoding(Some(encoding))
        .bom_override(true)
        .build(file);
    let reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(BufReader::with_capacity(1 << 20, decoder));
    let rows = reader.into_records().map(move |record| {
        let record = record.map_err(|e| Error::Text {
            path: shown.clone(),
            row: e.position().map_or(0, |p| p.line() as usize),
            reason: e.to_string(),
        })?;
        let position = record.position();
        Ok(Row {
            number: position.map_or(0, |p| p.line() as usize),
            position: position.map_or(0, |p| p.byte()),
            cells: record.iter().map(str::to_string).collect(),
        })
    });
    Ok(Sheet {
        format: Format::Text {
            encoding: encoding.name(),
            delimiter,
        },
        total,
        rows: Box::new(rows),
    })
}

/// UTF-8 (BOM or valid), UTF-16 (BOM, or the zero-byte pattern of Latin text), else GB18030.
fn detect_encoding(sample: &[u8]) -> Result<&'static Encoding, String> {
    if sample.starts_with(&[0xEF, 0xBB, 0xBF]) {
        return Ok(UTF_8);
    }
    if sample.starts_with(&[0xFF, 0xFE]) {
        return Ok(UTF_16LE);
    }
    if sample.starts_with(&[0xFE, 0xFF]) {
        return Ok(UTF_16BE);
    }
    if sample.starts_with(b"%PDF") {
        return Err("it is a PDF".into());
    }
    let zeros = sample.iter().filter(|b| **b == 0).count();
    if zeros > 0 {
        let even = sample.iter().step_by(2).filter(|b| **b == 0).count();
        let odd = zeros - even;
        if zeros * 4 >= sample.len() && (even == 0 || odd == 0) {
            return Ok(if even == 0 { UTF_16LE } else { UTF_16BE });
        }
        // A stray NUL in a text file is a bad cell (rejected with its row); many are binary.
        if zeros > 8 && zeros * 100 > sample.len() {
            return Err("it holds binary data".into());
        }
    }
    match std::str::from_utf8(sample) {
        Ok(_) => Ok(UTF_8),
        // Cut in the middle of a character at the end of the sample: still UTF-8.
        Err(e) if e.error_len().is_none() => Ok(UTF_8),
        Err(_) => Ok(GB18030),
    }
}

/// The delimiter that splits the first lines most consistently (`,` on a tie).
fn sniff_delimiter(sample: &str, tsv: bool) -> u8 {
    let lines: Vec<&str> = sample.lines().filter(|l| !l.trim().is_empty()).take(20).collect();
    let candidates: &[u8] = if tsv { b"\t,;|" } else { b",\t;|" };
    let mut best = (candidates[0], 0usize);
    for &d in candidates {
        let counts: Vec<usize> = lines.iter().map(|l| count_outside_quotes(l, d as char)).collect();
        let max = counts.iter().copied().max().unwrap_or(0);
        if max == 0 {
            continue;
        }
        // Lines agreeing on the most common non-zero count.
        let mode = (1..=max)
            .max_by_key(|n| counts.iter().filter(|c| *c == n).count())
            .unwrap_or(0);
        let score = counts.iter().filter(|c| **c == mode).count() * 1000 + mode;
        if score > best.1 {
            best = (d, score);
        }
    }
    best.0
}

fn count_outside_quotes(line: &str, delimiter: char) -> usize {
    let mut quoted = false;
    line.chars()
        .filter(|&c| {
            if c == '"' {
                quoted = !quoted;
            }
            c == delimiter && !quoted
        })
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings_are_told_apart() {
        assert_eq!(detect_encoding(b"\xEF\xBB\xBFa,b").unwrap(), UTF_8);
        assert_eq!(detect_encoding("客户名称,手机".as_bytes()).unwrap(), UTF_8);
        let (gbk, _, _) = GB18030.encode("客户名称,手机");
        assert_eq!(detect_encoding(&gbk).unwrap(), GB18030);
        assert_eq!(detect_encoding(b"\xFF\xFEa\x00").unwrap(), UTF_16LE);
        assert_eq!(detect_encoding(b"a\x00,\x00b\x00").unwrap(), UTF_16LE);
        let png: Vec<u8> = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"
            .iter()
            .copied()
            .chain(0..=255)
            .chain([0; 64])
            .collect();
        assert!(detect_encoding(&png).is_err());
        assert_eq!(
            detect_encoding(b"a,b\n\x00,c\n").unwrap(),
            UTF_8,
            "a stray NUL is a bad cell, not binary"
        );
        assert!(detect_encoding(b"%PDF-1.7").is_err());
        // A UTF-8 character cut at the end of the sample.
        let cut = &"客户".as_bytes()[..4];
        assert_eq!(detect_encoding(cut).unwrap(), UTF_8);
    }

    #[test]
    fn delimiters_are_sniffed_outside_quotes() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n", false), b',');
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t\"x, y\"\t3\n", false), b'\t');
        assert_eq!(sniff_delimiter("a;b;c\n\"1,5\";2;3\n", false), b';');
        assert_eq!(sniff_delimiter("名称|电话\n某公司|138\n", false), b'|');
        assert_eq!(sniff_delimiter("only one column\n", true), b'\t');
    }
}
