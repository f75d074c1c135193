"""Flex template launcher: the template's parameters become `newsevents run` options.

Dataflow's launcher runs this file (FLEX_TEMPLATE_PYTHON_PY_FILE) with every template parameter
and pipeline option as `--name=value`. The names listed in metadata.json (beside this file) are
the CLI's options with `_` for `-` (`input_topic` -> `--input-topic`); everything else is a Beam
option and goes after `--`. Special values:

- `bounded`: `true` gives `--bounded`, `false` or empty gives nothing.
- `kafka_option`: one KEY=VALUE, or a JSON list of them (`["security.protocol=SASL_SSL", ...]`).
- `kafka_config`: a properties file; a `gs://` path is copied to a private local file first, so
  credentials can live in a bucket rather than in the job's parameters.

Without `--sdk_container_image`, the workers use the image this runs in
(NEWSEVENTS_SDK_CONTAINER_IMAGE, set when the image is built).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

METADATA = Path(__file__).with_name("metadata.json")
FLAGS = frozenset({"bounded"})
REPEATED = frozenset({"kafka_option"})


def template_parameters(metadata: Path = METADATA) -> frozenset[str]:
    """The parameter names of the template."""
    document = json.loads(metadata.read_text())
    return frozenset(str(parameter["name"]) for parameter in document["parameters"])


def _pairs(argv: Sequence[str]) -> list[tuple[str, str | None]]:
    """`--name=value`, `--name value` and `--flag` as (name, value) pairs; other tokens kept as is."""
    pairs: list[tuple[str, str | None]] = []
    index = 0
    while index < len(argv):
        token = argv[index]
        index += 1
        if not token.startswith("--"):
            raise SystemExit(f"launcher: unexpected argument {token!r}")
        name, sep, value = token[2:].partition("=")
        if not sep and index < len(argv) and not argv[index].startswith("--"):
            value, sep = argv[index], "="
            index += 1
        pairs.append((name, value if sep else None))
    return pairs


def _values(name: str, value: str) -> list[str]:
    if name in REPEATED and value.lstrip().startswith("["):
        items = json.loads(value)
        if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
            raise SystemExit(f"launcher: {name} must be KEY=VALUE or a JSON list of such strings")
        return list(items)
    return [value]


def cli_argv(argv: Sequence[str], parameters: frozenset[str], image: str | None = None) -> list[str]:
    """The `newsevents` argv for the launcher's argv: `run`, the CLI options, `--`, the Beam options."""
    options: list[str] = []
    beam: list[str] = []
    for name, value in _pairs(argv):
        if name not in parameters:
            beam.append(f"--{name}" if value is None else f"--{name}={value}")
            continue
        flag = f"--{name.replace('_', '-')}"
        if name in FLAGS:
            if value is None or value.strip().lower() in ("true", "1", "yes"):
                options.append(flag)
            elif value.strip().lower() not in ("", "false", "0", "no"):
                raise SystemExit(f"launcher: {name} must be true or false, got {value!r}")
            continue
        if value is None or value == "":
            continue  # an optional parameter left empty: the CLI's default
        for item in _values(name, value):
            options += [flag, item]
    if image and not any(arg.startswith("--sdk_container_image") for arg in beam):
        beam.append(f"--sdk_container_image={image}")
    return ["run", *options, "--", *beam]


def _local_kafka_config(argv: list[str]) -> list[str]:
    """Copy a gs:// --kafka-config to a file only this user can read; the path replaces it."""
    if "--kafka-config" not in argv:
        return argv
    index = argv.index("--kafka-config") + 1
    if not argv[index].startswith("gs://"):
        return argv
    from apache_beam.io.filesystems import FileSystems

    descriptor, path = tempfile.mkstemp(prefix="newsevents-kafka-", suffix=".properties")
    with os.fdopen(descriptor, "wb") as target, FileSystems.open(argv[index]) as source:
        target.write(source.read())
    return [*argv[:index], path, *argv[index + 1 :]]


def main(argv: Sequence[str] | None = None) -> None:
    from pipeline.cli import main as newsevents

    args = cli_argv(
        sys.argv[1:] if argv is None else argv,
        template_parameters(),
        os.environ.get("NEWSEVENTS_SDK_CONTAINER_IMAGE") or None,
    )
    newsevents(_local_kafka_config(args))


if __name__ == "__main__":
    main()
