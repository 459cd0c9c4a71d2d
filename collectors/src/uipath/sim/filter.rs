//! The part of OData `$filter` and `$orderby` the simulator understands: comparisons
//! (`eq ne gt ge lt le`) of a property path (`State`, `Robot/Id`) with a literal
//! (`'text'`, `123`, `123L`, `2024-04-04T12:00:47.264Z`, `null`, `true`), `in (…)` lists,
//! `and`, `or`, `not` and parentheses. Enough for every query Hangar's client sends and
//! for the documented examples; anything else is a 400, as Orchestrator would answer.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde_json::Value;

#[derive(Clone, Debug, PartialEq)]
pub enum Lit {
    Null,
    Bool(bool),
    Int(i64),
    Num(f64),
    Str(String),
    Time(DateTime<Utc>),
}

#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    Cmp(String, Op, Lit),
    In(String, Vec<Lit>),
    And(Box<Expr>, Box<Expr>),
    Or(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Eq,
    Ne,
    Gt,
    Ge,
    Lt,
    Le,
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Open,
    Close,
    Comma,
    Str(String),
    Word(String),
}

fn lex(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ' ' | '\t' => {
                chars.next();
            }
            '(' | ')' | ',' => {
                chars.next();
                out.push(match c {
                    '(' => Tok::Open,
                    ')' => Tok::Close,
                    _ => Tok::Comma,
                });
            }
            '\'' => {
                chars.next();
                let mut text = String::new();
                loop {
                    match chars.next() {
                        Some('\'') if chars.peek() == Some(&'\'') => {
                            chars.next();
                            text.push('\'');
                        }
                        Some('\'') => break,
                        Some(c) => text.push(c),
                        None => return Err("unterminated string literal".into()),
                    }
                }
                out.push(Tok::Str(text));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if c.is_whitespace() || matches!(c, '(' | ')' | ',' | '\'') {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                out.push(Tok::Word(word));
            }
        }
    }
    Ok(out)
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek_word(&self, w: &str) -> bool {
        matches!(self.toks.get(self.pos), Some(Tok::Word(x)) if x.eq_ignore_ascii_case(w))
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        t
    }
    fn or(&mut self) -> Result<Expr, String> {
        let mut e = self.and()?;
        while self.peek_word("or") {
            self.pos += 1;
            e = Expr::Or(Box::new(e), Box::new(self.and()?));
        }
        Ok(e)
    }
    fn and(&mut self) -> Result<Expr, String> {
        let mut e = self.unary()?;
        while self.peek_word("and") {
            self.pos += 1;
            e = Expr::And(Box::new(e), Box::new(self.unary()?));
        }
        Ok(e)
    }
    fn unary(&mut self) -> Result<Expr, String> {
        if self.peek_word("not") {
            self.pos += 1;
            return Ok(Expr::Not(Box::new(self.unary()?)));
        }
        if self.toks.get(self.pos) == Some(&Tok::Open) {
            self.pos += 1;
            let e = self.or()?;
            return match self.next() {
                Some(Tok::Close) => Ok(e),
                _ => Err("expected ')'".into()),
            };
        }
        let path = match self.next() {
            Some(Tok::Word(p))
                if p.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '/' || c == '_') =>
            {
                p
            }
            other => return Err(format!("expected a property, found {other:?}")),
        };
        let op = match self.next() {
            Some(Tok::Word(op)) => op.to_ascii_lowercase(),
            other => return Err(format!("expected an operator, found {other:?}")),
        };
        if op == "in" {
            if self.next() != Some(Tok::Open) {
                return Err("expected '(' after in".into());
            }
            let mut list = Vec::new();
            loop {
                list.push(self.literal()?);
                match self.next() {
                    Some(Tok::Comma) => continue,
                    Some(Tok::Close) => break,
                    other => return Err(format!("expected ',' or ')', found {other:?}")),
                }
            }
            return Ok(Expr::In(path, list));
        }
        let op = match op.as_str() {
            "eq" => Op::Eq,
            "ne" => Op::Ne,
            "gt" => Op::Gt,
            "ge" => Op::Ge,
            "lt" => Op::Lt,
            "le" => Op::Le,
            other => return Err(format!("unsupported operator {other}")),
        };
        Ok(Expr::Cmp(path, op, self.literal()?))
    }
    fn literal(&mut self) -> Result<Lit, String> {
        match self.next() {
            Some(Tok::Str(s)) => Ok(Lit::Str(s)),
            Some(Tok::Word(w)) => parse_word_literal(&w),
            other => Err(format!("expected a literal, found {other:?}")),
        }
    }
}

fn parse_word_literal(w: &str) -> Result<Lit, String> {
    match w {
        "null" => return Ok(Lit::Null),
        "true" => return Ok(Lit::Bool(true)),
        "false" => return Ok(Lit::Bool(false)),
        _ => {}
    }
    if w.len() > 10 && w.as_bytes()[4] == b'-' && w.contains('T') {
        return DateTime::parse_from_rfc3339(w)
            .map(|t| Lit::Time(t.with_timezone(&Utc)))
            .map_err(|e| format!("bad DateTimeOffset {w}: {e}"));
    }
    let digits = w.strip_suffix(['L', 'l']).unwrap_or(w);
    if let Ok(n) = digits.parse::<i64>() {
        return Ok(Lit::Int(n));
    }
    w.parse::<f64>()
        .map(Lit::Num)
        .map_err(|_| format!("bad literal {w}"))
}

