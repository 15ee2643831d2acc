"""The shared vocabulary of all packs (CONVENTIONS.md, "Shared vocabulary").

One list for every region, so that two packs that say 因病 or 边缘易致贫户 mean the same value.
Each member carries its Chinese and English label for reasons and pack cards.
"""

from __future__ import annotations

from enum import StrEnum


class _Labelled(StrEnum):
    """A string enum whose members know their Chinese and English labels."""

    @property
    def zh(self) -> str:
        return _LABELS[type(self), self.value][0]

    @property
    def en(self) -> str:
        return _LABELS[type(self), self.value][1]

    def label(self, lang: str = "zh") -> str:
        return self.zh if lang == "zh" else self.en


class MonitoringCategory(_Labelled):
    """监测对象类别."""

    UNSTABLE_LIFTED = "unstable_lifted"
    MARGINAL = "marginal"
    SUDDEN_HARDSHIP = "sudden_hardship"


class RiskType(_Labelled):
    """风险类型 (致贫返贫风险)."""

    ILLNESS = "illness"
    SCHOOLING = "schooling"
    DISABILITY = "disability"
    NATURAL_DISASTER = "natural_disaster"
    ACCIDENT = "accident"
    INDUSTRY_FAILURE = "industry_failure"
    UNSTABLE_EMPLOYMENT = "unstable_employment"
    LACK_OF_LABOUR = "lack_of_labour"
    HOUSING_SAFETY = "housing_safety"
    DRINKING_WATER = "drinking_water"
    OTHER = "other"


class AssistanceMeasure(_Labelled):
    """帮扶措施 kinds (puan_2025 三(二)), the shared measure vocabulary."""

    INDUSTRY = "industry"
    EMPLOYMENT = "employment"
    FINANCE = "finance"
    PUBLIC_WELFARE_JOB = "public_welfare_job"
    HOUSING_SAFETY = "housing_safety"
    DRINKING_WATER = "drinking_water"
    HEALTH = "health"
    EDUCATION = "education"
    COMPREHENSIVE_SAFETY_NET = "comprehensive_safety_net"
    SOCIAL_ASSISTANCE = "social_assistance"
    LIVING_CONDITIONS = "living_conditions"


class LabourCapacity(_Labelled):
    """劳动能力 (ewenki_2024 一(二) labour classes)."""

    ABLE = "able"
    WEAK = "weak"
    NONE = "none"


class HukouKind(_Labelled):
    """户籍 kind of a household or member."""

    RURAL = "rural"
    URBAN = "urban"
    RELOCATED_URBAN = "relocated_urban"
    NONGZHUANFEI = "nongzhuanfei"
    COLLECTIVE = "collective"


class Relation(_Labelled):
    """与户主关系."""

    HEAD = "head"
    SPOUSE = "spouse"
    CHILD = "child"
    CHILD_IN_LAW = "child_in_law"
    GRANDCHILD = "grandchild"
    PARENT = "parent"
    GRANDPARENT = "grandparent"
    SIBLING = "sibling"
    OTHER = "other"


class SchoolingStage(_Labelled):
    """在校情况. ``compulsory`` stages are 小学 and 初中 (义务教育法)."""

    NOT_IN_SCHOOL = "not_in_school"
    PRESCHOOL = "preschool"
    PRIMARY = "primary"
    JUNIOR_SECONDARY = "junior_secondary"
    SENIOR_SECONDARY = "senior_secondary"
    SECONDARY_VOCATIONAL = "secondary_vocational"
    HIGHER_VOCATIONAL = "higher_vocational"
    UNDERGRADUATE = "undergraduate"
    POSTGRADUATE = "postgraduate"
    DROPOUT = "dropout"

    @property
    def is_non_compulsory_in_school(self) -> bool:
        """在读 in a stage outside 义务教育 (preschool, senior secondary and above)."""
        return self in _NON_COMPULSORY

    @property
    def is_compulsory(self) -> bool:
        return self in (SchoolingStage.PRIMARY, SchoolingStage.JUNIOR_SECONDARY)


_NON_COMPULSORY = frozenset(
    {
        SchoolingStage.PRESCHOOL,
        SchoolingStage.SENIOR_SECONDARY,
        SchoolingStage.SECONDARY_VOCATIONAL,
        SchoolingStage.HIGHER_VOCATIONAL,
        SchoolingStage.UNDERGRADUATE,
        SchoolingStage.POSTGRADUATE,
    }
)


