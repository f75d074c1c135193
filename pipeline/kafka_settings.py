"""Kafka client settings: one typed object per client kind (producer, consumer, admin).

Settings come from three places, later ones winning: a properties file in the format Kafka's
own tools read (`--kafka-config client.properties`), environment variables
(`NEWSEVENTS_KAFKA_<NAME>`, `NEWSEVENTS_KAFKA_PRODUCER_<NAME>`, ...) and `--kafka-option KEY=VALUE`.
Keys may be written the Java way (`security.protocol`, `sasl.jaas.config`), the librdkafka way
(`sasl.username`, `ssl.ca.location`) or the kafka-python way (`security_protocol`). A key
prefixed `producer.`, `consumer.` or `admin.` reaches that client only; an unprefixed key
reaches every client kind that has it, so `max_request_size` goes to the producer alone.
Values are typed here, once: a digit-only password stays a string, `false` is False.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator

from pipeline.errors import UserError

ClientKind = Literal["producer", "consumer", "admin"]
CLIENT_KINDS: tuple[ClientKind, ...] = ("producer", "consumer", "admin")
ENV_PREFIX = "NEWSEVENTS_KAFKA_"
_SETTINGS = ConfigDict(frozen=True, extra="forbid")


class CommonClientSettings(BaseModel):
    """Connection and security settings every kafka-python client takes."""

    model_config = _SETTINGS

    client_id: str | None = None
    request_timeout_ms: int | None = Field(default=None, gt=0)
    connections_max_idle_ms: int | None = Field(default=None, gt=0)
    metadata_max_age_ms: int | None = Field(default=None, ge=0)
    reconnect_backoff_ms: int | None = Field(default=None, ge=0)
    reconnect_backoff_max_ms: int | None = Field(default=None, ge=0)
    retry_backoff_ms: int | None = Field(default=None, ge=0)
    receive_buffer_bytes: int | None = Field(default=None, gt=0)
    send_buffer_bytes: int | None = Field(default=None, gt=0)
    max_in_flight_requests_per_connection: int | None = Field(default=None, gt=0)
    client_dns_lookup: Literal["use_all_dns_ips", "resolve_canonical_bootstrap_servers_only"] | None = None
    api_version: str | None = Field(default=None, pattern=r"^\d+(\.\d+){1,2}$")
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] | None = None
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER", "GSSAPI"] | None = None
    sasl_plain_username: str | None = None
    sasl_plain_password: SecretStr | None = None
    sasl_kerberos_service_name: str | None = None
    sasl_kerberos_domain_name: str | None = None
    ssl_cafile: str | None = None
    ssl_certfile: str | None = None
    ssl_keyfile: str | None = None
    ssl_crlfile: str | None = None
    ssl_password: SecretStr | None = None
    ssl_check_hostname: bool | None = None
    ssl_ciphers: str | None = None

    @field_validator("security_protocol", "sasl_mechanism", mode="before")
    @classmethod
    def _upper(cls, value: object) -> object:
        return value.upper() if isinstance(value, str) else value

    def client_config(self) -> dict[str, Any]:
        """The kafka-python keyword arguments of the settings that were given."""
        config: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if value is None:
                continue
            if isinstance(value, SecretStr):
                value = value.get_secret_value()
            elif name == "api_version":
                value = tuple(int(part) for part in value.split("."))
            config[name] = value
        return config

    @property
    def sasl_description(self) -> str:
        if not self.sasl_mechanism:
            return ""
        user = f" as '{self.sasl_plain_username}'" if self.sasl_plain_username else ""
        return f"SASL {self.sasl_mechanism}{user}"


class ProducerSettings(CommonClientSettings):
    """Producer-only settings. acks and idempotence are not here: the pipeline's guarantees
    need acks=all and the idempotent producer, always."""

    compression_type: Literal["gzip", "snappy", "lz4", "zstd"] | None = None
    linger_ms: int | None = Field(default=None, ge=0)
    batch_size: int | None = Field(default=None, gt=0)
    max_request_size: int | None = Field(default=None, gt=0)
    delivery_timeout_ms: int | None = Field(default=None, gt=0)
    max_block_ms: int | None = Field(default=None, gt=0)

    @field_validator("compression_type", mode="before")
    @classmethod
    def _no_compression(cls, value: object) -> object:
        return None if isinstance(value, str) and value.lower() in ("none", "") else value


class ConsumerSettings(CommonClientSettings):
    """Consumer-only settings. The group, offset reset and commits are the pipeline's own
    (`--group-id`, `--offset-reset`; offsets are committed after the output is durable)."""

    fetch_min_bytes: int | None = Field(default=None, gt=0)
    fetch_max_wait_ms: int | None = Field(default=None, ge=0)
    fetch_max_bytes: int | None = Field(default=None, gt=0)
    max_partition_fetch_bytes: int | None = Field(default=None, gt=0)
    max_poll_records: int | None = Field(default=None, gt=0)
    session_timeout_ms: int | None = Field(default=None, gt=0)
    heartbeat_interval_ms: int | None = Field(default=None, gt=0)
    max_poll_interval_ms: int | None = Field(default=None, gt=0)
    isolation_level: Literal["read_uncommitted", "read_committed"] | None = None
    client_rack: str | None = None
    check_crcs: bool | None = None


class AdminSettings(CommonClientSettings):
    """The admin client takes the common settings only."""


_MODELS: dict[ClientKind, type[CommonClientSettings]] = {
    "producer": ProducerSettings,
    "consumer": ConsumerSettings,
    "admin": AdminSettings,
}

# Settings the pipeline owns: giving them would break a guarantee or duplicate a flag.
_RESERVED = {
    "bootstrap_servers": "use --bootstrap-servers (or bootstrap.servers in the properties file)",
    "group_id": "use --group-id",
    "auto_offset_reset": "use --offset-reset",
    "enable_auto_commit": "offsets are committed by the pipeline, after the output is durable",
    "acks": "the pipeline always writes with acks=all",
    "enable_idempotence": "the pipeline always uses the idempotent producer",
    "key_serializer": "records are serialised by the pipeline",
    "value_serializer": "records are serialised by the pipeline",
    "key_deserializer": "records are read as bytes by the pipeline",
    "value_deserializer": "records are read as bytes by the pipeline",
    "transactional_id": "the pipeline does not write in transactions",
}

# librdkafka and Java names whose kafka-python name is not the dotted name with underscores.
_ALIASES = {
    "sasl_username": "sasl_plain_username",
    "sasl_password": "sasl_plain_password",
    "sasl_mechanisms": "sasl_mechanism",
    "ssl_ca_location": "ssl_cafile",
    "ssl_certificate_location": "ssl_certfile",
    "ssl_key_location": "ssl_keyfile",
    "ssl_key_password": "ssl_password",
    "ssl_crl_location": "ssl_crlfile",
    "ssl_cipher_suites": "ssl_ciphers",
}
_UNSUPPORTED = {
    "ssl_truststore_location": "kafka-python reads PEM files: give ssl.ca.location (ssl_cafile) instead",
    "ssl_keystore_location": "kafka-python reads PEM files: give ssl.certificate.location and ssl.key.location",
}
_JAAS = re.compile(r'(\w+)\s*=\s*"((?:[^"\\]|\\.)*)"')


@dataclass(frozen=True, slots=True)
class Setting:
    """One KEY=VALUE as given, with where it came from (for error messages)."""

    key: str
    value: str
    origin: str


class KafkaSettings(BaseModel):
    """How to reach the cluster, and the typed settings of each client kind."""

    model_config = _SETTINGS

    bootstrap_servers: str = Field(min_length=3)
    producer: ProducerSettings = ProducerSettings()
    consumer: ConsumerSettings = ConsumerSettings()
    admin: AdminSettings = AdminSettings()

    @field_validator("bootstrap_servers")
    @classmethod
    def _host_port(cls, value: str) -> str:
        for server in value.split(","):
            host, _, port = server.strip().rpartition(":")
            if not host or not port.isdigit():
                raise ValueError(f"'{server}' is not HOST:PORT")
        return value

    def config_for(self, kind: ClientKind) -> dict[str, Any]:
        """kafka-python keyword arguments for a client of `kind`, bootstrap servers included."""
        settings: CommonClientSettings = getattr(self, kind)
        return {"bootstrap_servers": [s.strip() for s in self.bootstrap_servers.split(",")], **settings.client_config()}

    def describe_auth(self) -> str:
        return self.consumer.sasl_description or self.consumer.security_protocol or "PLAINTEXT"


def read_properties(path: Path) -> list[Setting]:
    """KEY=VALUE (or KEY: VALUE) lines of a Java properties file; # and ! start comments."""
    try:
        text = path.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UserError(f"cannot read Kafka client config {path}: {err}") from None
    settings = []
    for number, line in enumerate(_joined_lines(text), start=1):
        stripped = line.strip()
        if not stripped or stripped[0] in "#!":
            continue
        match = re.match(r"^([^=:\s]+)\s*[=:\s]\s*(.*)$", stripped)
        if match is None:
            raise UserError(f"{path}:{number}: expected KEY=VALUE, got '{stripped[:60]}'")
        settings.append(Setting(match.group(1), match.group(2).strip(), f"{path}:{number}"))
    return settings


