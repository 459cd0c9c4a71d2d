//! The wall's stylesheet, inlined into the page head.
//!
//! Sized for a room, not a desk: type scales with the viewport width (24 px on 1920, 48 px on
//! 3840) so a 4K TV is as readable at three metres as a full-HD one. Dark, no scrollbars,
//! nothing clipped. Status colours come from the Okabe–Ito palette (safe for the common kinds
//! of colour blindness) and every state also has a glyph or a word.

pub const WALL_CSS: &str = r#"
:root {
  --bg: #0b0f14; --panel: #141b24; --line: #263241; --fg: #e8eef5; --muted: #9fb0c3;
  --ok: #009e73; --warn: #e69f00; --bad: #d55e00; --info: #56b4e9; --demo: #cc79a7;
  font-size: clamp(14px, 1.25vw, 64px);
}
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; overflow: hidden; background: var(--bg); color: var(--fg);
  font-family: "Noto Sans", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", system-ui, sans-serif; }
.wall { display: flex; flex-direction: column; height: 100vh; padding: 1rem 1.25rem; gap: 1rem; }
.wall-head { display: flex; align-items: center; gap: 1rem; min-height: 3rem; }
.wall-head h1 { font-size: 1.6rem; margin: 0; font-weight: 700; letter-spacing: .02em; white-space: nowrap; }
.spacer { flex: 1; }
.clock { font-variant-numeric: tabular-nums; color: var(--muted); font-size: 1.1rem; white-space: nowrap; }
.demo-badge { background: var(--demo); color: #000; font-weight: 800; padding: .15rem .7rem;
  border-radius: .3rem; font-size: 1.2rem; letter-spacing: .1em; }
.demo-ribbon { margin: 0; padding: .3rem .8rem; border: .12rem dashed var(--demo); color: var(--demo);
  border-radius: .3rem; font-size: 1rem; }
.conn { padding: .2rem .8rem; border-radius: 2rem; border: .12rem solid var(--line); font-size: 1.1rem;
  white-space: nowrap; font-variant-numeric: tabular-nums; }
.conn[data-state="live"] { border-color: var(--ok); color: var(--ok); }
.conn[data-state="connecting"] { border-color: var(--info); color: var(--info); }
.conn[data-state="reconnecting"] { border-color: var(--warn); color: #000; background: var(--warn); font-weight: 700; }
.grid { flex: 1; min-height: 0; display: grid; grid-template-columns: repeat(3, minmax(0, 1fr));
  grid-auto-rows: minmax(0, 1fr); gap: 1rem; }
#panel-collectors { grid-column: span 2; }
.panel { background: var(--panel); border: .08rem solid var(--line); border-radius: .5rem; padding: .8rem 1rem;
  overflow: hidden; min-height: 0; }
.panel h2 { margin: 0 0 .6rem; font-size: 1.2rem; color: var(--muted); text-transform: uppercase; letter-spacing: .08em; }
dl { margin: 0; }
.row { display: flex; justify-content: space-between; gap: 1rem; padding: .3rem 0; border-bottom: .06rem solid var(--line); }
.row dt { color: var(--muted); }
.row dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; text-align: right;
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.value.bad, .node-state.bad { color: var(--bad); }
.node-state.ok { color: var(--ok); }
table.nodes, table.sources { width: 100%; border-collapse: collapse; table-layout: fixed; }
table.sources th { text-align: left; color: var(--muted); font-weight: 400; padding: .2rem .4rem;
  border-bottom: .06rem solid var(--line); white-space: nowrap; }
table.sources td.num, table.sources th.num { text-align: right; font-variant-numeric: tabular-nums; }
.source-state.ok { color: var(--ok); } .source-state.bad { color: var(--bad); font-weight: 700; }
.source-state.paused, .source-state.starting { color: var(--muted); }
table.nodes td:nth-child(1) { width: 22%; } table.nodes td:nth-child(2) { width: 30%; }
table.nodes td:nth-child(3) { width: 16%; } table.nodes td:nth-child(4) { width: 32%; }
table.sources th:nth-child(1) { width: 16%; } table.sources th:nth-child(2) { width: 18%; }
table.sources th:nth-child(3) { width: 32%; } table.sources th:nth-child(4) { width: 10%; }
table.sources th:nth-child(5) { width: 10%; } table.sources th:nth-child(6) { width: 14%; }
.source-error { color: var(--bad); }
table.nodes td, table.sources td { padding: .3rem .4rem; border-bottom: .06rem solid var(--line); white-space: nowrap;
  overflow: hidden; text-overflow: ellipsis; }
.node-seen, .node-version { color: var(--muted); }
.no-data { color: var(--muted); font-style: italic; }
.not-found { font-size: 2rem; padding: 2rem; }
"#;
