//! Group commit for reports.
//!
//! A receipt is shown only after its report is durably stored. One fsync per
//! report would cap the tip line at the disk's sync rate, so one task writes
//! whatever reports are waiting in a single transaction and then answers all
//! of their requests: under load, many reports share one fsync.

use ctip_store::tipline::{NewTip, TipDb};
use tokio::sync::{mpsc, oneshot};

/// Most reports committed together.
const MAX_BATCH: usize = 256;

struct Pending {
    tip: NewTip,
    done: oneshot::Sender<Result<i64, String>>,
}

#[derive(Clone)]
pub struct TipWriter {
    queue: mpsc::Sender<Pending>,
}

impl TipWriter {
    pub fn spawn(db: TipDb) -> TipWriter {
        let (queue, mut incoming) = mpsc::channel::<Pending>(4 * MAX_BATCH);
        tokio::spawn(async move {
            let mut batch = Vec::with_capacity(MAX_BATCH);
            while let Some(first) = incoming.recv().await {
                batch.push(first);
                while batch.len() < MAX_BATCH {
                    match incoming.try_recv() {
                        Ok(next) => batch.push(next),
                        Err(_) => break,
                    }
                }
                let (tips, waiting): (Vec<NewTip>, Vec<_>) =
                    batch.drain(..).map(|p| (p.tip, p.done)).unzip();
                match db.insert_tips(&tips).await {
                    Ok(ids) => {
                        for (done, id) in waiting.into_iter().zip(ids) {
                            let _ = done.send(Ok(id));
                        }
                    }
                    Err(e) => {
                        // Logged without content: the error names the
                        // database failure, never the report.
                        tracing::error!(target: "ctip::tipline", "storing {} reports failed: {e}", tips.len());
                        for done in waiting {
                            let _ = done.send(Err(e.to_string()));
                        }
                    }
                }
            }
        });
        TipWriter { queue }
    }

    /// Stores `tip` and returns its id once it is committed.
    pub async fn store(&self, tip: NewTip) -> Result<i64, String> {
        let (done, wait) = oneshot::channel();
        self.queue
            .send(Pending { tip, done })
            .await
            .map_err(|_| "the report writer has stopped".to_owned())?;
        wait.await
            .map_err(|_| "the report writer has stopped".to_owned())?
    }
}
