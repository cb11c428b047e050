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
use crate::domain::WorkspaceSettings;
use crate::domain::money::group_thousands;
use crate::domain::segment::{Segment, parse_segment, read_back};
use crate::domain::time::system_time_zone;
use crate::import::events::{self, EventImportOptions};
use crate::import::orders::{self, OrderImportOptions};
use crate::import::read::ReadOptions;
use crate::import::values::DateOrder;
use crate::import::{self, ContactImportOptions, DuplicatePolicy};
use crate::jobs::{CancelToken, NoProgress};
use crate::store::{Store, StoreError};

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
    /// Create an empty workspace to import customers into
    New(NewArgs),
    /// Write a demo coffee-and-tea shop workspace
    Demo(DemoArgs),
    /// Show a workspace's schema version and row counts
    Info(InfoArgs),
    /// Import customers from a CSV, TSV or spreadsheet file
    #[command(subcommand)]
    Import(ImportCommand),
    /// Undo an import by its run number (printed by `tailor import`)
    Undo(UndoArgs),
    /// Write the rows an earlier import rejected to a CSV file
    Rejects(RejectsArgs),
    /// Work with the contact list
    #[command(subcommand)]
    Contacts(ContactsCommand),
    /// Count, export, save and list segments (*.segment.json)
    #[command(subcommand)]
    Segment(SegmentCommand),
}

/// `tailor contacts …`.
#[derive(Debug, Subcommand)]
pub enum ContactsCommand {
    /// Write every contact with every field to a CSV file
    Export {
        /// The workspace file
        #[arg(long, value_name = "PATH")]
        workspace: PathBuf,
        /// The CSV file to write
        #[arg(long, value_name = "FILE.csv")]
        out: PathBuf,
    },
}

/// What `tailor import` imports.
#[derive(Debug, Subcommand)]
pub enum ImportCommand {
    /// Contacts: one row a person
    Contacts(ContactImportArgs),
    /// Orders: one row an order line, linked to contacts by email or customer ID
    Orders(FileArgs),
    /// Events: one row an event (sent, opened, clicked, page view, conversion…)
    Events(EventImportArgs),
}

/// Arguments of `tailor import events`.
#[derive(Debug, Args)]
pub struct EventImportArgs {
    #[command(flatten)]
    pub file: FileArgs,
    /// The kind of every event, for a file without a kind column (e.g. email_click)
    #[arg(long, value_name = "KIND")]
    pub kind: Option<String>,
}

/// Arguments every import takes.
#[derive(Debug, Args)]
pub struct FileArgs {
    /// The file: .csv, .tsv, .txt, .xlsx, .xls or .ods
    pub file: PathBuf,
    /// The workspace file
    #[arg(long, value_name = "PATH")]
    pub workspace: PathBuf,
    /// The sheet of a workbook (default: the first)
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
    /// A column mapping saved as JSON (see --save-mapping)
    #[arg(long, value_name = "MAP.json")]
    pub mapping: Option<PathBuf>,
    /// Write the mapping used to this JSON file, to edit and reuse
    #[arg(long, value_name = "MAP.json")]
    pub save_mapping: Option<PathBuf>,
    /// Read ambiguous dates like 03/04/2024 as day first (3 April)
    #[arg(long, conflicts_with = "month_first")]
    pub day_first: bool,
    /// Read ambiguous dates like 03/04/2024 as month first (4 March)
    #[arg(long)]
    pub month_first: bool,
    /// Write rejected and duplicate rows, with line and reason, to this CSV
    #[arg(long, value_name = "OUT.csv")]
    pub rejects: Option<PathBuf>,
    /// The file's encoding (default: detected), e.g. windows-1252, iso-8859-15, macintosh
    #[arg(long, value_name = "LABEL")]
    pub encoding: Option<String>,
    /// The delimiter (default: detected): , ; | or tab
    #[arg(long, value_name = "CHAR")]
    pub delimiter: Option<String>,
    /// Print the summary as JSON
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `tailor import contacts`.
#[derive(Debug, Args)]
pub struct ContactImportArgs {
    #[command(flatten)]
    pub file: FileArgs,
    /// What to do with contacts that already exist
    #[arg(long, value_enum, default_value_t = DuplicateArg::Update)]
    pub on_duplicate: DuplicateArg,
    /// Drop columns that match no contact field instead of making custom fields
    #[arg(long)]
    pub skip_unmapped: bool,
    /// Let subscribed values in the file re-subscribe contacts who unsubscribed
    #[arg(long)]
    pub allow_resubscribe: bool,
}

impl FileArgs {
    fn read_options(&self) -> anyhow::Result<ReadOptions> {
        Ok(ReadOptions {
            encoding: self.encoding.clone(),
            delimiter: self.delimiter.as_deref().map(parse_delimiter).transpose()?,
            sheet: self.sheet.clone(),
        })
    }

