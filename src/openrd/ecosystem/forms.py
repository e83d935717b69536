"""The ecosystem pages' forms: a proposal to a challenge, the owner's step on a
proposal, a fact a company declares, and its profile. The forms keep what was
typed; the services decide (their errors come back onto these fields)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from openrd.ecosystem.challenge_files import contract_bases
from openrd.ecosystem.models import (
    DatePrecision,
    FactKind,
    MilestoneKind,
    MilestoneStatus,
    ResponseStatus,
    SupportKind,
    TopicMode,
    TopicType,
)

TEXT = {"class": "textarea", "rows": 6}
INPUT = {"class": "input"}
DATE = {"class": "input", "placeholder": "YYYY-MM-DD", "inputmode": "numeric"}


class ProposalForm(forms.Form):
    company = forms.ChoiceField(label=_("Proposing company"))
    proposal_ja = forms.CharField(
        label=_("The proposal (Japanese)"), max_length=4000, widget=forms.Textarea(attrs=TEXT)
    )
    proposal_en = forms.CharField(
        label=_("The proposal (English)"), max_length=4000, required=False,
        widget=forms.Textarea(attrs=TEXT),
    )  # fmt: skip

    def __init__(self, *args: Any, companies: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["company"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(str(c.pk), c.name) for c in companies]
        field.widget.attrs.update({"class": "select"})


class StepForm(forms.Form):
    """The owner's decision on one proposal (the target step says which fields count)."""

    to = forms.ChoiceField(
        label=_("Decision"),
        choices=[(s.value, s.label) for s in ResponseStatus
                 if s not in (ResponseStatus.SUBMITTED, ResponseStatus.WITHDRAWN)],
        widget=forms.Select(attrs={"class": "select"}),
    )  # fmt: skip
    note = forms.CharField(
        label=_("Note to the company"), max_length=2000, required=False,
        widget=forms.Textarea(attrs={"class": "textarea", "rows": 3}),
        help_text=_("Required when the proposal is not taken forward."),
    )  # fmt: skip
    pilot_starts_on = forms.DateField(
        label=_("Pilot starts"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    contract_basis = forms.ChoiceField(
        label=_("Legal basis of the contract"), required=False,
        widget=forms.Select(attrs={"class": "select"}),
    )  # fmt: skip
    contracted_on = forms.DateField(
        label=_("Contract signed"), required=False, widget=forms.DateInput(attrs=DATE)
    )
    contract_yen = forms.IntegerField(
        label=_("Contract amount (yen)"), required=False, min_value=0,
        widget=forms.TextInput(attrs={"class": "input", "inputmode": "numeric"}),
    )  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["contract_basis"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Choose…")), *[(b.code, b.name) for b in contract_bases().values()]]


class FactForm(forms.Form):
    """A fact the company declares itself (registry facts are the staff's)."""

    kind = forms.ChoiceField(
        label=_("Fact"), choices=FactKind.choices, widget=forms.Select(attrs={"class": "select"})
    )
    value = forms.CharField(
        label=_("Value"), max_length=64, widget=forms.TextInput(attrs=INPUT),
        help_text=_("A date as YYYY-MM-DD (or YYYY-MM, YYYY), yen or a count as a whole "
                    "number, an industry by its code."),
    )  # fmt: skip
    precision = forms.ChoiceField(
        label=_("Precision of a date"), required=False,
        choices=[("", _("as typed")), *DatePrecision.choices],
        widget=forms.Select(attrs={"class": "select"}),
    )  # fmt: skip
    as_of = forms.DateField(label=_("As of"), widget=forms.DateInput(attrs=DATE))


class ProfileForm(forms.Form):
    description_ja = forms.CharField(
        label=_("What the company does (Japanese)"), max_length=2000, required=False,
        widget=forms.Textarea(attrs=TEXT),
    )  # fmt: skip
    description_en = forms.CharField(
        label=_("What the company does (English)"), max_length=2000, required=False,
        widget=forms.Textarea(attrs=TEXT),
    )  # fmt: skip
    keywords = forms.CharField(
        label=_("Keywords"), max_length=900, required=False, widget=forms.TextInput(attrs=INPUT),
        help_text=_("Separated by commas (、 or ,); at most 20 of at most 40 characters."),
    )  # fmt: skip


class TopicForm(forms.Form):
    topic_type = forms.ChoiceField(
        label=_("Type of topic"), choices=TopicType.choices,
        widget=forms.Select(attrs={"class": "select"}),
    )  # fmt: skip
    designated = forms.BooleanField(label=_("Under a designated subsidy"), required=False)
    mode = forms.ChoiceField(
        label=_("How the phases are run"), choices=TopicMode.choices,
        widget=forms.Select(attrs={"class": "select"}),
    )  # fmt: skip
    hand_off_to = forms.ChoiceField(
        label=_("Ministry taking over"), required=False,
        widget=forms.Select(attrs={"class": "select"}),
        help_text=_("Only when the topic is handed off to another ministry for the next phase."),
    )  # fmt: skip
    pm_name_ja = forms.CharField(label=_("Program manager"), max_length=100,
                                 widget=forms.TextInput(attrs=INPUT))  # fmt: skip
    goal_ja = forms.CharField(
        label=_("The procurement or use it leads to (Japanese)"), max_length=2000,
        widget=forms.Textarea(attrs=TEXT),
    )  # fmt: skip
    goal_en = forms.CharField(
        label=_("The procurement or use it leads to (English)"), max_length=2000,
        required=False, widget=forms.Textarea(attrs=TEXT),
    )  # fmt: skip

    def __init__(self, *args: Any, ministries: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["hand_off_to"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Choose…")), *[(m.code, m.name) for m in ministries]]


class MilestoneForm(forms.Form):
    """One row of a roadmap; a row left empty is no milestone."""

    kind = forms.ChoiceField(
        label=_("Kind"), required=False, choices=[("", "—"), *MilestoneKind.choices],
        widget=forms.Select(attrs={"class": "select"}),
    )  # fmt: skip
    title_ja = forms.CharField(label=_("Milestone"), max_length=200, required=False,
                               widget=forms.TextInput(attrs=INPUT))  # fmt: skip
    fiscal_year = forms.IntegerField(
        label=_("Target fiscal year"), required=False, min_value=1990, max_value=2100,
        widget=forms.TextInput(attrs={"class": "input", "inputmode": "numeric"}),
    )  # fmt: skip
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=MilestoneStatus.choices,
        widget=forms.Select(attrs={"class": "select"}),
    )  # fmt: skip
    achieved_on = forms.DateField(label=_("Achieved on"), required=False,
                                  widget=forms.DateInput(attrs=DATE))  # fmt: skip

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not (data.get("title_ja") or data.get("kind") or data.get("fiscal_year"))


MilestoneFormSet = forms.formset_factory(
    MilestoneForm, extra=3, max_num=30, absolute_max=30, validate_max=True
)


class CohortForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=64, widget=forms.TextInput(attrs=INPUT))
    name_ja = forms.CharField(label=_("Name (Japanese)"), max_length=200,
                              widget=forms.TextInput(attrs=INPUT))  # fmt: skip
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False,
                              widget=forms.TextInput(attrs=INPUT))  # fmt: skip
    fiscal_year = forms.IntegerField(
        label=_("Fiscal year"), widget=forms.TextInput(attrs={"class": "input",
                                                              "inputmode": "numeric"}),
    )  # fmt: skip
    accelerator = forms.CharField(label=_("Accelerator running it"), max_length=200,
                                  widget=forms.TextInput(attrs=INPUT))  # fmt: skip
    hub = forms.ChoiceField(label=_("Hub city"), required=False,
                            widget=forms.Select(attrs={"class": "select"}))  # fmt: skip
    starts_on = forms.DateField(label=_("Starts"), widget=forms.DateInput(attrs=DATE))
    ends_on = forms.DateField(label=_("Ends"), widget=forms.DateInput(attrs=DATE))
    companies = forms.CharField(
        label=_("Startups (corporate numbers)"), required=False,
        widget=forms.Textarea(attrs={"class": "textarea", "rows": 3}),
        help_text=_("The 13-digit corporate numbers, separated by commas or new lines."),
    )  # fmt: skip

    def __init__(self, *args: Any, hubs: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["hub"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("none")), *[(h.code, h.name) for h in hubs]]


class SupportForm(forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=64, widget=forms.TextInput(attrs=INPUT))
    name_ja = forms.CharField(label=_("Name (Japanese)"), max_length=200,
                              widget=forms.TextInput(attrs=INPUT))  # fmt: skip
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False,
                              widget=forms.TextInput(attrs=INPUT))  # fmt: skip
    kind = forms.ChoiceField(label=_("Kind"), choices=SupportKind.choices,
                             widget=forms.Select(attrs={"class": "select"}))  # fmt: skip
    hub = forms.ChoiceField(label=_("Hub city"), required=False,
                            widget=forms.Select(attrs={"class": "select"}))  # fmt: skip
    prefecture = forms.CharField(label=_("Prefecture"), max_length=10, required=False,
                                 widget=forms.TextInput(attrs=INPUT))  # fmt: skip
    in_plus = forms.BooleanField(label=_("Takes part in Plus"), required=False)
    website = forms.CharField(label=_("Website"), max_length=200, required=False,
                              widget=forms.TextInput(attrs={"class": "input",
                                                            "inputmode": "url"}))  # fmt: skip

    def __init__(self, *args: Any, hubs: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["hub"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("none")), *[(h.code, h.name) for h in hubs]]
