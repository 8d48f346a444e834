"""License types per sector: decision documents, certificates, number formats and contents.

Number templates may use {year}, {yy}, {seq}, {ymd} (the decision date as 8 digits), {uscc}, {d1}, {d2}
(random digits); a {seq} counts per department, template and (when the template has {year}) year.
"""

from __future__ import annotations

from typing import Final

from panshi.demo.catalogue import ANYONE, LicenseType
from panshi.demo.words import BUSINESS_SECTORS

_BUILDINGS = (
    "锦绣华庭",
    "御景园",
    "福安小区",
    "阳光嘉园",
    "东宁商业综合体",
    "滨河新城",
    "工业园区标准化厂房",
)
_VENUES = frozenset({"food", "hospitality", "entertainment", "retail", "hygiene"})
_INDUSTRY = frozenset({"manufacturing", "mining", "energy", "chemical"})

MARKET: Final = (
    LicenseType(
        document="准予设立登记通知书",
        category="登记",
        certificate="营业执照",
        number="{uscc}",
        document_number="（磐市监）登记内设字〔{year}〕第{seq:05d}号",
        contents=("准予设立登记。经营范围：{scope}", "准予设立登记，核发营业执照。经营范围：{scope}"),
        sectors=BUSINESS_SECTORS,
        weight=5,
    ),
    LicenseType(
        document="准予变更登记通知书",
        category="登记",
        certificate="营业执照",
        number="{uscc}",
        document_number="（磐市监）登记内变字〔{year}〕第{seq:05d}号",
        contents=("准予变更登记，变更事项：{change}。", "准予{change}变更登记，换发营业执照。"),
        sectors=BUSINESS_SECTORS,
        fills={"change": ("住所", "法定代表人", "经营范围", "注册资本", "名称")},
        weight=2,
    ),
    LicenseType(
        document="食品经营许可决定书",
        category="普通",
        certificate="食品经营许可证",
        number="JY{d1}220284{seq:06d}{d2}",
        document_number="磐市监食经许〔{year}〕{seq}号",
        contents=("主体业态：{form}；经营项目：{items}",),
        valid_days=1826,
        sectors=frozenset({"food", "retail", "hospitality"}),
        fills={
            "form": ("食品销售经营者", "餐饮服务经营者", "单位食堂"),
            "items": (
                "预包装食品（含冷藏冷冻食品）销售，散装食品（不含熟食）销售",
                "热食类食品制售，冷食类食品制售",
                "预包装食品销售，保健食品销售，特殊医学用途配方食品销售",
                "热食类食品制售",
            ),
        },
        weight=4,
    ),
    LicenseType(
        document="特种设备使用登记决定书",
        category="登记",
        certificate="特种设备使用登记证",
        number="{device}11吉B{seq:05d}（{yy}）",
        document_number="",
        contents=("准予{equip}办理使用登记，设备数量{few}台。",),
        sectors=_INDUSTRY | {"realestate", "hospitality", "food", "retail"},
        fills={
            "device": ("梯", "锅", "容", "起", "车"),
            "equip": ("乘客电梯", "蒸汽锅炉", "压力容器", "桥式起重机", "叉车"),
        },
    ),
    LicenseType(
        document="药品经营许可决定书",
        category="普通",
        certificate="药品经营许可证",
        number="吉DA{d1}{seq:06d}",
        document_number="磐市监药许〔{year}〕{seq}号",
        contents=("经营方式：药品零售；经营范围：{drugs}",),
        valid_days=1826,
        sectors=frozenset({"medical"}),
        fills={
            "drugs": ("中药饮片、中成药、化学药制剂、抗生素制剂", "中成药、化学药制剂、生物制品（除疫苗）")
        },
    ),
)

TAX: Final = (
    LicenseType(
        document="准予税务行政许可决定书",
        category="普通",
        certificate="",
        number="",
        document_number="磐税许准字〔{year}〕第{seq}号",
        contents=("准予核定增值税专用发票（增值税税控系统）最高开票限额为{limit}。",),
        fills={"limit": ("一万元", "十万元", "一百万元")},
    ),
)

