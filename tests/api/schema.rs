//! Schema invariants checked against the catalog and the planner.

use chrono::Utc;
use diesel::connection::SimpleConnection;
use diesel::pg::Pg;
use diesel::prelude::*;
use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::Text;
use uuid::Uuid;

use newsdesk::articles::queries::list::{list_query, search_tier_query};
use newsdesk::articles::queries::related::neighbours_query;
use newsdesk::articles::queries::{ListFilter, Sort, Visibility};
use newsdesk::articles::Status;
use newsdesk::pagination::Cursor;
use newsdesk::search::document::missing_query;
use newsdesk::search::SearchQuery;

use crate::helpers::Newsroom;

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

#[test]
fn every_foreign_key_column_is_indexed() {
    let n = Newsroom::new();
    let missing: Vec<Line> = diesel::sql_query(
        "SELECT c.conrelid::regclass || '.' || a.attname AS line
         FROM pg_constraint c
         JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
         WHERE c.contype = 'f'
           AND NOT EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = c.conrelid AND i.indkey[0] = c.conkey[1])",
    )
    .load(&mut n.app.conn())
    .unwrap();
    let missing: Vec<&str> = missing.iter().map(|l| l.line.as_str()).collect();
    assert!(missing.is_empty(), "unindexed foreign keys: {missing:?}");
}

/// `EXPLAIN` of a statement exactly as a query function built it, binds and all.
struct Explain<Q>(Q);

impl<Q: QueryFragment<Pg>> QueryFragment<Pg> for Explain<Q> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("EXPLAIN ");
        self.0.walk_ast(out.reborrow())
    }
}

impl<Q> QueryId for Explain<Q> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q> Query for Explain<Q> {
    type SqlType = Text;
}

impl<Q> RunQueryDsl<PgConnection> for Explain<Q> {}

/// The statement (as `debug_query` prints it) and PostgreSQL's plan for it.
fn plan<Q: QueryFragment<Pg>>(conn: &mut PgConnection, q: Q) -> (String, String) {
    let sql = diesel::debug_query::<Pg, _>(&q).to_string();
    let lines: Vec<String> = Explain(q).load(conn).unwrap();
    (sql, lines.join("\n"))
}

/// A filter of `GET /articles` as the handler builds it, narrowed by `change`.
fn filter(visibility: Visibility, change: impl FnOnce(&mut ListFilter)) -> ListFilter {
    let mut f = ListFilter {
        visibility,
        section_ids: None,
        tag_id: None,
        correspondent_id: None,
        status: None,
        published_after: None,
        published_before: None,
        search: None,
        sort: Sort::Published,
    };
    change(&mut f);
    f
}

fn id_of(conn: &mut PgConnection, table: &str, slug: &str) -> Uuid {
    #[derive(QueryableByName)]
    struct Id {
        #[diesel(sql_type = diesel::sql_types::Uuid)]
        id: Uuid,
    }
    diesel::sql_query(format!("SELECT id FROM {table} WHERE slug = $1"))
        .bind::<Text, _>(slug)
        .get_result::<Id>(conn)
        .unwrap()
        .id
}

