"""The demo's startup ecosystem: the three fictional SBIR startups as companies
with facts from a (fictional) registry snapshot and their own profiles, so that
they are assessed as SMEs and SBIR-eligible; MLIT's open trial-procurement
challenge with the first startup's proposal waiting for a decision; and a
Cabinet Office Open Innovation Challenge of last year that ended in a pilot
and a contract; and the SBIR calls' topics (METI's procurement need). Left alone
once loaded."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from openrd.accounts.models import Organisation, User
from openrd.core.fiscal import TOKYO
from openrd.ecosystem.accelerators import save_cohort, save_support_organisation
from openrd.ecosystem.challenges import close_challenge, post_challenge
from openrd.ecosystem.models import AcceleratorProgram, Challenge, Company, HubConsortium
from openrd.ecosystem.responses import respond, take_step
from openrd.ecosystem.sbir import define_topic
from openrd.ecosystem.services import reassess, record_fact, update_profile, upsert_company
from openrd.programs.models import Call

SNAPSHOT = "法人登記情報スナップショット（デモ・架空）"
# (organisation, prefecture, city, capital, employees, industry, keywords, description)
COMPANIES = [
    ("sakura-quantum", "東京都", "文京区", 30_000_000, 24, "manufacturing",
     ["量子センサ", "ドローン", "インフラ点検"],
     "量子センサを用いた非破壊検査装置を開発している（デモ）。"),
    ("hikari-robotics", "福岡県", "福岡市", 9_000_000, 11, "manufacturing",
     ["ロボット", "遠隔操作", "災害対応"],
     "災害現場で遠隔操作できる小型ロボットを開発している（デモ）。"),
    ("minato-sensing", "神奈川県", "横浜市", 5_000_000, 7, "software_information",
     ["センシング", "データ解析", "港湾"],
     "港湾設備の振動データを解析するセンシングサービスを提供している（デモ）。"),
]  # fmt: skip


def _companies(tower: User) -> list[Company]:
    made = []
    for code, pref, city, capital, employees, industry, words, text in COMPANIES:
        org = Organisation.objects.filter(code=code).first()
        if org is None or org.corporate_number is None:
            continue
        company = upsert_company(
            actor=tower, corporate_number=org.corporate_number, name_ja=org.name_ja,
            name_en=org.name_en, name_kana=org.name_kana, prefecture=pref, city=city,
            organisation=org,
        )  # fmt: skip
        as_of = date(2026, 4, 1)
        facts = [("capital_yen", capital), ("employees", employees), ("industry", industry),
                 ("single_large_share", "0"), ("large_total_share", "0"),
                 ("large_officers_share", "0")]  # fmt: skip
        if org.founded_on is not None:
            facts.append(("founded_on", org.founded_on.isoformat()))
        for kind, value in facts:
            record_fact(company, actor=tower, kind=kind, value=value, as_of=as_of,
                        source="public_registry", source_ref=SNAPSHOT,
                        reassess_after=False)  # fmt: skip
        reassess(company, actor=tower)
        update_profile(company, actor=tower, description_ja=text, description_en="",
                       keywords=words)  # fmt: skip
        made.append(company)
    return made


def load_ecosystem(*, today: date) -> list[str]:
    tower = User.objects.filter(username="admin").first()
    if tower is None or Company.objects.exists() or Challenge.objects.exists():
        return []
    companies = {c.organisation.code: c for c in _companies(tower) if c.organisation}
    mlit = Organisation.objects.filter(code="mlit").first()
    cabinet = Organisation.objects.filter(code="cao").first()
    loaded = [f"company {c.name_ja}" for c in companies.values()]
    if mlit is not None:
        bridge = post_challenge(
            actor=tower, code="demo-mlit-bridge-inspection", owner=mlit,
            kind="trial_procurement", title_ja="道路橋点検の省人化（デモ）",
            title_en="Fewer people for road-bridge inspections (demo)",
            need_ja="ドローンやセンサで道路橋の点検を省人化・高度化する技術を求める（デモ）。",
            need_en="Drones or sensors that inspect road bridges with fewer people (demo).",
            keywords=["インフラ点検", "ドローン", "センサ"], prefecture="東京都",
            opens_on=today - timedelta(days=14), closes_on=today + timedelta(days=60),
            contract_basis="指定補助金等の成果を用いた随意契約（日本版SBIR）", publish=True,
        )  # fmt: skip
        loaded.append(bridge.code)
        officer = User.objects.filter(username="startup-officer").first()
        if officer is not None and "sakura-quantum" in companies:
            text = "量子センサ搭載ドローンで床版の内部損傷を検出する（デモ）。"
            respond(actor=officer, challenge=bridge, company=companies["sakura-quantum"],
                    proposal_ja=text)  # fmt: skip
    if cabinet is not None and "hikari-robotics" in companies:
        rescue = post_challenge(
            actor=tower, code="demo-cao-disaster-robots", owner=cabinet,
            kind="open_innovation", title_ja="災害対応ロボットの実証（デモ）",
            title_en="Trials of disaster-response robots (demo)",
            need_ja="倒壊家屋での捜索を支援する遠隔操作ロボットを求める（デモ）。",
            keywords=["ロボット", "災害対応"],
            opens_on=today - timedelta(days=400), closes_on=today - timedelta(days=300),
            publish=True,
        )  # fmt: skip
        officer = User.objects.get(username="startup-b-officer")
        response = respond(
            actor=officer, challenge=rescue, company=companies["hikari-robotics"],
            proposal_ja="小型遠隔操作ロボットによる捜索支援を実証する（デモ）。",
            now=datetime.combine(today - timedelta(days=350), time(12, 0), tzinfo=TOKYO),
        )  # fmt: skip
        take_step(response, actor=tower, to="shortlisted")
        take_step(response, actor=tower, to="pilot", pilot_starts_on=today - timedelta(days=250))
        take_step(response, actor=tower, to="contracted", contract_basis="sbir_discretionary",
                  contracted_on=today - timedelta(days=60), contract_yen=18_000_000)  # fmt: skip
        close_challenge(rescue, actor=tower)
        loaded.append(rescue.code)
    program = AcceleratorProgram.objects.order_by("code").first()
    hikari = companies.get("hikari-robotics")
    if program is not None and hikari is not None:
        save_cohort(
            actor=tower, program=program, code="demo-fukuoka-2025", fiscal_year=2025,
            name_ja="福岡アクセラレーション 2025（デモ）",
            accelerator="海外トップアクセラレータ（デモ・架空）",
            hub=HubConsortium.objects.filter(code="fukuoka").first(),
            starts_on=date(2025, 7, 1), ends_on=date(2025, 12, 20), companies=[hikari],
        )  # fmt: skip
        save_support_organisation(
            actor=tower, code="demo-fukuoka-vc", name_ja="福岡ベンチャーキャピタル（デモ・架空）",
            kind="venture_capital", in_plus=True,
            hub=HubConsortium.objects.filter(code="fukuoka").first(), prefecture="福岡県",
        )  # fmt: skip
        loaded.append("cohort demo-fukuoka-2025")
    for call in Call.objects.filter(program__code="sbir").order_by("opens_at"):
        define_topic(
            call, actor=tower, topic_type="procurement_need", pm_name_ja="経済 太郎（デモ）",
            goal_ja="半導体製造の資源循環に資する技術として、国の実証事業での採用につなげる（デモ）。",
            goal_en="Toward use in the State's demonstration projects on resource recycling in "
            "semiconductor manufacturing (demo).",
        )  # fmt: skip
        loaded.append(f"topic {call.code}")
    return loaded
