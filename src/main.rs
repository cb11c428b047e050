//! The `tailor` binary: no arguments opens the studio, anything else is a
//! headless command.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser as _;
use tailor::cli::{Cli, CliCommand};

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        None => run_studio(None),
        Some(CliCommand::Gui { workspace }) => run_studio(workspace),
        Some(command) => tailor::cli::run(command),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run_studio(workspace: Option<PathBuf>) -> anyhow::Result<()> {
    let icon = eframe::icon_data::from_png_bytes(include_bytes!("../assets/icons/tailor-256.png"))
        .unwrap_or_default();
    let options = eframe::NativeOptions {
        viewport: egui::ViewportBuilder::default()
            .with_icon(icon)
            .with_title("Tailor")
            .with_app_id("tailor")
            .with_inner_size([1280.0, 800.0])
            .with_min_inner_size([800.0, 500.0]),
        ..Default::default()
    };
    eframe::run_native(
        "Tailor",
        options,
        Box::new(move |cc| {
            let prefs: tailor::state::Preferences = cc
                .storage
                .and_then(|storage| eframe::get_value(storage, tailor::app::PREFS_KEY))
                .unwrap_or_default();
            let today = chrono::Local::now().date_naive();
            let startup = tailor::app::startup_for(workspace, &prefs, today);
            let app = tailor::TailorApp::new(&cc.egui_ctx, prefs, today, startup)?;
            Ok(Box::new(app))
        }),
    )
    .map_err(|e| anyhow::anyhow!("could not open the studio window: {e}"))
}
