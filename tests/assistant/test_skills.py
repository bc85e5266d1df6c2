"""The AI's routine work, through the public API with the real pipeline on the seeded demo desk.

Two rules are checked everywhere: nothing personal is shown before the customer proves who they are,
and nothing is written (refund, new details, booking) without the customer's explicit yes.
"""

from __future__ import annotations

import re
from decimal import Decimal

from sqlalchemy import select

from assistant.conftest import Demo, days_old, postcode_of
from tandem.connectors.models import AppointmentSlot
from tandem.customers.models import Customer
from tandem.events.models import Event


def verify(chat, demo: Demo, customer_id: int):
    """Answer the two identity questions; returns what the AI said next."""
    person = demo.customer(customer_id)
    asked = chat.says(person.email)
    assert "postcode" in asked.text
    return chat.says(postcode_of(person))


class TestOrderStatus:
    def test_the_ai_says_where_the_order_is_and_what_happens_next(self, customer, demo: Demo) -> None:
        order = demo.order(lambda o: o.status == "shipped" and o.estimated_delivery is not None)
        said = customer().says(f"hi where's my order {order.number}??")
        assert said.owner == "ai"
        assert said.situation == "order_status.answer"
        assert f"Order {order.number} is on its way" in said.text
        assert f"{order.estimated_delivery:%A}" in said.text and order.carrier in said.text
        # Status and dates only: no address before the customer has proved who they are.
        person = demo.customer(order.customer_id)
        assert person.address.split(",")[0] not in said.text and person.name not in said.text

    def test_an_unknown_order_number_is_said_plainly_and_asked_again(self, customer) -> None:
        chat = customer()
        said = chat.says("where is order A99999")
        assert said.situation == "order_status.not_found" and "couldn't find an order A99999" in said.text

    def test_the_number_can_come_in_a_second_message(self, customer, demo: Demo) -> None:
        order = demo.order(lambda o: o.status == "delivered")
        chat = customer()
        assert chat.says("Where is my parcel?").situation == "order_status.ask_number"
        said = chat.says(order.number)
        assert said.owner == "ai" and said.situation == "order_status.answer" and "was delivered" in said.text


