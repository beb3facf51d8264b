"""The local OTLP receiver of the embedded stack: OTLP in, Collector file-exporter JSONL out."""