class EmploymentStability(_Labelled):
    """就业情况 of a member."""

    STABLE = "stable"
    UNSTABLE = "unstable"
    UNEMPLOYED = "unemployed"
    NOT_IN_LABOUR_FORCE = "not_in_labour_force"


class HousingGrade(_Labelled):
    """房屋安全性鉴定等级 A–D (C and D are unsafe)."""

    A = "A"
    B = "B"
    C = "C"
    D = "D"


class ExpenditureKind(_Labelled):
    """刚性支出 kinds."""

    MEDICAL = "medical"
    SCHOOLING = "schooling"
    DISASTER = "disaster"
    ACCIDENT = "accident"
    OTHER = "other"


class DibaoKind(_Labelled):
    """低保 / 特困 status (and the other social-assistance spells departments report)."""

    DIBAO = "dibao"
    DISPERSED_TEKUN = "dispersed_tekun"
    CENTRALISED_TEKUN = "centralised_tekun"
    DIBAO_MARGINAL = "dibao_marginal"
    TEMPORARY_AID = "temporary_aid"


class ChildStatus(_Labelled):
    """Children the documents single out (留守儿童、困境儿童、孤儿…)."""

    LEFT_BEHIND = "left_behind"
    DISTRESSED = "distressed"
    ORPHAN = "orphan"
    DE_FACTO_UNSUPPORTED = "de_facto_unsupported"
    KEY_DISTRESSED = "key_distressed"


class Department(_Labelled):
    """行业部门 that push warnings or clues."""

    EDUCATION = "education"
    CIVIL_AFFAIRS = "civil_affairs"
    HOUSING = "housing"
    HEALTH = "health"
    MEDICAL_INSURANCE = "medical_insurance"
    DISABLED_PERSONS_FEDERATION = "disabled_persons_federation"
    WATER = "water"
    HUMAN_RESOURCES = "human_resources"
    AGRICULTURE = "agriculture"
    PUBLIC_SECURITY = "public_security"
    PETITIONS = "petitions"
    EMERGENCY = "emergency"
    OTHER = "other"


class Channel(_Labelled):
    """How a clue or warning reached officials (风险发现渠道 / 预警方式)."""

    CONCENTRATED_SCREENING = "concentrated_screening"
    SELF_APPLICATION = "self_application"
    ROUTINE_VISIT = "routine_visit"
    DEPARTMENT_PUSH = "department_push"
    RELATED_MONITORING = "related_monitoring"
    CADRE_SCREENING = "cadre_screening"
    PETITION = "petition"


class ClueKind(_Labelled):
    """风险线索 kinds (puan_2025 一(二)) and department warning kinds (jimo_2022 附件1)."""

    INCOME_FALL = "income_fall"
    SPENDING_RISE = "spending_rise"
    UNSAFE_HOUSING = "unsafe_housing"
    DRINKING_WATER = "drinking_water"
    INDUSTRY_FAILURE = "industry_failure"
    MASS_UNEMPLOYMENT = "mass_unemployment"
    PUBLIC_EMERGENCY = "public_emergency"
    NEW_DIBAO_OR_TEKUN = "new_dibao_or_tekun"
    DROPOUT = "dropout"
    EDUCATION_AID = "education_aid"
    MAJOR_DISEASE = "major_disease"
    MEDICAL_BURDEN = "medical_burden"
    SEVERE_DISABILITY = "severe_disability"
    DISTRESSED_CHILD = "distressed_child"
    OTHER = "other"


class CareType(_Labelled):
    """Medical spending by type of care (医保: 住院 / 门诊慢特病 / 普通门诊)."""

    INPATIENT = "inpatient"
    CHRONIC_SPECIAL_OUTPATIENT = "chronic_special_outpatient"
    GENERAL_OUTPATIENT = "general_outpatient"


