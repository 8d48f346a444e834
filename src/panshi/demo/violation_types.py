"""Violation types per sector: 违法行为类型, 违法事实 templates, 处罚依据 and typical penalties."""

from __future__ import annotations

from typing import Final

from panshi.demo.catalogue import ANYONE, PEOPLE, SAFETY_PUBLICITY, Violation
from panshi.demo.words import BUSINESS_SECTORS

_FOOD_SELLERS = frozenset({"food", "retail", "hospitality"})
_INDUSTRY = frozenset({"manufacturing", "mining", "energy", "chemical"})
_BUILDERS = frozenset({"construction", "realestate"})
_VENUES = frozenset({"food", "hospitality", "entertainment", "retail", "hygiene"})
_FOODS = (
    "散装白酒",
    "鲜猪肉",
    "豆芽",
    "韭菜",
    "大米",
    "散装豆腐",
    "糕点",
    "熟肉制品",
    "酱腌菜",
    "芹菜",
    "鲜鸡蛋",
)
_PROJECTS = (
    "年产5万吨有机肥",
    "年加工10万吨玉米",
    "商砼搅拌站",
    "食用菌深加工",
    "人参精深加工",
    "肉牛屠宰加工",
    "废旧轮胎综合利用",
    "建筑垃圾资源化利用",
)
_BUILDINGS = ("锦绣华庭", "御景园", "福安小区", "阳光嘉园", "明城镇中心幼儿园", "东宁商业综合体", "滨河新城")

MARKET: Final = (
    Violation(
        type="经营不符合食品安全标准的食品",
        facts=(
            "当事人于{when}在其经营场所销售的{food}，经{lab}抽样检验，{item}项目不符合食品安全标准，"
            "货值金额{money}元。",
            "经查，当事人经营的{food}经监督抽检{item}不合格，当事人未能提供进货查验记录，"
            "涉案货值{money}元，违法所得{gain}元。",
        ),
        basis="《中华人民共和国食品安全法》第一百二十四条第一款",
        penalties=(
            ("罚款;没收违法所得", 5),
            ("罚款;没收违法所得;没收非法财物", 3),
            ("警告;罚款", 1),
            ("罚款;没收违法所得;吊销许可证件", 1),
        ),
        fine=(5.0, 10.0),
        sectors=_FOOD_SELLERS,
        license="食品经营许可证",
        seized="涉案食品",
        money=(200, 9000),
        fills={
            "food": _FOODS,
            "item": (
                "铅（以Pb计）",
                "菌落总数",
                "大肠菌群",
                "甲醇",
                "毒死蜱",
                "苯甲酸及其钠盐",
                "亚硝酸盐",
                "恩诺沙星",
            ),
            "lab": ("吉林省产品质量监督检验院", "吉林市食品检验检测中心", "委托检验机构"),
        },
        weight=4,
    ),
    Violation(
        type="经营标签不符合规定的预包装食品",
        facts=(
            "当事人销售的{food2}标签未标注{label}，违反了《中华人民共和国食品安全法》第六十七条的规定，"
            "货值金额{money}元。",
        ),
        basis="《中华人民共和国食品安全法》第一百二十五条第一款第二项",
        penalties=(("罚款;没收违法所得", 3), ("罚款", 3), ("警告", 1)),
        fine=(0.5, 2.0),
        sectors=_FOOD_SELLERS,
        money=(100, 3000),
        fills={
            "food2": ("蜂蜜", "人参饮品", "黏豆包", "五谷杂粮礼盒", "山野菜罐头", "白酒"),
            "label": ("生产日期", "生产者名称和地址", "贮存条件", "食品生产许可证编号", "配料表"),
        },
        weight=3,
    ),
    Violation(
        type="虚假商业宣传",
        facts=("当事人在{channel}发布宣传内容，宣称其{product}{claim}，经查无事实依据，构成虚假商业宣传。",),
        basis="《中华人民共和国反不正当竞争法》第二十条第一款",
        penalties=(("罚款", 1),),
        fine=(2.0, 20.0),
        sectors=BUSINESS_SECTORS,
        fills={
            "channel": ("微信公众号", "门店宣传海报", "短视频平台账号", "宣传单页", "户外广告牌"),
            "product": ("保健食品", "净水器", "人参制品", "培训课程", "商品房", "农资产品"),
            "claim": ("具有治疗高血压功效", "销量全省第一", "获得国家专利", "无效全额退款", "采用进口原料"),
        },
    ),
    Violation(
        type="不按规定明码标价",
        facts=(
            "执法人员检查发现，当事人经营场所内{qty}种商品未按规定明码标价，"
            "违反了《中华人民共和国价格法》第十三条第一款的规定。",
        ),
        basis="《明码标价和禁止价格欺诈规定》第二十一条",
        penalties=(("警告", 2), ("罚款", 2)),
        fine=(0.05, 0.5),
        sectors=_FOOD_SELLERS | {"medical", "agri_input"},
        weight=3,
    ),
    Violation(
        type="使用未经定期检验的特种设备",
        facts=("当事人使用的{equip}（设备代码{devcode}）超过检验有效期仍在使用，未按规定申报定期检验。",),
        basis="《中华人民共和国特种设备安全法》第八十四条第一项",
        penalties=(("罚款", 3), ("罚款;其他", 1)),
        fine=(3.0, 10.0),
        sectors=_INDUSTRY | {"realestate", "hospitality", "food"},
        other="责令停止使用有关特种设备",
        fills={
            "equip": ("乘客电梯", "燃煤蒸汽锅炉", "桥式起重机", "叉车", "压力容器", "液化石油气储罐"),
            "devcode": ("3110220284", "2110220284", "4170220284", "5110220284"),
        },
        publicity_days=SAFETY_PUBLICITY,
    ),
    Violation(
        type="从事无照经营",
        facts=("当事人未依法取得营业执照，擅自在{place}从事{trade}经营活动，违法所得{gain}元。",),
        basis="《无证无照经营查处办法》第十三条",
        penalties=(("罚款;没收违法所得", 2), ("罚款", 2)),
        fine=(0.1, 1.0),
        kinds=PEOPLE,
        fills={"trade": ("烧烤", "废品收购", "农资销售", "二手车销售", "蔬菜批发", "汽车美容")},
        weight=2,
    ),
    Violation(
        type="销售侵犯注册商标专用权的商品",
        facts=(
            "当事人销售的{brand}共计{qty}件，经商标权利人鉴定为侵犯注册商标专用权的商品，货值金额{money}元。",
        ),
        basis="《中华人民共和国商标法》第六十条第二款",
        penalties=(("没收非法财物;罚款", 1),),
        fine=(0.5, 5.0),
        sectors=frozenset({"retail", "food"}),
        seized="侵权商品",
        fills={
            "brand": (
                "标有“五粮液”商标的白酒",
                "标有“耐克”商标的运动鞋",
                "标有“海飞丝”商标的洗发水",
                "标有“米其林”商标的轮胎",
                "标有“公牛”商标的插线板",
            )
        },
    ),
)

