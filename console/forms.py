"""The console's forms: what a page may send, checked before any domain call."""

from django import forms
from django.utils.translation import gettext_lazy as _

from backend.reports.models import Status


class SignInForm(forms.Form):
    username = forms.CharField(label=_("Username"), max_length=150)
    password = forms.CharField(label=_("Password"), max_length=200, widget=forms.PasswordInput)


class ActionForm(forms.Form):
    ACTIONS = [
        ("status", _("Change the status")),
        ("reply", _("Public reply")),
        ("note", _("Internal note")),
        ("assign", _("Assign")),
        ("transfer", _("Transfer")),
        ("photo", _("Add an after photo")),
        ("merge", _("Merge into")),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    status = forms.ChoiceField(choices=Status.choices, required=False)
    message = forms.CharField(max_length=2000, required=False, strip=True)
    assignee = forms.IntegerField(required=False, min_value=1)
    unit = forms.CharField(max_length=60, required=False)
    photo = forms.FileField(required=False)
    into = forms.UUIDField(required=False)


class ModerationForm(forms.Form):
    ACTIONS = [
        ("approve", _("Approve")),
        ("reject", _("Reject")),
        ("edit", _("Edit the public text")),
        ("hide_photo", _("Hide the photo")),
        ("ban", _("Ban the resident")),
    ]
    action = forms.ChoiceField(choices=ACTIONS)
    reason = forms.CharField(max_length=1000, required=False, strip=True)
    text = forms.CharField(max_length=2000, required=False, strip=True)
    address = forms.CharField(max_length=300, required=False, strip=True)
    photo = forms.UUIDField(required=False)
    days = forms.IntegerField(required=False, min_value=1, max_value=365)
