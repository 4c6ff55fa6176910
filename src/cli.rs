//! The command line: clap definitions, and the options that override configuration handed to
//! `config` as its own [`CliOverrides`]. `main` dispatches; `config` turns every source into a
//! validated [`crate::config::Config`] without knowing the command line.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::path::PathBuf;

use crate::config::CliOverrides;

#[derive(Debug, Parser)]
#[command(
    name = "vary",
    version,
    about = "Vary: a headless, personalized content management system"
)]
pub struct Cli {
    /// A TOML file with the same keys as the VARY_* variables (bind, data_dir, database_url, …).
    #[arg(long, global = true, env = "VARY_CONFIG", value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Log line format.
    #[arg(long, global = true, env = "VARY_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,

    #[command(flatten)]
    pub storage: StorageArgs,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

/// Where data lives; every command that touches the database takes these.
#[derive(Debug, Args, Default, Clone)]
pub struct StorageArgs {
    /// Directory for the SQLite database, the generated secrets and the indexes [default: ./vary-data]
    #[arg(long, global = true, env = "VARY_DATA_DIR", value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// `sqlite://PATH` or `postgres://…` [default: sqlite://<data-dir>/vary.db]
    #[arg(long, global = true, env = "VARY_DATABASE_URL", value_name = "URL")]
    pub database_url: Option<String>,
}

impl StorageArgs {
    /// These options, with `serve`'s `--bind`, as overrides for `Config::load`.
    pub fn overrides(&self, bind: Option<String>) -> CliOverrides {
        CliOverrides {
            bind,
            data_dir: self.data_dir.clone(),
            database_url: self.database_url.clone(),
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations, then serve HTTP (GraphQL, admin UI, assets, reports).
    Serve(ServeArgs),
    /// Apply pending migrations and exit.
    Migrate,
    /// Manage users.
    #[command(subcommand)]
    User(UserCommand),
    /// Check the editorial audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Write a report to standard output.
    #[command(subcommand)]
    Export(ExportCommand),
    /// Rebuild the search index from the database, with a progress bar (stop the server first).
    Reindex,
    /// Act on stored usage events.
    #[command(subcommand)]
    Usage(UsageCommand),
}

#[derive(Debug, Subcommand)]
pub enum UsageCommand {
    /// Delete one person's usage events in a brand from the database and (through the change
    /// feed) every running server's usage index; prints how many. Safe while servers run.
    Forget(UsageForgetArgs),
}

#[derive(Debug, Args)]
pub struct UsageForgetArgs {
    #[arg(long, value_name = "SLUG")]
    pub brand: String,
    /// The person's user key, as apps send it in `ContextInput.userKey`.
    #[arg(long, value_name = "KEY")]
    pub user_key: String,
}

#[derive(Debug, Subcommand)]
pub enum ExportCommand {
    /// The usage report of a brand: impressions, clicks, conversions, rates.
    Usage(ExportUsageArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    Csv,
    Json,
}

#[derive(Debug, Args)]
pub struct ExportUsageArgs {
    #[arg(long, value_name = "SLUG")]
    pub brand: String,
    /// First day (YYYY-MM-DD) or instant (RFC 3339), inclusive.
    #[arg(long, value_name = "DATE")]
    pub from: String,
    /// Last day (YYYY-MM-DD, inclusive) or instant (RFC 3339, exclusive).
    #[arg(long, value_name = "DATE")]
    pub to: String,
    #[arg(long, value_enum, default_value_t = ExportFormat::Csv)]
    pub format: ExportFormat,
    /// Comma-separated dimensions: ENTRY, VARIANT, REVISION, DEVICE, DAY, LOCALE [default: all]
    #[arg(long, value_name = "DIMENSIONS")]
    pub group_by: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Walk the hash chain and report the first row that was altered, removed or re-ordered
    /// (exit code 1 when the chain is broken).
    Verify,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: 127.0.0.1:8080]
    #[arg(long, env = "VARY_BIND", value_name = "ADDR")]
    pub bind: Option<String>,

    /// Load the demo data set when the database is empty, and print the demo logins.
    #[arg(long)]
    pub demo: bool,
}

#[derive(Debug, Subcommand)]
pub enum UserCommand {
    /// Create a user.
    Add(UserAddArgs),
    /// Disable a user: they cannot sign in and their sessions end, also on running servers
    /// (within a second).
    Disable(UserDisableArgs),
}

#[derive(Debug, Args)]
pub struct UserDisableArgs {
    #[arg(long)]
    pub email: String,
}

#[derive(Debug, Args)]
#[command(group = clap::ArgGroup::new("secret").required(true).args(["password", "password_stdin"]))]
pub struct UserAddArgs {
    #[arg(long)]
    pub email: String,
    /// admin, editor, reviewer or auditor
    #[arg(long)]
    pub role: String,
    /// A brand slug the user may work in (editors and reviewers); repeat for several.
    #[arg(long = "brand", value_name = "SLUG")]
    pub brands: Vec<String>,
    /// The password (visible in the process list: prefer --password-stdin).
    #[arg(long)]
    pub password: Option<String>,
    /// Read the password from the first line of standard input.
    #[arg(long)]
    pub password_stdin: bool,
}
