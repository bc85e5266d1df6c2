"""`tandem triage` and `tandem intents train`.

    tandem triage "where is my order?" --json
    tandem triage --file messages.jsonl --json [--intents DIR]
    tandem intents train --csv labelled.csv --out DIR
    tandem intents train                      # rebuild the default pack's model

A JSONL line is {"text": ..., "context": {...}?} or a bare string. A line that cannot be triaged (empty,
over the size limit, binary, malformed) prints {"line": N, "error": ...} and the others still run.
Until the main CLI registers these sub-apps, `python -m tandem.triage.cli triage ...` runs them.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError

from tandem.triage.settings import TriageSettings, default_models_dir
from tandem.triage.signals import TriageContext

# A group with no sub-commands, so `app.add_typer(triage_app, name="triage")` gives `tandem triage TEXT`;
# interspersed args let options follow TEXT, which click groups otherwise refuse.
triage_app = typer.Typer(
    help="Read one customer message (or a JSONL file of them) and print its signals.",
    context_settings={"allow_interspersed_args": True},
)
intents_app = typer.Typer(help="Train intent classifiers.", no_args_is_help=True)

# Messages per assess_batch call: the encoder sorts a call's messages by length, so bigger calls pad less.
BATCH = 256


@dataclass(frozen=True)
class Message:
    line: int
    text: str
    context: TriageContext


@dataclass(frozen=True)
class BadLine:
    line: int
    error: str


def parse_line(number: int, raw: bytes, max_chars: int) -> Message | BadLine:
    """One JSONL line -> a message to triage, or the reason it cannot be."""
    if b"\x00" in raw:
        return BadLine(number, "binary data (NUL bytes), not text")
    try:
        decoded = raw.decode("utf-8")
    except UnicodeDecodeError:
        return BadLine(number, "not UTF-8 text")
    stripped = decoded.strip()
    if not stripped:
        return BadLine(number, "empty message")
    if len(stripped) > max_chars * 2 + 1000:
        # Checked before JSON parsing so that a huge line costs nothing more to reject.
        return BadLine(number, f"message longer than {max_chars} characters")
    return _message_from_json(number, stripped, max_chars)


def _message_from_json(number: int, stripped: str, max_chars: int) -> Message | BadLine:
    try:
        value: Any = json.loads(stripped)
    except json.JSONDecodeError:
        value = stripped if not stripped.startswith(("{", "[")) else None
        if value is None:
            return BadLine(number, "malformed JSON")
    context = TriageContext()
    if isinstance(value, dict):
        try:
            context = TriageContext.model_validate(value.get("context") or {})
        except ValidationError as exc:
            return BadLine(number, f"invalid context: {exc.errors()[0]['msg']}")
        value = value.get("text")
    if not isinstance(value, str):
        return BadLine(number, 'expected {"text": "..."} or a string')
    return _checked(number, value, context, max_chars)


def _checked(number: int, text: str, context: TriageContext, max_chars: int) -> Message | BadLine:
    if not text.strip():
        return BadLine(number, "empty message")
    if len(text) > max_chars:
        return BadLine(number, f"message longer than {max_chars} characters")
    if "\x00" in text:
        return BadLine(number, "binary data (NUL bytes), not text")
    return Message(number, text, context)


def read_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    stream = sys.stdin.buffer if str(path) == "-" else path.open("rb")
    try:
        yield from enumerate(stream, start=1)
    finally:
        if stream is not sys.stdin.buffer:
            stream.close()


def _emit(payload: dict[str, Any], as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(payload, ensure_ascii=False))
    elif "error" in payload:
        typer.echo(f"line {payload.get('line', '-')}: error: {payload['error']}", err=True)
    else:
        typer.echo(_summary(payload))


def _summary(payload: dict[str, Any]) -> str:
    intent = payload["intent"]
    emotion = payload["emotion"]
    flags = [k for k, v in payload.items() if v is True]
    scope = "out of scope" if payload["out_of_scope"] else f"{intent['name']} ({intent['confidence']:.2f})"
    return (
        f"{scope} | frustration {emotion['frustration']:.2f} {emotion['label']} | "
        f"departments {','.join(payload['departments']) or '-'} | flags {','.join(flags) or '-'} | "
        f"{payload['latency_ms']:.1f} ms"
    )


def _run_batch(triage: Any, batch: list[Message], catalogue: list[str], as_json: bool) -> None:
    results = triage.assess_batch([m.text for m in batch], [m.context for m in batch], catalogue)
    for signals in results:
        # Exactly the Signals contract; output lines follow input lines one to one.
        _emit(signals.model_dump(mode="json"), as_json)


def _triage_file(triage: Any, path: Path, catalogue: list[str], as_json: bool, max_chars: int) -> None:
    batch: list[Message] = []
    for number, raw in read_lines(path):
        parsed = parse_line(number, raw, max_chars)
        if isinstance(parsed, BadLine):
            _run_batch(triage, batch, catalogue, as_json)  # keep output in input order
            batch = []
            _emit({"line": parsed.line, "error": parsed.error}, as_json)
            continue
        batch.append(parsed)
        if len(batch) >= BATCH:
            _run_batch(triage, batch, catalogue, as_json)
            batch = []
    _run_batch(triage, batch, catalogue, as_json)


def _load_triage(models_dir: Path | None, intents: Path | None) -> Any:
    from tandem.triage.service import Triage, TriageSetupError

    try:
        return Triage.load(models_dir or default_models_dir(), intents, build_missing=True)
    except TriageSetupError as exc:
        typer.echo(json.dumps({"error": str(exc)}), err=True)
        raise typer.Exit(2) from exc


@triage_app.callback(invoke_without_command=True)
def triage(
    text: Annotated[str | None, typer.Argument(help="The customer message.")] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="JSONL file of messages ('-' = stdin).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object (Signals) per message.")] = False,
    intents: Annotated[Path | None, typer.Option("--intents", help="Trained intent model directory.")] = None,
    models_dir: Annotated[Path | None, typer.Option("--models-dir", help="Default: $TANDEM_MODELS_DIR.")] = None,
    catalogue: Annotated[list[str] | None, typer.Option("--product", help="Catalogue product name (repeat).")] = None,
) -> None:
    """Triage TEXT, or every line of --file."""
    if (text is None) == (file is None):
        typer.echo("give either a TEXT argument or --file", err=True)
        raise typer.Exit(2)
    max_chars = TriageSettings().max_text_chars
    if text is not None:
        parsed = _checked(0, text, TriageContext(), max_chars)
        if isinstance(parsed, BadLine):
            _emit({"error": parsed.error}, as_json)
            raise typer.Exit(1)
    triage_service = _load_triage(models_dir, intents)
    if text is not None:
        signals = triage_service.assess(text, TriageContext(), catalogue or [])
        _emit(signals.model_dump(mode="json"), as_json)
        return
    assert file is not None
    if str(file) != "-" and not file.exists():
        typer.echo(f"{file}: no such file", err=True)
        raise typer.Exit(2)
    _triage_file(triage_service, file, catalogue or [], as_json, max_chars)


@intents_app.command("train")
def train(
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="CSV with text,label columns; `oos` = out of scope.")
    ] = None,
    pack: Annotated[Path | None, typer.Option("--pack", help="Train from a domain pack YAML instead.")] = None,
    out: Annotated[Path | None, typer.Option("--out", help="Model directory to write.")] = None,
    models_dir: Annotated[Path | None, typer.Option("--models-dir", help="Default: $TANDEM_MODELS_DIR.")] = None,
) -> None:
    """Train an intent model from a labelled CSV or a pack; with neither, rebuild the default pack's model."""
    from tandem.triage.build import build_pack_model, default_intents_dir, ensure_encoder
    from tandem.triage.domain_pack import PackError, load_pack
    from tandem.triage.encoder import Encoder
    from tandem.triage.intents import train_from_csv, train_from_pack

    root = models_dir or default_models_dir()
    ensure_encoder(root)
    encoder = Encoder.load(root, threads=TriageSettings().encoder_threads)
    started = time.perf_counter()
    try:
        if csv_path is not None:
            model = train_from_csv(csv_path, encoder)
        elif pack is not None:
            model = train_from_pack(load_pack(pack), encoder)
        else:
            target = build_pack_model(root, encoder)
            typer.echo(json.dumps({"model": str(target), "seconds": round(time.perf_counter() - started, 2)}))
            return
    except (PackError, ValueError, OSError) as exc:
        typer.echo(json.dumps({"error": str(exc)}), err=True)
        raise typer.Exit(1) from exc
    target = out or default_intents_dir(root, model.meta.get("pack") or "custom")
    model.save(target)
    summary = {k: v for k, v in model.meta.items() if k != "encoder_probe"}
    summary.update(model=str(target), oos_threshold=round(model.oos_threshold, 4))
    summary["seconds"] = round(time.perf_counter() - started, 2)
    typer.echo(json.dumps(summary))


def register(app: typer.Typer) -> None:
    """Mount `tandem triage` and `tandem intents` on the main CLI."""
    app.add_typer(triage_app, name="triage")
    app.add_typer(intents_app, name="intents")


def local_app() -> typer.Typer:
    """Both sub-apps under one root, as the main `tandem` CLI mounts them."""
    root = typer.Typer(no_args_is_help=True)
    root.add_typer(triage_app, name="triage")
    root.add_typer(intents_app, name="intents")
    return root


if __name__ == "__main__":
    local_app()()
