//! Delimited text files: encoding detection, delimiter sniffing, streaming.
//!
//! Rows are numbered as Excel or WPS shows the file when it opens it: each record is one row,
//! however many lines its quoted cells span, and each blank line is a row of its own (CRLF,
//! LF and a lone CR each end a line). The csv-core parser splits the records; the line breaks
//! it would skip between them are counted here.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use csv_core::ReadRecordResult;
use encoding_rs::{Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};
use encoding_rs_io::DecodeReaderBytesBuilder;

use super::{BadCell, Error, Format, Row, Sheet};

const SAMPLE: usize = 64 * 1024;

/// Opens a delimited text file. `disguised`: it has a workbook's extension, so it must at
/// least look like a table to be read as one.
pub fn open(path: &Path, disguised: bool) -> Result<Sheet, Error> {
    let shown = path.display().to_string();
    let io = |source| Error::Io {
        path: shown.clone(),
        source,
    };
    let file = File::open(path).map_err(io)?;
    let total = file.metadata().map_err(io)?.len();
    let mut sample = Vec::with_capacity(SAMPLE);
    file.take(SAMPLE as u64).read_to_end(&mut sample).map_err(io)?;
    let not_spreadsheet = |reason: &str| Error::NotSpreadsheet {
        path: shown.clone(),
        reason: reason.to_string(),
    };
    let encoding = detect_encoding(&sample).map_err(not_spreadsheet)?;
    let (decoded, _, _) = encoding.decode(&sample);
    let extension = path.extension().map(|e| e.to_string_lossy().to_lowercase());
    let tsv = extension.as_deref() == Some("tsv");
    let delimiter = match sniff_delimiter(&decoded, tsv) {
        Some(delimiter) => delimiter,
        None if disguised => return Err(not_spreadsheet("it is neither a workbook nor delimited text")),
        None if tsv => b'\t',
        None => b',',
    };

    let file = File::open(path).map_err(io)?;
    // UTF-8 is split into cells as it is, so a cell pasted in from GBK can still be read;
    // other encodings are decoded to UTF-8 first (UTF-16's delimiters are not single bytes).
    let input: Box<dyn BufRead + Send> = if encoding == UTF_8 {
        Box::new(BufReader::with_capacity(1 << 20, file))
    } else {
        let decoder = DecodeReaderBytesBuilder::new()
            .encoding(Some(encoding))
            .bom_override(true)
            .build(file);
        Box::new(BufReader::with_capacity(1 << 20, decoder))
    };
    let mut records = Records::new(input, delimiter);
    let rows = std::iter::from_fn(move || {
        records
            .next_row()
            .map_err(|source| Error::Io {
                path: shown.clone(),
                source,
            })
            .transpose()
    });
    Ok(Sheet {
        format: Format::Text {
            encoding: encoding.name(),
            delimiter,
        },
        total,
        rows: Box::new(rows),
        sheets: Vec::new(),
        date_1904: false,
    })
}

/// Why a cell of a UTF-8 file that only GBK reads is refused: which encoding it is in is a
/// guess, for the clerk to confirm. The cell holds it as GBK reads it, and so does the
/// rejects file, which then imports as it is.
const PASTED_FROM_GBK: &str = "not UTF-8 like the rest of the file; shown as read in GBK: if it reads right, import the \
     rejects file as it is";

/// A cell of a UTF-8 file that is not valid UTF-8 (pasted in from a GBK file): its text read
/// as GB18030 and true, when that reads it without error; else as UTF-8 with the bytes it
/// cannot read replaced, and false.
fn pasted_from_gbk(bytes: &[u8]) -> (String, bool) {
    match GB18030.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => (text.into_owned(), true),
        None => (String::from_utf8_lossy(bytes).into_owned(), false),
    }
}

/// What follows in the text.
enum Next {
    End,
    /// An empty line: a blank row, with its number.
    Blank(usize),
    Record,
}

/// The records of decoded (UTF-8) text, each with the row number a spreadsheet shows.
struct Records<R> {
    input: R,
    parser: csv_core::Reader,
    /// The row the next record starts on.
    row: usize,
    /// The last line ended with `\r`: a `\n` right after it ends the same line.
    after_cr: bool,
    /// Bytes consumed so far.
    position: u64,
    /// The current record's cells, end to end, and where each ends: reused for every record.
    text: Vec<u8>,
    ends: Vec<usize>,
}

