//! The wall's stylesheet, inlined into the page head.
//!
//! Sized for a room, not a desk: every length scales with the viewport width (1 rem is 24 px on
//! 1920, 48 px on 3840), so a 4K TV is as readable at three metres as a full-HD one and a 16:9
//! screen holds the same rows at any resolution. Dark, no scrollbars, nothing clipped: lists
//! are cut to what fits and say how many more there are. Status colours come from the
//! Okabe–Ito palette (safe for the common kinds of colour blindness) and every state also has
//! a glyph or a word.

pub const WALL_CSS: &str = r#"
:root {
  --bg: #0b0f14; --panel: #141b24; --line: #263241; --fg: #e8eef5; --muted: #9fb0c3;
  --ok: #009e73; --warn: #e69f00; --bad: #d55e00; --info: #56b4e9; --demo: #cc79a7; --run: #56b4e9;
  font-size: clamp(12px, 1.25vw, 64px);
}
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; overflow: hidden; background: var(--bg); color: var(--fg);
  font-family: "Noto Sans", "Noto Sans CJK SC", "Source Han Sans SC", "Microsoft YaHei", system-ui, sans-serif; }
.wall { display: flex; flex-direction: column; height: 100vh; padding: .5rem .8rem; gap: .45rem; }
.wall-head { display: flex; align-items: center; gap: .8rem; min-height: 2.2rem; }
.wall-head h1 { font-size: 1.3rem; margin: 0; font-weight: 700; letter-spacing: .02em; white-space: nowrap; }
.screen-title { font-size: 1.3rem; font-weight: 700; white-space: nowrap; }
.screen-of, .playlist { color: var(--muted); font-size: .85rem; white-space: nowrap; }
.spacer { flex: 1; }
.clock { font-variant-numeric: tabular-nums; color: var(--muted); font-size: .95rem; white-space: nowrap; }
.demo-badge { background: var(--demo); color: #000; font-weight: 800; padding: .1rem .6rem;
  border-radius: .3rem; font-size: 1rem; letter-spacing: .1em; white-space: nowrap; }
.demo-ribbon { margin: 0; padding: .15rem .7rem; border: .1rem dashed var(--demo); color: var(--demo);
  border-radius: .3rem; font-size: .8rem; }
.conn { padding: .15rem .7rem; border-radius: 2rem; border: .1rem solid var(--line); font-size: .95rem;
  white-space: nowrap; font-variant-numeric: tabular-nums; }
