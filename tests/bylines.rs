//! The byline parser against a labelled set: the strings of the publisher's page, each labelled
//! by hand, and the conventions of Chinese credit lines combined — roles with their titles,
//! affiliations, datelines, separators (spaces, 、, ，, none), padded and compound-surname
//! names, parentheses full-width or not, credits opening the text or closing it, captions,
//! editors, and prose that credits nobody. Prints precision and recall of (name, role).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    reason = "a test that meets an error fails"
)]

use std::collections::HashSet;

use newsdesk::bylines::{parse, Role};

/// One labelled string.
struct Case {
    text: String,
    /// `(name, role, affiliation)`.
    credits: Vec<(String, Role, Option<String>)>,
    source: Option<String>,
    editor: Option<String>,
    rest: String,
}

fn case(text: &str, credits: &[(&str, Role, Option<&str>)]) -> Case {
    Case {
        text: text.to_owned(),
        credits: credits
            .iter()
            .map(|(n, r, a)| ((*n).to_owned(), *r, a.map(str::to_owned)))
            .collect(),
        source: None,
        editor: None,
        rest: String::new(),
    }
}

impl Case {
    fn source(mut self, s: &str) -> Case {
        self.source = Some(s.to_owned());
        self
    }
    fn editor(mut self, e: &str) -> Case {
        self.editor = Some(e.to_owned());
        self
    }
    fn rest(mut self, r: &str) -> Case {
        self.rest = r.to_owned();
        self
    }
}

use Role::{Author, Correspondent as C, Photographer as P, Reporter as R, Translator};

/// The page's own strings (`shared/fixtures/xianning-news-page.txt`), labelled by hand.
fn page() -> Vec<Case> {
    vec![
        case("(通讯员 夏洋 洪秀 周全)", &[("夏洋", C, None), ("洪秀", C, None), ("周全", C, None)]),
        case("编辑:hefan", &[]).editor("hefan"),
        case(
            "咸宁新闻网讯 (记者叶和平 通讯员沈荣华)10日,记者在咸嘉临港新城低碳产业园区卓达绿色建筑新材项目现场看到,隆隆的机车...",
            &[("叶和平", R, None), ("沈荣华", C, None)],
        )
        .source("咸宁新闻网")
        .rest("10日,记者在咸嘉临港新城低碳产业园区卓达绿色建筑新材项目现场看到,隆隆的机车..."),
        case(
            "咸宁网讯(香城都市报记者吴青朋通讯员邹太明)4月12日,市市场监督管理局发出关于执行转供电环节价格政策的告诫书,规范转供...",
            &[("吴青朋", R, Some("香城都市报")), ("邹太明", C, None)],
        )
        .source("咸宁网")
        .rest("4月12日,市市场监督管理局发出关于执行转供电环节价格政策的告诫书,规范转供..."),
        case(
            "近日,在通城县关刀镇乡村产业园盛诚纺织车间,村民在纺布。刘建平摄(影像咸宁)。",
            &[("刘建平", P, None)],
        ),
        case(
            "咸宁网讯咸宁日报记者周荣华报道:11月2日,市政府发布咸宁市疫后重振补短板强功能“十大工程”三年行动方案(2020—2022年)...",
            &[("周荣华", R, Some("咸宁日报"))],
        )
        .source("咸宁网")
        .rest("11月2日,市政府发布咸宁市疫后重振补短板强功能“十大工程”三年行动方案(2020—2022年)..."),
        case(
            "咸宁新闻网讯通讯员黎星光报道:10月29日,通城县首家工业水厂——铁柱港工业水厂正式开工建设。该项目是县委、县政府为解决...",
            &[("黎星光", C, None)],
        )
        .source("咸宁新闻网")
        .rest("10月29日,通城县首家工业水厂——铁柱港工业水厂正式开工建设。该项目是县委、县政府为解决..."),
        case(
            "咸宁日报全媒体记者马丽娅、通讯员徐功频、王旦一根1.65米长的竹蔸,先剖开拉条,然后切段浸泡,再经穿孔、抛光、干燥等多个...",
            &[("马丽娅", R, Some("咸宁日报")), ("徐功频", C, None), ("王旦", C, None)],
        )
        .rest("一根1.65米长的竹蔸,先剖开拉条,然后切段浸泡,再经穿孔、抛光、干燥等多个..."),
        case(
            "10月20日,武汉新港潘湾工业园,华夏幸福嘉鱼产业新城产业园区汽车及零部件产业创新孵化基地,企业员工正在作业。咸宁日报全...",
            &[],
        ),
        case(
            "今年以来,为确保项目顺利推进,咸安区坚持“项目为王”理念,实行“一个项目、一名领导、一个专班、一套方案、一抓到底”的...",
            &[],
        ),
        case(
            "不仅连通了村组和城镇,还串起了万亩茶园等产业园区和观光点,成为咸安颇具人气的旅游“打卡地”。",
            &[],
        ),
        case("(记者叶和平 通讯员沈荣华)", &[("叶和平", R, None), ("沈荣华", C, None)]),
        case(
            "(香城都市报记者吴青朋通讯员邹太明)",
            &[("吴青朋", R, Some("香城都市报")), ("邹太明", C, None)],
        ),
        case(
            "咸宁日报全媒体记者马丽娅、通讯员徐功频、王旦",
            &[("马丽娅", R, Some("咸宁日报")), ("徐功频", C, None), ("王旦", C, None)],
        ),
        case("刘建平摄(影像咸宁)", &[("刘建平", P, None)]),
        case("咸宁新闻网讯通讯员黎星光报道", &[("黎星光", C, None)]).source("咸宁新闻网"),
        case(
            "(通讯员 夏洋 洪秀 周全)\n编辑:hefan",
            &[("夏洋", C, None), ("洪秀", C, None), ("周全", C, None)],
        )
        .editor("hefan"),
    ]
}

