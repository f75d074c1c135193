"""Build the Dataflow jobs offline and check them (`make dataflow-check`, via scripts/dataflow-check).

Each job of JOBS is built by the project's own entry point, `pipeline.runner.run(config, args)`,
with `--runner=DataflowRunner --dry_run=True`, in a process of its own where every connection
to a non-loopback address fails at once (and is counted), and where the spaCy model cannot be
imported (building the graph must not need it: workers load it in `setup`). Each job's graph
is written to its `--dataflow_job_file` and checked for the steps of EXPECTED_STEPS.

Beam 2.77's DataflowRunner returns from a dry run before it writes `--dataflow_job_file`, and
under Runner v2 that file has no steps anyway (the graph is staged as pipeline.pb). So the
build process writes the job file itself, after the dry run: `job` is the Dataflow Job message
Beam would submit, `pipeline` the portable pipeline proto it would stage.

Also checked: deploy/dataflow/metadata.json (a valid TemplateMetadata whose parameters are
`newsevents run` options), the flex template launcher's argument mapping, the Dockerfile's
versions, and that deploy/flink/*.yaml parses.

    python scripts/dataflow_check.py [--keep DIR]     exit 0 when everything holds
"""

from __future__ import annotations

import argparse
import errno
import fnmatch
import importlib
import importlib.abc
import importlib.machinery
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, NoReturn

ROOT = Path(__file__).resolve().parent.parent
DATAFLOW_DIR = ROOT / "deploy" / "dataflow"
FLINK_DIR = ROOT / "deploy" / "flink"

# Valid-looking names: an invalid project id or a local temp location makes Beam try the network.
PROJECT = "newsevents-check"
REGION = "europe-west1"
BUCKET = "newsevents-check"
WORKER_IMAGE = f"{REGION}-docker.pkg.dev/{PROJECT}/newsevents/newsevents:check"
BUILD_TIMEOUT_S = 240
NETWORK_GRACE_S = 10.0

# The steps every job must hold, by top-level step name (fnmatch patterns): the one place to
# extend. A job adds its own in JOBS below, and names steps it must not have.
EXPECTED_STEPS: tuple[str, ...] = (
    "ReadArticles",
    "DecodeArticles",
    "ExtractEvents",
    "EncodeEvents",
    "WriteEvents",
    "WriteDeadLettersDecode",
    "WriteDeadLettersExtract",
    "WriteDeadLettersEncode",
)


@dataclass(frozen=True)
class JobSpec:
    """One job to build: its source, mode and the steps it must and must not hold."""

    name: str
    source: str  # "kafka" or "archives"
    bounded: bool
    extra_steps: tuple[str, ...] = ()
    absent_steps: tuple[str, ...] = ()
    # More RunConfig fields, as pydantic input: {"aggregates": {}} builds the default settings.
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def expected_steps(self) -> tuple[str, ...]:
        return (*EXPECTED_STEPS, *self.extra_steps)


KAFKA = {"bootstrap_servers": f"kafka.{PROJECT}.internal:9092"}
# Windowed counts, and inputs framed by a schema registry (looked up by the workers, lazily).
AGGREGATES = {
    "aggregates": {},
    "aggregates_topic": {"kafka": KAFKA, "topic": "aggregates"},
    "extraction": {"input_format": "avro-confluent", "schema_registry_url": f"http://registry.{PROJECT}.internal:8081"},
}
JOBS: tuple[JobSpec, ...] = (
    JobSpec("streaming", "kafka", bounded=False, absent_steps=("CommitPositions", "WriteDeadLettersRead")),
    JobSpec(
        "kafka-bounded", "kafka", bounded=True, extra_steps=("CommitPositions",), absent_steps=("WriteDeadLettersRead",)
    ),
    JobSpec(
        "backfill", "archives", bounded=True, extra_steps=("WriteDeadLettersRead",), absent_steps=("CommitPositions",)
    ),
    JobSpec(
        "aggregates",
        "kafka",
        bounded=False,
        extra_steps=("ReadEventsForAggregates", "AggregateEvents", "WriteAggregates"),
        absent_steps=("CommitPositions",),
        config=AGGREGATES,
    ),
)