def _joined_lines(text: str) -> Iterable[str]:
    """Lines with Java's backslash continuations joined (sasl.jaas.config is often wrapped)."""
    pending = ""
    for raw in text.splitlines():
        if raw.endswith("\\") and not raw.endswith("\\\\"):
            pending += raw[:-1].strip() + " "
            continue
        yield pending + raw.strip() if pending else raw
        pending = ""
    if pending:
        yield pending


def settings_from_env(environ: Mapping[str, str]) -> list[Setting]:
    """NEWSEVENTS_KAFKA_<NAME> and NEWSEVENTS_KAFKA_<KIND>_<NAME>, e.g. ..._SASL_PLAIN_PASSWORD."""
    found = []
    for name, value in sorted(environ.items()):
        if not name.startswith(ENV_PREFIX) or name == f"{ENV_PREFIX}CONFIG":
            continue
        key = name[len(ENV_PREFIX) :].lower()
        for kind in CLIENT_KINDS:
            if key.startswith(f"{kind}_"):
                key = f"{kind}.{key[len(kind) + 1 :]}"
                break
        found.append(Setting(key, value, name))
    return found


def settings_from_cli(options: Iterable[str]) -> list[Setting]:
    found = []
    for item in options:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise UserError(f"--kafka-option expects KEY=VALUE, got '{item}'")
        found.append(Setting(key.strip(), value.strip(), "--kafka-option"))
    return found