TAX: Final = (
    Violation(
        type="未按照规定期限办理纳税申报和报送纳税资料",
        facts=(
            "当事人未按照规定期限办理{period}{tax}纳税申报，违反了《中华人民共和国税收征收管理法》第二十五条第一款的规定。",
            "当事人{period}{tax}申报期限届满后逾期{qty}日办理申报，未按照规定期限报送纳税资料。",
        ),
        basis="《中华人民共和国税收征收管理法》第六十二条",
        penalties=(("罚款", 1),),
        fine=(0.005, 0.2),
        fills={
            "tax": ("增值税", "个人所得税（代扣代缴）", "企业所得税", "城市维护建设税", "印花税", "房产税")
        },
        weight=10,
    ),
    Violation(
        type="丢失发票",
        facts=("当事人丢失已开具的{invoice}{qty}份，未按规定期限向税务机关报告。",),
        basis="《中华人民共和国发票管理办法》第三十五条",
        penalties=(("罚款", 1),),
        fine=(0.01, 1.0),
        fills={"invoice": ("增值税专用发票", "增值税普通发票", "机动车销售统一发票")},
        weight=3,
    ),
    Violation(
        type="偷税",
        facts=("当事人{lastyear}年度采取{method}方式少缴{tax}{money}元，经检查核实构成偷税。",),
        basis="《中华人民共和国税收征收管理法》第六十三条第一款",
        penalties=(("罚款", 1),),
        fine=(1.0, 80.0),
        kinds=frozenset({"legal_entity"}),
        money=(20000, 1600000),
        sectors=BUSINESS_SECTORS,
        fills={
            "method": ("账外经营", "隐匿销售收入", "虚列成本费用", "取得虚开发票入账"),
            "tax": ("增值税", "企业所得税", "个人所得税"),
        },
        publicity_days=(365, 730, 1095),
    ),
    Violation(
        type="未按照规定办理税务登记变更",
        facts=("当事人{when}变更{change}后，未按照规定期限向税务机关办理变更登记。",),
        basis="《中华人民共和国税收征收管理法》第六十条第一款第一项",
        penalties=(("罚款", 1),),
        fine=(0.02, 0.2),
        fills={"change": ("法定代表人", "注册地址", "经营范围", "银行账户")},
        weight=2,
    ),
    Violation(
        type="虚开发票",
        facts=("当事人在没有真实交易的情况下，为他人开具{invoice}{qty}份，价税合计{money}元。",),
        basis="《中华人民共和国发票管理办法》第三十七条第一款",
        penalties=(("没收违法所得;罚款", 1),),
        fine=(5.0, 50.0),
        confiscation=(0.5, 20.0),
        kinds=frozenset({"legal_entity"}),
        money=(100000, 5000000),
        sectors=BUSINESS_SECTORS,
        fills={"invoice": ("增值税专用发票", "增值税普通发票")},
        publicity_days=(365, 730, 1095),
    ),
)

