//! The words of Chinese credit lines: role words and the titles before them, datelines,
//! organisation endings, and the surnames names start with. Data only; [`super::parse`] reads it.

use super::Role;

/// Titles printed before 记者 (`全媒体记者`, `首席记者`, …); any sequence of them.
pub const REPORTER_TITLES: [&str; 10] = [
    "全媒体",
    "融媒体",
    "首席",
    "见习",
    "特约",
    "本报",
    "特派",
    "驻站",
    "实习",
    "资深",
];

/// What a role word means: roles credited to the names after it, or the responsible editor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Meaning {
    Credit(Role),
    Editor,
}

/// Role words that stand anywhere, longest first within a shared start.
pub const ROLE_WORDS: [(&str, Meaning); 16] = [
    ("特约通讯员", Meaning::Credit(Role::Correspondent)),
    ("通讯员", Meaning::Credit(Role::Correspondent)),
    ("摄影记者", Meaning::Credit(Role::Photographer)),
    ("记者", Meaning::Credit(Role::Reporter)),
    ("实习生", Meaning::Credit(Role::Reporter)),
    ("摄影", Meaning::Credit(Role::Photographer)),
    ("图片", Meaning::Credit(Role::Photographer)),
    ("作者", Meaning::Credit(Role::Author)),
    ("撰文", Meaning::Credit(Role::Author)),
    ("文字", Meaning::Credit(Role::Author)),
    ("翻译", Meaning::Credit(Role::Translator)),
    ("编译", Meaning::Credit(Role::Translator)),
    ("责任编辑", Meaning::Editor),
    ("值班编辑", Meaning::Editor),
    ("责编", Meaning::Editor),
    ("编辑", Meaning::Editor),
];

/// One-character role words, only where a role word can stand (at the start of a credit,
/// before `/`, `·`, `:` or a space, or after `/`): elsewhere 文 and 图 are ordinary characters
/// of names and text.
pub const SHORT_ROLE_WORDS: [(char, Role); 2] = [('文', Role::Author), ('图', Role::Photographer)];

/// Printed after a name: the credit is the photographer's (`刘建平摄`).
pub const PHOTO_MARK: char = '摄';

/// Printed after the names of a lead's credits (`记者周荣华报道：`).
pub const REPORTED: &str = "报道";

/// News agencies whose datelines end in 电 (`新华社武汉4月9日电`).
pub const AGENCIES: [&str; 12] = [
    "新华社",
    "中新社",
    "中国新闻社",
    "中新网",
    "人民网",
    "新华网",
    "央视网",
    "央广网",
    "人民日报",
    "光明日报",
    "经济日报",
    "湖北日报",
];

/// Last characters of a publication's name before 讯 or 电 (`咸宁新闻网讯`, `本报讯`).
pub const PUBLICATION_ENDINGS: [char; 6] = ['网', '报', '台', '社', '站', '刊'];

/// Endings that make a run of text an organisation, not a person (`咸宁日报`, `县委宣传部`).
pub const ORGANISATION_ENDINGS: [&str; 36] = [
    "报", "网", "台", "社", "站", "刊", "部", "局", "委", "办", "厅", "处", "科", "所", "院", "队",
    "馆", "会", "中心", "公司", "集团", "学校", "大学", "学院", "医院", "镇", "乡", "村", "县",
    "市", "区", "州", "省", "街道", "社区", "频道",
];

/// Two-character surnames (复姓).
pub const COMPOUND_SURNAMES: [&str; 30] = [
    "欧阳", "司马", "诸葛", "上官", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐", "长孙", "宇文",
    "司徒", "夏侯", "轩辕", "端木", "独孤", "南宫", "西门", "百里", "呼延", "澹台", "公冶", "太史",
    "申屠", "闻人", "濮阳", "钟离", "万俟", "第五",
];

/// The commonest surnames, most frequent first (about nine in ten people bear one of the first
/// hundred).
pub const COMMON_SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤";

/// Less common surnames, still met in county news.
pub const OTHER_SURNAMES: &str = "洪阎凤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐冀郁胥南班储原栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊乌母裘亓修邰赫杭况那宿鲜印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧闭由";

/// Characters of ordinary text that given names almost never hold: a name that would end in
/// one (`李文为…`) more likely stops before it.
pub const NOT_IN_GIVEN_NAMES: &str =
    "的了在是为与及对从向把被将于以等也都就还又而并但却说到这那其之所近今昨据";

/// How likely a name is to start with `surname`: 1 for the commonest, down to 0 for a character
/// that is no surname.
pub fn surname_weight(surname: &str) -> f64 {
    if COMPOUND_SURNAMES.contains(&surname) {
        return 0.9;
    }
    let mut chars = surname.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else {
        return 0.0;
    };
    if let Some(rank) = COMMON_SURNAMES.chars().position(|s| s == c) {
        // The first ten are a third of the population; the hundredth is still common.
        return 1.0 - (rank as f64) / 250.0;
    }
    if OTHER_SURNAMES.contains(c) {
        0.35
    } else {
        0.0
    }
}

/// Whether `text` reads as an organisation (`咸宁日报`, `嘉鱼县委宣传部`) rather than a person.
pub fn is_organisation(text: &str) -> bool {
    let n = text.chars().count();
    n >= 2 && ORGANISATION_ENDINGS.iter().any(|e| text.ends_with(e))
}

/// Whether `c` is a Chinese character.
pub fn is_han(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}