# Rows, not a dict keyed by member: members of different enums with the same value (RiskType.SCHOOLING,
# ExpenditureKind.SCHOOLING, both "schooling") are equal strings and would overwrite each other.
_LABEL_ROWS: tuple[tuple[_Labelled, str, str], ...] = (
    (
        MonitoringCategory.UNSTABLE_LIFTED,
        "脱贫不稳定户",
        "unstable lifted-out-of-poverty household",
    ),
    (MonitoringCategory.MARGINAL, "边缘易致贫户", "marginal household prone to poverty"),
    (MonitoringCategory.SUDDEN_HARDSHIP, "突发严重困难户", "household in sudden severe hardship"),
    (RiskType.ILLNESS, "因病", "illness"),
    (RiskType.SCHOOLING, "因学", "schooling costs"),
    (RiskType.DISABILITY, "因残", "disability"),
    (RiskType.NATURAL_DISASTER, "因自然灾害", "natural disaster"),
    (RiskType.ACCIDENT, "因意外事故", "accident"),
    (RiskType.INDUSTRY_FAILURE, "因产业项目失败", "failed industry project"),
    (RiskType.UNSTABLE_EMPLOYMENT, "因务工就业不稳", "unstable employment"),
    (RiskType.LACK_OF_LABOUR, "缺劳动力", "lack of labour"),
    (RiskType.HOUSING_SAFETY, "住房安全", "housing safety"),
    (RiskType.DRINKING_WATER, "饮水安全", "drinking-water safety"),
    (RiskType.OTHER, "其他", "other"),
    (AssistanceMeasure.INDUSTRY, "产业帮扶", "industry support"),
    (AssistanceMeasure.EMPLOYMENT, "就业帮扶", "employment support"),
    (AssistanceMeasure.FINANCE, "金融帮扶", "financial support"),
    (AssistanceMeasure.PUBLIC_WELFARE_JOB, "公益岗位帮扶", "public-welfare job"),
    (AssistanceMeasure.HOUSING_SAFETY, "住房安全保障", "housing safety"),
    (AssistanceMeasure.DRINKING_WATER, "饮水安全保障", "drinking-water safety"),
    (AssistanceMeasure.HEALTH, "健康帮扶", "health support"),
    (AssistanceMeasure.EDUCATION, "教育帮扶", "education support"),
    (AssistanceMeasure.COMPREHENSIVE_SAFETY_NET, "综合保障", "comprehensive safety net"),
    (AssistanceMeasure.SOCIAL_ASSISTANCE, "社会帮扶", "social assistance"),
    (AssistanceMeasure.LIVING_CONDITIONS, "生活条件改善", "living-conditions improvement"),
    (LabourCapacity.ABLE, "有劳动能力", "able to work"),
    (LabourCapacity.WEAK, "弱劳动力或半劳动力", "weak or half labour"),
    (LabourCapacity.NONE, "无劳动能力", "no labour capacity"),
    (HukouKind.RURAL, "农村户籍", "rural hukou"),
    (HukouKind.URBAN, "城镇户籍", "urban hukou"),
    (HukouKind.RELOCATED_URBAN, "易地搬迁后转为城镇户籍", "relocated, now urban hukou"),
    (HukouKind.NONGZHUANFEI, "农转非", "converted from rural to non-rural hukou (农转非)"),
    (HukouKind.COLLECTIVE, "集体户口", "collective hukou"),
    (Relation.HEAD, "户主", "head of household"),
    (Relation.SPOUSE, "配偶", "spouse"),
    (Relation.CHILD, "子女", "child"),
    (Relation.CHILD_IN_LAW, "儿媳/女婿", "child-in-law"),
    (Relation.GRANDCHILD, "孙子女", "grandchild"),
    (Relation.PARENT, "父母", "parent"),
    (Relation.GRANDPARENT, "祖父母", "grandparent"),
    (Relation.SIBLING, "兄弟姐妹", "sibling"),
    (Relation.OTHER, "其他", "other"),
    (SchoolingStage.NOT_IN_SCHOOL, "不在校", "not in school"),
    (SchoolingStage.PRESCHOOL, "学前教育", "preschool"),
    (SchoolingStage.PRIMARY, "小学", "primary school"),
    (SchoolingStage.JUNIOR_SECONDARY, "初中", "junior secondary"),
    (SchoolingStage.SENIOR_SECONDARY, "普通高中", "senior secondary"),
    (SchoolingStage.SECONDARY_VOCATIONAL, "中职", "secondary vocational"),
    (SchoolingStage.HIGHER_VOCATIONAL, "高职", "higher vocational"),
    (SchoolingStage.UNDERGRADUATE, "本科", "undergraduate"),
    (SchoolingStage.POSTGRADUATE, "研究生", "postgraduate"),
    (SchoolingStage.DROPOUT, "辍学", "dropped out"),
    (EmploymentStability.STABLE, "稳定就业", "stably employed"),
    (EmploymentStability.UNSTABLE, "就业不稳定", "unstably employed"),
    (EmploymentStability.UNEMPLOYED, "失业", "unemployed"),
    (EmploymentStability.NOT_IN_LABOUR_FORCE, "不在劳动力市场", "not in the labour force"),
    (HousingGrade.A, "A级", "grade A"),
    (HousingGrade.B, "B级", "grade B"),
    (HousingGrade.C, "C级（局部危房）", "grade C (partly unsafe)"),
    (HousingGrade.D, "D级（整栋危房）", "grade D (unsafe)"),
    (ExpenditureKind.MEDICAL, "医疗", "medical"),
    (ExpenditureKind.SCHOOLING, "教育", "schooling"),
    (ExpenditureKind.DISASTER, "灾害", "disaster"),
    (ExpenditureKind.ACCIDENT, "意外事故", "accident"),
    (ExpenditureKind.OTHER, "其他", "other"),
    (DibaoKind.DIBAO, "农村低保", "rural minimum living allowance (dibao)"),
    (DibaoKind.DISPERSED_TEKUN, "分散供养特困人员", "dispersed extreme-poverty support (特困)"),
    (DibaoKind.CENTRALISED_TEKUN, "集中供养特困人员", "centralised extreme-poverty support (特困)"),
    (DibaoKind.DIBAO_MARGINAL, "低保边缘", "on the margin of dibao"),
    (DibaoKind.TEMPORARY_AID, "临时救助", "temporary assistance"),
    (ChildStatus.LEFT_BEHIND, "留守儿童", "left-behind child"),
    (ChildStatus.DISTRESSED, "困境儿童", "child in distress"),
    (ChildStatus.ORPHAN, "孤儿", "orphan"),
    (ChildStatus.DE_FACTO_UNSUPPORTED, "事实无人抚养儿童", "de-facto unsupported child"),
    (ChildStatus.KEY_DISTRESSED, "重点困境儿童", "child in key distress"),
    (Department.EDUCATION, "教育（教体局）", "education bureau"),
    (Department.CIVIL_AFFAIRS, "民政局", "civil affairs"),
    (Department.HOUSING, "住建局", "housing and construction"),
    (Department.HEALTH, "卫健局", "health commission"),
    (Department.MEDICAL_INSURANCE, "医保局", "medical insurance bureau"),
    (Department.DISABLED_PERSONS_FEDERATION, "残联", "disabled persons' federation"),
    (Department.WATER, "水利局", "water resources"),
    (Department.HUMAN_RESOURCES, "人社局", "human resources and social security"),
    (Department.AGRICULTURE, "农业农村局", "agriculture and rural affairs"),
    (Department.PUBLIC_SECURITY, "公安局", "public security"),
    (Department.PETITIONS, "信访局", "petitions bureau"),
    (Department.EMERGENCY, "应急管理局", "emergency management"),
    (Department.OTHER, "其他部门", "other department"),
    (Channel.CONCENTRATED_SCREENING, "集中排查", "concentrated screening"),
    (Channel.SELF_APPLICATION, "自主申报", "self-application"),
    (Channel.ROUTINE_VISIT, "日常摸排", "routine visits"),
    (Channel.DEPARTMENT_PUSH, "部门预警", "department warning"),
    (Channel.RELATED_MONITORING, "关联监测", "related monitoring"),
    (Channel.CADRE_SCREENING, "干部排查", "screening by cadres"),
    (Channel.PETITION, "信访信息", "petition"),
    (ClueKind.INCOME_FALL, "收入大幅减少", "sharp fall in income"),
    (ClueKind.SPENDING_RISE, "支出大幅增加", "sharp rise in spending"),
    (ClueKind.UNSAFE_HOUSING, "住房不安全", "unsafe housing"),
    (ClueKind.DRINKING_WATER, "安全饮水受到严重影响", "drinking water seriously affected"),
    (ClueKind.INDUSTRY_FAILURE, "产业项目失败", "failed industry project"),
    (ClueKind.MASS_UNEMPLOYMENT, "较大规模失业", "large-scale unemployment"),
    (ClueKind.PUBLIC_EMERGENCY, "突发公共事件、安全事故", "sudden public emergency or accident"),
    (ClueKind.NEW_DIBAO_OR_TEKUN, "新增低保特困", "new dibao / 特困"),
    (ClueKind.DROPOUT, "失学辍学", "out of school"),
    (ClueKind.EDUCATION_AID, "自主申请并获得教育资助", "granted education aid on own application"),
    (ClueKind.MAJOR_DISEASE, "大病", "major disease"),
    (ClueKind.MEDICAL_BURDEN, "医疗费用个人负担重", "heavy personal medical burden"),
    (ClueKind.SEVERE_DISABILITY, "重度残疾", "severe disability"),
    (ClueKind.DISTRESSED_CHILD, "困境儿童", "child in distress"),
    (ClueKind.OTHER, "其他", "other"),
    (CareType.INPATIENT, "住院", "inpatient"),
    (CareType.CHRONIC_SPECIAL_OUTPATIENT, "门诊慢特病", "chronic / special outpatient"),
    (CareType.GENERAL_OUTPATIENT, "普通门诊", "general outpatient"),
)
_LABELS: dict[tuple[type, str], tuple[str, str]] = {
    (type(member), member.value): (zh, en) for member, zh, en in _LABEL_ROWS
}