class TestRefund:
    def test_inside_the_policy_the_ai_refunds_only_after_a_yes(self, customer, demo: Demo) -> None:
        order = demo.order(lambda o: o.status == "delivered" and o.total < 100 and days_old(o) < 20)
        chat = customer()
        asked = chat.says(f"I'd like a refund for {order.number}, it arrived damaged")
        assert asked.situation == "identity.ask_email"  # verification before anything about the account
        offer = verify(chat, demo, order.customer_id)
        assert offer.situation == "refund.confirm" and f"£{order.total:,.2f}" in offer.text
        assert demo.refunded(order.number) == 0
        unclear = chat.says("hmm what do you mean")  # neither yes nor no: asked again, nothing moves
        assert unclear.situation == "refund.confirm" and demo.refunded(order.number) == 0
        done = chat.says("yes please")
        assert done.situation == "refund.done" and done.owner == "ai"
        assert demo.refunded(order.number) == order.total
        events = demo.read(lambda s: s.scalars(select(Event).where(Event.type == "assistant.refund_executed")).all())
        assert [e.payload["order"] for e in events] == [order.number]

    def test_a_no_refunds_nothing(self, customer, demo: Demo) -> None:
        order = demo.order(lambda o: o.status == "delivered" and o.total < 100 and days_old(o) < 20)
        chat = customer()
        chat.says(f"refund please for {order.number}, changed my mind")
        verify(chat, demo, order.customer_id)
        said = chat.says("no, don't")
        assert said.situation == "refund.declined" and demo.refunded(order.number) == 0

    def test_over_the_ai_limit_a_person_decides_and_sees_the_clause(self, customer, demo: Demo) -> None:
        order = demo.order(lambda o: o.status == "delivered" and o.total > 200 and days_old(o) < 20)
        chat = customer()
        chat.says(f"Can I get my money back for {order.number}? It's faulty")
        chat.says(demo.customer(order.customer_id).email)
        said = chat.says(postcode_of(demo.customer(order.customer_id)))
        assert said.owner in ("queued", "human")
        assert said.handoff["reasons"] == ["policy_exception"]
        assert "Refunds over £150.00 are approved by a member of our team." in said.text
        assert demo.refunded(order.number) == 0

    def test_outside_the_window_a_person_decides(self, customer, demo: Demo) -> None:
        order = demo.order(lambda o: o.status == "delivered" and o.total < 100 and days_old(o) > 60)
        chat = customer()
        chat.says(f"refund for {order.number} please, I no longer need it")
        verify(chat, demo, order.customer_id)
        decision = demo.read(
            lambda s: s.scalars(select(Event).where(Event.type == "decision.made").order_by(Event.id.desc())).first()
        )
        assert decision is not None
        reason = decision.payload["reasons"][0]
        assert reason["code"] == "policy_exception" and reason["signals"]["clause"] == "window"
        assert demo.refunded(order.number) == 0
        # The person's brief already holds what the AI established: nobody asks the customer again.
        chat.desk.make_user("ana@desk.example", queues=["billing", "general"])
        response = chat.desk.login("ana@desk.example").get(f"/conversations/{chat.conversation_id}/brief")
        assert response.status_code == 200, response.text
        brief = response.json()
        collected = {fact["label"]: fact["value"] for fact in brief["facts"] if fact["kind"] == "collected"}
        assert collected["order"] == order.number and "no longer need" in collected["reason"]
        assert "30 days" in collected["policy"]

    def test_someone_elses_order_is_never_confirmed_to_exist(self, customer, demo: Demo) -> None:
        mine = demo.order(lambda o: o.status == "delivered")
        theirs = demo.order(lambda o: o.customer_id != mine.customer_id and o.status == "delivered")
        chat = customer()
        chat.says(f"refund for {theirs.number}, it's broken")
        said = verify(chat, demo, mine.customer_id)
        # The same words as for a mistyped number: nothing says the order exists, nor whose it is.
        assert said.situation == "refund.not_on_account"
        assert said.text.startswith(f"I couldn't find order {theirs.number} on your account.")
        owner = demo.customer(theirs.customer_id)
        assert owner.name not in said.text and f"£{theirs.total:,.2f}" not in said.text
        assert demo.refunded(theirs.number) == 0