ENVIRONMENT: Final = (
    LicenseType(
        document="建设项目环境影响报告表审批意见",
        category="普通",
        certificate="",
        number="",
        document_number="吉市环磐审字〔{year}〕{seq}号",
        contents=(
            "同意{project}项目按照环境影响报告表所列建设项目的性质、规模、地点和环境保护措施进行建设。",
        ),
        valid_days=1826,
        sectors=_INDUSTRY | {"agriculture", "food"},
        fills={
            "project": ("年产5万吨有机肥", "年加工10万吨玉米", "商砼搅拌站", "食用菌深加工", "人参精深加工")
        },
        weight=2,
    ),
    LicenseType(
        document="排污许可证核发决定书",
        category="普通",
        certificate="排污许可证",
        number="{uscc}001{letter}",
        document_number="吉市环磐许〔{year}〕{seq}号",
        contents=("行业类别：{trade}；主要污染物类别：{pollutants}",),
        valid_days=1826,
        sectors=_INDUSTRY | {"public_medical", "agriculture"},
        fills={
            "letter": ("P", "U", "V", "W"),
            "trade": ("锅炉", "水泥制品制造", "畜禽养殖", "黑色金属铸造", "医院"),
            "pollutants": ("废气，废水", "废气", "废水"),
        },
    ),
)

SAFETY: Final = (
    LicenseType(
        document="危险化学品经营许可决定书",
        category="普通",
        certificate="危险化学品经营许可证",
        number="吉吉磐危化经字〔{year}〕{seq:06d}",
        document_number="",
        contents=("经营方式：{mode}；许可范围：{chemicals}",),
        valid_days=1095,
        sectors=frozenset({"chemical", "energy", "agri_input", "retail"}),
        fills={
            "mode": ("批发（无仓储）", "零售", "批发（带储存）"),
            "chemicals": (
                "汽油、柴油（闭杯闪点≤60℃）",
                "液化石油气",
                "硫酸、盐酸、氢氧化钠",
                "乙醇溶液、油漆",
            ),
        },
    ),
    LicenseType(
        document="烟花爆竹经营（零售）许可决定书",
        category="普通",
        certificate="烟花爆竹经营（零售）许可证",
        number="（吉）YH经〔{year}〕{seq:06d}",
        document_number="",
        contents=("准予在{place}零售烟花爆竹，限量存放{qty}箱。",),
        valid_days=365,
        sectors=frozenset({"retail", "food"}),
        weight=2,
    ),
)

HOUSING: Final = (
    LicenseType(
        document="建筑工程施工许可决定书",
        category="普通",
        certificate="建筑工程施工许可证",
        number="220284{ymd}{seq:04d}",
        document_number="",
        contents=("准予{building}项目施工，建筑面积{area}平方米，合同价格{money}元。",),
        sectors=frozenset({"construction", "realestate"}),
        fills={"building": _BUILDINGS},
        weight=2,
    ),
    LicenseType(
        document="商品房预售许可决定书",
        category="普通",
        certificate="商品房预售许可证",
        number="磐房预售证第{year}{seq:03d}号",
        document_number="",
        contents=("准予{building}{few}号楼预售商品房，预售面积{area}平方米。",),
        sectors=frozenset({"realestate"}),
        fills={"building": _BUILDINGS},
    ),
    LicenseType(
        document="建筑业企业资质审批决定书",
        category="认可",
        certificate="建筑业企业资质证书",
        number="D322{seq:06d}",
        document_number="磐住建资审〔{year}〕{seq}号",
        contents=("资质类别及等级：{grade}",),
        valid_days=1826,
        sectors=frozenset({"construction"}),
        fills={
            "grade": (
                "建筑工程施工总承包三级",
                "市政公用工程施工总承包三级",
                "施工劳务不分等级",
                "建筑装修装饰工程专业承包二级",
            )
        },
    ),
)

