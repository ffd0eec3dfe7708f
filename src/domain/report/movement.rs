//! Tier movement between two grading runs: which way each customer moved, the from → to
//! matrix and its tallies.

use std::collections::BTreeSet;

use super::ladder;

/// How a customer's tier changed from the earlier run to the later one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Move {
    Up,
    Down,
    /// Tiers differ but the model's tier order is not known.
    Changed,
    Same,
    /// Graded in the later run only.
    New,
    /// Graded in the earlier run only.
    Gone,
}

impl Move {
    pub const ALL: [Move; 6] = [
        Move::Up,
        Move::Down,
        Move::Changed,
        Move::Same,
        Move::New,
        Move::Gone,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Move::Up => "up",
            Move::Down => "down",
            Move::Changed => "changed",
            Move::Same => "same",
            Move::New => "new",
            Move::Gone => "gone",
        }
    }

    pub fn zh(self) -> &'static str {
        match self {
            Move::Up => "升级",
            Move::Down => "降级",
            Move::Changed => "变动",
            Move::Same => "不变",
            Move::New => "新增",
            Move::Gone => "移出",
        }
    }
}

/// The move from `from` to `to` (`None`: not graded in that run). `order` is the tier
/// ladder, best first; without one a change has no direction.
pub fn classify(from: Option<&str>, to: Option<&str>, order: Option<&[&str]>) -> Move {
    match (from, to) {
        (None, None) | (None, Some(_)) => Move::New,
        (Some(_), None) => Move::Gone,
        (Some(a), Some(b)) if a == b => Move::Same,
        (Some(a), Some(b)) => {
            let rank = |t: &str| order.and_then(|o| o.iter().position(|x| *x == t));
            match (rank(a), rank(b)) {
                (Some(ra), Some(rb)) if rb < ra => Move::Up,
                (Some(_), Some(_)) => Move::Down,
                _ => Move::Changed,
            }
        }
    }
}

/// One cell of the matrix: customers who were `from` and became `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cell {
    pub from: Option<String>,
    pub to: Option<String>,
    pub count: i64,
}

/// The matrix of two runs, its axes in tier order and the count of each kind of move.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Matrix<'a> {
    /// The tier order moves were classified by, if any.
    pub order: Option<&'a [&'a str]>,
    /// Earlier tiers, best first; `None` (last) is "not graded before" (new).
    pub rows: Vec<Option<String>>,
    /// Later tiers, best first; `None` (last) is "not graded now" (gone).
    pub cols: Vec<Option<String>>,
    pub counts: Vec<Vec<i64>>,
    /// Customers per kind of move; `Changed` only where some change has no direction.
    pub tally: Vec<(Move, i64)>,
}

/// The matrix over the tiers the cells name, ordered by the known ladder they fit (if any).
pub fn matrix(cells: &[Cell]) -> Matrix<'static> {
    let tiers: BTreeSet<&str> = cells
        .iter()
        .flat_map(|c| [c.from.as_deref(), c.to.as_deref()])
        .flatten()
        .collect();
    let order = ladder(tiers.iter().copied());
    let mut axis: Vec<&str> = tiers.into_iter().collect();
    if let Some(o) = order {
        axis.sort_by_key(|t| o.iter().position(|x| x == t));
    }
    let named = |present: &dyn Fn(&Cell) -> Option<&str>| -> Vec<&str> {
        axis.iter()
            .copied()
            .filter(|t| cells.iter().any(|c| present(c) == Some(*t)))
            .collect()
    };
    let rows = named(&|c| c.from.as_deref());
    let cols = named(&|c| c.to.as_deref());
    grid(cells, order, &rows, &cols)
}