# --- the network guard (also installed in child processes by a generated sitecustomize) ---

NET_LOG_ENV = "DATAFLOW_CHECK_NET_LOG"
_GUARD_MARK = "_dataflow_check_guarded"


def _is_local_host(host: object) -> bool:
    if host is None or host in ("", "localhost", "ip6-localhost", "ip6-loopback"):
        return True
    text = str(host.decode() if isinstance(host, bytes) else host).strip("[]").split("%")[0]
    if text.startswith("127.") or text in ("::1", "0.0.0.0", "::"):
        return True
    return text.lower().endswith(".localhost")


def _is_local_address(address: object) -> bool:
    if not isinstance(address, tuple) or not address:
        return True  # AF_UNIX paths, netlink and other non-IP addresses
    return _is_local_host(address[0])


def install_network_guard(log_path: str | None = None) -> None:
    """Make every connection (and name lookup) to a non-loopback host raise OSError at once;
    each attempt is appended to `log_path` (default: $DATAFLOW_CHECK_NET_LOG) as a JSON line."""
    if getattr(socket, _GUARD_MARK, False):
        return
    log = log_path or os.environ.get(NET_LOG_ENV)
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex
    real_sendto = socket.socket.sendto
    real_getaddrinfo = socket.getaddrinfo
    real_create_connection = socket.create_connection

    def refuse(call: str, target: object) -> NoReturn:
        frames = [f"{f.filename}:{f.lineno}" for f in traceback.extract_stack()[:-2] if "/socket.py" not in f.filename]
        if log:
            with open(log, "a", encoding="utf-8") as handle:
                entry = {"pid": os.getpid(), "call": call, "target": repr(target), "where": frames[-6:]}
                handle.write(json.dumps(entry) + "\n")
        raise OSError(errno.ENETUNREACH, f"dataflow-check: network access refused ({call} {target!r})")

    def connect(self: socket.socket, address: Any) -> None:
        if not _is_local_address(address):
            refuse("connect", address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if not _is_local_address(address):
            refuse("connect_ex", address)
        return real_connect_ex(self, address)

    def sendto(self: socket.socket, data: Any, *args: Any) -> int:
        if not _is_local_address(args[-1]):
            refuse("sendto", args[-1])
        return real_sendto(self, data, *args)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        if not _is_local_host(host):
            refuse("getaddrinfo", host)
        return real_getaddrinfo(host, *args, **kwargs)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        if not _is_local_address(address):
            refuse("create_connection", address)
        return real_create_connection(address, *args, **kwargs)

    socket.socket.connect = connect  # type: ignore[method-assign,assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[method-assign,assignment]
    socket.socket.sendto = sendto  # type: ignore[method-assign,assignment]
    socket.getaddrinfo = getaddrinfo
    socket.create_connection = create_connection
    setattr(socket, _GUARD_MARK, True)


def _sitecustomize(directory: Path) -> None:
    """A sitecustomize that installs the guard in every Python process started with it on PYTHONPATH."""
    (directory / "sitecustomize.py").write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).resolve().parent)!r})\n"
        "try:\n"
        "    import dataflow_check\n"
        "finally:\n"
        "    del sys.path[0]\n"
        "dataflow_check.install_network_guard()\n"
    )


class _BlockModules(importlib.abc.MetaPathFinder):
    """Refuses to import the named modules (the spaCy model), counting the attempts."""

    def __init__(self, names: set[str]) -> None:
        self.names = names
        self.attempts: list[str] = []

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname.split(".")[0] in self.names:
            self.attempts.append(fullname)
            raise ImportError(f"dataflow-check: {fullname} is blocked: building the graph must not load the model")
        return None


# --- one job build (the child process) ---


