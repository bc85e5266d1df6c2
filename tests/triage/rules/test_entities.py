from __future__ import annotations

import pytest

from tandem.triage.rules.entities import EntityDetector, detector, extract_entities
from tandem.triage.signals import Entity

CATALOGUE = ("AirFlow 2000 Pro", "Nordic Hygge Throw", "Aura Lamp", "Kettle")


def values(text: str, kind: str, catalogue: tuple[str, ...] = ()) -> list[str]:
    return [e.value for e in extract_entities(text, catalogue) if e.type == kind]


@pytest.mark.parametrize(
    ("text", "order_id"),
    [
        ("Where is #A10234?", "A10234"),
        ("order 123456 hasn't come", "123456"),
        ("my order number is 7781234", "7781234"),
        ("Ref ORD-2024-0042 please", "ORD-2024-0042"),
        ("order no. 55512", "55512"),
    ],
)
def test_order_ids(text: str, order_id: str) -> None:
    assert values(text, "order_id") == [order_id]


@pytest.mark.parametrize("text", ["COVID-19 slowed things down", "I ordered 2 of them", "size 12 please"])
def test_things_that_are_not_order_ids(text: str) -> None:
    assert values(text, "order_id") == []


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("I paid £12.50", "£12.50"),
        ("it was $1,200 in total", "$1,200"),
        ("refund 30 euros", "30 euros"),
        ("charged 15.99 GBP", "15.99 GBP"),
        ("only 50p", "50p"),
        ("€5 off", "€5"),
    ],
)
def test_money(text: str, amount: str) -> None:
    assert values(text, "money") == [amount]


@pytest.mark.parametrize(
    ("text", "date"),
    [
        ("it was meant to come today", "today"),
        ("can it come tomorrow?", "tomorrow"),
        ("delivered on 12 March", "12 March"),
        ("ordered 03/04/2025", "03/04/2025"),
        ("I rang last Tuesday", "last Tuesday"),
        ("since 2025-03-04", "2025-03-04"),
        ("due March 12th, 2025", "March 12th, 2025"),
    ],
)
def test_dates(text: str, date: str) -> None:
    assert values(text, "date") == [date]


def test_may_as_a_verb_is_not_a_date() -> None:
    assert values("you may need to check", "date") == []


def test_emails_and_phones() -> None:
    entities = extract_entities("write to ann@example.com or call 07911 123456")
    assert entities == [Entity(type="email", value="ann@example.com"), Entity(type="phone", value="07911 123456")]


def test_order_number_is_not_read_as_a_phone() -> None:
    types = [e.type for e in extract_entities("order 02079460958 is late")]
    assert types == ["order_id"]


@pytest.mark.parametrize(
    ("text", "product"),
    [
        ("my airflow 2000 pro is broken", "AirFlow 2000 Pro"),
        ("the nordic hyge throw has a hole", "Nordic Hygge Throw"),
        ("both AURA LAMPS flicker", "Aura Lamp"),
        ("my kettle leaks", "Kettle"),
    ],
)
def test_products_match_fuzzily(text: str, product: str) -> None:
    assert values(text, "product", CATALOGUE) == [product]


def test_products_match_whole_words_only() -> None:
    assert values("the kettlebell arrived", "product", ("Kettle",)) == []
    assert values("the aurora lampshade", "product", ("Aura Lamp",)) == []


def test_without_a_catalogue_no_products_are_found() -> None:
    assert values("my kettle leaks", "product") == []


def test_entities_come_back_in_text_order() -> None:
    entities = extract_entities("On 12 March I paid £20 for #A10234", CATALOGUE)
    assert [e.type for e in entities] == ["date", "money", "order_id"]


def test_detector_labels_are_entity_types() -> None:
    hit = EntityDetector(CATALOGUE).detect("my kettle from #A10234 cost £20")
    assert hit.fired
    assert set(hit.labels) == {"product", "order_id", "money"}
    assert not detector.detect("hello there").fired
