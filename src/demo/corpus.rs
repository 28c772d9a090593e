//! A generated corpus of county news in the import format (`sections.jsonl`,
//! `contributors.jsonl`, `tags.jsonl`, `articles.jsonl`, and `slugs_sample.txt` with 1000
//! published slugs for read benchmarks). Deterministic for a seed; 100 000 articles take a few
//! seconds. Bodies are 1.5–4 KB of `<p>` and `<h2>`, built from phrase tables with slots for
//! places, firms, products and figures, so that search sees common words (园区, 招商) and rare
//! ones (簰洲湾) in realistic proportions.
//!
//! Over 400 lines because most of it is tables (phrases, places, firms, products, names); the
//! generator itself is short.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use chrono::{Duration, FixedOffset, Offset, TimeZone, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use serde_json::json;

/// `(slug, name)`: a flat list of sections as a prefecture-level news site has them; 县市区 and
/// its counties by the demo's slugs, so a corpus imported beside the demo fills its tree.
const SECTIONS: &[(&str, &str)] = &[
    ("bendi-yaowen", "本地要闻"),
    ("shizheng", "时政"),
    (super::content::COUNTIES, "县市区"),
    ("xianan", "咸安"),
    ("jiayu", "嘉鱼"),
    ("chibi", "赤壁"),
    ("tongcheng", "通城"),
    ("chongyang", "崇阳"),
    ("tongshan", "通山"),
    ("chanye", "产业经济"),
    ("zhaoshang", "招商引资"),
    ("jiaotong", "交通建设"),
    ("sannong", "三农"),
    ("wenlv", "文化旅游"),
    ("jiaoyu", "教育"),
    ("yiliao", "医疗卫生"),
    ("fazhi", "政法"),
    ("minsheng", "民生"),
    ("tiyu", "体育"),
    ("shiping", "时评"),
];