    fn date_order(&self) -> Option<DateOrder> {
        if self.day_first {
            Some(DateOrder::DayFirst)
        } else if self.month_first {
            Some(DateOrder::MonthFirst)
        } else {
            None
        }
    }

    fn mapping<T: serde::de::DeserializeOwned>(&self) -> anyhow::Result<Option<T>> {
        let Some(path) = &self.mapping else {
            return Ok(None);
        };
        let text = std::fs::read_to_string(path).with_context(|| format!("{}", path.display()))?;
        let mapping = serde_json::from_str(&text)
            .with_context(|| format!("{}: not a mapping file", path.display()))?;
        Ok(Some(mapping))
    }
}

/// `--on-duplicate` values.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum DuplicateArg {
    Update,
    FillBlanks,
    Skip,
}

/// Arguments of `tailor undo`.
#[derive(Debug, Args)]
pub struct UndoArgs {
    /// The import run to undo
    pub run: i64,
    /// The workspace file
    #[arg(long, value_name = "PATH")]
    pub workspace: PathBuf,
}

/// Arguments of `tailor rejects`.
#[derive(Debug, Args)]
pub struct RejectsArgs {
    /// The import run (`tailor info` lists them)
    pub run: i64,
    /// The workspace file
    #[arg(long, value_name = "PATH")]
    pub workspace: PathBuf,
    /// The CSV file to write: line, reason, then the file's columns
    #[arg(long, value_name = "OUT.csv")]
    pub out: PathBuf,
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

/// Arguments of `tailor new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// Where to write the new workspace (must not exist)
    #[arg(long, value_name = "PATH")]
    pub workspace: PathBuf,
    /// The workspace's name; defaults to the file's name
    #[arg(long)]
    pub name: Option<String>,
    /// IANA time zone of the workspace; defaults to the system's
    #[arg(long, value_name = "ZONE")]
    pub time_zone: Option<String>,
    /// Print the new workspace's settings as JSON
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
    let result = match command {
        CliCommand::Gui { .. } => bail!("the studio is started by main, not the CLI"),
        CliCommand::New(args) => new_cmd(&args),
        CliCommand::Demo(args) => demo_cmd(&args),
        CliCommand::Info(args) => info_cmd(&args),
        CliCommand::Import(ImportCommand::Contacts(args)) => import_contacts_cmd(&args),
        CliCommand::Import(ImportCommand::Orders(args)) => import_orders_cmd(&args),
        CliCommand::Import(ImportCommand::Events(args)) => import_events_cmd(&args),
        CliCommand::Undo(args) => undo_cmd(&args),
        CliCommand::Rejects(args) => rejects_cmd(&args),
        CliCommand::Segment(command) => segment_cmd(command),
        CliCommand::Contacts(ContactsCommand::Export { workspace, out }) => {
            let store = Store::open(&workspace)?;
            let n = with_progress(false, |progress| {
                crate::export::export_contacts_csv(&store, &out, progress, &CancelToken::new())
            })?;
            println!("Wrote {n} contacts to {}", out.display());
            Ok(())
        }
    };
    // A command on a workspace that is not there says how to make one.
    result.map_err(|e| match e.downcast_ref::<StoreError>() {
        Some(StoreError::NotFound { path }) => anyhow::anyhow!(
            "{e} (create one with `tailor new --workspace {}`)",
            path.display()
        ),
        _ => e,
    })
}

/// The time zone given, or the system's; an unknown one is an error.
fn time_zone_arg(given: Option<&str>) -> anyhow::Result<String> {
    let time_zone = given.map_or_else(system_time_zone, str::to_owned);
    if time_zone.parse::<chrono_tz::Tz>().is_err() {
        bail!("--time-zone: unknown IANA time zone {time_zone:?}");
    }
    Ok(time_zone)
}

