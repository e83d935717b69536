"""One refusal type: its API body, and the one page answer for every page."""

import pytest
from django.test import RequestFactory
from django.utils import translation

from openrd.core.decisions import Decision, Reason
from openrd.core.refusals import REFUSED_STATUS, Refused, RefusedMiddleware

REASON = Reason("call.not_open", "この公募は受付期間外です。", "公募要領")


def test_a_refusal_needs_a_reason():
    with pytest.raises(ValueError, match="at least one reason"):
        Refused(Decision())


def test_the_api_body_has_the_headline_and_every_reason_with_its_source():
    refused = Refused(
        Decision.of(REASON, Reason("x.y", "二つ目", "指針")), detail="提出できません。"
    )
    assert refused.as_dict() == {
        "detail": "提出できません。",
        "reasons": [
            {
                "code": "call.not_open",
                "message": "この公募は受付期間外です。",
                "source": "公募要領",
            },
            {"code": "x.y", "message": "二つ目", "source": "指針"},
        ],
    }


def test_without_a_headline_the_reasons_speak_for_themselves():
    assert Refused.because("a.b", "理由です。", "出典").headline() == "理由です。"


def _answer(request, exc):
    middleware = RefusedMiddleware(lambda r: None)
    return middleware.process_exception(request, exc)


@pytest.mark.django_db
def test_any_page_that_raises_it_answers_409_with_the_reasons(rf: RequestFactory):
    request = rf.get("/ja/somewhere/", HTTP_REFERER="http://testserver/ja/calls/")
    request.user = None
    with translation.override("ja"):
        response = _answer(request, Refused(Decision.of(REASON)))
    assert response.status_code == REFUSED_STATUS
    page = response.content.decode()
    assert 'data-code="call.not_open"' in page
    assert "（公募要領）" in page
    assert 'href="http://testserver/ja/calls/"' in page
    assert "<html" in page


@pytest.mark.django_db
def test_htmx_gets_a_fragment_and_a_foreign_referer_is_not_followed(rf: RequestFactory):
    request = rf.get("/ja/x/", HTTP_HX_REQUEST="true", HTTP_REFERER="https://evil.example/")
    request.user = None
    response = _answer(request, Refused(Decision.of(REASON)))
    assert response.status_code == REFUSED_STATUS
    assert "<html" not in response.content.decode()
    page_request = rf.get("/ja/x/", HTTP_REFERER="https://evil.example/")
    page_request.user = None
    assert (
        "evil.example" not in _answer(page_request, Refused(Decision.of(REASON))).content.decode()
    )


def test_other_exceptions_pass_through(rf: RequestFactory):
    assert _answer(rf.get("/"), ValueError("x")) is None
