//! The segment builder's half of the app: its commands and worker events.
//! Every edit revalidates the draft (a pure, fast check on this thread) and
//! asks the segment worker for fresh counts — at once for clicks, after a
//! short pause for typing — interrupting the count it supersedes.

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use crate::command::{Command, Event, FileAction, JobKind};
use crate::domain::segment::{self, STARTERS, Schema, Segment, resolve_field};
use crate::domain::segment_draft::Draft;
use crate::jobs::segments::{self, SegmentRequest};
use crate::state::{OverlapView, SegmentBuilder};

use super::TailorApp;

/// How long typing pauses before the builder counts again.
pub const COUNT_DEBOUNCE: Duration = Duration::from_millis(300);

/// Undo steps kept.
const MAX_UNDO: usize = 200;

/// A fresh builder on an empty segment.
pub fn fresh_builder() -> SegmentBuilder {
    SegmentBuilder {
        draft: Draft {
            name: "New segment".to_owned(),
            ..Draft::default()
        },
        ..SegmentBuilder::default()
    }
}

impl TailorApp {
    /// What validation knows: the custom fields and the saved segments.
    fn segment_schema(&self) -> Schema {
        let segments: HashMap<String, serde_json::Value> = self
            .state
            .segments
            .iter()
            .filter_map(|row| {
                let value = serde_json::from_str(&row.json).ok()?;
                Some((row.name.to_lowercase(), value))
            })
            .collect();
        Schema {
            custom_fields: self
                .state
                .workspace
                .as_ref()
                .map(|w| w.custom_fields.clone())
                .unwrap_or_default(),
            segments,
        }
    }

    /// The draft as a valid segment, if it is one.
    fn built_segment(&self) -> Option<Segment> {
        segment::validate(&self.state.builder.draft.to_json(), &self.segment_schema()).ok()
    }

    fn custom_fields(&self) -> Vec<crate::domain::CustomFieldDef> {
        self.state
            .workspace
            .as_ref()
            .map(|w| w.custom_fields.clone())
            .unwrap_or_default()
    }

    /// Replaces the draft, remembering the old one for undo.
    fn set_draft(
        &mut self,
        draft: Draft,
        saved_as: Option<String>,
        coalesce: Option<String>,
    ) -> bool {
        let builder = &mut self.state.builder;
        if builder.draft == draft && builder.saved_as == saved_as {
            return false;
        }
        if coalesce.is_none() || coalesce != builder.coalesce {
            builder
                .undo
                .push((builder.draft.clone(), builder.saved_as.clone()));
            if builder.undo.len() > MAX_UNDO {
                builder.undo.remove(0);
            }
        }
        builder.redo.clear();
        builder.coalesce = coalesce;
        builder.draft = draft;
        builder.saved_as = saved_as;
        true
    }

    /// Opens a segment file's JSON in the builder.
    fn open_draft(&mut self, value: &serde_json::Value, saved_as: Option<String>) {
        let draft = Draft::from_json(value, &self.custom_fields());
        self.set_draft(draft, saved_as.clone(), None);
        let builder = &mut self.state.builder;
        builder.saved_json = saved_as.map(|_| builder.draft.to_json());
        builder.explanation = None;
        self.builder_changed(false);
    }

    /// Revalidates the draft and counts it, now or after typing pauses.
    pub(super) fn builder_changed(&mut self, debounce: bool) {
        let json = self.state.builder.draft.to_json();
        let validated = segment::validate(&json, &self.segment_schema());
        let builder = &mut self.state.builder;
        builder.generation += 1;
        match validated {
            Ok(segment) => {
                builder.error = None;
                builder.read_back = segment::read_back(&segment);
                if debounce {
                    builder.count_due = Some(Instant::now() + COUNT_DEBOUNCE);
                } else {
                    self.send_count(segment);
                }
            }
            Err(error) => {
                builder.error = Some(error);
                builder.counting = false;
                builder.totalling = false;
                builder.count_due = None;
            }
        }
    }