fn new_cmd(args: &NewArgs) -> anyhow::Result<()> {
    let time_zone = time_zone_arg(args.time_zone.as_deref())?;
    let name = args
        .name
        .clone()
        .unwrap_or_else(|| WorkspaceSettings::name_for(&args.workspace));
    Store::create(&args.workspace, &WorkspaceSettings::new(&name, &time_zone))?;
    if args.json {
        let json = serde_json::json!({
            "path": args.workspace,
            "name": name,
            "time_zone": time_zone,
        });
        println!("{json}");
    } else {
        println!(
            "Created {name} ({}), time zone {time_zone}",
            args.workspace.display()
        );
    }
    Ok(())
}

fn demo_cmd(args: &DemoArgs) -> anyhow::Result<()> {
    let time_zone = time_zone_arg(args.time_zone.as_deref())?;
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
            "imports": summary.import_runs,
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
        let tz = crate::domain::time::parse_time_zone(&summary.settings.time_zone);
        for run in summary.import_runs.iter().filter(|r| r.kind != "demo") {
            let status = match run.status.as_str() {
                "finished" if run.undoable => format!("undo with `tailor undo {}`", run.id.0),
                other => other.to_owned(),
            };
            println!(
                "import {:<8} {} {} {}: {} rows, {} new, {} updated, {} rejected ({status}{})",
                run.id.0,
                crate::domain::time::format_instant(run.started_at, tz),
                run.kind,
                run.file_name,
                run.rows,
                run.inserted,
                run.updated,
                run.rejected,
                if run.saved_rejects > 0 {
                    format!("; rows with `tailor rejects {} --out FILE.csv`", run.id.0)
                } else {
                    String::new()
                }
            );
        }
    }
    Ok(())
}

fn parse_delimiter(text: &str) -> anyhow::Result<u8> {
    match text {
        "tab" | "\\t" | "\t" => Ok(b'\t'),
        one if one.len() == 1 => Ok(one.as_bytes()[0]),
        other => bail!("--delimiter: {other:?} is not one character (use , ; | or tab)"),
    }
}

/// A progress line for a terminal: percent, what is happening, the rate
/// of items a second and the time left.
struct TerminalProgress {
    started: Instant,
    last_draw: Option<Instant>,
}

impl TerminalProgress {
    fn new() -> Self {
        Self {
            started: Instant::now(),
            last_draw: None,
        }
    }

    fn draw(&mut self, fraction: f32, text: &str) {
        if self
            .last_draw
            .is_some_and(|t| t.elapsed().as_millis() < 100)
            && fraction < 1.0
        {
            return;
        }
        self.last_draw = Some(Instant::now());
        let seconds = self.started.elapsed().as_secs_f64();
        let eta = seconds / f64::from(fraction.max(0.001)) - seconds;
        let eta = if fraction > 0.01 {
            format!("{eta:.0} s")
        } else {
            "…".to_owned()
        };
        eprint!("\r\x1b[2K{:>3.0}%  {text}  ETA {eta}", fraction * 100.0);
        let _ = std::io::stderr().flush();
    }
}

impl crate::jobs::ProgressSink for TerminalProgress {
    fn report(&mut self, fraction: f32, message: &str) {
        self.draw(fraction, message);
    }

    fn report_items(&mut self, span: (f32, f32), done: u64, total: u64, what: &str) {
        let fraction = span.0 + (span.1 - span.0) * done as f32 / total.max(1) as f32;
        let seconds = self.started.elapsed().as_secs_f64().max(1e-3);
        let rate = done as f64 / seconds;
        let text = format!(
            "{what}: {} of {}  {} a second",
            group_thousands(done),
            group_thousands(total),
            group_thousands(rate as u64)
        );
        self.draw(fraction, &text);
    }
}

