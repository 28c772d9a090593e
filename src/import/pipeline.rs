//! The articles file, streamed (it may be larger than memory): a reader thread cuts it into
//! chunks, worker threads check and convert the lines, the calling thread takes them back into
//! file order and credits the people, and writer threads, each on a connection of its own,
//! insert whole batches (one transaction each) side by side.

use std::collections::{HashMap, HashSet};
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use diesel::{Connection, PgConnection, RunQueryDsl};
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
/// checked and turned into rows (sanitised HTML, search documents) by worker threads, and the
/// batches before them written by [`WRITERS`] connections to `url` at once.
pub fn articles_file(
    conn: &mut PgConnection,
    url: &str,
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
    // Shared by the threads that receive; dropped with the last of them, so that a sender
    // learns at once that nobody will take what it sends.
    let work_rx = Arc::new(Mutex::new(work_rx));
    let (done_tx, done_rx) = std::sync::mpsc::sync_channel::<Checked>(workers * 2);
    let (batch_tx, batch_rx) = std::sync::mpsc::sync_channel::<Vec<Row>>(WRITERS);
    let batch_rx = Arc::new(Mutex::new(batch_rx));
    let failed = AtomicBool::new(false);
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
            let (work_rx, done_tx) = (Arc::clone(&work_rx), done_tx.clone());
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
        drop((done_tx, work_rx));
        let writers: Vec<_> = (0..WRITERS)
            .map(|_| {
                let (batch_rx, failed) = (Arc::clone(&batch_rx), &failed);
                s.spawn(move || {
                    let written = write_batches(url, &batch_rx, failed);
                    failed.fetch_or(written.is_err(), Ordering::Relaxed);
                    written
                })
            })
            .collect();
        drop(batch_rx);
        let to_writers = Writers {
            batches: batch_tx,
            failed: &failed,
        };
        let written = write_in_order(conn, report, refs, done_rx, &to_writers, total, progress);
        // On an error the channels close and every thread ends.
        drop(to_writers);
        let stored = writers
            .into_iter()
            .map(|w| w.join().unwrap_or(Err(ImportError::Panicked)))
            .collect::<Result<Vec<()>, _>>();
        let read = reader.join().unwrap_or_else(|_| Err(ImportError::Panicked));
        stored?;
        let counts = written?;
        read?;
        progress(total, total);
        Ok(counts)
    })
}

/// Connections writing batches side by side: the database's work on a batch (heap, TOAST,
/// unique indexes, WAL) is most of an import's, and one connection is one core.
const WRITERS: usize = 2;

/// One writer: its own connection (commits need not wait for the disk: an import that stops
/// half way is run again, and skips what it finds), batches until the channel closes or one
/// fails.
fn write_batches(
    url: &str,
    batches: &Mutex<std::sync::mpsc::Receiver<Vec<Row>>>,
    failed: &AtomicBool,
) -> Result<(), ImportError> {
    let mut conn = PgConnection::establish(url).map_err(ImportError::Connect)?;
    diesel::sql_query("SET synchronous_commit = off").execute(&mut conn)?;
    loop {
        let batch = batches.lock().unwrap_or_else(|e| e.into_inner()).recv();
        let Ok(batch) = batch else { return Ok(()) };
        if failed.load(Ordering::Relaxed) {
            return Ok(());
        }
        flush(&mut conn, &batch)?;
    }
}

/// Where the batches go: the writers' channel, and whether one of them failed.
struct Writers<'a> {
    batches: std::sync::mpsc::SyncSender<Vec<Row>>,
    failed: &'a AtomicBool,
}

/// Takes the workers' results back into file order, reports and writes them in batches.
fn write_in_order(
    conn: &mut PgConnection,
    report: &mut Report,
    refs: &Refs,
    done: std::sync::mpsc::Receiver<Checked>,
    writers: &Writers<'_>,
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
                            hand_over(conn, &mut batch, &mut people, writers)?;
                            progress(read, total);
                        }
                    }
                }
            }
        }
    }
    hand_over(conn, &mut batch, &mut people, writers)?;
    report.people_created = people.created;
    Ok(counts)
}

/// Inserts the people the batch credits (committed before any writer's bylines refer to them)
/// and hands the batch to a writer; fails when the writers have stopped (one failed).
fn hand_over(
    conn: &mut PgConnection,
    batch: &mut Vec<Row>,
    people: &mut People,
    writers: &Writers<'_>,
) -> Result<(), ImportError> {
    if batch.is_empty() {
        return Ok(());
    }
    if writers.failed.load(Ordering::Relaxed) {
        return Err(ImportError::WriterStopped);
    }
    people.insert_pending(conn)?;
    let full = std::mem::replace(batch, Vec::with_capacity(BATCH));
    writers
        .batches
        .send(full)
        .map_err(|_| ImportError::WriterStopped)
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