def _config(job: JobSpec) -> Any:
    from pipeline.config import RunConfig

    fields: dict[str, Any]
    if job.source == "archives":
        fields = {
            "source": {"pattern": f"gs://{BUCKET}/archive/*.jsonl.gz"},
            "output_dir": f"gs://{BUCKET}/events",
        }
    else:
        fields = {
            "source": {"kafka": KAFKA, "topic": "articles", "group_id": "newsevents-check", "bounded": job.bounded},
            "events_topic": {"kafka": KAFKA, "topic": "events"},
            "dead_letter_topic": {"kafka": KAFKA, "topic": "dead-letters"},
        }
    return RunConfig.model_validate({**fields, **job.config})


def beam_args(job: JobSpec, job_file: Path) -> list[str]:
    return [
        "--runner=DataflowRunner",
        "--dry_run=True",
        f"--project={PROJECT}",
        f"--region={REGION}",
        f"--temp_location=gs://{BUCKET}/tmp",
        f"--job_name=newsevents-check-{job.name}",
        f"--sdk_container_image={WORKER_IMAGE}",
        f"--dataflow_job_file={job_file}",
    ]


def _write_job_file_after_dry_run() -> None:
    """Beam writes --dataflow_job_file only when it submits: write it after a dry run too."""
    from apache_beam.options.pipeline_options import DebugOptions, TestOptions
    from apache_beam.runners.dataflow.dataflow_runner import DataflowRunner

    json_format = importlib.import_module("google.protobuf.json_format")

    original: Callable[..., Any] = DataflowRunner.run_pipeline

    def run_pipeline(self: Any, pipeline: Any, options: Any) -> Any:
        result = original(self, pipeline, options)
        path = options.view_as(DebugOptions).dataflow_job_file
        if path and options.view_as(TestOptions).dry_run:
            document = {
                "job": json.loads(result.job.json()),
                "pipeline": json_format.MessageToDict(result.job.proto_pipeline),
            }
            Path(path).write_text(json.dumps(document))
        return result

    DataflowRunner.run_pipeline = run_pipeline  # type: ignore[method-assign,assignment]


def build_job(name: str, job_file: Path, result_file: Path) -> int:
    """Child process: build one job through pipeline.runner.run; write what happened to result_file."""
    install_network_guard()
    job = next(j for j in JOBS if j.name == name)
    outcome: dict[str, Any] = {"job": name}
    blocker = _BlockModules(set())
    sys.meta_path.insert(0, blocker)
    started = time.monotonic()
    try:
        config = _config(job)
        blocker.names.add(config.extraction.model)
        _write_job_file_after_dry_run()
        from pipeline.runner import run

        summary = run(config, beam_args(job, job_file))
        outcome.update(reported=summary.reported, balanced=summary.balanced, counters=summary.counters)
    except BaseException as err:  # noqa: BLE001 - reported to the parent, which fails the check
        outcome["error"] = f"{type(err).__name__}: {err}"
        outcome["traceback"] = traceback.format_exc()
    outcome["seconds"] = round(time.monotonic() - started, 1)
    outcome["model_imports"] = blocker.attempts
    outcome["spacy_imported"] = "spacy" in sys.modules
    result_file.write_text(json.dumps(outcome, default=str))
    return 0


# --- checks of the job files and of deploy/ (the parent process) ---


@dataclass
class Report:
    failures: list[str] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)

    def ok(self, line: str) -> None:
        self.lines.append(f"  ok    {line}")

    def info(self, line: str) -> None:
        self.lines.append(f"  info  {line}")

    def fail(self, line: str) -> None:
        self.lines.append(f"  FAIL  {line}")
        self.failures.append(line)


@dataclass(frozen=True)
class JobGraph:
    job_type: str
    top_level: tuple[str, ...]
    transforms: int
    images: tuple[str, ...]


def read_job_file(path: Path) -> JobGraph:
    document = json.loads(path.read_text())
    components = document["pipeline"]["components"]
    transforms: dict[str, Any] = components["transforms"]

    def steps(ids: Sequence[str]) -> list[str]:
        """User-named top-level steps; a root that only wraps them (named by its id) is opened."""
        names: list[str] = []
        for transform_id in ids:
            name = str(transforms[transform_id].get("uniqueName", ""))
            if name and name != transform_id:
                names.append(name)
            else:
                names += steps(transforms[transform_id].get("subtransforms", []))
        return names

    top_level = tuple(steps(document["pipeline"].get("rootTransformIds", [])))
    images = tuple(
        sorted(
            {
                str(env.get("payload", ""))
                for env in components.get("environments", {}).values()
                if env.get("urn") == "beam:env:docker:v1"
            }
        )
    )
    return JobGraph(str(document["job"].get("type", "?")), top_level, len(transforms), images)