class TestIdentityAndContactDetails:
    def test_a_wrong_email_twice_stops_without_saying_whether_an_account_exists(self, customer, demo: Demo) -> None:
        order = demo.order(lambda o: o.status == "delivered")
        person = demo.customer(order.customer_id)
        chat = customer()
        chat.says("I need to update my email address")
        first = chat.says("someone.else@mail.example")
        assert first.situation == "identity.mismatch"
        second = chat.says("another.guess@mail.example")
        assert second.situation == "identity.not_verified"
        assert person.email not in first.text + second.text
        assert demo.customer(person.id).email == person.email

    def test_a_verified_customer_changes_their_phone_after_confirming_with_a_correction(
        self, customer, demo: Demo
    ) -> None:
        person = demo.customer(demo.order(lambda o: o.status == "delivered").customer_id)
        chat = customer()
        chat.says("can you change my phone number")
        verify(chat, demo, person.id)
        asked = chat.says("07812 345678")
        assert asked.situation == "update_contact.confirm" and "+447812345678" in asked.text
        corrected = chat.says("no sorry, it's 07812 111222")
        assert corrected.situation == "update_contact.confirm" and "+447812111222" in corrected.text
        assert demo.customer(person.id).phone == person.phone  # nothing written yet
        done = chat.says("yes")
        assert done.situation == "update_contact.done"
        assert demo.customer(person.id).phone == "+447812111222"
        event = demo.read(lambda s: s.scalars(select(Event).where(Event.type == "customer.contact_updated")).one())
        assert event.payload["old"] == person.phone and event.payload["new"] == "+447812111222"

    def test_both_identity_answers_in_one_message_are_both_used(self, customer, demo: Demo) -> None:
        person = demo.customer(demo.order(lambda o: o.status == "delivered").customer_id)
        said = customer().says(f"Any news on my case? My email is {person.email}, postcode {postcode_of(person)}")
        assert said.situation == "ticket_follow_up.answer"

    def test_a_new_and_the_current_email_in_one_message_are_told_apart(self, customer, demo: Demo) -> None:
        person = demo.customer(demo.order(lambda o: o.status == "delivered").customer_id)
        chat = customer()
        asked = chat.says(
            f"Can you update my email to jo.new@home.example? The old one on the account is {person.email}"
        )
        assert asked.situation == "identity.ask_postcode"
        confirm = chat.says(postcode_of(person))
        assert confirm.situation == "update_contact.confirm" and "jo.new@home.example" in confirm.text
        assert chat.says("yes").situation == "update_contact.done"
        assert demo.customer(person.id).email == "jo.new@home.example"

    def test_a_postcode_given_before_the_email_is_kept(self, customer, demo: Demo) -> None:
        person = demo.customer(demo.order(lambda o: o.status == "delivered").customer_id)
        chat = customer()
        chat.says("any update on my complaint?")
        chat.says(postcode_of(person))
        said = chat.says(person.email)
        assert said.situation == "ticket_follow_up.answer"

    def test_the_conversation_is_linked_to_the_customer_who_proved_who_they_are(self, customer, demo: Demo) -> None:
        person = demo.customer(demo.order(lambda o: o.status == "delivered").customer_id)
        chat = customer()
        chat.says("I want to change my address")
        verify(chat, demo, person.id)
        linked = chat.desk.http.get(
            f"/api/v1/conversations/{chat.conversation_id}", headers={"Authorization": f"Bearer {chat.token}"}
        )
        assert linked.json()["customer_id"] == person.id

    def test_an_email_volunteered_before_anything_was_asked_is_used_for_the_check(self, customer, demo: Demo) -> None:
        order = demo.order(lambda o: o.status == "delivered" and o.total < 100 and days_old(o) < 20)
        person = demo.customer(order.customer_id)
        chat = customer()
        assert chat.says(f"hi it's {person.email}, I'd like a refund").situation == "refund.ask_number"
        asked = chat.says(f"order's {order.number}, never opened it, just don't need it anymore")
        assert asked.situation == "identity.ask_postcode"  # the email is not asked for again
        assert chat.says(postcode_of(person)).situation == "refund.confirm"

    def test_a_corrected_email_restarts_the_check_with_the_new_address(self, customer, demo: Demo) -> None:
        order = demo.order(lambda o: o.status == "delivered" and o.total < 100 and days_old(o) < 20)
        person = demo.customer(order.customer_id)
        other = demo.customer(demo.order(lambda o: o.customer_id != person.id).customer_id)
        chat = customer()
        chat.says(f"refund on {order.number} please, it's the wrong size and hasn't been worn")
        assert chat.says(other.email).situation == "identity.ask_postcode"
        corrected = chat.says(f"Sorry, that's my partner's email. Mine is {person.email}")
        assert corrected.situation == "identity.ask_postcode"
        assert chat.says(postcode_of(person)).situation == "refund.confirm"


