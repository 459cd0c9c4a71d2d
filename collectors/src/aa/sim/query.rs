//! The Control Room list grammar over JSON rows: filter (`eq ne lt le gt ge substring and or
//! not NONE`), sort, offset/length paging with `total` and `totalFilter`.
//!
//! Values in filters are strings. A comparison reads both sides as timestamps when both are
//! timestamps (so `…:02Z` and `…:02.5Z` order correctly), else as numbers when both are
//! numbers, else as text.

use std::cmp::Ordering;

use serde_json::Value;

use crate::aa::dto::{Filter, ListResponse, PageInfo, PageRequest, Sort, parse_ts};

/// Compares a row's value with a filter value; `None` when the row has no value.
fn compare(row: &Value, want: &str) -> Option<Ordering> {
    match row {
        Value::String(s) => Some(compare_text(s, want)),
        Value::Number(n) => {
            let w: f64 = want.trim().parse().ok()?;
            n.as_f64()?.partial_cmp(&w)
        }
        Value::Bool(b) => Some(b.to_string().as_str().cmp(want.trim())),
        _ => None,
    }
}

fn compare_text(a: &str, b: &str) -> Ordering {
    if let (Some(x), Some(y)) = (parse_ts(a), parse_ts(b)) {
        return x.cmp(&y);
    }
    if let (Ok(x), Ok(y)) = (a.trim().parse::<f64>(), b.trim().parse::<f64>()) {
        return x.partial_cmp(&y).unwrap_or(Ordering::Equal);
    }
    a.cmp(b)
}

/// Whether `row` matches `filter`. An unknown operator is an error (the Control Room answers
/// 400).
pub fn matches(filter: &Filter, row: &Value) -> Result<bool, String> {
    let op = filter.operator.trim().to_ascii_lowercase();
    match op.as_str() {
        "none" | "" => return Ok(true),
        "and" => {
            for f in &filter.operands {
                if !matches(f, row)? {
                    return Ok(false);
                }
            }
            return Ok(true);
        }
        "or" => {
            for f in &filter.operands {
                if matches(f, row)? {
                    return Ok(true);
                }
            }
            return Ok(filter.operands.is_empty());
        }
        "not" => {
            let [f] = filter.operands.as_slice() else {
                return Err("not takes one operand".into());
            };
            return Ok(!matches(f, row)?);
        }
        _ => {}
    }
    let field = filter
        .field
        .as_deref()
        .ok_or_else(|| format!("{op} needs a field"))?;
    let want = filter.value.as_deref().unwrap_or_default();
    let got = row.get(field).unwrap_or(&Value::Null);
    if op == "substring" {
        let text = match got {
            Value::String(s) => s.to_ascii_lowercase(),
            Value::Null => return Ok(false),
            other => other.to_string(),
        };
        return Ok(text.contains(&want.to_ascii_lowercase()));
    }
    let ord = compare(got, want);
    Ok(match op.as_str() {
        "eq" => ord == Some(Ordering::Equal),
        "ne" => ord != Some(Ordering::Equal),
        "lt" => ord == Some(Ordering::Less),
        "le" => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
        "gt" => ord == Some(Ordering::Greater),
        "ge" => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
        _ => return Err(format!("unknown operator {op:?}")),
    })
}

fn compare_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::String(x), Value::String(y)) => compare_text(x, y),
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (x, y) => x.to_string().cmp(&y.to_string()),
    }
}

/// Sorts rows by the requested fields (missing values first); stable.
pub fn sort_rows(rows: &mut [Value], sort: &[Sort]) {
    rows.sort_by(|a, b| {
        for s in sort {
            let x = a.get(&s.field).unwrap_or(&Value::Null);
            let y = b.get(&s.field).unwrap_or(&Value::Null);
            let mut o = compare_values(x, y);
            if s.direction.eq_ignore_ascii_case("desc") {
                o = o.reverse();
            }
            if o != Ordering::Equal {
                return o;
            }
        }
        Ordering::Equal
    });
}

/// Filters, sorts and pages `rows`.
pub fn list(
    rows: Vec<Value>,
    filter: Option<&Filter>,
    sort: &[Sort],
    page: Option<PageRequest>,
    default_length: u64,
    max_length: u64,
) -> Result<ListResponse<Value>, String> {
    let total = rows.len() as u64;
    let mut kept = Vec::with_capacity(rows.len());
    for row in rows {
        if filter.map_or(Ok(true), |f| matches(f, &row))? {
            kept.push(row);
        }
    }
    sort_rows(&mut kept, sort);
    let total_filter = kept.len() as u64;
    let page = page.unwrap_or_default();
    let length = page
        .length
        .filter(|l| *l > 0)
        .unwrap_or(default_length)
        .min(max_length.max(1));
    let list = kept
        .into_iter()
        .skip(usize::try_from(page.offset).unwrap_or(usize::MAX))
        .take(usize::try_from(length).unwrap_or(usize::MAX))
        .collect();
    Ok(ListResponse {
        page: PageInfo {
            offset: page.offset,
            total,
            total_filter,
        },
        list,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn rows() -> Vec<Value> {
        vec![
            json!({"id":"a","status":"COMPLETED","modifiedOn":"2026-11-16T08:00:02Z","progress":100}),
            json!({"id":"b","status":"RUNNING","modifiedOn":"2026-11-16T08:00:02.5Z","progress":40}),
            json!({"id":"c","status":"RUN_FAILED","modifiedOn":"2026-11-16T08:00:01.123456789Z"}),
        ]
    }

    fn ids(r: &ListResponse<Value>) -> Vec<&str> {
        r.list.iter().map(|v| v["id"].as_str().unwrap()).collect()
    }

    #[test]
    fn filter_grammar() {
        let ge = Filter::cmp("ge", "modifiedOn", "2026-11-16T08:00:02.000Z");
        let r = list(
            rows(),
            Some(&ge),
            &[Sort::asc("modifiedOn")],
            None,
            100,
            100,
        )
        .unwrap();
        assert_eq!(ids(&r), ["a", "b"]);
        assert_eq!((r.page.total, r.page.total_filter), (3, 2));
        let f = Filter::or(vec![Filter::eq("id", "a"), Filter::eq("id", "c")]);
        assert_eq!(
            ids(&list(rows(), Some(&f), &[], None, 100, 100).unwrap()),
            ["a", "c"]
        );
        let f = Filter::negate(Filter::cmp("substring", "status", "run"));
        assert_eq!(
            ids(&list(rows(), Some(&f), &[], None, 100, 100).unwrap()),
            ["a"]
        );
        let f = Filter::and(vec![
            Filter::cmp("lt", "progress", "50"),
            Filter::cmp("ne", "status", "X"),
        ]);
        assert_eq!(
            ids(&list(rows(), Some(&f), &[], None, 100, 100).unwrap()),
            ["b"]
        );
        assert!(
            list(
                rows(),
                Some(&Filter::eq("id", "a").clone_with_op("like")),
                &[],
                None,
                1,
                1
            )
            .is_err()
        );
    }

    #[test]
    fn sort_and_paging() {
        let sort = [Sort {
            field: "modifiedOn".into(),
            direction: "desc".into(),
        }];
        let page = Some(PageRequest {
            offset: 1,
            length: Some(5),
        });
        let r = list(rows(), None, &sort, page, 100, 1).unwrap();
        assert_eq!(ids(&r), ["a"]);
        assert_eq!(r.page.offset, 1);
    }

    impl Filter {
        fn clone_with_op(&self, op: &str) -> Filter {
            Filter {
                operator: op.into(),
                ..self.clone()
            }
        }
    }
}
