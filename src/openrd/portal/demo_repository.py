"""The demo's research outputs: from the Moonshot Goal 6 demo awards, deposited by
the university library's curator (a mediated deposit, as JAIRO Cloud libraries
often do) — an open accepted manuscript, its dataset, an embargoed article, a
metadata-only record, a withdrawn one and a deposit awaiting curation; and the
papers of an award from a call opened after the immediate-OA mandate began, one
in each state of compliance (the demo researcher's). The titles are fictional,
for the demo. Left alone once they exist."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from openrd.accounts.models import Role, User
from openrd.accounts.services import assign_role
from openrd.awards.models import Award
from openrd.awards.services import create_award
from openrd.core.fiscal import TOKYO, fiscal_year_of
from openrd.programs.models import Call, CallStatus
from openrd.repository import apc, services
from openrd.repository.models import Output

AWARD = "DEMO-MS6-PM3"
MANDATED_AWARD = "DEMO-MS6-ADD-01"
MANDATED_CALL = "moonshot-{fy}-goal-6-jst-additional"  # the demo data's, by its opening year
MARK = "（デモ）"


def _csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["cycle", "logical_error_rate", "physical_error_rate"])
    for cycle in range(1, 21):
        writer.writerow([cycle, f"{0.012 / (1 + cycle / 10):.5f}", "0.00100"])
    return out.getvalue().encode("utf-8")


def _creators(award: Award) -> list[dict[str, Any]]:
    family_ja, _, given_ja = award.pi_name_ja.partition(" ")
    given_en, _, family_en = award.pi_name_en.partition(" ")
    return [
        {
            "family_name_ja": family_ja or award.pi_name_ja,
            "given_name_ja": given_ja,
            "family_name_en": family_en or award.pi_name_en,
            "given_name_en": given_en,
            "affiliation": award.institution,
        },
        {
            "family_name_ja": "研究",
            "given_name_ja": "明子",
            "family_name_en": "Kenkyu",
            "given_name_en": "Akiko",
            "orcid": "0000-0002-1825-0097",
            "erad_researcher_number": "12345678",
            "affiliation_name_ja": "東都大学",
            "affiliation_name_en": "Toto University",
        },
    ]


def _deposit(
    award: Award,
    curator: User,
    *,
    publish: bool,
    files: list[tuple[str, bytes, str]],
    at: datetime,
    **fields: Any,
) -> Output:
    output = services.create_output(actor=curator, award=award, **fields)
    services.set_creators(output, _creators(award), actor=curator)
    for name, content, access in files:
        services.attach_file(output, content, actor=curator, name=name, access=access)
    if publish:
        services.submit(output, actor=curator, now=at)
        services.curate(output, actor=curator, now=at)
        services.publish(output, actor=curator, now=at)
    return output


def load_outputs(*, today: date, pdf: Callable[[str], bytes]) -> list[str]:
    award = Award.objects.filter(grant_number=AWARD).select_related("institution").first()
    curator = User.objects.filter(username="curator").first()
    if award is None or curator is None:
        return []
    assign_role(curator, Role.CURATOR, organisation=award.institution)
    if Output.objects.filter(award=award).exists():
        return []
    at = datetime.combine(today - timedelta(days=30), time(10), tzinfo=TOKYO)
    common = {"language": "jpn", "peer_reviewed": True, "licence": "CC-BY-4.0"}
    article = _deposit(
        award,
        curator,
        publish=True,
        at=at,
        kind="article",
        title_ja="表面符号における論理誤り率の実験的評価" + MARK,
        title_en="Experimental evaluation of logical error rates in the surface code (demo)",
        abstract_ja="誤り耐性型量子計算に向けて、表面符号の論理誤り率を測定した。（デモ用の架空の論文）",
        abstract_en="We measured logical error rates of the surface code (fictional, a demo).",
        keywords=["量子誤り訂正", "表面符号", "quantum error correction"],
        journal_title="Journal of Quantum Demo Studies",
        issn="1234-5679",
        volume="12",
        issue="3",
        page_start="101",
        page_end="118",
        publisher="Demo Academic Press",
        accepted_on=today - timedelta(days=80),
        published_on=today - timedelta(days=45),
        files=[
            ("accepted-manuscript.pdf", pdf("表面符号の論理誤り率（著者最終稿・デモ）"), "open")
        ],
        **common,
    )
    apc.record_apc(
        article,
        actor=curator,
        amount_yen=385_000,
        paid_on=today - timedelta(days=40),
        payer="institution",
        agreement="transformative",
    )
    dataset = _deposit(
        award,
        curator,
        publish=True,
        at=at,
        kind="dataset",
        resource_type="dataset",
        title_ja="表面符号の誤り率測定データ" + MARK,
        title_en="Surface-code error-rate measurements (demo)",
        abstract_ja="上記論文の根拠データ。",
        abstract_en="The back data of the article above.",
        files=[("error-rates.csv", _csv(), "open")],
        language="jpn",
        licence="CC-BY-4.0",
    )
    Output.objects.filter(pk=dataset.pk).update(supports=article)
    _deposit(
        award,
        curator,
        publish=True,
        at=at,
        kind="article",
        title_ja="超伝導量子ビットのコヒーレンス時間の改善" + MARK,
        title_en="Improving coherence times of superconducting qubits (demo)",
        journal_title="Demo Letters in Physics",
        accepted_on=today - timedelta(days=20),
        published_on=today - timedelta(days=10),
        access_rights="embargoed",
        embargo_until=today + timedelta(days=170),
        embargo_reason="publisher",
        files=[
            ("accepted-manuscript.pdf", pdf("コヒーレンス時間（エンバーゴ中・デモ）"), "embargoed")
        ],
        **common,
    )
    _deposit(
        award,
        curator,
        publish=True,
        at=at,
        kind="article",
        title_ja="量子ビット制御配線の低温特性" + MARK,
        title_en="Cryogenic properties of qubit control wiring (demo)",
        journal_title="Demo Journal of Cryogenics",
        doi="10.5555/demo.2026.001",
        published_on=today - timedelta(days=60),
        access_rights="metadata_only",
        files=[],
        language="eng",
        peer_reviewed=True,
    )
    withdrawn = _deposit(
        award,
        curator,
        publish=True,
        at=at,
        kind="article",
        title_ja="取り下げられた予備的結果" + MARK,
        title_en="A withdrawn preliminary result (demo)",
        journal_title="Journal of Quantum Demo Studies",
        published_on=today - timedelta(days=90),
        files=[("preliminary.pdf", pdf("予備的結果（取り下げ・デモ）"), "open")],
        **common,
    )
    services.withdraw(
        withdrawn,
        actor=curator,
        reason="デモ：著者の申し出により取り下げ（重複登録）。",
        now=at + timedelta(days=1),
    )
    _deposit(
        award,
        curator,
        publish=False,
        at=at,
        kind="article",
        title_ja="量子誤り訂正のデコーダ比較" + MARK,
        title_en="Comparing decoders for quantum error correction (demo)",
        journal_title="Journal of Quantum Demo Studies",
        published_on=today - timedelta(days=5),
        files=[("accepted-manuscript.pdf", pdf("デコーダ比較（確認待ち・デモ）"), "open")],
        **common,
    )
    pending = Output.objects.get(title_ja="量子誤り訂正のデコーダ比較" + MARK)
    services.submit(pending, actor=curator)
    return [o.title_ja for o in Output.objects.filter(award=award).order_by("pk")]


def _mandated_award(today: date) -> Award | None:
    """The demo researcher's award from the additional Moonshot Goal 6 call."""
    award = Award.objects.filter(grant_number=MANDATED_AWARD).first()
    if award is not None:
        return award
    calls = Call.objects.filter(program__code="moonshot", status=CallStatus.CLOSED)
    call = next((c for c in calls if c.code == MANDATED_CALL.format(fy=c.fiscal_year)), None)
    staff = User.objects.filter(username="agency").first()
    researcher = User.objects.filter(username="researcher").select_related("organisation").first()
    if call is None or staff is None or researcher is None or researcher.organisation is None:
        return None
    # Selected and started about two months after the call closed.
    begins = call.closes_at.date() + timedelta(days=60)
    starts_on = date(begins.year, begins.month, 1)
    return create_award(
        actor=staff,
        program=call.program,
        call=call,
        grant_number=MANDATED_AWARD,
        title_ja="誤り耐性量子計算のための低温制御エレクトロニクス" + MARK,
        title_en="Cryogenic control electronics for fault-tolerant quantum computing (demo)",
        pi=researcher,
        pi_name_ja=researcher.name_ja,
        pi_name_en=researcher.name_en,
        institution=researcher.organisation,
        starts_on=starts_on,
        ends_on=date(starts_on.year + 5, starts_on.month, 1) - timedelta(days=1),
        budget=[(fiscal_year_of(starts_on) + i, 120_000_000) for i in range(5)],
        reports_due_from=today,
    )


