//! The data rows of a file read for import, held compactly: every cell's
//! text in one buffer with the cells' end offsets beside it, so a million
//! rows of eight columns cost a few allocations rather than nine million
//! strings (which took longer to allocate and free than to parse).

/// Data rows of equal width, each with its line in the file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rows {
    text: String,
    /// Where each cell ends in `text`; `width` cells per row.
    ends: Vec<u32>,
    /// The file's line number of each row (1-based).
    lines: Vec<u32>,
    width: usize,
}

/// One row of [`Rows`].
#[derive(Clone, Copy, Debug)]
pub struct Row<'a> {
    rows: &'a Rows,
    index: usize,
}

impl Rows {
    /// No rows yet, `width` cells each.
    pub fn new(width: usize) -> Self {
        Self {
            width,
            ..Self::default()
        }
    }

    /// Makes room for about `text` bytes of cells and `rows` rows, so a
    /// large file does not move its cells as they are added.
    pub fn reserve(&mut self, text: usize, rows: usize) {
        self.text.reserve(text);
        self.ends.reserve(rows.saturating_mul(self.width));
        self.lines.reserve(rows);
    }

    /// Removes every row, keeping the room they took.
    pub fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
        self.lines.clear();
    }

    /// Rows from owned cells (for tests and small tables); each row is
    /// padded or cut to `width`.
    pub fn from_cells(width: usize, rows: impl IntoIterator<Item = (usize, Vec<String>)>) -> Self {
        let mut built = Self::new(width);
        for (line, cells) in rows {
            built
                .push(line, cells.iter().map(String::as_str))
                .unwrap_or_default();
        }
        built
    }

    /// Appends a row, padding it with blanks or cutting it to the width.
    /// Fails only when the table outgrows 4 GiB of text.
    pub fn push<'c>(
        &mut self,
        line: usize,
        cells: impl IntoIterator<Item = &'c str>,
    ) -> Result<(), String> {
        let mut n = 0;
        for cell in cells.into_iter().take(self.width) {
            self.text.push_str(cell);
            self.ends.push(self.end()?);
            n += 1;
        }
        for _ in n..self.width {
            self.ends.push(self.end()?);
        }
        self.lines.push(u32::try_from(line).unwrap_or(u32::MAX));
        Ok(())
    }

    fn end(&self) -> Result<u32, String> {
        u32::try_from(self.text.len())
            .map_err(|_| "the file is too large (over 4 GiB of text)".to_owned())
    }

    /// Cells per row.
    pub fn width(&self) -> usize {
        self.width
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// Row `index`; panics when out of range, like slice indexing.
    pub fn get(&self, index: usize) -> Row<'_> {
        assert!(index < self.len(), "row {index} of {}", self.len());
        Row { rows: self, index }
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = Row<'_>> + Clone + '_ {
        (0..self.len()).map(move |index| Row { rows: self, index })
    }

    /// Every value of column `column`, top to bottom.
    pub fn column(&self, column: usize) -> impl Iterator<Item = &str> + Clone + '_ {
        self.iter().map(move |row| row.cell(column))
    }
}

impl<'a> Row<'a> {
    /// The row's line in the file (1-based).
    pub fn line(self) -> usize {
        self.rows.lines[self.index] as usize
    }

    /// Its position among the rows (0-based).
    pub fn index(self) -> usize {
        self.index
    }

    /// Cell `column`; blank beyond the width.
    pub fn cell(self, column: usize) -> &'a str {
        if column >= self.rows.width {
            return "";
        }
        let at = self.index * self.rows.width + column;
        let start = match at {
            0 => 0,
            _ => self.rows.ends[at - 1] as usize,
        };
        &self.rows.text[start..self.rows.ends[at] as usize]
    }

    pub fn cells(self) -> impl ExactSizeIterator<Item = &'a str> + Clone {
        (0..self.rows.width).map(move |column| self.cell(column))
    }

    pub fn to_vec(self) -> Vec<String> {
        self.cells().map(str::to_owned).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pads_cuts_and_reads_back_cells() {
        let mut rows = Rows::new(3);
        rows.push(2, ["a", "bé", "c"]).unwrap_or_default();
        rows.push(4, ["", "x"]).unwrap_or_default();
        rows.push(5, ["1", "2", "3", "4"]).unwrap_or_default();
        assert_eq!(rows.len(), 3);
        assert_eq!(rows.get(0).to_vec(), ["a", "bé", "c"]);
        assert_eq!(rows.get(1).to_vec(), ["", "x", ""]);
        assert_eq!(rows.get(2).to_vec(), ["1", "2", "3"]);
        assert_eq!(rows.get(1).line(), 4);
        assert_eq!(rows.get(2).cell(7), "");
        let second: Vec<&str> = rows.column(1).collect();
        assert_eq!(second, ["bé", "x", "2"]);
    }
}