fn import_contacts_cmd(args: &ContactImportArgs) -> anyhow::Result<()> {
    let file = &args.file;
    let options = ContactImportOptions {
        read: file.read_options()?,
        mapping: file.mapping()?,
        skip_unmapped: args.skip_unmapped,
        on_duplicate: match args.on_duplicate {
            DuplicateArg::Update => DuplicatePolicy::Update,
            DuplicateArg::FillBlanks => DuplicatePolicy::FillBlanks,
            DuplicateArg::Skip => DuplicatePolicy::Skip,
        },
        date_order: file.date_order(),
        allow_resubscribe: args.allow_resubscribe,
        now: chrono::Utc::now().timestamp(),
    };
    save_mapping(
        file,
        &options.read,
        options.mapping.as_ref(),
        |headers, rows| import::mapping::suggest(headers, rows, args.skip_unmapped),
    )?;
    let mut store = Store::open(&file.workspace)?;
    let (summary, rejects, headers) = with_progress(file.json, |progress| {
        import::import_contacts(
            &mut store,
            &file.file,
            &options,
            progress,
            &CancelToken::new(),
        )
    })?;
    finish_import(
        file,
        &summary,
        &rejects,
        &headers,
        &serde_json::to_string(&summary)?,
        &[],
    )
}

fn import_orders_cmd(file: &FileArgs) -> anyhow::Result<()> {
    let options = OrderImportOptions {
        read: file.read_options()?,
        mapping: file.mapping()?,
        date_order: file.date_order(),
        now: chrono::Utc::now().timestamp(),
    };
    save_mapping(
        file,
        &options.read,
        options.mapping.as_ref(),
        orders::suggest,
    )?;
    let mut store = Store::open(&file.workspace)?;
    let (summary, rejects, headers) = with_progress(file.json, |progress| {
        orders::import_orders(
            &mut store,
            &file.file,
            &options,
            progress,
            &CancelToken::new(),
        )
    })?;
    let extra = [
        ("orders inserted", summary.orders_inserted),
        ("orders already in the workspace", summary.orders_existing),
        ("order lines inserted", summary.items_inserted),
        ("contacts created", summary.contacts_created),
    ];
    finish_import(
        file,
        &summary.base,
        &rejects,
        &headers,
        &serde_json::to_string(&summary)?,
        &extra,
    )
}

/// Writes the mapping an import uses (given, else suggested from the
/// file) where `--save-mapping` says.
fn save_mapping<T: serde::Serialize>(
    file: &FileArgs,
    read: &import::read::ReadOptions,
    given: Option<&T>,
    suggest: impl FnOnce(&[String], &import::rows::Rows) -> T,
) -> anyhow::Result<()> {
    let Some(path) = &file.save_mapping else {
        return Ok(());
    };
    let json = match given {
        Some(mapping) => serde_json::to_string_pretty(mapping)?,
        None => {
            let table = import::read::read_path(&file.file, read)?;
            serde_json::to_string_pretty(&suggest(&table.headers, &table.rows))?
        }
    };
    std::fs::write(path, json).with_context(|| format!("{}", path.display()))
}

fn import_events_cmd(args: &EventImportArgs) -> anyhow::Result<()> {
    let file = &args.file;
    let options = EventImportOptions {
        read: file.read_options()?,
        mapping: file.mapping()?,
        kind: args.kind.clone(),
        date_order: file.date_order(),
        now: chrono::Utc::now().timestamp(),
    };
    save_mapping(
        file,
        &options.read,
        options.mapping.as_ref(),
        events::suggest,
    )?;
    let mut store = Store::open(&file.workspace)?;
    let (summary, rejects, headers) = with_progress(file.json, |progress| {
        events::import_events(
            &mut store,
            &file.file,
            &options,
            progress,
            &CancelToken::new(),
        )
    })?;
    finish_import(
        file,
        &summary,
        &rejects,
        &headers,
        &serde_json::to_string(&summary)?,
        &[],
    )
}

/// Runs an import with a progress line on a terminal (not with `--json`
/// or when stderr is not a terminal).
fn with_progress<T>(json: bool, run: impl FnOnce(&mut dyn crate::jobs::ProgressSink) -> T) -> T {
    if json || !std::io::stderr().is_terminal() {
        return run(&mut NoProgress);
    }
    let mut bar = TerminalProgress::new();
    let result = run(&mut bar);
    eprint!("\r\x1b[2K");
    result
}

