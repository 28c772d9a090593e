//! The articles file, streamed (it may be larger than memory): a reader thread cuts it into
//! chunks, worker threads check and convert the lines, and the calling thread writes the batches
//! in file order while the workers go on.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;

use diesel::PgConnection;
use uuid::Uuid;

use super::credits::{Editors, People};
use super::lines::{article, Row};
use super::report::{Counts, Report};
use super::store::flush;
use super::ImportError;

/// Articles per transaction.
const BATCH: usize = 1000;

/// What article lines refer to, by slug.
pub struct Refs {
    pub sections: HashMap<String, Uuid>,
    pub people: HashMap<String, Uuid>,
    pub tags: HashMap<String, Uuid>,
    pub existing: HashSet<String>,
}

/// Lines per unit of work handed to a worker thread.
const CHUNK: usize = 256;

/// A run of lines of `articles.jsonl`: its place in the file, its first line's number, the lines.
type Chunk = (usize, usize, Vec<String>);
/// What became of each line of a chunk (blank lines left out), and the bytes it covered.
type Checked = (usize, Vec<(usize, Result<Row, String>)>, usize);

/// Streams `articles.jsonl` (it may be larger than memory; progress counts bytes). Lines are
/// checked and turned into rows (sanitised HTML, search documents) by worker threads while
/// this thread writes the batches before them, in file order.
pub fn articles_file(
    conn: &mut PgConnection,
    report: &mut Report,
    path: &Path,
    refs: &Refs,
    progress: &mut impl FnMut(usize, usize),
) -> Result<Counts, ImportError> {
    let file = std::fs::File::open(path).map_err(|e| ImportError::read(path, None, e))?;
    let total =
        usize::try_from(file.metadata().map(|m| m.len()).unwrap_or(0)).unwrap_or(usize::MAX);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get().clamp(1, 4));
    let (work_tx, work_rx) = std::sync::mpsc::sync_channel::<Chunk>(workers * 2);
    let work_rx = std::sync::Mutex::new(work_rx);
    let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<Checked>(workers * 2);
    std::thread::scope(|s| {
        let reader = s.spawn(move || -> Result<(), ImportError> {
            let mut chunk = Vec::with_capacity(CHUNK);
            let (mut seq, mut first) = (0, 1);
            for (i, line) in BufReader::new(file).lines().enumerate() {
                let line = line.map_err(|e| ImportError::read(path, Some(i + 1), e))?;
                chunk.push(line);
                if chunk.len() == CHUNK {
                    let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                    if work_tx.send((seq, first, full)).is_err() {
                        return Ok(());
                    }
                    seq += 1;
                    first = i + 2;
                }
            }
            let _ = work_tx.send((seq, first, chunk));
            Ok(())
        });
        for _ in 0..workers {
            let (work_rx, done_tx) = (&work_rx, done_tx.clone());
            s.spawn(move || loop {
                let job = work_rx.lock().unwrap_or_else(|e| e.into_inner()).recv();
                let Ok((seq, first, lines)) = job else { return };
                let bytes = lines.iter().map(|l| l.len() + 1).sum();
                let rows = lines
                    .iter()
                    .enumerate()
                    .filter(|(_, line)| !line.trim().is_empty())
                    .map(|(k, line)| {
                        (
                            first + k,
                            article(line, &refs.sections, &refs.people, &refs.tags),
                        )
                    })
                    .collect();
                if done_tx.send((seq, rows, bytes)).is_err() {
                    return;
                }
            });
        }
        drop(done_tx);
        let written = write_in_order(conn, report, refs, done_rx, total, progress);
        // On an error the channels close and every thread ends.
        let read = reader.join().unwrap_or_else(|_| Err(ImportError::Panicked));
        let counts = written?;
        read?;
        Ok(counts)
    })
}

/// Takes the workers' results back into file order, reports and writes them in batches.
fn write_in_order(
    conn: &mut PgConnection,
    report: &mut Report,
    refs: &Refs,
    done: std::sync::mpsc::Receiver<Checked>,
    total: usize,
    progress: &mut impl FnMut(usize, usize),
) -> Result<Counts, ImportError> {
    let mut counts = Counts::default();
    let mut seen = HashSet::new();
    let mut batch = Vec::with_capacity(BATCH);
    let mut people = People::load(conn)?;
    let editors = Editors::load(conn)?;
    let mut waiting = std::collections::BTreeMap::new();
    let (mut next, mut read) = (0, 0);
    for checked in done {
        waiting.insert(checked.0, checked);
        while let Some((_, rows, bytes)) = waiting.remove(&next) {
            next += 1;
            read += bytes;
            for (n, result) in rows {
                match result {
                    Err(problem) => {
                        counts.rejected += 1;
                        report.problem("articles.jsonl", n, problem);
                    }
                    Ok(row) if refs.existing.contains(&row.slug) => counts.unchanged += 1,
                    Ok(row) if !seen.insert(row.slug.clone()) => {
                        counts.rejected += 1;
                        report.problem(
                            "articles.jsonl",
                            n,
                            format!("slug {} appears twice", row.slug),
                        );
                    }
                    Ok(mut row) => {
                        counts.imported += 1;
                        report.editor_credits += row.editor_credits;
                        report.bylines_unread += usize::from(row.unread_byline);
                        credit(&mut row, &mut people, &editors, report);
                        batch.push(row);
                        if batch.len() == BATCH {
                            flush(conn, &mut batch, &mut people)?;
                            progress(read, total);
                        }
                    }
                }
            }
        }
    }
    flush(conn, &mut batch, &mut people)?;
    report.people_created = people.created;
    progress(total, total);
    Ok(counts)
}

/// The row's printed byline matched to people (created when new), its printed editor to a
/// staff account.
fn credit(row: &mut Row, people: &mut People, editors: &Editors, report: &mut Report) {
    for c in std::mem::take(&mut row.printed) {
        let entry = (people.resolve(&c), c.role.as_str().to_owned());
        if !row.byline.contains(&entry) {
            row.byline.push(entry);
        }
    }
    if let Some(printed) = row.editor_text.take() {
        row.editor_id = editors.find(&printed);
        report.editors_unmatched += usize::from(row.editor_id.is_none());
    }
}
