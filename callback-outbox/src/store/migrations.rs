//! The outbox's schema migrations, shipped inside the crate and tracked in their own table.

use sqlx::SqlSafeStr as _;
use sqlx::migrate::{Migration, MigrationType, Migrator};

/// The table that records which of the outbox's migrations ran (apart from the application's
/// `_sqlx_migrations`, so that neither sees the other's as unknown).
const TABLE: &str = "callback_outbox_migrations";

fn migrator(migrations: &[(i64, &'static str, &'static str)]) -> Migrator {
    let mut migrator = Migrator::with_migrations(
        migrations
            .iter()
            .map(|(version, description, sql)| {
                Migration::new(
                    *version,
                    (*description).into(),
                    MigrationType::Simple,
                    sql.into_sql_str(),
                    false,
                )
            })
            .collect(),
    );
    migrator.dangerous_set_table_name(TABLE);
    migrator
}

#[cfg(feature = "sqlite")]
pub(super) fn sqlite() -> Migrator {
    migrator(&[
        (
            1,
            "outbox",
            include_str!("../../migrations/sqlite/0001_outbox.sql"),
        ),
        (
            2,
            "due order",
            include_str!("../../migrations/sqlite/0002_due_order.sql"),
        ),
    ])
}

#[cfg(feature = "postgres")]
pub(super) fn postgres() -> Migrator {
    migrator(&[
        (
            1,
            "outbox",
            include_str!("../../migrations/postgres/0001_outbox.sql"),
        ),
        (
            2,
            "due order",
            include_str!("../../migrations/postgres/0002_due_order.sql"),
        ),
    ])
}