fn finish_import(
    file: &FileArgs,
    summary: &import::ImportSummary,
    rejects: &[import::Reject],
    headers: &[String],
    json: &str,
    extra: &[(&str, u64)],
) -> anyhow::Result<()> {
    if let Some(path) = &file.rejects {
        import::write_rejects(path, headers, rejects)?;
    }
    if file.json {
        println!("{json}");
        return Ok(());
    }
    println!(
        "Imported {} (import run {}; undo with `tailor undo {}`)",
        summary.file, summary.run_id, summary.run_id
    );
    println!(
        "  read as {}{}{}",
        summary.encoding,
        summary
            .delimiter
            .as_ref()
            .map(|d| format!(", delimiter {d}"))
            .unwrap_or_default(),
        summary
            .sheet
            .as_ref()
            .map(|s| format!(", sheet {s}"))
            .unwrap_or_default()
    );
    println!("  rows               {}", summary.rows);
    println!("  inserted           {}", summary.inserted);
    println!("  updated            {}", summary.updated);
    println!("  unchanged          {}", summary.unchanged);
    println!("  duplicates in file {}", summary.duplicates_in_file);
    println!("  rejected           {}", summary.rejected);
    for (label, n) in extra {
        println!("  {label}: {n}");
    }
    if summary.blank_rows > 0 {
        println!("  blank rows skipped {}", summary.blank_rows);
    }
    if summary.resubscribes_blocked > 0 {
        println!(
            "  {} unsubscribed contacts stayed unsubscribed (use --allow-resubscribe to change them)",
            summary.resubscribes_blocked
        );
    }
    if !summary.custom_fields_created.is_empty() {
        println!(
            "  new custom fields: {}",
            summary.custom_fields_created.join(", ")
        );
    }
    for warning in summary.warnings.iter().take(10) {
        println!("  warning: {warning}");
    }
    if summary.n_warnings > 10 {
        println!("  … and {} more warnings", summary.n_warnings - 10);
    }
    if !rejects.is_empty() && file.rejects.is_none() {
        for reject in rejects.iter().take(5) {
            println!("  line {}: {}", reject.line, reject.reason);
        }
        println!("  (write every rejected row with --rejects OUT.csv)");
    }
    Ok(())
}

fn undo_cmd(args: &UndoArgs) -> anyhow::Result<()> {
    let mut store = Store::open(&args.workspace)?;
    let (removed, restored) = store.undo_import(crate::domain::ImportRunId(args.run))?;
    println!(
        "Undid import {}: removed {removed} contacts, restored {restored}",
        args.run
    );
    Ok(())
}

fn rejects_cmd(args: &RejectsArgs) -> anyhow::Result<()> {
    let store = Store::open(&args.workspace)?;
    let (headers, rejects) = store.import_rejects(crate::domain::ImportRunId(args.run))?;
    import::write_rejects(&args.out, &headers, &rejects)?;
    println!(
        "Wrote {} rejected rows of import {} to {}",
        rejects.len(),
        args.run,
        args.out.display()
    );
    Ok(())
}