def enum_label(value: StrEnum, lang: str = "zh") -> str | None:
    """The label of any enum value the packs read, or None when the vocabulary has none.

    Enums defined elsewhere (``AreaTag`` lives with the facts it describes) are labelled here by
    value, so that every word a person reads comes from this one vocabulary.
    """
    if isinstance(value, _Labelled):
        return value.label(lang)
    labels = FOREIGN_ENUM_LABELS.get(type(value).__name__, {}).get(value.value)
    return None if labels is None else labels[0 if lang == "zh" else 1]


#: Labels of enums defined outside this module, by enum class name and value.
FOREIGN_ENUM_LABELS: dict[str, dict[str, tuple[str, str]]] = {
    "AreaTag": {
        "no_monitoring_object": (
            "有农村户籍人口但没有监测对象的村",
            "a village with rural residents but no monitored household",
        ),
        "heavy_consolidation_task": (
            "巩固拓展脱贫攻坚成果任务较重的地区",
            "an area with a heavy task of consolidating poverty alleviation",
        ),
        "epidemic_or_disaster_hit": (
            "受疫情灾情影响较大的地区",
            "an area hit hard by epidemic or disaster",
        ),
        "relocation_site": ("易地扶贫搬迁安置区", "a poverty-relocation resettlement area"),
        "former_deep_poverty_village": ("原深度贫困村", "a former deeply poor village"),
        "disaster_site": ("受灾地区", "a disaster-stricken area"),
        "lifted_income_fall_concentration": (
            "脱贫户收入下降户较为集中的地区",
            "an area where lifted households with falling income are concentrated",
        ),
        "livestock_concentration": (
            "牲畜养殖数量较多的地区",
            "an area with much livestock raising",
        ),
        "many_lifted_few_monitored": (
            "脱贫户较多但监测户较少的村",
            "a village with many lifted but few monitored households",
        ),
        "non_poor_village": ("非贫困村", "a village that was never a poor village"),
        "lifted_village": ("脱贫村", "a village lifted out of poverty"),
        "large_relocation_site": ("大型易地搬迁安置点", "a large relocation site"),
    },
}

