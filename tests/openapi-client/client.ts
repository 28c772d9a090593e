// A tiny client of newsdesk written against the types openapi-typescript generates from
// openapi/openapi.json. It must compile with `tsc --strict` (and stricter) without a single
// cast, and every field it reads must be there in a running server's real answers.
//
//   node dist/client.js http://127.0.0.1:8080

import type { components, paths } from "./generated/api.js";

type Schemas = components["schemas"];
type Json<P extends keyof paths> = paths[P] extends {
  get: { responses: { 200: { content: { "application/json": infer T } } } };
}
  ? T
  : never;

const base = process.argv[2] ?? "http://127.0.0.1:8080";
let checked = 0;

/** `value`, after checking at run time that the server really sent it. */
function sent<T>(value: T, what: string): T {
  if (value === undefined) {
    throw new Error(`${what}: not in the response`);
  }
  checked += 1;
  return value;
}

async function get<P extends keyof paths>(_template: P, path: string): Promise<Json<P>> {
  const r = await fetch(base + path);
  if (r.status !== 200) {
    throw new Error(`GET ${path}: ${r.status}`);
  }
  return r.json();
}

function describe(item: Schemas["ArticleListItem"]): string {
  const subtitle: string | null = sent(item.subtitle, "subtitle");
  const editor: string | null = sent(item.editor, "editor")?.display_name ?? null;
  const roles: Schemas["BylineRole"][] = sent(item.byline, "byline").map((b) => sent(b.role, "role"));
  const affiliations: (string | null)[] = item.byline.map((b) => sent(b.affiliation, "affiliation"));
  const published: string | null = sent(item.published_at, "published_at");
  const cover: string | null = sent(item.cover_image, "cover_image")?.url ?? null;
  const status: Schemas["Status"] = sent(item.status, "status");
  return [item.title, subtitle, editor, roles.join(","), affiliations.length, published, cover, status].join(" | ");
}

async function main(): Promise<void> {
  const page = await get("/api/v1/articles", "/api/v1/articles?section=counties&limit=5");
  const next: string | null = sent(page.page.next_cursor, "page.next_cursor");
  const total: number | undefined = page.page.total; // only with ?count=true
  const first = page.data[0];
  if (first === undefined) {
    throw new Error("the demo's counties list nothing");
  }
  console.log(describe(first), next !== null, total);

  const view = await get("/api/v1/articles/{id}", `/api/v1/articles/${first.slug}`);
  const canonical: string = sent(view.links.canonical, "links.canonical");
  const previous: string | null = sent(view.links.previous, "links.previous")?.slug ?? null;
  const related: string[] = sent(view.links.related, "links.related").map((r) => r.title);
  const caption: string | null = sent(view.cover_image, "cover_image")?.caption ?? null;
  const section: Schemas["SectionRef"] = sent(view.section, "section");
  console.log(canonical, previous, related.length, caption, section.slug, view.char_count);

  const sections = await get("/api/v1/sections", "/api/v1/sections?limit=100");
  const parents: (string | null)[] = sections.data.map((s) => sent(s.parent, "parent")?.slug ?? null);
  const tags = await get("/api/v1/tags", "/api/v1/tags");
  const people = await get("/api/v1/correspondents", "/api/v1/correspondents");
  console.log(parents.length, tags.data.length, people.data.length);

  const feed = await fetch(`${base}/api/v1/feed.json`);
  const json: paths["/api/v1/feed.{format}"]["get"]["responses"][200]["content"]["application/feed+json; charset=utf-8"] =
    await feed.json();
  const authors: string[] = sent(json.items, "items").flatMap((i) => i.authors.map((a) => `${a._newsdesk.role}:${a.name}`));
  console.log(json.title, sent(json.home_page_url, "home_page_url"), authors.length);

  const missing = await fetch(`${base}/api/v1/articles/no-such-story`);
  const problem: paths["/api/v1/articles/{id}"]["get"]["responses"][404]["content"]["application/problem+json"] =
    await missing.json();
  const fields: string[] = (problem.errors ?? []).map((e) => e.field);
  console.log(missing.status, sent(problem.code, "code"), fields.length);

  console.log(`ok: ${checked} fields read from real responses`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
