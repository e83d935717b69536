from django import forms
from django.utils.translation import gettext_lazy as _


class CancelForm(forms.Form):
    confirm = forms.BooleanField(
        label=_("Yes, stop this job. Work done so far is not kept."),
        error_messages={"required": _("Tick the box to confirm that the job should stop.")},
    )