/// People to credit: two- and three-character names, compound surnames, names holding 文 or 图.
const NAMES: [&str; 31] = [
    "王芳",
    "李明",
    "张伟",
    "刘洋",
    "陈静",
    "杨帆",
    "黄磊",
    "赵敏",
    "周杰",
    "吴昊",
    "徐丽",
    "孙悦",
    "马丽娅",
    "叶和平",
    "沈荣华",
    "胡文静",
    "郭晓东",
    "何志刚",
    "欧阳娜娜",
    "司马光明",
    "诸葛亮平",
    "李文",
    "文小燕",
    "罗图强",
    "鲁雄峰",
    "蔡梦仙",
    "万浪沙",
    "柯常青",
    "阮小梅",
    "邹太明",
    "黎星光",
];

/// Role words with the role they give.
const ROLE_WORDS: [(&str, Role); 14] = [
    ("记者", R),
    ("全媒体记者", R),
    ("首席记者", R),
    ("见习记者", R),
    ("特约记者", R),
    ("本报记者", R),
    ("通讯员", C),
    ("特约通讯员", C),
    ("摄影", P),
    ("摄影记者", P),
    ("作者", Author),
    ("撰文", Author),
    ("翻译", Translator),
    ("编译", Translator),
];

const AFFILIATIONS: [&str; 5] = [
    "香城都市报",
    "咸宁日报",
    "嘉鱼县融媒体中心",
    "湖北日报",
    "通城县委宣传部",
];

const DATELINES: [(&str, &str); 5] = [
    ("咸宁新闻网讯", "咸宁新闻网"),
    ("本报讯", "本报"),
    ("咸宁网讯", "咸宁网"),
    ("新华社武汉4月9日电", "新华社"),
    ("中新网北京5月3日电", "中新网"),
];

