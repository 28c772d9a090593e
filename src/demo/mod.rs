//! Demo content: the sample article from 咸宁新闻网 (嘉鱼, under 县市区) with its three
//! correspondents, editor and tag, its previous/next neighbours, and a few dozen plausible county
//! stories across several sections. Loaded through the same write path as the API, so every
//! article has its revisions.

pub mod content;
pub mod corpus;
pub mod photo;
pub mod store;

use diesel::prelude::*;
use rand::distributions::Alphanumeric;
use rand::Rng;
use uuid::Uuid;

use crate::articles::views::{BylineInput, CoverImageInput, CreateArticleRequest};
use crate::articles::write;
use crate::db;
use crate::directory::Directory;
use crate::editors::accounts::{self, NewAccount};
use crate::editors::Editor;
use crate::error::AppError;
use crate::media::write::upload::{upload, Texts, Uploaded};
use crate::schema::{articles, editors};
use crate::state::{AppState, Reach};

use content::{
    story_body, Seed, DEMO_ADMIN_EMAIL, PEOPLE, PLACES, SECTIONS, SEED_ARTICLE, TAGS, TOPICS,
};
use store::{person, publish, section, tag};

fn random_password() -> String {
    rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(20)
        .map(char::from)
        .collect()
}

/// Seeds the demo content when the database has no staff account yet (first start of the
/// embedded mode), printing the demo admin's password once.
pub async fn seed_if_empty(state: &AppState) -> Result<(), AppError> {
    let count: i64 = db::run(&state.pool, |c| Ok(editors::table.count().get_result(c)?)).await?;
    if count == 0 {
        let report = seed(state).await?;
        println!("{report}");
    }
    Ok(())
}

/// Loads the demo content; returns a report naming the demo admin and its password.
pub async fn seed(state: &AppState) -> Result<String, AppError> {
    let password = random_password();
    let existing = {
        let pool = state.pool.clone();
        db::run(&pool, |c| {
            Ok(crate::editors::queries::find_by_email(c, DEMO_ADMIN_EMAIL)?)
        })
        .await?
    };
    let (admin, admin_password) = match existing {
        Some(a) => (a, None),
        None => {
            let account =
                NewAccount::parse(DEMO_ADMIN_EMAIL, "演示管理员", "admin", password.clone())?;
            let a = accounts::create(&state.pool, account, None).await?;
            (a, Some(password))
        }
    };
    let editor = match db::run(&state.pool, |c| {
        Ok(crate::editors::queries::find_by_email(
            c,
            "hefan@newsdesk.local",
        )?)
    })
    .await?
    {
        Some(e) => e,
        None => {
            let account =
                NewAccount::parse("hefan@newsdesk.local", "何帆", "editor", random_password())?;
            accounts::create(&state.pool, account, None).await?
        }
    };
    // The sample's photo, through the same upload as the API's (the same bytes: the same image).
    let texts = Texts {
        caption: Some(photo::CAPTION.into()),
        credit: Some(photo::CREDIT.into()),
        alt: Some(photo::ALT.into()),
    };
    let uploaded = upload(
        &state.pool,
        &state.media,
        photo::jpeg().into(),
        texts,
        admin.id,
    )
    .await?;
    let cover = match uploaded {
        Uploaded::Created(m) | Uploaded::Existing(m) => m.id,
    };
    let articles = state
        .write(Reach::Everywhere, move |c, _| {
            seed_content(c, &admin, &editor, cover)
        })
        .await?;
    let mut report = format!("demo content: {articles} articles loaded");
    if let Some(p) = admin_password {
        report.push_str(&format!(
            "\ndemo admin: {DEMO_ADMIN_EMAIL} / password: {p}\n(shown once; change it with PATCH /api/v1/me/password)"
        ));
    }
    Ok(report)
}

