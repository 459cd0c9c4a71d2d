//! Wall profiles: which screens a wall has and what each one shows.
//!
//! A wall of M monitors opens `/wall/1` … `/wall/M` of one profile, so the monitors show
//! complementary screens; a single monitor opening `/wall` plays the screens in turn when the
//! profile has a rotation interval (and holds still while an alarm is open).

use serde::{Deserialize, Serialize};

use crate::fleet::Vendor;
use crate::i18n::Lang;

/// A panel a screen can show.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum PanelKind {
    /// Running, queued, failures and success rate today, idle robots, licences in use.
    Kpi,
    /// Active anomalies by severity and age, with who acknowledged them.
    Anomalies,
    /// Every VM with its robots: state, current process, elapsed time, last result.
    Fleet,
    /// Today's runs as a Gantt chart, one lane per robot.
    Timeline,
    /// Busy share per robot and hour over the last seven days.
    Saturation,
    /// How each vendor source is being collected.
    Collectors,
    /// Running, runs, failures and anomalies by department and product.
    Breakdown,
    /// Hangar itself: nodes, database, live stream.
    Hangar,
}

impl PanelKind {
    /// Large panels take the wide column of a screen; small ones stack beside them.
    pub fn is_large(self) -> bool {
        matches!(
            self,
            PanelKind::Anomalies | PanelKind::Fleet | PanelKind::Timeline | PanelKind::Saturation
        )
    }

    pub fn as_str(self) -> &'static str {
        match self {
            PanelKind::Kpi => "kpi",
            PanelKind::Anomalies => "anomalies",
            PanelKind::Fleet => "fleet",
            PanelKind::Timeline => "timeline",
            PanelKind::Saturation => "saturation",
            PanelKind::Collectors => "collectors",
            PanelKind::Breakdown => "breakdown",
            PanelKind::Hangar => "hangar",
        }
    }
}

/// A text the profile's author wrote, in both languages.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LocalText {
    pub en: String,
    #[serde(rename = "zh-CN")]
    pub zh_cn: String,
}

impl LocalText {
    pub fn new(en: &str, zh_cn: &str) -> LocalText {
        LocalText {
            en: en.to_owned(),
            zh_cn: zh_cn.to_owned(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::ZhCn => &self.zh_cn,
        }
    }
}

/// One screen of a wall.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ScreenSpec {
    pub title: LocalText,
    pub panels: Vec<PanelKind>,
    /// Only these departments; empty means every department.
    #[serde(default)]
    pub departments: Vec<String>,
    /// Only these products; empty means every product.
    #[serde(default)]
    pub vendors: Vec<Vendor>,
}

impl ScreenSpec {
    pub fn shows_department(&self, department: &str) -> bool {
        self.departments.is_empty() || self.departments.iter().any(|d| d == department)
    }

    pub fn shows_vendor(&self, vendor: Vendor) -> bool {
        self.vendors.is_empty() || self.vendors.contains(&vendor)
    }

    pub fn has(&self, panel: PanelKind) -> bool {
        self.panels.contains(&panel)
    }
}

/// A saved wall: its screens, language, rotation and how old data may get before it is
/// marked stale.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WallProfile {
    pub name: String,
    /// The language of every screen, unless the URL says `?lang=`.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, example = "zh-CN"))]
    pub lang: Option<Lang>,
    pub screens: Vec<ScreenSpec>,
    /// A monitor showing `/wall` (no screen chosen) moves to the next screen this often;
    /// 0 keeps it on the first screen.
    #[serde(default)]
    pub rotate_secs: u32,
    /// A panel whose data is older than this is marked stale.
    #[serde(default = "default_stale_after")]
    pub stale_after_secs: u32,
    /// Play a tone when an alarm takes the screens (off by default: many control rooms are
    /// shared, and a browser may refuse sound without a click anyway).
    #[serde(default)]
    pub sound: bool,
}

fn default_stale_after() -> u32 {
    30
}

/// The profile every installation has, and `/wall` shows when none is named.
pub const DEFAULT_PROFILE: &str = "ops-floor";

impl WallProfile {
    /// Three complementary screens for an operations floor: what is wrong now, the fleet,
    /// and today's runs against the week's capacity.
    pub fn ops_floor() -> WallProfile {
        use PanelKind::*;
        let screen = |en, zh, panels: &[PanelKind]| ScreenSpec {
            title: LocalText::new(en, zh),
            panels: panels.to_vec(),
            departments: Vec::new(),
            vendors: Vec::new(),
        };
        WallProfile {
            name: DEFAULT_PROFILE.to_owned(),
            lang: None,
            screens: vec![
                screen(
                    "Now",
                    "当前状况",
                    &[Kpi, Anomalies, Breakdown, Collectors, Hangar],
                ),
                screen("Fleet", "虚拟机与机器人", &[Kpi, Fleet]),
                screen("Runs and capacity", "运行与产能", &[Timeline, Saturation]),
            ],
            rotate_secs: 30,
            stale_after_secs: default_stale_after(),
            sound: false,
        }
    }

