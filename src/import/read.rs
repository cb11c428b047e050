//! Reading a file into a table of text cells: CSV, TSV and TXT in any of
//! the encodings real exports use (sniffed, overridable), with the
//! delimiter sniffed; and XLSX, XLS and ODS workbooks, recognised by their
//! content whatever the file is called.

use std::borrow::Cow;
use std::path::Path;

use calamine::{Data, Reader as _};
use encoding_rs::Encoding;

use super::ImportError;
use super::rows::Rows;
use super::values::clean_cell;

/// The kind of file, recognised by content.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FileKind {
    Text,
    Xlsx,
    Xls,
    Ods,
}

/// How the user overrides what was sniffed.
#[derive(Clone, Debug, Default)]
pub struct ReadOptions {
    /// An encoding label (`windows-1252`, `iso-8859-15`, `macintosh`, …).
    pub encoding: Option<String>,
    pub delimiter: Option<u8>,
    /// The sheet of a workbook; the first when `None`.
    pub sheet: Option<String>,
}

/// A file read into rows of text.
#[derive(Clone, Debug)]
pub struct SourceTable {
    pub kind: FileKind,
    /// The encoding's name (`UTF-8`, `UTF-16LE`, `windows-1252`, …); for
    /// workbooks, `UTF-8`.
    pub encoding: String,
    /// Whether the text started with a byte-order mark.
    pub had_bom: bool,
    pub delimiter: Option<u8>,
    pub sheet: Option<String>,
    pub sheets: Vec<String>,
    pub headers: Vec<String>,
    /// Data rows (the header excluded), each as long as `headers`, with the
    /// file's line number of each (1-based, header = the first line read).
    pub rows: Rows,
    /// Rows with no value in any cell, which are not imported.
    pub blank_rows: usize,
}

/// Reads `path` as a table.
pub fn read_path(path: &Path, options: &ReadOptions) -> Result<SourceTable, ImportError> {
    let bytes = read_file(path)?;
    read_bytes(&bytes, options).map_err(|reason| ImportError::Read {
        path: path.to_owned(),
        reason,
    })
}

/// The bytes of the file at `path`.
pub fn read_file(path: &Path) -> Result<Vec<u8>, ImportError> {
    std::fs::read(path).map_err(|e| ImportError::Read {
        path: path.to_owned(),
        reason: e.to_string(),
    })
}

/// Reads the bytes of a file as a table.
pub fn read_bytes(bytes: &[u8], options: &ReadOptions) -> Result<SourceTable, String> {
    match decode_text(bytes, options)? {
        Some(text) => Ok(text.read(usize::MAX)?.0),
        None => read_workbook(bytes, sniff_kind(bytes), options),
    }
}

fn sniff_kind(bytes: &[u8]) -> FileKind {
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        FileKind::Xls
    } else if bytes.starts_with(b"PK\x03\x04") {
        let head = &bytes[..bytes.len().min(200)];
        if head.windows(11).any(|w| w == b"opendocumen") {
            FileKind::Ods
        } else {
            FileKind::Xlsx
        }
    } else {
        FileKind::Text
    }
}

