"""Assembles the four stand-ins behind one server, each under the path its real API uses."""

from __future__ import annotations

from . import callrail, control, deepgram, openai_api, twilio
from .server import Reply, Request, Router, StandInServer, json_reply
from .state import State


def router() -> Router:
    r = Router()
    r.add(r"/v1/listen", "deepgram", deepgram.handle)
    r.add(r"/v1/projects", "deepgram", deepgram.handle_projects)
    r.add(r"/v1/chat/completions", "openai", openai_api.handle)
    r.add(r"/v1/models(?:/(?P<model>[^/]+))?", "openai", openai_api.handle_models)
    r.add(r"/2010-04-01/Accounts/(?P<account>AC[0-9a-fA-F]{32})\.json", "twilio", twilio.handle_account)
    r.add(r"/2010-04-01/Accounts/(?P<account>AC[0-9a-fA-F]{32})/Recordings/(?P<sid>RE[0-9a-fA-F]{32})(?P<ext>\.wav|\.mp3|\.json)?", "twilio", twilio.handle_recording)
    r.add(r"/twiliocdn/recordings/(?P<token>[A-Za-z0-9_-]+)\.(?P<ext>wav|mp3)", "twilio", twilio.handle_cdn)
    r.add(r"/v3/a\.json", "callrail", callrail.handle_accounts)
    r.add(r"/v3/a/(?P<account>[A-Za-z0-9]+)\.json", "callrail", callrail.handle_accounts)
    r.add(r"/v3/a/(?P<account>[A-Za-z0-9]+)/calls/(?P<call>[A-Za-z0-9]+)\.json", "callrail", callrail.handle_call)
    r.add(r"/v3/a/(?P<account>[A-Za-z0-9]+)/calls/(?P<call>[A-Za-z0-9]+)/recording\.json", "callrail", callrail.handle_recording)
    r.add(r"/calls/(?P<call>[A-Za-z0-9]+)/recording/redirect", "callrail", callrail.handle_redirect)
    r.add(r"/calls/(?P<call>[A-Za-z0-9]+)/recording", "callrail", callrail.handle_player)
    r.add(r"/callrail-media/calls/recordings/(?P<token>[A-Za-z0-9_-]+)\.mp3", "callrail", callrail.handle_media)
    return r


def not_found(req: Request) -> Reply:
    """An unknown path, in the shape of the provider the path looks like."""
    if req.provider == "openai":
        return json_reply(404, {"error": {"message": f"Invalid URL ({req.method} {req.path})", "type": "invalid_request_error", "param": None, "code": None}})
    if req.provider == "deepgram":
        return json_reply(404, {"err_code": "NOT_FOUND", "err_msg": "Not Found", "request_id": "00000000-0000-0000-0000-000000000000"})
    if req.provider == "twilio":
        return twilio.errors(req.path)(404, "route", None)
    if req.provider == "callrail":
        return callrail.errors(404, "route", None)
    return json_reply(404, {"error": f"no stand-in serves {req.method} {req.path}"})


def build(host: str = "127.0.0.1", port: int = 0, latency: dict[str, float] | None = None) -> StandInServer:
    return StandInServer((host, port), State(latency), router(), control.handle, not_found)
