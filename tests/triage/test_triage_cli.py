"""The triage service end to end and the `triage` / `intents train` commands' contract."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from tandem.triage import service as service_module
from tandem.triage.cli import local_app
from tandem.triage.settings import TriageSettings
from tandem.triage.signals import Signals, TriageContext

pytestmark = [pytest.mark.slow, pytest.mark.xdist_group("triage_models")]

runner = CliRunner()


@pytest.fixture(scope="module")
def triage(models_dir: Path, tiny_model_dir: Path) -> service_module.Triage:
    return service_module.Triage.load(models_dir, tiny_model_dir)


def run_cli(*args: str) -> list[dict[str, object]]:
    result = runner.invoke(local_app(), list(args))
    assert result.exit_code == 0, result.output
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


# ---- service ---------------------------------------------------------------------------------------


def test_message_is_redacted_before_anything_reads_it(triage: service_module.Triage) -> None:
    signals = triage.assess("I forgot my password, my email is ann.smith@example.com")
    assert "ann.smith@example.com" not in signals.model_dump_json()
    assert "[EMAIL]" in signals.text_redacted
    assert [p.type for p in signals.pii] == ["email"]
    assert signals.intent.name == "recover_password"


def test_intent_department_and_keyword_departments_are_merged(triage: service_module.Triage) -> None:
    signals = triage.assess("I want a refund for my order, the delivery never came")
    assert signals.intent.name == "get_refund"
    assert signals.departments[0] == "billing"
    assert len(signals.departments) == len(set(signals.departments))


def test_rule_detectors_fill_flags_and_evidence(triage: service_module.Triage) -> None:
    if "human_request" not in triage.detectors:
        pytest.skip("human_request detector not written yet")
    signals = triage.assess("This is useless, I want to speak to a human right now!!!")
    assert signals.human_requested
    assert signals.evidence["human_request"]
    assert signals.emotion.frustrated
    assert signals.evidence["frustration"]


def test_context_drives_repeat_contacts_and_trajectory(triage: service_module.Triage) -> None:
    text = "Still waiting on my order, any news?"
    calm = triage.assess(text, TriageContext())
    pressed = triage.assess(text, TriageContext(prior_contacts_7d=5, previous_frustration=[0.1, 0.1]))
    assert pressed.emotion.frustration > calm.emotion.frustration
    assert pressed.emotion.trajectory == "rising"


def test_off_topic_is_out_of_scope_with_no_intent(triage: service_module.Triage) -> None:
    signals = triage.assess("tell me a joke about penguins")
    assert signals.out_of_scope and signals.intent.name is None and signals.intent.alternatives


def test_batch_matches_single_messages(triage: service_module.Triage) -> None:
    texts = ["where is my parcel", "are you open on sunday?", "I want my money back!!!"]
    batch = triage.assess_batch(texts)
    for text, together in zip(texts, batch, strict=True):
        alone = triage.assess(text)
        assert together.intent.name == alone.intent.name
        assert together.emotion.frustration == pytest.approx(alone.emotion.frustration, abs=1e-3)
        assert together.latency_ms > 0


@pytest.mark.parametrize("bad", ["", "   ", "x" * 20_001, "abc\x00def"])
def test_unusable_input_is_refused(triage: service_module.Triage, bad: str) -> None:
    with pytest.raises(service_module.TriageInputError):
        triage.assess(bad)


def test_thresholds_come_from_settings(
    triage: service_module.Triage, models_dir: Path, tiny_model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TANDEM_TRIAGE_FRUSTRATION_THRESHOLD", "0.99")
    monkeypatch.setenv("TANDEM_TRIAGE_OOS_THRESHOLD", "0.999")
    strict = service_module.Triage.load(models_dir, tiny_model_dir)
    assert strict.settings == TriageSettings(frustration_threshold=0.99, oos_threshold=0.999)
    angry = "I'm furious, you charged me twice and nobody answers!!!"
    assert triage.assess(angry).emotion.frustrated and not strict.assess(angry).emotion.frustrated
    vague = ["I have a question", "can you help me with something", "problem with my account and my order", "hi"]
    default_oos = sum(s.out_of_scope for s in triage.assess_batch(vague))
    strict_oos = sum(s.out_of_scope for s in strict.assess_batch(vague))
    assert strict_oos > default_oos


def test_a_missing_rule_module_is_skipped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(service_module, "RULE_MODULES", ("no_such_detector", "dispute"))
    detectors, _ = service_module.load_rule_detectors()
    assert "no_such_detector" not in detectors


def test_missing_explicit_intent_model_is_a_setup_error(models_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(service_module.TriageSetupError, match="intents train"):
        service_module.Triage.load(models_dir, tmp_path)


# ---- CLI -------------------------------------------------------------------------------------------


def test_triage_text_prints_exactly_the_signals_contract(models_dir: Path, tiny_model_dir: Path) -> None:
    (payload,) = run_cli(
        "triage",
        "where is my order #A1234?",
        "--json",
        "--models-dir",
        str(models_dir),
        "--intents",
        str(tiny_model_dir),
    )
    assert set(payload) == set(Signals.model_fields)
    Signals.model_validate(payload)
    assert payload["intent"]["name"] == "track_order"  # type: ignore[index]
    assert set(payload["intent"]) >= {"name", "confidence", "department", "alternatives"}  # type: ignore[arg-type]
    assert set(payload["emotion"]) >= {"frustration", "frustrated", "label"}  # type: ignore[arg-type]


def test_triage_file_reports_bad_lines_and_processes_the_rest(
    models_dir: Path, tiny_model_dir: Path, tmp_path: Path
) -> None:
    lines = [
        json.dumps({"text": "I forgot my password"}).encode(),
        b"",
        json.dumps("are you open on sundays?").encode(),
        json.dumps({"text": "y" * 20_001}).encode(),
        b"\x00\x01\x02binary",
        b"\xff\xfe not utf-8",
        b'{"text": 42}',
        b"{broken json",
        b"plain text line: refund my order please",
        json.dumps({"text": "where is it", "context": {"prior_contacts_7d": 3}}).encode(),
    ]
    path = tmp_path / "messages.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    out = run_cli(
        "triage", "--file", str(path), "--json", "--models-dir", str(models_dir), "--intents", str(tiny_model_dir)
    )
    assert len(out) == len(lines)  # one output line per input line, in order
    errors = {o["line"]: o["error"] for o in out if "error" in o}
    assert all(set(o) == set(Signals.model_fields) for o in out if "error" not in o)
    assert set(errors) == {2, 4, 5, 6, 7, 8}
    assert "empty" in str(errors[2]) and "20000" in str(errors[4]) and "binary" in str(errors[5])
    assert "UTF-8" in str(errors[6]) and "malformed" in str(errors[8])
    good = {number: o for number, o in enumerate(out, start=1) if "error" not in o}
    assert good[1]["intent"]["name"] == "recover_password"  # type: ignore[index]
    assert good[3]["intent"]["name"] == "business_hours"  # type: ignore[index]
    assert good[9]["intent"]["name"] == "get_refund"  # type: ignore[index]
    assert "3 contacts in 7 days" in good[10]["evidence"]["frustration"]  # type: ignore[index]


def test_empty_text_argument_is_a_clear_error(models_dir: Path) -> None:
    result = runner.invoke(local_app(), ["triage", "  ", "--json", "--models-dir", str(models_dir)])
    assert result.exit_code == 1
    assert json.loads(result.stdout) == {"error": "empty message"}


def test_intents_train_from_csv_then_triage_with_it(models_dir: Path, tmp_path: Path) -> None:
    rows = ["text,label"]
    rows += [f"i want to pay my bill {i},pay_bill" for i in ("now", "today", "online", "by card", "please")]
    rows += [f"my heating is broken {i},repair" for i in ("again", "today", "since monday", "help", "urgently")]
    rows += [f"{q},oos" for q in ("tell me a joke", "weather tomorrow", "who won the match")]
    csv_path = tmp_path / "labelled.csv"
    csv_path.write_text("\n".join(rows) + "\n")
    out_dir = tmp_path / "model"
    (summary,) = run_cli(
        "intents", "train", "--csv", str(csv_path), "--out", str(out_dir), "--models-dir", str(models_dir)
    )
    assert summary["rows"] == 13 and summary["classes"] == 3
    (payload,) = run_cli(
        "triage", "the radiator is broken", "--json", "--models-dir", str(models_dir), "--intents", str(out_dir)
    )
    assert payload["intent"]["name"] == "repair"  # type: ignore[index]
    assert payload["intent"]["department"] is None  # type: ignore[index]


def test_intents_train_reports_bad_csv(models_dir: Path, tmp_path: Path) -> None:
    csv_path = tmp_path / "one_class.csv"
    csv_path.write_text("text,label\nhello,greet\nhi,greet\n")
    result = runner.invoke(
        local_app(),
        ["intents", "train", "--csv", str(csv_path), "--out", str(tmp_path / "m"), "--models-dir", str(models_dir)],
    )
    assert result.exit_code == 1
    assert "at least two intents" in result.output