ENVIRONMENT: Final = (
    Violation(
        type="超标排放大气污染物",
        facts=(
            "经{monitor}监测，当事人{source}排放的{pollutant}浓度为{conc}毫克/立方米，超过{standard}规定的排放限值。",
        ),
        basis="《中华人民共和国大气污染防治法》第九十九条第二项",
        penalties=(("罚款", 3), ("限制开展生产经营活动;罚款", 1), ("责令停产停业;罚款", 1)),
        fine=(10.0, 60.0),
        sectors=_INDUSTRY | {"agriculture"},
        fills={
            "monitor": ("吉林市生态环境监测站", "在线监控设备", "执法监测"),
            "source": ("燃煤锅炉", "烘干塔", "破碎生产线", "喷涂车间"),
            "pollutant": ("颗粒物", "二氧化硫", "氮氧化物", "挥发性有机物"),
            "conc": ("86", "152", "413", "67.5", "231", "98.2"),
            "standard": (
                "《锅炉大气污染物排放标准》（GB 13271-2014）",
                "《大气污染物综合排放标准》（GB 16297-1996）",
            ),
        },
        weight=3,
    ),
    Violation(
        type="建设项目环境影响评价文件未经批准擅自开工建设",
        facts=("当事人{project}项目未依法报批环境影响报告表，擅自于{when}开工建设，项目总投资{money}元。",),
        basis="《中华人民共和国环境影响评价法》第三十一条第一款",
        penalties=(("罚款", 1),),
        fine=(1.0, 20.0),
        sectors=_INDUSTRY | {"agriculture", "food"},
        money=(500000, 20000000),
        fills={"project": _PROJECTS},
        weight=2,
    ),
    Violation(
        type="未取得排污许可证排放污染物",
        facts=("当事人属于排污许可重点管理单位，未依法取得排污许可证，自{when}起排放{effluent}。",),
        basis="《排污许可管理条例》第三十三条第一项",
        penalties=(("罚款", 2), ("责令停产停业;罚款", 1)),
        fine=(20.0, 50.0),
        sectors=_INDUSTRY,
        fills={"effluent": ("生产废水", "锅炉废气", "含尘废气", "恶臭气体")},
    ),
    Violation(
        type="未按照国家有关规定贮存危险废物",
        facts=("当事人将生产过程中产生的{waste}约{qty}吨露天堆放，未按照国家有关规定贮存危险废物。",),
        basis="《中华人民共和国固体废物污染环境防治法》第一百一十二条第一款第六项",
        penalties=(("罚款", 1),),
        fine=(10.0, 30.0),
        sectors=_INDUSTRY | {"services", "medical", "public_medical"},
        fills={"waste": ("废矿物油", "废铅蓄电池", "废活性炭", "含油抹布", "废油漆桶")},
    ),
    Violation(
        type="露天焚烧秸秆",
        facts=("当事人于{when}在{village}耕地内露天焚烧{straw}，造成大气污染。",),
        basis="《中华人民共和国大气污染防治法》第一百一十九条第一款",
        penalties=(("罚款", 1),),
        fine=(0.05, 0.2),
        kinds=PEOPLE,
        fills={"straw": ("玉米秸秆", "水稻秸秆", "大豆秸秆")},
        weight=3,
    ),
)