/// `tailor segment …`.
#[derive(Debug, Subcommand)]
pub enum SegmentCommand {
    /// Count a segment's members, with a count for each condition
    Count(SegmentArgs),
    /// Write a segment's members to a CSV file
    Export {
        #[command(flatten)]
        segment: SegmentArgs,
        /// The CSV file to write
        #[arg(long, value_name = "FILE.csv")]
        out: PathBuf,
    },
    /// Show which conditions one contact meets, and whether it is in the segment
    Explain {
        #[command(flatten)]
        segment: SegmentArgs,
        /// The contact's email
        #[arg(long)]
        email: String,
    },
    /// Save a segment file in the workspace (replacing one of the same name)
    Save {
        /// The segment file
        file: PathBuf,
        /// The workspace file
        #[arg(long, value_name = "PATH")]
        workspace: PathBuf,
    },
    /// List the saved segments
    List {
        /// The workspace file
        #[arg(long, value_name = "PATH")]
        workspace: PathBuf,
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
}

/// Arguments naming a segment file and the workspace to run it on.
#[derive(Debug, Args)]
pub struct SegmentArgs {
    /// The segment file (*.segment.json)
    pub file: PathBuf,
    /// The workspace file
    #[arg(long, value_name = "PATH")]
    pub workspace: PathBuf,
    /// The day relative dates count from (default: the workspace's pinned date, else today)
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
    /// Print JSON
    #[arg(long)]
    pub json: bool,
}

fn load_segment(args: &SegmentArgs) -> anyhow::Result<(Store, Segment, NaiveDate)> {
    let store = Store::open(&args.workspace)?;
    let text =
        std::fs::read_to_string(&args.file).with_context(|| format!("{}", args.file.display()))?;
    let schema = store.segment_schema()?;
    let segment =
        parse_segment(&text, &schema).with_context(|| format!("{}", args.file.display()))?;
    let as_of = match args.as_of {
        Some(day) => day,
        None => store
            .settings()?
            .as_of
            .unwrap_or_else(|| chrono::Local::now().date_naive()),
    };
    Ok((store, segment, as_of))
}

fn segment_cmd(command: SegmentCommand) -> anyhow::Result<()> {
    match command {
        SegmentCommand::Count(args) => {
            let (store, segment, as_of) = load_segment(&args)?;
            let counts = store.segment_counts(&segment, as_of)?;
            if args.json {
                let json = serde_json::json!({
                    "name": segment.name,
                    "as_of": as_of.to_string(),
                    "description": read_back(&segment),
                    "count": counts.count,
                    "conditions": counts.conditions,
                });
                println!("{json}");
            } else {
                println!(
                    "{}: {} contacts (as of {as_of})",
                    segment.name, counts.count
                );
                println!("  {}", read_back(&segment));
                for condition in &counts.conditions {
                    match condition.cumulative {
                        Some(together) => println!(
                            "  {:>9} alone  {:>9} together  {}",
                            condition.count, together, condition.description
                        ),
                        None => {
                            println!("  {:>9} alone  {}", condition.count, condition.description)
                        }
                    }
                }
            }
        }
        SegmentCommand::Export { segment: args, out } => {
            let (store, segment, as_of) = load_segment(&args)?;
            let ids = store.segment_members(&segment, as_of)?;
            crate::export::export_members_csv(
                &store,
                &out,
                &ids,
                &mut NoProgress,
                &CancelToken::new(),
            )
            .with_context(|| format!("{}", out.display()))?;
            println!(
                "Wrote {} members of {} to {}",
                ids.len(),
                segment.name,
                out.display()
            );
        }
        SegmentCommand::Explain {
            segment: args,
            email,
        } => {
            let (store, segment, as_of) = load_segment(&args)?;
            let contact = store
                .contact_by_email(&email)?
                .ok_or_else(|| anyhow::anyhow!("no contact with email {email:?}"))?;
            let explanation = store
                .segment_explain(&segment, contact, as_of)?
                .ok_or_else(|| anyhow::anyhow!("no contact with email {email:?}"))?;
            let (reasons, member) = (explanation.reasons, explanation.member);
            if args.json {
                let conditions: Vec<serde_json::Value> = reasons
                    .iter()
                    .map(|(description, met)| serde_json::json!({"description": description, "met": met}))
                    .collect();
                println!(
                    "{}",
                    serde_json::json!({"member": member, "conditions": conditions})
                );
            } else {
                println!(
                    "{email} is {} {}",
                    if member { "in" } else { "not in" },
                    segment.name
                );
                for (description, met) in reasons {
                    println!(
                        "  {} {description}",
                        if met { "meets:   " } else { "fails:   " }
                    );
                }
            }
        }
        SegmentCommand::Save { file, workspace } => {
            let mut store = Store::open(&workspace)?;
            let text =
                std::fs::read_to_string(&file).with_context(|| format!("{}", file.display()))?;
            let segment = parse_segment(&text, &store.segment_schema()?)
                .with_context(|| format!("{}", file.display()))?;
            let replaced =
                store.save_segment(&segment.name, &text, chrono::Utc::now().timestamp())?;
            println!(
                "{} segment {:?}",
                if replaced { "Replaced" } else { "Saved" },
                segment.name
            );
        }
        SegmentCommand::List { workspace, json } => {
            let store = Store::open(&workspace)?;
            let schema = store.segment_schema()?;
            let mut list = Vec::new();
            for (name, definition) in store.segments()? {
                let description = parse_segment(&definition, &schema)
                    .map_or_else(|e| format!("invalid: {e}"), |s| read_back(&s));
                list.push(serde_json::json!({"name": name, "description": description}));
            }
            if json {
                println!("{}", serde_json::Value::Array(list));
            } else {
                for item in &list {
                    println!(
                        "{}  {}",
                        item["name"].as_str().unwrap_or_default(),
                        item["description"].as_str().unwrap_or_default()
                    );
                }
            }
        }
    }
    Ok(())
}
