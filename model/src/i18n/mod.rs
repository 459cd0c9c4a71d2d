//! Every user-facing word the wall shows, in English and Simplified Chinese.
//!
//! Components never hold literal text: they ask for a [`Msg`] in the viewer's [`Lang`], so a
//! missing translation is a compile error (see `words.rs`), not an English word on a Chinese
//! screen. Numbers, dates, times and spans are formatted here too, per language.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Lang {
    /// Reads a `?lang=` value or an `Accept-Language` tag; anything unknown falls back to English.
    pub fn parse(tag: &str) -> Lang {
        let tag = tag.trim().to_ascii_lowercase();
        if tag == "zh" || tag.starts_with("zh-cn") || tag.starts_with("zh-hans") || tag == "zh_cn" {
            Lang::ZhCn
        } else {
            Lang::En
        }
    }

    /// The BCP 47 tag for `<html lang>`.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::ZhCn => "zh-CN",
        }
    }
}

pub mod names;
mod words;

pub use words::{Msg, t};

/// "reconnecting — data 12 s old", the banner a dropped stream shows.
pub fn reconnecting(lang: Lang, age_secs: u64) -> String {
    let age = duration(lang, age_secs);
    match lang {
        Lang::En => format!("reconnecting — data {age} old"),
        Lang::ZhCn => format!("重新连接中 — 数据已过去 {age}"),
    }
}

/// "seen 12 s ago": how long ago something happened.
pub fn ago(lang: Lang, secs: u64) -> String {
    let span = duration(lang, secs);
    match lang {
        Lang::En => format!("{span} ago"),
        Lang::ZhCn => format!("{span}前"),
    }
}

