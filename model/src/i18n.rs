//! Every user-facing word the wall shows, in English and Simplified Chinese.
//!
//! Components never hold literal text: they ask for a [`Msg`] in the viewer's [`Lang`], so a
//! missing translation is a compile error (the `match` below is exhaustive), not an English
//! word on a Chinese screen.

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

/// The words of the wall.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Msg {
    WallTitle,
    Demo,
    DemoExplainer,
    Connecting,
    Live,
    System,
    ThisNode,
    Version,
    Uptime,
    ServerTime,
    Database,
    Engine,
    Latency,
    Migrations,
    MigrationsCurrent,
    MigrationsPending,
    Reachable,
    Unreachable,
    Pool,
    Nodes,
    NodeAlive,
    NodeDown,
    LastSeen,
    Stream,
    StreamClients,
    EventsPublished,
    LastEvent,
    NoData,
    Collectors,
    NoSources,
    SourceOk,
    SourceFailing,
    SourcePaused,
    SourceStarting,
    Lag,
    RequestsPerMinute,
}

pub fn t(lang: Lang, msg: Msg) -> &'static str {
    use Msg::*;
    match lang {
        Lang::En => match msg {
            WallTitle => "Hangar operations wall",
            Demo => "DEMO",
            DemoExplainer => "Simulated fleet: no real robot is behind this screen",
            Connecting => "connecting…",
            Live => "live",
            System => "System",
            ThisNode => "This node",
            Version => "Version",
            Uptime => "Uptime",
            ServerTime => "Server time",
            Database => "Database",
            Engine => "Engine",
            Latency => "Latency",
            Migrations => "Migrations",
            MigrationsCurrent => "current",
            MigrationsPending => "PENDING",
            Reachable => "reachable",
            Unreachable => "UNREACHABLE",
            Pool => "Connections (idle / open)",
            Nodes => "Nodes",
            NodeAlive => "up",
            NodeDown => "DOWN",
            LastSeen => "seen",
            Stream => "Live stream",
            StreamClients => "Screens connected",
            EventsPublished => "Events published",
            LastEvent => "Last event",
            NoData => "no data yet",
            Collectors => "Collectors",
            NoSources => "no sources configured",
            SourceOk => "ok",
            SourceFailing => "FAILING",
            SourcePaused => "paused",
            SourceStarting => "starting",
            Lag => "lag",
            RequestsPerMinute => "req/min",
        },
        Lang::ZhCn => match msg {
            WallTitle => "Hangar 运维监控墙",
            Demo => "DEMO 演示",
            DemoExplainer => "模拟机群：此屏幕背后没有真实机器人",
            Connecting => "连接中…",
            Live => "实时",
            System => "系统",
            ThisNode => "本节点",
            Version => "版本",
            Uptime => "运行时长",
            ServerTime => "服务器时间",
            Database => "数据库",
            Engine => "引擎",
            Latency => "延迟",
            Migrations => "数据库迁移",
            MigrationsCurrent => "已是最新",
            MigrationsPending => "待执行",
            Reachable => "可连接",
            Unreachable => "无法连接",
            Pool => "连接（空闲 / 打开）",
            Nodes => "节点",
            NodeAlive => "在线",
            NodeDown => "离线",
            LastSeen => "心跳",
            Stream => "实时数据流",
            StreamClients => "已连接屏幕",
            EventsPublished => "已发布事件",
            LastEvent => "最新事件",
            NoData => "暂无数据",
            Collectors => "数据采集",
            NoSources => "尚未配置数据源",
            SourceOk => "正常",
            SourceFailing => "故障",
            SourcePaused => "已暂停",
            SourceStarting => "启动中",
            Lag => "延迟",
            RequestsPerMinute => "请求/分钟",
        },
    }
}

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
    fn clocks_are_localized() {
        let at = Utc.with_ymd_and_hms(2026, 11, 21, 3, 4, 5).unwrap();
        assert_eq!(clock(Lang::En, at), "21 Nov 2026 03:04:05 UTC");
        assert_eq!(clock(Lang::ZhCn, at), "2026年11月21日 03:04:05 UTC");
    }

    #[test]
    fn every_message_has_both_languages() {
        use Msg::*;
        for m in [
            WallTitle,
            Demo,
            DemoExplainer,
            Connecting,
            Live,
            System,
            ThisNode,
            Version,
            Uptime,
            ServerTime,
            Database,
            Engine,
            Latency,
            Migrations,
            MigrationsCurrent,
            MigrationsPending,
            Reachable,
            Unreachable,
            Pool,
            Nodes,
            NodeAlive,
            NodeDown,
            LastSeen,
            Stream,
            StreamClients,
            EventsPublished,
            LastEvent,
            NoData,
        ] {
            assert!(!t(Lang::En, m).is_empty());
            assert!(!t(Lang::ZhCn, m).is_empty());
            assert_ne!(t(Lang::En, m), t(Lang::ZhCn, m), "{m:?} untranslated");
        }
    }
}
