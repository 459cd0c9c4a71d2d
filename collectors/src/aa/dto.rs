//! Control Room wire shapes: the common list request/response envelope, activity records,
//! devices and schedules.
//!
//! Everything is lenient: every field is optional, ids may arrive as strings or numbers,
//! unknown fields are ignored and unknown statuses are kept as text. The simulator serves the
//! same types, so client and simulator cannot drift apart.

use chrono::{DateTime, NaiveDateTime, SecondsFormat, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// `POST …/list` body: all parts optional; an empty filter means everything.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ListRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filter: Option<Filter>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sort: Vec<Sort>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub fields: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page: Option<PageRequest>,
}

/// One filter node: a comparison `{operator, field, value}` or a combination
/// `{operator: "and"|"or"|"not", operands: […]}`. Values are strings, even for dates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Filter {
    pub operator: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_string"
    )]
    pub value: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub operands: Vec<Filter>,
}

impl Filter {
    pub fn cmp(operator: &str, field: &str, value: impl Into<String>) -> Filter {
        Filter {
            operator: operator.to_owned(),
            field: Some(field.to_owned()),
            value: Some(value.into()),
            operands: Vec::new(),
        }
    }

    pub fn eq(field: &str, value: impl Into<String>) -> Filter {
        Filter::cmp("eq", field, value)
    }

    pub fn and(operands: Vec<Filter>) -> Filter {
        Filter::combine("and", operands)
    }

    pub fn or(operands: Vec<Filter>) -> Filter {
        Filter::combine("or", operands)
    }

    pub fn negate(operand: Filter) -> Filter {
        Filter::combine("not", vec![operand])
    }

    fn combine(operator: &str, operands: Vec<Filter>) -> Filter {
        Filter {
            operator: operator.to_owned(),
            field: None,
            value: None,
            operands,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sort {
    pub field: String,
    /// `asc` or `desc`.
    #[serde(default = "asc")]
    pub direction: String,
}

fn asc() -> String {
    "asc".to_owned()
}

impl Sort {
    pub fn asc(field: &str) -> Sort {
        Sort {
            field: field.to_owned(),
            direction: asc(),
        }
    }
}

/// The page asked for. Old clients send `total`/`totalFilter` back too; they are ignored.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageRequest {
    #[serde(default)]
    pub offset: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
}

/// `{"page": {offset, total, totalFilter}, "list": […]}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ListResponse<T> {
    #[serde(default)]
    pub page: PageInfo,
    #[serde(default = "Vec::new")]
    pub list: Vec<T>,
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageInfo {
    #[serde(default)]
    pub offset: u64,
    /// All rows.
    #[serde(default)]
    pub total: u64,
    /// Rows matching the filter.
    #[serde(default)]
    pub total_filter: u64,
}

/// One execution (`/v3/activity/list` item).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Activity {
    #[serde(default, deserialize_with = "string_or_number")]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub automation_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_string"
    )]
    pub file_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_path: Option<String>,
    /// `RUN_NOW`, `TASK`, …
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_string"
    )]
    pub status: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_u32"
    )]
    pub progress: Option<u32>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_string"
    )]
    pub deployment_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub device_name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_string"
    )]
    pub device_id: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_string"
    )]
    pub user_id: Option<String>,
    /// v3 casing (UNCONFIRMED).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    /// v1 history casing; either may appear, both are read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_on: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub modified_on: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_string"
    )]
    pub schedule_id: Option<String>,
}

impl Activity {
    /// The run-as user, whichever casing the Control Room used.
    pub fn user(&self) -> Option<&str> {
        self.user_name
            .as_deref()
            .or(self.username.as_deref())
            .filter(|s| !s.trim().is_empty())
    }
}

/// One device (`/v2/devices/list` item).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    #[serde(default, deserialize_with = "string_or_number")]
    pub id: String,
    #[serde(rename = "type", default, skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub host_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fully_qualified_host_name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_string"
    )]
    pub user_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user_name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_string"
    )]
    pub status: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pool_name: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bot_agent_version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nickname: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_on: Option<String>,
}