def _docker_image(payload: str) -> str:
    """The image of a DockerPayload (base64 protobuf in the JSON): field 1, a string."""
    import base64

    raw = base64.b64decode(payload)
    if len(raw) < 2 or raw[0] != 0x0A:
        return payload
    length, offset, shift = 0, 1, 0
    while True:
        byte = raw[offset]
        length |= (byte & 0x7F) << shift
        offset += 1
        shift += 7
        if not byte & 0x80:
            break
    return raw[offset : offset + length].decode()


def check_job(job: JobSpec, outcome: dict[str, Any], job_file: Path, report: Report) -> str:
    """Checks one built job; returns its one-line summary."""
    if "error" in outcome:
        report.fail(f"{job.name}: the build failed: {outcome['error']}")
        report.lines.append("        " + "\n        ".join(str(outcome.get("traceback", "")).splitlines()[-12:]))
        return f"{job.name:<14} build failed"
    if outcome.get("reported") is not False or outcome.get("balanced") is not None:
        report.fail(
            f"{job.name}: a dry run reports no metrics, but the summary says reported={outcome.get('reported')} "
            f"balanced={outcome.get('balanced')}"
        )
    if outcome.get("model_imports"):
        report.fail(f"{job.name}: building the graph imported the spaCy model ({outcome['model_imports'][0]})")
    if not job_file.is_file():
        report.fail(f"{job.name}: no job file at {job_file}")
        return f"{job.name:<14} no job file"
    graph = read_job_file(job_file)
    found = [p for p in job.expected_steps if any(fnmatch.fnmatchcase(step, p) for step in graph.top_level)]
    missing = [p for p in job.expected_steps if p not in found]
    unwanted = [p for p in job.absent_steps if any(fnmatch.fnmatchcase(step, p) for step in graph.top_level)]
    want_type = "JOB_TYPE_BATCH" if job.bounded else "JOB_TYPE_STREAMING"
    for pattern in missing:
        report.fail(f"{job.name}: missing step {pattern}")
    for pattern in unwanted:
        report.fail(f"{job.name}: step {pattern} should not be in this job")
    if graph.job_type != want_type:
        report.fail(f"{job.name}: job type {graph.job_type}, expected {want_type}")
    images = [_docker_image(payload) for payload in graph.images]
    if images != [WORKER_IMAGE]:
        report.fail(f"{job.name}: worker images {images}, expected [{WORKER_IMAGE}]")
    (report.info if missing or unwanted else report.ok)(f"{job.name}: steps {', '.join(graph.top_level)}")
    problems = []
    if missing:
        problems.append(f"missing {','.join(missing)}")
    if unwanted:
        problems.append(f"unwanted {','.join(unwanted)}")
    state = "; ".join(problems) or "ok"
    return (
        f"{job.name:<14} {graph.job_type.removeprefix('JOB_TYPE_'):<10} {len(graph.top_level):>3} steps "
        f"({graph.transforms} transforms)  expected {len(found)}/{len(job.expected_steps)}  {state}  "
        f"[{outcome.get('seconds')}s]"
    )


def _run_options() -> dict[str, Any]:
    """`newsevents run`'s options, from the typer app: option string -> click parameter."""
    import typer
    from pipeline.cli import app

    command: Any = typer.main.get_command(app)
    run = command.commands["run"]
    options: dict[str, Any] = {}
    for param in run.params:
        for name in (*param.opts, *getattr(param, "secondary_opts", ())):
            if name.startswith("--"):
                options[name] = param
    return options


