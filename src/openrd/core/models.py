"""The kernel's own tables: the append-only audit log."""

from __future__ import annotations

from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class AuditLogIsAppendOnly(Exception):
    """Raised when code tries to change or delete an audit entry."""


class AuditQuerySet(models.QuerySet["AuditEntry"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit entries cannot be updated")

    def delete(self) -> NoReturn:
        raise AuditLogIsAppendOnly("audit entries cannot be deleted")


class AuditEntry(models.Model):
    """Who did what to which object, when, with the state before and after.

    Written only through :func:`openrd.core.audit.record`; rows are never
    updated or deleted (the queryset and ``save`` refuse, and database
    triggers refuse too). Each entry is chained to the previous one by its
    hash (:mod:`openrd.core.audit_chain`), so a change made around the
    triggers is still detected by ``manage.py verify_audit``.
    """

    # Position in the hash chain: 1, 2, 3… without gaps.
    seq = models.PositiveBigIntegerField(_("sequence number"), unique=True)
    # Set by record() under the chain lock (not auto_now_add), because the
    # time is part of the hashed content and must be known before the insert.
    at = models.DateTimeField(_("when"), default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Kept as text too, so the entry still reads right if the account is renamed.
    actor_label = models.CharField(_("who (as recorded)"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=80, db_index=True)
    object_type = models.CharField(_("object type"), max_length=100, blank=True, db_index=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True, db_index=True)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    prev_hash = models.CharField(_("previous hash"), max_length=64)
    hash = models.CharField(_("hash"), max_length=64)

    objects = AuditQuerySet.as_manager()

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")

    def __str__(self) -> str:
        who = self.actor_label or "-"
        return f"{self.at:%Y-%m-%d %H:%M:%S} {who} {self.action} {self.object_repr}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AuditLogIsAppendOnly("audit entries cannot be changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditLogIsAppendOnly("audit entries cannot be deleted")


class StoredFile(models.Model):
    """An uploaded file's content, stored once under its SHA-256 digest.

    The same PDF uploaded twice is stored once; a stored file is never
    overwritten, so a submitted version keeps pointing at exactly the bytes
    that were submitted. Who may read it is decided by the record that links
    to it (a proposal attachment, a deposit), never by the file itself.
    """

    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    # For harvesters that still check MD5 (JPCOAR, OAI-ORE); never used as a key.
    md5 = models.CharField(_("MD5"), max_length=32, blank=True, default="", db_default="")
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    content_type = models.CharField(pgettext_lazy("file", "content type"), max_length=100)
    created_at = models.DateTimeField(_("stored"), auto_now_add=True)

    class Meta:
        verbose_name = _("stored file")
        verbose_name_plural = _("stored files")

    def __str__(self) -> str:
        return f"{self.sha256[:12]}… ({self.size} B)"

    @property
    def storage_name(self) -> str:
        return f"files/{self.sha256[:2]}/{self.sha256[2:4]}/{self.sha256}"