pub fn parse(s: &str) -> Result<Expr, String> {
    let mut p = Parser {
        toks: lex(s)?,
        pos: 0,
    };
    let e = p.or()?;
    if p.pos != p.toks.len() {
        return Err("trailing input in $filter".into());
    }
    Ok(e)
}

/// The value at `path` (`Robot/Id`) of a JSON object.
pub fn lookup<'a>(row: &'a Value, path: &str) -> &'a Value {
    let mut v = row;
    for part in path.split('/') {
        v = v.get(part).unwrap_or(&Value::Null);
    }
    v
}

fn as_time(v: &Value) -> Option<DateTime<Utc>> {
    v.as_str()
        .and_then(|s| DateTime::parse_from_rfc3339(s).ok())
        .map(|t| t.with_timezone(&Utc))
}

/// Compares a JSON value with a literal; `None` when they are not comparable.
fn cmp_lit(v: &Value, lit: &Lit) -> Option<Ordering> {
    match lit {
        Lit::Null => Some(if v.is_null() {
            Ordering::Equal
        } else {
            Ordering::Greater
        }),
        _ if v.is_null() => None,
        Lit::Bool(b) => v.as_bool().map(|x| x.cmp(b)),
        Lit::Int(n) => match v {
            Value::Number(x) => x.as_f64()?.partial_cmp(&(*n as f64)),
            Value::String(s) => Some(s.as_str().cmp(n.to_string().as_str())),
            _ => None,
        },
        Lit::Num(n) => v.as_f64()?.partial_cmp(n),
        Lit::Str(s) => v.as_str().map(|x| x.cmp(s.as_str())),
        Lit::Time(t) => as_time(v).map(|x| x.cmp(t)),
    }
}

pub fn eval(e: &Expr, row: &Value) -> bool {
    match e {
        Expr::And(a, b) => eval(a, row) && eval(b, row),
        Expr::Or(a, b) => eval(a, row) || eval(b, row),
        Expr::Not(a) => !eval(a, row),
        Expr::In(path, list) => {
            let v = lookup(row, path);
            list.iter().any(|l| cmp_lit(v, l) == Some(Ordering::Equal))
        }
        Expr::Cmp(path, op, lit) => {
            let v = lookup(row, path);
            if *lit == Lit::Null {
                return match op {
                    Op::Eq => v.is_null(),
                    Op::Ne => !v.is_null(),
                    _ => false,
                };
            }
            let Some(ord) = cmp_lit(v, lit) else {
                return *op == Op::Ne;
            };
            match op {
                Op::Eq => ord == Ordering::Equal,
                Op::Ne => ord != Ordering::Equal,
                Op::Gt => ord == Ordering::Greater,
                Op::Ge => ord != Ordering::Less,
                Op::Lt => ord == Ordering::Less,
                Op::Le => ord != Ordering::Greater,
            }
        }
    }
}

/// Orders two rows by JSON values: numbers numerically, timestamps as times (their text does
/// not sort: precision varies), other strings as text, null first.
pub fn cmp_values(a: &Value, b: &Value) -> Ordering {
    match (a, b) {
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .unwrap_or_default()
            .partial_cmp(&y.as_f64().unwrap_or_default())
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => match (as_time(a), as_time(b)) {
            (Some(s), Some(t)) => s.cmp(&t),
            _ => x.cmp(y),
        },
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        _ => Ordering::Equal,
    }
}

/// Parses `$orderby` (`A asc,B desc`) into (path, descending) pairs.
pub fn parse_orderby(s: &str) -> Result<Vec<(String, bool)>, String> {
    s.split(',')
        .map(|part| {
            let mut words = part.split_whitespace();
            let path = words.next().ok_or("empty $orderby term")?.to_owned();
            let desc = match words.next().map(str::to_ascii_lowercase).as_deref() {
                None | Some("asc") => false,
                Some("desc") => true,
                Some(other) => return Err(format!("bad $orderby direction {other}")),
            };
            Ok((path, desc))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn parses_the_documented_forms() {
        let row = json!({"CreationTime": "2024-04-04T12:00:48.1Z", "Robot": {"Id": 123},
                         "ProcessType": "Process", "Status": "Failed", "Id": 7, "EndTime": null});
        for (f, want) in [
            ("CreationTime ge 2024-04-04T12:00:47.264Z", true),
            ("CreationTime gt 2024-04-04T12:00:48.1000000Z", false),
            ("Robot/Id eq 123L", true),
            ("Robot/Id eq 749", false),
            ("ProcessType eq 'Process' and Status eq 'Failed'", true),
            ("Id in (1,7,9)", true),
            ("Id in (1, 9)", false),
            ("EndTime eq null", true),
            ("EndTime ne null or Id eq 7", true),
            ("not (Id eq 7)", false),
        ] {
            assert_eq!(eval(&parse(f).unwrap(), &row), want, "{f}");
        }
        assert!(parse("Id eq").is_err());
        assert!(parse("Id like 'x'").is_err());
    }
}