/// The sections under 县市区 (the demo's [`super::content::COUNTIES`]).
const COUNTIES: &[&str] = &[
    "xianan",
    "jiayu",
    "chibi",
    "tongcheng",
    "chongyang",
    "tongshan",
];
const PLACES: &[&str] = &[
    "咸安区",
    "嘉鱼县",
    "赤壁市",
    "通城县",
    "崇阳县",
    "通山县",
    "温泉街道",
    "官埠桥镇",
    "潘家湾镇",
    "簰洲湾镇",
    "新店镇",
    "车埠镇",
    "隽水镇",
    "天城镇",
    "九宫山镇",
    "大畈镇",
];
const RARE_PLACE: &str = "簰洲湾镇";
const ZONES: &[&str] = &[
    "咸宁高新区",
    "嘉鱼经济开发区",
    "赤壁高新区",
    "通城工业园",
    "崇阳工业园",
    "通山工业园",
];
const FIRMS: &[&str] = &[
    "鄂南", "香城", "桂乡", "淦河", "陆水", "隽水", "富水", "楚风", "向阳", "明珠",
];
const FIRM_KINDS: &[&str] = &[
    "电子科技有限公司",
    "新材料股份有限公司",
    "茶业有限公司",
    "竹木制品有限公司",
    "智能装备有限公司",
    "食品有限公司",
    "光电有限公司",
];
const GOODS: &[&str] = &[
    "青砖茶",
    "桂花糕",
    "楠竹",
    "猕猴桃",
    "莲藕",
    "油茶",
    "香菇",
    "柑橘",
    "黄精",
    "小龙虾",
];
const PROJECTS: &[&str] = &[
    "长江大桥",
    "城市快速路",
    "冷链物流中心",
    "污水处理厂",
    "人民医院新院区",
    "滨江公园",
    "高标准农田",
    "老旧小区改造",
    "抽水蓄能电站",
    "职教园区",
];
const SPOTS: &[&str] = &[
    "九宫山",
    "隐水洞",
    "赤壁古战场",
    "羊楼洞古镇",
    "陆水湖",
    "太乙洞",
    "星星竹海",
];
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛";
const GIVEN: &str = "晓明华丽军红芳平波勇静敏杰涛斌霞燕鹏超婷辉健琳宇航帆洋秀全欣怡";
const TOPICS: &[&str] = &[
    "乡村振兴",
    "招商引资",
    "产业园区",
    "项目建设",
    "营商环境",
    "干部素质提升年",
    "文明创建",
    "生态环保",
    "长江大保护",
    "民生实事",
    "平安建设",
    "全民健身",
    "科技创新",
    "文旅融合",
    "防汛抗旱",
    "春耕生产",
    "安全生产",
    "基层治理",
    "教育强县",
    "健康咸宁",
];
/// Byline roles and how often they appear.
const ROLES: &[(&str, u32)] = &[("correspondent", 5), ("reporter", 3), ("photographer", 2)];
const HEADINGS: &[&str] = &[
    "项目建设提速",
    "园区发展提质",
    "招商引资见效",
    "产业链条延伸",
    "群众得到实惠",
    "干部一线练兵",
    "特色产业兴旺",
    "文旅融合出新",
    "基层治理见效",
    "下一步打算",
];
/// Sentences by theme; `{p}` place, `{z}` zone, `{f}` firm, `{g}` goods, `{j}` project,
/// `{s}` spot, `{n}` small number, `{m}` large number, `{r}` rate.
const ECONOMY: &[&str] = &[
    "走进{z}，标准化厂房整齐排列，{f}的生产线正满负荷运转。",
    "{f}负责人说，企业订单已排到年底，预计全年产值突破{n}亿元。",
    "{z}今年新增规上企业{n}家，园区工业总产值同比增长{r}%。",
    "{p}组建招商专班，赴长三角、珠三角开展精准招商，签约项目{n}个。",
    "签约仪式上，{f}与{z}签订协议，计划投资{n}亿元建设生产基地。",
    "项目达产后，可新增就业岗位{m}个，带动上下游配套企业入驻。",
];
const BUILDING: &[&str] = &[
    "今年以来，{p}把项目建设作为经济工作的主抓手，一批重点项目加快推进。",
    "{j}施工现场机器轰鸣，建设者们抢抓晴好天气加紧施工。",
    "据介绍，{j}主体工程已完成{r}%，预计明年上半年投入使用。",
    "{p}今年计划实施重点项目{n}个，年度计划投资{m}万元。",
];
const COUNTRYSIDE: &[&str] = &[
    "在{p}的{g}基地，农户们忙着采收、分拣、装箱，产品销往全国各地。",
    "{p}依托{g}产业，走出了一条“合作社+基地+农户”的增收路子。",
    "当地通过电商直播销售{g}，销量比去年同期增长{r}%。",
    "农技人员深入田间地头，手把手指导农户开展病虫害防治。",
];
const CULTURE: &[&str] = &[
    "节假日期间，{s}景区接待游客{m}人次，文旅市场持续升温。",
    "非遗传承人现场展示竹编、提琴戏等传统技艺，赢得阵阵掌声。",
    "{p}推出{n}条精品旅游线路，串联起{s}等景点。",
];
const PUBLIC: &[&str] = &[
    "{p}把年轻干部放到项目建设一线，在实干中长才干。",
    "培训班采取专题讲座、现场教学和分组研讨相结合的方式进行。",
    "{p}今年为民办实事{n}件，目前已完成大部分任务。",
    "社区网格员走街串巷收集群众诉求，做到小事不出网格。",
    "医疗专家来到{p}开展义诊，为群众免费测量血压、血糖{m}人次。",
    "民警提醒，凡是要求转账到所谓“安全账户”的都是诈骗。",
    "{p}第{n}届全民运动会开幕，{m}余名运动员参加比赛。",
];
const GENERAL: &[&str] = &[
    "截至目前，相关工作已完成年度目标任务的{r}%。",
    "群众纷纷表示，家门口的变化看得见、摸得着。",
    "{p}有关负责人表示，下一步将继续加大工作力度，确保各项任务按时完成。",
];
/// A story's theme, by its section's position in [`SECTIONS`].
fn theme(section: usize) -> &'static [&'static str] {
    match section {
        0 | 9 | 10 => ECONOMY,
        11 => BUILDING,
        12 => COUNTRYSIDE,
        13 => CULTURE,
        1 | 14..=19 => PUBLIC,
        // The counties write about everything.
        _ => [ECONOMY, BUILDING, COUNTRYSIDE, CULTURE, PUBLIC][section % 5],
    }
}
const TITLES: &[&str] = &[
    "{p}{n}个重点项目集中开工",
    "{z}产业集群加速成势",
    "{f}智能化生产线投产",
    "{p}招商引资再传捷报",
    "{j}建设进入冲刺阶段",
    "{g}飘香 {p}迎来丰收季",
    "{s}迎来旅游高峰",
    "{p}年轻干部一线练兵",
    "{p}为民办实事清单出炉",
    "{p}开展安全生产大检查",
    "{z}今年新增规上企业{n}家",
    "{p}全民运动会开幕",
];

