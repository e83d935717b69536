"""Jobs the user watches, the schedule's claimed slots and the workers' heartbeats."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class JobState(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


FINISHED_STATES = frozenset({JobState.DONE, JobState.FAILED, JobState.CANCELLED})


class Job(models.Model):
    kind = models.CharField(_("kind"), max_length=64)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="jobs"
    )
    state = models.CharField(
        _("state"), max_length=16, choices=JobState.choices, default=JobState.QUEUED
    )
    done = models.PositiveBigIntegerField(_("done"), default=0)
    total = models.PositiveBigIntegerField(_("total"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    # The id of the django.tasks result running it (any backend: a UUID or an RQ id).
    task_result_id = models.CharField(_("task result id"), max_length=64, blank=True)
    kwargs = models.JSONField(_("arguments"), default=dict, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("job")
        verbose_name_plural = _("jobs")

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.state in FINISHED_STATES


class ScheduledRun(models.Model):
    """One slot of one schedule entry, enqueued once: the unique row decides
    which of several schedulers enqueues it."""

    entry = models.CharField(_("schedule entry"), max_length=100)
    slot = models.DateTimeField(_("slot"))
    task_path = models.CharField(_("task"), max_length=200)
    task_result_id = models.CharField(_("task result"), max_length=64, blank=True)
    enqueued_at = models.DateTimeField(_("enqueued"), auto_now_add=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [
            models.UniqueConstraint(fields=["entry", "slot"], name="jobs_one_run_per_slot")
        ]

    def __str__(self) -> str:
        return f"{self.entry} @ {self.slot.isoformat()}"


class WorkerBeat(models.Model):
    """A database worker's last sign of life: a task RUNNING under a worker
    that stopped beating was lost with it and is queued again."""

    worker_id = models.CharField(_("worker"), max_length=64, unique=True)
    seen_at = models.DateTimeField(_("last seen"))

    class Meta:
        verbose_name = _("worker heartbeat")
        verbose_name_plural = _("worker heartbeats")

    def __str__(self) -> str:
        return self.worker_id
