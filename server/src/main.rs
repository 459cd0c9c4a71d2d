use std::process::ExitCode;

use clap::Parser;
use hangar_server::cli::{Cli, run};

#[tokio::main]
async fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli).await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("hangar: {e:#}");
            ExitCode::FAILURE
        }
    }
}