struct Words<'r> {
    rng: &'r mut StdRng,
}

impl Words<'_> {
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items.choose(self.rng).copied().unwrap_or_default()
    }

    /// Places, with the rare town kept rare (about one story in two hundred).
    fn place(&mut self) -> &'static str {
        loop {
            let p = self.pick(PLACES);
            if p != RARE_PLACE || self.rng.gen_ratio(1, 400) {
                return p;
            }
        }
    }

    fn fill(&mut self, template: &str) -> String {
        let mut out = String::with_capacity(template.len() + 32);
        let mut chars = template.chars();
        while let Some(c) = chars.next() {
            if c != '{' {
                out.push(c);
                continue;
            }
            let slot = chars.next().unwrap_or('?');
            chars.next(); // '}'
            match slot {
                'p' => out.push_str(self.place()),
                'z' => out.push_str(self.pick(ZONES)),
                'f' => {
                    out.push_str(self.pick(FIRMS));
                    out.push_str(self.pick(FIRM_KINDS));
                }
                'g' => out.push_str(self.pick(GOODS)),
                'j' => out.push_str(self.pick(PROJECTS)),
                's' => out.push_str(self.pick(SPOTS)),
                'n' => out.push_str(&self.rng.gen_range(2..40).to_string()),
                'm' => out.push_str(&self.rng.gen_range(100..9000).to_string()),
                _ => out.push_str(&format!("{:.1}", self.rng.gen_range(3.0..60.0))),
            }
        }
        out
    }

    fn name(&mut self) -> String {
        let s: Vec<char> = SURNAMES.chars().collect();
        let g: Vec<char> = GIVEN.chars().collect();
        let mut n = String::new();
        n.push(*s.choose(self.rng).unwrap_or(&'王'));
        for _ in 0..self.rng.gen_range(1..=2) {
            n.push(*g.choose(self.rng).unwrap_or(&'明'));
        }
        n
    }

    /// An HTML body of about `target` bytes in `theme`: a lead, then two to four headed parts.
    fn body(&mut self, theme: &[&str], target: usize) -> String {
        let mut html = String::with_capacity(target + 512);
        let mut headings: Vec<&str> = HEADINGS.to_vec();
        headings.shuffle(self.rng);
        let parts = self.rng.gen_range(2..=4);
        let per_part = target / (parts + 1);
        for part in 0..=parts {
            if part > 0 {
                html.push_str(&format!("<h2>{}</h2>", headings[part - 1]));
            }
            let start = html.len();
            while html.len() - start < per_part {
                html.push_str("<p>");
                for _ in 0..self.rng.gen_range(2..=4) {
                    let s = if self.rng.gen_ratio(4, 5) {
                        self.pick(theme)
                    } else {
                        self.pick(GENERAL)
                    };
                    html.push_str(&self.fill(s));
                }
                html.push_str("</p>");
            }
        }
        html
    }
}

/// What was written.
#[derive(Debug)]
pub struct Written {
    pub articles: usize,
    pub published: usize,
}

fn jsonl(dir: &Path, name: &str) -> std::io::Result<BufWriter<File>> {
    Ok(BufWriter::with_capacity(
        1 << 20,
        File::create(dir.join(name))?,
    ))
}