SAFETY: Final = (
    Violation(
        type="未按照规定对从业人员进行安全生产教育和培训",
        facts=(
            "当事人未按照规定对{qty}名{worker}进行安全生产教育和培训，未如实记录安全生产教育和培训情况。",
        ),
        basis="《中华人民共和国安全生产法》第九十七条第三项",
        penalties=(("罚款", 3), ("警告;罚款", 1)),
        fine=(0.5, 5.0),
        sectors=_INDUSTRY | _BUILDERS | {"transport", "agri_input"},
        fills={
            "worker": ("新入职从业人员", "叉车作业人员", "危险化学品装卸人员", "井下作业人员", "电焊作业人员")
        },
        weight=3,
    ),
    Violation(
        type="未采取措施消除事故隐患",
        facts=("执法检查发现当事人{hazard}，经责令限期整改，逾期未采取措施消除事故隐患。",),
        basis="《中华人民共和国安全生产法》第一百零二条",
        penalties=(("罚款", 2), ("责令停产停业;罚款", 1)),
        fine=(5.0, 10.0),
        sectors=_INDUSTRY | {"agriculture", "food"},
        fills={
            "hazard": (
                "粉尘涉爆车间除尘系统未设置泄爆装置",
                "有限空间作业未配备气体检测设备",
                "液氨储罐区未设置有毒气体报警装置",
                "配电箱未安装漏电保护装置",
                "尾矿库排洪设施未按设计施工",
            )
        },
        weight=2,
    ),
    Violation(
        type="未取得危险化学品经营许可证经营危险化学品",
        facts=("当事人未取得危险化学品经营许可证，擅自经营{chemical}，违法所得{gain}元。",),
        basis="《危险化学品安全管理条例》第七十七条第三款",
        penalties=(("没收违法所得;没收非法财物;罚款", 1), ("没收非法财物;罚款", 1)),
        fine=(10.0, 20.0),
        sectors=frozenset({"chemical", "energy", "retail", "agri_input"}),
        seized="违法经营的危险化学品",
        fills={"chemical": ("工业酒精", "液化石油气", "硫酸", "油漆稀释剂", "汽油")},
    ),
    Violation(
        type="未取得烟花爆竹零售许可证经营烟花爆竹",
        facts=("当事人未取得烟花爆竹零售许可证，于{when}在{place}擅自销售烟花爆竹{qty}箱。",),
        basis="《烟花爆竹安全管理条例》第三十六条第二款",
        penalties=(("没收非法财物;罚款", 1),),
        fine=(0.1, 0.5),
        kinds=frozenset({"individual_business", "natural_person"}),
        seized="非法经营的烟花爆竹",
        weight=2,
    ),
    Violation(
        type="未按照规定配备专职安全生产管理人员",
        facts=(
            "当事人从业人员{qty}人，属于{trade}，未按照规定设置安全生产管理机构或配备专职安全生产管理人员。",
        ),
        basis="《中华人民共和国安全生产法》第九十七条第一项",
        penalties=(("罚款", 1),),
        fine=(1.0, 5.0),
        sectors=frozenset({"mining", "chemical", "construction", "energy"}),
        fills={"trade": ("矿山企业", "危险化学品经营单位", "建筑施工单位", "金属冶炼单位")},
    ),
)

HOUSING: Final = (
    Violation(
        type="未取得施工许可证擅自施工",
        facts=(
            "当事人建设的{building}项目（建筑面积{area}平方米）未取得建筑工程施工许可证，于{when}擅自开工建设。",
        ),
        basis="《建筑工程施工许可管理办法》第十二条",
        penalties=(("罚款", 1),),
        fine=(1.0, 20.0),
        sectors=_BUILDERS | {"manufacturing"},
        fills={"building": _BUILDINGS},
        weight=2,
    ),
    Violation(
        type="违反工程建设强制性标准",
        facts=("当事人承建的{building}项目{defect}，违反工程建设强制性标准。",),
        basis="《建设工程质量管理条例》第六十四条",
        penalties=(("罚款", 2), ("罚款;降低资质等级", 1), ("责令停产停业;罚款", 1)),
        fine=(5.0, 50.0),
        sectors=frozenset({"construction"}),
        license="建筑业企业资质证书",
        fills={
            "building": _BUILDINGS,
            "defect": (
                "混凝土强度检测不合格",
                "钢筋保护层厚度不符合设计要求",
                "未按规定使用合格防水材料",
                "外墙保温材料燃烧性能不达标",
            ),
        },
    ),
    Violation(
        type="施工工地未采取扬尘污染防治措施",
        facts=("当事人在{building}项目施工现场{dust}，造成扬尘污染。",),
        basis="《中华人民共和国大气污染防治法》第一百一十五条第一款",
        penalties=(("罚款", 1),),
        fine=(1.0, 10.0),
        sectors=_BUILDERS,
        fills={
            "building": _BUILDINGS,
            "dust": ("未对裸露土方进行覆盖", "未设置车辆冲洗设施", "未采取湿法作业", "渣土运输车辆未密闭"),
        },
        weight=2,
    ),
    Violation(
        type="未取得商品房预售许可证预售商品房",
        facts=(
            "当事人开发的{building}项目在未取得商品房预售许可证的情况下，以收取{deposit}方式预售商品房{qty}套。",
        ),
        basis="《城市商品房预售管理办法》第十五条",
        penalties=(("没收违法所得;罚款", 1), ("罚款", 1)),
        fine=(1.0, 3.0),
        confiscation=(5.0, 60.0),
        sectors=frozenset({"realestate"}),
        fills={"building": _BUILDINGS, "deposit": ("定金", "诚意金", "认筹金")},
    ),
)

