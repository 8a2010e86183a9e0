"""A tiny OTLP/HTTP collector: saves every POST body it receives to a file, as sent.

Protobuf bodies (application/x-protobuf) are saved as .pb and also converted with protobuf's own
json_format (the proto3 JSON mapping: base64 ids, enum names) to .proto3.json; JSON bodies are
saved as .json. File names: <NNN>-<traces|logs>.<ext>, numbered in arrival order.
"""

import http.server
import sys
import threading
from pathlib import Path

from google.protobuf import json_format
from opentelemetry.proto.collector.logs.v1.logs_service_pb2 import ExportLogsServiceRequest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

OUT = Path(sys.argv[1])
PORT = int(sys.argv[2])
LOCK = threading.Lock()
COUNT = [0]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 (http.server's naming)
        body = self.rfile.read(int(self.headers.get("content-length", "0")))
        signal = "logs" if self.path.endswith("/logs") else "traces"
        kind = self.headers.get("content-type", "")
        with LOCK:
            COUNT[0] += 1
            stem = OUT / f"{COUNT[0]:03d}-{signal}"
        if "protobuf" in kind:
            stem.with_suffix(".pb").write_bytes(body)
            msg = ExportLogsServiceRequest() if signal == "logs" else ExportTraceServiceRequest()
            msg.ParseFromString(body)
            stem.with_suffix(".proto3.json").write_text(json_format.MessageToJson(msg))
        else:
            stem.with_suffix(".json").write_bytes(body)
        self.send_response(200)
        self.send_header("content-type", kind or "application/json")
        self.end_headers()
        self.wfile.write(b"{}" if "json" in kind else b"")

    def log_message(self, *args):
        pass


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
