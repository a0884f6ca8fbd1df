//! Command-line options.

use std::path::PathBuf;
use std::time::Duration;

pub const USAGE: &str = "\
usage: tokenkeeper-soak [options]
  --duration SECS            whole run, warm-up included (default 120)
  --sessions N               independent sessions, each with its own server (default 3)
  --workers N                concurrent request loops per session (default 6)
  --pause-ms N               pause of each worker between requests (default 50)
  --warmup SECS              RSS is first sampled after this (default 10, at most a quarter of the run)
  --rss-slack-mb N           RSS may grow this much after warm-up, plus 4 KiB per refresh (default 4)
  --issued-tokens-out FILE   write every token the embedded server issued, one per line
  -h, --help                 this text
Logs go to stderr (RUST_LOG, default warn); the report goes to stdout.";

#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    pub duration: Duration,
    pub sessions: usize,
    pub workers: usize,
    pub pause: Duration,
    pub warmup: Duration,
    pub rss_slack_mb: f64,
    pub issued_tokens_out: Option<PathBuf>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            duration: Duration::from_secs(120),
            sessions: 3,
            workers: 6,
            pause: Duration::from_millis(50),
            warmup: Duration::from_secs(10),
            rss_slack_mb: 4.0,
            issued_tokens_out: None,
        }
    }
}

impl Options {
    /// `Err` carries the message to print (empty for `--help`).
    pub fn parse(args: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let mut options = Options::default();
        let mut args = args.into_iter();
        while let Some(flag) = args.next() {
            if flag == "-h" || flag == "--help" {
                return Err(String::new());
            }
            let value = args.next().ok_or_else(|| format!("{flag} needs a value"))?;
            match flag.as_str() {
                "--duration" => options.duration = Duration::from_secs(number(&flag, &value)?),
                "--sessions" => options.sessions = number(&flag, &value)?,
                "--workers" => options.workers = number(&flag, &value)?,
                "--pause-ms" => options.pause = Duration::from_millis(number(&flag, &value)?),
                "--warmup" => options.warmup = Duration::from_secs(number(&flag, &value)?),
                "--rss-slack-mb" => options.rss_slack_mb = number(&flag, &value)?,
                "--issued-tokens-out" => options.issued_tokens_out = Some(value.into()),
                _ => return Err(format!("unknown option {flag}")),
            }
        }
        if options.duration.is_zero() || options.sessions == 0 || options.workers == 0 {
            return Err("--duration, --sessions and --workers must be at least 1".into());
        }
        options.warmup = options.warmup.min(options.duration / 4);
        Ok(options)
    }
}

fn number<T: std::str::FromStr>(flag: &str, value: &str) -> Result<T, String> {
    value
        .parse()
        .map_err(|_| format!("{flag}: {value:?} is not a valid number"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Result<Options, String> {
        Options::parse(args.iter().map(|a| (*a).to_owned()))
    }

    #[test]
    fn defaults_and_flags() {
        assert_eq!(parse(&[]), Ok(Options::default()));
        let options = parse(&[
            "--duration",
            "20",
            "--workers",
            "4",
            "--issued-tokens-out",
            "t",
        ])
        .expect("valid");
        assert_eq!(options.duration, Duration::from_secs(20));
        assert_eq!(options.workers, 4);
        assert_eq!(
            options.warmup,
            Duration::from_secs(5),
            "capped at a quarter"
        );
        assert_eq!(options.issued_tokens_out, Some(PathBuf::from("t")));
    }

    #[test]
    fn bad_input_is_an_error() {
        assert!(parse(&["--duration"]).is_err());
        assert!(parse(&["--duration", "soon"]).is_err());
        assert!(parse(&["--workers", "0"]).is_err());
        assert!(parse(&["--sessions", "0"]).is_err());
        assert!(parse(&["--frobnicate", "1"]).is_err());
        assert_eq!(parse(&["--help"]), Err(String::new()));
    }
}
