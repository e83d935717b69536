"""Screening through the database: the corpus from hand-downs, flags for planted
duplicates and quiet on unrelated text, a whole-call run, and who sees a flag."""

from __future__ import annotations

import pytest
from django.test import Client

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role
from openrd.accounts.tests.factories import UserFactory
from openrd.integrity.handdown import ResearchRecord
from openrd.integrity.models import FlagKind, RunStatus, ScreeningFlag, ScreeningRun
from openrd.integrity.screening import corpus, services

pytestmark = pytest.mark.django_db

CANARY = "CANARY-51c9-screening-evidence"
# The canary sits in the passage both texts share: it is the evidence staff read.
AWARDED = (
    f"量子センサを用いた脳磁図計測の高感度化に関する研究{CANARY}。ダイヤモンド窒素空孔中心を用いて、"
    "室温で動作する小型の磁気センサを開発し、臨床現場での脳機能計測を可能にする。"
    "本研究では感度を従来の十倍に高め、計測時間を短縮する手法を確立する。"
)
# The same abstract with a sentence dropped and one added: a near-duplicate.
PLANTED = (
    f"量子センサを用いた脳磁図計測の高感度化に関する研究{CANARY}。ダイヤモンド窒素空孔中心を用いて、"
    "室温で動作する小型の磁気センサを開発し、臨床現場での脳機能計測を可能にする。"
    "さらに小児の計測にも応用する。"
)
UNRELATED = (
    "江戸時代の古文書の翻刻をデータベース化し、地域史の研究者が利用できる形で公開する。"
    "くずし字の自動認識を組み合わせ、市民参加による翻刻の検証を進める。"
)

# Other awards on the platform: with only two documents every shared term would be
# common, and inverse document frequency would weigh the copy down.
BACKGROUND = (
    "深層学習による気象レーダー画像からの局地的豪雨の短時間予測手法を開発する。",
    "再生医療に用いる細胞シートの品質評価法を確立し、製造工程の標準化を進める。",
    "We study the long-term storage of carbon in coastal wetlands under rising sea levels.",
    "小型衛星群による海洋観測網を構築し、漁業資源の持続的な管理に役立てる。",
    "A new catalyst for low-temperature ammonia synthesis from renewable hydrogen.",
    "地域公共交通の需要予測と自動運転バスの実証運行を通じて、地方の移動手段を確保する。",
)


@pytest.fixture
def people(loaded_programs):
    corpus.reset()
    jst, nedo = Organisation.objects.get(code="jst"), Organisation.objects.get(code="nedo")
    staff, officer, other = UserFactory(), UserFactory(), UserFactory()
    assign_role(staff, Role.AGENCY_STAFF, organisation=jst)
    assign_role(officer, Role.INTEGRITY_OFFICER, organisation=jst)
    assign_role(other, Role.AGENCY_STAFF, organisation=nedo)
    pi, applicant, third = UserFactory(), UserFactory(), UserFactory(roles=[Role.RESEARCHER])
    yield {"jst": jst, "staff": staff, "officer": officer, "other": other,
           "pi": pi, "applicant": applicant, "third": third}  # fmt: skip
    corpus.reset()


def hand_down(key: str, kind: str, person, agency, text: str, call: str = "call-1") -> None:
    services.record_document(
        ResearchRecord(
            source_key=key,
            kind=kind,
            person_id=person.pk,
            active=True,
            agency_id=agency.pk,
            call_code=call,
            text=text,
        )
    )


def background(people) -> None:
    for n, text in enumerate(BACKGROUND, start=100):
        hand_down(f"award:{n}", "award", people["third"], people["jst"], text, call="")


def test_a_planted_duplicate_is_flagged_and_unrelated_text_stays_quiet(people):
    background(people)
    hand_down("award:1", "award", people["pi"], people["jst"], AWARDED)
    hand_down("proposal:2", "proposal", people["applicant"], people["jst"], PLANTED)
    hand_down("proposal:3", "proposal", people["third"], people["jst"], UNRELATED)
    flags = services.screen_proposal("proposal:2")
    duplicate = [f for f in flags if f.kind == FlagKind.NEAR_DUPLICATE]
    assert [f.matched_key for f in duplicate] == ["award:1"]
    assert duplicate[0].score >= 0.6
    assert duplicate[0].evidence
    assert services.screen_proposal("proposal:3") == []
    again = services.screen_proposal("proposal:2")  # repeating writes no second flag
    assert len(again) == len(flags)
    assert ScreeningFlag.objects.filter(proposal_key="proposal:2").count() == len(flags)


def test_a_whole_call_run_screens_every_proposal_and_finishes(people):
    background(people)
    hand_down("award:1", "award", people["pi"], people["jst"], AWARDED)
    hand_down("proposal:2", "proposal", people["applicant"], people["jst"], PLANTED)
    hand_down("proposal:3", "proposal", people["third"], people["jst"], UNRELATED)
    run = ScreeningRun.objects.create(
        agency=people["jst"], call_code="call-1", requested_by=people["staff"]
    )
    done = services.execute_run(run.pk)
    assert done is not None
    assert (done.status, done.total, done.done) == (RunStatus.DONE, 2, 2)
    assert done.flags_found >= 1


def test_only_the_agencys_staff_and_integrity_officers_see_a_flag(people):
    background(people)
    hand_down("award:1", "award", people["pi"], people["jst"], AWARDED)
    hand_down("proposal:2", "proposal", people["applicant"], people["jst"], PLANTED)
    flag = next(
        f for f in services.screen_proposal("proposal:2") if f.kind == FlagKind.NEAR_DUPLICATE
    )
    url = f"/ja/integrity/screening/flags/{flag.pk}/"
    for who in ("staff", "officer"):
        client = Client()
        client.force_login(people[who])
        page = client.get(url)
        assert page.status_code == 200
        assert CANARY in page.content.decode()
        api = client.get(f"/api/v1/integrity/flags/{flag.pk}")
        assert api.status_code == 200
    for who in ("other", "applicant", "third"):
        client = Client()
        client.force_login(people[who])
        for address in (url, f"/api/v1/integrity/flags/{flag.pk}"):
            response = client.get(address)
            assert response.status_code == 404
            assert CANARY not in response.content.decode()
        listed = client.get("/api/v1/integrity/flags")
        assert CANARY not in listed.content.decode()
    anonymous = Client().get(url)
    assert anonymous.status_code == 302
    assert CANARY not in anonymous.content.decode()
