"""Reading the answers a customer gives: order numbers, emails, phones, dates, times, yes or no.

Pure functions, table-tested. Each returns the value in a normal form, or None when the text does not
hold one, so a skill can ask again (once) instead of guessing.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

import phonenumbers
from rapidfuzz import fuzz

ORDER_NUMBER = re.compile(r"(?<![A-Za-z0-9])#?\s?([Aa]\d{5})(?!\d)")
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+")
POSTCODE = re.compile(r"\b([A-Z]{1,2}\d[A-Z\d]?)\s*(\d[A-Z]{2})?\b", re.I)
MONEY = re.compile(
    r"(?:£|gbp\s?)\s?(\d{1,7}(?:[.,]\d{3})*(?:\.\d{1,2})?)\s?(k)?|(\d{1,7}(?:\.\d{1,2})?)\s?(k)?\s?(?:pounds|quid|gbp)",
    re.I,
)
BARE_NUMBER = re.compile(r"\b(\d{1,7}(?:\.\d{1,2})?)\s?(k)?\b", re.I)
# A bare number that counts something ("my 15 year old", "for 2 people", "3 pairs") is not an amount.
COUNTS_SOMETHING = re.compile(
    r"\s?-?\s?(years?|yrs?|yo|months?|weeks?|days?|hours?|mins?|minutes?|people|persons?|kids|child(ren)?|"
    r"staff|rooms?|units?|pairs?|pieces?|items?|of (us|them)|times?|x\b|%|am\b|pm\b|th\b|st\b|nd\b|rd\b)",
    re.I,
)
ADDRESS_START = re.compile(r"\b(flat|apartment|apt|unit)\s*\w+|\b\d+[a-z]?,?\s+[a-z]", re.I)
PHONE_RUN = re.compile(r"\+?\(?\d[\d\s().-]{6,18}\d")
TIME = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s?(am|pm)?\b", re.I)

YES = re.compile(
    r"^\s*(yes|yeah|yea|yep|yup|ya|aye|y|ok|okay|k|sure|please do|go ahead|go on|go for it|do it|confirm(ed)?|"
    r"that'?s (right|fine|good|great|perfect|it|the one|correct)|correct|sounds good|perfect|fine|great|"
    r"absolutely|definitely|deffo|"
    r"please|book it|lovely|brilliant|of course|certainly)\b",
    re.I,
)
NO = re.compile(
    r"^\s*(no|nope|nah|n|don'?t|do not|not (now|right now|yet|today)|cancel|stop|wait|hold on|never ?mind|wrong|"
    r"i'?ll (leave|hang on|keep|think)|maybe later|not sure)\b",
    re.I,
)
NEVER_MIND = re.compile(
    r"\b(never ?mind|nvm|forget (it|that)|cancel (that|this)|don'?t bother|leave it|no worries|"
    r"(it'?s|it has|it'?s just|just) (arrived|turned up|come)|(it )?(just )?turned up|sorted (it|now)|"
    r"mystery solved|panic over|false alarm|ignore (me|that|this|my last)|my (mistake|bad)|all (sorted|good) now|"
    r"(let me|i'?ll|i need to|i'?d better|have to) (run it past|check with|talk to|speak to|ask|discuss it with) "
    r"(my|our) (partner|business partner|boss|wife|husband|team|director|board|other half|accountant)|"
    r"(put|park|leave) (it|this|that) (on hold|for now|there)|hold off( for now)?|not (right )?now,? (thanks|ta)|"
    r"(actually |oh )?don'?t worry( about it)?|i'?ll just (pop|call|drop) in|"
    r"(already )?(ordered|bought|got) (them|it|one) elsewhere|sorry to (waste|have wasted) your time)\b",
    re.I,
)
# "Hang on, it's in my emails somewhere": the customer is fetching the answer, not asking something new.
HOLDING_ON = re.compile(
    r"\b(hang on|hold on|one sec(ond)?|1 sec|just a (sec|second|minute|mo)|give me a (sec|second|minute|mo)|"
    r"bear with me|let me (find|check|look|dig)|(it'?s|its) (in|on) my (emails?|inbox|account|phone)|"
    r"looking for it|need to find it|finding it now)\b",
    re.I,
)
# "She ordered them, so I haven't got a number": an answer to the question, just not the one hoped for.
CANNOT_GIVE = re.compile(
    r"\b((haven'?t|have not|don'?t|do not|never) (got|have|had|get|got a|know)( (a|an|the|any|my|it|one))?"
    r"( (order )?(number|reference|receipt|confirmation|email|one|it))?|no (order )?(number|reference|receipt)|"
    r"can'?t (find|remember|get|see) (it|the|a|my|one)|no (way|idea) (of|how)|not sure what (it|the number) is)\b",
    re.I,
)
# "Sorry, that's my old one, I meant A10865": a corrected reference for the request just answered.
CORRECTS = re.compile(
    r"\b(i meant|meant to (say|type|put)|my (old|other) one|wrong (one|number|order)|typo|should (be|have said)|"
    r"not that one|that'?s not (it|the one|my order)|sorry,? (it'?s|its|try))\b",
    re.I,
)
# Words people put before a yes or a no ("hmm, not right now", "oh yes please").
FILLER = re.compile(r"^\s*((hmm+|um+|erm+|uh+|ah+|oh+|well|ok so|right|so)[\s,.!]+)+", re.I)

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
# The short forms people type ("thurs", "weds"), and how close a misspelt weekday must be ("wendsday").
WEEKDAY_SHORT = (("mon",), ("tue", "tues"), ("wed", "weds"), ("thu", "thur", "thurs"), ("fri",), ("sat",), ("sun",))
WEEKDAY_TYPO_RATIO = 80
FULL_POSTCODE = re.compile(r"\b[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}\b", re.I)
NUMBER_WORDS = {
    "a": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16,
    "seventeen": 17, "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50,
    "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
# "a hundred and thirty pounds", "two grand", "fifty quid": an amount in words, before a money word.
WORDED_AMOUNT = re.compile(
    r"\b((?:(?:a|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|thirteen|fourteen|fifteen|sixteen|"
    r"seventeen|eighteen|nineteen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundred|thousand|and)[\s-]+)+)"
    r"(pounds|quid|grand)\b",
    re.I,
)
MONTHS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": -1}


def order_numbers(text: str) -> list[str]:
    return list(dict.fromkeys(m.group(1).upper() for m in ORDER_NUMBER.finditer(text)))


def order_number(text: str) -> str | None:
    found = order_numbers(text)
    return found[0] if found else None


def email(text: str) -> str | None:
    match = EMAIL.search(text)
    return match.group(0).strip(".").lower() if match else None


def emails(text: str) -> list[str]:
    return [m.group(0).strip(".").lower() for m in EMAIL.finditer(text)]


def phone(text: str, region: str = "GB") -> str | None:
    """A valid phone number in E.164, or None (a number that cannot exist is not accepted)."""
    # The matcher is strict about the words around a number ("it's 07911…"): try each run of digits too.
    candidates = [m.number for m in phonenumbers.PhoneNumberMatcher(text, region)]
    for run in PHONE_RUN.findall(text):
        try:
            candidates.append(phonenumbers.parse(run, region))
        except phonenumbers.NumberParseException:
            continue
    for number in candidates:
        if phonenumbers.is_valid_number(number):
            return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return None


def postcode(text: str) -> str | None:
    """The outward code of a UK postcode ("LS6" from "LS6 2AB"): enough to check an address."""
    for match in POSTCODE.finditer(text.upper()):
        outward = match.group(1)
        if any(ch.isdigit() for ch in outward) and outward[0].isalpha():
            return outward
    return None


def address(text: str) -> str | None:
    """A postal address: a house number or name, a street, and a postcode."""
    cleaned = " ".join(text.replace("\n", ", ").split()).strip(" .")
    # The address starts at a flat or house number ("no wait, it's Flat 4, 22 Canal Street, M1 3HE").
    start = ADDRESS_START.search(cleaned)
    if start is None:
        return None
    cleaned = cleaned[start.start() :]
    if postcode(cleaned) is None or not re.search(r"\d", cleaned.split(",")[0]) or len(cleaned) < 10:
        return None
    # An address ends at its postcode: what follows is the request ("… S10 2FL - can you change it?").
    full = FULL_POSTCODE.search(cleaned)
    if full is not None:
        cleaned = cleaned[: full.end()]
    return cleaned[:300]


def confirmation(text: str) -> bool | None:
    """True for a clear yes, False for a clear no, None when the answer is neither."""
    answer = FILLER.sub("", text)
    if NO.search(answer):
        return False
    if YES.search(answer):
        return True
    return None


def holding_on(text: str) -> bool:
    return bool(HOLDING_ON.search(text))


def cannot_give(text: str) -> bool:
    return bool(CANNOT_GIVE.search(text))


def corrects(text: str) -> bool:
    return bool(CORRECTS.search(text))


def never_mind(text: str) -> bool:
    return bool(NEVER_MIND.search(text))


SLANG_AMOUNTS = {"a fiver": Decimal(5), "a tenner": Decimal(10), "a score": Decimal(20), "a grand": Decimal(1000)}


def money(text: str) -> Decimal | None:
    """An amount; when several are given the last one counts ("£150, no wait, make it £300")."""
    lowered = text.lower()
    slang = [amount for words, amount in SLANG_AMOUNTS.items() if words in lowered]
    if slang and not MONEY.search(text):
        return slang[-1]
    if not re.search(r"\d", text) and (worded := _worded_amount(lowered)) is not None:
        return worded
    matches = list(MONEY.finditer(text))
    match = matches[-1] if matches else None
    if match:
        number, thousands = (match.group(1), match.group(2)) if match.group(1) else (match.group(3), match.group(4))
    else:
        bare_numbers = [n for n in BARE_NUMBER.finditer(text) if not COUNTS_SOMETHING.match(text, n.end())]
        if not bare_numbers:
            return None
        number, thousands = bare_numbers[-1].group(1), bare_numbers[-1].group(2)
    try:
        value = Decimal(number.replace(",", ""))
    except InvalidOperation:
        return None
    value = value * 1000 if thousands else value
    # "£2.5k" is 2500, not 2500.0: whole amounts in their plain form.
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def _worded_amount(lowered: str) -> Decimal | None:
    """ "a hundred and thirty pounds" -> 130, "two grand" -> 2000, "fifty quid" -> 50."""
    match = WORDED_AMOUNT.search(lowered)
    if match is None:
        return None
    total, current = 0, 0
    for word in re.split(r"[\s-]+", match.group(1).strip()):
        if word == "hundred":
            current = max(current, 1) * 100
        elif word == "thousand":
            total, current = total + max(current, 1) * 1000, 0
        elif word in NUMBER_WORDS:
            current += NUMBER_WORDS[word]
    value = total + current
    if match.group(2) == "grand":
        value *= 1000
    return Decimal(value) if value else None


def quantity(text: str) -> int | None:
    match = re.search(r"\b(\d{1,6})\b", text.replace(",", ""))
    return int(match.group(1)) if match else None


def day(text: str, today: date) -> date | None:
    """A day the customer names: today, tomorrow, a weekday (the next one), '3 Dec', '2026-12-03'."""
    lowered = text.lower()
    if "today" in lowered:
        return today
    if "tomorrow" in lowered:
        return today + timedelta(days=1)
    iso = re.search(r"\b(\d{4})-(\d{2})-(\d{2})\b", lowered)
    if iso:
        return _safe_date(int(iso.group(1)), int(iso.group(2)), int(iso.group(3)))
    weekday = _weekday(lowered)
    if weekday is not None:
        ahead = (weekday - today.weekday()) % 7 or 7
        return today + timedelta(days=ahead)
    named = re.search(r"\b(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]{3,9})\b", lowered) or re.search(
        r"\b([a-z]{3,9})\s+(\d{1,2})(?:st|nd|rd|th)?\b", lowered
    )
    if named:
        first, second = named.group(1), named.group(2)
        number, month_word = (first, second) if first.isdigit() else (second, first)
        month = next((i + 1 for i, m in enumerate(MONTHS) if month_word[:3] == m[:3]), None)
        if month:
            found = _safe_date(today.year, month, int(number))
            if found and found < today:
                found = _safe_date(today.year + 1, month, int(number))
            return found
    return None


def _weekday(lowered: str) -> int | None:
    """Monday = 0: a weekday named in full, by its short form ("thurs"), or misspelt ("wendsday")."""
    words = re.findall(r"[a-z]+", lowered)
    for index, name in enumerate(WEEKDAYS):
        if name in words or any(short in words for short in WEEKDAY_SHORT[index]):
            return index
    for word in words:
        if len(word) < 6:
            continue
        scores = [fuzz.ratio(word, name) for name in WEEKDAYS]
        best = max(range(7), key=lambda i: scores[i])
        if scores[best] >= WEEKDAY_TYPO_RATIO:
            return best
    return None


def time_of_day(text: str) -> tuple[int, int] | None:
    """'10:30', '2pm', '14.00' → (hour, minute) on the 24-hour clock."""
    for match in TIME.finditer(text):
        hour, minute, meridiem = int(match.group(1)), int(match.group(2) or 0), (match.group(3) or "").lower()
        if not match.group(2) and not meridiem:
            continue  # a bare number is more likely a choice ("2") than a time
        if meridiem == "pm" and hour < 12:
            hour += 12
        if meridiem == "am" and hour == 12:
            hour = 0
        if 0 <= hour < 24 and 0 <= minute < 60:
            return hour, minute
    return None


def choice(text: str, options: int) -> int | None:
    """Which of `options` numbered choices the customer picked (0-based), if they picked by number."""
    lowered = text.lower()
    for word, number in ORDINALS.items():
        if re.search(rf"\b{word}\b", lowered):
            return options - 1 if number == -1 else (number - 1 if number <= options else None)
    match = re.fullmatch(r"\s*(?:option\s*|number\s*|#)?(\d)\s*[.!]?\s*", lowered)
    if match and 1 <= int(match.group(1)) <= options:
        return int(match.group(1)) - 1
    return None


def _safe_date(year: int, month: int, day_of_month: int) -> date | None:
    try:
        return date(year, month, day_of_month)
    except ValueError:
        return None
