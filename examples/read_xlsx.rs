//! Reads every cell of a workbook's first sheet with calamine and nothing else: the
//! reference `bench/import.sh` compares `kehu import` of a workbook against.
#![allow(clippy::print_stdout)]

use calamine::{Data, Reader, open_workbook_auto};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args().nth(1).ok_or("usage: read_xlsx FILE")?;
    let mut book = open_workbook_auto(&path)?;
    let range = book.worksheet_range_at(0).ok_or("no sheet")??;
    let cells: usize = range
        .rows()
        .map(|r| r.iter().filter(|c| **c != Data::Empty).count())
        .sum();
    println!("{cells} cells");
    Ok(())
}