/// Bodies a lead runs into.
const BODIES: [&str; 9] = [
    "5月20日，咸安区召开重点项目推进会。",
    "在嘉鱼县潘湾产业园，工人们正在紧张施工。",
    "据了解，该项目总投资5亿元。",
    "近日，嘉鱼县召开年轻干部一线锻炼专项工作推进会。",
    "10日，记者在咸嘉临港新城低碳产业园区看到，机车隆隆。",
    "今年以来，通城县坚持“项目为王”理念。",
    "一根1.65米长的竹蔸，先剖开拉条，然后切段浸泡。",
    "日前，市政府发布三年行动方案。",
    "为确保项目顺利推进，咸安区实行专班推进。",
];

/// The conventions combined, deterministically.
fn combinations() -> Vec<Case> {
    let name = |k: usize| NAMES[k % NAMES.len()];
    let role = |k: usize| ROLE_WORDS[k % ROLE_WORDS.len()];
    let mut out = Vec::new();
    for k in 0..28 {
        let (w1, r1) = role(k);
        let (w2, r2) = role(k * 5 + 3);
        let (a, b, c) = (name(k), name(k + 7), name(k + 13));
        // Closing credits in parentheses, half- and full-width, spaces between names.
        let open = if k % 2 == 0 {
            ('(', ')')
        } else {
            ('（', '）')
        };
        out.push(case(
            &format!("{}{w1} {a} {b}{}", open.0, open.1),
            &[(a, r1, None), (b, r1, None)],
        ));
        // Two roles, names glued to their role words.
        out.push(case(
            &format!("({w1}{a} {w2}{b})"),
            &[(a, r1, None), (b, r2, None)],
        ));
        // 、 and ， between names, a colon after the role word.
        out.push(case(
            &format!("{w1}：{a}、{b}，{c}"),
            &[(a, r1, None), (b, r1, None), (c, r1, None)],
        ));
        // A dateline and an affiliation, the lead running into the body.
        let (dateline, source) = DATELINES[k % DATELINES.len()];
        let aff = AFFILIATIONS[k % AFFILIATIONS.len()];
        let body = BODIES[k % BODIES.len()];
        out.push(
            case(
                &format!("{dateline}（{aff}{w1}{a} {w2}{b}）{body}"),
                &[(a, r1, Some(aff)), (b, r2, None)],
            )
            .source(source)
            .rest(body),
        );
        // No parentheses, 、 between credits, the last name running into the body.
        out.push(
            case(
                &format!("{aff}{w1}{a}、{w2}{b}、{c}{body}"),
                &[(a, r1, Some(aff)), (b, r2, None), (c, r2, None)],
            )
            .rest(body),
        );
        // 报道 after the names.
        out.push(
            case(&format!("{dateline}{w2}{c}报道：{body}"), &[(c, r2, None)])
                .source(source)
                .rest(body),
        );
        // A caption closing with its photographer.
        let mark = if k % 2 == 0 { "摄" } else { " 摄" };
        out.push(case(
            &format!("村民在嘉鱼县产业园车间纺布。{a}{mark}"),
            &[(a, P, None)],
        ));
        // Credits and the editor on their own lines.
        out.push(
            case(
                &format!(
                    "({w1} {a} {b})\n{}：{}",
                    if k % 2 == 0 { "编辑" } else { "责任编辑" },
                    name(k + 3)
                ),
                &[(a, r1, None), (b, r1, None)],
            )
            .editor(name(k + 3)),
        );
    }
    // Credits closing a paragraph on its own line.
    for k in 0..12 {
        let (w, r) = role(k * 3 + 1);
        let (a, b) = (name(k + 2), name(k + 19));
        out.push(case(
            &format!("嘉鱼县召开年轻干部一线锻炼专项工作推进会。（{w} {a} {b}）"),
            &[(a, r, None), (b, r, None)],
        ));
    }
    // Names printed with no separator between them.
    for (text, names) in [
        ("（通讯员 夏洋洪秀周全）", vec!["夏洋", "洪秀", "周全"]),
        ("（记者 王芳李明张伟）", vec!["王芳", "李明", "张伟"]),
        ("(记者叶和平沈荣华)", vec!["叶和平", "沈荣华"]),
    ] {
        let role = if text.contains("记者") { R } else { C };
        let credits: Vec<(&str, Role, Option<&str>)> =
            names.iter().map(|n| (*n, role, None)).collect();
        out.push(case(text, &credits));
    }
    // Two-character names set with a padding space.
    out.push(case(
        "（通讯员 王 芳 李 明）",
        &[("王芳", C, None), ("李明", C, None)],
    ));
    out.push(case(
        "(记者 刘 洋 通讯员 陈静)",
        &[("刘洋", R, None), ("陈静", C, None)],
    ));
    // 文/图: one person, two roles.
    out.push(case(
        "文/图 胡文静",
        &[("胡文静", Author, None), ("胡文静", P, None)],
    ));
    out.push(case(
        "图/文：郭晓东",
        &[("郭晓东", P, None), ("郭晓东", Author, None)],
    ));
    out.push(case(
        "文/记者 何志刚 图/通讯员 罗图强",
        &[
            ("何志刚", Author, None),
            ("何志刚", R, None),
            ("罗图强", P, None),
            ("罗图强", C, None),
        ],
    ));
    // Prose that credits nobody.
    for text in [
        "记者在现场看到，工人们正在紧张施工。",
        "记者了解到，今年以来嘉鱼县新签约项目30个。",
        "据记者观察，园区企业生产繁忙。",
        "通讯员们纷纷表示要写好基层故事。",
        "摄影爱好者在湖边拍下了这一幕。",
        "文化馆举办书画展览。",
        "图书馆延长了开放时间。",
        "编辑部收到读者来信。",
    ] {
        out.push(case(text, &[]));
    }
    out
}

