//! serde_json's error messages can quote the input ("invalid type: string
//! \"eyJ...\""), and the input here is often a token. This keeps only the kind
//! of error and where it happened.

pub fn describe(error: &serde_json::Error) -> String {
    let kind = match error.classify() {
        serde_json::error::Category::Io => "I/O error",
        serde_json::error::Category::Syntax => "invalid JSON",
        serde_json::error::Category::Data => "unexpected JSON shape",
        serde_json::error::Category::Eof => "truncated JSON",
    };
    format!("{kind} at line {} column {}", error.line(), error.column())
}

#[cfg(test)]
mod tests {
    #[test]
    fn never_quotes_the_input() {
        let error = serde_json::from_str::<u64>("\"eyJsecret\"").unwrap_err();
        assert!(
            error.to_string().contains("eyJsecret"),
            "serde_json does quote input"
        );
        let described = super::describe(&error);
        assert!(!described.contains("eyJsecret"));
        assert_eq!(described, "unexpected JSON shape at line 1 column 11");
    }
}