#: The facts a household record holds, by field path (list indices left out), as a person asks
#: for them ("缺少：饮水安全情况"). Member, record and clue fields are named after their owner.
FACT_LABELS: dict[str, tuple[str, str]] = {
    # household
    "hukou": ("户籍类型", "hukou kind"),
    "lifted_out_of_poverty": ("是否脱贫户", "whether the household was lifted out of poverty"),
    "lifted_year": ("脱贫年度", "year lifted out of poverty"),
    "has_urban_social_security": (
        "是否享受城镇低保或职工养老保险",
        "whether urban dibao or an employee pension is received",
    ),
    "self_coping": ("入户记录的自主应对能力", "whether the household can cope on its own (visit)"),
    "serious_difficulty": (
        "入户记录的生活是否陷入严重困难",
        "whether life is in serious difficulty (visit)",
    ),
    "livestock": ("存栏牲畜情况", "livestock on hand"),
    "policy_transfer_income": (
        "其中政策性转移收入（兜底保障、养老金、各类政策性补贴）",
        "the policy part of transfer income (safety net, pensions, subsidies)",
    ),
    "guarantees.housing_grade": ("住房安全等级", "housing safety grade"),
    "guarantees.basic_medical_insured": ("是否参加基本医疗保险", "basic medical insurance"),
    "guarantees.compulsory_education_ok": ("义务教育保障情况", "compulsory education secured"),
    "guarantees.drinking_water_safe": ("饮水安全情况", "drinking-water safety"),
    "guarantees.only_house": (
        "鉴定房屋是否为唯一住房",
        "whether the appraised house is the only one",
    ),
    "guarantees.housing_appraised_on": ("住房安全鉴定日期", "date of the housing appraisal"),
    "green_channel": ("绿色通道记录", "the green-channel record"),
    "green_channel.facts_clear": (
        "严重困难事实是否清楚",
        "whether the serious difficulty is clear",
    ),
    "green_channel.urgent": ("是否急需帮扶", "whether help is urgent"),
    "green_channel.town_confirmed_on": ("镇（街）确认日期", "date confirmed by the town"),
    "green_channel.village_confirmed_on": ("村确认日期", "date confirmed by the village"),
    "green_channel.publicly_recognised": ("是否群众普遍认可", "whether the public recognises it"),
    "judgement": ("研判结果记录", "the recorded judgement"),
    "provenance.income_double_signed": (
        "收入信息是否双签字",
        "whether income facts are double-signed",
    ),
    "provenance.guarantees_double_signed": (
        "“两不愁三保障”信息是否双签字",
        "whether the 两不愁三保障 facts are double-signed",
    ),
    "provenance.phone_interview": ("是否电话访谈采集", "whether collected by phone"),
    "provenance.interview_recorded": (
        "电话访谈是否记录",
        "whether the phone interview was recorded",
    ),
    # member
    "birth_date": ("出生日期", "date of birth"),
    "labour": ("劳动能力", "labour capacity"),
    "schooling": ("在校情况", "schooling stage"),
    "employment": ("就业情况", "employment"),
    "health.major_illness": ("是否患大病", "major illness"),
    "health.chronic_illness": ("是否患长期慢性病", "chronic illness"),
    "health.loses_self_care": ("是否失能", "whether able to look after oneself"),
    "health.special_major_disease_since": (
        "纳入大病专项救治日期",
        "date of special major-disease care",
    ),
    "disability": ("残疾人证", "disability certificate"),
    "solitary": ("是否鳏寡孤独", "whether without spouse, child or carer"),
    "dropout_since": ("失学辍学日期", "date dropped out"),
    "education_aid_since": (
        "自主申请并获得教育资助日期",
        "date granted education aid on own application",
    ),
    "child_status": ("儿童认定情况", "child status"),
    # monitoring record
    "identified_on": ("识别日期", "date identified"),
    "system_entry_on": ("录入系统日期", "date entered in the system"),
    "helper": ("帮扶责任人", "helper"),
    "second_helper": ("第二帮扶联系人", "second helper"),
    "helper_assigned_on": ("安排帮扶责任人日期", "date the helper was assigned"),
    "plan_filed_on": ("帮扶计划制定日期", "date the plan was filed"),
    "eliminated_on": ("风险消除日期", "date the risk was eliminated"),
    "risk_resolved": (
        "风险是否已稳定消除（研判结论）",
        "whether the risk is gone (officials' finding)",
    ),
    "new_risk": (
        "是否出现新增风险（研判结论）",
        "whether a new risk appeared (officials' finding)",
    ),
    "willing_to_develop": ("是否有劳动能力且有发展意愿", "whether able and willing to develop"),
    "development_confirmed_on": ("开发式帮扶确认日期", "date development-type help was confirmed"),
    "safety_net_determined_on": ("兜底保障认定日期", "date the safety-net status was determined"),
    # clue / warning
    "verified_on": ("入户核实日期", "date verified at home"),
    "feedback_on": ("信息反馈日期", "feedback date"),
    "meets_criteria": ("是否符合认定标准", "whether it meets the identification standard"),
    "reason_not_met": ("不符合认定标准的主要原因", "main reason the standard is not met"),
    "applicant_informed": ("办理结果是否已告知本人", "whether the applicant was told the result"),
    "closed_on": ("办结日期", "date closed"),
    "received_on": ("收到日期", "date received"),
    # social assistance, expenditure
    "full_or_top_grade": ("是否全额或最高档", "whether full or top grade"),
    "end": ("终止日期", "end date"),
    "care": ("就医类型", "type of care"),
}

