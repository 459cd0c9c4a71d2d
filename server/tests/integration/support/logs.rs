//! Every log line of the test process, at TRACE, while a [`LogCapture`] is alive: for tests
//! that must prove something never reaches the logs. The subscriber is global (the app's
//! tasks run on many threads), so a capture also sees other tests' lines — which only makes
//! "this never appears" stricter.

use std::io::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use tracing_subscriber::fmt::MakeWriter;

static ACTIVE: AtomicUsize = AtomicUsize::new(0);
static BUFFER: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// Whether some test is capturing; the capture layer's filter.
pub fn active() -> bool {
    ACTIVE.load(Ordering::Relaxed) > 0
}

/// Writes into the shared buffer.
#[derive(Clone, Copy, Default)]
pub struct CaptureWriter;

impl Write for CaptureWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        BUFFER
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for CaptureWriter {
    type Writer = CaptureWriter;
    fn make_writer(&'a self) -> Self::Writer {
        CaptureWriter
    }
}

/// Captures while alive.
pub struct LogCapture {
    start: usize,
}

impl LogCapture {
    pub fn start() -> LogCapture {
        super::init_logs();
        ACTIVE.fetch_add(1, Ordering::SeqCst);
        let start = BUFFER.lock().unwrap_or_else(|p| p.into_inner()).len();
        LogCapture { start }
    }

    /// Everything logged since this capture started (by any test).
    pub fn text(&self) -> String {
        let buffer = BUFFER.lock().unwrap_or_else(|p| p.into_inner());
        String::from_utf8_lossy(&buffer[self.start.min(buffer.len())..]).into_owned()
    }
}

impl Drop for LogCapture {
    fn drop(&mut self) {
        ACTIVE.fetch_sub(1, Ordering::SeqCst);
    }
}