    /// Checks a profile an operator saved; the message says what to change.
    pub fn validate(&self) -> Result<(), String> {
        let name_ok = !self.name.is_empty()
            && self.name.len() <= 40
            && self
                .name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if !name_ok {
            return Err(format!(
                "a profile name is 1-40 lowercase letters, digits and dashes, got {:?}",
                self.name
            ));
        }
        if self.screens.is_empty() || self.screens.len() > 12 {
            return Err(format!(
                "a profile has 1 to 12 screens, this one has {}",
                self.screens.len()
            ));
        }
        for (i, screen) in self.screens.iter().enumerate() {
            let n = i + 1;
            if screen.panels.is_empty() || screen.panels.len() > 6 {
                return Err(format!("screen {n} must show 1 to 6 panels"));
            }
            let mut seen = screen.panels.clone();
            seen.sort_by_key(|p| p.as_str());
            seen.dedup();
            if seen.len() != screen.panels.len() {
                return Err(format!("screen {n} shows a panel twice"));
            }
            if screen.panels.iter().filter(|p| p.is_large()).count() > 2 {
                return Err(format!(
                    "screen {n} shows more than two large panels (anomalies, fleet, timeline, \
                     saturation): they would be too small to read across a room"
                ));
            }
            if screen.title.en.trim().is_empty() || screen.title.zh_cn.trim().is_empty() {
                return Err(format!("screen {n} needs a title in English and Chinese"));
            }
        }
        if self.rotate_secs != 0 && !(10..=3_600).contains(&self.rotate_secs) {
            return Err("rotate_secs is 0 (off) or 10 to 3600".to_owned());
        }
        if !(5..=600).contains(&self.stale_after_secs) {
            return Err("stale_after_secs is 5 to 600".to_owned());
        }
        Ok(())
    }

    /// The screen for a 1-based number, if the profile has it.
    pub fn screen(&self, number: usize) -> Option<&ScreenSpec> {
        number.checked_sub(1).and_then(|i| self.screens.get(i))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_profile_is_valid_and_covers_every_panel() {
        let p = WallProfile::ops_floor();
        p.validate().unwrap();
        for kind in [
            PanelKind::Kpi,
            PanelKind::Anomalies,
            PanelKind::Fleet,
            PanelKind::Timeline,
            PanelKind::Saturation,
            PanelKind::Collectors,
            PanelKind::Breakdown,
            PanelKind::Hangar,
        ] {
            assert!(
                p.screens.iter().any(|s| s.has(kind)),
                "{kind:?} on no screen"
            );
        }
        assert_eq!(p.screen(1).unwrap().title.en, "Now");
        assert!(p.screen(0).is_none() && p.screen(4).is_none());
    }

    #[test]
    fn bad_profiles_are_refused_with_a_reason() {
        let mut p = WallProfile::ops_floor();
        p.name = "Ops Floor".into();
        assert!(p.validate().unwrap_err().contains("lowercase"));

        let mut p = WallProfile::ops_floor();
        p.screens[0].panels.push(PanelKind::Kpi);
        assert!(p.validate().unwrap_err().contains("twice"));

        let mut p = WallProfile::ops_floor();
        p.screens[0].panels = vec![PanelKind::Anomalies, PanelKind::Fleet, PanelKind::Timeline];
        assert!(p.validate().unwrap_err().contains("large"));

        let mut p = WallProfile::ops_floor();
        p.rotate_secs = 3;
        assert!(p.validate().is_err());
    }

    #[test]
    fn profiles_read_from_json_with_defaults() {
        let p: WallProfile = serde_json::from_str(
            r#"{"name":"finance","lang":"zh-CN","screens":[{"title":{"en":"Finance","zh-CN":"财务"},
                "panels":["kpi","fleet"],"departments":["finance"]}]}"#,
        )
        .unwrap();
        p.validate().unwrap();
        assert_eq!(p.lang, Some(Lang::ZhCn));
        assert_eq!(p.stale_after_secs, 30);
        assert_eq!(p.rotate_secs, 0);
        assert!(p.screens[0].shows_department("finance"));
        assert!(!p.screens[0].shows_department("operations"));
    }
}
