"""Run configuration: parsed once at the edge (the CLI) into frozen, validated objects."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from pipeline.articles import DEFAULT_MAX_BODY_CHARS, InputFormat
from pipeline.nlp.extractor import DEFAULT_MODEL

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class KafkaSettings(BaseModel):
    """How to reach the cluster. `options` pass through to kafka-python clients
    (security_protocol, sasl_mechanism, ssl_cafile, ...); `password` is kept secret."""

    model_config = _FROZEN

    bootstrap_servers: str = Field(min_length=3)
    options: dict[str, str | int] = {}
    password: SecretStr | None = None

    @field_validator("bootstrap_servers")
    @classmethod
    def _host_port(cls, value: str) -> str:
        for server in value.split(","):
            host, _, port = server.strip().rpartition(":")
            if not host or not port.isdigit():
                raise ValueError(f"'{server}' is not HOST:PORT")
        return value

    def client_config(self) -> dict[str, Any]:
        config: dict[str, Any] = {"bootstrap_servers": self.bootstrap_servers.split(","), **self.options}
        if self.password is not None:
            config["sasl_plain_password"] = self.password.get_secret_value()
        return config


class KafkaSourceSettings(BaseModel):
    model_config = _FROZEN

    kafka: KafkaSettings
    topic: str = Field(min_length=1)
    group_id: str | None = "newsevents"
    bounded: bool = False
    offset_reset: Literal["earliest", "latest"] = "earliest"
    from_time_ms: int | None = None
    to_time_ms: int | None = None
    poll_timeout_ms: int = Field(default=500, gt=0)
    max_poll_records: int = Field(default=500, gt=0)
    # Work per SDF call before it checkpoints, so that bundles end and offsets get committed.
    max_bundle_seconds: float = Field(default=5.0, gt=0)


class ArchiveSourceSettings(BaseModel):
    model_config = _FROZEN

    pattern: str = Field(min_length=1)


class KafkaSinkSettings(BaseModel):
    model_config = _FROZEN

    kafka: KafkaSettings
    topic: str = Field(min_length=1)
    confluent_schema_id: int | None = Field(default=None, ge=0)
    flush_timeout_s: float = Field(default=60.0, gt=0)
    # How long a send may wait for topic metadata (a missing topic) before it fails the bundle.
    max_block_ms: int = Field(default=60_000, gt=0)


class ExtractionSettings(BaseModel):
    model_config = _FROZEN

    model: str = DEFAULT_MODEL
    input_format: InputFormat = "json"
    max_body_chars: int = Field(default=DEFAULT_MAX_BODY_CHARS, gt=0)
    batch_size: int = Field(default=16, gt=0)


class RunConfig(BaseModel):
    """Everything one pipeline run needs besides the Beam options."""

    model_config = _FROZEN

    source: KafkaSourceSettings | ArchiveSourceSettings
    extraction: ExtractionSettings = ExtractionSettings()
    events_topic: KafkaSinkSettings | None = None
    dead_letter_topic: KafkaSinkSettings | None = None
    output_dir: str | None = None
    file_window_seconds: int = Field(default=300, gt=0)

    @property
    def bounded(self) -> bool:
        return isinstance(self.source, ArchiveSourceSettings) or self.source.bounded