def check_metadata(report: Report) -> None:
    path = DATAFLOW_DIR / "metadata.json"
    try:
        text = path.read_text()
        document = json.loads(text)
    except (OSError, ValueError) as err:
        report.fail(f"{path.relative_to(ROOT)}: {err}")
        return
    try:  # the Dataflow API's own message type: unknown fields and bad enum values fail here
        types = importlib.import_module("google.cloud.dataflow_v1beta3.types")
        types.TemplateMetadata.from_json(text)
    except Exception as err:  # noqa: BLE001 - any parse error is a finding
        report.fail(f"metadata.json is not a valid TemplateMetadata: {err}")
    failures_before = len(report.failures)
    parameters = document.get("parameters", [])
    options = _run_options()
    names: list[str] = []
    for parameter in parameters:
        name = str(parameter.get("name", ""))
        names.append(name)
        for key in ("name", "label", "helpText"):
            if not str(parameter.get(key, "")).strip():
                report.fail(f"metadata.json: parameter {name or '?'} has no {key}")
        if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
            report.fail(f"metadata.json: parameter name {name!r} is not snake_case")
        option = f"--{name.replace('_', '-')}"
        if option not in options:
            report.fail(f"metadata.json: parameter {name} is not a `newsevents run` option ({option})")
        elif options[option].required and parameter.get("isOptional"):
            report.fail(f"metadata.json: {name} is required by `newsevents run` but optional in the template")
    if len(set(names)) != len(names):
        report.fail("metadata.json: duplicate parameter names")
    for option, param in options.items():
        if param.required and option.removeprefix("--").replace("-", "_") not in names:
            report.fail(f"metadata.json: `newsevents run` requires {option}, which the template does not take")
    left_out = sorted({o for o in options if o.removeprefix("--").replace("-", "_") not in names} - {"--help"})
    if len(report.failures) == failures_before:
        report.ok(f"metadata.json: {len(names)} parameters, each a `newsevents run` option")
    if left_out:
        report.info(f"`newsevents run` options the template does not take: {' '.join(left_out)}")
    _check_launcher(frozenset(names), report)


def _check_launcher(parameters: frozenset[str], report: Report) -> None:
    """The launcher's mapping of template parameters to CLI options, on a sample argv."""
    import importlib.util

    spec = importlib.util.spec_from_file_location("newsevents_launcher", DATAFLOW_DIR / "launcher.py")
    if spec is None or spec.loader is None:
        report.fail("deploy/dataflow/launcher.py cannot be loaded")
        return
    launcher = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(launcher)
    if launcher.template_parameters() != parameters:
        report.fail("launcher.py reads other parameter names than metadata.json holds")
    sample = [
        "--bootstrap_servers=kafka:9092",
        "--input_topic=articles",
        "--output_topic=events",
        "--dead_letter_topic=dead-letters",
        "--bounded=false",
        "--group_id=",
        '--kafka_option=["security.protocol=SASL_SSL","sasl.mechanism=PLAIN"]',
        f"--project={PROJECT}",
        "--region",
        REGION,
        "--streaming",
    ]
    expected = [
        "run", "--bootstrap-servers", "kafka:9092", "--input-topic", "articles", "--output-topic", "events",
        "--dead-letter-topic", "dead-letters", "--kafka-option", "security.protocol=SASL_SSL", "--kafka-option",
        "sasl.mechanism=PLAIN", "--", f"--project={PROJECT}", f"--region={REGION}", "--streaming",
        f"--sdk_container_image={WORKER_IMAGE}",
    ]  # fmt: skip
    got = launcher.cli_argv(sample, parameters, WORKER_IMAGE)
    if got != expected:
        report.fail(f"launcher.py maps the sample argv to {got}")
        return
    from pipeline.cli import app

    try:  # the mapped argv parses as `newsevents run` (parsing only: the command is not invoked)
        import typer

        command: Any = typer.main.get_command(app)
        run = command.commands["run"]
        run.make_context("run", list(got[1:]))
    except Exception as err:  # noqa: BLE001 - a parse error is a finding
        report.fail(f"`newsevents run` rejects the launcher's argv: {err}")
        return
    report.ok("launcher.py: template parameters map to `newsevents run` options; the result parses")