TRANSPORT: Final = (
    LicenseType(
        document="道路运输经营许可决定书",
        category="普通",
        certificate="道路运输经营许可证",
        number="吉交运管许可吉字220284{seq:06d}号",
        document_number="",
        contents=("经营范围：{business}",),
        valid_days=1461,
        sectors=frozenset({"transport"}),
        fills={"business": ("道路普通货物运输", "道路普通货物运输，货物专用运输（集装箱）", "县内班车客运")},
        weight=2,
    ),
    LicenseType(
        document="道路运输证配发决定书",
        category="普通",
        certificate="道路运输证",
        number="吉字220284{seq:06d}号",
        document_number="",
        contents=("车辆号牌：{plate}；经营范围：道路普通货物运输",),
        valid_days=1095,
        kinds=ANYONE,
        sectors=frozenset({"transport", "person"}),
        weight=3,
    ),
    LicenseType(
        document="超限运输车辆行驶公路许可决定书",
        category="普通",
        certificate="超限运输车辆通行证",
        number="吉交超限〔{year}〕{seq:05d}",
        document_number="",
        contents=("准予{plate}号车辆超限运输{cargo}，通行路线：国道G202线磐石段。",),
        valid_days=30,
        sectors=frozenset({"transport", "construction", "manufacturing"}),
        fills={"cargo": ("风电叶片", "变压器", "钢箱梁", "大型挖掘机")},
    ),
)

HEALTH: Final = (
    LicenseType(
        document="公共场所卫生许可决定书",
        category="普通",
        certificate="公共场所卫生许可证",
        number="吉卫公证字〔{year}〕第220284{seq:06d}号",
        document_number="",
        contents=("许可项目：{venue}；经营面积{area}平方米。",),
        valid_days=1461,
        sectors=frozenset({"hygiene", "hospitality"}),
        fills={"venue": ("住宿", "沐浴", "美发", "游泳场馆")},
        weight=3,
    ),
    LicenseType(
        document="医疗机构执业登记决定书",
        category="普通",
        certificate="医疗机构执业许可证",
        number="PDY{seq:05d}{d1}22028417A1002",
        document_number="磐卫医许〔{year}〕{seq}号",
        contents=("诊疗科目：{subjects}",),
        valid_days=1826,
        sectors=frozenset({"medical", "public_medical"}),
        fills={"subjects": ("内科，外科，中医科", "全科医疗科", "口腔科", "预防保健科，内科，医学检验科")},
    ),
)

FIRE: Final = (
    LicenseType(
        document="公众聚集场所投入使用、营业前消防安全检查意见书",
        category="普通",
        certificate="",
        number="",
        document_number="磐消安检字〔{year}〕第{seq:04d}号",
        contents=("同意{venue}投入使用、营业，使用面积{area}平方米。",),
        sectors=_VENUES,
        fills={"venue": ("KTV", "洗浴中心", "宾馆", "超市", "饭店", "网吧")},
    ),
)

LAND: Final = (
    LicenseType(
        document="建设用地规划许可决定书",
        category="普通",
        certificate="建设用地规划许可证",
        number="地字第220284{year}{seq:05d}号",
        document_number="",
        contents=("用地位置：{place}；用地面积{area}平方米；用地性质：{use}",),
        sectors=frozenset({"construction", "realestate", "manufacturing"}),
        fills={"use": ("工业用地", "城镇住宅用地", "商服用地", "仓储用地")},
    ),
    LicenseType(
        document="建设工程规划许可决定书",
        category="普通",
        certificate="建设工程规划许可证",
        number="建字第220284{year}{seq:05d}号",
        document_number="",
        contents=("建设项目名称：{building}；建设规模{area}平方米",),
        sectors=frozenset({"construction", "realestate"}),
        fills={"building": _BUILDINGS},
    ),
    LicenseType(
        document="采矿权登记决定书",
        category="特许",
        certificate="采矿许可证",
        number="C220284{year}{seq:07d}",
        document_number="",
        contents=("开采矿种：{mineral}；开采方式：露天开采；生产规模：{qty}万吨/年",),
        valid_days=1826,
        sectors=frozenset({"mining"}),
        fills={"mineral": ("建筑用砂", "建筑石料用灰岩", "饰面用花岗岩", "砖瓦用黏土")},
    ),
    LicenseType(
        document="林木采伐许可决定书",
        category="普通",
        certificate="林木采伐许可证",
        number="吉磐采字〔{year}〕{seq:05d}号",
        document_number="",
        contents=("采伐地点：{village}；采伐树种：{tree}；采伐方式：{method}",),
        valid_days=365,
        kinds=ANYONE,
        sectors=frozenset({"agriculture", "manufacturing", "person"}),
        fills={"tree": ("落叶松", "杨树", "红松", "柞树"), "method": ("抚育采伐", "更新采伐", "择伐")},
    ),
)