    fn send_count(&mut self, segment: Segment) {
        let as_of = self.state.as_of();
        let builder = &mut self.state.builder;
        builder.count_due = None;
        builder.counting = true;
        builder.totalling = true;
        builder.sample_loading = true;
        builder.page = 0;
        let generation = builder.generation;
        let who = builder.explain_text.trim().to_owned();
        let explain = builder.explanation.is_some() && !who.is_empty();
        self.segment_worker.interrupt();
        self.segment_worker.send(SegmentRequest::Count {
            generation,
            segment: Box::new(segment.clone()),
            as_of,
        });
        if explain {
            self.state.builder.explaining = true;
            self.segment_worker.send(SegmentRequest::Explain {
                generation,
                segment: Box::new(segment),
                as_of,
                who,
            });
        }
    }

    /// Sends the count whose pause is over; asks for a repaint when one is due.
    pub(super) fn segment_tick(&mut self, ctx: &egui::Context) {
        let Some(due) = self.state.builder.count_due else {
            return;
        };
        let now = Instant::now();
        if now >= due {
            match self.built_segment() {
                Some(segment) => self.send_count(segment),
                None => self.state.builder.count_due = None,
            }
        } else {
            ctx.request_repaint_after(due - now);
        }
    }

    /// The workspace changed under the builder: start over on it.
    pub(super) fn segments_workspace_opened(&mut self, path: PathBuf) {
        self.state.builder = fresh_builder();
        self.state.catalog = Default::default();
        self.state.field_values.clear();
        self.values_requested.clear();
        self.state.overlap = OverlapView::default();
        self.state.deleted_segment = None;
        self.state.segments.clear();
        self.segment_worker.send(SegmentRequest::Open(path));
        self.segment_worker.send(SegmentRequest::Catalog);
    }

    /// Data changed (an import): suggestions and counts are out of date.
    pub(super) fn segments_data_changed(&mut self) {
        self.state.field_values.clear();
        self.values_requested.clear();
        self.segment_worker.send(SegmentRequest::Catalog);
        if self.state.screen == crate::state::Screen::Segments {
            self.builder_changed(false);
        }
    }

    /// Applies the builder's commands.
    pub(super) fn apply_segment(&mut self, command: Command) {
        match command {
            Command::SegmentNew => {
                self.set_draft(fresh_builder().draft, None, None);
                self.state.builder.saved_json = None;
                self.builder_changed(false);
            }
            Command::SegmentStarter(i) => {
                if let Some(value) = STARTERS
                    .get(i)
                    .and_then(|text| serde_json::from_str::<serde_json::Value>(text).ok())
                {
                    self.open_draft(&value, None);
                    self.state.builder.saved_json = None;
                }
            }
            Command::SegmentOpen(name) => {
                let found = self
                    .state
                    .segments
                    .iter()
                    .find(|r| r.name == name)
                    .and_then(|r| serde_json::from_str::<serde_json::Value>(&r.json).ok());
                if let Some(value) = found {
                    self.open_draft(&value, Some(name));
                }
            }
            Command::SegmentEdit { draft, coalesce } => {
                let debounce = coalesce.is_some();
                let saved_as = self.state.builder.saved_as.clone();
                if self.set_draft(*draft, saved_as, coalesce) {
                    self.builder_changed(debounce);
                }
            }
            Command::SegmentUndo | Command::SegmentRedo => {
                let undo = command == Command::SegmentUndo;
                let builder = &mut self.state.builder;
                let (from, to) = if undo {
                    (&mut builder.undo, &mut builder.redo)
                } else {
                    (&mut builder.redo, &mut builder.undo)
                };
                if let Some((draft, saved_as)) = from.pop() {
                    to.push((
                        std::mem::replace(&mut builder.draft, draft),
                        std::mem::replace(&mut builder.saved_as, saved_as),
                    ));
                    builder.coalesce = None;
                    self.builder_changed(false);
                }
            }
            Command::SegmentSave => self.save_segment(),
            Command::SegmentDuplicate => {
                let mut draft = self.state.builder.draft.clone();
                draft.name = format!("{} copy", draft.name.trim());
                self.set_draft(draft, None, None);
                self.state.builder.saved_json = None;
                self.builder_changed(false);
            }
            Command::SegmentDelete => {
                if let Some(name) = self.state.builder.saved_as.clone() {
                    self.segment_worker.send(SegmentRequest::Delete { name });
                }
            }
            Command::SegmentUndoDelete => {
                if let Some((name, json)) = self.state.deleted_segment.take() {
                    self.segment_worker.send(SegmentRequest::Save {
                        name,
                        json,
                        previous: None,
                        now: chrono::Utc::now().timestamp(),
                    });
                }
            }
            Command::SegmentPage(page) => {
                if let Some(segment) = self.built_segment() {
                    let builder = &mut self.state.builder;
                    builder.page = page;
                    builder.sample_loading = true;
                    self.segment_worker.send(SegmentRequest::Page {
                        generation: builder.generation,
                        segment: Box::new(segment),
                        as_of: self.state.as_of(),
                        page,
                    });
                }
            }
            Command::SegmentSetExplain(text) => self.state.builder.explain_text = text,
            Command::SegmentExplain(who) => {
                self.state.builder.explain_text = who.clone();
                if who.trim().is_empty() {
                    self.state.builder.explanation = None;
                    return;
                }
                match self.built_segment() {
                    Some(segment) => {
                        self.state.builder.explaining = true;
                        self.segment_worker.send(SegmentRequest::Explain {
                            generation: self.state.builder.generation,
                            segment: Box::new(segment),
                            as_of: self.state.as_of(),
                            who: who.trim().to_owned(),
                        });
                    }
                    None => {
                        self.state.builder.explanation =
                            Some(Err("Fix the segment first".to_owned()));
                    }
                }
            }
            Command::SegmentWantValues(name) => {
                if self.values_requested.insert(name.clone())
                    && let Some(field) = resolve_field(&name, &self.custom_fields())
                {
                    self.segment_worker
                        .send(SegmentRequest::Values { key: name, field });
                }
            }
            Command::SegmentToggleOverlap(name) => {
                let names = &mut self.state.overlap.names;
                if let Some(pos) = names.iter().position(|n| *n == name) {
                    names.remove(pos);
                } else {
                    names.push(name);
                }
                self.count_overlap();
            }
            _ => {}
        }
    }