#: The dated lists of a household record: how one item is named ({date}, {kind} filled in).
RECORD_LABELS: dict[str, tuple[str, str]] = {
    "members": ("成员{key}", "member {key}"),
    "monitoring": ("{date}识别的监测记录", "the monitoring record of {date}"),
    "clues": ("{date}经{kind}收到的线索", "the clue received via {kind} on {date}"),
    "social_assistance": ("{date}起的{kind}", "{kind} from {date}"),
    "expenditures": ("{date}的{kind}支出", "{kind} spending of {date}"),
    "risk_events": ("{date}的风险事件（{kind}）", "the risk event ({kind}) of {date}"),
    "income": ("{key}的收入记录", "the income record for {key}"),
    "renovations": ("{date}纳入的危房改造", "the house renovation of {date}"),
    "child_status": ("{date}起的{kind}认定", "the {kind} status from {date}"),
}

#: Short names of the figures packs compare with or leave to the caller ("低于监测收入标准7,000元",
#: "需由调用方提供：低收入标准"). The pack's own description (with its clause) stays on the card.
PARAMETER_LABELS: dict[str, tuple[str, str]] = {
    "monitoring_income_line": ("监测收入标准", "the monitoring income line"),
    "key_attention_income_threshold": ("重点关注收入标准", "the key-attention income threshold"),
    "low_income_threshold": ("低收入标准", "the low-income threshold"),
    "major_illness_self_paid_threshold": (
        "大病自付金额标准",
        "the major-illness self-paid threshold",
    ),
    "town_feed_due_day": (
        "汇总预警信息反馈镇街的日期（每月某日前）",
        "the day of the month by which warnings reach the towns",
    ),
    "medical_burden_threshold": (
        "医疗费用个人负担预警标准",
        "the medical-burden warning threshold",
    ),
    "key_village_lifted_min": (
        "重点村脱贫户户数标准",
        "the key-village count of lifted households",
    ),
    "key_village_monitored_since": ("重点村未识别监测户的起算日", "the key-village start date"),
    "required_helpers": ("应安排的帮扶联系人数", "the number of helpers required"),
    "relocated_household_helpers": (
        "易地安置区监测户应有的帮扶联系人数",
        "the number of helpers a relocated monitored household needs",
    ),
    "screening_lookback_start": ("风险事件回看起点", "the start of the look-back for risk events"),
    "rigid_spending_threshold": (
        "刚性支出较大的金额标准",
        "the amount from which rigid spending is large",
    ),
    "sharp_income_fall_amount": (
        "收入大幅缩的减少额标准",
        "the fall from which income fell sharply",
    ),
    "income_fall_window": ("收入减少的测算期", "the period whose income fell"),
    "income_fall_previous_window": (
        "收入减少的对比期",
        "the earlier period income is compared with",
    ),
    "lookback_months": ("综合研判回溯月数", "the months looked back in the review"),
    "income_window": ("收入测算周期", "the income window"),
    "review_stable_months": ("收入持续稳定的月数", "the months income must stay stable"),
    "elimination_income_stable_months": (
        "收入持续稳定的月数",
        "the months income must stay stable",
    ),
    "new_since": ("新增情形的起算日", "the start date for new cases"),
    "new_assistance_since_adjustment": (
        "新识别低保特困的起算日",
        "the start date for new dibao/特困",
    ),
    "plan_deadline_days": ("帮扶计划制定时限", "the days allowed to file the plan"),
    "bottom_share_percent": ("收入排后比例", "the bottom share"),
    "renovation_year": ("危房改造年度", "the renovation year"),
    "reference_year": ("参照年度", "the reference year"),
    "year_2022": ("比较的上年度", "the year compared with"),
    "year_2023": ("参照年度", "the reference year"),
    "new_assistance_since_2023": ("新识别低保特困的起算日", "the start date for new dibao/特困"),
    "previous_year": ("上年度", "the previous year"),
    "action_year": ("行动年度", "the action year"),
    "first_quarter": ("第一季度", "the first quarter"),
}
