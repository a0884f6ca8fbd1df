use serde_json::{Map, Value};

use super::error::Malformed;

/// The registered claims a client needs, typed, and every other claim as JSON.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Claims {
    /// Expiry, seconds since the epoch (fractional NumericDates are floored).
    pub exp: Option<i64>,
    pub nbf: Option<i64>,
    pub iat: Option<i64>,
    pub iss: Option<String>,
    pub sub: Option<String>,
    /// `aud` as a list whether the token carried a string or an array.
    pub aud: Vec<String>,
    pub jti: Option<String>,
    /// All claims other than the registered ones above.
    pub custom: Map<String, Value>,
}

impl Claims {
    pub(crate) fn from_json(mut object: Map<String, Value>) -> Result<Self, Malformed> {
        Ok(Self {
            exp: take_numeric_date(&mut object, "exp")?,
            nbf: take_numeric_date(&mut object, "nbf")?,
            iat: take_numeric_date(&mut object, "iat")?,
            iss: take_string(&mut object, "iss")?,
            sub: take_string(&mut object, "sub")?,
            aud: take_audience(&mut object)?,
            jti: take_string(&mut object, "jti")?,
            custom: object,
        })
    }
}

fn take_string(
    object: &mut Map<String, Value>,
    claim: &'static str,
) -> Result<Option<String>, Malformed> {
    match object.remove(claim) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text)),
        Some(_) => Err(Malformed::InvalidClaim {
            claim,
            problem: "must be a string",
        }),
    }
}

fn take_audience(object: &mut Map<String, Value>) -> Result<Vec<String>, Malformed> {
    const WRONG_TYPE: Malformed = Malformed::InvalidClaim {
        claim: "aud",
        problem: "must be a string or an array of strings",
    };
    match object.remove("aud") {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::String(single)) => Ok(vec![single]),
        Some(Value::Array(items)) => items
            .into_iter()
            .map(|item| match item {
                Value::String(text) => Ok(text),
                _ => Err(WRONG_TYPE),
            })
            .collect(),
        Some(_) => Err(WRONG_TYPE),
    }
}

/// RFC 7519 NumericDate: a JSON number of seconds, possibly fractional.
fn take_numeric_date(
    object: &mut Map<String, Value>,
    claim: &'static str,
) -> Result<Option<i64>, Malformed> {
    let invalid = Malformed::InvalidClaim {
        claim,
        problem: "must be a number of seconds since the epoch",
    };
    let number = match object.remove(claim) {
        None | Some(Value::Null) => return Ok(None),
        Some(Value::Number(number)) => number,
        Some(_) => return Err(invalid),
    };
    if let Some(whole) = number.as_i64() {
        return Ok(Some(whole));
    }
    // Beyond ±2^53 a float has no whole-second precision left; such a date is nonsense anyway.
    const LIMIT: f64 = 9_007_199_254_740_992.0;
    match number.as_f64() {
        Some(seconds) if seconds.is_finite() && seconds.abs() < LIMIT => {
            Ok(Some(seconds.floor() as i64))
        }
        _ => Err(invalid),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn claims(value: Value) -> Result<Claims, Malformed> {
        let Value::Object(object) = value else {
            panic!("test input must be an object")
        };
        Claims::from_json(object)
    }

    #[test]
    fn registered_claims_are_typed_and_the_rest_kept() {
        let parsed = claims(json!({
            "exp": 200, "nbf": 100, "iat": 100, "iss": "https://issuer", "sub": "u1",
            "aud": "app", "jti": "j1", "scope": "read", "roles": ["a"]
        }))
        .unwrap();
        assert_eq!(parsed.exp, Some(200));
        assert_eq!(parsed.aud, vec!["app".to_string()]);
        assert_eq!(parsed.custom.len(), 2);
        assert_eq!(parsed.custom["scope"], json!("read"));
    }

    #[test]
    fn audience_may_be_an_array_and_nothing_else() {
        assert_eq!(
            claims(json!({"aud": ["a", "b"]})).unwrap().aud,
            vec!["a", "b"]
        );
        assert_eq!(
            claims(json!({"aud": []})).unwrap().aud,
            Vec::<String>::new()
        );
        for bad in [
            json!({"aud": 5}),
            json!({"aud": ["a", 1]}),
            json!({"aud": {"x": 1}}),
        ] {
            assert!(matches!(
                claims(bad),
                Err(Malformed::InvalidClaim { claim: "aud", .. })
            ));
        }
    }

    #[test]
    fn numeric_dates_accept_fractions_and_refuse_other_types() {
        assert_eq!(claims(json!({"exp": 1.9})).unwrap().exp, Some(1));
        assert_eq!(claims(json!({"exp": -0.5})).unwrap().exp, Some(-1));
        assert_eq!(claims(json!({"exp": null})).unwrap().exp, None);
        for bad in [
            json!({"exp": "200"}),
            json!({"exp": 1e300}),
            json!({"exp": true}),
            json!({"exp": u64::MAX}),
        ] {
            assert!(matches!(
                claims(bad),
                Err(Malformed::InvalidClaim { claim: "exp", .. })
            ));
        }
    }

    #[test]
    fn string_claims_must_be_strings() {
        for claim in ["iss", "sub", "jti"] {
            let bad = json!({ claim: 7 });
            assert!(matches!(claims(bad), Err(Malformed::InvalidClaim { .. })));
        }
    }
}