impl<R: BufRead> Records<R> {
    fn new(input: R, delimiter: u8) -> Self {
        Records {
            input,
            parser: csv_core::ReaderBuilder::new().delimiter(delimiter).build(),
            row: 1,
            after_cr: false,
            position: 0,
            text: vec![0; 4096],
            ends: vec![0; 64],
        }
    }

    fn next_row(&mut self) -> io::Result<Option<Row>> {
        match self.skip_line_breaks()? {
            Next::End => return Ok(None),
            // An empty line is a blank row, counted as a workbook's are.
            Next::Blank(number) => {
                return Ok(Some(Row {
                    number,
                    cells: Vec::new(),
                    position: self.position,
                    bad: Vec::new(),
                    numbers: Vec::new(),
                }));
            }
            Next::Record => {}
        }
        let number = self.row;
        let (mut text_len, mut ends_len) = (0, 0);
        loop {
            let input = self.input.fill_buf()?;
            let (result, read, written, ended) =
                self.parser
                    .read_record(input, &mut self.text[text_len..], &mut self.ends[ends_len..]);
            let last = read.checked_sub(1).map(|i| input[i]);
            self.input.consume(read);
            self.position += read as u64;
            text_len += written;
            ends_len += ended;
            match result {
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => self.text.resize(self.text.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record => {
                    // The record ended at a line break, or at the end of the text.
                    if let Some(byte @ (b'\r' | b'\n')) = last {
                        self.row += 1;
                        self.after_cr = byte == b'\r';
                    }
                    let mut start = 0;
                    let mut bad = Vec::new();
                    let cells = self.ends[..ends_len]
                        .iter()
                        .enumerate()
                        .map(|(column, &end)| {
                            let bytes = &self.text[start..end];
                            start = end;
                            match std::str::from_utf8(bytes) {
                                Ok(cell) => cell.to_owned(),
                                Err(_) => {
                                    let (cell, gbk) = pasted_from_gbk(bytes);
                                    if gbk {
                                        bad.push(BadCell {
                                            column,
                                            reason: PASTED_FROM_GBK.to_string(),
                                        });
                                    }
                                    cell
                                }
                            }
                        })
                        .collect();
                    return Ok(Some(Row {
                        number,
                        cells,
                        position: self.position,
                        bad,
                        numbers: Vec::new(),
                    }));
                }
                ReadRecordResult::End => return Ok(None),
            }
        }
    }

    /// Consumes a BOM and the `\n` of a `\r\n` the last record ended with, then says what
    /// comes next: the end, an empty line (consumed), or a record.
    fn skip_line_breaks(&mut self) -> io::Result<Next> {
        loop {
            let input = self.input.fill_buf()?;
            let at_start = self.position == 0;
            let (skip, next) = match input {
                [] => return Ok(Next::End),
                [0xEF, 0xBB, 0xBF, ..] if at_start => (3, None),
                [b'\n', ..] if self.after_cr => {
                    self.after_cr = false;
                    (1, None)
                }
                [byte @ (b'\r' | b'\n'), ..] => {
                    let blank = Next::Blank(self.row);
                    self.row += 1;
                    self.after_cr = *byte == b'\r';
                    (1, Some(blank))
                }
                _ => return Ok(Next::Record),
            };
            self.input.consume(skip);
            self.position += skip as u64;
            if let Some(next) = next {
                return Ok(next);
            }
        }
    }
}

/// The encoding of a text file from its first bytes: a BOM if there is one; else UTF-16 when
/// the sample reads as UTF-16 text; else UTF-8 when its multi-byte characters are valid UTF-8
/// but for a trace (a cell pasted in from a GBK file is then one bad cell, not a garbled file);
/// else GB18030, a superset of GBK.
fn detect_encoding(sample: &[u8]) -> Result<&'static Encoding, &'static str> {
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
        return Err("it is a PDF");
    }
    let zeros = sample.iter().filter(|b| **b == 0).count();
    if zeros > 0 {
        // UTF-8 and GBK text have no zero bytes; UTF-16 has one in every ASCII character.
        if let Some(encoding) = utf16(sample) {
            return Ok(encoding);
        }
        // A stray NUL in a text file is a bad cell (rejected with its row); many are binary.
        if zeros > 8 && zeros * 100 > sample.len() {
            return Err("it holds binary data");
        }
    }
    let (mut characters, mut invalid) = (0, 0);
    let mut chunks = sample.utf8_chunks().peekable();
    while let Some(chunk) = chunks.next() {
        characters += chunk.valid().chars().filter(|c| !c.is_ascii()).count();
        let bad = chunk.invalid();
        // A character cut at the end of the sample is no evidence either way.
        let cut = chunks.peek().is_none() && std::str::from_utf8(bad).is_err_and(|e| e.error_len().is_none());
        if !bad.is_empty() && !cut {
            invalid += 1;
        }
    }
    // GBK text reads as valid UTF-8 for about one character in ten, so a line of several
    // such characters valid throughout is UTF-8 all but surely: lines like that as many as
    // the lines that are not valid make a UTF-8 file with a few rows pasted in from GBK.
    Ok(
        if invalid * 4 <= characters || utf8_lines_outnumber_the_rest(sample) {
            UTF_8
        } else {
            GB18030
        },
    )
}

