//! Who may do what to the media library (API.md §11):
//!
//! | | anonymous | contributor | editor, admin |
//! |---|---|---|---|
//! | see an image and its variants | yes | yes | yes |
//! | list the library | – | yes | yes |
//! | upload | – | yes | yes |
//! | change the caption, credit, alt | – | what it uploaded | everything |
//! | delete (when no article uses it) | – | what it uploaded | everything |

use super::model::Media;
use crate::editors::Role;
use crate::error::AppError;

/// Whether `who` (with `role`) may change or delete `m`: the desk, and whoever uploaded it.
pub fn may_change(who: uuid::Uuid, role: Role, m: &Media) -> Result<(), AppError> {
    if role.is_desk() || m.uploaded_by == Some(who) {
        Ok(())
    } else {
        Err(AppError::Forbidden(
            "contributors change and delete only the images they uploaded".into(),
        ))
    }
}
