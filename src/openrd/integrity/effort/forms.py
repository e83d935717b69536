"""The what-if form: the effort of a proposal one is thinking of submitting."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from openrd.integrity.rules.effort import EFFORT_LIMIT


class WhatIfForm(forms.Form):
    percent = forms.IntegerField(
        label=_("Effort of the new proposal (%)"),
        min_value=1,
        max_value=EFFORT_LIMIT,
        help_text=_("A whole percentage from 1 to 100. Nothing is saved."),
    )
