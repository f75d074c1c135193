"""Kafka client settings are typed once, reach only the clients that take them, and can come
from a properties file, the environment or the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from pipeline.errors import UserError
from pipeline.kafka_settings import (
    Setting,
    build_kafka_settings,
    read_properties,
    settings_from_cli,
    settings_from_env,
)


def cli(*options: str) -> list[Setting]:
    return settings_from_cli(list(options))


def test_a_digit_only_password_stays_a_string_and_never_shows() -> None:
    kafka = build_kafka_settings("h:9092", cli("sasl.password=20261201", "sasl.mechanism=plain"))
    config = kafka.config_for("producer")
    assert config["sasl_plain_password"] == "20261201" and config["sasl_mechanism"] == "PLAIN"
    assert "20261201" not in repr(kafka) and "20261201" not in str(kafka.model_dump())


@pytest.mark.parametrize(("value", "expected"), [("false", False), ("no", False), ("0", False), ("True", True)])
def test_booleans_are_booleans(value: str, expected: bool) -> None:
    kafka = build_kafka_settings("h:9092", cli(f"ssl_check_hostname={value}"))
    assert all(kafka.config_for(kind)["ssl_check_hostname"] is expected for kind in ("producer", "consumer", "admin"))


def test_a_setting_reaches_only_the_clients_that_take_it() -> None:
    kafka = build_kafka_settings(
        "h:9092", cli("max.request.size=5000000", "max_poll_records=20", "request.timeout.ms=9000")
    )
    assert kafka.config_for("producer")["max_request_size"] == 5_000_000
    assert "max_request_size" not in kafka.config_for("consumer") | kafka.config_for("admin")
    assert kafka.config_for("consumer")["max_poll_records"] == 20
    assert "max_poll_records" not in kafka.config_for("producer")
    assert {kafka.config_for(k)["request_timeout_ms"] for k in ("producer", "consumer", "admin")} == {9000}


def test_a_prefix_scopes_a_setting_to_one_client() -> None:
    kafka = build_kafka_settings("h:9092", cli("consumer.request.timeout.ms=40000", "request_timeout_ms=9000"))
    assert kafka.config_for("consumer")["request_timeout_ms"] == 9000  # later wins
    kafka = build_kafka_settings("h:9092", cli("request_timeout_ms=9000", "consumer.request.timeout.ms=40000"))
    assert (kafka.config_for("consumer")["request_timeout_ms"], kafka.config_for("admin")["request_timeout_ms"]) == (
        40000,
        9000,
    )


def test_a_java_properties_file_with_jaas_credentials(tmp_path: Path) -> None:
    path = tmp_path / "client.properties"
    path.write_text(
        "# credentials for the staging cluster\n"
        "bootstrap.servers=broker-1:9093,broker-2:9093\n"
        "security.protocol=SASL_SSL\n"
        "sasl.mechanism=SCRAM-SHA-512\n"
        "sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \\\n"
        '    username="svc-news" password="0042";\n'
        "ssl.endpoint.identification.algorithm=\n"
        "! a comment the Java way\n"
        "ssl.ca.location: /etc/ssl/ca.pem\n"
    )
    kafka = build_kafka_settings(None, read_properties(path))
    config = kafka.config_for("consumer")
    assert kafka.bootstrap_servers == "broker-1:9093,broker-2:9093"
    assert config["bootstrap_servers"] == ["broker-1:9093", "broker-2:9093"]
    assert (config["sasl_plain_username"], config["sasl_plain_password"]) == ("svc-news", "0042")
    assert (config["security_protocol"], config["sasl_mechanism"]) == ("SASL_SSL", "SCRAM-SHA-512")
    assert config["ssl_check_hostname"] is False and config["ssl_cafile"] == "/etc/ssl/ca.pem"


def test_the_command_line_beats_the_environment_which_beats_the_file(tmp_path: Path) -> None:
    path = tmp_path / "client.properties"
    path.write_text("linger.ms=1\nclient.id=from-file\nbootstrap.servers=file-host:1\n")
    env = settings_from_env(
        {"NEWSEVENTS_KAFKA_LINGER_MS": "2", "NEWSEVENTS_KAFKA_PRODUCER_BATCH_SIZE": "999", "HOME": "/root"}
    )
    kafka = build_kafka_settings("cli-host:2", [*read_properties(path), *env, *cli("linger_ms=3")])
    producer = kafka.config_for("producer")
    assert (producer["linger_ms"], producer["batch_size"], producer["client_id"]) == (3, 999, "from-file")
    assert kafka.bootstrap_servers == "cli-host:2"
    assert "batch_size" not in kafka.config_for("consumer")


@pytest.mark.parametrize(
    ("option", "message"),
    [
        ("linger_ms=soon", "--kafka-option: producer setting linger_ms='soon': Input should be a valid integer"),
        ("sasl_plain_password", "expects KEY=VALUE"),
        ("colour=blue", "unknown Kafka client setting 'colour'"),
        ("group.id=other", "'group.id' is set by newsevents: use --group-id"),
        ("acks=1", "the pipeline always writes with acks=all"),
        ("enable.auto.commit=true", "committed by the pipeline"),
        ("producer.max_poll_records=5", "'max_poll_records' is not a producer setting"),
        ("ssl.truststore.location=/x.jks", "kafka-python reads PEM files"),
        ("security.protocol=TLS", "security_protocol='TLS'"),
        ("bootstrap.servers=h:1", "use --bootstrap-servers"),
    ],
)
def test_a_wrong_setting_is_one_clear_line(option: str, message: str) -> None:
    with pytest.raises(UserError) as caught:
        build_kafka_settings("h:9092", cli(option))
    assert message in str(caught.value) and "\n" not in str(caught.value)


def test_jaas_credentials_without_a_password_are_one_clear_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.properties"
    path.write_text('ssl.password=\nsasl.jaas.config=PlainLoginModule required username="u";\n')
    with pytest.raises(UserError, match=r"bad.properties:2: sasl.jaas.config has no username"):
        build_kafka_settings("h:9092", read_properties(path))