def load_mandated_outputs(*, today: date, pdf: Callable[[str], bytes]) -> list[str]:
    """The mandated award's papers, one per state of compliance: open (compliant),
    a draft still within its 30 days (pending: a task on the researcher's
    dashboard), embargoed by the publisher with the reason reported (exception),
    and metadata only long past its due date (non-compliant)."""
    award = _mandated_award(today)
    curator = User.objects.filter(username="curator").first()
    if award is None or curator is None or Output.objects.filter(award=award).exists():
        return []
    assert award.pi is not None
    researcher = award.pi
    assign_role(curator, Role.CURATOR, organisation=award.institution)
    common: dict[str, Any] = {
        "kind": "article",
        "language": "eng",
        "peer_reviewed": True,
        "licence": "CC-BY-4.0",
    }

    def deposit(title_ja: str, title_en: str, published_days_ago: int, *, publish: bool,
                files: list[tuple[str, bytes, str]], **fields: Any) -> Output:  # fmt: skip
        published_on = today - timedelta(days=published_days_ago)
        output = services.create_output(
            actor=researcher, award=award, title_ja=title_ja + MARK, title_en=title_en,
            journal_title="Journal of Quantum Demo Studies", publisher="Demo Academic Press",
            accepted_on=published_on - timedelta(days=40), published_on=published_on,
            **(common | fields),
        )  # fmt: skip
        services.set_creators(output, _creators(award)[:1], actor=researcher)
        for name, content, access in files:
            services.attach_file(output, content, actor=researcher, name=name, access=access)
        if publish:
            at = datetime.combine(published_on + timedelta(days=3), time(10), tzinfo=TOKYO)
            services.submit(output, actor=researcher, now=at)
            services.curate(output, actor=curator, now=at)
            services.publish(output, actor=curator, now=at)
        return output

    deposit(
        "極低温CMOS制御回路の消費電力評価", "Power consumption of cryo-CMOS qubit control (demo)",
        90, publish=True,
        files=[("accepted-manuscript.pdf", pdf("極低温CMOS制御回路（著者最終稿・デモ）"), "open")],
    )  # fmt: skip
    deposit(
        "多重化読み出し配線の熱負荷", "Heat load of multiplexed readout wiring (demo)",
        12, publish=False,
        files=[("accepted-manuscript.pdf", pdf("多重化読み出し配線（著者最終稿・デモ）"), "open")],
    )  # fmt: skip
    embargoed = deposit(
        "超伝導配線の高周波特性", "High-frequency properties of superconducting wiring (demo)",
        40, publish=True, access_rights="embargoed",
        embargo_until=today + timedelta(days=325), embargo_reason="publisher",
        files=[("accepted-manuscript.pdf", pdf("超伝導配線（エンバーゴ中・デモ）"), "embargoed")],
    )  # fmt: skip
    services.report_oa_exception(
        embargoed,
        actor=researcher,
        reason="publisher_embargo",
        note="デモ：出版社の方針で著者最終稿に12か月のエンバーゴが課されている。",
        today=today - timedelta(days=35),
    )
    deposit(
        "量子ビット制御の較正手順", "A calibration procedure for qubit control (demo)",
        200, publish=True, access_rights="metadata_only", files=[],
    )  # fmt: skip
    return [o.title_ja for o in Output.objects.filter(award=award).order_by("pk")]
