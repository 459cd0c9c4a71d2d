//! The run timeline (a Gantt per robot for today) and the saturation heatmap, drawn with
//! plotters into SVG. The same code runs on the server for the first paint and in the
//! browser when data changes, so the two never disagree. Everything is placed in fixed
//! coordinates (no text measuring), so the output is identical on both sides.

use chrono::{DateTime, Utc};
use hangar_model::RunState;
use hangar_model::i18n::{self, Lang, Msg};
use hangar_model::wall::{Heatmap, Lane, Timeline};
use leptos::prelude::*;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use crate::frame::{PanelFrame, no_data};
use crate::state::WallState;

/// Drawing size in SVG units; CSS scales the picture to its panel, type with it.
const W: i32 = 1760;
const H: i32 = 440;
const LABEL_W: i32 = 250;
const AXIS_H: i32 = 40;
/// Lanes and heatmap rows that stay readable across a room.
pub const MAX_LANES: usize = 14;
const FONT: &str = "sans-serif";

const FG: RGBColor = RGBColor(232, 238, 245);
const MUTED: RGBColor = RGBColor(159, 176, 195);
const GRID: RGBColor = RGBColor(38, 50, 65);
// Okabe–Ito: distinguishable with the common kinds of colour blindness.
const OK: RGBColor = RGBColor(0, 158, 115);
const BAD: RGBColor = RGBColor(213, 94, 0);
const RUN: RGBColor = RGBColor(86, 180, 233);
const OTHER: RGBColor = RGBColor(120, 130, 145);

fn text(size: f64, color: &'static RGBColor, h: HPos) -> TextStyle<'static> {
    TextStyle::from((FONT, size).into_font())
        .color(color)
        .pos(Pos::new(h, VPos::Center))
}

/// Lanes worth a room's attention first: failures, then what runs now, then the busiest.
fn pick_lanes(lanes: &[Lane]) -> (Vec<&Lane>, usize) {
    let mut ranked: Vec<&Lane> = lanes.iter().collect();
    let score = |l: &Lane| {
        let failed = l.bars.iter().any(|b| b.state == RunState::Failed);
        let running = l.bars.iter().any(|b| b.end.is_none());
        (failed, running, l.bars.len())
    };
    ranked.sort_by(|a, b| score(b).cmp(&score(a)).then_with(|| a.robot.cmp(&b.robot)));
    let hidden = ranked.len().saturating_sub(MAX_LANES);
    ranked.truncate(MAX_LANES);
    ranked.sort_by(|a, b| a.robot.cmp(&b.robot));
    (ranked, hidden)
}

/// Today's runs, one lane per robot, as SVG. `now` draws the "now" line and ends running
/// bars. Succeeded bars are solid, failed ones carry a cross, running ones an arrow head.
pub fn gantt_svg(t: &Timeline, now: DateTime<Utc>, lang: Lang) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W as u32, H as u32)).into_drawing_area();
        let _ = draw_gantt(&root, t, now, lang);
        let _ = root.present();
    }
    svg
}

fn draw_gantt<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    t: &Timeline,
    now: DateTime<Utc>,
    lang: Lang,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let (lanes, hidden) = pick_lanes(&t.lanes);
    let span = (t.to - t.from).num_seconds().max(1) as f64;
    let plot_w = f64::from(W - LABEL_W - 10);
    let x_of = |at: DateTime<Utc>| {
        let s = (at - t.from).num_seconds().clamp(0, span as i64) as f64;
        LABEL_W + (s / span * plot_w) as i32
    };
    // Hour grid and labels every 3 hours.
    for h in 0..=24 {
        let x = LABEL_W + (f64::from(h) / 24.0 * plot_w) as i32;
        let strong = h % 3 == 0;
        root.draw(&PathElement::new(
            vec![(x, 0), (x, H - AXIS_H)],
            if strong {
                GRID.stroke_width(2)
            } else {
                GRID.stroke_width(1)
            },
        ))?;
        if strong && h < 24 {
            root.draw(&Text::new(
                format!("{h:02}:00"),
                (x + 4, H - AXIS_H / 2),
                text(26.0, &MUTED, HPos::Left),
            ))?;
        }
    }
    if lanes.is_empty() {
        root.draw(&Text::new(
            i18n::t(lang, Msg::NoRunsToday).to_owned(),
            (W / 2, (H - AXIS_H) / 2),
            text(34.0, &MUTED, HPos::Center),
        ))?;
    }
    let lane_h = (H - AXIS_H) / MAX_LANES as i32;
    for (i, lane) in lanes.iter().enumerate() {
        let y0 = i as i32 * lane_h;
        let (top, bottom) = (y0 + 4, y0 + lane_h - 4);
        root.draw(&Text::new(
            lane.robot.clone(),
            (LABEL_W - 10, y0 + lane_h / 2),
            text(26.0, &FG, HPos::Right),
        ))?;
        for bar in &lane.bars {
            let x0 = x_of(bar.start);
            let x1 = x_of(bar.end.unwrap_or(now)).max(x0 + 3);
            let color = match bar.state {
                RunState::Succeeded => OK,
                RunState::Failed => BAD,
                s if !s.is_terminal() => RUN,
                _ => OTHER,
            };
            root.draw(&Rectangle::new([(x0, top), (x1, bottom)], color.filled()))?;
            match bar.state {
                RunState::Failed => {
                    // A cross over the bar's end: failure reads without colour.
                    let (cx, cy, r) = (x1, (top + bottom) / 2, lane_h / 3);
                    let style = FG.stroke_width(3);
                    root.draw(&PathElement::new(
                        vec![(cx - r, cy - r), (cx + r, cy + r)],
                        style,
                    ))?;
                    root.draw(&PathElement::new(
                        vec![(cx - r, cy + r), (cx + r, cy - r)],
                        style,
                    ))?;
                }
                s if !s.is_terminal() => {
                    let cy = (top + bottom) / 2;
                    root.draw(&Polygon::new(
                        vec![(x1, top - 2), (x1 + lane_h / 2, cy), (x1, bottom + 2)],
                        RUN.filled(),
                    ))?;
                }
                _ => {}
            }
        }
    }
    // "Now".
    let x = x_of(now);
    root.draw(&PathElement::new(
        vec![(x, 0), (x, H - AXIS_H)],
        FG.stroke_width(3),
    ))?;
    // Its label sits in the lane area's top corner, clear of the hour labels.
    root.draw(&Text::new(
        i18n::t(lang, Msg::Now).to_owned(),
        (x + 6, 12),
        text(26.0, &FG, HPos::Left),
    ))?;
    if hidden > 0 {
        root.draw(&Text::new(
            i18n::more(lang, hidden),
            (10, H - AXIS_H / 2),
            text(26.0, &MUTED, HPos::Left),
        ))?;
    }
    Ok(())
}

