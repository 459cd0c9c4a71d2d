//! The words of Hangar's screens, each in English and Simplified Chinese, side by side.
//!
//! One line per message: the macro makes the enum, the lookup and the list of all messages,
//! so a message without both languages does not compile.

use super::Lang;

macro_rules! messages {
    ($($name:ident => ($en:expr, $zh:expr)),* $(,)?) => {
        /// A user-facing message. Components never hold literal text; they ask for one of these.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Msg {
            $($name),*
        }

        impl Msg {
            /// Every message, for tests that check translations.
            pub const ALL: &'static [Msg] = &[$(Msg::$name),*];
        }

        /// The message in the viewer's language.
        pub fn t(lang: Lang, msg: Msg) -> &'static str {
            match (lang, msg) {
                $((Lang::En, Msg::$name) => $en,
                  (Lang::ZhCn, Msg::$name) => $zh,)*
            }
        }
    };
}

messages! {
    // The wall's frame and the connection.
    WallTitle => ("Hangar operations wall", "Hangar 运维监控墙"),
    Demo => ("DEMO", "DEMO 演示"),
    DemoExplainer => ("Simulated fleet: no real robot is behind this screen", "模拟机群：此屏幕背后没有真实机器人"),
    Connecting => ("connecting…", "连接中…"),
    Live => ("live", "实时"),
    System => ("System", "系统"),
    ThisNode => ("This node", "本节点"),
    Version => ("Version", "版本"),
    Uptime => ("Uptime", "运行时长"),
    ServerTime => ("Server time", "服务器时间"),
    Database => ("Database", "数据库"),
    Engine => ("Engine", "引擎"),
    Latency => ("Latency", "延迟"),
    Migrations => ("Migrations", "数据库迁移"),
    MigrationsCurrent => ("current", "已是最新"),
    MigrationsPending => ("PENDING", "待执行"),
    Reachable => ("reachable", "可连接"),
    Unreachable => ("UNREACHABLE", "无法连接"),
    Pool => ("Connections (idle / open)", "连接（空闲 / 打开）"),
    Nodes => ("Nodes", "节点"),
    NodeAlive => ("up", "在线"),
    NodeDown => ("DOWN", "离线"),
    LastSeen => ("seen", "心跳"),
    Stream => ("Live stream", "实时数据流"),
    StreamClients => ("Screens connected", "已连接屏幕"),
    EventsPublished => ("Events published", "已发布事件"),
    LastEvent => ("Last event", "最新事件"),
    NoData => ("no data yet", "暂无数据"),
    Collectors => ("Collectors", "数据采集"),
    NoSources => ("no sources configured", "尚未配置数据源"),
    SourceOk => ("ok", "正常"),
    SourceFailing => ("FAILING", "故障"),
    SourcePaused => ("paused", "已暂停"),
    SourceStarting => ("starting", "启动中"),
    Lag => ("lag", "延迟"),
    RequestsPerMinute => ("req/min", "请求/分钟"),

    // Screens and panels.
    Screen => ("Screen", "屏幕"),
    Kpis => ("Key figures", "关键指标"),
    Anomalies => ("Anomalies", "异常"),
    Fleet => ("VMs and robots", "虚拟机与机器人"),
    Timeline => ("Today's runs (UTC)", "今日运行（UTC）"),
    Saturation => ("Robot saturation, last 7 days", "机器人饱和度（近 7 天）"),
    Breakdown => ("By department and product", "按部门和产品"),
    Hangar => ("Hangar", "Hangar 系统"),
    UnknownProfile => ("No such wall profile", "没有此监控墙配置"),
    UnknownScreen => ("This profile has no such screen", "此配置没有该屏幕"),
    // Freshness.
    Stale => ("STALE", "数据过期"),
    Updated => ("updated", "更新于"),
    RotationPaused => ("rotation paused while an alarm is open", "告警未确认，暂停轮播"),
    NextScreenIn => ("next screen in", "切换下一屏："),
    // The KPI strip.
    Running => ("Running", "运行中"),
    Queued => ("Queued", "排队中"),
    FailuresToday => ("Failures today", "今日失败"),
    SuccessRateToday => ("Success rate today", "今日成功率"),
    IdleRobots => ("Idle robots", "空闲机器人"),
    LicencesInUse => ("Licences in use", "许可证使用中"),
    // The anomaly board and the alarm band.
    NoAnomalies => ("No open anomalies", "没有未处理的异常"),
    AcknowledgedBy => ("acknowledged by", "已确认："),
    Occurrences => ("times", "次"),
    Alarm => ("ALARM", "告警"),
    AlarmHint => ("acknowledge it in Hangar to clear this band", "在 Hangar 中确认后此横幅消失"),
    SevInfo => ("INFO", "信息"),
    SevWarn => ("WARN", "警告"),
    SevError => ("ERROR", "错误"),
    SevFatal => ("FATAL", "致命"),
    KindRunFaulted => ("Run faulted", "运行失败"),
    KindRunStuck => ("Run stuck", "运行卡住"),
    KindScheduleMissed => ("Schedule missed", "计划未执行"),
    KindRobotDisconnected => ("Robot disconnected", "机器人断开连接"),
    KindRobotUnresponsive => ("Robot unresponsive", "机器人无响应"),
    KindCollectorStale => ("Collector stale", "数据采集停滞"),
    KindQueueSlaBreached => ("Queue SLA breached", "队列超出 SLA"),
    KindFailureRateSpike => ("Failure rate spike", "失败率激增"),
    // Fleet tiles.
    TileIdle => ("idle", "空闲"),
    TileBusy => ("busy", "忙碌"),
    TileUnknown => ("unknown", "未知"),
    TileFailed => ("last run failed", "上次运行失败"),
    TileUnresponsive => ("unresponsive", "无响应"),
    TileDisconnected => ("disconnected", "已断开"),
    NoRunToday => ("no run today", "今日无运行"),
    LastRun => ("last", "上次"),
    NoRobots => ("no robots reported yet", "尚无机器人数据"),
    // Run states.
    RunQueued => ("queued", "排队中"),
    RunRunning => ("running", "运行中"),
    RunSuspended => ("suspended", "已挂起"),
    RunStopping => ("stopping", "停止中"),
    RunSucceeded => ("succeeded", "成功"),
    RunFailed => ("failed", "失败"),
    RunStopped => ("stopped", "已停止"),
    RunUnknown => ("unknown", "未知"),
    // Charts.
    Now => ("now", "现在"),
    BusyPercent => ("busy %", "繁忙 %"),
    NoRunsToday => ("no runs today yet", "今日尚无运行"),
    // The breakdown.
    Department => ("Department", "部门"),
    Product => ("Product", "产品"),
    RunsToday => ("Runs today", "今日运行"),
    VendorUipath => ("UiPath", "UiPath"),
    VendorAa => ("Automation Anywhere", "Automation Anywhere"),

    // The console: login, credentials, users, audit.
    NavWall => ("Wall", "监控墙"),
    NavCredentials => ("My credentials", "我的凭据"),
    NavUsers => ("Users and roles", "用户与角色"),
    NavAudit => ("Audit log", "审计日志"),
    SignIn => ("Sign in", "登录"),
    SignOut => ("Sign out", "退出登录"),
    SignInTitle => ("Sign in to Hangar", "登录 Hangar"),
    Username => ("User name", "用户名"),
    Password => ("Password", "密码"),
    LoginFailed => ("The user name or password is wrong", "用户名或密码错误"),
    TooManyAttempts => ("Too many attempts: wait a while, then try again", "尝试次数过多，请稍后再试"),
    NotAllowed => ("Your role may not see this page", "您的角色无权查看此页面"),
    Loading => ("loading…", "加载中…"),
    SomethingFailed => ("That did not work", "操作未成功"),
    Name => ("Name", "名称"),
    CredSystem => ("System", "业务系统"),
    Url => ("URL", "网址"),
    Notes => ("Notes", "备注"),
    Tags => ("Tags (comma separated)", "标签（逗号分隔）"),
    UpdatedAt => ("Updated", "更新时间"),
    Owner => ("Owner", "所有者"),
    NewCredential => ("New credential", "新建凭据"),
    NewVersion => ("Save a new version", "保存新版本"),
    Create => ("Create", "创建"),
    Save => ("Save", "保存"),
    Saved => ("Saved", "已保存"),
    Reveal => ("Reveal", "显示"),
    Hide => ("Hide", "隐藏"),
    RevealAudited => ("Every reveal is recorded in the audit log, with your name.", "每次显示都会以您的名义记入审计日志。"),
    Delete => ("Delete", "删除"),
    Restore => ("Restore", "恢复"),
    Deleted => ("deleted", "已删除"),
    Versions => ("Versions (the last 10 are kept)", "版本（保留最近 10 个）"),
    CreatedBy => ("by", "创建人"),
    NoCredentials => ("No credentials yet", "尚无凭据"),
    CasConflict => ("Someone changed it meanwhile: reload, then try again", "已被他人修改：请刷新后重试"),
    Grants => ("Robot access", "机器人授权"),
    Grantee => ("Robot or process (robot:source/name, process:source/name)", "机器人或流程（robot:源/名称，process:源/名称）"),
    AssetName => ("Asset name", "资产名称"),
    Grant => ("Grant", "授权"),
    Revoke => ("Revoke", "撤销"),
    Revoked => ("revoked", "已撤销"),
    NoGrants => ("No robot may read it", "尚未授权任何机器人"),
    Role => ("Role", "角色"),
    RoleAdmin => ("admin", "管理员"),
    RoleOps => ("operations", "运维"),
    RoleBusiness => ("business", "业务"),
    RoleDeveloper => ("developer", "开发"),
    RoleManager => ("manager", "经理"),
    AllDepartments => ("all departments", "全部部门"),
    DisplayName => ("Display name", "显示名称"),
    AddUser => ("Add user", "添加用户"),
    UserDisabled => ("disabled", "已停用"),
    UserActive => ("active", "正常"),
    Enable => ("Enable", "启用"),
    Disable => ("Disable", "停用"),
    When => ("When", "时间"),
    Who => ("Who", "操作人"),
    Action => ("Action", "操作"),
    Target => ("Target", "对象"),
    Outcome => ("Outcome", "结果"),
    FromAddress => ("From", "来源地址"),
    Filter => ("Filter", "筛选"),
    Older => ("Older", "更早"),
    Newer => ("Newer", "更新"),
    NoEntries => ("Nothing recorded", "无记录"),
}