/// The matrix on a model's tier order (best first): every tier of `order` is a row and a
/// column even where no customer had it, then any other tier the cells name, in the order
/// they name it.
pub fn matrix_on<'a>(cells: &[Cell], order: &'a [&'a str]) -> Matrix<'a> {
    let mut axis: Vec<&str> = order.to_vec();
    for t in cells
        .iter()
        .flat_map(|c| [c.from.as_deref(), c.to.as_deref()])
        .flatten()
    {
        if !axis.contains(&t) {
            axis.push(t);
        }
    }
    grid(cells, Some(order), &axis, &axis)
}

/// Counts and tallies the cells on the given axes; "not graded" (`None`) is added last on an
/// axis where a cell has it.
fn grid<'a>(cells: &[Cell], order: Option<&'a [&'a str]>, rows: &[&str], cols: &[&str]) -> Matrix<'a> {
    let with_none = |axis: &[&str], none: bool| -> Vec<Option<String>> {
        let mut v: Vec<Option<String>> = axis.iter().map(|t| Some((*t).to_string())).collect();
        if none {
            v.push(None);
        }
        v
    };
    let rows = with_none(rows, cells.iter().any(|c| c.from.is_none()));
    let cols = with_none(cols, cells.iter().any(|c| c.to.is_none()));
    let mut counts = vec![vec![0; cols.len()]; rows.len()];
    let mut tally: Vec<(Move, i64)> = Move::ALL.iter().map(|m| (*m, 0)).collect();
    for c in cells {
        let r = rows.iter().position(|v| *v == c.from).expect("row present");
        let k = cols.iter().position(|v| *v == c.to).expect("column present");
        counts[r][k] += c.count;
        let m = classify(c.from.as_deref(), c.to.as_deref(), order);
        if let Some(t) = tally.iter_mut().find(|(x, _)| *x == m) {
            t.1 += c.count;
        }
    }
    if order.is_some() {
        tally.retain(|(m, n)| *m != Move::Changed || *n > 0);
    }
    Matrix {
        order,
        rows,
        cols,
        counts,
        tally,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(from: Option<&str>, to: Option<&str>, count: i64) -> Cell {
        Cell {
            from: from.map(String::from),
            to: to.map(String::from),
            count,
        }
    }

    /// An axis as names, `-` for "not graded".
    fn names(v: &[Option<String>]) -> Vec<String> {
        v.iter().map(|t| t.clone().unwrap_or("-".into())).collect()
    }

    const STD: &[&str] = &["core", "important", "ordinary", "potential"];

    #[test]
    fn moves_follow_the_ladder() {
        assert_eq!(classify(Some("important"), Some("core"), Some(STD)), Move::Up);
        assert_eq!(classify(Some("core"), Some("potential"), Some(STD)), Move::Down);
        assert_eq!(classify(Some("core"), Some("core"), Some(STD)), Move::Same);
        assert_eq!(classify(None, Some("core"), Some(STD)), Move::New);
        assert_eq!(classify(Some("core"), None, Some(STD)), Move::Gone);
        assert_eq!(classify(Some("甲"), Some("乙"), None), Move::Changed);
        assert_eq!(classify(Some("gold"), Some("core"), Some(STD)), Move::Changed);
    }

    #[test]
    fn the_matrix_orders_tiers_and_tallies_moves() {
        let m = matrix(&[
            cell(Some("potential"), Some("ordinary"), 2),
            cell(Some("core"), Some("core"), 1),
            cell(Some("core"), Some("important"), 1),
            cell(None, Some("potential"), 3),
            cell(Some("ordinary"), None, 1),
        ]);
        assert_eq!(m.order.unwrap()[0], "core");
        assert_eq!(names(&m.rows), ["core", "ordinary", "potential", "-"]);
        assert_eq!(
            names(&m.cols),
            ["core", "important", "ordinary", "potential", "-"]
        );
        assert_eq!(m.counts[0], [1, 1, 0, 0, 0]);
        assert_eq!(m.counts[2], [0, 0, 2, 0, 0]);
        assert_eq!(m.counts[3], [0, 0, 0, 3, 0]);
        assert_eq!(
            m.tally,
            [
                (Move::Up, 2),
                (Move::Down, 1),
                (Move::Same, 1),
                (Move::New, 3),
                (Move::Gone, 1)
            ]
        );
    }

    #[test]
    fn a_model_order_shows_all_its_tiers_then_the_others_named() {
        let order = ["core", "important", "ordinary", "potential"];
        let m = matrix_on(
            &[
                cell(None, Some("ordinary"), 1),
                cell(Some("core"), Some("高"), 2),
                cell(Some("ordinary"), Some("core"), 1),
                cell(Some("potential"), None, 3),
            ],
            &order,
        );
        assert_eq!(
            names(&m.rows),
            ["core", "important", "ordinary", "potential", "高", "-"]
        );
        assert_eq!(
            names(&m.cols),
            ["core", "important", "ordinary", "potential", "高", "-"]
        );
        assert_eq!(m.counts[0], [0, 0, 0, 0, 2, 0]);
        assert_eq!(m.counts[1], [0; 6]);
        assert_eq!(m.counts[5], [0, 0, 1, 0, 0, 0]);
        assert_eq!(
            m.tally,
            [
                (Move::Up, 1),
                (Move::Down, 0),
                (Move::Changed, 2),
                (Move::Same, 0),
                (Move::New, 1),
                (Move::Gone, 3)
            ]
        );
    }

    #[test]
    fn unknown_ladders_count_changes_without_direction() {
        let m = matrix(&[cell(Some("甲"), Some("乙"), 2), cell(Some("乙"), Some("乙"), 1)]);
        assert_eq!(m.order, None);
        assert!(m.tally.contains(&(Move::Changed, 2)));
        assert!(m.tally.contains(&(Move::Same, 1)));
    }
}