TRANSPORT: Final = (
    Violation(
        type="车辆超限运输",
        facts=(
            "当事人所属{plate}号{truck}于{when}在{highway}行驶，经检测车货总质量{tonnes}吨，超过规定限值。",
        ),
        basis="《公路安全保护条例》第六十四条",
        penalties=(("罚款", 1),),
        fine=(0.05, 3.0),
        kinds=ANYONE,
        sectors=frozenset({"transport", "mining", "construction", "agriculture", "person"}),
        fills={
            "truck": ("重型半挂牵引车", "重型自卸货车", "中型厢式货车"),
            "highway": ("国道G202线磐石段", "省道S206线", "吉草高速磐石出口", "县道X015线"),
            "tonnes": ("55.3", "61.8", "72.4", "49.6", "58.1", "83.0"),
        },
        weight=5,
    ),
    Violation(
        type="未取得道路运输经营许可擅自从事道路运输经营",
        facts=(
            "当事人驾驶{plate}号小型轿车，未取得道路运输经营许可，擅自从事道路旅客运输经营，"
            "从{origin}载客至{destination}，收取费用{fare}元。",
            "当事人未取得道路运输经营许可，使用{plate}号货车擅自从事道路普通货物运输经营，运费{money}元。",
        ),
        basis="《中华人民共和国道路运输条例》第六十三条",
        penalties=(("罚款", 2), ("没收违法所得;罚款", 1)),
        fine=(0.3, 1.0),
        confiscation=(0.005, 0.3),
        kinds=ANYONE,
        sectors=frozenset({"transport", "person"}),
        money=(300, 3000),
        fills={
            "origin": ("磐石市客运站", "明城镇", "烟筒山镇", "红旗岭镇"),
            "destination": ("吉林市火车站", "长春龙嘉机场", "吉林北山", "辽源市"),
            "fare": ("30", "50", "80", "120", "150"),
        },
        weight=3,
    ),
    Violation(
        type="未取得从业资格证从事道路运输经营",
        facts=("当事人未取得道路运输从业资格证，于{when}驾驶{plate}号营运货车从事道路货物运输。",),
        basis="《中华人民共和国道路运输条例》第六十四条",
        penalties=(("罚款", 1),),
        fine=(0.02, 0.2),
        kinds=PEOPLE,
        weight=2,
    ),
    Violation(
        type="道路运输车辆未按规定进行年度审验",
        facts=("当事人所属{plate}号营运车辆道路运输证有效期届满，未按规定进行年度审验仍从事营运。",),
        basis="《道路运输车辆技术管理规定》第三十一条",
        penalties=(("罚款", 2), ("警告", 1), ("罚款;暂扣许可证件", 1)),
        fine=(0.1, 0.3),
        sectors=frozenset({"transport"}),
        license="道路运输证",
    ),
)

HEALTH: Final = (
    Violation(
        type="公共场所未取得卫生许可证擅自营业",
        facts=("当事人经营的{venue}未依法取得公共场所卫生许可证，擅自营业，营业面积约{area}平方米。",),
        basis="《公共场所卫生管理条例实施细则》第三十五条第一款",
        penalties=(("警告", 2), ("警告;罚款", 2)),
        fine=(0.05, 3.0),
        sectors=frozenset({"hygiene", "hospitality"}),
        fills={"venue": ("洗浴中心", "美发店", "宾馆", "足疗店", "游泳馆")},
        weight=3,
    ),
    Violation(
        type="安排未取得有效健康合格证明的从业人员从事直接为顾客服务的工作",
        facts=("当事人安排{few}名未取得有效健康合格证明的从业人员从事直接为顾客服务的工作。",),
        basis="《公共场所卫生管理条例实施细则》第三十八条",
        penalties=(("警告", 2), ("罚款", 2), ("通报批评", 1)),
        fine=(0.05, 0.5),
        sectors=frozenset({"hygiene", "hospitality"}),
        weight=2,
    ),
    Violation(
        type="非医师行医",
        facts=(
            "当事人未取得医师资格及医疗机构执业许可证，在{place}擅自开展{therapy}等诊疗活动，违法所得{gain}元。",
        ),
        basis="《中华人民共和国医师法》第五十九条",
        penalties=(("没收违法所得;没收非法财物;罚款", 1),),
        fine=(1.0, 5.0),
        kinds=PEOPLE,
        seized="药品和医疗器械",
        fills={"therapy": ("静脉输液", "针灸", "拔牙", "推拿治疗")},
    ),
    Violation(
        type="医疗机构使用非卫生技术人员从事医疗卫生技术工作",
        facts=("经查，当事人自{when}起聘用未取得{qualification}的人员{person}在本机构从事{work}工作。",),
        basis="《医疗机构管理条例》第四十七条",
        penalties=(("罚款", 2), ("警告;罚款", 1)),
        fine=(0.5, 5.0),
        sectors=frozenset({"medical", "public_medical"}),
        fills={
            "qualification": ("护士执业证书", "医师执业证书", "药学专业技术职务任职资格"),
            "work": ("护理", "检验", "药品调剂", "诊疗"),
        },
    ),
    Violation(
        type="未按规定分类收集医疗废物",
        facts=("当事人未将医疗废物按照类别分置于专用包装物或者容器内，{detail}。",),
        basis="《医疗废物管理条例》第四十六条第一项",
        penalties=(("警告", 1), ("警告;罚款", 2)),
        fine=(0.5, 1.0),
        sectors=frozenset({"medical", "public_medical"}),
        fills={
            "detail": (
                "感染性废物与生活垃圾混放",
                "损伤性废物未使用利器盒收集",
                "医疗废物暂时贮存场所未设置警示标识",
            )
        },
    ),
)

