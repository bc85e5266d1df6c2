"""The ten routine skills (names fixed in docs/architecture.md)."""

from __future__ import annotations

from tandem.assistant.skills.appointment import Appointment
from tandem.assistant.skills.base import Skill
from tandem.assistant.skills.contact import UpdateContact
from tandem.assistant.skills.info import BusinessInfo, CollectInformation, Faq, FindAnswer
from tandem.assistant.skills.orders import OrderStatus, TicketFollowUp
from tandem.assistant.skills.refund import Refund
from tandem.assistant.skills.sales import QualifyLead, RecommendProduct


def default_skills(find_answer: FindAnswer) -> dict[str, Skill]:
    skills: list[Skill] = [
        CollectInformation(),
        QualifyLead(),
        OrderStatus(),
        BusinessInfo(),
        Faq(find_answer),
        Refund(),
        UpdateContact(),
        Appointment(),
        RecommendProduct(),
        TicketFollowUp(),
    ]
    return {skill.name: skill for skill in skills}