#[test]
fn list_filters_and_orders_use_indexes_on_thousands_of_rows() {
    let n = Newsroom::new();
    n.app.published(&n.admin, &n.article("样稿"));
    let mut conn = n.app.conn();
    // 5000 more articles spread over 50 sections, 40 people and 30 tags.
    conn.batch_execute(
        "INSERT INTO sections (id, slug, name) SELECT gen_random_uuid(), 's' || g, '栏目' || g FROM generate_series(1, 50) g;
         INSERT INTO correspondents (id, slug, name) SELECT gen_random_uuid(), 'p' || g, '人' || g FROM generate_series(1, 40) g;
         INSERT INTO tags (id, slug, name) SELECT gen_random_uuid(), 't' || g, '专题' || g FROM generate_series(1, 30) g;",
    )
    .unwrap();
    diesel::sql_query(
        "INSERT INTO articles (id, slug, title, summary, body_html, section_id, status, published_at, created_at, updated_at)
         SELECT gen_random_uuid(), 'a' || g, '标题' || g, '摘要', '<p>正文</p>',
                (SELECT id FROM sections WHERE slug = 's' || (g % 50 + 1)),
                CASE WHEN g % 10 = 0 THEN 'draft' ELSE 'published' END,
                CASE WHEN g % 10 = 0 THEN NULL ELSE now() - g * interval '1 minute' END,
                now(), now() - g * interval '1 second'
         FROM generate_series(1, 5000) g",
    )
    .execute(&mut conn)
    .unwrap();
    conn.batch_execute(
        "INSERT INTO article_bylines (article_id, position, correspondent_id, role)
           SELECT a.id, 0, (SELECT id FROM correspondents WHERE slug = 'p' || (abs(hashtext(a.slug)) % 40 + 1)), 'reporter' FROM articles a WHERE a.slug ~ '^a[0-9]+$';
         INSERT INTO article_tags (article_id, tag_id, position)
           SELECT a.id, (SELECT id FROM tags WHERE slug = 't' || (abs(hashtext(a.slug)) % 30 + 1)), 0 FROM articles a WHERE a.slug ~ '^a[0-9]+$';
         ANALYZE",
    )
    .unwrap();
    let s7 = id_of(&mut conn, "sections", "s7");
    let t3 = id_of(&mut conn, "tags", "t3");
    let p5 = id_of(&mut conn, "correspondents", "p5");
    let cursor = Cursor {
        kind: 'p',
        at: Some(Utc::now() - chrono::Duration::days(2)),
        key: None,
        id: Uuid::nil(),
    };
    // The orders: the planner itself walks an index, no sort.
    let public = Visibility::Public;
    let orders = [
        plan(&mut conn, list_query(&filter(public, |_| {}), None, 20)),
        plan(
            &mut conn,
            list_query(&filter(public, |_| {}), Some(&cursor), 20),
        ),
        plan(
            &mut conn,
            list_query(
                &filter(public, |f| f.section_ids = Some(vec![s7])),
                None,
                20,
            ),
        ),
        plan(
            &mut conn,
            list_query(&filter(Visibility::Desk, |_| {}), None, 20),
        ),
        plan(
            &mut conn,
            list_query(
                &filter(Visibility::Desk, |f| f.status = Some(Status::Draft)),
                None,
                20,
            ),
        ),
        plan(
            &mut conn,
            list_query(
                &filter(Visibility::Desk, |f| f.sort = Sort::Updated),
                None,
                20,
            ),
        ),
        plan(&mut conn, neighbours_query(Uuid::nil(), s7, Utc::now())),
    ];
    for (sql, plan) in orders {
        assert!(
            !plan.contains("Seq Scan on articles"),
            "sequential scan for\n{sql}\n{plan}"
        );
        assert!(
            !plan.contains("Sort  "),
            "an explicit sort for\n{sql}\n{plan}"
        );
    }
    // The filters through join tables: on a few thousand rows a hash join over the whole table
    // can be the cheaper plan, so check that an index path exists (with sequential scans
    // disabled, a missing index still shows as a Seq Scan).
    diesel::sql_query("SET enable_seqscan = off")
        .execute(&mut conn)
        .unwrap();
    let filters = [
        list_query(&filter(public, |f| f.tag_id = Some(t3)), None, 20),
        list_query(&filter(public, |f| f.correspondent_id = Some(p5)), None, 20),
        list_query(
            &filter(Visibility::Contributor(Uuid::nil()), |_| {}),
            None,
            20,
        ),
    ];
    for q in filters {
        let (sql, plan) = plan(&mut conn, q);
        assert!(
            !plan.contains("Seq Scan"),
            "no index path for\n{sql}\n{plan}"
        );
    }
    diesel::sql_query("RESET enable_seqscan")
        .execute(&mut conn)
        .unwrap();
    // The synthetic rows have no search documents yet (loaded by SQL); afterwards search can go
    // through the GIN indexes (on a few thousand rows a scan may be cheaper, so as above:
    // sequential scans off, an index must serve; bench/search.sh shows the planner's own choice
    // at 100 000 rows).
    assert!(newsdesk::search::reindex_missing(&mut conn).unwrap() >= 5000);
    diesel::sql_query("ANALYZE articles, search_documents")
        .execute(&mut conn)
        .unwrap();
    // Every start-up looks for missing documents (none, as usual) through a partial index.
    let (sql, p) = plan(&mut conn, missing_query(Uuid::nil()));
    assert!(p.contains("articles_search_unwritten_idx"), "{sql}\n{p}");
    let q = SearchQuery::parse("4999").unwrap().unwrap();
    let searching = filter(public, |f| f.search = Some(q.clone()));
    // On 5000 rows the planner may as well walk the published articles (or every document by
    // its key) and filter them; with every B-tree index but the articles' keys gone (inside a
    // transaction that is rolled back) and sequential scans off, the search documents' GIN
    // indexes must serve the handler's own statements.
    conn.begin_test_transaction().unwrap();
    conn.batch_execute(
        "DO $$ DECLARE i record; BEGIN
           FOR i IN SELECT indexname FROM pg_indexes
             WHERE tablename IN ('articles', 'search_documents')
             AND indexdef NOT LIKE '%USING gin%'
             AND indexname NOT IN (SELECT conname FROM pg_constraint) LOOP
             EXECUTE format('DROP INDEX %I', i.indexname);
           END LOOP; END $$;
         ALTER TABLE search_documents DROP CONSTRAINT search_documents_pkey;
         SET LOCAL enable_seqscan = off",
    )
    .unwrap();
    // Tier 1 (the words not in the title) can only come through the body's document.
    let (sql, p) = plan(&mut conn, search_tier_query(&searching, &q, 1, None, 21));
    assert!(
        p.contains("search_documents_document_idx") && !p.contains("Seq Scan"),
        "{sql}\n{p}"
    );
    let (sql, p) = plan(&mut conn, search_tier_query(&searching, &q, 0, None, 21));
    assert!(p.contains("articles_search_title_idx"), "{sql}\n{p}");
}
