from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from openrd.accounts.models import Organisation, OrganisationKind
from openrd.core.fiscal import TOKYO, format_fiscal_year, to_tokyo
from openrd.core.i18n import current_lang
from openrd.core.money import YenError, validate_yen
from openrd.programs.models import CALL_TOPIC_KINDS, Program
from openrd.programs.queries import PUBLIC_PHASES, CallFilters
from openrd.programs.rules import program_rules
from openrd.programs.rules.call_terms import (
    REQUIREMENT_KEYS,
    check_eligibility_choices,
    choices_from_eligibility,
    eligibility_from_choices,
    eligibility_options,
)


class CallFilterForm(forms.Form):
    """The public call list's filters, read from the query string. Choices only:
    a value outside them is reported on its field and does not filter."""

    program = forms.ChoiceField(label=_("Program"), required=False)
    agency = forms.ChoiceField(label=_("Funding agency"), required=False)
    # A context keeps this label apart from other apps' "Status".
    status = forms.ChoiceField(label=pgettext_lazy("call filters", "Status"), required=False)
    fiscal_year = forms.TypedChoiceField(
        label=_("Fiscal year"), required=False, coerce=int, empty_value=None
    )

    def __init__(
        self,
        data: Any = None,
        *,
        programs: Iterable[Program],
        agencies: Iterable[Organisation],
        fiscal_years: Iterable[int],
    ) -> None:
        super().__init__(data)
        lang = current_lang()
        self._choose(
            "program",
            [
                ("", _("All programs")),
                *((p.code, p.short_name) for p in programs),
            ],
        )
        self._choose(
            "agency",
            [
                ("", _("All agencies")),
                *((a.code, a.name) for a in agencies),
            ],
        )
        self._choose(
            "status",
            [
                ("", pgettext_lazy("call filters", "Any status")),
                *((phase.value, phase.label) for phase in PUBLIC_PHASES),
            ],
        )
        self._choose(
            "fiscal_year",
            [
                ("", _("All fiscal years")),
                *((str(fy), format_fiscal_year(fy, lang)) for fy in fiscal_years),
            ],
        )
        for field in self.fields.values():
            field.widget.attrs["class"] = "select"

    def _choose(self, name: str, choices: list[tuple[str, Any]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices

    def filters(self) -> CallFilters:
        if not self.is_bound:
            return CallFilters()
        self.is_valid()
        # Only the fields that passed validation are in cleaned_data.
        data = self.cleaned_data
        return CallFilters(
            program=data.get("program") or "",
            agency=data.get("agency") or "",
            status=data.get("status") or "",
            fiscal_year=data.get("fiscal_year"),
        )


# ---------------------------------------------------------------- drafting a call


class TokyoDateTimeField(forms.DateTimeField):
    """A moment typed and shown on Japan's wall clock (``datetime-local``), stored
    aware in UTC: the zone is never guessed from the server or the browser."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local", "step": "1"})

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, datetime) and value.utcoffset() is not None:
            local = to_tokyo(value)
            return local.strftime("%Y-%m-%dT%H:%M:%S" if local.second else "%Y-%m-%dT%H:%M")
        return value

    def to_python(self, value: Any) -> datetime | None:
        if isinstance(value, str) and value.strip():
            try:
                parsed = datetime.fromisoformat(value.strip())
            except ValueError:
                raise forms.ValidationError(
                    _("Enter a date and time, e.g. 2026-04-01 12:00."), code="invalid"
                ) from None
            if parsed.tzinfo is None:
                return parsed.replace(tzinfo=TOKYO)
            return parsed
        result = super().to_python(value)
        if result is not None and result.utcoffset() is None:
            return result.replace(tzinfo=TOKYO)
        return result


class YenField(forms.CharField):
    """Yen typed as digits (commas, 円 and full-width digits accepted), exact integers."""

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return f"{value:,}"
        return value

    def to_python(self, value: Any) -> int | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return validate_yen(text)
        except YenError as exc:
            raise forms.ValidationError(exc.message, code=exc.code) from None


def _org_kind_label(kind: str) -> str:
    return str(OrganisationKind(kind).label)


REQUIREMENT_LABELS = {
    "sme_required": _("Only small and medium-sized enterprises"),
    "matching_funds_required": _("Industry contributes matching funds"),
    "stage_gates": _("Stage gates between phases"),
    "exit_strategy_required": _("An exit strategy is required"),
}
CALL_TEXT_FIELDS = ("code", "title_ja", "title_en", "summary_ja", "summary_en")
CALL_TERM_FIELDS = (
    "topic",
    "fiscal_year",
    "opens_at",
    "closes_at",
    "first_budget_year",
    "last_budget_year",
    "total_budget_yen",
    "cap_per_proposal_yen",
)
ELIGIBILITY_FIELDS = (
    "eligible_org_kinds",
    "phases",
    "max_duration_years",
    "max_years_since_founding",
    *REQUIREMENT_KEYS,
    "founding_limit_in_principle",
)


class CallForm(forms.Form):
    """A draft call's fields under one program. The eligibility fields are built
    from the program's rules and offer only values at least as strict."""

    agency = forms.ChoiceField(label=_("Funding agency"))
    code = forms.SlugField(
        label=_("Call code"),
        max_length=64,
        help_text=_("Letters, digits and hyphens; shown in the address and the guidelines."),
    )
    # With a context: the same words label a proposal's title elsewhere (課題名),
    # and Django keeps one translation per msgid across all the apps.
    title_ja = forms.CharField(label=pgettext_lazy("call", "Title (Japanese)"), max_length=300)
    title_en = forms.CharField(
        label=pgettext_lazy("call", "Title (English)"), max_length=300, required=False
    )
    summary_ja = forms.CharField(
        label=_("Summary (Japanese)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    summary_en = forms.CharField(
        label=_("Summary (English)"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    topic = forms.ChoiceField(label=pgettext_lazy("call", "Topic"), required=False)
    fiscal_year = forms.IntegerField(
        label=_("Fiscal year of the call"),
        min_value=1868,
        max_value=2200,
        help_text=_("The Western year the fiscal year starts in (April), e.g. 2026 for 令和8年度."),
    )
    opens_at = TokyoDateTimeField(label=_("Opens (Japan time)"))
    closes_at = TokyoDateTimeField(
        label=_("Closes (Japan time)"),
        help_text=_("Proposals are taken until this second, inclusive."),
    )
    first_budget_year = forms.IntegerField(
        label=_("First budget year"), min_value=1868, max_value=2200
    )
    last_budget_year = forms.IntegerField(
        label=_("Last budget year"), min_value=1868, max_value=2200
    )
    total_budget_yen = YenField(label=_("Total budget (yen)"))
    cap_per_proposal_yen = YenField(label=_("Cap per proposal (yen)"))

    def __init__(
        self,
        data: Any = None,
        *,
        program: Program,
        agencies: Iterable[Organisation],
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, initial=initial)
        self.program = program
        self.rules = program_rules(program.rules)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ChoiceField)
        agency_field.choices = [(a.code, a.name) for a in agencies]
        topic_field = self.fields["topic"]
        assert isinstance(topic_field, forms.ChoiceField)
        topic_field.choices = [
            ("", _("The whole program")),
            *(
                (e.code, e.title)
                for e in program.elements.filter(kind__in=CALL_TOPIC_KINDS).order_by("order", "id")
            ),
        ]
        self._add_eligibility_fields()
        for field in self.fields.values():
            # Django names the help text in aria-describedby itself.
            if not isinstance(field.widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                field.widget.attrs.setdefault("class", "input")

    def _add_eligibility_fields(self) -> None:
        options = eligibility_options(self.rules)
        self.fields["eligible_org_kinds"] = forms.MultipleChoiceField(
            label=_("Who can apply"),
            choices=[(k, _org_kind_label(k)) for k in options.org_kinds],
            widget=forms.CheckboxSelectMultiple,
            help_text=_("Only the kinds the program admits are offered."),
        )
        if options.phases:
            self.fields["phases"] = forms.MultipleChoiceField(
                label=_("Phases open in this call"),
                choices=[(p, p) for p in options.phases],
                widget=forms.CheckboxSelectMultiple,
            )
        for key, label in (
            ("max_duration_years", _("Longest support (years)")),
            ("max_years_since_founding", _("Founded within (years)")),
        ):
            limit = options.limits[key]
            self.fields[key] = forms.IntegerField(
                label=label,
                required=False,
                help_text=(
                    _("The program allows at most %(limit)d; a call may only lower it.")
                    % {"limit": limit}
                    if limit is not None
                    else _("The program sets no limit; leave empty for none.")
                ),
            )
        for key in REQUIREMENT_KEYS:
            fixed = key in options.fixed_requirements
            self.fields[key] = forms.BooleanField(
                label=REQUIREMENT_LABELS[key],
                required=False,
                # Already required by the program: shown, but a call cannot lift it.
                disabled=fixed,
                help_text=_("Required by the program.") if fixed else "",
            )
        if options.may_remove_exceptions:
            self.fields["founding_limit_in_principle"] = forms.BooleanField(
                label=_("The founding limit admits exceptions (in principle)"),
                required=False,
                help_text=_("Untick to allow no exception in this call."),
            )
        for key, value in choices_from_eligibility(self.rules, {}).items():
            if key in self.fields:
                self.fields[key].initial = value

    def eligibility_field_names(self) -> list[str]:
        return [n for n in ELIGIBILITY_FIELDS if n in self.fields]

    def bound(self, names: Iterable[str]) -> list[forms.BoundField]:
        return [self[n] for n in names if n in self.fields]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = {n: data[n] for n in self.eligibility_field_names() if n in data}
        for key, message in check_eligibility_choices(self.rules, chosen).items():
            if key in self.fields and key not in self.errors:
                self.add_error(key, message)
        return data

    def eligibility(self) -> dict[str, Any]:
        chosen = {n: self.cleaned_data.get(n) for n in self.eligibility_field_names()}
        return eligibility_from_choices(self.rules, chosen)

    def call_fields(self) -> dict[str, Any]:
        """The cleaned values as ``services.calls`` takes them."""
        data = self.cleaned_data
        fields = {n: data[n] for n in (*CALL_TEXT_FIELDS, *CALL_TERM_FIELDS) if n != "topic"}
        fields["topic"] = (
            self.program.elements.get(code=data["topic"]) if data.get("topic") else None
        )
        fields["eligibility"] = self.eligibility()
        return fields


class DocumentRowForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=64)
    name_ja = forms.CharField(label=pgettext_lazy("call row", "Name (Japanese)"), max_length=200)
    name_en = forms.CharField(
        label=pgettext_lazy("call row", "Name (English)"), max_length=200, required=False
    )
    required = forms.BooleanField(label=_("Required"), required=False, initial=True)


class CriterionRowForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=64)
    name_ja = forms.CharField(label=pgettext_lazy("call row", "Name (Japanese)"), max_length=200)
    name_en = forms.CharField(
        label=pgettext_lazy("call row", "Name (English)"), max_length=200, required=False
    )
    weight = forms.IntegerField(label=_("Weight"), min_value=1, max_value=100)


DocumentFormSet = forms.formset_factory(DocumentRowForm, extra=1, can_delete=True)
CriterionFormSet = forms.formset_factory(CriterionRowForm, extra=1, can_delete=True)
DOCUMENTS_PREFIX, CRITERIA_PREFIX = "documents", "criteria"


def kept_rows(formset: forms.BaseFormSet) -> list[tuple[int, dict[str, Any]]]:
    """The rows to save with their form positions: filled in and not marked for removal."""
    rows = []
    for i, form in enumerate(formset.forms):
        data = form.cleaned_data
        if not data or data.get("DELETE"):
            continue
        rows.append((i, {k: v for k, v in data.items() if k != "DELETE"}))
    return rows


class DeadlineForm(forms.Form):
    """An open call's one changeable term: a later closing time."""

    closes_at = TokyoDateTimeField(
        label=_("New closing time (Japan time)"),
        help_text=_("It may be extended, not brought forward."),
    )
