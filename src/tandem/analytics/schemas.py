"""API shapes for analytics (never the ORM classes)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

GroupBy = Literal["day", "week", "channel", "queue", "intent", "path", "handover_reason"]
TopicSource = Literal["complaints", "conversations"]


class WindowOut(BaseModel):
    since: datetime
    until: datetime


class TargetMetric(BaseModel):
    target_s: float
    measured: int
    within_target: int
    rate: float | None
    average_s: float | None
    p50_s: float | None = None
    p90_s: float | None = None


class AiResolutions(BaseModel):
    total: int
    confirmed: int
    unconfirmed: int
    confirmed_rate: float | None
    false_containment: int
    false_containment_rate: float | None
    confirmed_and_stayed: int


class EmotionStat(BaseModel):
    measured: int
    frustration_start_avg: float | None
    frustration_end_avg: float | None
    eased: int
    rose: int


class OutcomeSummary(BaseModel):
    conversations: int
    ai_resolutions: AiResolutions
    claimed_containment_rate: float | None = Field(description="AI resolutions / conversations, as a bot would claim.")
    honest_containment_rate: float | None = Field(
        description="Confirmed AI resolutions where the customer did not come back / conversations."
    )
    handover_rate: float | None
    repeat_contact_rate: float | None
    complaints: int
    handed_over: int
    repeated_fact: int
    repeated_fact_rate: float | None = Field(description="Share of handed-over conversations.")
    rated: int
    satisfaction_avg: float | None
    first_response: TargetMetric
    time_to_human: TargetMetric
    resolution: TargetMetric
    emotion: EmotionStat


class OutcomeGroup(OutcomeSummary):
    key: str | None


class OutcomeReport(BaseModel):
    window: WindowOut
    group_by: GroupBy | None
    overall: OutcomeSummary
    groups: list[OutcomeGroup]
    waiting_beyond_human_target: int
    definitions: dict[str, str]


class ReasonCount(BaseModel):
    reason: str
    count: int
    share_of_handovers: float | None
    rate_of_conversations: float | None


class HandoverReport(BaseModel):
    window: WindowOut
    conversations: int
    handed_over: int
    handover_rate: float | None
    by_reason: list[ReasonCount]
    repeated_fact_kinds: dict[str, int]


class PathSatisfaction(BaseModel):
    path: str
    conversations: int
    rated: int
    average: float | None


class Theme(BaseModel):
    name: str
    terms: list[str]
    size: int
    average_score: float | None
    sentiment: float = Field(description="Mean VADER compound score, -1 (negative) to 1 (positive).")
    negative_share: float
    examples: list[str]


class SatisfactionReport(BaseModel):
    window: WindowOut
    by_path: list[PathSatisfaction]
    comments: int
    themes_from: int = Field(description="Comments the themes were drawn from (a sample when there are many).")
    themes: list[Theme]


class VulnerableGroup(BaseModel):
    vulnerable: bool
    suppressed: bool
    summary: OutcomeSummary | None


class VulnerableReport(BaseModel):
    window: WindowOut
    min_group_size: int
    groups: list[VulnerableGroup]


class TopicOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    source: str
    name: str
    named_by: str
    terms: list[str]
    examples: list[str]
    links: dict[str, list[tuple[str, float]]]
    size: int
    active: bool
    cause_id: int | None = None


class TopicRename(BaseModel):
    name: str = Field(min_length=1, max_length=200)


class TopicBuildIn(BaseModel):
    source: TopicSource = "complaints"
    since: str | None = Field(default=None, max_length=40)
    topics: int | None = Field(default=None, ge=2, le=200, description="Fixed number; default: by silhouette.")


class TopicBuildOut(BaseModel):
    source: TopicSource
    documents: int
    topics: int
    silhouette: float | None
    embedder: str
    seconds: float


class TopicTrend(BaseModel):
    topic_id: int
    name: str
    current: int
    baseline: int
    current_share: float | None
    baseline_share: float | None
    rate_ratio: float | None
    p_value: float
    q_value: float
    spike: bool
    emerging: bool
    series: list[int]


class RecurringTopic(BaseModel):
    topic_id: int
    name: str
    contacts: int
    customers: int
    returning_customers: int
    returning_share: float | None
    periods_present: int
    periods: int


class TrendReport(BaseModel):
    window: WindowOut
    source: TopicSource
    current: WindowOut
    method: str
    period_starts: list[datetime]
    trends: list[TopicTrend]
    spikes: list[TopicTrend]
    emerging: list[TopicTrend]
    recurring: list[RecurringTopic]


class CauseIn(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)


class CauseEdit(BaseModel):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)


class CauseMerge(BaseModel):
    into_id: int = Field(ge=1)


class TopicCauseIn(BaseModel):
    cause_id: int = Field(ge=1)


class CauseOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    description: str
    merged_into_id: int | None
    topic_ids: list[int] = Field(default_factory=list)


class CauseStat(BaseModel):
    cause_id: int | None
    name: str
    complaints: int
    conversations: int
    share: float | None
    previous: int
    change: float | None
    satisfaction_avg: float | None
    false_containment: int
    top_products: list[tuple[str, int]]
    top_outcomes: list[tuple[str, int]]


class CauseReport(BaseModel):
    window: WindowOut
    previous: WindowOut
    causes: list[CauseStat]


class ComplaintSummary(BaseModel):
    window: WindowOut
    complaints: int
    by_product: list[tuple[str, int]]
    by_category: list[tuple[str, int]]
    by_channel: list[tuple[str, int]]
    by_outcome: list[tuple[str, int]]
    by_week: list[tuple[str, int]]
    satisfaction_avg: float | None


class ImportReport(BaseModel):
    format: str
    rows_read: int
    imported: int
    skipped: int
    skipped_by_reason: dict[str, int]
    examples: list[str] = Field(description="A few skipped rows: line number and reason, never their text.")
    stopped: str | None = Field(default=None, description="Why the import stopped early, if it did.")
    seconds: float