/// Viridis, sampled: dark for idle, bright for busy; perceptually even and colour-blind safe.
fn viridis(pct: u8) -> RGBColor {
    const STOPS: [(f64, f64, f64); 5] = [
        (68.0, 1.0, 84.0),
        (59.0, 82.0, 139.0),
        (33.0, 145.0, 140.0),
        (94.0, 201.0, 98.0),
        (253.0, 231.0, 37.0),
    ];
    let t = f64::from(pct.min(100)) / 100.0 * 4.0;
    let i = (t.floor() as usize).min(3);
    let f = t - i as f64;
    let (a, b) = (STOPS[i], STOPS[i + 1]);
    let mix = |x: f64, y: f64| (x + (y - x) * f).round() as u8;
    RGBColor(mix(a.0, b.0), mix(a.1, b.1), mix(a.2, b.2))
}

/// Robot × hour busy share over the last seven days, as SVG.
pub fn heatmap_svg(h: &Heatmap, lang: Lang) -> String {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (W as u32, H as u32)).into_drawing_area();
        let _ = draw_heatmap(&root, h, lang);
        let _ = root.present();
    }
    svg
}

fn draw_heatmap<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    h: &Heatmap,
    lang: Lang,
) -> Result<(), DrawingAreaErrorKind<DB::ErrorType>> {
    let legend_w = 170;
    let plot_w = f64::from(W - LABEL_W - legend_w);
    let hours = h.hours.max(1) as usize;
    let cell_w = plot_w / hours as f64;
    let rows: Vec<_> = h.rows.iter().take(MAX_LANES).collect();
    let row_h = (H - AXIS_H) / MAX_LANES as i32;
    for (r, row) in rows.iter().enumerate() {
        let y0 = r as i32 * row_h;
        root.draw(&Text::new(
            format!("{} · {}%", row.robot, row.mean),
            (LABEL_W - 10, y0 + row_h / 2),
            text(24.0, &FG, HPos::Right),
        ))?;
        for (c, &pct) in row.cells.iter().enumerate() {
            let x0 = LABEL_W + (c as f64 * cell_w) as i32;
            let x1 = LABEL_W + ((c + 1) as f64 * cell_w).ceil() as i32;
            root.draw(&Rectangle::new(
                [(x0, y0 + 1), (x1, y0 + row_h - 1)],
                viridis(pct).filled(),
            ))?;
        }
    }
    if rows.is_empty() {
        root.draw(&Text::new(
            i18n::t(lang, Msg::NoData).to_owned(),
            (W / 2, (H - AXIS_H) / 2),
            text(34.0, &MUTED, HPos::Center),
        ))?;
    }
    // A label and a line at each UTC midnight.
    for c in 0..hours {
        let at = h.from + chrono::TimeDelta::hours(c as i64);
        if at.format("%H").to_string() == "00" {
            let x = LABEL_W + (c as f64 * cell_w) as i32;
            root.draw(&PathElement::new(
                vec![(x, 0), (x, H - AXIS_H)],
                FG.stroke_width(2),
            ))?;
            root.draw(&Text::new(
                i18n::short_day(lang, at),
                (x + 4, H - AXIS_H / 2),
                text(24.0, &MUTED, HPos::Left),
            ))?;
        }
    }
    // Legend: the scale from idle to fully busy.
    let lx = W - legend_w + 40;
    for step in 0..=10u8 {
        let y1 = H - AXIS_H - i32::from(step) * 30;
        root.draw(&Rectangle::new(
            [(lx, y1 - 30), (lx + 40, y1)],
            viridis(step * 10).filled(),
        ))?;
        if step % 5 == 0 {
            root.draw(&Text::new(
                format!("{}", u32::from(step) * 10),
                (lx + 50, y1 - 15),
                text(24.0, &MUTED, HPos::Left),
            ))?;
        }
    }
    root.draw(&Text::new(
        i18n::t(lang, Msg::BusyPercent).to_owned(),
        (lx + 20, H - AXIS_H / 2),
        text(24.0, &MUTED, HPos::Center),
    ))?;
    Ok(())
}