def check_dockerfile(report: Report) -> None:
    import apache_beam

    path = DATAFLOW_DIR / "Dockerfile"
    text = path.read_text()
    version = apache_beam.__version__
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    wanted = {
        "the Beam SDK version": f"ARG BEAM_VERSION={version}",
        "the Beam SDK image": f"apache/beam_python{python}_sdk:${{BEAM_VERSION}}",
        "the launcher base image": f"python{python.replace('.', '')}-template-launcher-base",
        "FLEX_TEMPLATE_PYTHON_PY_FILE": "FLEX_TEMPLATE_PYTHON_PY_FILE=",
    }
    for what, needle in wanted.items():
        if needle not in text:
            report.fail(f"deploy/dataflow/Dockerfile: {what} is not `{needle}`")
    for source in re.findall(r"^COPY (?!--from)(.+) \S+$", text, flags=re.MULTILINE):
        for item in source.split():
            if not (ROOT / item).exists():
                report.fail(f"deploy/dataflow/Dockerfile copies {item}, which does not exist")
    if not any(f.startswith("deploy/dataflow/Dockerfile") for f in report.failures):
        report.ok(f"Dockerfile: Beam {version}, Python {python}, copied paths exist (not built here: no Docker)")


def _pinned_names(path: Path) -> set[str]:
    names = set()
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            names.add(
                re.split(r"[=<>!~ @\[;]", line.strip(), maxsplit=1)[0].lower().replace("_", "-").replace(".", "-")
            )
    return names


def check_pins(report: Report) -> None:
    """The gcp pins hold only what constraints.txt does not pin: the image installs with both."""
    pins = DATAFLOW_DIR / "constraints-gcp.txt"
    if not pins.is_file():
        report.fail("deploy/dataflow/constraints-gcp.txt is missing (scripts/dataflow-check writes it)")
        return
    both = sorted(_pinned_names(pins) & _pinned_names(ROOT / "constraints.txt"))
    if both:
        report.fail(
            f"constraints.txt now pins {', '.join(both)}, which constraints-gcp.txt pins too: "
            "DATAFLOW_CHECK_RELOCK=1 scripts/dataflow-check writes the gcp pins anew"
        )
    else:
        report.ok(f"constraints-gcp.txt: {len(_pinned_names(pins))} pins, none also in constraints.txt")


def check_flink(report: Report) -> None:
    import yaml

    files = sorted(FLINK_DIR.glob("*.yaml"))
    if not files:
        report.fail("deploy/flink/: no YAML file")
    for path in files:
        try:
            documents = [d for d in yaml.safe_load_all(path.read_text()) if d is not None]
        except yaml.YAMLError as err:
            report.fail(f"{path.relative_to(ROOT)}: {err}")
            continue
        kinds = [str(d.get("kind")) for d in documents if isinstance(d, dict)]
        if "FlinkDeployment" not in kinds:
            report.fail(f"{path.relative_to(ROOT)}: no FlinkDeployment")
        else:
            report.ok(f"{path.relative_to(ROOT)} parses: {', '.join(kinds)} (not run: no Kubernetes here)")


