//! Claims and times as people read them. Nothing here ever sees a token.

use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value};
use tokenkeeper::jwt::Claims;

/// Seconds since the epoch, now (device clock).
pub fn now_secs() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| {
            i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX)
        })
}

/// The claims as one JSON object, registered ones as the token had them.
pub fn claims_json(claims: &Claims) -> Value {
    let mut object = Map::new();
    let mut put = |name: &str, value: Option<Value>| {
        if let Some(value) = value {
            object.insert(name.to_owned(), value);
        }
    };
    put("iss", claims.iss.clone().map(Value::String));
    put("sub", claims.sub.clone().map(Value::String));
    put(
        "aud",
        match claims.aud.as_slice() {
            [] => None,
            [single] => Some(Value::String(single.clone())),
            many => Some(Value::from(many.to_vec())),
        },
    );
    put("exp", claims.exp.map(Value::from));
    put("nbf", claims.nbf.map(Value::from));
    put("iat", claims.iat.map(Value::from));
    put("jti", claims.jti.clone().map(Value::String));
    for (name, value) in &claims.custom {
        object.insert(name.clone(), value.clone());
    }
    Value::Object(object)
}

/// "expires in 4 min 59 s (2025-06-01 12:00:00 UTC)" or "expired 3 min ago (…)".
pub fn expiry(exp: Option<i64>, now: i64) -> String {
    let Some(exp) = exp else {
        return "no expiry (the token has no exp claim)".to_owned();
    };
    let when = utc(exp);
    if exp > now {
        format!("expires in {} ({when})", duration(exp - now))
    } else {
        format!("expired {} ago ({when})", duration(now - exp))
    }
}

/// A duration in its two largest units: "3 days 2 h", "4 min 59 s", "12 s".
pub fn duration(secs: i64) -> String {
    let secs = secs.max(0);
    let units = [("day", 86_400), ("h", 3_600), ("min", 60), ("s", 1)];
    let mut parts = Vec::new();
    let mut rest = secs;
    for (name, size) in units {
        let count = rest / size;
        rest %= size;
        if count > 0 || (!parts.is_empty() && parts.len() < 2) {
            let name = if name == "day" && count != 1 {
                "days"
            } else {
                name
            };
            parts.push(format!("{count} {name}"));
        }
        if parts.len() == 2 {
            break;
        }
    }
    match parts.as_slice() {
        [] => "0 s".to_owned(),
        // "4 min 0 s" reads worse than "4 min".
        [first, second] if second.starts_with("0 ") => first.clone(),
        _ => parts.join(" "),
    }
}

/// `YYYY-MM-DD hh:mm:ss UTC` for seconds since the epoch.
pub fn utc(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let time = secs.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02}:{:02} UTC",
        time / 3600,
        time % 3600 / 60,
        time % 60
    )
}

/// Howard Hinnant's days-to-civil algorithm (proleptic Gregorian).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(0), "0 s");
        assert_eq!(duration(12), "12 s");
        assert_eq!(duration(299), "4 min 59 s");
        assert_eq!(duration(300), "5 min");
        assert_eq!(duration(3_660), "1 h 1 min");
        assert_eq!(duration(86_400 * 30 + 7_200), "30 days 2 h");
        assert_eq!(duration(86_400 + 5), "1 day");
    }

    #[test]
    fn dates_are_utc() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_825_600), "2000-02-29 12:00:00 UTC");
        assert_eq!(utc(1_767_225_599), "2025-12-31 23:59:59 UTC");
    }

    #[test]
    fn expiry_says_which_way() {
        assert_eq!(
            expiry(Some(1_000), 700),
            "expires in 5 min (1970-01-01 00:16:40 UTC)"
        );
        assert_eq!(
            expiry(Some(1_000), 1_060),
            "expired 1 min ago (1970-01-01 00:16:40 UTC)"
        );
    }
}