/// Decodes text, honouring a byte-order mark, then strict UTF-8, then a
/// guess (chardetng) among the legacy encodings.
fn decode<'a>(
    bytes: &'a [u8],
    label: Option<&str>,
) -> Result<(Cow<'a, str>, &'static Encoding, bool), String> {
    if let Some(label) = label {
        let encoding = Encoding::for_label(label.trim().as_bytes())
            .ok_or_else(|| format!("unknown encoding {label:?}"))?;
        let (text, had_bom) = match Encoding::for_bom(bytes) {
            Some((bom_encoding, len)) if bom_encoding == encoding => {
                (encoding.decode_without_bom_handling(&bytes[len..]).0, true)
            }
            _ => (encoding.decode_without_bom_handling(bytes).0, false),
        };
        return Ok((text, encoding, had_bom));
    }
    if let Some((encoding, len)) = Encoding::for_bom(bytes) {
        let (text, _) = encoding.decode_without_bom_handling(&bytes[len..]);
        return Ok((text, encoding, true));
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok((Cow::Borrowed(text), encoding_rs::UTF_8, false));
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let encoding = detector.guess(None, chardetng::Utf8Detection::Allow);
    let (text, _) = encoding.decode_without_bom_handling(bytes);
    Ok((text, encoding, false))
}

/// Chooses the delimiter that splits the first lines into the most
/// consistent number of fields (more than one).
fn sniff_delimiter(text: &str) -> u8 {
    let sample: String = text.chars().take(64 * 1024).collect();
    let mut best = (b',', 0usize, 0usize);
    for delimiter in [b',', b';', b'\t', b'|'] {
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(sample.as_bytes());
        let counts: Vec<usize> = reader
            .records()
            .take(30)
            .filter_map(Result::ok)
            .map(|r| r.len())
            .collect();
        let Some(&first) = counts.first() else {
            continue;
        };
        if first < 2 {
            continue;
        }
        // Count the lines agreeing with the header; the last sampled line
        // may be cut off.
        let agreeing = counts.iter().filter(|&&n| n == first).count();
        if (agreeing, first) > (best.1, best.2) {
            best = (delimiter, agreeing, first);
        }
    }
    best.0
}

/// Maps byte offsets to 1-based line numbers, counting `\r\n`, `\n` and a
/// lone `\r` as one line break each (the csv reader counts only `\n`).
struct LineIndex<'a> {
    bytes: &'a [u8],
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    fn new(text: &'a str) -> Self {
        let bytes = text.as_bytes();
        let mut starts = vec![0];
        let mut i = 0;
        while i < bytes.len() {
            match bytes[i] {
                b'\r' if bytes.get(i + 1) == Some(&b'\n') => {
                    starts.push(i + 2);
                    i += 2;
                    continue;
                }
                b'\r' | b'\n' => starts.push(i + 1),
                _ => {}
            }
            i += 1;
        }
        Self { bytes, starts }
    }

    fn line_of(&self, mut offset: usize) -> usize {
        // A record may be said to start on the line break before it.
        while matches!(self.bytes.get(offset), Some(b'\r' | b'\n')) {
            offset += 1;
        }
        self.starts.partition_point(|&start| start <= offset)
    }
}

/// The decoded text of a delimited file.
pub struct Text<'a> {
    text: Cow<'a, str>,
    encoding: &'static Encoding,
    had_bom: bool,
    delimiter: u8,
}

/// Decodes the bytes of a delimited text file and sniffs its delimiter
/// (unless `options` say); `None` when the bytes are a workbook.
pub fn decode_text<'a>(bytes: &'a [u8], options: &ReadOptions) -> Result<Option<Text<'a>>, String> {
    if sniff_kind(bytes) != FileKind::Text {
        return Ok(None);
    }
    let (text, encoding, had_bom) = decode(bytes, options.encoding.as_deref())?;
    let delimiter = options.delimiter.unwrap_or_else(|| sniff_delimiter(&text));
    Ok(Some(Text {
        text,
        encoding,
        had_bom,
        delimiter,
    }))
}

impl Text<'_> {
    /// Reads the header and up to `head` rows as a table; the returned
    /// records read the rest.
    pub fn read(&self, head: usize) -> Result<(SourceTable, Records<'_>), String> {
        let mut records = Records::new(self)?;
        let mut rows = Rows::new(records.headers.len());
        if head == usize::MAX {
            records.read_rest(&mut rows)?;
        } else {
            records.read_rows(&mut rows, head)?;
        }
        let table = SourceTable {
            kind: FileKind::Text,
            encoding: self.encoding.name().to_owned(),
            had_bom: self.had_bom,
            delimiter: Some(self.delimiter),
            sheet: None,
            sheets: Vec::new(),
            headers: records.headers.clone(),
            rows,
            blank_rows: records.blank_rows,
        };
        Ok((table, records))
    }
}