#[component]
pub fn TimelinePanel(state: WallState, lang: Memo<Lang>) -> impl IntoView {
    let svg = move || {
        let lang = lang.get();
        let now = state.now()?;
        state.data.with(|d| {
            d.as_ref()
                .and_then(|d| d.timeline.as_ref())
                .map(|t| gantt_svg(t, now, lang))
        })
    };
    view! {
        <PanelFrame id="panel-timeline" title=Msg::Timeline state lang>
            {move || match svg() {
                Some(svg) => view! { <div class="chart" inner_html=svg></div> }.into_any(),
                None => no_data(lang.get()),
            }}
        </PanelFrame>
    }
}

#[component]
pub fn SaturationPanel(state: WallState, lang: Memo<Lang>) -> impl IntoView {
    let svg = move || {
        let lang = lang.get();
        state.data.with(|d| {
            d.as_ref()
                .and_then(|d| d.saturation.as_ref())
                .map(|h| heatmap_svg(h, lang))
        })
    };
    view! {
        <PanelFrame id="panel-saturation" title=Msg::Saturation state lang>
            {move || match svg() {
                Some(svg) => view! { <div class="chart" inner_html=svg></div> }.into_any(),
                None => no_data(lang.get()),
            }}
        </PanelFrame>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;
    use hangar_model::wall::{Bar, HeatRow};

    /// Whether the SVG has a text element reading exactly `text`.
    fn has_text(svg: &str, text: &str) -> bool {
        svg.lines().any(|l| l.trim() == text)
    }

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 11, 21, h, 0, 0).unwrap()
    }

    #[test]
    fn the_gantt_draws_each_state_and_the_now_line() {
        let bar = |s, e: Option<u32>, state| Bar {
            start: at(s),
            end: e.map(at),
            state,
            process: "P".into(),
        };
        let t = Timeline {
            from: at(0),
            to: at(0) + chrono::TimeDelta::days(1),
            lanes: vec![Lane {
                robot: "RPA-FIN-01".into(),
                bars: vec![
                    bar(1, Some(2), RunState::Succeeded),
                    bar(3, Some(4), RunState::Failed),
                    bar(9, None, RunState::Running),
                ],
            }],
        };
        let svg = gantt_svg(&t, at(10), Lang::En);
        assert!(svg.starts_with("<svg"), "{svg:.80}");
        assert!(svg.contains("viewBox=\"0 0 1760 440\""));
        assert!(has_text(&svg, "RPA-FIN-01"));
        assert!(has_text(&svg, "now"));
        assert!(svg.contains("#009E73"), "succeeded bar");
        assert!(svg.contains("#D55E00"), "failed bar");
        assert!(svg.contains("<polygon"), "running bar ends in an arrow");
        // Same input, same picture: the server and the browser draw alike.
        assert_eq!(svg, gantt_svg(&t, at(10), Lang::En));
        assert!(has_text(&gantt_svg(&t, at(10), Lang::ZhCn), "现在"));
    }

    #[test]
    fn the_gantt_keeps_the_lanes_that_matter() {
        let lane = |name: &str, state| Lane {
            robot: name.into(),
            bars: vec![Bar {
                start: at(1),
                end: Some(at(2)),
                state,
                process: "P".into(),
            }],
        };
        let mut lanes: Vec<Lane> = (0..20)
            .map(|i| lane(&format!("R{i:02}"), RunState::Succeeded))
            .collect();
        lanes.push(lane("ZZ-FAILED", RunState::Failed));
        let (picked, hidden) = pick_lanes(&lanes);
        assert_eq!(picked.len(), MAX_LANES);
        assert_eq!(hidden, 21 - MAX_LANES);
        assert!(picked.iter().any(|l| l.robot == "ZZ-FAILED"));
    }

    #[test]
    fn the_heatmap_scales_from_dark_to_bright() {
        assert_eq!(viridis(0), RGBColor(68, 1, 84));
        assert_eq!(viridis(100), RGBColor(253, 231, 37));
        let h = Heatmap {
            from: at(0),
            hours: 48,
            rows: vec![HeatRow {
                robot: "RPA-OPS-02".into(),
                cells: vec![50; 48],
                mean: 50,
            }],
        };
        let svg = heatmap_svg(&h, Lang::ZhCn);
        assert!(has_text(&svg, "RPA-OPS-02 · 50%"));
        assert!(has_text(&svg, "繁忙 %"));
        assert!(has_text(&svg, "21日 周六"));
    }
}