def _build(command: list[str], env: dict[str, str], net_log: Path, log: Path) -> tuple[int | None, str]:
    """Runs one build process; stops it early once it has tried the network for NETWORK_GRACE_S
    (Google's clients retry refused connections for minutes), or after BUILD_TIMEOUT_S."""
    seen = len(network_attempts(net_log))
    started = time.monotonic()
    first_attempt: float | None = None
    with log.open("w") as output:
        proc = subprocess.Popen(command, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
        while True:
            try:
                return proc.wait(timeout=0.5), ""
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            if first_attempt is None and len(network_attempts(net_log)) > seen:
                first_attempt = now
            if first_attempt is not None and now - first_attempt > NETWORK_GRACE_S:
                why = f"stopped {NETWORK_GRACE_S:.0f}s after its first network attempt"
            elif now - started > BUILD_TIMEOUT_S:
                why = f"stopped after {BUILD_TIMEOUT_S}s"
            else:
                continue
            proc.kill()
            proc.wait()
            return None, why


def run_jobs(work: Path, report: Report) -> list[str]:
    """Builds every job in a guarded process of its own; returns the summary lines."""
    guard_dir = work / "guard"
    guard_dir.mkdir(exist_ok=True)
    _sitecustomize(guard_dir)
    net_log = work / "network-attempts.jsonl"
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(guard_dir), env.get("PYTHONPATH")]))
    env[NET_LOG_ENV] = str(net_log)
    lines: list[str] = []
    outcomes: list[dict[str, Any]] = []
    for job in JOBS:
        job_file, result_file = work / f"{job.name}.job.json", work / f"{job.name}.result.json"
        for stale in (job_file, result_file):
            stale.unlink(missing_ok=True)
        before = len(network_attempts(net_log))
        command = [sys.executable, __file__, "--build", job.name, str(job_file), str(result_file)]
        code, stopped = _build(command, env, net_log, work / f"{job.name}.log")
        attempts = len(network_attempts(net_log)) - before
        if attempts:
            report.fail(f"{job.name}: {attempts} network attempt(s) while building (see network-attempts.jsonl)")
        if stopped or not result_file.is_file():
            reason = stopped or f"the build process exited {code} without a result"
            report.fail(f"{job.name}: {reason} (log: {work / f'{job.name}.log'})")
            tail = (work / f"{job.name}.log").read_text(errors="replace").splitlines()[-12:]
            report.lines.append("        " + "\n        ".join(tail))
            lines.append(f"{job.name:<14} {reason}")
            continue
        outcome = json.loads(result_file.read_text())
        outcomes.append(outcome)
        lines.append(check_job(job, outcome, job_file, report))
    if outcomes and not any(o.get("model_imports") for o in outcomes):
        library = "imported" if all(o.get("spacy_imported") for o in outcomes) else "not imported"
        report.ok(f"the spaCy model was not needed to build any job (its import was blocked; spaCy itself: {library})")
    return lines


def network_attempts(path: Path) -> list[dict[str, Any]]:
    if not path.is_file():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--keep", type=Path, help="keep the job files and logs in this directory")
    parser.add_argument("--build", nargs=3, metavar=("JOB", "JOB_FILE", "RESULT_FILE"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.build:
        name, job_file, result_file = args.build
        return build_job(name, Path(job_file), Path(result_file))

    started = time.monotonic()
    work = Path(tempfile.mkdtemp(prefix="dataflow-check-")) if args.keep is None else args.keep.resolve()
    work.mkdir(parents=True, exist_ok=True)
    install_network_guard(str(work / "network-attempts.jsonl"))
    report = Report()
    for check in (check_metadata, check_dockerfile, check_pins, check_flink):
        try:
            check(report)
        except Exception as err:  # noqa: BLE001 - one broken check must not hide the others
            report.fail(f"{check.__name__}: {type(err).__name__}: {err}")
    job_lines = run_jobs(work, report)
    attempts = network_attempts(work / "network-attempts.jsonl")
    if attempts:
        first = attempts[0]
        report.fail(
            f"{len(attempts)} network attempt(s) outside loopback, first: {first['call']} {first['target']} "
            f"at {' <- '.join(reversed(first['where'][-3:]))}"
        )
    else:
        report.ok("no connection or name lookup outside loopback was tried")

    print("dataflow-check: Dataflow dry runs (DataflowRunner, --dry_run=True), offline")
    for line in job_lines:
        print(f"  {line}")
    print("checks:")
    print("\n".join(report.lines))
    verdict = "FAILED" if report.failures else "passed"
    kept = f"; job files in {work}" if args.keep is not None else ""
    print(f"dataflow-check: {verdict} in {time.monotonic() - started:.0f}s ({len(report.failures)} failure(s)){kept}")
    if args.keep is None and not report.failures:
        import shutil

        shutil.rmtree(work, ignore_errors=True)
    elif args.keep is None:
        print(f"dataflow-check: logs and job files kept in {work}")
    return 1 if report.failures else 0


if __name__ == "__main__":
    sys.exit(main())
