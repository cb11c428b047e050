//! Pure types and rules shared by every part of Tailor: ids, contacts,
//! workspace settings, money and time. Nothing here does I/O.

pub mod contact;
pub mod ids;
pub mod money;
pub mod segment;
pub mod segment_draft;
pub mod time;
pub mod workspace;

pub use contact::{
    Consent, ConsentChange, ContactColumn, ContactDetail, ContactField, ContactQuery, ContactRow,
    CustomFieldDef, CustomValue, EventView, FieldKind, OrderItemView, OrderView, SortSpec,
};
pub use ids::{ContactId, CustomFieldId, ImportRunId, OrderId};
pub use workspace::{ImportRun, Reject, WorkspaceCounts, WorkspaceSettings, WorkspaceSummary};
