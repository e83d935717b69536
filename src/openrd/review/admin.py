from django.contrib import admin

from openrd.review.models import ReviewerProfile, ReviewRound


@admin.register(ReviewerProfile)
class ReviewerProfileAdmin(admin.ModelAdmin):
    list_display = ["person", "max_load", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["person__username", "person__name_ja", "person__name_en"]
    raw_id_fields = ["person"]


@admin.register(ReviewRound)
class ReviewRoundAdmin(admin.ModelAdmin):
    # Rounds change state only through the services (audited): read-only here.
    list_display = ["name_ja", "call", "stage", "status", "due_at"]
    list_filter = ["status", "stage"]
    readonly_fields = ["status"]
    raw_id_fields = ["call", "created_by"]
