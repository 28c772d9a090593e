//! What the demo loads: the sample article from 咸宁新闻网 as shipped in the repository, and the
//! sections, tags, correspondents and county stories around it.

use serde::Deserialize;

/// The sample article, as shipped in the repository.
pub const SEED_ARTICLE: &str = include_str!("seed-article.json");

#[derive(Debug, Deserialize)]
pub(super) struct Seed {
    pub(super) title: String,
    pub(super) section: SeedSection,
    pub(super) tags: Vec<SeedRef>,
    pub(super) byline: Vec<SeedPerson>,
    pub(super) editor: String,
    pub(super) source: String,
    pub(super) body_html: String,
    pub(super) previous: SeedTitle,
    pub(super) next: SeedTitle,
}

#[derive(Debug, Deserialize)]
pub(super) struct SeedSection {
    pub(super) slug: String,
    pub(super) name: String,
    pub(super) parent: SeedRef,
}

#[derive(Debug, Deserialize)]
pub(super) struct SeedRef {
    pub(super) slug: String,
    pub(super) name: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct SeedPerson {
    pub(super) name: String,
    pub(super) role: String,
}

#[derive(Debug, Deserialize)]
pub(super) struct SeedTitle {
    pub(super) title: String,
}

pub const DEMO_ADMIN_EMAIL: &str = "admin@newsdesk.local";

/// The slug of 县市区, the section the counties sit under (the sample's parent section too).
pub(super) const COUNTIES: &str = "counties";

/// `(slug, name, parent slug)` of the demo sections, in display order.
pub(super) const SECTIONS: [(&str, &str, Option<&str>); 10] = [
    ("bendi-yaowen", "本地要闻", None),
    (COUNTIES, "县市区", None),
    ("xianan", "咸安", Some(COUNTIES)),
    ("chibi", "赤壁", Some(COUNTIES)),
    ("tongcheng", "通城", Some(COUNTIES)),
    ("chongyang", "崇阳", Some(COUNTIES)),
    ("tongshan", "通山", Some(COUNTIES)),
    ("jingji", "经济", None),
    ("minsheng", "民生", None),
    ("wenlv", "文旅", None),
];

pub(super) const TAGS: [&str; 5] = [
    "央媒省媒看咸宁",
    "招商引资",
    "乡村振兴",
    "营商环境",
    "项目建设",
];

/// `(name, affiliation, usual role)`.
pub(super) const PEOPLE: [(&str, &str, &str); 9] = [
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
pub(super) const PLACES: [(&str, &str); 6] = [
    ("咸安区", "xianan"),
    ("赤壁市", "chibi"),
    ("通城县", "tongcheng"),
    ("崇阳县", "chongyang"),
    ("通山县", "tongshan"),
    ("咸宁市", "bendi-yaowen"),
];
pub(super) const TOPICS: [(&str, &str, &str, usize); 6] = [
    ("产业园区项目集中开工", "园区", "jingji", 4),
    ("招商引资签约一批优质项目", "招商", "jingji", 1),
    ("乡村振兴绘就富美新画卷", "乡村", "minsheng", 2),
    ("优化营商环境服务企业发展", "营商环境", "jingji", 3),
    ("文旅融合点燃消费新热点", "文旅", "wenlv", 0),
    ("民生实事办到群众心坎上", "民生", "minsheng", 2),
];

pub(super) fn story_body(place: &str, keyword: &str, n: usize) -> String {
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
