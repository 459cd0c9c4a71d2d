//! Fault injection shared by the vendor simulators.
//!
//! Tests (and an operator poking the demo) arm faults; the simulator consumes one armed fault
//! per matching request, so "three 429s, then normal service" is exactly that.

use std::sync::Mutex;
use std::time::Duration;

/// One thing to go wrong on an upcoming request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// Answer 429 with `Retry-After: <secs>`.
    RateLimited { retry_after_secs: u64 },
    /// Answer this 5xx status (502, 503, 504 or 500).
    ServerError { status: u16 },
    /// Answer correctly, but only after this delay.
    Slow { delay: Duration },
    /// Answer 200 with a body that is not valid JSON.
    MalformedJson,
    /// Treat the presented token as expired: 401, so the client must log in again.
    ExpireToken,
    /// Insert this many new records before serving the page, as if work arrived while the
    /// client was paging.
    InsertWhilePaging { rows: u32 },
}

/// Which requests a fault applies to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultScope {
    /// Any data request (not the login).
    AnyData,
    /// Only the run list (UiPath Jobs, AA activity list).
    Runs,
    /// Only the login/token endpoint.
    Auth,
}

#[derive(Default)]
pub struct Faults {
    armed: Mutex<Vec<(FaultScope, Fault)>>,
}

impl Faults {
    /// Arms `fault` for the next `times` matching requests.
    pub fn arm(&self, scope: FaultScope, fault: Fault, times: u32) {
        let mut armed = self.armed.lock().unwrap_or_else(|p| p.into_inner());
        for _ in 0..times {
            armed.push((scope, fault.clone()));
        }
    }

    /// Takes the next armed fault that applies to a request of `scope`, if any.
    pub fn take(&self, scope: FaultScope) -> Option<Fault> {
        let mut armed = self.armed.lock().unwrap_or_else(|p| p.into_inner());
        let matches =
            |s: FaultScope| s == scope || (s == FaultScope::AnyData && scope == FaultScope::Runs);
        let pos = armed.iter().position(|(s, _)| matches(*s))?;
        Some(armed.remove(pos).1)
    }

    pub fn pending(&self) -> usize {
        self.armed.lock().unwrap_or_else(|p| p.into_inner()).len()
    }

    pub fn clear(&self) {
        self.armed.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn faults_are_consumed_in_order_and_by_scope() {
        let f = Faults::default();
        f.arm(FaultScope::Auth, Fault::ExpireToken, 1);
        f.arm(
            FaultScope::Runs,
            Fault::RateLimited {
                retry_after_secs: 1,
            },
            2,
        );
        f.arm(FaultScope::AnyData, Fault::MalformedJson, 1);
        assert_eq!(
            f.take(FaultScope::Runs),
            Some(Fault::RateLimited {
                retry_after_secs: 1
            })
        );
        assert_eq!(
            f.take(FaultScope::Runs),
            Some(Fault::RateLimited {
                retry_after_secs: 1
            })
        );
        // AnyData faults apply to run requests too.
        assert_eq!(f.take(FaultScope::Runs), Some(Fault::MalformedJson));
        assert_eq!(f.take(FaultScope::Runs), None);
        assert_eq!(f.pending(), 1);
        assert_eq!(f.take(FaultScope::Auth), Some(Fault::ExpireToken));
    }
}