/// One schedule (`/v1/schedule/automations/list` item).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Schedule {
    #[serde(default, deserialize_with = "string_or_number")]
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_string"
    )]
    pub file_id: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub file_name: Option<String>,
    /// `ACTIVE` | `INACTIVE` (create also accepts `DRAFT`).
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_string"
    )]
    pub status: Option<String>,
    /// `DAILY` | `WEEKLY` | `MONTHLY` | `ONCE`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub schedule_type: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub daily_recurrence: Option<Recurrence>,
    /// UNCONFIRMED shape: `{interval, daysOfWeek: ["MONDAY", …]}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub weekly_recurrence: Option<Recurrence>,
    /// UNCONFIRMED shape: `{interval, daysOfMonth: ["1", "15"]}` or
    /// `{weekOfMonth: "FIRST"…"LAST", daysOfWeek: ["MONDAY"]}`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_recurrence: Option<Recurrence>,
    /// IANA zone, e.g. `America/Los_Angeles`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_zone: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_date: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_date: Option<String>,
    /// `HH:mm`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_time: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_bool"
    )]
    pub repeat_enabled: Option<bool>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat_occurrence: Option<RepeatOccurrence>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zoned_next_run_date_time: Option<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "string_list"
    )]
    pub device_ids: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Recurrence {
    /// Every `interval` days/weeks/months; 1 when absent.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_u32"
    )]
    pub interval: Option<u32>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "string_list"
    )]
    pub days_of_week: Vec<String>,
    #[serde(
        default,
        skip_serializing_if = "Vec::is_empty",
        deserialize_with = "string_list"
    )]
    pub days_of_month: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub week_of_month: Option<String>,
}

#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RepeatOccurrence {
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "opt_u32"
    )]
    pub run_every: Option<u32>,
    /// `MINUTES` | `HOURS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_unit: Option<String>,
    /// `HH:mm`, the last time of day a repeat may start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end_time: Option<String>,
}

/// `POST /v1/authentication` body. Exactly one of `api_key`/`password` is set.
#[derive(Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuthRequest {
    pub username: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub api_key: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub password: Option<String>,
}

/// `{"token": …, "user": {…}}`; the refresh endpoint answers with `token` alone.
#[derive(Clone, Deserialize, Serialize)]
pub struct AuthResponse {
    pub token: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<Value>,
}

/// Reads a Control Room timestamp: RFC 3339 with up to 9 fractional digits; a missing offset
/// means UTC. Empty or unreadable text is `None`.
pub fn parse_ts(s: &str) -> Option<DateTime<Utc>> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|n| n.and_utc())
}

/// Formats a filter value the way the Control Room documents it: millisecond precision, `Z`.
pub fn format_ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn string_or_number<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(opt_string(d)?.unwrap_or_default())
}

fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::String(s)) => Some(s),
        Some(Value::Number(n)) => Some(n.to_string()),
        Some(Value::Bool(b)) => Some(b.to_string()),
        _ => None,
    })
}

fn opt_u32<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Number(n)) => n
            .as_u64()
            .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
            .and_then(|v| u32::try_from(v).ok()),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

fn opt_bool<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Bool(b)) => Some(b),
        Some(Value::String(s)) => s.trim().parse().ok(),
        _ => None,
    })
}

fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
    let one = |v: Value| match v {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    Ok(match Option::<Value>::deserialize(d)? {
        Some(Value::Array(items)) => items.into_iter().filter_map(one).collect(),
        Some(v) => one(v).into_iter().collect(),
        None => Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activity_tolerates_casing_numbers_unknown_fields_and_statuses() {
        let a: Activity = serde_json::from_str(
            r#"{"id":"x_1","status":"SOMETHING_NEW","deviceId":6,"userId":31,"username":"svc",
                "progress":"64","extra":{"a":1},"startDateTime":"2025-03-01T10:00:02.123456789Z"}"#,
        )
        .unwrap();
        assert_eq!(a.status.as_deref(), Some("SOMETHING_NEW"));
        assert_eq!(a.device_id.as_deref(), Some("6"));
        assert_eq!(a.user(), Some("svc"));
        assert_eq!(a.progress, Some(64));
        let t = parse_ts(a.start_date_time.as_deref().unwrap()).unwrap();
        assert_eq!(t.timestamp_subsec_nanos(), 123_456_789);
        let both: Activity =
            serde_json::from_str(r#"{"id":"y","userName":"A","username":"B"}"#).unwrap();
        assert_eq!(both.user(), Some("A"));
    }

    #[test]
    fn timestamps_without_offset_are_utc() {
        let t = parse_ts("2025-03-01T10:00:02.5").unwrap();
        assert_eq!(format_ts(t), "2025-03-01T10:00:02.500Z");
        assert_eq!(parse_ts(""), None);
        assert_eq!(parse_ts("yesterday"), None);
    }

    #[test]
    fn filters_serialize_as_documented() {
        let f = Filter::and(vec![
            Filter::eq("status", "RUN_FAILED"),
            Filter::cmp("gt", "endDateTime", "2025-03-01T00:00:00Z"),
        ]);
        let v = serde_json::to_value(&f).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"operator":"and","operands":[
                {"operator":"eq","field":"status","value":"RUN_FAILED"},
                {"operator":"gt","field":"endDateTime","value":"2025-03-01T00:00:00Z"}]})
        );
        let back: Filter = serde_json::from_value(v).unwrap();
        assert_eq!(back, f);
    }
}
