import pytest

from openrd.core.decisions import Decision, Reason

TOO_OLD = Reason("sbir.founded_over_15_years", "Founded more than 15 years ago.", "SBIR 4.1")
TOO_BIG = Reason("sbir.too_many_employees", "More than 300 employees.", "SBIR 4.2")


def test_empty_decision_is_allowed():
    assert Decision().allowed is True
    assert Decision().codes() == []


def test_any_reason_refuses():
    assert Decision((TOO_OLD,)).allowed is False


def test_of_drops_none_and_keeps_order():
    decision = Decision.of(None, TOO_BIG, None, TOO_OLD)
    assert decision.reasons == (TOO_BIG, TOO_OLD)
    assert decision.codes() == ["sbir.too_many_employees", "sbir.founded_over_15_years"]


def test_of_with_only_none_is_allowed():
    assert Decision.of(None, None).allowed is True


def test_adding_decisions_concatenates_reasons():
    merged = Decision.of(TOO_OLD) + Decision.of(TOO_BIG)
    assert merged.codes() == ["sbir.founded_over_15_years", "sbir.too_many_employees"]
    assert (Decision() + Decision()).allowed is True


def test_adding_a_non_decision_is_a_type_error():
    with pytest.raises(TypeError):
        Decision() + TOO_OLD  # type: ignore[operator]


def test_reason_as_dict():
    assert TOO_OLD.as_dict() == {
        "code": "sbir.founded_over_15_years",
        "message": "Founded more than 15 years ago.",
        "source": "SBIR 4.1",
    }


def test_truth_testing_is_refused_because_it_is_ambiguous():
    with pytest.raises(TypeError, match="allowed"):
        bool(Decision())


def test_decisions_are_immutable_and_comparable():
    assert Decision.of(TOO_OLD) == Decision((TOO_OLD,))
    with pytest.raises(AttributeError):
        Decision().reasons = (TOO_OLD,)  # type: ignore[misc]
