"""Reads a topic with confluent-kafka's AvroDeserializer, as a downstream Python team would.

Prints one JSON line per record: {"key", "value"} with the value decoded through the schema registry
(Confluent wire format). Stops after --count records or --timeout seconds, whichever comes first.
"""

import argparse
import base64
import datetime
import json
import sys
import time
import uuid

from confluent_kafka import Consumer
from confluent_kafka.schema_registry import SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer
from confluent_kafka.serialization import MessageField, SerializationContext


def as_json(value):
    """bytes as base64, timestamps as epoch milliseconds: what the TypeScript side holds."""
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, datetime.datetime):
        return round(value.timestamp() * 1000)
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--registry", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--count", type=int, required=True)
    parser.add_argument("--timeout", type=float, default=30)
    options = parser.parse_args()

    deserialize = AvroDeserializer(SchemaRegistryClient({"url": options.registry}))
    consumer = Consumer(
        {
            "bootstrap.servers": options.bootstrap,
            "group.id": f"python-decode-{uuid.uuid4()}",
            "auto.offset.reset": "earliest",
            "enable.auto.commit": False,
        }
    )
    consumer.subscribe([options.topic])
    decoded = 0
    deadline = time.monotonic() + options.timeout
    try:
        while decoded < options.count and time.monotonic() < deadline:
            message = consumer.poll(0.5)
            if message is None:
                continue
            if message.error():
                raise RuntimeError(str(message.error()))
            value = deserialize(
                message.value(), SerializationContext(message.topic(), MessageField.VALUE)
            )
            key = message.key().decode("utf-8") if message.key() is not None else None
            print(json.dumps({"key": key, "value": value}, default=as_json), flush=True)
            decoded += 1
    finally:
        consumer.close()
    if decoded < options.count:
        print(f"decoded {decoded} of {options.count} records of {options.topic}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