/// Whether lines of the sample valid in UTF-8 with two or more non-ASCII characters are as
/// many as the lines not valid in it, or more (the last line, perhaps cut short, left out).
fn utf8_lines_outnumber_the_rest(sample: &[u8]) -> bool {
    let mut lines: Vec<&[u8]> = sample.split(|b| *b == b'\n').collect();
    lines.pop();
    let (mut utf8, mut not) = (0, 0);
    for line in lines {
        match std::str::from_utf8(line) {
            Ok(text) if text.chars().filter(|c| !c.is_ascii()).nth(1).is_some() => utf8 += 1,
            Ok(_) => {}
            Err(_) => not += 1,
        }
    }
    utf8 > 0 && utf8 >= not
}

/// UTF-16 without a BOM: the byte order in which the sample is lines of text (no NUL, a line
/// break, and nearly every character ASCII, Latin, CJK or punctuation), if either.
fn utf16(sample: &[u8]) -> Option<&'static Encoding> {
    let textual = |unit: u16| {
        matches!(unit,
            0x09 | 0x0A | 0x0D | 0x20..=0x7E | 0xA0..=0x24F | 0x2000..=0x206F
            | 0x3000..=0x303F | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xFF00..=0xFFEF)
    };
    let score = |unit: fn([u8; 2]) -> u16| {
        let mut units = sample.chunks_exact(2).map(|pair| unit([pair[0], pair[1]]));
        if units.clone().any(|u| u == 0) || !units.clone().any(|u| u == 0x0A || u == 0x0D) {
            return 0;
        }
        units.by_ref().filter(|u| textual(*u)).count()
    };
    let (le, be) = (score(u16::from_le_bytes), score(u16::from_be_bytes));
    let enough = |textual: usize| textual > 0 && textual * 20 >= sample.len() / 2 * 19;
    match (enough(le), enough(be)) {
        (true, true) if be > le => Some(UTF_16BE),
        (true, _) => Some(UTF_16LE),
        (false, true) => Some(UTF_16BE),
        (false, false) => None,
    }
}

