//! The `vary` command: parse the command line, start logging, dispatch.

use clap::Parser;
use std::io::BufRead;
use std::net::TcpListener;
use std::sync::Arc;

use vary::app::{open_database, App};
use vary::cli::{
    AuditCommand, Cli, Command, ExportCommand, ServeArgs, UsageCommand, UserAddArgs, UserCommand,
    UserDisableArgs,
};
use vary::config::Config;

/// mimalloc rather than glibc's allocator: its per-thread heaps make the many small allocations of
/// request handling, the usage writer and the search indexer cheaper and keep them from
/// contending; under load the usage writer's share of the server's CPU fell by about a third
/// (README, performance).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Runs the command, then ends the process with `_exit`: every service was shut down and every
/// file flushed by then, and the C library's exit handlers (OpenSSL's among them, which libpq
/// uses) must not run while a thread of a client library may still be inside them — on
/// PostgreSQL that race ended CLI commands with SIGSEGV after they had printed success.
fn main() {
    let code = command();
    use std::io::Write;
    let _ = std::io::stdout().flush();
    let _ = std::io::stderr().flush();
    // SAFETY: `_exit` takes no pointers and never returns; nothing is left to clean up.
    unsafe { libc::_exit(code) }
}

/// The command's exit code: 0, 1 on failure, 2 for bad configuration.
fn command() -> i32 {
    let cli = Cli::parse();
    vary::telemetry::init(cli.log_format);
    let bind = match &cli.command {
        Command::Serve(args) => args.bind.clone(),
        _ => None,
    };
    let config = match Config::load(cli.config.as_deref(), cli.storage.overrides(bind)) {
        Ok(config) => config,
        Err(e) => {
            eprintln!("vary: {e}");
            return 2;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("vary: cannot start the runtime: {e}");
            return 1;
        }
    };
    let result = match cli.command {
        Command::Serve(args) => runtime.block_on(serve(config, args)),
        Command::Migrate => migrate(&config),
        Command::User(UserCommand::Add(args)) => runtime.block_on(add_user(config, args)),
        Command::User(UserCommand::Disable(args)) => runtime.block_on(disable_user(config, args)),
        Command::Audit(AuditCommand::Verify) => runtime.block_on(verify_audit(config)),
        Command::Export(ExportCommand::Usage(args)) => {
            runtime.block_on(vary::commands::export_usage(config, args))
        }
        Command::Reindex => runtime.block_on(vary::commands::reindex(config)),
        Command::Usage(UsageCommand::Forget(args)) => {
            runtime.block_on(vary::commands::forget_person(config, args))
        }
    };
    match result {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("vary: {e:#}");
            1
        }
    }
}

async fn serve(config: Config, args: ServeArgs) -> anyhow::Result<()> {
    let listener = TcpListener::bind(config.bind)
        .map_err(|e| anyhow::anyhow!("cannot listen on {}: {e}", config.bind))?;
    let app = Arc::new(App::build(config).await?);
    if args.demo {
        vary::demo::load_if_empty(&app).await?;
    }
    let addr = listener.local_addr()?;
    tracing::info!(%addr, backend = app.db.backend(), "Vary is listening: admin UI at http://{addr}/admin/, GraphiQL at http://{addr}/graphql");
    vary::http::start(app.clone(), listener)?.await?;
    app.shutdown().await;
    tracing::info!("stopped");
    Ok(())
}

fn migrate(config: &Config) -> anyhow::Result<()> {
    let db = open_database(config)?;
    println!("migrations are up to date ({})", db.backend());
    Ok(())
}

async fn verify_audit(config: Config) -> anyhow::Result<()> {
    let db = tokio::task::spawn_blocking(move || open_database(&config)).await??;
    let check = vary::content::audit::check_chain(&db)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let rows = check.rows;
    match check.first_broken {
        None => {
            println!("audit log intact: {rows} rows verified");
            Ok(())
        }
        Some(seq) => anyhow::bail!(
            "audit log broken at row {seq} of {rows}: it was altered, removed or re-ordered"
        ),
    }
}

async fn add_user(config: Config, args: UserAddArgs) -> anyhow::Result<()> {
    let role = args.role.parse().map_err(anyhow::Error::msg)?;
    let password = match (args.password, args.password_stdin) {
        (Some(p), false) => p,
        (None, true) => {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            line.trim_end_matches(['\r', '\n']).to_string()
        }
        _ => anyhow::bail!("give exactly one of --password and --password-stdin"),
    };
    let app = App::build(config).await?;
    let input = vary::content::accounts::NewUser {
        email: args.email,
        password,
        role,
        brands: args.brands,
    };
    let user = app
        .content
        .create_user_as_operator(input)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"));
    // Let the background work App::build started finish before the process ends.
    app.shutdown().await;
    let user = user?;
    println!(
        "created {} {} ({})",
        user.role.as_str(),
        user.email,
        user.id
    );
    Ok(())
}

/// Disables a user straight in the database; running servers apply the recorded change within
/// a second (the change feed), so the user's sessions end everywhere.
async fn disable_user(config: Config, args: UserDisableArgs) -> anyhow::Result<()> {
    let app = App::build(config).await?;
    let user = app
        .content
        .disable_user_as_operator(&args.email)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"));
    app.shutdown().await;
    let user = user?;
    println!(
        "disabled {} ({}); their sessions have ended",
        user.email, user.id
    );
    Ok(())
}
