//! The soak's table, as aligned text for the terminal and as markdown for
//! `--report`.

use std::time::Duration;

/// One row: a seed's run, or the fault-free baseline.
pub(crate) struct Row {
    pub(crate) label: String,
    /// Faults injected, one count per column of [`Table::kinds`].
    pub(crate) faults: Vec<u64>,
    pub(crate) requests: u64,
    pub(crate) retries: u64,
    pub(crate) wall: Duration,
    /// Wall time over the fault-free run's (`None` for that run itself).
    pub(crate) ratio: Option<f64>,
    pub(crate) passed: bool,
}

pub(crate) struct Table {
    /// Column headers of the fault counts.
    pub(crate) kinds: Vec<&'static str>,
    pub(crate) rows: Vec<Row>,
}

impl Table {
    fn cells(&self) -> (Vec<String>, Vec<Vec<String>>) {
        let mut header = vec!["seed".to_owned()];
        header.extend(self.kinds.iter().map(|k| (*k).to_owned()));
        header.extend(
            [
                "faults",
                "requests",
                "retries",
                "wall",
                "x fault-free",
                "result",
            ]
            .map(str::to_owned),
        );
        let rows = self
            .rows
            .iter()
            .map(|row| {
                let mut cells = vec![row.label.clone()];
                cells.extend(row.faults.iter().map(u64::to_string));
                cells.push(row.faults.iter().sum::<u64>().to_string());
                cells.push(row.requests.to_string());
                cells.push(row.retries.to_string());
                cells.push(format!("{:.1} s", row.wall.as_secs_f64()));
                cells.push(
                    row.ratio
                        .map_or("1.0 (base)".to_owned(), |r| format!("{r:.1}")),
                );
                cells.push(if row.passed { "ok" } else { "FAILED" }.to_owned());
                cells
            })
            .collect();
        (header, rows)
    }

    /// Columns aligned with spaces, numbers to the right.
    pub(crate) fn text(&self) -> String {
        let (header, rows) = self.cells();
        let widths: Vec<usize> = (0..header.len())
            .map(|i| {
                rows.iter()
                    .map(|r| r[i].len())
                    .chain([header[i].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        let line = |cells: &[String]| {
            let padded: Vec<String> = cells
                .iter()
                .zip(&widths)
                .enumerate()
                .map(|(i, (cell, width))| {
                    if i == 0 || i == cells.len() - 1 {
                        format!("{cell:<width$}")
                    } else {
                        format!("{cell:>width$}")
                    }
                })
                .collect();
            padded.join("  ").trim_end().to_owned()
        };
        let mut out = line(&header);
        out.push('\n');
        for row in &rows {
            out.push_str(&line(row));
            out.push('\n');
        }
        out
    }

    pub(crate) fn markdown(&self) -> String {
        let (header, rows) = self.cells();
        let line = |cells: &[String]| format!("| {} |\n", cells.join(" | "));
        let mut out = line(&header);
        let rule: Vec<String> = (0..header.len())
            .map(|i| {
                if i == 0 || i == header.len() - 1 {
                    "---"
                } else {
                    "---:"
                }
                .to_owned()
            })
            .collect();
        out.push_str(&line(&rule));
        for row in &rows {
            out.push_str(&line(row));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_line_up_and_the_baseline_says_so() {
        let table = Table {
            kinds: vec!["500", "stall"],
            rows: vec![
                Row {
                    label: "fault-free".to_owned(),
                    faults: vec![0, 0],
                    requests: 120,
                    retries: 0,
                    wall: Duration::from_millis(4500),
                    ratio: None,
                    passed: true,
                },
                Row {
                    label: "7".to_owned(),
                    faults: vec![3, 12],
                    requests: 1500,
                    retries: 15,
                    wall: Duration::from_secs(130),
                    ratio: Some(28.888),
                    passed: false,
                },
            ],
        };
        let text = table.text();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[1].contains("1.0 (base)"), "{text}");
        assert!(
            lines[2].contains("  15  ") && lines[2].contains("28.9"),
            "{text}"
        );
        assert!(lines[2].ends_with("FAILED"), "{text}");
        let md = table.markdown();
        assert!(md.starts_with("| seed | 500 | stall | faults |"), "{md}");
        assert!(
            md.contains("| 7 | 3 | 12 | 15 | 1500 | 15 | 130.0 s | 28.9 | FAILED |"),
            "{md}"
        );
    }
}
