//! How many uploads are read, decoded and resized at once (`NEWSDESK_MEDIA_UPLOADS`, default
//! 2): the others wait for their turn before their bodies are read, so memory holds at most that
//! many bodies and decoded images, whatever number of clients upload at the same moment. An
//! upload that waits longer than [`WAIT`] is told to retry (503 with `Retry-After`).

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::error::AppError;

/// The longest an upload waits for its turn.
pub const WAIT: Duration = Duration::from_secs(60);

/// The turns of this process.
#[derive(Debug, Clone)]
pub struct Gate {
    turns: Arc<Semaphore>,
}

/// An upload's turn, given back when dropped.
#[derive(Debug)]
pub struct Turn(#[expect(dead_code, reason = "held for its drop")] OwnedSemaphorePermit);

impl Gate {
    pub fn new(at_once: usize) -> Gate {
        Gate {
            turns: Arc::new(Semaphore::new(at_once.max(1))),
        }
    }

    /// Waits for a turn (at most [`WAIT`]).
    pub async fn enter(&self) -> Result<Turn, AppError> {
        match tokio::time::timeout(WAIT, self.turns.clone().acquire_owned()).await {
            Ok(Ok(permit)) => Ok(Turn(permit)),
            _ => Err(AppError::Overloaded(
                "other uploads are being processed; retry shortly".into(),
            )),
        }
    }
}
