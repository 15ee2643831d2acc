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
        return _LABELS[self][0]

    @property
    def en(self) -> str:
        return _LABELS[self][1]

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


_LABELS: dict[_Labelled, tuple[str, str]] = {
    MonitoringCategory.UNSTABLE_LIFTED: (
        "脱贫不稳定户",
        "unstable lifted-out-of-poverty household",
    ),
    MonitoringCategory.MARGINAL: ("边缘易致贫户", "marginal household prone to poverty"),
    MonitoringCategory.SUDDEN_HARDSHIP: ("突发严重困难户", "household in sudden severe hardship"),
    RiskType.ILLNESS: ("因病", "illness"),
    RiskType.SCHOOLING: ("因学", "schooling costs"),
    RiskType.DISABILITY: ("因残", "disability"),
    RiskType.NATURAL_DISASTER: ("因自然灾害", "natural disaster"),
    RiskType.ACCIDENT: ("因意外事故", "accident"),
    RiskType.INDUSTRY_FAILURE: ("因产业项目失败", "failed industry project"),
    RiskType.UNSTABLE_EMPLOYMENT: ("因务工就业不稳", "unstable employment"),
    RiskType.LACK_OF_LABOUR: ("缺劳动力", "lack of labour"),
    RiskType.HOUSING_SAFETY: ("住房安全", "housing safety"),
    RiskType.DRINKING_WATER: ("饮水安全", "drinking-water safety"),
    RiskType.OTHER: ("其他", "other"),
    AssistanceMeasure.INDUSTRY: ("产业帮扶", "industry support"),
    AssistanceMeasure.EMPLOYMENT: ("就业帮扶", "employment support"),
    AssistanceMeasure.FINANCE: ("金融帮扶", "financial support"),
    AssistanceMeasure.PUBLIC_WELFARE_JOB: ("公益岗位帮扶", "public-welfare job"),
    AssistanceMeasure.HOUSING_SAFETY: ("住房安全保障", "housing safety"),
    AssistanceMeasure.DRINKING_WATER: ("饮水安全保障", "drinking-water safety"),
    AssistanceMeasure.HEALTH: ("健康帮扶", "health support"),
    AssistanceMeasure.EDUCATION: ("教育帮扶", "education support"),
    AssistanceMeasure.COMPREHENSIVE_SAFETY_NET: ("综合保障", "comprehensive safety net"),
    AssistanceMeasure.SOCIAL_ASSISTANCE: ("社会帮扶", "social assistance"),
    AssistanceMeasure.LIVING_CONDITIONS: ("生活条件改善", "living-conditions improvement"),
    LabourCapacity.ABLE: ("有劳动能力", "able to work"),
    LabourCapacity.WEAK: ("弱劳动力或半劳动力", "weak or half labour"),
    LabourCapacity.NONE: ("无劳动能力", "no labour capacity"),
    HukouKind.RURAL: ("农村户籍", "rural hukou"),
    HukouKind.URBAN: ("城镇户籍", "urban hukou"),
    HukouKind.RELOCATED_URBAN: ("易地搬迁后转为城镇户籍", "relocated, now urban hukou"),
    HukouKind.NONGZHUANFEI: ("农转非", "converted from rural to non-rural hukou (农转非)"),
    HukouKind.COLLECTIVE: ("集体户口", "collective hukou"),
    Relation.HEAD: ("户主", "head of household"),
    Relation.SPOUSE: ("配偶", "spouse"),
    Relation.CHILD: ("子女", "child"),
    Relation.CHILD_IN_LAW: ("儿媳/女婿", "child-in-law"),
    Relation.GRANDCHILD: ("孙子女", "grandchild"),
    Relation.PARENT: ("父母", "parent"),
    Relation.GRANDPARENT: ("祖父母", "grandparent"),
    Relation.SIBLING: ("兄弟姐妹", "sibling"),
    Relation.OTHER: ("其他", "other"),
    SchoolingStage.NOT_IN_SCHOOL: ("不在校", "not in school"),
    SchoolingStage.PRESCHOOL: ("学前教育", "preschool"),
    SchoolingStage.PRIMARY: ("小学", "primary school"),
    SchoolingStage.JUNIOR_SECONDARY: ("初中", "junior secondary"),
    SchoolingStage.SENIOR_SECONDARY: ("普通高中", "senior secondary"),
    SchoolingStage.SECONDARY_VOCATIONAL: ("中职", "secondary vocational"),
    SchoolingStage.HIGHER_VOCATIONAL: ("高职", "higher vocational"),
    SchoolingStage.UNDERGRADUATE: ("本科", "undergraduate"),
    SchoolingStage.POSTGRADUATE: ("研究生", "postgraduate"),
    SchoolingStage.DROPOUT: ("辍学", "dropped out"),
    EmploymentStability.STABLE: ("稳定就业", "stably employed"),
    EmploymentStability.UNSTABLE: ("就业不稳定", "unstably employed"),
    EmploymentStability.UNEMPLOYED: ("失业", "unemployed"),
    EmploymentStability.NOT_IN_LABOUR_FORCE: ("不在劳动力市场", "not in the labour force"),
    HousingGrade.A: ("A级", "grade A"),
    HousingGrade.B: ("B级", "grade B"),
    HousingGrade.C: ("C级（局部危房）", "grade C (partly unsafe)"),
    HousingGrade.D: ("D级（整栋危房）", "grade D (unsafe)"),
    ExpenditureKind.MEDICAL: ("医疗", "medical"),
    ExpenditureKind.SCHOOLING: ("教育", "schooling"),
    ExpenditureKind.DISASTER: ("灾害", "disaster"),
    ExpenditureKind.ACCIDENT: ("意外事故", "accident"),
    ExpenditureKind.OTHER: ("其他", "other"),
    DibaoKind.DIBAO: ("农村低保", "rural minimum living allowance (dibao)"),
    DibaoKind.DISPERSED_TEKUN: ("分散供养特困人员", "dispersed extreme-poverty support (特困)"),
    DibaoKind.CENTRALISED_TEKUN: ("集中供养特困人员", "centralised extreme-poverty support (特困)"),
    DibaoKind.DIBAO_MARGINAL: ("低保边缘", "on the margin of dibao"),
    DibaoKind.TEMPORARY_AID: ("临时救助", "temporary assistance"),
    ChildStatus.LEFT_BEHIND: ("留守儿童", "left-behind child"),
    ChildStatus.DISTRESSED: ("困境儿童", "child in distress"),
    ChildStatus.ORPHAN: ("孤儿", "orphan"),
    ChildStatus.DE_FACTO_UNSUPPORTED: ("事实无人抚养儿童", "de-facto unsupported child"),
    ChildStatus.KEY_DISTRESSED: ("重点困境儿童", "child in key distress"),
    Department.EDUCATION: ("教育（教体局）", "education bureau"),
    Department.CIVIL_AFFAIRS: ("民政局", "civil affairs"),
    Department.HOUSING: ("住建局", "housing and construction"),
    Department.HEALTH: ("卫健局", "health commission"),
    Department.MEDICAL_INSURANCE: ("医保局", "medical insurance bureau"),
    Department.DISABLED_PERSONS_FEDERATION: ("残联", "disabled persons' federation"),
    Department.WATER: ("水利局", "water resources"),
    Department.HUMAN_RESOURCES: ("人社局", "human resources and social security"),
    Department.AGRICULTURE: ("农业农村局", "agriculture and rural affairs"),
    Department.PUBLIC_SECURITY: ("公安局", "public security"),
    Department.PETITIONS: ("信访局", "petitions bureau"),
    Department.EMERGENCY: ("应急管理局", "emergency management"),
    Department.OTHER: ("其他部门", "other department"),
    Channel.CONCENTRATED_SCREENING: ("集中排查", "concentrated screening"),
    Channel.SELF_APPLICATION: ("自主申报", "self-application"),
    Channel.ROUTINE_VISIT: ("日常摸排", "routine visits"),
    Channel.DEPARTMENT_PUSH: ("部门预警", "department warning"),
    Channel.RELATED_MONITORING: ("关联监测", "related monitoring"),
    Channel.CADRE_SCREENING: ("干部排查", "screening by cadres"),
    Channel.PETITION: ("信访信息", "petition"),
    ClueKind.INCOME_FALL: ("收入大幅减少", "sharp fall in income"),
    ClueKind.SPENDING_RISE: ("支出大幅增加", "sharp rise in spending"),
    ClueKind.UNSAFE_HOUSING: ("住房不安全", "unsafe housing"),
    ClueKind.DRINKING_WATER: ("安全饮水受到严重影响", "drinking water seriously affected"),
    ClueKind.INDUSTRY_FAILURE: ("产业项目失败", "failed industry project"),
    ClueKind.MASS_UNEMPLOYMENT: ("较大规模失业", "large-scale unemployment"),
    ClueKind.PUBLIC_EMERGENCY: ("突发公共事件、安全事故", "sudden public emergency or accident"),
    ClueKind.NEW_DIBAO_OR_TEKUN: ("新增低保特困", "new dibao / 特困"),
    ClueKind.DROPOUT: ("失学辍学", "out of school"),
    ClueKind.EDUCATION_AID: ("获得教育资助", "granted education aid"),
    ClueKind.MAJOR_DISEASE: ("大病", "major disease"),
    ClueKind.MEDICAL_BURDEN: ("医疗费用个人负担重", "heavy personal medical burden"),
    ClueKind.SEVERE_DISABILITY: ("重度残疾", "severe disability"),
    ClueKind.DISTRESSED_CHILD: ("困境儿童", "child in distress"),
    ClueKind.OTHER: ("其他", "other"),
    CareType.INPATIENT: ("住院", "inpatient"),
    CareType.CHRONIC_SPECIAL_OUTPATIENT: ("门诊慢特病", "chronic / special outpatient"),
    CareType.GENERAL_OUTPATIENT: ("普通门诊", "general outpatient"),
}
