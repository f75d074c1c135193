"""Sources and sinks: Kafka topics, archive files and Avro files."""
