//! Demo content: the sample article from 咸宁新闻网 (嘉鱼, under 县市区) with its three
//! correspondents, editor and tag, its previous/next neighbours, and a few dozen plausible county
//! stories across several sections. Loaded through the same write path as the API, so every
//! article has its revisions.

pub mod corpus;

use chrono::{Duration, Utc};
use diesel::prelude::*;
use rand::distributions::Alphanumeric;
use rand::Rng;
use serde::Deserialize;
use uuid::Uuid;

use crate::articles::views::{BylineInput, CreateArticleRequest};
use crate::articles::write::{self, Move};
use crate::articles::Status;
use crate::cache::Changes;
use crate::correspondents::model::Correspondent;
use crate::correspondents::queries as people;
use crate::directory::Directory;
use crate::editors::accounts::{self, NewAccount};
use crate::editors::Editor;
use crate::error::AppError;
use crate::ident::IdOrSlug;
use crate::schema::{articles, editors};
use crate::sections::model::NewSection;
use crate::sections::queries as sections;
use crate::state::{AppState, Reach};
use crate::tags::model::Tag;
use crate::tags::queries as tags;
use crate::{db, slug};

/// The sample article, as shipped in the repository.
pub const SEED_ARTICLE: &str = include_str!("seed-article.json");

#[derive(Debug, Deserialize)]
struct Seed {
    title: String,
    section: SeedSection,
    tags: Vec<SeedRef>,
    byline: Vec<SeedPerson>,
    editor: String,
    source: String,
    body_html: String,
    previous: SeedTitle,
    next: SeedTitle,
}

#[derive(Debug, Deserialize)]
struct SeedSection {
    slug: String,
    name: String,
    parent: SeedRef,
}

#[derive(Debug, Deserialize)]
struct SeedRef {
    slug: String,
    name: String,
}

#[derive(Debug, Deserialize)]
struct SeedPerson {
    name: String,
    role: String,
}

#[derive(Debug, Deserialize)]
struct SeedTitle {
    title: String,
}

pub const DEMO_ADMIN_EMAIL: &str = "admin@newsdesk.local";

/// `(slug, name, parent slug)` of the demo sections, in display order.
const SECTIONS: [(&str, &str, Option<&str>); 10] = [
    ("bendi-yaowen", "本地要闻", None),
    ("counties", "县市区", None),
    ("xianan", "咸安", Some("counties")),
    ("chibi", "赤壁", Some("counties")),
    ("tongcheng", "通城", Some("counties")),
    ("chongyang", "崇阳", Some("counties")),
    ("tongshan", "通山", Some("counties")),
    ("jingji", "经济", None),
    ("minsheng", "民生", None),
    ("wenlv", "文旅", None),
];

const TAGS: [&str; 5] = [
    "央媒省媒看咸宁",
    "招商引资",
    "乡村振兴",
    "营商环境",
    "项目建设",
];

/// `(name, affiliation, usual role)`.
const PEOPLE: [(&str, &str, &str); 9] = [
    ("叶和平", "咸宁日报", "reporter"),
    ("沈荣华", "咸安区委宣传部", "correspondent"),
    ("吴青朋", "香城都市报", "reporter"),
    ("邹太明", "市市场监督管理局", "correspondent"),
    ("马丽娅", "咸宁日报全媒体", "reporter"),
    ("徐功频", "崇阳县融媒体中心", "correspondent"),
    ("王旦", "崇阳县融媒体中心", "correspondent"),
    ("刘建平", "影像咸宁", "photographer"),
    ("黎星光", "通城县委宣传部", "correspondent"),
];

/// Places and topics the generated stories combine.
const PLACES: [(&str, &str); 6] = [
    ("咸安区", "xianan"),
    ("赤壁市", "chibi"),
    ("通城县", "tongcheng"),
    ("崇阳县", "chongyang"),
    ("通山县", "tongshan"),
    ("咸宁市", "bendi-yaowen"),
];
const TOPICS: [(&str, &str, &str, usize); 6] = [
    ("产业园区项目集中开工", "园区", "jingji", 4),
    ("招商引资签约一批优质项目", "招商", "jingji", 1),
    ("乡村振兴绘就富美新画卷", "乡村", "minsheng", 2),
    ("优化营商环境服务企业发展", "营商环境", "jingji", 3),
    ("文旅融合点燃消费新热点", "文旅", "wenlv", 0),
    ("民生实事办到群众心坎上", "民生", "minsheng", 2),
];