def build_kafka_settings(
    bootstrap_servers: str | None,
    settings: Iterable[Setting],
    default_bootstrap: str = "127.0.0.1:9092",
) -> KafkaSettings:
    """Typed settings of every client kind from the given settings, in increasing precedence.

    Raises:
        UserError: naming the setting and where it came from, for anything unknown or mistyped.
    """
    values: dict[ClientKind, dict[str, tuple[object, str]]] = {kind: {} for kind in CLIENT_KINDS}
    bootstrap_from_file: str | None = None
    for setting in settings:
        kind, name, value = _normalise(setting)
        if name == "bootstrap_servers":
            bootstrap_from_file = str(value)
            continue
        for target in _targets(kind, name, setting):
            values[target][name] = (value, setting.origin)
    typed = {kind: _typed(kind, values[kind]) for kind in CLIENT_KINDS}
    servers = bootstrap_servers or bootstrap_from_file or default_bootstrap
    try:
        return KafkaSettings(bootstrap_servers=servers, **typed)
    except ValidationError as err:
        raise UserError(f"bootstrap servers: {err.errors()[0]['msg']}") from None


def _normalise(setting: Setting) -> tuple[ClientKind | None, str, object]:
    key = setting.key.strip().lower()
    kind: ClientKind | None = None
    for candidate in CLIENT_KINDS:
        if key.startswith(f"{candidate}."):
            kind, key = candidate, key[len(candidate) + 1 :]
            break
    name = re.sub(r"[.\-]", "_", key)
    name = _ALIASES.get(name, name)
    if name in _UNSUPPORTED:
        raise UserError(f"{setting.origin}: '{setting.key}' is not supported: {_UNSUPPORTED[name]}")
    if name == "bootstrap_servers" and setting.origin.startswith(("--", ENV_PREFIX)):
        raise UserError(f"{setting.origin}: '{setting.key}': {_RESERVED[name]}")
    if name in _RESERVED and name != "bootstrap_servers":
        raise UserError(f"{setting.origin}: '{setting.key}' is set by newsevents: {_RESERVED[name]}")
    if name == "sasl_jaas_config":
        return kind, "sasl_jaas_config", _jaas_credentials(setting)
    if name == "ssl_endpoint_identification_algorithm":
        return kind, "ssl_check_hostname", setting.value.strip().lower() == "https"
    return kind, name, setting.value


def _jaas_credentials(setting: Setting) -> dict[str, str]:
    credentials = dict(_JAAS.findall(setting.value))
    if "username" not in credentials or "password" not in credentials:
        raise UserError(f'{setting.origin}: sasl.jaas.config has no username="..." password="..."')
    return {"sasl_plain_username": credentials["username"], "sasl_plain_password": credentials["password"]}


def _targets(kind: ClientKind | None, name: str, setting: Setting) -> list[ClientKind]:
    if name == "sasl_jaas_config":
        return [kind] if kind else list(CLIENT_KINDS)
    accepting = [k for k in CLIENT_KINDS if name in _MODELS[k].model_fields]
    if kind is not None:
        if kind not in accepting:
            raise UserError(f"{setting.origin}: '{name}' is not a {kind} setting")
        return [kind]
    if not accepting:
        raise UserError(
            f"{setting.origin}: unknown Kafka client setting '{setting.key}' "
            "(see the settings of kafka-python's KafkaProducer and KafkaConsumer)"
        )
    return accepting


def _typed(kind: ClientKind, values: dict[str, tuple[object, str]]) -> CommonClientSettings:
    flat: dict[str, object] = {}
    origins: dict[str, str] = {}
    for name, (value, origin) in values.items():
        if name == "sasl_jaas_config" and isinstance(value, dict):
            flat.update(value)
            origins.update(dict.fromkeys(value, origin))
        else:
            flat[name], origins[name] = value, origin
    try:
        return _MODELS[kind](**flat)
    except ValidationError as err:
        first = err.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "?"
        shown = "***" if "password" in field else repr(flat.get(field))
        raise UserError(f"{origins.get(field, '?')}: {kind} setting {field}={shown}: {first['msg']}") from None


def environment_settings() -> list[Setting]:
    """The settings of this process's environment (read once, at the edge)."""
    return settings_from_env(os.environ)
