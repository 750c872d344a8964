#!/usr/bin/env python3
"""Local stand-ins of Deepgram, OpenAI, Twilio recording media and CallRail's API v3, on one port.

usage: providers.py --port PORT [--host 127.0.0.1]
                    [--latency deepgram=0.8,openai=1.5,twilio=0.05,callrail=0.1]
                    [--config '{"openai_key": "...", ...}']

Each provider answers under the path its real API uses, so a client configured with
DEEPGRAM_BASE_URL=http://127.0.0.1:PORT (and OPENAI_BASE_URL, Twilio media and CallRail URLs
the same way) works unchanged. Every request is checked against the documented contract and
logged; the control API under /_standin/ reads the log and programs faults. Prints
`ready PORT` on stdout once it listens; SIGTERM or SIGINT stop it. Standard library only.
See README.md next to this file.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from standin import app  # noqa: E402
from standin.state import DEFAULT_CONFIG, PROVIDERS  # noqa: E402


def parse_latency(text: str) -> dict[str, float]:
    out = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, sep, value = part.partition("=")
        if not sep or name not in PROVIDERS:
            raise argparse.ArgumentTypeError(f"latency entries are PROVIDER=SECONDS with PROVIDER one of {', '.join(PROVIDERS)}: {part!r}")
        try:
            seconds = float(value)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a number of seconds: {value!r}")
        if seconds < 0:
            raise argparse.ArgumentTypeError(f"latency must not be negative: {part!r}")
        out[name] = seconds
    return out


def parse_config(text: str) -> dict:
    try:
        data = json.loads(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"--config is not JSON: {error}")
    if not isinstance(data, dict) or any(k not in DEFAULT_CONFIG for k in data):
        raise argparse.ArgumentTypeError(f"--config keys are among {sorted(DEFAULT_CONFIG)}")
    return data


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--port", type=int, required=True, help="port to listen on (the caller picks one below 32768; 0 picks any)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--latency", type=parse_latency, default={}, help="PROVIDER=SECONDS,... added to every successful answer")
    parser.add_argument("--config", type=parse_config, default={}, help="JSON object of credentials and options (see /_standin/config)")
    args = parser.parse_args(argv)
    server = app.build(args.host, args.port, args.latency)
    server.state.config.update(args.config)
    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    thread = server.serve_in_thread()
    print(f"ready {server.server_address[1]}", flush=True)
    stop.wait()
    server.stop()
    thread.join(timeout=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