/// A span of time in the two largest units that matter: "12 s", "3 min 4 s", "2 d 5 h".
pub fn duration(lang: Lang, secs: u64) -> String {
    let (d, h, m, s) = (secs / 86_400, secs / 3_600 % 24, secs / 60 % 60, secs % 60);
    let parts: [(u64, &str, &str); 4] = [
        (d, " d", " 天"),
        (h, " h", " 小时"),
        (m, " min", " 分"),
        (s, " s", " 秒"),
    ];
    let first = parts.iter().position(|p| p.0 > 0).unwrap_or(3);
    parts[first..]
        .iter()
        .take(2)
        .filter(|(n, ..)| *n > 0 || first == 3)
        .map(|(n, en, zh)| match lang {
            Lang::En => format!("{n}{en}"),
            Lang::ZhCn => format!("{n}{zh}"),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Thousands grouped with commas, as both en and zh-CN write them.
pub fn count(_lang: Lang, n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Milliseconds with the precision a person can use.
pub fn millis(_lang: Lang, ms: f64) -> String {
    if ms < 10.0 {
        format!("{ms:.1} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// "3 of 12" / "3 / 12".
pub fn of_total(lang: Lang, part: u64, total: u64) -> String {
    match lang {
        Lang::En => format!("{} of {}", count(lang, part), count(lang, total)),
        Lang::ZhCn => format!("{} / {}", count(lang, part), count(lang, total)),
    }
}

/// "+4 more" under a list cut to fit the screen.
pub fn more(lang: Lang, n: usize) -> String {
    match lang {
        Lang::En => format!("+{n} more"),
        Lang::ZhCn => format!("另有 {n} 项"),
    }
}

/// A share as a whole percent: "97 %"; `None` reads as a dash.
pub fn percent(_lang: Lang, share: Option<f64>) -> String {
    match share {
        Some(s) => format!("{:.0} %", (s * 100.0).clamp(0.0, 100.0)),
        None => "–".to_owned(),
    }
}

/// "Screen 2 of 3" / "第 2 屏，共 3 屏".
pub fn screen_of(lang: Lang, n: usize, total: usize) -> String {
    match lang {
        Lang::En => format!("Screen {n} of {total}"),
        Lang::ZhCn => format!("第 {n} 屏，共 {total} 屏"),
    }
}

/// An hour and minute in UTC, for chart axes and short times: "14:05".
pub fn hour_minute(_lang: Lang, at: DateTime<Utc>) -> String {
    at.format("%H:%M").to_string()
}

/// A day for a chart axis: "Sat 21" / "21日 周六".
pub fn short_day(lang: Lang, at: DateTime<Utc>) -> String {
    use chrono::Datelike;
    const ZH: [&str; 7] = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    match lang {
        Lang::En => at.format("%a %d").to_string(),
        Lang::ZhCn => format!(
            "{}日 {}",
            at.day(),
            ZH[at.weekday().num_days_from_monday() as usize]
        ),
    }
}

/// A wall-clock time, to the second, in UTC (said so, because the wall is read across zones).
pub fn clock(lang: Lang, at: DateTime<Utc>) -> String {
    match lang {
        Lang::En => at.format("%d %b %Y %H:%M:%S UTC").to_string(),
        Lang::ZhCn => at.format("%Y年%m月%d日 %H:%M:%S UTC").to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn parses_language_tags() {
        assert_eq!(Lang::parse("zh-CN"), Lang::ZhCn);
        assert_eq!(Lang::parse("zh"), Lang::ZhCn);
        assert_eq!(Lang::parse("zh-Hans-CN"), Lang::ZhCn);
        assert_eq!(Lang::parse("en-GB"), Lang::En);
        assert_eq!(Lang::parse("fr"), Lang::En);
        assert_eq!(Lang::ZhCn.tag(), "zh-CN");
    }

    #[test]
    fn durations_show_two_units() {
        assert_eq!(duration(Lang::En, 0), "0 s");
        assert_eq!(duration(Lang::En, 12), "12 s");
        assert_eq!(duration(Lang::En, 60), "1 min");
        assert_eq!(duration(Lang::En, 184), "3 min 4 s");
        assert_eq!(duration(Lang::En, 3_600 * 5 + 59), "5 h");
        assert_eq!(duration(Lang::En, 86_400 * 2 + 3_600 * 5 + 7), "2 d 5 h");
        assert_eq!(duration(Lang::ZhCn, 184), "3 分 4 秒");
    }

    #[test]
    fn reconnecting_banner_carries_the_age() {
        assert_eq!(reconnecting(Lang::En, 12), "reconnecting — data 12 s old");
        assert_eq!(
            reconnecting(Lang::ZhCn, 12),
            "重新连接中 — 数据已过去 12 秒"
        );
    }

    #[test]
    fn ago_reads_naturally() {
        assert_eq!(ago(Lang::En, 75), "1 min 15 s ago");
        assert_eq!(ago(Lang::ZhCn, 3), "3 秒前");
    }

    #[test]
    fn counts_are_grouped() {
        assert_eq!(count(Lang::En, 0), "0");
        assert_eq!(count(Lang::En, 999), "999");
        assert_eq!(count(Lang::En, 1_000), "1,000");
        assert_eq!(count(Lang::ZhCn, 1_234_567), "1,234,567");
    }

    #[test]
    fn small_formats_read_naturally() {
        assert_eq!(of_total(Lang::En, 3, 1_200), "3 of 1,200");
        assert_eq!(of_total(Lang::ZhCn, 3, 12), "3 / 12");
        assert_eq!(more(Lang::ZhCn, 4), "另有 4 项");
        assert_eq!(percent(Lang::En, Some(0.974)), "97 %");
        assert_eq!(percent(Lang::En, None), "–");
        assert_eq!(screen_of(Lang::ZhCn, 2, 3), "第 2 屏，共 3 屏");
        let at = Utc.with_ymd_and_hms(2026, 11, 21, 14, 5, 0).unwrap();
        assert_eq!(hour_minute(Lang::En, at), "14:05");
        assert_eq!(short_day(Lang::En, at), "Sat 21");
        assert_eq!(short_day(Lang::ZhCn, at), "21日 周六");
    }

    #[test]
    fn clocks_are_localized() {
        let at = Utc.with_ymd_and_hms(2026, 11, 21, 3, 4, 5).unwrap();
        assert_eq!(clock(Lang::En, at), "21 Nov 2026 03:04:05 UTC");
        assert_eq!(clock(Lang::ZhCn, at), "2026年11月21日 03:04:05 UTC");
    }

    #[test]
    fn every_message_has_both_languages() {
        for &m in Msg::ALL {
            assert!(!t(Lang::En, m).is_empty(), "{m:?} has no English");
            assert!(!t(Lang::ZhCn, m).is_empty(), "{m:?} has no Chinese");
            // The same text in both is allowed only where it is a code, a unit or a name.
            if !SAME_IN_BOTH.contains(&m) {
                assert_ne!(t(Lang::En, m), t(Lang::ZhCn, m), "{m:?} untranslated");
            }
        }
    }

    /// Messages that read the same in both languages on purpose.
    const SAME_IN_BOTH: &[Msg] = &[Msg::VendorUipath, Msg::VendorAa];
}
