from django.contrib import admin

from openrd.jobs.models import Job, ScheduledRun


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Read-only: jobs change through their services (audited), never by hand."""

    list_display = ("id", "kind", "owner", "state", "done", "total", "created_at", "finished_at")
    list_filter = ("state", "kind")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(ScheduledRun)
class ScheduledRunAdmin(admin.ModelAdmin):
    list_display = ("entry", "slot", "task_path", "enqueued_at")
    list_filter = ("entry",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
