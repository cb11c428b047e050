//! The headless command line: the same core functions the studio uses, for
//! scripting and automation. Human-readable output by default, JSON with
//! `--json`; errors are one line on stderr and a non-zero exit.

use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context as _, bail};
use chrono::NaiveDate;
use clap::{Args, Parser, Subcommand};

use crate::demo::{self, DemoError, DemoOptions};
use crate::domain::time::system_time_zone;
use crate::jobs::CancelToken;
use crate::store::Store;

/// Tailor: an offline campaign studio. With no command, opens the studio.
#[derive(Debug, Parser)]
#[command(name = "tailor", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<CliCommand>,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum CliCommand {
    /// Open the studio (the default), optionally on a workspace
    Gui {
        /// Workspace file to open
        #[arg(long, value_name = "PATH")]
        workspace: Option<PathBuf>,
    },
    /// Write a demo coffee-and-tea shop workspace
    Demo(DemoArgs),
    /// Show a workspace's schema version and row counts
    Info(InfoArgs),
}

/// Arguments of `tailor demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where to write the new workspace (must not exist)
    #[arg(long, value_name = "PATH")]
    pub out: PathBuf,
    /// How many contacts to generate
    #[arg(long, default_value_t = DemoOptions::DEFAULT_CONTACTS)]
    pub contacts: u64,
    /// Random seed; the same seed and as-of date give the same data
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The shop's "today" (YYYY-MM-DD); defaults to the real date
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
    /// IANA time zone of the workspace; defaults to the system's
    #[arg(long, value_name = "ZONE")]
    pub time_zone: Option<String>,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `tailor info`.
#[derive(Debug, Args)]
pub struct InfoArgs {
    /// The workspace file
    #[arg(long, value_name = "PATH")]
    pub workspace: PathBuf,
    /// Print JSON instead of text
    #[arg(long)]
    pub json: bool,
}

/// Runs a headless command.
pub fn run(command: CliCommand) -> anyhow::Result<()> {
    match command {
        CliCommand::Gui { .. } => bail!("the studio is started by main, not the CLI"),
        CliCommand::Demo(args) => demo_cmd(&args),
        CliCommand::Info(args) => info_cmd(&args),
    }
}

fn demo_cmd(args: &DemoArgs) -> anyhow::Result<()> {
    let time_zone = args.time_zone.clone().unwrap_or_else(system_time_zone);
    if time_zone.parse::<chrono_tz::Tz>().is_err() {
        bail!("--time-zone: unknown IANA time zone {time_zone:?}");
    }
    let options = DemoOptions {
        n_contacts: args.contacts,
        seed: args.seed,
        as_of: args
            .as_of
            .unwrap_or_else(|| chrono::Local::now().date_naive()),
        time_zone,
    };
    let started = Instant::now();
    let show_progress = !args.json && std::io::stderr().is_terminal();
    let mut last_percent = u32::MAX;
    let mut progress = |fraction: f32, message: &str| {
        let percent = (fraction * 100.0) as u32;
        if show_progress && percent != last_percent {
            last_percent = percent;
            eprint!("\r\x1b[2K{percent:>3}%  {message}");
            let _ = std::io::stderr().flush();
        }
    };
    let result = demo::generate(&args.out, &options, &mut progress, &CancelToken::new());
    if show_progress {
        eprint!("\r\x1b[2K");
    }
    let (path, summary) = match result {
        Ok(done) => done,
        Err(DemoError::Cancelled) => bail!("cancelled"),
        Err(e) => return Err(e).context("tailor demo"),
    };
    let seconds = started.elapsed().as_secs_f64();
    if args.json {
        let json = serde_json::json!({
            "path": path,
            "contacts": summary.contacts,
            "orders": summary.orders,
            "order_items": summary.order_items,
            "events": summary.events,
            "seed": options.seed,
            "as_of": options.as_of.to_string(),
            "seconds": seconds,
        });
        println!("{json}");
    } else {
        println!(
            "Wrote {}: {} contacts, {} orders, {} order lines, {} events in {seconds:.1} s",
            path.display(),
            summary.contacts,
            summary.orders,
            summary.order_items,
            summary.events,
        );
    }
    Ok(())
}

fn info_cmd(args: &InfoArgs) -> anyhow::Result<()> {
    let store = Store::open(&args.workspace)?;
    let summary = store.summary()?;
    if args.json {
        let counts = &summary.counts;
        let json = serde_json::json!({
            "path": summary.path,
            "name": summary.settings.name,
            "schema_version": summary.schema_version,
            "time_zone": summary.settings.time_zone,
            "as_of": summary.settings.as_of.map(|d| d.to_string()),
            "counts": {
                "contacts": counts.contacts,
                "orders": counts.orders,
                "order_items": counts.order_items,
                "events": counts.events,
                "segments": counts.segments,
                "templates": counts.templates,
            },
            "custom_fields": summary.custom_fields.iter()
                .map(|f| serde_json::json!({"name": f.name, "type": f.kind.as_str()}))
                .collect::<Vec<_>>(),
        });
        println!("{json}");
    } else {
        let c = &summary.counts;
        println!("{} ({})", summary.settings.name, summary.path.display());
        println!("schema version  {}", summary.schema_version);
        println!("time zone       {}", summary.settings.time_zone);
        if let Some(day) = summary.settings.as_of {
            println!("pinned as-of    {day}");
        }
        println!("contacts        {}", c.contacts);
        println!("orders          {}", c.orders);
        println!("order items     {}", c.order_items);
        println!("events          {}", c.events);
        println!("segments        {}", c.segments);
        println!("templates       {}", c.templates);
        for field in &summary.custom_fields {
            println!("custom field    {} ({})", field.name, field.kind.as_str());
        }
    }
    Ok(())
}