FIRE: Final = (
    Violation(
        type="消防设施、器材配置不符合标准或者未保持完好有效",
        facts=("当事人经营场所{facility}，不符合国家标准、行业标准，未保持完好有效。",),
        basis="《中华人民共和国消防法》第六十条第一款第一项",
        penalties=(("罚款", 1),),
        fine=(0.5, 5.0),
        fills={
            "facility": (
                "室内消火栓无水",
                "火灾自动报警系统处于故障状态",
                "灭火器压力不足",
                "应急照明灯损坏",
                "自动喷水灭火系统未保持完好有效",
            )
        },
        weight=4,
    ),
    Violation(
        type="占用、堵塞、封闭疏散通道、安全出口",
        facts=("执法人员检查发现，当事人{area}平方米的经营场所内{exit}被{blocked}。",),
        basis="《中华人民共和国消防法》第六十条第一款第三项",
        penalties=(("罚款", 1),),
        fine=(0.5, 5.0),
        sectors=_VENUES | {"manufacturing"},
        fills={
            "exit": ("二楼疏散楼梯", "东侧安全出口", "疏散通道", "后门安全出口"),
            "blocked": ("堆放货物占用", "上锁封闭", "杂物堵塞"),
        },
        weight=3,
    ),
    Violation(
        type="公众聚集场所未经消防安全检查擅自投入使用、营业",
        facts=("当事人经营的{venue}属于公众聚集场所，未经消防救援机构许可，擅自于{when}投入使用、营业。",),
        basis="《中华人民共和国消防法》第五十八条第一款第四项",
        penalties=(("责令停产停业;罚款", 2), ("罚款", 1)),
        fine=(3.0, 30.0),
        sectors=_VENUES,
        fills={"venue": ("KTV", "洗浴中心", "宾馆", "超市", "饭店", "网吧")},
    ),
    Violation(
        type="占用防火间距、埋压圈占消火栓",
        facts=("当事人在{place}{act}，经责令改正拒不改正。",),
        basis="《中华人民共和国消防法》第六十条第二款",
        penalties=(("警告", 2), ("罚款", 1)),
        fine=(0.01, 0.05),
        kinds=PEOPLE,
        fills={"act": ("堆放杂物占用防火间距", "搭建彩钢板房埋压室外消火栓", "将车辆停放在消防车通道上")},
        weight=2,
    ),
    Violation(
        type="电器产品、燃气用具的安装、使用不符合消防技术标准",
        facts=("当事人经营场所内{appliance}，违反消防技术标准和管理规定，逾期未改正。",),
        basis="《中华人民共和国消防法》第六十六条",
        penalties=(("罚款", 1),),
        fine=(0.1, 0.5),
        sectors=_VENUES,
        fills={
            "appliance": (
                "电气线路未穿管保护",
                "液化石油气钢瓶与灶具距离不足",
                "私拉乱接电线",
                "使用大功率电器",
            )
        },
    ),
)

LAND: Final = (
    Violation(
        type="未经批准非法占用土地",
        facts=("当事人未经批准，于{when}擅自占用{village}集体土地{area}平方米建设{structure}。",),
        basis="《中华人民共和国土地管理法》第七十七条第一款",
        penalties=(("没收非法财物;罚款", 1), ("其他;罚款", 2)),
        fine=(0.5, 30.0),
        kinds=ANYONE,
        seized="在非法占用的土地上新建的建筑物和其他设施",
        other="责令退还非法占用的土地，限期拆除新建的建筑物和其他设施",
        fills={"structure": ("厂房", "仓库", "住宅", "养殖场舍", "停车场")},
        weight=3,
    ),
    Violation(
        type="未取得采矿许可证擅自采矿",
        facts=("当事人未取得采矿许可证，在{river}擅自开采{mineral}约{qty}00立方米，违法所得{gain}元。",),
        basis="《中华人民共和国矿产资源法》第三十九条第一款",
        penalties=(("没收违法所得;罚款", 2), ("没收违法所得;没收非法财物;罚款", 1)),
        fine=(0.5, 20.0),
        kinds=ANYONE,
        sectors=frozenset({"mining", "construction", "person"}),
        seized="采矿设备",
        fills={
            "river": ("饮马河磐石段", "取柴河", "石嘴河"),
            "mineral": ("建筑用砂", "河卵石", "建筑用石料"),
        },
        weight=2,
    ),
    Violation(
        type="滥伐林木",
        facts=(
            "当事人未取得林木采伐许可证，于{when}在{village}林地内擅自采伐{tree}{qty}株，立木蓄积{volume}立方米。",
        ),
        basis="《中华人民共和国森林法》第七十六条第二款",
        penalties=(("罚款;其他", 1),),
        fine=(0.1, 5.0),
        kinds=ANYONE,
        sectors=frozenset({"agriculture", "manufacturing", "person"}),
        other="责令在原地或者异地补种滥伐株数三倍的树木",
        fills={
            "tree": ("落叶松", "杨树", "柞树", "红松"),
            "volume": ("3.26", "8.71", "12.4", "5.05", "21.9"),
        },
        weight=2,
    ),
    Violation(
        type="未取得建设工程规划许可证进行建设",
        facts=(
            "当事人未取得建设工程规划许可证，于{when}在{place}擅自建设{structure}，建筑面积{area}平方米。",
        ),
        basis="《中华人民共和国城乡规划法》第六十四条",
        penalties=(("罚款", 2), ("罚款;其他", 1)),
        fine=(1.0, 30.0),
        kinds=frozenset({"legal_entity"}),
        sectors=_BUILDERS | {"manufacturing", "retail"},
        other="限期改正",
        fills={"structure": ("办公楼", "厂房", "商业用房", "仓库")},
    ),
)