AGRICULTURE: Final = (
    LicenseType(
        document="农药经营许可决定书",
        category="普通",
        certificate="农药经营许可证",
        number="农药经吉220284{seq:04d}",
        document_number="",
        contents=("经营范围：农药（不含限制使用农药）；经营场所：{place}",),
        valid_days=1826,
        sectors=frozenset({"agri_input"}),
    ),
    LicenseType(
        document="动物防疫条件合格证核发决定书",
        category="普通",
        certificate="动物防疫条件合格证",
        number="（{year}）吉磐动防合字第{seq:04d}号",
        document_number="",
        contents=("场所类型：{premises}；地址：{village}",),
        sectors=frozenset({"agriculture", "food"}),
        fills={"premises": ("动物饲养场", "动物屠宰加工场所", "动物隔离场所")},
    ),
    LicenseType(
        document="农作物种子生产经营许可决定书",
        category="普通",
        certificate="农作物种子生产经营许可证",
        number="D（吉磐）农种许字（{year}）第{seq:04d}号",
        document_number="",
        contents=("生产经营范围：{crop}；生产经营方式：{mode}",),
        valid_days=1826,
        sectors=frozenset({"agri_input", "agriculture"}),
        fills={"crop": ("玉米", "水稻", "大豆", "玉米、大豆"), "mode": ("加工、包装、批发、零售", "零售")},
    ),
)

LABOUR: Final = (
    LicenseType(
        document="劳务派遣经营许可决定书",
        category="普通",
        certificate="劳务派遣经营许可证",
        number="220284{year}{seq:04d}",
        document_number="",
        contents=("准予经营劳务派遣业务，注册资本{money}元。",),
        valid_days=1095,
        sectors=frozenset({"services"}),
    ),
    LicenseType(
        document="人力资源服务许可决定书",
        category="普通",
        certificate="人力资源服务许可证",
        number="（吉）人服证字〔{year}〕第2202840{seq:04d}号",
        document_number="",
        contents=("服务范围：{services}",),
        sectors=frozenset({"services"}),
        fills={
            "services": ("为劳动者介绍用人单位，为用人单位推荐劳动者", "组织开展现场招聘会，开展网络招聘")
        },
    ),
)

CULTURE: Final = (
    LicenseType(
        document="娱乐经营许可决定书",
        category="普通",
        certificate="娱乐经营许可证",
        number="220284{seq:06d}",
        document_number="",
        contents=("经营范围：{business}；包厢{few}个",),
        sectors=frozenset({"entertainment"}),
        fills={"business": ("歌舞娱乐场所", "游艺娱乐场所")},
    ),
    LicenseType(
        document="网络文化经营许可决定书",
        category="普通",
        certificate="网络文化经营许可证",
        number="吉网文〔{year}〕{seq:04d}-{d1}{d2}号",
        document_number="",
        contents=("经营范围：利用信息网络经营{content}",),
        valid_days=1095,
        sectors=frozenset({"entertainment", "culture", "services"}),
        fills={"content": ("音乐娱乐产品", "游戏产品", "演出剧（节）目，表演")},
    ),
    LicenseType(
        document="旅行社业务经营许可决定书",
        category="普通",
        certificate="旅行社业务经营许可证",
        number="L-JL-{seq:05d}",
        document_number="",
        contents=("经营范围：国内旅游业务、入境旅游业务",),
        sectors=frozenset({"culture"}),
    ),
)