/// The delimiter that splits the first lines most consistently (`,` on a tie), if any does.
fn sniff_delimiter(sample: &str, tsv: bool) -> Option<u8> {
    let lines: Vec<&str> = sample.lines().filter(|l| !l.trim().is_empty()).take(20).collect();
    let candidates: &[u8] = if tsv { b"\t,;|" } else { b",\t;|" };
    let mut best = None;
    let mut best_score = 0;
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
        if score > best_score {
            (best, best_score) = (Some(d), score);
        }
    }
    best
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
        assert_eq!(detect_encoding(b"a\x00,\x00b\x00\n\x00").unwrap(), UTF_16LE);
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
        let mut long = "a".repeat(1000).into_bytes();
        long.extend(&"客".as_bytes()[..2]);
        assert_eq!(detect_encoding(&long).unwrap(), UTF_8, "cut after ASCII");
    }

    #[test]
    fn a_gbk_cell_in_a_utf8_file_leaves_it_utf8() {
        let mut mixed = "客户名称,备注\n北京某某科技有限公司,正常\n上海某某贸易有限公司,"
            .as_bytes()
            .to_vec();
        mixed.extend(GB18030.encode("备注").0.iter());
        assert_eq!(detect_encoding(&mixed).unwrap(), UTF_8);
        // However short the file, as long as most of its lines are UTF-8.
        let mut short = "客户名称,手机,备注\n甲公司,13812345678,好\n".as_bytes().to_vec();
        short.extend(GB18030.encode("乙公司,13912345678,备注\n").0.iter());
        assert_eq!(detect_encoding(&short).unwrap(), UTF_8);
        let mut only = "客户名称,手机,备注\n".as_bytes().to_vec();
        only.extend(GB18030.encode("乙公司,13912345678,备注\n").0.iter());
        assert_eq!(
            detect_encoding(&only).unwrap(),
            UTF_8,
            "its only data row from GBK"
        );
        let gbk = GB18030
            .encode("客户名称,备注\n北京某某科技有限公司,正常\n上海某某贸易有限公司,好\n")
            .0;
        assert_eq!(detect_encoding(&gbk).unwrap(), GB18030);
    }

    #[test]
    fn a_cell_only_gbk_reads_is_read_as_gbk_and_said_so() {
        let gbk = GB18030.encode("乙公司").0;
        assert_eq!(pasted_from_gbk(&gbk), ("乙公司".to_string(), true));
        assert_eq!(
            pasted_from_gbk(&[b'a', 0x81]),
            ("a\u{FFFD}".to_string(), false),
            "neither UTF-8 nor GBK"
        );
    }

    #[test]
    fn utf16_without_a_bom_is_recognised() {
        let text = "客户名称,手机\r\n重庆某某建设工程有限公司,13812345678\r\n";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(detect_encoding(&le).unwrap(), UTF_16LE);
        assert_eq!(detect_encoding(&be).unwrap(), UTF_16BE);
        let chinese = "客户名称\n重庆某某建设工程有限公司\n";
        let le: Vec<u8> = chinese.encode_utf16().flat_map(u16::to_le_bytes).collect();
        assert_eq!(
            detect_encoding(&le).unwrap(),
            UTF_16LE,
            "two ASCII characters in all"
        );
    }

    /// Row numbers and cells of `text` read with a small buffer, so records and line breaks
    /// straddle refills.
    fn rows(text: &str) -> Vec<(usize, Vec<String>)> {
        let input = BufReader::with_capacity(3, text.as_bytes());
        let mut records = Records::new(input, b',');
        std::iter::from_fn(|| records.next_row().unwrap())
            .map(|row| (row.number, row.cells))
            .collect()
    }

    #[test]
    fn rows_are_numbered_as_a_spreadsheet_shows_them() {
        let numbers = |text| {
            rows(text)
                .into_iter()
                .filter(|(_, cells)| !cells.is_empty())
                .map(|(n, _)| n)
                .collect::<Vec<_>>()
        };
        let blank = |text| {
            rows(text)
                .into_iter()
                .filter(|(_, cells)| cells.is_empty())
                .map(|(n, _)| n)
                .collect::<Vec<_>>()
        };
        assert_eq!(blank("a\n1\n\n2\n\n\n3"), [3, 5, 6], "empty lines are blank rows");
        assert_eq!(blank("a\r\n\r\n1\r\n"), [2]);
        assert_eq!(
            blank("a\n1\n"),
            Vec::<usize>::new(),
            "the last line break ends a row"
        );
        assert_eq!(numbers("a,b\r\n1,2\r\n3,4\r\n"), [1, 2, 3]);
        assert_eq!(numbers("a\n1\n\n2\n\n\n3"), [1, 2, 4, 7]);
        assert_eq!(numbers("a\r\n\r\n1\r\n"), [1, 3], "a blank CRLF line is one row");
        assert_eq!(numbers("a\r1\r\r2\r"), [1, 2, 4], "lone CRs end lines too");
        assert_eq!(numbers("\n\ntitle\n\nh\n1\n"), [3, 5, 6]);
        assert_eq!(
            rows("h,remark\n1,\"two\r\nlines\"\n\n2,x\n"),
            [
                (1, vec!["h".to_string(), "remark".to_string()]),
                (2, vec!["1".to_string(), "two\r\nlines".to_string()]),
                (3, vec![]),
                (4, vec!["2".to_string(), "x".to_string()]),
            ],
            "a quoted line break stays in its cell and its row"
        );
        assert_eq!(numbers("\u{FEFF}\nh\n"), [2], "a BOM then a blank line");
        assert_eq!(rows("a,,\"\"\n")[0].1, ["a", "", ""]);
    }

    #[test]
    fn delimiters_are_sniffed_outside_quotes() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n", false), Some(b','));
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t\"x, y\"\t3\n", false), Some(b'\t'));
        assert_eq!(sniff_delimiter("a;b;c\n\"1,5\";2;3\n", false), Some(b';'));
        assert_eq!(sniff_delimiter("名称|电话\n某公司|138\n", false), Some(b'|'));
        assert_eq!(sniff_delimiter("only one column\n", true), None);
    }
}
