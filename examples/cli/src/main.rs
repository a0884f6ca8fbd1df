//! tokenkeeper-cli: a command-line client for people who test auth backends.
//!
//! Every failure ends as exactly one line `error: …` on stderr and a non-zero
//! exit code per class (see `errors.rs`); no token, password or token-endpoint
//! body is ever part of it.

mod args;
mod commands;
mod config;
mod errors;
mod profile;
mod store;
mod transport;

use std::process::ExitCode;

use clap::Parser as _;
use clap::error::ErrorKind;

use errors::{Class, CliError};

fn main() -> ExitCode {
    let cli = match args::Cli::try_parse() {
        Ok(cli) => cli,
        Err(error)
            if matches!(
                error.kind(),
                ErrorKind::DisplayHelp | ErrorKind::DisplayVersion
            ) =>
        {
            let _ = error.print();
            return ExitCode::SUCCESS;
        }
        Err(error) => return report(&usage_error(&error)),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            return report(&CliError::new(
                Class::Other,
                format!("cannot start the async runtime: {error}"),
            ));
        }
    };
    match runtime.block_on(commands::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => report(&error),
    }
}

fn report(error: &CliError) -> ExitCode {
    eprintln!("error: {error}");
    ExitCode::from(error.exit_code())
}

/// clap's message is several lines (usage, tips); keep its first, which says what is wrong.
fn usage_error(error: &clap::Error) -> CliError {
    if error.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        return CliError::usage(
            "no command given (expected login, token, call, refresh, logout or status; see --help)",
        );
    }
    let rendered = error.render().to_string();
    let first = rendered
        .lines()
        .map(str::trim)
        .find(|line| !line.is_empty())
        .unwrap_or("invalid arguments");
    let first = first.strip_prefix("error: ").unwrap_or(first);
    CliError::usage(format!("{first} (see --help)"))
}
