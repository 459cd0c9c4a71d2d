//! Login throttling: failed sign-ins are counted per user name and per client address with
//! `governor` (GCRA), and a key whose allowance is used up is refused until a cell refills.
//!
//! Only failures consume the allowance, so a success neither counts nor resets anything: an
//! address guessing many users' passwords is held back even when one guess is right.

use std::collections::HashMap;
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use governor::middleware::StateInformationMiddleware;
use governor::state::keyed::DefaultKeyedStateStore;
use governor::{Quota, RateLimiter, clock::DefaultClock};

type Limiter =
    RateLimiter<String, DefaultKeyedStateStore<String>, DefaultClock, StateInformationMiddleware>;

/// One kind of key (user names, or addresses): its allowance and who is refused until when.
struct Keyed {
    limiter: Limiter,
    refill: Duration,
    blocked: Mutex<HashMap<String, Instant>>,
}

impl Keyed {
    fn new(failures: u32, window: Duration) -> Keyed {
        let failures = NonZeroU32::new(failures.max(1)).unwrap_or(NonZeroU32::MIN);
        let refill = window / failures.get();
        let quota = Quota::with_period(refill.max(Duration::from_millis(1)))
            .unwrap_or_else(|| Quota::per_second(NonZeroU32::MIN))
            .allow_burst(failures);
        Keyed {
            limiter: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            refill,
            blocked: Mutex::new(HashMap::new()),
        }
    }

    fn retry_after(&self, key: &str, now: Instant) -> Option<Duration> {
        let blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
        blocked
            .get(key)
            .and_then(|until| until.checked_duration_since(now))
    }

    fn fail(&self, key: String, now: Instant) {
        let exhausted = match self.limiter.check_key(&key) {
            Ok(snapshot) => snapshot.remaining_burst_capacity() == 0,
            Err(_) => true,
        };
        if exhausted {
            let mut blocked = self.blocked.lock().unwrap_or_else(|p| p.into_inner());
            // Bounded memory under a spray of names: forget blocks that have ended.
            if blocked.len() > 10_000 {
                blocked.retain(|_, until| *until > now);
                self.limiter.retain_recent();
            }
            blocked.insert(key, now + self.refill);
        }
    }
}

pub struct LoginThrottle {
    users: Keyed,
    ips: Keyed,
}

impl LoginThrottle {
    pub fn new(per_user: u32, per_ip: u32, window: Duration) -> LoginThrottle {
        LoginThrottle {
            users: Keyed::new(per_user, window),
            ips: Keyed::new(per_ip, window),
        }
    }

    /// How long this attempt must wait, if it must.
    pub fn check(&self, username: &str, ip: Option<IpAddr>) -> Option<Duration> {
        let now = Instant::now();
        let user = self.users.retry_after(&username.to_lowercase(), now);
        let ip = ip.and_then(|ip| self.ips.retry_after(&ip.to_string(), now));
        match (user, ip) {
            (Some(a), Some(b)) => Some(a.max(b)),
            (a, b) => a.or(b),
        }
    }

    pub fn record_failure(&self, username: &str, ip: Option<IpAddr>) {
        let now = Instant::now();
        self.users.fail(username.to_lowercase(), now);
        if let Some(ip) = ip {
            self.ips.fail(ip.to_string(), now);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_allowance_is_per_user_and_per_address() {
        let t = LoginThrottle::new(3, 10, Duration::from_secs(900));
        let ip: IpAddr = "10.0.0.1".parse().unwrap();
        for _ in 0..3 {
            assert_eq!(t.check("Ann", Some(ip)), None);
            t.record_failure("Ann", Some(ip));
        }
        // Case does not matter: "ann" is the same user.
        assert!(t.check("ann", None).is_some());
        assert!(t.check("bob", Some(ip)).is_none());
        let other: IpAddr = "10.0.0.2".parse().unwrap();
        for i in 0..10 {
            t.record_failure(&format!("user{i}"), Some(other));
        }
        assert!(t.check("carol", Some(other)).is_some());
    }
}