/// Writes a corpus of `n` articles into `dir` (created if missing).
pub fn write(dir: &Path, n: usize, seed: u64) -> std::io::Result<Written> {
    std::fs::create_dir_all(dir)?;
    let mut rng = StdRng::seed_from_u64(seed);
    let mut w = Words { rng: &mut rng };

    let mut out = jsonl(dir, "sections.jsonl")?;
    for (i, (slug, name)) in SECTIONS.iter().enumerate() {
        let mut line = json!({"id": i + 1, "slug": slug, "name": name});
        if COUNTIES.contains(slug) {
            line["parent"] = json!(super::content::COUNTIES);
        }
        writeln!(out, "{line}")?;
    }
    out.flush()?;

    let mut out = jsonl(dir, "tags.jsonl")?;
    let mut tag_slugs = Vec::new();
    for i in 0..300 {
        let name = match TOPICS.get(i) {
            Some(t) => (*t).to_owned(),
            None => format!("{}{}", w.place(), w.pick(TOPICS)),
        };
        let slug = format!("topic-{:03}", i + 1);
        writeln!(out, "{}", json!({"id": i + 1, "slug": slug, "name": name}))?;
        tag_slugs.push(slug);
    }
    out.flush()?;

    let mut out = jsonl(dir, "contributors.jsonl")?;
    let mut people = Vec::new();
    for i in 0..400 {
        let slug = format!("person-{:04}", i + 1);
        let role = ROLES[i % ROLES.len()].0;
        writeln!(
            out,
            "{}",
            json!({"id": i + 1, "slug": slug, "name": w.name(), "role": role})
        )?;
        people.push(slug);
    }
    out.flush()?;

    // China Standard Time; `east_opt` refuses only offsets of a day or more.
    let tz = FixedOffset::east_opt(8 * 3600).unwrap_or_else(|| Utc.fix());
    let now = Utc::now();
    let mut out = jsonl(dir, "articles.jsonl")?;
    let mut published_slugs = Vec::new();
    let role_weights: u32 = ROLES.iter().map(|r| r.1).sum();
    for i in 0..n {
        let section_index = i % SECTIONS.len();
        let section = SECTIONS[section_index].0;
        // Spread over two years, newest last; a tenth are drafts.
        let at = now - Duration::minutes(((n - i) as i64) * 2 * 365 * 24 * 60 / n.max(1) as i64);
        let at = tz.from_utc_datetime(&at.naive_utc());
        let published = !w.rng.gen_ratio(1, 10);
        let slug = format!("{section}-{}-{:06}", at.format("%Y%m%d"), i + 1);
        let title = {
            let t = w.pick(TITLES);
            w.fill(t)
        };
        let target = w.rng.gen_range(1200..3200);
        let body = w.body(theme(section_index), target);
        let credits = w.rng.gen_range(1..=4);
        let mut byline = Vec::new();
        for _ in 0..credits {
            let person = w
                .pick(&people.iter().map(String::as_str).collect::<Vec<_>>())
                .to_owned();
            if byline
                .iter()
                .any(|b: &serde_json::Value| b["slug"] == person)
            {
                continue;
            }
            let mut roll = w.rng.gen_range(0..role_weights);
            let role = ROLES
                .iter()
                .find(|(_, weight)| {
                    if roll < *weight {
                        true
                    } else {
                        roll -= weight;
                        false
                    }
                })
                .map_or("reporter", |r| r.0);
            byline.push(json!({"slug": person, "role": role}));
        }
        let tags: Vec<&str> = (0..w.rng.gen_range(0..=3))
            .map(|_| tag_slugs[w.rng.gen_range(0..tag_slugs.len())].as_str())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        writeln!(
            out,
            "{}",
            json!({
                "id": i + 1,
                "slug": slug,
                "title": title,
                "body": body,
                "section": section,
                "contributors": byline,
                "tags": tags,
                "status": if published { "published" } else { "draft" },
                "published_at": if published { Some(at.to_rfc3339()) } else { None },
            })
        )?;
        if published {
            published_slugs.push(slug);
        }
    }
    out.flush()?;

    let mut sample = published_slugs.clone();
    sample.shuffle(w.rng);
    sample.truncate(1000);
    std::fs::write(dir.join("slugs_sample.txt"), sample.join("\n") + "\n")?;
    Ok(Written {
        articles: n,
        published: published_slugs.len(),
    })
}
