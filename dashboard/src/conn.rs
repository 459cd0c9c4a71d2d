//! The stream connection as the wall tells it: never old data shown as if it were live.

use hangar_model::i18n::{self, Lang, Msg};

/// No event for this long while "live" means the connection is dead even if the socket has
/// not noticed (a half-open TCP connection never errors): the wall says so and reconnects.
/// The server sends status every few seconds, so this is several missed beats.
pub const STALE_AFTER_SECS: u64 = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConnState {
    /// Before the first connection opened (and on the server, where there is none).
    Connecting,
    Live,
    Reconnecting,
}

impl ConnState {
    /// A stable token for CSS and tests.
    pub fn token(self) -> &'static str {
        match self {
            ConnState::Connecting => "connecting",
            ConnState::Live => "live",
            ConnState::Reconnecting => "reconnecting",
        }
    }

    /// The pill text. `data_age_secs` is how old the newest data on screen is, if known.
    pub fn label(self, lang: Lang, data_age_secs: Option<u64>) -> String {
        match (self, data_age_secs) {
            (ConnState::Connecting, _) => i18n::t(lang, Msg::Connecting).to_owned(),
            (ConnState::Live, _) => i18n::t(lang, Msg::Live).to_owned(),
            (ConnState::Reconnecting, Some(age)) => i18n::reconnecting(lang, age),
            (ConnState::Reconnecting, None) => i18n::t(lang, Msg::Connecting).to_owned(),
        }
    }

    /// A shape that carries the state without colour: filled, hollow, dotted.
    pub fn glyph(self) -> &'static str {
        match self {
            ConnState::Connecting => "◌",
            ConnState::Live => "●",
            ConnState::Reconnecting => "◍",
        }
    }
}

/// Whether a connection that believes it is live has gone quiet for too long.
pub fn is_stale(state: ConnState, data_age_secs: Option<u64>) -> bool {
    state == ConnState::Live && data_age_secs.is_some_and(|age| age > STALE_AFTER_SECS)
}

/// Wait before reconnect attempt `attempt` (0-based): 1 s doubling to 30 s, with the jitter
/// fraction (0..1) spreading a wall of screens that all lost the server at once.
pub fn reconnect_delay_ms(attempt: u32, jitter: f64) -> u64 {
    let base = 1_000u64.saturating_mul(1 << attempt.min(5)).min(30_000);
    base / 2 + ((base / 2) as f64 * jitter.clamp(0.0, 1.0)) as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_say_how_old_the_data_is() {
        assert_eq!(ConnState::Live.label(Lang::En, Some(1)), "live");
        assert_eq!(
            ConnState::Reconnecting.label(Lang::En, Some(12)),
            "reconnecting — data 12 s old"
        );
        assert_eq!(ConnState::Connecting.label(Lang::ZhCn, None), "连接中…");
    }

    #[test]
    fn quiet_live_connection_is_stale() {
        assert!(!is_stale(ConnState::Live, Some(STALE_AFTER_SECS)));
        assert!(is_stale(ConnState::Live, Some(STALE_AFTER_SECS + 1)));
        assert!(!is_stale(ConnState::Reconnecting, Some(999)));
        assert!(!is_stale(ConnState::Live, None));
    }

    #[test]
    fn reconnect_backs_off_to_thirty_seconds() {
        assert_eq!(reconnect_delay_ms(0, 0.0), 500);
        assert_eq!(reconnect_delay_ms(0, 1.0), 1_000);
        assert_eq!(reconnect_delay_ms(1, 1.0), 2_000);
        assert_eq!(reconnect_delay_ms(4, 1.0), 16_000);
        assert_eq!(reconnect_delay_ms(5, 1.0), 30_000);
        assert_eq!(reconnect_delay_ms(50, 1.0), 30_000);
    }
}