#[test]
fn the_labelled_set_is_read_with_high_precision_and_recall() {
    let page = page();
    let all: Vec<Case> = page.iter().map(clone_case).chain(combinations()).collect();
    assert!(all.len() >= 200, "{} labelled strings", all.len());
    let (mut tp, mut fp, mut fn_) = (0usize, 0usize, 0usize);
    let mut wrong = Vec::new();
    for c in &all {
        let got = parse(&c.text);
        let got_set: HashSet<(String, Role)> = got
            .credits
            .iter()
            .map(|k| (k.name.clone(), k.role))
            .collect();
        let want_set: HashSet<(String, Role)> =
            c.credits.iter().map(|(n, r, _)| (n.clone(), *r)).collect();
        tp += got_set.intersection(&want_set).count();
        fp += got_set.difference(&want_set).count();
        fn_ += want_set.difference(&got_set).count();
        if got_set != want_set {
            wrong.push(format!("{:?}\n   got  {:?}", c.text, got.credits));
        }
    }
    let precision = tp as f64 / (tp + fp).max(1) as f64;
    let recall = tp as f64 / (tp + fn_).max(1) as f64;
    println!(
        "byline parser: {} labelled strings, {} credits; precision {:.3}, recall {:.3}",
        all.len(),
        tp + fn_,
        precision,
        recall
    );
    for w in &wrong {
        println!("  missed: {w}");
    }
    assert!(precision >= 0.98 && recall >= 0.98, "{} wrong", wrong.len());
}

fn clone_case(c: &Case) -> Case {
    Case {
        text: c.text.clone(),
        credits: c.credits.clone(),
        source: c.source.clone(),
        editor: c.editor.clone(),
        rest: c.rest.clone(),
    }
}

#[test]
fn every_string_of_the_page_is_read_exactly() {
    for c in page() {
        let got = parse(&c.text);
        let credits: Vec<(String, Role, Option<String>)> = got
            .credits
            .iter()
            .map(|k| (k.name.clone(), k.role, k.affiliation.clone()))
            .collect();
        assert_eq!(credits, c.credits, "credits of {:?}", c.text);
        assert_eq!(got.source, c.source, "source of {:?}", c.text);
        assert_eq!(got.editor, c.editor, "editor of {:?}", c.text);
        assert_eq!(got.rest, c.rest, "rest of {:?}", c.text);
    }
}
