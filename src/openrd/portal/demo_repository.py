"""The demo's research outputs: from the Moonshot Goal 6 demo awards, deposited by
the university library's curator (a mediated deposit, as JAIRO Cloud libraries
often do) — an open accepted manuscript, its dataset, an embargoed article, a
metadata-only record, a withdrawn one and a deposit awaiting curation. The
titles are fictional, for the demo. Left alone once they exist."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from openrd.accounts.models import Role, User
from openrd.accounts.services import assign_role
from openrd.awards.models import Award
from openrd.core.fiscal import TOKYO
from openrd.repository import apc, services
from openrd.repository.models import Output

AWARD = "DEMO-MS6-PM3"
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
