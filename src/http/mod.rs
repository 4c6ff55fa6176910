//! The HTTP adapter, and the only module that imports actix: the route table, request
//! authentication, REST error bodies (`errors`: one status per code), metrics and the embedded admin UI.

mod admin;
mod assets;
mod auth;
mod client;
mod cors;
mod errors;
mod graphql;
mod headers;
mod ops;
mod reports;
mod typed;
mod usage_report;

use actix_web::body::MessageBody;
use actix_web::dev::{Server, ServiceRequest, ServiceResponse};
use actix_web::middleware::{from_fn, Compress};
use actix_web::{web, HttpResponse};
use std::net::TcpListener;
use std::sync::Arc;
use std::time::Instant;

use crate::app::App;
use crate::error::AppError;
pub use errors::error_response;

/// Shared state of every handler.
pub type State = web::Data<App>;

/// Starts serving on `listener`; the returned server stops gracefully on SIGTERM/SIGINT, and
/// `/readyz` answers 503 from the signal on, before the drain.
pub fn start(app: Arc<App>, listener: TcpListener) -> std::io::Result<Server> {
    let stopping = app.clone();
    let state = web::Data::from(app);
    let server = actix_web::HttpServer::new(move || {
        actix_web::App::new()
            .app_data(state.clone())
            .app_data(web::QueryConfig::default().error_handler(|err, _| {
                let response =
                    error_response(&AppError::bad_input(format!("bad query parameters: {err}")));
                actix_web::error::InternalError::from_response(err, response).into()
            }))
            .wrap(from_fn(observe))
            .configure(|cfg| routes(cfg, &state))
    })
    .listen(listener)?
    .shutdown_timeout(30)
    .disable_signals()
    .run();
    let handle = server.handle();
    tokio::spawn(async move {
        stop_signal().await;
        tracing::info!("shutting down: not ready from now on, finishing requests under way");
        stopping.set_ready(false);
        handle.stop(true).await;
    });
    Ok(server)
}

/// Resolves at the first SIGTERM or SIGINT.
async fn stop_signal() {
    use tokio::signal::unix::{signal, SignalKind};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        (Err(e), _) | (_, Err(e)) => {
            tracing::warn!(error = %e, "cannot watch for SIGTERM and SIGINT; stop the server another way");
            std::future::pending::<()>().await;
        }
    }
}

/// The route table. Browsers on other origins (`cors_origins`) may call `/graphql`, every
/// route in the `/delivery` scope and `/assets/…`: those carry [`cors::layer`].
pub fn routes(cfg: &mut web::ServiceConfig, app: &App) {
    cfg.service(
        web::resource("/graphql")
            .wrap(Compress::default())
            .wrap(cors::layer(app))
            .route(web::post().to(graphql::post))
            .route(web::get().to(graphql::get)),
    )
    .service(
        web::scope("/delivery")
            .wrap(cors::layer(app))
            .route("/{brand}/graphql", web::post().to(typed::post))
            .route("/{brand}/schema.graphql", web::get().to(typed::sdl)),
    )
    .service(
        web::resource("/assets/{id}/{rendition}")
            .wrap(cors::layer(app))
            .route(web::get().to(assets::rendition)),
    )
    // Reports stream; gzip encodes each chunk as it comes, so streaming is kept.
    .service(
        web::resource("/api/reports/audit")
            .wrap(Compress::default())
            .route(web::get().to(reports::audit)),
    )
    .service(
        web::resource("/api/reports/usage")
            .wrap(Compress::default())
            .route(web::get().to(usage_report::usage)),
    )
    .route("/api/assets", web::post().to(assets::upload))
    .route("/healthz", web::get().to(ops::healthz))
    .route("/readyz", web::get().to(ops::readyz))
    .route("/metrics", web::get().to(ops::metrics))
    .route("/", web::get().to(admin::redirect))
    .route("/", web::head().to(admin::redirect))
    .route("/admin", web::get().to(admin::redirect))
    .route("/admin", web::head().to(admin::redirect))
    .route("/admin/{path:.*}", web::get().to(admin::asset))
    .route("/admin/{path:.*}", web::head().to(admin::asset))
    .default_service(web::to(not_found));
}

async fn not_found() -> HttpResponse {
    error_response(&AppError::not_found("no such route"))
}

/// Counts and times every request by its route pattern (never the raw path, which would let
/// a client grow the metric set without bound).
async fn observe(
    req: ServiceRequest,
    next: actix_web::middleware::Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let started = Instant::now();
    let method = req.method().clone();
    let state = req.app_data::<State>().cloned();
    let response = next.call(req).await?;
    let route = response
        .request()
        .match_pattern()
        .unwrap_or_else(|| "unmatched".into());
    let status = response.status();
    if let Some(state) = state {
        let m = &state.metrics;
        m.http_requests
            .with_label_values(&[route.as_str(), method.as_str(), status.as_str()])
            .inc();
        m.http_latency
            .with_label_values(&[&route])
            .observe(started.elapsed().as_secs_f64());
    }
    tracing::debug!(%method, %route, status = status.as_u16(), micros = started.elapsed().as_micros() as u64, "request");
    Ok(response)
}