class TestAppointments:
    def test_book_then_cancel_each_only_after_a_yes(self, customer, demo: Demo) -> None:
        person = demo.customer(demo.order(lambda o: o.status == "delivered").customer_id)
        chat = customer()
        chat.says("I'd like to book an appointment")
        verify(chat, demo, person.id)
        offered = chat.says("Thursday")
        assert offered.situation == "appointment.offer" and "1)" in offered.text
        confirm = chat.says("the first one")
        assert confirm.situation == "appointment.confirm"
        booked_before_yes = demo.read(
            lambda s: s.scalars(select(AppointmentSlot).where(AppointmentSlot.customer_id == person.id)).all()
        )
        assert booked_before_yes == []
        assert chat.says("yes").situation == "appointment.booked"
        slots = demo.read(
            lambda s: s.scalars(select(AppointmentSlot).where(AppointmentSlot.customer_id == person.id)).all()
        )
        assert len(slots) == 1 and slots[0].status == "booked"

        again = customer()
        again.says("please cancel my appointment")
        verify(again, demo, person.id)
        # "Cancel that" inside a yes is the yes, not "never mind".
        assert again.says("yes cancel that one").situation == "appointment.cancelled"
        freed = demo.read(lambda s: s.get(AppointmentSlot, slots[0].id))
        assert freed.status == "free" and freed.customer_id is None

    def test_naming_another_day_at_the_offer_is_a_new_question_not_a_second_try(self, customer, demo: Demo) -> None:
        person = demo.customer(demo.order(lambda o: o.status == "delivered").customer_id)
        chat = customer()
        chat.says("I'd like to arrange an in-store demonstration of your espresso machines")
        verify(chat, demo, person.id)
        assert chat.says("Thursday").situation == "appointment.offer"
        assert chat.says("hmm, Friday?").situation == "appointment.offer"
        assert chat.says("Monday then").situation == "appointment.offer"  # still offering, not "stuck"
        assert chat.says("2").situation == "appointment.confirm"

    def test_naming_another_offered_time_at_the_yes_or_no_books_that_one(self, customer, demo: Demo) -> None:
        person = demo.customer(demo.order(lambda o: o.status == "delivered").customer_id)
        chat = customer()
        chat.says("I'd like to book a demo")
        verify(chat, demo, person.id)
        offered = chat.says("tuesday")
        assert offered.situation == "appointment.offer"
        first = chat.says("3")
        second = chat.says("no sorry, I meant the second one")
        assert second.situation == "appointment.confirm" and second.text != first.text
        assert chat.says("yes").situation == "appointment.booked"

    def test_a_demo_slot_at_a_shop_is_a_booking_and_a_misspelt_cancel_is_a_cancel(self, customer) -> None:
        said = customer().says("Hiya, could I get a demo slot at the Bristol shop on Friday?")
        assert said.skill == "appointment"
        cancel = customer().says("need to cancle my apointment sorry, cant make it now")
        assert cancel.skill == "appointment" and cancel.situation == "identity.ask_email"


class TestProductsAndInformation:
    def test_recommendations_stay_within_the_budget_and_say_why(self, customer) -> None:
        chat = customer()
        chat.says("Can you recommend some headphones?")
        said = chat.says("about £120")
        assert said.situation == "recommend_product.answer"
        prices = [Decimal(p.replace(",", "")) for p in re.findall(r"\d\) [^£]+?, £([\d,]+\.\d\d):", said.text)]
        assert prices and all(price <= Decimal("120") for price in prices)
        assert "within your £120.00 budget" in said.text

    def test_typos_and_no_budget_still_get_recommendations(self, customer) -> None:
        said = customer().says("can u reccomend some noise cancelling hedphones for the train, upto £250")
        assert said.situation == "recommend_product.answer"
        chat = customer()
        assert chat.says("I need a new kettle, what have you got?").situation == "recommend_product.ask_budget"
        assert chat.says("not fussed on price really, just want one that lasts").situation == "recommend_product.answer"

    def test_any_catalogue_category_can_be_asked_for(self, customer) -> None:
        said = customer().says("I need a decent desk lamp, what would you suggest? up to about £130")
        assert said.situation == "recommend_product.answer" and "Lamp" in said.text

    def test_opening_hours_come_from_the_workspace_with_the_time_zone(self, customer) -> None:
        said = customer().says("what time do you open on saturday?")
        assert said.situation == "business_info.hours"
        assert "Saturday 09:00–17:00" in said.text and "Europe/London" in said.text

    def test_an_faq_answer_cites_its_article(self, customer) -> None:
        said = customer().says("How long do I have to return something?")
        assert said.situation == "faq.answer" and 'help article "' in said.text

    def test_a_question_the_help_articles_cannot_answer_gets_an_honest_no_and_a_person(self, customer) -> None:
        said = customer().says("Do you sell replacement parts for vintage gramophones?")
        assert said.situation in ("faq.no_answer", "common.unclear")
        assert "person" in said.text or "member of our team" in said.text


