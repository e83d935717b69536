import json

import pytest

from openrd.accounts.models import Organisation, Role
from openrd.accounts.services import assign_role, issue_api_token
from openrd.accounts.tests.factories import UserFactory
from openrd.core.models import AuditEntry
from openrd.programs.models import ProgramFigure
from openrd.programs.services import load_presets

pytestmark = pytest.mark.django_db

FIGURE = {"kind": "budget", "label_ja": "令和6年度予算", "fiscal_year": 2024,
          "amount_yen": 28_000_000_000}  # fmt: skip


def _post(client, user, body, lang="ja", code="moonshot"):
    _, raw = issue_api_token(user, name="t")
    return client.post(
        f"/api/v1/programs/{code}/figures", json.dumps(body), content_type="application/json",
        HTTP_ACCEPT_LANGUAGE=lang, HTTP_AUTHORIZATION=f"Bearer {raw}",
    )  # fmt: skip


@pytest.fixture
def jst_staff(loaded_programs):
    user = UserFactory()
    assign_role(user, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="jst"))
    return user


def test_agency_staff_of_the_program_records_a_figure(client, jst_staff):
    response = _post(client, jst_staff, FIGURE)
    assert response.status_code == 201
    assert response.json()["amount_ja"] == "280億円"
    assert response.json()["from_preset"] is False


def test_recorded_figures_survive_a_preset_reload(client, jst_staff):
    _post(client, jst_staff, FIGURE)
    from openrd.programs.models import Program

    Program.objects.filter(code="moonshot").update(preset_digest="stale")
    load_presets()
    assert ProgramFigure.objects.filter(from_preset=False).count() == 1


@pytest.mark.parametrize(
    ("amount", "message"),
    [
        (-1, "金額に負の値は入力できません。"),
        (1.5, None),
        ("1.5", None),
        ("abc", None),
    ],
)
def test_negative_fractional_or_non_numeric_yen_is_a_field_error(client, jst_staff, amount,
                                                                 message):  # fmt: skip
    response = _post(client, jst_staff, FIGURE | {"amount_yen": amount})
    assert response.status_code == 422
    error = response.json()["errors"][0]
    assert error["field"] == "amount_yen"
    if message is not None:
        assert error["msg"] == message
    assert not ProgramFigure.objects.filter(from_preset=False).exists()


def test_fractional_yen_message_in_english(client, jst_staff):
    response = _post(client, jst_staff, FIGURE | {"amount_yen": "1.5"}, lang="en")
    assert response.json()["errors"][0]["msg"] == "Enter the amount in whole yen."


def test_staff_of_another_agency_gets_404_and_nothing_is_saved(client, loaded_programs):
    jsps = UserFactory()
    assign_role(jsps, Role.AGENCY_STAFF, organisation=Organisation.objects.get(code="jsps"))
    assert _post(client, jsps, FIGURE).status_code == 404
    assert not ProgramFigure.objects.filter(from_preset=False).exists()
    denied = AuditEntry.objects.get(action="access.denied")
    assert (denied.actor, denied.object_type) == (jsps, "programs.program")


def test_unknown_field_in_a_figure_is_refused(client, jst_staff):
    response = _post(client, jst_staff, FIGURE | {"amount": 1})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "amount"