.conn[data-state="live"] { border-color: var(--ok); color: var(--ok); }
.conn[data-state="connecting"] { border-color: var(--info); color: var(--info); }
.conn[data-state="reconnecting"] { border-color: var(--warn); color: #000; background: var(--warn); font-weight: 700; }
.stale-banner { margin: 0; padding: .3rem .8rem; background: var(--warn); color: #000; font-weight: 800;
  font-size: 1.2rem; border-radius: .3rem; }

/* The alarm band: on every screen until acknowledged. */
.alarm { display: flex; align-items: baseline; gap: .9rem; padding: .35rem .9rem; border-radius: .35rem;
  border: .2rem solid var(--bad); background: #3a1606; font-size: 1.35rem; white-space: nowrap; overflow: hidden;
  animation: alarm-pulse 1.6s ease-in-out infinite; }
.alarm.sev-fatal { background: var(--bad); color: #000; }
.alarm-word { font-weight: 900; letter-spacing: .08em; }
.alarm-what { font-weight: 700; overflow: hidden; text-overflow: ellipsis; min-width: 0; }
.alarm-where, .alarm-age, .alarm-more { white-space: nowrap; }
.alarm-hint { margin-left: auto; font-size: .8rem; opacity: .85; white-space: nowrap; }
@keyframes alarm-pulse { 50% { border-color: var(--fg); } }
@media (prefers-reduced-motion: reduce) { .alarm { animation: none; } }

/* Panels and the screen's layout. */
.panel { background: var(--panel); border: .06rem solid var(--line); border-radius: .4rem; padding: .4rem .7rem;
  overflow: hidden; min-height: 0; min-width: 0; display: flex; flex-direction: column; position: relative; }
.panel-head { display: flex; align-items: baseline; gap: .6rem; margin-bottom: .3rem; }
.panel-head h2 { margin: 0; font-size: .95rem; color: var(--muted); text-transform: uppercase; letter-spacing: .08em;
  white-space: nowrap; }
.freshness { margin-left: auto; color: var(--muted); font-size: .75rem; white-space: nowrap; font-variant-numeric: tabular-nums; }
.panel-body { flex: 1; min-height: 0; overflow: hidden; display: flex; flex-direction: column; }
.panel.stale { border-color: var(--warn); }
.panel.stale .panel-body { opacity: .45; }
.panel.stale::after { content: ""; position: absolute; inset: 0; pointer-events: none;
  background: repeating-linear-gradient(135deg, transparent 0 .8rem, rgba(230,159,0,.12) .8rem 1.6rem); }
.panel.stale .freshness { color: var(--warn); font-weight: 800; font-size: .9rem; }
.screen-body { flex: 1; min-height: 0; display: flex; gap: .45rem; }
.col { display: flex; flex-direction: column; gap: .45rem; min-width: 0; min-height: 0; }
.col > .panel { flex: 1 1 0; }
/* Small panels take the height their rows need; the spare height is shared out. */
.mixed .col-small > .panel { flex: 1 1 auto; }
.mixed .col-large { flex: 2.1 1 0; } .mixed .col-small { flex: 1 1 0; }
.only-large .col-large { flex: 1; }
.only-small .col-small { flex: 1; display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); grid-auto-rows: minmax(0, 1fr); }
.problem { flex: 1; display: flex; align-items: center; justify-content: center; font-size: 2rem; color: var(--warn); }

/* KPI strip. */
.kpi-strip { flex: 0 0 auto; }
.kpis { display: grid; grid-template-columns: repeat(6, minmax(0, 1fr)); gap: .5rem; }
.kpi { display: flex; flex-direction: column; align-items: flex-start; padding: .1rem .5rem; border-left: .25rem solid var(--line); }
.kpi-value { font-size: 2.4rem; font-weight: 800; line-height: 1.1; font-variant-numeric: tabular-nums; white-space: nowrap; }
.kpi-label { font-size: .85rem; color: var(--muted); white-space: nowrap; }
.kpi.bad { border-left-color: var(--bad); } .kpi.bad .kpi-value { color: var(--bad); }

/* Anomaly board. */
.board { list-style: none; margin: 0; padding: 0; display: flex; flex-direction: column; gap: .25rem; }
.anomaly { display: grid; grid-template-columns: 6.2rem minmax(0, 1fr) auto 4.6rem; align-items: baseline;
  column-gap: .5rem; padding: .15rem .5rem; border-left: .35rem solid var(--info); background: #18212c; font-size: .95rem; }
.anomaly.sev-warn { border-left-color: var(--warn); } .anomaly.sev-error { border-left-color: var(--bad); }
.anomaly.sev-fatal { border-left-color: var(--bad); background: #3a1606; }
.anomaly .sev { font-weight: 800; white-space: nowrap; }
.anomaly.sev-warn .sev { color: var(--warn); } .anomaly.sev-error .sev, .anomaly.sev-fatal .sev { color: var(--bad); }
.anomaly .what { font-weight: 600; overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.anomaly .where, .anomaly .count, .anomaly .age { color: var(--muted); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.anomaly .age { text-align: right; font-variant-numeric: tabular-nums; }
.anomaly .where { grid-column: 2 / 3; grid-row: 2; font-size: .75rem; }
.anomaly .ack { grid-column: 3 / -1; grid-row: 2; color: var(--ok); font-size: .75rem; white-space: nowrap; text-align: right; }
.anomaly.acked { opacity: .7; }
.all-clear { color: var(--ok); font-size: 1.6rem; margin: auto; }
.more { color: var(--muted); margin: .2rem 0 0; font-size: .85rem; }

/* Fleet tiles. */
.tiles { flex: 1; min-height: 0; display: grid; grid-template-columns: repeat(8, minmax(0, 1fr));
  grid-auto-rows: minmax(0, 1fr); gap: .3rem; }
.tile { background: #18212c; border-left: .3rem solid var(--line); border-radius: .25rem; padding: .15rem .35rem;
  min-width: 0; min-height: 0; overflow: hidden; font-size: .7rem; display: flex; flex-direction: column; gap: .05rem; }
.tile-head { display: flex; gap: .3rem; align-items: baseline; }
.tile-vm { font-size: .85rem; font-weight: 800; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
.tile-dept { margin-left: auto; color: var(--muted); white-space: nowrap; }
.robot-line { display: flex; gap: .25rem; white-space: nowrap; overflow: hidden; }
.robot-name { font-weight: 600; } .robot-detail { color: var(--muted); overflow: hidden; text-overflow: ellipsis; }
.tile.state-busy { border-left-color: var(--run); } .tile.state-failed { border-left-color: var(--bad); }
.tile.state-unresponsive { border-left-color: var(--warn); }
.tile.state-disconnected { border-left-color: var(--bad); border-left-style: dashed; background: #2a1408; }
.robot-line.state-busy .robot-glyph { color: var(--run); } .robot-line.state-failed .robot-glyph { color: var(--bad); }
.robot-line.state-unresponsive .robot-glyph { color: var(--warn); } .robot-line.state-disconnected .robot-glyph { color: var(--bad); }
.more-tile { align-items: center; justify-content: center; color: var(--muted); font-size: .8rem; }

/* Charts (plotters SVG, scaled to the panel). */
.chart { flex: 1; min-height: 0; }
.chart svg { width: 100%; height: 100%; display: block; }

/* Tables and rows. */
dl { margin: 0; }
.row { display: flex; justify-content: space-between; gap: .8rem; padding: .18rem 0; border-bottom: .05rem solid var(--line); font-size: .85rem; }
.row dt { color: var(--muted); white-space: nowrap; }
.row dd { margin: 0; font-weight: 600; font-variant-numeric: tabular-nums; text-align: right;
  overflow: hidden; text-overflow: ellipsis; white-space: nowrap; }
.value.bad, .node-state.bad, td.bad { color: var(--bad); }
.node-state.ok { color: var(--ok); }
table { width: 100%; border-collapse: collapse; table-layout: fixed; font-size: .85rem; }
th { text-align: left; color: var(--muted); font-weight: 400; padding: .15rem .3rem; border-bottom: .05rem solid var(--line);
  font-size: .75rem; line-height: 1.15; vertical-align: bottom; overflow: hidden; }
td { padding: .2rem .3rem; border-bottom: .05rem solid var(--line); white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
td.muted, .node-seen, .node-version { color: var(--muted); }
table.nodes { margin-top: .3rem; }
dl.pairs { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); column-gap: 1rem; }
table.sources th:nth-child(1) { width: 22%; } table.sources th:nth-child(2) { width: 30%; }
table.sources th:nth-child(3) { width: 20%; } table.sources th:nth-child(4) { width: 12%; }
table.sources th:nth-child(5) { width: 16%; }
table.breakdown th:nth-child(1) { width: 20%; } table.breakdown th:nth-child(2) { width: 20%; }
.source-state.ok { color: var(--ok); } .source-state.bad { color: var(--bad); font-weight: 700; }
.source-state.paused, .source-state.starting { color: var(--muted); }
.source-error { color: var(--bad); }
.no-data { color: var(--muted); font-style: italic; }
.not-found { font-size: 2rem; padding: 2rem; }
/* The console: desk pages, at desk sizes in em (the wall's rem scales for a room), growing on
   screens wider than full HD that are not scaled by the system. */
.console { font-size: max(16px, .85vw); height: 100vh; overflow: auto; }
body:has(.console) { overflow: auto; }
.console-nav { display: flex; align-items: center; gap: 1.2em; padding: .7em 1.5em; background: var(--panel);
  border-bottom: 1px solid var(--line); }
.console-nav a { color: var(--fg); text-decoration: none; }
.console-nav a:hover { text-decoration: underline; }
.console-nav .brand { font-weight: 800; }
.console-main { max-width: 70em; margin: 0 auto; padding: 1em 1.5em 3em; }
.console h1 { font-size: 1.6em; margin: .4em 0 .8em; }
.console h2 { font-size: 1.2em; margin: 0 0 .6em; color: var(--fg); text-transform: none; letter-spacing: 0; }
.console h3 { font-size: 1em; color: var(--muted); }
.console a { color: var(--info); }
.console .who { color: var(--muted); }
.console .card { background: var(--panel); border: 1px solid var(--line); border-radius: .4em; padding: 1em 1.2em; margin: 1em 0; }
.console .fields { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: .8em 1em; margin-bottom: 1em; }
.console label { display: flex; flex-direction: column; gap: .3em; font-size: .9em; color: var(--muted); }
.console label.wide { grid-column: 1 / -1; }
.console input, .console select, .console textarea { font: inherit; color: var(--fg); background: #0e141b;
  border: 1px solid var(--line); border-radius: .3em; padding: .45em .6em; }
.console textarea { min-height: 4em; }
.console button { font: inherit; color: #000; background: var(--info); border: 0; border-radius: .3em; padding: .45em 1em;
  cursor: pointer; font-weight: 600; }
.console button:disabled { opacity: .5; cursor: default; }
.console button.danger { background: var(--bad); }
.console button.link { background: none; color: var(--info); padding: 0; font-weight: 400; }
.console button.link.danger { color: var(--bad); }
.console form.inline { display: flex; align-items: flex-end; gap: 1em; flex-wrap: wrap; margin: 1em 0; }
.console table.data { font-size: .95em; table-layout: auto; }
.console table.data td, .console table.data th { white-space: normal; padding: .35em .5em; }
.console table.data th { font-size: .85em; border-bottom-width: 1px; }
.console table.data td { border-bottom-width: 1px; }
.console tr.deleted, .console tr.revoked, .console tr.disabled { opacity: .55; }
.console .muted { color: var(--muted); }
.console .mono { font-family: "Noto Sans Mono", ui-monospace, monospace; }
.console .error { color: var(--bad); font-weight: 600; }
.console .message { color: var(--ok); }
.console .facts { display: grid; grid-template-columns: max-content 1fr; gap: .3em 1.2em; margin: .5em 0; }
.console .facts dt { color: var(--muted); } .console .facts dd { margin: 0; }
.console .revealed { border: 1px dashed var(--warn); padding: .6em .8em; border-radius: .3em; }
.console .actions { display: flex; gap: .8em; margin: .8em 0; }
.console .tag { font-size: .8em; padding: .1em .5em; border-radius: .3em; border: 1px solid var(--line); margin-left: .5em; }
.console .tag.bad { border-color: var(--bad); color: var(--bad); }
.console .pager { display: flex; gap: 1em; margin-top: 1em; }
.console.login { display: flex; align-items: center; justify-content: center; }
.login-card { width: 24em; display: flex; flex-direction: column; gap: 1em; }
.console td.bad { color: var(--bad); }
"#;