AGRICULTURE: Final = (
    Violation(
        type="经营假农药",
        facts=(
            "当事人经营的{pesticide}经检验有效成分含量为标明含量的{pct}%，依法认定为假农药，货值金额{money}元。",
        ),
        basis="《农药管理条例》第五十五条第一款",
        penalties=(("没收违法所得;没收非法财物;罚款", 2), ("没收非法财物;罚款", 1)),
        fine=(0.5, 5.0),
        sectors=frozenset({"agri_input"}),
        seized="假农药",
        money=(300, 9000),
        fills={
            "pesticide": ("草甘膦水剂", "莠去津悬浮剂", "烟嘧磺隆可分散油悬浮剂", "吡虫啉可湿性粉剂"),
            "pct": ("21.3", "48.6", "12.0", "35.7"),
        },
        weight=2,
    ),
    Violation(
        type="经营假劣种子",
        facts=("当事人销售的{crop}种子经检验{flaw}，货值金额{money}元。",),
        basis="《中华人民共和国种子法》第七十五条第一款",
        penalties=(("没收违法所得;没收非法财物;罚款", 1),),
        fine=(2.0, 20.0),
        sectors=frozenset({"agri_input"}),
        seized="违法经营的种子",
        money=(1000, 19000),
        fills={
            "crop": ("玉米", "水稻", "大豆"),
            "flaw": ("发芽率低于国家标准", "品种真实性检测不符", "净度不合格"),
        },
    ),
    Violation(
        type="经营依法应当检疫而未经检疫的动物产品",
        facts=("当事人经营的{meat}约{qty}公斤未附有动物检疫证明，未经检疫。",),
        basis="《中华人民共和国动物防疫法》第一百条第一款",
        penalties=(("没收非法财物;罚款", 1),),
        fine=(0.1, 2.0),
        kinds=ANYONE,
        sectors=frozenset({"food", "agriculture", "retail", "person"}),
        seized="未经检疫的动物产品",
        fills={"meat": ("猪肉", "牛肉", "羊肉", "鸡肉")},
        weight=2,
    ),
    Violation(
        type="使用电鱼方法进行捕捞",
        facts=("当事人于{when}在{river}使用电鱼器具进行捕捞，捕获渔获物约{qty}公斤。",),
        basis="《中华人民共和国渔业法》第三十八条第一款",
        penalties=(("没收非法财物;罚款", 1),),
        fine=(0.05, 0.5),
        kinds=PEOPLE,
        seized="渔获物及电鱼器具",
        fills={"river": ("饮马河磐石段", "取柴河", "黄河水库", "石嘴河")},
        weight=2,
    ),
    Violation(
        type="经营劣兽药",
        facts=("当事人经营的{drug}经检验{flaw}，依法按劣兽药论处，货值金额{money}元。",),
        basis="《兽药管理条例》第五十六条第一款",
        penalties=(("没收违法所得;没收非法财物;罚款", 1),),
        fine=(0.5, 5.0),
        sectors=frozenset({"agri_input", "agriculture"}),
        seized="劣兽药",
        money=(300, 9000),
        fills={
            "drug": ("恩诺沙星注射液", "阿莫西林可溶性粉", "伊维菌素注射液"),
            "flaw": ("含量测定不符合规定", "性状不符合规定", "无菌检查不合格"),
        },
    ),
)

