"""The telemetry stack in two modes: the Docker Compose stack and the local (embedded) receiver."""