class TestFlow:
    def test_a_fault_described_mid_refund_is_the_refunds_reason_not_a_new_request(self, customer, demo: Demo) -> None:
        order = demo.order(lambda o: o.status == "delivered" and o.total < 100)
        chat = customer()
        chat.says("Hi, I'd like a refund please")
        said = chat.says("it's broken, a bit snapped off inside the first time I used it")
        assert said.owner == "ai" and said.situation == "refund.ask_number"
        assert chat.says(f"order number is {order.number}").situation == "identity.ask_email"

    def test_hang_on_while_the_customer_finds_the_number_keeps_the_request(self, customer, demo: Demo) -> None:
        order = demo.order(lambda o: o.status == "delivered")
        chat = customer()
        assert chat.says("hi did you get the thing i sent back").situation == "order_status.ask_number"
        assert chat.says("hang on its in my emails somewhere").skill == "order_status"
        assert chat.says(f"found it - {order.number}").situation == "order_status.answer"

    def test_a_corrected_order_number_right_after_an_answer_is_looked_up(self, customer, demo: Demo) -> None:
        first = demo.order(lambda o: o.status == "delivered")
        second = demo.order(lambda o: o.status == "shipped")
        chat = customer()
        assert chat.says(f"Could you check where {first.number} has got to?").situation == "order_status.answer"
        said = chat.says(f"sorry, that's my old one - I meant {second.number}")
        assert said.situation == "order_status.answer" and second.number in said.text

    def test_a_customer_without_the_number_is_not_sent_round_another_skill(self, customer) -> None:
        chat = customer()
        chat.says("My son got me a kettle from you as a gift and the lid is broken")
        said = chat.says("She ordered them, so I haven't got a number I'm afraid")
        assert said.skill == "collect_information"
        assert chat.says("No, sorry, I've no way of getting it").situation == "common.stuck"

    def test_a_bare_order_number_after_an_unclear_message_is_looked_up(self, customer, demo: Demo) -> None:
        order = demo.order(lambda o: o.status == "delivered")
        chat = customer()
        chat.says("hmm so")
        assert chat.says(order.number).situation == "order_status.answer"

    def test_chasing_a_request_already_made_is_a_follow_up(self, customer) -> None:
        for text in (
            "Hi - checking in on my refund request, has anyone picked it up?",
            "I've got a couple of things open with you lot, where are they up to?",
        ):
            said = customer().says(text)
            assert said.skill == "ticket_follow_up" and said.situation == "identity.ask_email", text

    def test_never_mind_drops_the_request_and_changes_nothing(self, customer, demo: Demo) -> None:
        order = demo.order(lambda o: o.status == "delivered" and o.total < 100 and days_old(o) < 20)
        chat = customer()
        chat.says(f"refund {order.number} please, it's damaged")
        said = chat.says("actually never mind")
        assert said.situation == "common.dropped" and demo.refunded(order.number) == 0

    def test_answers_to_the_assistants_questions_are_not_counted_as_misunderstandings(self, customer) -> None:
        chat = customer()
        chat.says("I want to update my details")
        chat.says("nobody@mail.example")
        said = chat.says("wrong@mail.example")
        # Two odd-looking answers in a row, but both answered the question asked: the AI keeps it.
        assert said.owner == "ai"

    def test_a_person_taking_over_clears_the_ais_half_finished_request(self, customer, demo: Demo) -> None:
        order = demo.order(lambda o: o.status == "delivered")
        chat = customer()
        chat.says(f"refund for {order.number}")
        handed = chat.says("I want to speak to a human")
        assert handed.owner in ("queued", "human")
        state = demo.read(lambda s: s.get(Customer, order.customer_id))
        assert state is not None
        conversation = chat.desk.http.get(
            f"/api/v1/conversations/{chat.conversation_id}", headers={"Authorization": f"Bearer {chat.token}"}
        ).json()
        assert conversation["owner"] in ("queued", "human")
