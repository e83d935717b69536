"""The strategy in the admin: read-only, since the strategy file is its source
(``load_strategy``) and values are entered through ``record_observation``."""

from django.contrib import admin

from openrd.core.admin import ReadOnlyAdmin, ReadOnlyInline
from openrd.strategy.models import (
    Indicator,
    Measure,
    MeasureMinistry,
    Observation,
    Strategy,
    Target,
)


class MinistryInline(ReadOnlyInline):
    model = MeasureMinistry
    fields = ["organisation", "role", "order"]


class TargetInline(ReadOnlyInline):
    model = Target
    fields = ["fiscal_year", "kind", "value", "seed_line"]


class ObservationInline(ReadOnlyInline):
    model = Observation
    fields = ["fiscal_year", "value", "status", "entered_by", "entered_at"]


@admin.register(Strategy)
class StrategyAdmin(ReadOnlyAdmin):
    list_display = ["code", "year", "name_ja", "cabinet_decision_on"]


@admin.register(Measure)
class MeasureAdmin(ReadOnlyAdmin):
    list_display = ["code", "title_ja", "goal", "strategy"]
    list_filter = ["strategy"]
    search_fields = ["code", "title_ja", "title_en"]
    inlines = [MinistryInline]


@admin.register(Indicator)
class IndicatorAdmin(ReadOnlyAdmin):
    list_display = ["code", "name_ja", "tier", "unit", "computed", "measure"]
    list_filter = ["tier", "horizon", "unit"]
    search_fields = ["code", "name_ja", "name_en"]
    inlines = [TargetInline, ObservationInline]
