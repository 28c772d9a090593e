//! Creating a staff account, the one way: `POST /editors`, `newsdesk create-editor` and the
//! demo content all come here. The fields are checked together (422 listing every problem), the
//! password is hashed on the blocking pool, and the row is stored with the audit entry of the
//! admin who made it.

use uuid::Uuid;

use super::model::{Editor, NewEditor, Role};
use super::queries;
use crate::audit;
use crate::auth::password;
use crate::db::{self, DbPool};
use crate::error::AppError;
use crate::validate::Checks;

/// An account to create, its fields checked ([`NewAccount::parse`] is the only way to make one).
#[derive(Debug, Clone)]
pub struct NewAccount {
    email: String,
    display_name: String,
    role: Role,
    password: String,
}

impl NewAccount {
    /// The fields as sent, trimmed and checked together: 422 listing every problem.
    pub fn parse(
        email: &str,
        display_name: &str,
        role: &str,
        password: String,
    ) -> Result<NewAccount, AppError> {
        let mut checks = Checks::new();
        checks.email("email", email.trim());
        checks.text("display_name", display_name, 100);
        let parsed = Role::parse(role);
        if parsed.is_none() {
            checks.fail("role", "must be one of admin, editor, contributor");
        }
        password::check_new("password", &password, &mut checks);
        checks.finish()?;
        Ok(NewAccount {
            email: email.trim().to_owned(),
            display_name: display_name.trim().to_owned(),
            role: parsed.unwrap_or(Role::Contributor),
            password,
        })
    }
}

/// Hashes the password of `account` and stores it; `by` is the admin who created it (`None` for
/// the command line and the demo content).
pub async fn create(
    pool: &DbPool,
    account: NewAccount,
    by: Option<Uuid>,
) -> Result<Editor, AppError> {
    let NewAccount {
        email,
        display_name,
        role,
        password,
    } = account;
    let hash = password::hash(password).await?;
    db::transaction(pool, move |c| {
        let editor = queries::insert(
            c,
            &NewEditor {
                id: Uuid::now_v7(),
                email: &email,
                display_name: &display_name,
                role: role.as_str(),
                password_hash: &hash,
            },
        )?;
        if let Some(admin) = by {
            audit::entity(c, admin, "create", "editor", editor.id)?;
        }
        Ok(editor)
    })
    .await
}
