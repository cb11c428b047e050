//! Newtype ids, so that a contact id can never be passed where an order id is
//! expected. Their SQLite conversions live in `store`.

macro_rules! id_type {
    ($(#[$doc:meta])* $name:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
        #[derive(serde::Serialize, serde::Deserialize)]
        pub struct $name(pub i64);

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                self.0.fmt(f)
            }
        }
    };
}

id_type!(
    /// A row of `contacts`.
    ContactId
);
id_type!(
    /// A row of `orders`.
    OrderId
);
id_type!(
    /// A row of `custom_fields`.
    CustomFieldId
);
id_type!(
    /// A row of `import_runs`.
    ImportRunId
);