/// The records of a delimited text after its header, read on demand.
pub struct Records<'t> {
    reader: csv::Reader<&'t [u8]>,
    record: csv::StringRecord,
    bytes: &'t [u8],
    /// Line starts, for a text with lone `\r` line ends.
    lines: Option<LineIndex<'t>>,
    headers: Vec<String>,
    /// Blank records so far, which are not rows.
    blank_rows: usize,
    /// About how many rows the text has: its lines after the header's
    /// (exact unless values hold line breaks or lines are blank).
    rows_estimate: usize,
    done: bool,
}

impl<'t> Records<'t> {
    /// Starts reading `text`: skips blank records up to the header.
    fn new(text: &'t Text<'_>) -> Result<Self, String> {
        let reader = csv::ReaderBuilder::new()
            .delimiter(text.delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(text.text.as_bytes());
        // The csv reader counts `\n` only, which is right for LF and CRLF; a
        // file with lone `\r` line ends needs its lines counted here.
        let bytes = text.text.as_bytes();
        let lone_cr = text
            .text
            .match_indices('\r')
            .any(|(i, _)| bytes.get(i + 1) != Some(&b'\n'));
        let mut records = Self {
            reader,
            record: csv::StringRecord::new(),
            bytes,
            lines: lone_cr.then(|| LineIndex::new(&text.text)),
            headers: Vec::new(),
            blank_rows: 0,
            rows_estimate: {
                let line_end = if lone_cr { b'\r' } else { b'\n' };
                let ends = bytes.iter().filter(|&&b| b == line_end).count();
                ends + usize::from(bytes.last().is_some_and(|&b| b != line_end))
            },
            done: false,
        };
        while records.next_record()? {
            if !is_blank(records.record.iter()) {
                records.headers = unique_headers(records.record.iter());
                // The lines after the header's.
                let header_line = records
                    .record
                    .position()
                    .map_or(1, |pos| records.line_of(pos));
                records.rows_estimate = records.rows_estimate.saturating_sub(header_line);
                return Ok(records);
            }
        }
        Err("the file is empty".to_owned())
    }

    /// About how many rows the text has: its lines after the header's.
    pub fn rows_estimate(&self) -> usize {
        self.rows_estimate
    }

    /// Blank records read so far (they are not rows).
    pub fn blank_rows(&self) -> usize {
        self.blank_rows
    }

    /// Whether every record has been read.
    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Appends up to `n` more rows to `rows`, skipping blank records.
    /// Returns how many it appended; 0 once the text is read.
    pub fn read_rows(&mut self, rows: &mut Rows, n: usize) -> Result<usize, String> {
        let mut added = 0;
        while added < n && self.next_record()? {
            if is_blank(self.record.iter()) {
                self.blank_rows += 1;
                continue;
            }
            let line = self.record.position().map_or(0, |pos| self.line_of(pos));
            rows.push(line, self.record.iter())?;
            added += 1;
        }
        Ok(added)
    }

    /// Appends every remaining row to `rows`, making room for them first.
    pub fn read_rest(&mut self, rows: &mut Rows) -> Result<(), String> {
        rows.reserve(self.bytes.len(), self.rows_estimate);
        self.read_rows(rows, usize::MAX)?;
        Ok(())
    }

    fn next_record(&mut self) -> Result<bool, String> {
        if self.done {
            return Ok(false);
        }
        let more = self
            .reader
            .read_record(&mut self.record)
            .map_err(|e| match e.position() {
                Some(pos) => format!("line {}: {e}", self.line_of(pos)),
                None => e.to_string(),
            })?;
        self.done = !more;
        Ok(more)
    }

    /// The line a record at `pos` starts on.
    fn line_of(&self, pos: &csv::Position) -> usize {
        if let Some(lines) = &self.lines {
            return lines.line_of(pos.byte() as usize);
        }
        // A record may be said to start on the line break before it.
        let mut line = pos.line() as usize;
        for &b in &self.bytes[(pos.byte() as usize).min(self.bytes.len())..] {
            match b {
                b'\n' => line += 1,
                b'\r' => {}
                _ => break,
            }
        }
        line
    }
}

/// Whether a record has no value in any cell.
fn is_blank<'c>(mut cells: impl Iterator<Item = &'c str>) -> bool {
    cells.all(|c| clean_cell(c).is_empty())
}

fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(n) => n.to_string(),
        Data::Float(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{x:.0}"),
        Data::Float(x) => x.to_string(),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => match dt.as_datetime() {
            Some(t) if t.time() == chrono::NaiveTime::MIN => t.date().to_string(),
            Some(t) => t.format("%Y-%m-%d %H:%M:%S").to_string(),
            None => dt.as_f64().to_string(),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

fn read_workbook(
    bytes: &[u8],
    kind: FileKind,
    options: &ReadOptions,
) -> Result<SourceTable, String> {
    let mut workbook = calamine::open_workbook_auto_from_rs(std::io::Cursor::new(bytes.to_vec()))
        .map_err(|e| format!("cannot read the workbook: {e}"))?;
    let sheets = workbook.sheet_names();
    let sheet = match &options.sheet {
        Some(name) => sheets
            .iter()
            .find(|s| s.eq_ignore_ascii_case(name))
            .cloned()
            .ok_or_else(|| {
                format!(
                    "no sheet named {name:?}; the sheets are {}",
                    sheets.join(", ")
                )
            })?,
        None => sheets
            .first()
            .cloned()
            .ok_or("the workbook has no sheets")?,
    };
    let range = workbook
        .worksheet_range(&sheet)
        .map_err(|e| format!("cannot read sheet {sheet:?}: {e}"))?;
    let first_row = range.start().map_or(0, |(row, _)| row as usize);
    let mut table = TableBuilder::default();
    for (i, row) in range.rows().enumerate() {
        let cells: Vec<String> = row.iter().map(cell_text).collect();
        table.push(first_row + i + 1, cells.iter().map(String::as_str))?;
    }
    let mut table = table.finish()?;
    table.kind = kind;
    table.sheet = Some(sheet);
    table.sheets = sheets;
    Ok(table)
}

/// Builds a table from records: the first non-blank one is the header;
/// the rest are padded or cut to its width, and blank ones are counted.
#[derive(Default)]
struct TableBuilder {
    headers: Option<Vec<String>>,
    rows: Rows,
    blank_rows: usize,
}

impl TableBuilder {
    fn push<'c>(
        &mut self,
        line: usize,
        cells: impl Iterator<Item = &'c str> + Clone,
    ) -> Result<(), String> {
        let blank = is_blank(cells.clone());
        match &self.headers {
            None if blank => {}
            None => {
                let headers = unique_headers(cells);
                self.rows = Rows::new(headers.len());
                self.headers = Some(headers);
            }
            Some(_) if blank => self.blank_rows += 1,
            Some(_) => self.rows.push(line, cells)?,
        }
        Ok(())
    }

    fn finish(self) -> Result<SourceTable, String> {
        let headers = self.headers.ok_or("the file is empty")?;
        Ok(SourceTable {
            kind: FileKind::Text,
            encoding: "UTF-8".to_owned(),
            had_bom: false,
            delimiter: None,
            sheet: None,
            sheets: Vec::new(),
            headers,
            rows: self.rows,
            blank_rows: self.blank_rows,
        })
    }
}

/// Header names trimmed, blanks named `Column N`, repeats numbered.
fn unique_headers<'c>(names: impl Iterator<Item = &'c str>) -> Vec<String> {
    let mut headers: Vec<String> = Vec::new();
    for (i, name) in names.enumerate() {
        let base = clean_cell(name).to_owned();
        let base = if base.is_empty() {
            format!("Column {}", i + 1)
        } else {
            base
        };
        let mut unique = base.clone();
        let mut n = 2;
        while headers.iter().any(|h| h.eq_ignore_ascii_case(&unique)) {
            unique = format!("{base} ({n})");
            n += 1;
        }
        headers.push(unique);
    }
    headers
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(bytes: &[u8]) -> SourceTable {
        read_bytes(bytes, &ReadOptions::default()).expect("reads")
    }

    #[test]
    fn sniffs_delimiters_and_line_ends() {
        for (text, delimiter) in [
            ("a,b,c\n1,2,3\n", b','),
            ("a;b;c\r\n1;2,5;3\r\n", b';'),
            ("a\tb\tc\r1\t2\t3\r", b'\t'),
            ("a|b|c\n1|2|3", b'|'),
        ] {
            let table = read(text.as_bytes());
            assert_eq!(table.delimiter, Some(delimiter), "{text:?}");
            assert_eq!(table.headers, ["a", "b", "c"]);
            assert_eq!(table.rows.len(), 1);
        }
    }

    #[test]
    fn decodes_boms_and_legacy_encodings() {
        let table = read(b"\xEF\xBB\xBFEmail;Name\r\nfoo@example.com;Jo\xC3\xABl\r\n");
        assert!(table.had_bom);
        assert_eq!(table.headers[0], "Email");
        assert_eq!(table.rows.get(0).cell(1), "Joël");

        let mut utf16 = vec![0xFF, 0xFE];
        for unit in "Email,Name\nfoo@example.com,Zoë\n".encode_utf16() {
            utf16.extend_from_slice(&unit.to_le_bytes());
        }
        let table = read(&utf16);
        assert_eq!(table.encoding, "UTF-16LE");
        assert_eq!(table.rows.get(0).cell(1), "Zoë");

        let table = read(b"Name,City\nJos\xE9 Mar\xEDa,M\xE1laga\nFran\xE7ois,Besan\xE7on\n");
        assert_eq!(table.encoding, "windows-1252");
        assert_eq!(table.rows.get(0).cell(0), "José María");

        let options = ReadOptions {
            encoding: Some("macintosh".into()),
            ..Default::default()
        };
        let table = read_bytes(b"Name\nJos\x8E\n", &options).expect("reads");
        assert_eq!(table.rows.get(0).cell(0), "José");
    }

    #[test]
    fn numbers_lines_for_every_line_end() {
        for text in ["e\na\n\nb\n", "e\r\na\r\n\r\nb\r\n", "e\ra\r\rb\r"] {
            let table = read(text.as_bytes());
            let lines: Vec<usize> = table.rows.iter().map(|row| row.line()).collect();
            assert_eq!(lines, [2, 4], "{text:?}");
        }
        let table = read(b"e,n\n\"multi\nline\",x\nb,y\n");
        assert_eq!(table.rows.get(1).line(), 4);
    }

    #[test]
    fn estimates_rows_by_the_lines_after_the_header() {
        for (text, rows) in [
            ("a,b\n1,2\n3,4\n", 2),
            ("a,b\r\n1,2\r\n3,4", 2),
            ("\n\na,b\n1,2\n", 1),
            ("a\r1\r2\r3\r", 3),
            ("a,b\n", 0),
        ] {
            let decoded = decode_text(text.as_bytes(), &ReadOptions::default())
                .expect("decodes")
                .expect("text");
            let (_, records) = decoded.read(0).expect("reads");
            assert_eq!(records.rows_estimate(), rows, "{text:?}");
        }
    }

    #[test]
    fn keeps_quoted_delimiters_quotes_and_newlines() {
        let table = read(b"name,note\n\"Smith, Jo\",\"said \"\"hi\"\"\nthen left\"\n");
        assert_eq!(
            table.rows.get(0).to_vec(),
            ["Smith, Jo", "said \"hi\"\nthen left"]
        );
    }

    #[test]
    fn skips_blank_rows_and_names_blank_headers() {
        let table = read(b"a,,a\n1,2,3\n,,\n\n4,5\n");
        assert_eq!(table.headers, ["a", "Column 2", "a (2)"]);
        assert_eq!(table.rows.len(), 2);
        assert_eq!(table.rows.get(1).to_vec(), ["4", "5", ""]);
        assert_eq!(table.blank_rows, 1);
    }
}
