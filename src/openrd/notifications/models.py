"""Inbox items, the e-mail outbox, e-mail choices and subscriptions."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """One item in a person's in-app inbox."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    kind = models.CharField(_("kind"), max_length=64)
    # JSON of the facts the templates render (datetimes tagged, see services.encode).
    context = models.JSONField(_("context"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    # A periodic job that runs twice must not notify twice: the caller names the
    # event (e.g. "deadline:42:7d") and the second insert is skipped.
    # NULL, not "": notifications without a key must not collide in the unique constraint.
    dedupe_key = models.CharField(  # noqa: DJ001
        _("deduplication key"), max_length=200, null=True, blank=True
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"], name="unique_notification_dedupe_key"
            )
        ]
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread_idx")]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id}"


class OutboxStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Given up")


class OutboxMessage(models.Model):
    """One e-mail to send, written in the same transaction as the change it reports:
    a person's notification, or (without one) a message to an address that
    belongs to no account yet, such as an invitation, with its own kind and context."""

    notification = models.OneToOneField(
        Notification,
        on_delete=models.CASCADE,
        related_name="outbox_message",
        null=True,
        blank=True,
    )
    kind = models.CharField(_("kind"), max_length=64, blank=True)
    # Kept only until the message is sent: it may hold a link that works once.
    context = models.JSONField(_("context"), default=dict, blank=True)
    to_email = models.EmailField(_("to"))
    language = models.CharField(_("language"), max_length=8)
    status = models.CharField(
        _("status"), max_length=8, choices=OutboxStatus.choices, default=OutboxStatus.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"))
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        ordering = ["next_attempt_at", "id"]
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="outbox_due_idx")]

    def __str__(self) -> str:
        return f"{self.to_email} ({self.status})"

    @property
    def message_id(self) -> str:
        """The same Message-ID on every attempt, so a resend after a lost
        acknowledgement can be recognised as a duplicate by mail software."""
        return f"<openrd-outbox-{self.pk}@{settings.OPENRD_MAIL_DOMAIN}>"


class EmailChoice(models.Model):
    """A person's own choice for one kind; without a row the kind's default applies."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="email_choices"
    )
    kind = models.CharField(_("kind"), max_length=64)
    by_email = models.BooleanField(_("also by e-mail"))

    class Meta:
        verbose_name = _("e-mail choice")
        verbose_name_plural = _("e-mail choices")
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="unique_email_choice")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}={self.by_email}"


class Subscription(models.Model):
    """A person follows a topic such as ``program:sbir``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="subscriptions"
    )
    topic = models.CharField(_("topic"), max_length=100)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("subscription")
        verbose_name_plural = _("subscriptions")
        constraints = [
            models.UniqueConstraint(fields=["user", "topic"], name="unique_subscription")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} → {self.topic}"
