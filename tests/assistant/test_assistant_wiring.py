"""The assistant's outside edges: a merchant system that fails, the optional LLM, sales leads, open
cases, and requests the AI hands to a person after collecting the facts."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from assistant.conftest import ChattingCustomer, Demo
from llm.llm_vendor_stand_in import LlmVendorStandIn, serving
from tandem.connectors.models import Lead
from tandem.conversations.pipeline import Pipeline
from tandem.kit.settings import Settings
from tandem.stages import build_assistant

from foundation.desk_client import DeskClient


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])  # closed again when we return: nothing listens there


def desk_with(seeded_store: Path, pipeline: Pipeline, tmp_path: Path, **settings: object) -> DeskClient:
    target = tmp_path / "desk.db"
    target.write_bytes(seeded_store.read_bytes())
    url = f"sqlite:///{target}"
    assistant = build_assistant(Settings(database_url=url, workspace_dir=tmp_path / "var", **settings))
    return DeskClient(url, pipeline=replace(pipeline, reply=assistant), workspace_dir=tmp_path / "var")


class TestMerchantSystemDown:
    def test_an_order_system_that_does_not_answer_means_an_honest_message_and_a_person(
        self, seeded_store: Path, real_pipeline: Pipeline, tmp_path: Path
    ) -> None:
        config = tmp_path / "connectors.yaml"
        config.write_text(
            f"systems:\n  orders:\n    base_url: http://127.0.0.1:{_closed_port()}\n    timeout_seconds: 0.5\n"
        )
        desk = desk_with(seeded_store, real_pipeline, tmp_path, connectors_file=config)
        try:
            said = ChattingCustomer(desk).says("where is my order A10023?")
        finally:
            desk.close()
        assert said.owner in ("queued", "human")
        assert said.handoff["reasons"] == ["ai_unavailable"]
        assert "can't reach our order system right now" in said.text
        assert "is on its way" not in said.text and "was delivered" not in said.text  # no guessing


@pytest.fixture
def llm_vendor_stand_in() -> Iterator[LlmVendorStandIn]:
    """A local HTTP server standing in for an LLM vendor (nothing leaves the machine)."""
    with serving(LlmVendorStandIn()) as vendor:
        yield vendor


class TestOptionalLlmWithAStandInVendor:
    def test_the_llm_words_the_reply_when_it_keeps_to_the_facts(
        self, seeded_store: Path, real_pipeline: Pipeline, tmp_path: Path, llm_vendor_stand_in: LlmVendorStandIn
    ) -> None:
        desk = desk_with(
            seeded_store, real_pipeline, tmp_path, llm_base_url=llm_vendor_stand_in.base_url, llm_model="stand-in"
        )
        llm_vendor_stand_in.reply = "Good news: our team is in on Saturday 09:00–17:00, Europe/London time."
        try:
            said = ChattingCustomer(desk).says("what are your hours on saturday? my email is jo@mail.example")
        finally:
            desk.close()
        assert said.text == llm_vendor_stand_in.reply
        sent = llm_vendor_stand_in.all_bytes_received
        assert "jo@mail.example" not in sent  # the vendor only ever sees redacted text
        assert "Saturday" in sent  # and the facts the reply may use

    def test_an_llm_reply_that_promises_more_than_the_template_is_not_used(
        self, seeded_store: Path, real_pipeline: Pipeline, tmp_path: Path, llm_vendor_stand_in: LlmVendorStandIn
    ) -> None:
        desk = desk_with(
            seeded_store, real_pipeline, tmp_path, llm_base_url=llm_vendor_stand_in.base_url, llm_model="stand-in"
        )
        llm_vendor_stand_in.reply = "We're open Saturday and I guarantee a free gift worth £50 on your next visit!"
        try:
            said = ChattingCustomer(desk).says("what are your opening hours?")
        finally:
            desk.close()
        assert "guarantee" not in said.text and "£50" not in said.text
        assert "Europe/London" in said.text  # the template, word for word
        assert said.situation == "business_info.hours"


class TestSalesAndCases:
    def test_a_small_enquiry_becomes_a_lead_without_a_person(self, customer, demo: Demo) -> None:
        chat = customer()
        chat.says("Do you offer discounts for schools?")
        chat.says("about 30 units")
        chat.says("around £900")
        chat.says("by the end of January")
        said = chat.says("bursar@school.example")
        assert said.situation == "qualify_lead.logged" and said.owner == "ai"
        lead = demo.read(lambda s: s.scalars(select(Lead)).one())
        assert (lead.size, lead.contact, str(lead.budget)) == ("30 units", "bursar@school.example", "900.00")

    def test_a_lead_goes_to_sales_as_soon_as_its_budget_reaches_the_configured_value(
        self, customer, demo: Demo
    ) -> None:
        chat = customer()
        chat.says("I'm interested in buying speakers for my cafe, can someone give me a price?")
        chat.says("12")
        said = chat.says("£8,000")
        assert said.owner in ("queued", "human")
        assert said.handoff["reasons"] == ["sales_opportunity"] and said.handoff["queue"] == "sales"
        lead = demo.read(lambda s: s.scalars(select(Lead)).one())
        assert (lead.size, str(lead.budget)) == ("12 units", "8000.00")

    def test_a_customer_who_opens_with_a_big_volume_goes_to_sales_at_once(self, customer, demo: Demo) -> None:
        said = customer().says(
            "hello, our company wants 400 of your backpacks for our workers, special price possible?"
        )
        assert said.owner in ("queued", "human") and said.handoff["reasons"] == ["sales_opportunity"]
        assert demo.read(lambda s: s.scalars(select(Lead)).one()).size == "400 units"

    def test_a_wholesale_enquiry_goes_to_sales_at_once(self, customer) -> None:
        said = customer().says(
            "I own three gift shops and would love to stock your candles, what are your wholesale terms?"
        )
        assert said.owner in ("queued", "human") and said.handoff["reasons"] == ["sales_opportunity"]

    @pytest.mark.parametrize("question", ["is there a student discount?", "do you price match if it is cheaper?"])
    def test_one_customers_price_question_is_answered_not_qualified_as_a_lead(self, customer, question: str) -> None:
        said = customer().says(question)
        assert said.situation.startswith("faq."), said.situation

    def test_a_fit_out_goes_to_sales_at_once(self, customer) -> None:
        said = customer().says("I'm a developer fitting out 24 new-build flats and need ovens and hobs for each one")
        assert said.owner in ("queued", "human") and said.handoff["reasons"] == ["sales_opportunity"]

    @pytest.mark.parametrize(
        "opening",
        [
            "im a landlord doing up 12 student flats, need beds, desks, wardrobes and sofas for all of them",
            "We're a 22-room boutique hotel replacing all the in-room TVs in January, can you quote?",
        ],
    )
    def test_furnishing_many_premises_goes_to_sales_at_once(self, customer, opening: str) -> None:
        said = customer().says(opening)
        assert said.owner in ("queued", "human") and said.handoff["reasons"] == ["sales_opportunity"]

    def test_a_few_items_of_furniture_are_qualified_first(self, customer) -> None:
        said = customer().says("can I get a business discount on 3 beds for our staff rooms?")
        assert said.owner == "ai" and said.situation.startswith("qualify_lead.ask_"), said.situation

    def test_a_size_given_in_answer_is_one_more_fact_not_a_reason_to_stop_qualifying(self, customer) -> None:
        chat = customer()
        chat.says("do you do business pricing on headsets for a call centre?")
        said = chat.says("about 100 seats")
        assert said.owner == "ai" and said.situation == "qualify_lead.ask_budget"

    def test_a_customer_asking_about_their_open_case_hears_where_it_is(self, customer, demo: Demo) -> None:
        order = demo.order(lambda o: o.status == "delivered")
        person = demo.customer(order.customer_id)
        earlier = customer()
        earlier.says(f"refund for {order.number}, it's broken")
        earlier.says(person.email)
        earlier.says(person.address.rsplit(",", 1)[-1])
        earlier.says("I want to talk to a person")
        chat = customer()
        chat.says("What's the status of my complaint?")
        chat.says(person.email)
        said = chat.says(person.address.rsplit(",", 1)[-1])
        assert said.situation == "ticket_follow_up.answer"
        assert f"case {earlier.conversation_id}" in said.text and "waiting for a member of our team" in said.text

    def test_a_faulty_product_is_written_up_for_a_person_who_needs_nothing_repeated(self, customer, demo: Demo) -> None:
        order = demo.order(lambda o: o.status == "delivered")
        chat = customer()
        said = chat.says(f"My headphones from {order.number} stopped working after a week, the left side is silent")
        assert said.owner in ("queued", "human")
        assert said.handoff["reasons"] == ["needs_a_person"] and said.handoff["queue"] == "orders"
        assert "without asking you again" in said.text


class TestAnEmptyWorkspace:
    @pytest.mark.parametrize(
        "message",
        [
            "what are your opening hours?",
            "where are your shops?",
            "how can I contact you?",
            "how long do refunds take?",
            "where is my order A10023?",
            "can you recommend some headphones under £100",
            "I'd like to book an appointment",
        ],
    )
    def test_a_desk_with_nothing_configured_yet_answers_honestly_and_never_fails(
        self, sqlite_url: str, real_pipeline: Pipeline, tmp_path: Path, message: str
    ) -> None:
        # No hours, stores, articles, orders or calendar: a business's first day on tandem.
        desk = DeskClient(sqlite_url, pipeline=real_pipeline, workspace_dir=tmp_path / "var")
        try:
            chat = ChattingCustomer(desk)
            said = chat.says(message)
            events = desk.http.get(
                f"/api/v1/conversations/{chat.conversation_id}", headers={"Authorization": f"Bearer {chat.token}"}
            )
        finally:
            desk.close()
        assert said.owner == "ai" and said.text.strip()
        assert said.handoff is None  # in particular never `ai_unavailable`: no stage failed
        assert events.status_code == 200