    fn count_overlap(&mut self) {
        let overlap = &mut self.state.overlap;
        overlap.generation += 1;
        overlap.result = None;
        if overlap.names.len() < 2 {
            return;
        }
        let schema = self.segment_schema();
        let mut segments = Vec::new();
        for name in &self.state.overlap.names {
            let parsed = schema
                .segments
                .get(&name.to_lowercase())
                .ok_or_else(|| format!("no saved segment named {name:?}"))
                .and_then(|value| {
                    segment::validate(value, &schema).map_err(|e| format!("{name}: {e}"))
                });
            match parsed {
                Ok(segment) => segments.push(segment),
                Err(error) => {
                    self.state.overlap.result = Some(Err(error));
                    return;
                }
            }
        }
        self.segment_worker.send(SegmentRequest::Overlap {
            generation: self.state.overlap.generation,
            segments,
            as_of: self.state.as_of(),
        });
    }

    fn save_segment(&mut self) {
        let builder = &self.state.builder;
        let name = builder.draft.name.trim().to_owned();
        if name.is_empty() {
            self.notice(true, "Give the segment a name before saving it");
            return;
        }
        if let Some(error) = &builder.error {
            let text = format!("Cannot save: {error}");
            self.notice(true, text);
            return;
        }
        let replaces_other = self.state.segments.iter().any(|r| {
            r.name.eq_ignore_ascii_case(&name)
                && !builder
                    .saved_as
                    .as_ref()
                    .is_some_and(|s| s.eq_ignore_ascii_case(&r.name))
        });
        if replaces_other {
            self.notice(
                true,
                format!("A segment named {name:?} exists already; choose another name or open it"),
            );
            return;
        }
        let json = serde_json::to_string_pretty(&builder.draft.to_json()).unwrap_or_default();
        self.segment_worker.send(SegmentRequest::Save {
            name,
            json,
            previous: builder.saved_as.clone(),
            now: chrono::Utc::now().timestamp(),
        });
    }