LABOUR: Final = (
    Violation(
        type="违反规定延长劳动者工作时间",
        facts=("当事人安排{qty}名劳动者每日工作{hours}小时，超过法定工作时间且未依法支付加班工资。",),
        basis="《劳动保障监察条例》第二十五条",
        penalties=(("警告;罚款", 2), ("警告", 1)),
        fine=(0.1, 1.0),
        fills={"hours": ("10", "11", "12", "13")},
        weight=2,
    ),
    Violation(
        type="非法使用童工",
        facts=("当事人招用{few}名未满十六周岁的未成年人从事{job}工作，使用期间共计{months}个月。",),
        basis="《禁止使用童工规定》第六条第一款",
        penalties=(("罚款", 1),),
        fine=(0.5, 2.0),
        sectors=frozenset({"food", "manufacturing", "hospitality", "retail"}),
        fills={"job": ("服务员", "包装", "搬运", "洗碗"), "months": ("1", "2", "3", "4")},
    ),
    Violation(
        type="用人单位未按时足额缴纳社会保险费",
        facts=(
            "当事人未按时足额为{qty}名职工缴纳社会保险费，欠缴金额{money}元，经责令限期缴纳后逾期仍不缴纳。",
        ),
        basis="《中华人民共和国社会保险法》第八十六条",
        penalties=(("罚款", 1),),
        fine=(0.5, 10.0),
        kinds=frozenset({"legal_entity"}),
        money=(10000, 300000),
        weight=2,
    ),
    Violation(
        type="骗取社会保险待遇",
        facts=("当事人通过{fraud}方式骗取{benefit}共计{money}元。",),
        basis="《中华人民共和国社会保险法》第八十八条",
        penalties=(("罚款;其他", 1),),
        fine=(0.5, 5.0),
        kinds=PEOPLE,
        other="责令退回骗取的社会保险金",
        money=(3000, 60000),
        fills={
            "fraud": ("隐瞒已死亡亲属信息", "伪造劳动关系证明", "隐瞒再就业情况"),
            "benefit": ("基本养老保险待遇", "失业保险金", "工伤保险待遇"),
        },
    ),
    Violation(
        type="未经许可擅自经营劳务派遣业务",
        facts=("当事人未取得劳务派遣经营许可，擅自向{qty}家用工单位派遣劳动者，违法所得{gain}元。",),
        basis="《中华人民共和国劳动合同法》第九十二条第一款",
        penalties=(("没收违法所得;罚款", 1),),
        fine=(1.0, 5.0),
        sectors=frozenset({"services"}),
    ),
)

CULTURE: Final = (
    Violation(
        type="互联网上网服务营业场所接纳未成年人",
        facts=("当事人经营的互联网上网服务营业场所于{when}接纳{few}名未成年人进入营业场所上网。",),
        basis="《互联网上网服务营业场所管理条例》第三十一条第二项",
        penalties=(("警告;罚款", 2), ("罚款;责令停产停业", 1), ("罚款;吊销许可证件", 1)),
        fine=(0.1, 1.5),
        sectors=frozenset({"entertainment"}),
        license="网络文化经营许可证",
        weight=3,
    ),
    Violation(
        type="娱乐场所未按规定设置未成年人禁入标志",
        facts=(
            "执法人员检查发现，当事人经营的{venue}未在营业场所入口处显著位置悬挂未成年人禁入或者限入标志。",
        ),
        basis="《娱乐场所管理条例》第五十一条",
        penalties=(("警告", 1),),
        sectors=frozenset({"entertainment"}),
        fills={"venue": ("KTV", "歌舞厅", "游艺厅")},
        weight=2,
    ),
    Violation(
        type="旅行社未与旅游者签订旅游合同",
        facts=("当事人组织{qty}名游客赴{destination}旅游，未与旅游者签订书面旅游合同。",),
        basis="《中华人民共和国旅游法》第一百条第一项",
        penalties=(("罚款", 2), ("通报批评;罚款", 1)),
        fine=(0.3, 3.0),
        sectors=frozenset({"culture"}),
        fills={"destination": ("长白山", "吉林北山", "松花湖", "延吉", "哈尔滨")},
    ),
    Violation(
        type="未经批准擅自从事营业性演出经营活动",
        facts=("当事人未取得营业性演出许可证，于{when}在{place}组织营业性演出，售票收入{money}元。",),
        basis="《营业性演出管理条例》第四十三条第一款",
        penalties=(("没收违法所得;没收非法财物;罚款", 1),),
        fine=(5.0, 10.0),
        kinds=ANYONE,
        sectors=frozenset({"culture", "entertainment", "person"}),
        seized="演出器材",
        money=(2000, 40000),
    ),
    Violation(
        type="擅自从事出版物发行业务",
        facts=("当事人未取得出版物经营许可证，在{place}擅自销售{publication}共{qty}册。",),
        basis="《出版管理条例》第六十一条",
        penalties=(("没收非法财物;罚款", 1), ("通报批评", 1)),
        fine=(0.1, 0.5),
        kinds=frozenset({"individual_business", "natural_person"}),
        seized="违法发行的出版物",
        fills={"publication": ("教辅图书", "儿童读物", "期刊")},
    ),
)
