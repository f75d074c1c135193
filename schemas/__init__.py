"""Avro contracts of newsevents. Installed as `pipeline.contracts` so workers get them too."""
