//! `strongroom`: starts the server. Configuration: `--config FILE` or `STRONGROOM_CONFIG`, then
//! `STRONGROOM_*` and `DATABASE_URL` environment variables.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::ExitCode;

use backend::settings::Settings;

#[actix_web::main]
async fn main() -> ExitCode {
    let config = config_path();
    let settings = match Settings::load(config.as_deref(), std::env::vars()) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("strongroom: {e}");
            return ExitCode::from(2);
        }
    };
    tracing_subscriber::fmt()
        .with_env_filter(tracing_subscriber::EnvFilter::new(&settings.log))
        .init();
    let listener = match settings.bind_addr().map(TcpListener::bind) {
        Ok(Ok(listener)) => listener,
        Ok(Err(e)) => {
            eprintln!("strongroom: cannot listen on {}: {e}", settings.bind);
            return ExitCode::from(2);
        }
        Err(e) => {
            eprintln!("strongroom: {e}");
            return ExitCode::from(2);
        }
    };
    let url = match listener.local_addr() {
        Ok(addr) => format!("http://{addr}/"),
        Err(_) => format!("http://{}/", settings.bind),
    };
    let server = match backend::run(settings, listener).await {
        Ok(server) => server,
        Err(e) => {
            eprintln!("strongroom: {e}");
            return ExitCode::from(2);
        }
    };
    println!("Strongroom is running at {url}");
    match server.await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("strongroom: {e}");
            ExitCode::FAILURE
        }
    }
}

fn config_path() -> Option<PathBuf> {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == "--config" {
            return args.next().map(PathBuf::from);
        }
        if let Some(path) = arg.strip_prefix("--config=") {
            return Some(PathBuf::from(path));
        }
    }
    std::env::var_os("STRONGROOM_CONFIG").map(PathBuf::from)
}