    /// Acts on a chosen path for a segment file or member export.
    pub(super) fn segment_file_chosen(&mut self, action: FileAction, path: PathBuf) {
        match action {
            FileAction::ImportSegment => {
                if let Err(e) = segments::spawn_read_segment_file(path, self.notifier.clone()) {
                    self.notice(true, format!("Could not read the file: {e}"));
                }
            }
            FileAction::ExportSegment => {
                let path = if path.extension().is_none() {
                    path.with_extension("segment.json")
                } else {
                    path
                };
                let json = serde_json::to_string_pretty(&self.state.builder.draft.to_json())
                    .unwrap_or_default();
                if let Err(e) =
                    segments::spawn_write_segment_file(path, json, self.notifier.clone())
                {
                    self.notice(true, format!("Could not write the file: {e}"));
                }
            }
            FileAction::ExportMembers => {
                let Some(segment) = self.built_segment() else {
                    self.notice(true, "Fix the segment before exporting its members");
                    return;
                };
                let Some(workspace) = self.state.workspace.as_ref().map(|w| w.path.clone()) else {
                    return;
                };
                let as_of = self.state.as_of();
                let path = if path.extension().is_none() {
                    path.with_extension("csv")
                } else {
                    path
                };
                self.launch_job(
                    JobKind::ExportMembers,
                    "Exporting members",
                    |notifier, cancel| {
                        segments::spawn_export_members(
                            workspace, segment, as_of, path, notifier, cancel,
                        )
                    },
                );
            }
            _ => {}
        }
    }

    /// Applies the segment worker's events; returns the event back when it
    /// is not one of them.
    pub(super) fn on_segment_event(&mut self, event: Event) -> Option<Event> {
        let builder = &mut self.state.builder;
        match event {
            Event::BuilderTotal {
                generation,
                result,
                elapsed_ms,
            } => {
                if generation == builder.generation {
                    builder.totalling = false;
                    builder.count_ms = Some(elapsed_ms);
                    match result {
                        Ok(total) => {
                            builder.total = Some(total);
                            builder.count_error = None;
                        }
                        Err(error) => {
                            builder.count_error = Some(error);
                            builder.counting = false;
                            builder.sample_loading = false;
                        }
                    }
                }
            }
            Event::BuilderCounted {
                generation,
                result,
                elapsed_ms: _,
            } => {
                if generation == builder.generation {
                    builder.counting = false;
                    match result {
                        Ok(counts) => {
                            builder.counts = Some(counts);
                            builder.count_error = None;
                        }
                        Err(error) => {
                            builder.count_error = Some(error);
                            builder.sample_loading = false;
                        }
                    }
                }
            }
            Event::BuilderPage {
                generation,
                page,
                rows,
            } => {
                if generation == builder.generation && page == builder.page {
                    builder.sample_loading = false;
                    match rows {
                        Ok(rows) => builder.sample = Some(rows),
                        Err(error) => builder.count_error = Some(error),
                    }
                }
            }
            Event::BuilderExplained { generation, result } => {
                if generation == builder.generation {
                    builder.explaining = false;
                    builder.explanation = Some(result);
                }
            }
            Event::SegmentCatalogLoaded(catalog) => self.state.catalog = *catalog,
            Event::FieldValues { key, values } => {
                self.state.field_values.insert(key, values);
            }
            Event::SegmentSaved { name, json, result } => match result {
                Ok(()) => {
                    if builder.draft.name.trim() == name {
                        builder.saved_as = Some(name.clone());
                        builder.saved_json = serde_json::from_str(&json).ok();
                    }
                    self.notice(false, format!("Saved segment {name:?}"));
                    self.count_segments();
                }
                Err(error) => self.notice(true, format!("Could not save {name:?}: {error}")),
            },
            Event::SegmentDeleted { name, result } => match result {
                Ok(json) => {
                    if builder.saved_as.as_deref() == Some(name.as_str()) {
                        builder.saved_as = None;
                        builder.saved_json = None;
                    }
                    self.state.overlap.names.retain(|n| *n != name);
                    self.state.deleted_segment = Some((name.clone(), json));
                    self.notice(false, format!("Deleted segment {name:?}"));
                    self.count_segments();
                    self.count_overlap();
                }
                Err(error) => self.notice(true, format!("Could not delete {name:?}: {error}")),
            },
            Event::OverlapCounted { generation, result } => {
                if generation == self.state.overlap.generation {
                    self.state.overlap.result = Some(result);
                }
            }
            Event::SegmentFileRead(result) => match result {
                Ok(value) => {
                    self.state.screen = crate::state::Screen::Segments;
                    self.open_draft(&value, None);
                    self.state.builder.saved_json = None;
                    if self.state.segments.is_empty() {
                        self.count_segments();
                    }
                }
                Err(error) => self.notice(true, error),
            },
            other => return Some(other),
        }
        None
    }
}
