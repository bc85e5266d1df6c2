"""Preview and send care campaigns. Services flush; the request or command that called them commits once,
so a campaign is sent to everyone in its segment or to no one."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from tandem.care import messages, policy, repository
from tandem.care.models import CareCampaign, CareRecipient
from tandem.care.schemas import (
    SAMPLE_SIZE,
    CampaignDraft,
    CampaignIn,
    CampaignOut,
    PreviewOut,
    RecipientSample,
    SendOut,
)
from tandem.conversations import service as conversation_service
from tandem.conversations.schemas import ConversationStart
from tandem.events import service as events
from tandem.kit import clock
from tandem.kit.errors import Conflict, ValidationFailed
from tandem.users.principal import Principal
from tandem.workspace import service as workspace_service

CHANNEL = "proactive"
SKIP_REASONS = ("erased", "opted_out", "already_contacted")


class TooManyRecipients(ValidationFailed):
    """The segment reaches more customers than the sender allowed: a typo should not message thousands."""


@dataclass(frozen=True)
class Operator(Principal):
    """Someone at the command line with access to the store; the audit trail records them as `cli`."""

    @property
    def actor(self) -> str:
        return "cli"


@dataclass(frozen=True)
class Audience:
    matched: int
    recipients: list[policy.Candidate]
    skipped: dict[str, int]


def preview(session: Session, draft: CampaignDraft) -> PreviewOut:
    """Who a campaign would reach, and what the first of them would read. Writes nothing.
    Names are included: only staff who may send a campaign (see router.require_sender, the CLI) preview one."""
    audience = _audience(session, draft)
    sample = audience.recipients[:SAMPLE_SIZE]
    orders = _orders(session, draft, sample)
    example = None
    if sample:
        example = messages.render(
            draft.kind, _store(session), sample[0].name, orders.get(sample[0].customer_id, []), _notice(draft)
        )
    return PreviewOut(
        kind=draft.kind,
        topic=draft.topic,
        matched=audience.matched,
        to_contact=len(audience.recipients),
        skipped=audience.skipped,
        max_recipients=draft.max_recipients,
        within_limit=len(audience.recipients) <= draft.max_recipients,
        sample=[
            RecipientSample(
                customer_id=c.customer_id,
                name=c.name,
                order_numbers=orders.get(c.customer_id, []),
            )
            for c in sample
        ],
        example_message=example,
    )


def send(session: Session, data: CampaignIn, actor: Principal) -> SendOut:
    """One new AI-owned conversation per recipient, opened with one message. The same key twice sends nothing."""
    existing = repository.by_key(session, data.key)
    if existing is not None:
        return _replay(existing, data)
    audience = _audience(session, data)
    if len(audience.recipients) > data.max_recipients:
        raise TooManyRecipients(
            f"This segment reaches {len(audience.recipients)} customers, more than max_recipients "
            f"({data.max_recipients}). Narrow the segment or raise max_recipients.",
            field="max_recipients",
            to_contact=len(audience.recipients),
        )
    campaign = CareCampaign(
        key=data.key,
        kind=data.kind,
        topic=data.topic,
        request=_request(data),
        matched=audience.matched,
        sent=0,
        skipped=audience.skipped,
        created_by=actor.actor,
        created_at=clock.now(),
    )
    try:
        with session.begin_nested():
            session.add(campaign)
            session.flush()
    except IntegrityError:
        # Another request sent this key a moment ago: that one is the campaign.
        existing = repository.by_key(session, data.key)
        if existing is None:
            raise
        return _replay(existing, data)
    _contact(session, campaign, data, audience.recipients, actor)
    events.record(
        session,
        "care.campaign_sent",
        actor.actor,
        campaign_id=campaign.id,
        key=campaign.key,
        kind=campaign.kind,
        topic=campaign.topic,
        matched=campaign.matched,
        sent=campaign.sent,
        skipped=campaign.skipped,
    )
    return SendOut(campaign=CampaignOut.model_validate(campaign), replayed=False)


def recent(session: Session, limit: int) -> list[CampaignOut]:
    return [CampaignOut.model_validate(c) for c in repository.recent(session, limit)]


def _contact(
    session: Session, campaign: CareCampaign, data: CampaignIn, recipients: Sequence[policy.Candidate], actor: Principal
) -> None:
    store, notice = _store(session), _notice(data)
    orders = _orders(session, data, recipients)
    for candidate in recipients:
        numbers = orders.get(candidate.customer_id, [])
        # "proactive" is deliberately not a channel an API caller may open a conversation on, so the shape is
        # built without validation: the customer id and subject come from our own query and template.
        start = ConversationStart.model_construct(
            customer_id=candidate.customer_id,
            customer_external_id=None,
            channel=CHANNEL,  # type: ignore[arg-type]
            subject=messages.subject(data.kind, store, len(numbers)),
        )
        # The customer's widget token is not kept: whichever channel delivers the message mints its own.
        conversation, _token = conversation_service.start(session, start, actor)
        body = messages.render(data.kind, store, candidate.name, numbers, notice)
        message = conversation_service.add_message(
            session, conversation, "ai", body, meta={"kind": "care", "campaign_id": campaign.id, "campaign": data.kind}
        )
        session.add(
            CareRecipient(
                campaign_id=campaign.id,
                customer_id=candidate.customer_id,
                conversation_id=conversation.id,
                topic=campaign.topic,
                created_at=clock.now(),
            )
        )
        events.record(
            session,
            "care.message_sent",
            actor.actor,
            conversation.id,
            campaign_id=campaign.id,
            key=campaign.key,
            kind=campaign.kind,
            customer_id=candidate.customer_id,
            message_id=message.id,
            orders=len(numbers),
        )
        campaign.sent += 1
    try:
        session.flush()
    except IntegrityError as exc:
        # A campaign about the same topic, sent at the same moment, reached one of these customers first.
        raise Conflict(
            f"Another campaign about {campaign.topic!r} is being sent right now; preview again and retry."
        ) from exc


def _audience(session: Session, draft: CampaignDraft) -> Audience:
    found = repository.candidates(session, draft.segment, clock.now().date())
    topic = draft.topic
    seen = repository.contacted(session, topic, [c.customer_id for c in found]) if topic else set()
    skipped: Counter[str] = Counter(dict.fromkeys(SKIP_REASONS, 0))
    recipients = []
    for candidate in found:
        reason = policy.skip_reason(candidate, draft.kind, candidate.customer_id in seen)
        if reason is None:
            recipients.append(candidate)
        else:
            skipped[reason] += 1
    return Audience(matched=len(found), recipients=recipients, skipped=dict(skipped))


def _orders(session: Session, draft: CampaignDraft, recipients: Sequence[policy.Candidate]) -> dict[int, list[str]]:
    """The affected order numbers a known-issue notice names; onboarding names none."""
    if draft.kind != "known_issue" or draft.segment.orders is None:
        return {}
    return repository.matching_order_numbers(session, draft.segment.orders, [c.customer_id for c in recipients])


def _notice(draft: CampaignDraft) -> messages.Notice | None:
    if draft.kind != "known_issue" or draft.explanation is None:
        return None
    return messages.Notice(draft.explanation, draft.action, draft.customer_action, draft.expected)


def _store(session: Session) -> str:
    store = workspace_service.get(session, "store", {})
    name = store.get("name") if isinstance(store, dict) else None
    return name if isinstance(name, str) and name.strip() else "the store"


def _request(data: CampaignIn) -> dict[str, Any]:
    return data.model_dump(mode="json", exclude={"key"})


def _replay(existing: CareCampaign, data: CampaignIn) -> SendOut:
    # The same campaign under a different recipient limit is still the same campaign.
    asked, stored = _request(data), dict(existing.request)
    asked.pop("max_recipients", None)
    stored.pop("max_recipients", None)
    if asked != stored:
        raise Conflict(
            f"The key {data.key!r} was already used for a different campaign; choose a new key.",
            campaign_id=existing.id,
        )
    return SendOut(campaign=CampaignOut.model_validate(existing), replayed=True)