fn seed_content(
    c: &mut PgConnection,
    admin: &Editor,
    editor: &Editor,
    photo: Uuid,
) -> Result<usize, AppError> {
    let seed: Seed = serde_json::from_str(SEED_ARTICLE)
        .map_err(|e| AppError::internal("reading the seed article", e))?;
    let already: i64 = articles::table.count().get_result(c)?;
    if already > 0 {
        return Ok(0);
    }
    let mut ids = std::collections::HashMap::new();
    for (i, (slug, name, parent)) in SECTIONS.iter().enumerate() {
        let parent_id = parent.and_then(|p| ids.get(p).copied());
        ids.insert(
            *slug,
            section(c, slug, name, parent_id, i32::try_from(i).unwrap_or(0) * 10)?,
        );
    }
    // The sample's section sits under its parent as the fixture gives it (嘉鱼 under 县市区).
    let parent = section(
        c,
        &seed.section.parent.slug,
        &seed.section.parent.name,
        None,
        10,
    )?;
    let jiayu = section(c, &seed.section.slug, &seed.section.name, Some(parent), 15)?;
    let tag_ids: Vec<Uuid> = TAGS
        .iter()
        .map(|t| tag(c, t, None))
        .collect::<Result<_, _>>()?;
    let seed_tags: Vec<Uuid> = seed
        .tags
        .iter()
        .map(|t| tag(c, &t.name, Some(&t.slug)))
        .collect::<Result<_, _>>()?;
    let seed_people: Vec<BylineInput> = seed
        .byline
        .iter()
        .map(|p| {
            Ok(BylineInput {
                correspondent_id: person(c, &p.name, Some("嘉鱼县委宣传部"))?,
                role: p.role.clone(),
            })
        })
        .collect::<Result<_, AppError>>()?;
    let others: Vec<(Uuid, &str)> = PEOPLE
        .iter()
        .map(|(n, a, r)| Ok((person(c, n, Some(a))?, *r)))
        .collect::<Result<_, AppError>>()?;
    let editor_id = if seed.editor == "hefan" {
        Some(editor.id)
    } else {
        None
    };
    let req =
        |title: &str, body: String, section_id: Uuid, byline: Vec<BylineInput>, tags: Vec<Uuid>| {
            CreateArticleRequest {
                title: title.into(),
                body_html: body,
                section_id,
                byline: Some(byline),
                byline_text: None,
                tag_ids: Some(tags),
                editor_id,
                slug: None,
                subtitle: None,
                summary: None,
                source: Some(seed.source.clone()),
                cover_image: None,
            }
        };
    let mut n = 0;
    // 上一篇, the sample, 下一篇 — in this order of publication in 嘉鱼.
    let prev_body = "<p>记者从嘉鱼县获悉，全国九座在建大桥所用缆索由嘉鱼企业制造，“嘉鱼造”产品走向全国重点工程。</p>".to_owned();
    publish(
        c,
        admin,
        req(
            &seed.previous.title,
            prev_body,
            jiayu,
            vec![BylineInput {
                correspondent_id: others[0].0,
                role: "reporter".into(),
            }],
            vec![tag_ids[0]],
        ),
        30,
    )?;
    let mut sample = req(
        &seed.title,
        seed.body_html.clone(),
        jiayu,
        seed_people.clone(),
        seed_tags.clone(),
    );
    sample.cover_image = Some(CoverImageInput {
        url: None,
        media_id: Some(photo),
        caption: None,
        credit: None,
    });
    publish(c, admin, sample, 26)?;
    let next_body =
        "<p>嘉鱼县渡普镇人大围绕特色产业发展开展专题调研，助力产业提质增效。</p>".to_owned();
    publish(
        c,
        admin,
        req(
            &seed.next.title,
            next_body,
            jiayu,
            seed_people[..1].to_vec(),
            vec![],
        ),
        22,
    )?;
    n += 3;
    for (i, (place, place_section)) in PLACES.iter().enumerate() {
        for (j, (headline, keyword, topic_section, tag_index)) in TOPICS.iter().enumerate() {
            let k = i * TOPICS.len() + j;
            if k % 3 == 2 {
                continue;
            }
            let (who, role) = others[k % others.len()];
            let mut byline = vec![BylineInput {
                correspondent_id: who,
                role: role.into(),
            }];
            let (helper, _) = others[(k + 4) % others.len()];
            if helper != who {
                byline.push(BylineInput {
                    correspondent_id: helper,
                    role: "correspondent".into(),
                });
            }
            let section_id = if k % 2 == 0 {
                ids[place_section]
            } else {
                ids[topic_section]
            };
            let title = format!("{place}：{headline}");
            let body = story_body(place, keyword, k);
            if k % 7 == 6 {
                // A few drafts, to show the workflow.
                write::create(
                    c,
                    &Directory::default(),
                    admin,
                    req(&title, body, section_id, byline, vec![tag_ids[*tag_index]]),
                )?;
            } else {
                publish(
                    c,
                    admin,
                    req(&title, body, section_id, byline, vec![tag_ids[*tag_index]]),
                    20 + i64::try_from(k).unwrap_or(0) * 5,
                )?;
            }
            n += 1;
        }
    }
    Ok(n)
}