fn story_body(place: &str, keyword: &str, n: usize) -> String {
    format!(
        "<p>近日，{place}围绕{keyword}工作持续发力，以项目为抓手、以服务为支撑，推动各项任务落地见效。据介绍，今年以来全{unit}已累计推进重点事项{n}项，群众和企业的获得感不断增强。</p>\
<h2>聚焦重点，压实责任</h2>\
<p>{place}成立工作专班，实行“一个项目、一名领导、一个专班、一套方案、一抓到底”的推进机制，定期调度、现场办公，协调解决用地、用工、融资等难题。</p>\
<p>“我们把{keyword}作为检验干部作风的试金石，”相关负责人说，“既要跑出加速度，也要守住质量关。”</p>\
<h2>创新方式，提升实效</h2>\
<p>下一步，{place}将继续深化改革创新，强化要素保障，推动{keyword}工作提质增效，为全市高质量发展贡献更多力量。</p>",
        unit = if place.ends_with('市') { "市" } else if place.ends_with('区') { "区" } else { "县" },
        n = 10 + n * 3,
    )
}

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
    let articles = state
        .write(Reach::Everywhere, move |c, _| {
            seed_content(c, &admin, &editor)
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

fn section(
    c: &mut PgConnection,
    slug: &str,
    name: &str,
    parent: Option<Uuid>,
    position: i32,
) -> Result<Uuid, AppError> {
    if let Some(s) = sections::find(c, &IdOrSlug::Slug(slug.into()))? {
        return Ok(s.id);
    }
    let s = sections::insert(
        c,
        &NewSection {
            id: Uuid::now_v7(),
            slug: slug.into(),
            name: name.into(),
            description: None,
            parent_id: parent,
            position,
        },
    )?;
    Ok(s.id)
}

fn tag(c: &mut PgConnection, name: &str, slug_hint: Option<&str>) -> Result<Uuid, AppError> {
    let slug = slug_hint
        .map(str::to_owned)
        .unwrap_or_else(|| slug::slugify(name, slug::MAX_SLUG_LEN));
    if let Some(t) = tags::find(c, &IdOrSlug::Slug(slug.clone()))? {
        return Ok(t.id);
    }
    let now = Utc::now();
    Ok(tags::insert(
        c,
        &Tag {
            id: Uuid::now_v7(),
            slug,
            name: name.into(),
            created_at: now,
            updated_at: now,
        },
    )?
    .id)
}

fn person(c: &mut PgConnection, name: &str, affiliation: Option<&str>) -> Result<Uuid, AppError> {
    let slug = slug::slugify(name, slug::MAX_SLUG_LEN);
    if let Some(p) = people::find(c, &IdOrSlug::Slug(slug.clone()))? {
        return Ok(p.id);
    }
    let now = Utc::now();
    let row = Correspondent {
        id: Uuid::now_v7(),
        slug,
        name: name.into(),
        affiliation: affiliation.map(str::to_owned),
        bio: None,
        email: Some(format!(
            "{}@example.cn",
            slug::slugify(name, 64).replace('-', "")
        )),
        phone: Some("0715-8000000".into()),
        notes: Some("内部联系人信息，仅编辑可见".into()),
        editor_id: None,
        created_at: now,
        updated_at: now,
    };
    Ok(people::insert(c, &row)?.id)
}

/// Creates, publishes and dates one article; returns its id.
fn publish(
    c: &mut PgConnection,
    admin: &Editor,
    req: CreateArticleRequest,
    hours_ago: i64,
) -> Result<Uuid, AppError> {
    // The seed's own transaction adds the sections and names: a directory of its own, loaded
    // inside it.
    let dir = Directory::default();
    let a = write::create(c, &dir, admin, req)?.article;
    for to in [Status::InReview, Status::Published] {
        write::transition(
            c,
            &dir,
            Some(admin),
            a.id,
            Move {
                to,
                publish_at: None,
                note: None,
                version: None,
            },
            // The seeding transaction reports that everything changed.
            &mut Changes::default(),
        )?;
    }
    let at = Utc::now() - Duration::hours(hours_ago);
    diesel::update(articles::table.find(a.id))
        .set(articles::published_at.eq(at))
        .execute(c)?;
    Ok(a.id)
}

fn seed_content(c: &mut PgConnection, admin: &Editor, editor: &Editor) -> Result<usize, AppError> {
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
                byline,
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
    publish(
        c,
        admin,
        req(
            &seed.title,
            seed.body_html.clone(),
            jiayu,
            seed_people.clone(),
            seed_tags.clone(),
        ),
        26,
    )?;
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
