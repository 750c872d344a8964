"""The stand-ins through their HTTP routes: each route's happy path, each contract check (the
provider's error answer and a recorded violation), each fault mode, rate caps, the control API
and the command line. Run with `python3 -m unittest discover -s Tests/StandIns`."""

import hashlib
import http.client
import http.server
import json
import os
import subprocess
import sys
import threading
import time
import unittest
import urllib.parse

import jsonschema

from standin import audio
from standin import schema as strict
from standin_testkit import ACCOUNT, CR_KEY, DG_KEY, OA_KEY, TOKEN, StandInCase, basic, free_port
from test_schema import ANALYSIS

HERE = os.path.dirname(os.path.abspath(__file__))
DG_AUTH = {"Authorization": f"Token {DG_KEY}"}
LISTEN = "/v1/listen?model=nova-3&smart_format=true&utterances=true"


def chat_body(transcript="Customer: I'd like a quote for a kitchen. Agent: we can visit Tuesday.", schema=None, **extra):
    body = {
        "model": "gpt-4o-2024-08-06",
        "messages": [
            {"role": "system", "content": "Analyse the call."},
            {"role": "user", "content": transcript},
        ],
        "response_format": {"type": "json_schema", "json_schema": {"name": "call_analysis", "schema": schema or ANALYSIS, "strict": True}},
    }
    body.update(extra)
    return body


OA_AUTH = {"Authorization": f"Bearer {OA_KEY}", "Content-Type": "application/json"}


class DeepgramTests(StandInCase):
    def listen(self, body: bytes, query=LISTEN + "&diarize=true", content_type="audio/wav", headers=None):
        h = dict(DG_AUTH)
        if content_type:
            h["Content-Type"] = content_type
        h.update(headers or {})
        return self.call("POST", query, body, h)

    def test_mono_wav_with_diarisation(self):
        body = audio.wav_bytes(12.5, 1)
        resp = self.listen(body)
        self.assertEqual(resp.status, 200, resp.body)
        result = resp.json()
        meta = result["metadata"]
        self.assertEqual(meta["duration"], 12.5)
        self.assertEqual(meta["channels"], 1)
        self.assertEqual(meta["sha256"], hashlib.sha256(body).hexdigest())
        self.assertEqual(resp.header("dg-request-id"), meta["request_id"])
        utterances = result["results"]["utterances"]
        self.assertGreaterEqual(len(utterances), 2)
        self.assertEqual({u["speaker"] for u in utterances}, {0, 1})
        for u in utterances:
            self.assertEqual(u["channel"], 0)
            self.assertLess(u["start"], u["end"])
            self.assertLessEqual(u["end"], 12.5)
            self.assertTrue(0 <= u["confidence"] <= 1)
            self.assertTrue(u["transcript"])
            self.assertTrue(all("speaker" in w and "punctuated_word" in w for w in u["words"]))
        starts = [u["start"] for u in utterances]
        self.assertEqual(starts, sorted(starts))
        alternative = result["results"]["channels"][0]["alternatives"][0]
        self.assertEqual(len(result["results"]["channels"]), 1)
        self.assertEqual(len(alternative["words"]), sum(len(u["words"]) for u in utterances))
        entry = self.assert_clean()
        self.assertEqual((entry["verdict"], entry["audio_seconds"], entry["channels"]), ("ok", 12.5, 1))
        self.assertEqual(self.control("GET", "stats")["deepgram"]["audio_seconds"], 12.5)

    def test_stereo_multichannel_orders_utterances_by_channel(self):
        resp = self.listen(audio.wav_bytes(30, 2), LISTEN + "&multichannel=true")
        self.assertEqual(resp.status, 200, resp.body)
        result = resp.json()
        self.assertEqual(result["metadata"]["channels"], 2)
        self.assertEqual(len(result["results"]["channels"]), 2)
        utterances = result["results"]["utterances"]
        self.assertEqual({u["channel"] for u in utterances}, {0, 1})
        keys = [(u["channel"], u["start"]) for u in utterances]
        self.assertEqual(keys, sorted(keys), "documented: chronologically ordered by channel")
        self.assertNotEqual([u["start"] for u in utterances], sorted(u["start"] for u in utterances), "a client must sort by start itself")
        self.assertTrue(all("speaker" not in u for u in utterances))
        for ch, channel in enumerate(result["results"]["channels"]):
            words = channel["alternatives"][0]["words"]
            self.assertEqual(len(words), sum(len(u["words"]) for u in utterances if u["channel"] == ch))
        self.assert_clean()

    def test_stereo_with_diarisation_mixes_into_one_channel(self):
        resp = self.listen(audio.wav_bytes(20, 2), LISTEN + "&diarize=true")
        self.assertEqual(resp.status, 200, resp.body)
        result = resp.json()
        self.assertEqual(len(result["results"]["channels"]), 1)
        self.assertEqual({u["speaker"] for u in result["results"]["utterances"]}, {0, 1})

    def test_audio_without_samples_has_no_utterances(self):
        resp = self.listen(audio.wav_bytes(0, 1))
        self.assertEqual(resp.status, 200, resp.body)
        result = resp.json()
        self.assertEqual((result["metadata"]["duration"], result["results"]["utterances"]), (0, []))
        self.assertEqual(result["results"]["channels"][0]["alternatives"][0]["transcript"], "")

    def test_same_audio_same_transcript(self):
        body = audio.wav_bytes(9, 1)
        a, b = self.listen(body).json(), self.listen(body).json()
        self.assertEqual(a["results"], b["results"])
        self.assertNotEqual(a["metadata"]["request_id"], b["metadata"]["request_id"])

    def test_mp3_body(self):
        resp = self.listen(audio.mp3_bytes(10, 1), content_type="audio/mpeg")
        self.assertEqual(resp.status, 200, resp.body)
        self.assertAlmostEqual(resp.json()["metadata"]["duration"], audio.mp3_frames(10) * 576 / 8000)

    def test_chunked_upload(self):
        body = audio.wav_bytes(6, 2)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.putrequest("POST", LISTEN + "&multichannel=true")
        conn.putheader("Authorization", f"Token {DG_KEY}")
        conn.putheader("Content-Type", "audio/x-wav")
        conn.putheader("Transfer-Encoding", "chunked")
        conn.endheaders()
        for i in range(0, len(body), 7000):
            piece = body[i:i + 7000]
            conn.send(b"%x\r\n%s\r\n" % (len(piece), piece))
        conn.send(b"0\r\n\r\n")
        resp = conn.getresponse()
        data = json.loads(resp.read())
        conn.close()
        self.assertEqual(resp.status, 200, data)
        self.assertEqual(data["metadata"]["duration"], 6.0)
        self.assertEqual(self.last("deepgram")["body_bytes"], len(body))

    def test_url_body_fetches_the_stand_ins_own_media(self):
        rec = self.control("POST", "recordings", {"duration": 8, "channels": 1, "basic_auth": False})
        resp = self.call("POST", LISTEN + "&diarize=true", {"url": rec["recording_url"]}, DG_AUTH)
        self.assertEqual(resp.status, 200, resp.body)
        self.assertEqual(resp.json()["metadata"]["duration"], 8.0)
        locked = self.control("POST", "recordings", {"duration": 8, "channels": 1, "basic_auth": True})
        resp = self.call("POST", LISTEN + "&diarize=true", {"url": locked["recording_url"]}, DG_AUTH)
        self.assertEqual(resp.status, 400)
        self.assertEqual(resp.json()["err_code"], "REMOTE_CONTENT_ERROR")
        self.assertIn("401", resp.json()["err_msg"])

    def test_authorization_checks(self):
        body = audio.wav_bytes(2, 1)
        cases = [
            ({}, "no Authorization header"),
            ({"Authorization": f"Bearer {DG_KEY}"}, "scheme 'Bearer'"),
            ({"Authorization": "Token not-the-key"}, "wrong API key"),
        ]
        for headers, needle in cases:
            with self.subTest(needle=needle):
                resp = self.call("POST", LISTEN + "&diarize=true", body, {"Content-Type": "audio/wav", **headers})
                self.assertEqual(resp.status, 401)
                self.assertEqual(resp.json()["err_code"], "INVALID_AUTH")
                self.assert_violation("provider", needle)

    def test_query_checks(self):
        body = audio.wav_bytes(2, 1)
        cases = [
            ("/v1/listen?smart_format=true&utterances=true&diarize=true", "otto", "no model"),
            ("/v1/listen?model=nova-3&diarize=true", "otto", "utterances=true is required"),
            (LISTEN + "&diarise=true", "otto", "unknown query parameter 'diarise'"),
            (LISTEN + "&diarize=yes", "provider", "booleans are true or false"),
            ("/v1/listen?model=nova-9&utterances=true&diarize=true", "provider", "not a documented model"),
            (LISTEN + "&diarize=true&model=nova-2", "provider", "given 2 times"),
            (LISTEN + "&diarize=true&language=en_US", "provider", "BCP-47"),
            (LISTEN + "&diarize=true&callback=https://example.com/cb", "standin", "callback"),
        ]
        for query, source, needle in cases:
            with self.subTest(query=query):
                resp = self.listen(body, query)
                self.assertEqual(resp.status, 400, resp.body)
                self.assertIn(resp.json()["err_code"], ("Bad Request",))
                self.assert_violation(source, needle)

    def test_party_separation_is_required(self):
        resp = self.listen(audio.wav_bytes(4, 2), LISTEN)
        self.assertEqual(resp.status, 400)
        self.assert_violation("otto", "without multichannel=true or diarize=true")
        resp = self.listen(audio.wav_bytes(4, 1), LISTEN)
        self.assertEqual(resp.status, 400)
        self.assert_violation("otto", "mono audio without diarize=true")
        resp = self.listen(audio.wav_bytes(4, 1), LISTEN + "&diarize_model=latest")
        self.assertEqual(resp.status, 200, resp.body)

    def test_body_checks(self):
        wav = audio.wav_bytes(3, 1)
        cases = [
            (b"", "audio/wav", "provider", "empty body", "Bad Request: failed to process audio: corrupt or unsupported data"),
            (b"<html>not audio</html>" * 10, "audio/wav", "provider", "not valid audio", "corrupt or unsupported data"),
            (wav[: len(wav) // 2], "audio/wav", "provider", "truncated", "corrupt or unsupported data"),
            (wav, "audio/mpeg", "otto", "the body is WAV", "does not match"),
            (wav, "text/plain", "provider", "neither audio nor application/json", "corrupt or unsupported data"),
            (wav, None, "otto", "without a Content-Type", "Content-Type is required"),
        ]
        for body, content_type, source, needle, message in cases:
            with self.subTest(needle=needle):
                resp = self.listen(body, content_type=content_type)
                self.assertEqual(resp.status, 400, resp.body)
                self.assertIn(message, resp.json()["err_msg"])
                self.assert_violation(source, needle)

    def test_invalid_json_body(self):
        resp = self.call("POST", LISTEN + "&diarize=true", b"{not json", {**DG_AUTH, "Content-Type": "application/json"})
        self.assertEqual(resp.status, 400)
        self.assertEqual(resp.json()["category"], "INVALID_JSON")
        self.assert_violation("provider", "invalid JSON")
        resp = self.call("POST", LISTEN + "&diarize=true", {"uri": "x"}, DG_AUTH)
        self.assertEqual(resp.status, 400)
        self.assert_violation("provider", "without a string 'url'")

    def test_payload_too_large(self):
        self.control("POST", "config", {"deepgram_max_bytes": 1000})
        resp = self.listen(audio.wav_bytes(3, 1))
        self.assertEqual(resp.status, 413)
        self.assertEqual(resp.json()["err_code"], "PAYLOAD_TOO_LARGE")
        self.assert_violation("provider", "over the 1000-byte limit")

    def test_method(self):
        resp = self.call("GET", LISTEN, None, DG_AUTH)
        self.assertEqual(resp.status, 405)
        self.assert_violation("provider", "is POST")


class OpenAITests(StandInCase):
    def chat(self, body, headers=OA_AUTH):
        return self.call("POST", "/v1/chat/completions", json.dumps(body).encode() if isinstance(body, dict) else body, headers)

    def test_completion_matches_the_schema(self):
        resp = self.chat(chat_body())
        self.assertEqual(resp.status, 200, resp.body)
        data = resp.json()
        self.assertTrue(data["id"].startswith("chatcmpl-"))
        self.assertEqual(data["object"], "chat.completion")
        self.assertEqual(data["model"], "gpt-4o-2024-08-06")
        choice = data["choices"][0]
        self.assertEqual((choice["index"], choice["finish_reason"], choice["message"]["role"], choice["message"]["refusal"]), (0, "stop", "assistant", None))
        content = json.loads(choice["message"]["content"])
        self.assertEqual(strict.validate(content, ANALYSIS), [])
        jsonschema.validate(content, ANALYSIS)
        usage = data["usage"]
        self.assertEqual(usage["total_tokens"], usage["prompt_tokens"] + usage["completion_tokens"])
        self.assertGreater(usage["prompt_tokens"], 10)
        self.assertGreater(usage["completion_tokens"], 10)
        for name in ("x-request-id", "openai-processing-ms", "openai-version", "x-ratelimit-limit-requests", "x-ratelimit-remaining-requests", "x-ratelimit-reset-requests", "x-ratelimit-limit-tokens", "x-ratelimit-remaining-tokens", "x-ratelimit-reset-tokens"):
            self.assertIsNotNone(resp.header(name), name)
        entry = self.assert_clean()
        self.assertEqual((entry["prompt_tokens"], entry["completion_tokens"]), (usage["prompt_tokens"], usage["completion_tokens"]))
        stats = self.control("GET", "stats")["openai"]
        self.assertEqual((stats["prompt_tokens"], stats["completion_tokens"]), (usage["prompt_tokens"], usage["completion_tokens"]))

    def test_answers_are_deterministic_and_follow_the_transcript(self):
        first = self.chat(chat_body()).json()["choices"][0]["message"]["content"]
        self.assertEqual(first, self.chat(chat_body()).json()["choices"][0]["message"]["content"])
        others = {self.chat(chat_body(transcript=f"call number {i}")).json()["choices"][0]["message"]["content"] for i in range(5)}
        self.assertGreater(len(others | {first}), 1)
        self.assertIn("call number", json.loads(others.pop())["summary"])

    def test_max_completion_tokens_truncates_with_finish_reason_length(self):
        data = self.chat(chat_body(max_completion_tokens=5)).json()
        choice = data["choices"][0]
        self.assertEqual(choice["finish_reason"], "length")
        self.assertEqual(data["usage"]["completion_tokens"], 5)
        with self.assertRaises(ValueError):
            json.loads(choice["message"]["content"])

    def test_authorization_checks(self):
        for headers, needle, code in (
            ({"Content-Type": "application/json"}, "no Authorization header", None),
            ({"Authorization": f"Token {OA_KEY}", "Content-Type": "application/json"}, "scheme 'Token'", None),
            ({"Authorization": "Bearer sk-wrong-key-0000", "Content-Type": "application/json"}, "wrong API key", "invalid_api_key"),
        ):
            with self.subTest(needle=needle):
                resp = self.chat(chat_body(), headers)
                self.assertEqual(resp.status, 401)
                error = resp.json()["error"]
                self.assertEqual(set(error), {"message", "type", "param", "code"})
                self.assertEqual((error["type"], error["code"]), ("invalid_request_error", code))
                self.assertNotIn(OA_KEY, resp.body.decode())
                self.assert_violation("provider", needle)
        quoted = self.chat(chat_body(), {"Authorization": "Bearer sk-wrong-key-0000", "Content-Type": "application/json"}).json()["error"]["message"]
        self.assertIn("Incorrect API key provided: sk-" + "*" * 10 + "0000.", quoted)

    def test_non_strict_schemas_are_refused(self):
        def without(path, key):
            s = json.loads(json.dumps(ANALYSIS))
            node = s
            for p in path:
                node = node[p]
            del node[key]
            return s

        cases = [
            (without([], "additionalProperties"), "In context=(), 'additionalProperties' is required to be supplied and to be false."),
            (without(["properties", "objections", "items"], "additionalProperties"), "In context=('properties', 'objections', 'items'), 'additionalProperties'"),
            (without([], "required"), "'required' is required to be supplied"),
            ({"type": "object", "properties": {"a": {"type": "string", "default": "x"}}, "required": ["a"], "additionalProperties": False}, "'default' is not permitted"),
        ]
        for s, message in cases:
            with self.subTest(message=message):
                resp = self.chat(chat_body(schema=s))
                self.assertEqual(resp.status, 400, resp.body)
                error = resp.json()["error"]
                self.assertEqual((error["type"], error["code"], error["param"]), ("invalid_request_error", "invalid_json_schema", "response_format"))
                self.assertTrue(error["message"].startswith("Invalid schema for response_format 'call_analysis': "), error["message"])
                self.assertIn(message, error["message"])
                self.assert_violation("provider", message)

    def test_request_checks(self):
        base = chat_body()
        not_strict = json.loads(json.dumps(base))
        not_strict["response_format"]["json_schema"]["strict"] = False
        json_object = dict(base, response_format={"type": "json_object"})
        cases = [
            (not_strict, 400, "otto", "strict must be true"),
            (json_object, 400, "otto", "response_format must be json_schema"),
            ({k: v for k, v in base.items() if k != "response_format"}, 400, "otto", "response_format must be json_schema"),
            ({k: v for k, v in base.items() if k != "model"}, 400, "provider", "model parameter"),
            (dict(base, messages=[]), 400, "provider", "too short"),
            (dict(base, messages=[{"role": "robot", "content": "x"}]), 400, "provider", "messages[0].role"),
            (dict(base, messages=[{"role": "user"}]), 400, "provider", "messages[0].content"),
            (dict(base, max_completion_tokens=0), 400, "provider", "max_completion_tokens"),
            (dict(base, max_completion_tokens=50, max_tokens=50), 400, "provider", "cannot both be set"),
            (dict(base, n=0), 400, "provider", "'n'"),
            (dict(base, stream=True), 400, "standin", "stream=true"),
            (dict(base, model="text-davinci-003"), 404, "provider", "Structured Outputs"),
            (dict(base, response_schema={}), 400, "provider", "Unrecognized request argument supplied: response_schema"),
            (dict(base, messages=[{"role": "user", "content": "word " * 110_000}]), 400, "provider", "maximum context length is 128000 tokens"),
        ]
        typo = json.loads(json.dumps(base))
        typo["response_format"]["json_schema"]["scheme"] = {}
        cases.append((typo, 400, "provider", "response_format.json_schema.scheme"))
        bad_name = json.loads(json.dumps(base))
        bad_name["response_format"]["json_schema"]["name"] = "call analysis!"
        cases.append((bad_name, 400, "provider", "does not match pattern"))
        for body, status, source, needle in cases:
            with self.subTest(needle=needle):
                resp = self.chat(body)
                self.assertEqual(resp.status, status, resp.body)
                self.assertIn("error", resp.json())
                self.assert_violation(source, needle)

    def test_body_encoding_checks(self):
        resp = self.chat(b"{not json", OA_AUTH)
        self.assertEqual(resp.status, 400)
        self.assert_violation("provider", "not valid JSON")
        resp = self.chat(json.dumps(chat_body()).encode(), {"Authorization": f"Bearer {OA_KEY}", "Content-Type": "text/plain"})
        self.assertEqual(resp.status, 400)
        self.assert_violation("provider", "Content-Type text/plain")

    def test_answer_faults(self):
        self.fault(provider="openai", fault="refusal")
        message = self.chat(chat_body()).json()["choices"][0]["message"]
        self.assertIsNone(message["content"])
        self.assertTrue(message["refusal"])
        self.fault(provider="openai", fault="length")
        choice = self.chat(chat_body()).json()["choices"][0]
        self.assertEqual(choice["finish_reason"], "length")
        with self.assertRaises(ValueError):
            json.loads(choice["message"]["content"])
        self.fault(provider="openai", fault="schema_mismatch")
        content = json.loads(self.chat(chat_body()).json()["choices"][0]["message"]["content"])
        self.assertTrue(strict.validate(content, ANALYSIS))
        self.fault(provider="openai", fault="content_filter")
        choice = self.chat(chat_body()).json()["choices"][0]
        self.assertEqual(choice["finish_reason"], "content_filter")
        self.fault(provider="openai", fault="malformed")
        resp = self.chat(chat_body())
        self.assertEqual(resp.status, 200)
        with self.assertRaises(ValueError):
            json.loads(resp.body)
        entry = self.last("openai")
        self.assertEqual((entry["verdict"], entry["fault"]), ("fault", "malformed"))
        self.assertEqual(self.chat(chat_body()).json()["choices"][0]["finish_reason"], "stop", "faults are spent")

    def test_status_faults(self):
        self.fault(provider="openai", fault="status", status=429, retry_after=2, count=3)
        for _ in range(3):
            resp = self.chat(chat_body())
            self.assertEqual(resp.status, 429)
            self.assertEqual((resp.header("retry-after"), resp.header("retry-after-ms")), ("2", "2000"))
            self.assertEqual(resp.header("x-ratelimit-remaining-requests"), "0")
            self.assertEqual(resp.json()["error"]["code"], "rate_limit_exceeded")
        self.assertEqual(self.chat(chat_body()).status, 200)
        self.fault(provider="openai", fault="status", status=429, code="insufficient_quota")
        error = self.chat(chat_body()).json()["error"]
        self.assertEqual((error["type"], error["code"]), ("insufficient_quota", "insufficient_quota"))
        self.fault(provider="openai", fault="status", status=500)
        self.assertEqual(self.chat(chat_body()).json()["error"]["type"], "server_error")
        self.fault(provider="openai", fault="status", status=503)
        self.assertEqual(self.chat(chat_body()).status, 503)
        self.fault(provider="openai", fault="status", status=502)
        resp = self.chat(chat_body())
        self.assertEqual((resp.status, resp.header("Content-Type")), (502, "text/html"))
        self.fault(provider="openai", fault="unauthorized")
        resp = self.chat(chat_body())
        self.assertEqual((resp.status, resp.json()["error"]["code"]), (401, "invalid_api_key"))
        self.assertEqual(self.violations(), [], "faults are not the client's violations")


class TwilioTests(StandInCase):
    AUTH = {"Authorization": basic(ACCOUNT, TOKEN)}

    def record(self, **spec):
        spec.setdefault("duration", 15)
        spec.setdefault("channels", 2)
        spec.setdefault("redirect", False)
        return self.control("POST", "recordings", spec)

    def path(self, rec, suffix=""):
        return urllib.parse.urlsplit(rec["recording_url"]).path + suffix

    def test_media_formats(self):
        rec = self.record()
        for suffix, content_type, parse in (("", "audio/x-wav", "wav"), (".wav", "audio/x-wav", "wav"), (".mp3", "audio/mpeg", "mp3")):
            with self.subTest(suffix=suffix):
                resp = self.call("GET", self.path(rec, suffix), headers=self.AUTH)
                self.assertEqual(resp.status, 200, resp.body[:200])
                self.assertEqual(resp.header("Content-Type"), content_type)
                info = audio.parse_wav(resp.body[:65536], len(resp.body)) if parse == "wav" else audio.parse_mp3(resp.body)
                self.assertEqual(info.channels, 2)
                self.assertAlmostEqual(info.duration, 15, delta=0.1)
                self.assert_clean()
        meta = self.call("GET", self.path(rec, ".json"), headers=self.AUTH).json()
        self.assertEqual((meta["sid"], meta["account_sid"], meta["channels"], meta["duration"], meta["status"]), (rec["sid"], ACCOUNT, 2, "15", "completed"))

    def test_each_recording_s_bytes_name_it_and_deepgram_logs_which_it_heard(self):
        a, b = self.record(duration=5, channels=1), self.record(duration=5, channels=1)
        wav_a = self.call("GET", self.path(a, ".wav"), headers=self.AUTH).body
        wav_b = self.call("GET", self.path(b, ".wav"), headers=self.AUTH).body
        self.assertNotEqual(wav_a, wav_b)
        self.assertEqual(audio.media_tag(wav_a[:4096]), a["sid"])
        mp3 = self.call("GET", self.path(b, ".mp3"), headers=self.AUTH).body
        self.assertEqual(audio.media_tag(mp3[:4096]), b["sid"])
        for body in (wav_a, wav_b, wav_b):
            self.call("POST", LISTEN + "&diarize=true", body, {**DG_AUTH, "Content-Type": "audio/x-wav"})
        self.assertEqual(len(self.requests(provider="deepgram", media=a["sid"])), 1)
        self.assertEqual(len(self.requests(provider="deepgram", media=b["sid"])), 2)

    def test_callback_parameters(self):
        rec = self.record(duration=42.4, channels=1)
        p = rec["callback_params"]
        self.assertEqual(set(p), {"AccountSid", "CallSid", "RecordingSid", "RecordingUrl", "RecordingStatus", "RecordingDuration", "RecordingChannels", "RecordingStartTime", "RecordingSource", "RecordingTrack"})
        self.assertEqual((p["RecordingStatus"], p["RecordingDuration"], p["RecordingChannels"]), ("completed", "42", "1"))
        self.assertFalse(p["RecordingUrl"].endswith((".wav", ".mp3")), "the callback's URL has no extension")

    def test_media_auth(self):
        rec = self.record(basic_auth=True)
        cases = [
            ({}, "otto", "media auth is on"),
            ({"Authorization": basic(ACCOUNT, "e" * 32)}, "provider", "wrong password"),
            ({"Authorization": basic("AC" + "1" * 32, TOKEN)}, "provider", "not the recording's AccountSid"),
            ({"Authorization": f"Bearer {TOKEN}"}, "provider", "HTTP Basic"),
        ]
        for headers, source, needle in cases:
            with self.subTest(needle=needle):
                resp = self.call("GET", self.path(rec, ".wav"), headers=headers)
                self.assertEqual(resp.status, 401)
                self.assertEqual(resp.json(), {"code": 20003, "message": "Authenticate", "more_info": "https://www.twilio.com/docs/errors/20003", "status": 401})
                self.assertEqual(resp.header("WWW-Authenticate"), 'Basic realm="Twilio API"')
                self.assert_violation(source, needle)
        self.control("POST", "config", {"twilio_api_key_sid": "SK" + "2" * 32, "twilio_api_key_secret": "standin-secret"})
        self.assertEqual(self.call("GET", self.path(rec, ".wav"), headers={"Authorization": basic("SK" + "2" * 32, "standin-secret")}).status, 200)
        open_rec = self.record(basic_auth=False)
        self.assertEqual(self.call("GET", self.path(open_rec, ".wav")).status, 200)
        self.assert_clean()
        self.assertEqual(self.call("GET", self.path(open_rec, ".wav"), headers={"Authorization": basic(ACCOUNT, "e" * 32)}).status, 401, "credentials that are sent are checked")
        self.assert_violation("provider", "wrong password")
        self.assertEqual(self.call("GET", self.path(open_rec, ".json")).status, 401, "the REST resource always needs credentials")

    def test_redirect_to_a_short_lived_url(self):
        rec = self.record(basic_auth=True, redirect=True)
        resp = self.call("GET", self.path(rec, ".mp3"), headers=self.AUTH)
        self.assertEqual(resp.status, 302)
        location = urllib.parse.urlsplit(resp.header("Location"))
        self.assertTrue(location.path.startswith("/twiliocdn/recordings/"))
        media = self.call("GET", location.path)
        self.assertEqual((media.status, media.header("Content-Type")), (200, "audio/mpeg"))
        self.assertEqual(audio.parse_mp3(media.body).channels, 2)
        self.control("POST", "config", {"cdn_url_ttl": 0})
        location = urllib.parse.urlsplit(self.call("GET", self.path(rec), headers=self.AUTH).header("Location"))
        time.sleep(0.01)
        self.assertEqual(self.call("GET", location.path).status, 403)

    def test_requested_channels(self):
        stereo = self.record(channels=2)
        resp = self.call("GET", self.path(stereo, ".wav?RequestedChannels=1"), headers=self.AUTH)
        self.assertEqual(audio.parse_wav(resp.body[:4096], len(resp.body)).channels, 1)
        conference = self.record(channels=2, source="Conference")
        resp = self.call("GET", self.path(conference, ".wav"), headers=self.AUTH)
        self.assertEqual(audio.parse_wav(resp.body[:4096], len(resp.body)).channels, 1, "conference recordings download as mono by default")
        resp = self.call("GET", self.path(conference, ".wav?RequestedChannels=2"), headers=self.AUTH)
        self.assertEqual(audio.parse_wav(resp.body[:4096], len(resp.body)).channels, 2)
        mono = self.record(channels=1)
        resp = self.call("GET", self.path(mono, ".wav?RequestedChannels=2"), headers=self.AUTH)
        self.assertEqual((resp.status, resp.json()["code"]), (400, 16113))
        self.assert_violation("provider", "16113")
        self.assertEqual(self.call("GET", self.path(mono, "?RequestedChannels=3"), headers=self.AUTH).status, 400)

    def test_unknown_or_unfinished_recordings(self):
        rec = self.record()
        unknown = self.path(rec).replace(rec["sid"], "RE" + "f" * 32)
        resp = self.call("GET", unknown, headers=self.AUTH)
        self.assertEqual((resp.status, resp.json()["code"]), (404, 20404))
        self.assert_violation("provider", "unknown RecordingSid")
        other = self.path(rec).replace(ACCOUNT, "AC" + "1" * 32)
        self.assertEqual(self.call("GET", other, headers=self.AUTH).status, 404)
        self.assert_violation("provider", "belongs to")
        pending = self.record(status="processing")
        self.assertEqual(self.call("GET", self.path(pending), headers=self.AUTH).status, 404)
        entry = self.assert_clean()
        self.assertEqual(entry["verdict"], "error")
        self.assertEqual(self.call("GET", "/2010-04-01/Accounts/" + ACCOUNT + "/Calls.json", headers=self.AUTH).status, 404)
        self.assert_violation("provider", "no GET")

    def test_media_faults(self):
        rec = self.record()
        self.fault(provider="twilio", fault="malformed")
        resp = self.call("GET", self.path(rec, ".wav"), headers=self.AUTH)
        self.assertEqual(resp.status, 200)
        with self.assertRaises(audio.AudioError):
            audio.parse_wav(resp.body, len(resp.body))
        self.fault(provider="twilio", fault="disconnect", after_bytes=1000)
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        conn.request("GET", self.path(rec, ".wav"), headers=self.AUTH)
        response = conn.getresponse()
        self.assertEqual(int(response.getheader("Content-Length")), audio.wav_length(15, 2, tag=rec["sid"]))
        with self.assertRaises(http.client.IncompleteRead):
            response.read()
        conn.close()
        self.fault(provider="twilio", fault="status", status=503, count=2)
        self.assertEqual([self.call("GET", self.path(rec), headers=self.AUTH).status for _ in range(3)], [503, 503, 200])

    def test_signed_callback_is_delivered_as_twilio_sends_it(self):
        from twilio.request_validator import RequestValidator

        received = {}

        class Receiver(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers["Content-Length"])
                received["body"] = self.rfile.read(length).decode()
                received["headers"] = dict(self.headers)
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args):
                pass

        port = free_port()
        receiver = http.server.HTTPServer(("127.0.0.1", port), Receiver)
        thread = threading.Thread(target=receiver.handle_request, daemon=True)
        thread.start()
        url = f"http://127.0.0.1:{port}/webhooks/twilio/tenant-a/recording"
        rec = self.record(callback_url=url, deliver=True)
        thread.join(timeout=10)
        receiver.server_close()
        self.assertEqual(rec["callback"]["delivery"]["status"], 204)
        params = dict(urllib.parse.parse_qsl(received["body"]))
        self.assertEqual(params, rec["callback_params"])
        self.assertEqual(received["headers"]["Content-Type"], "application/x-www-form-urlencoded")
        validator = RequestValidator(TOKEN)  # Twilio's own library as the oracle
        self.assertTrue(validator.validate(url, params, received["headers"]["X-Twilio-Signature"]))


class CallRailTests(StandInCase):
    AUTH = {"Authorization": f'Token token="{CR_KEY}"'}

    def add(self, **spec):
        spec.setdefault("account_id", "ACC" + "1" * 32)
        spec.setdefault("duration", 95)
        return self.control("POST", "callrail/calls", spec)["call"]

    def test_call_and_recording(self):
        call = self.add(recording_duration=90, company_id="COM" + "2" * 32)
        path = f"/v3/a/ACC{'1' * 32}/calls/{call['id']}.json"
        resp = self.call("GET", path, headers=self.AUTH)
        self.assertEqual(resp.status, 200, resp.body)
        obj = resp.json()
        self.assertEqual(set(obj), {"answered", "business_phone_number", "customer_city", "customer_country", "customer_name", "customer_phone_number", "customer_state", "direction", "duration", "id", "recording", "recording_duration", "recording_player", "start_time", "tracking_phone_number", "voicemail"})
        self.assertEqual((obj["id"], obj["duration"], obj["recording_duration"]), (call["id"], 95, "90"))
        self.assertTrue(obj["recording"].endswith(f"/calls/{call['id']}/recording.json"))
        with_fields = self.call("GET", path + "?fields=company_id,company_name,created_at", headers=self.AUTH).json()
        self.assertEqual(with_fields["company_id"], "COM" + "2" * 32)
        self.assertIn("created_at", with_fields)
        self.assertEqual(self.call("GET", path, headers={"Authorization": f"Token token={CR_KEY}"}).status, 200, "the unquoted form of the curl examples")
        recording = self.call("GET", urllib.parse.urlsplit(obj["recording"]).path, headers=self.AUTH).json()
        link = urllib.parse.urlsplit(recording["url"])
        self.assertEqual(link.path, f"/calls/{call['id']}/recording/redirect")
        redirect = self.call("GET", f"{link.path}?{link.query}")
        self.assertEqual(redirect.status, 302)
        media = self.call("GET", urllib.parse.urlsplit(redirect.header("Location")).path)
        self.assertEqual((media.status, media.header("Content-Type")), (200, "audio/mpeg"))
        self.assertAlmostEqual(audio.parse_mp3(media.body).duration, 90, delta=0.1)
        player = urllib.parse.urlsplit(obj["recording_player"])
        page = self.call("GET", f"{player.path}?{player.query}")
        self.assertEqual(page.header("Content-Type"), "text/html; charset=utf-8")
        self.assertEqual(self.violations(), [])

    def test_hipaa_recording_url_is_temporary_storage(self):
        call = self.add(hipaa=True)
        recording = self.call("GET", f"/v3/a/ACC{'1' * 32}/calls/{call['id']}/recording.json", headers=self.AUTH).json()
        path = urllib.parse.urlsplit(recording["url"]).path
        self.assertTrue(path.startswith("/callrail-media/"))
        self.assertEqual(self.call("GET", path).header("Content-Type"), "audio/mpeg")

    def test_call_without_recording(self):
        call = self.add(recording=False)
        obj = self.call("GET", f"/v3/a/ACC{'1' * 32}/calls/{call['id']}.json", headers=self.AUTH).json()
        self.assertIsNone(obj["recording"])
        self.assertEqual(self.call("GET", f"/v3/a/ACC{'1' * 32}/calls/{call['id']}/recording.json", headers=self.AUTH).status, 404)

    def test_checks(self):
        call = self.add()
        path = f"/v3/a/ACC{'1' * 32}/calls/{call['id']}.json"
        for headers, needle in (({}, "no Authorization"), ({"Authorization": f"Bearer {CR_KEY}"}, "Token token="), ({"Authorization": 'Token token="wrong"'}, "wrong API key")):
            with self.subTest(needle=needle):
                resp = self.call("GET", path, headers=headers)
                self.assertEqual((resp.status, resp.body, resp.header("WWW-Authenticate")), (401, b"HTTP Token: Access denied.\n", 'Token realm="Application"'))
                self.assert_violation("provider", needle)
        resp = self.call("GET", path + "?fields=company_id,favourite_colour", headers=self.AUTH)
        self.assertEqual((resp.status, resp.json()["error"]), (400, "Invalid field(s) requested: favourite_colour"))
        self.assert_violation("otto", "favourite_colour")
        self.assertEqual(self.call("GET", path.replace(call["id"], "CAL" + "9" * 32), headers=self.AUTH).status, 404)
        self.assert_violation("provider", "unknown call")
        self.assertEqual(self.call("GET", path.replace("ACC" + "1" * 32, "ACC" + "3" * 32), headers=self.AUTH).status, 404)
        self.assert_violation("provider", "belongs to account")

    def test_faults(self):
        call = self.add()
        path = f"/v3/a/ACC{'1' * 32}/calls/{call['id']}.json"
        self.fault(provider="callrail", fault="status", status=429)
        resp = self.call("GET", path, headers=self.AUTH)
        self.assertEqual(resp.status, 429)
        self.assertIsNone(resp.header("Retry-After"), "CallRail documents no Retry-After")
        self.fault(provider="callrail", fault="malformed")
        with self.assertRaises(ValueError):
            self.call("GET", path, headers=self.AUTH).json()


class ControlTests(StandInCase):
    def test_log_masks_secrets(self):
        self.call("POST", LISTEN + "&diarize=true", audio.wav_bytes(2, 1), {**DG_AUTH, "Content-Type": "audio/wav"})
        self.call("POST", "/v1/chat/completions", json.dumps(chat_body()).encode(), OA_AUTH)
        rec = self.control("POST", "recordings", {"duration": 3, "channels": 1})
        self.call("GET", urllib.parse.urlsplit(rec["recording_url"]).path, headers={"Authorization": basic(ACCOUNT, TOKEN)})
        self.call("GET", "/v3/a/ACC1/calls/CAL1.json", headers={"Authorization": f'Token token="{CR_KEY}"'})
        raw = self.call("GET", "/_standin/requests").body.decode()
        for secret in (DG_KEY, OA_KEY, TOKEN, CR_KEY, basic(ACCOUNT, TOKEN).split()[1]):
            self.assertNotIn(secret, raw)
        entries = json.loads(raw)["requests"]
        self.assertEqual([e["provider"] for e in entries], ["deepgram", "openai", "twilio", "callrail"])
        self.assertTrue(entries[0]["headers"]["authorization"].startswith("Token <masked len="))
        self.assertTrue(entries[2]["headers"]["authorization"].startswith(f"Basic user={ACCOUNT} password=<masked"))
        for e in entries:
            self.assertTrue({"id", "time", "method", "path", "query", "headers", "body_bytes", "status", "verdict", "ms"} <= set(e), e)
        self.assertEqual(entries[0]["query"], {"model": "nova-3", "smart_format": "true", "utterances": "true", "diarize": "true"})
        shown = self.call("GET", "/_standin/config").body.decode() + self.call("GET", "/_standin/stats").body.decode()
        for secret in (DG_KEY, OA_KEY, TOKEN, CR_KEY):
            self.assertNotIn(secret, shown)

    def test_filters_and_reset(self):
        rec = self.control("POST", "recordings", {"duration": 3, "channels": 1, "basic_auth": False})
        path = urllib.parse.urlsplit(rec["recording_url"]).path
        self.call("GET", path)
        self.call("GET", path.replace(rec["sid"], "RE" + "e" * 32))
        first = self.requests()[0]["id"]
        self.assertEqual(len(self.requests(since=first)), 1)
        self.assertEqual(len(self.requests(verdict="violation")), 1)
        self.assertEqual(len(self.violations()), 1)
        self.fault(provider="deepgram", fault="status", status=500, count=None)
        self.control("POST", "reset")
        self.assertEqual((self.requests(), self.control("GET", "faults")["faults"]), ([], []))
        self.assertEqual(self.call("GET", path).status, 200, "media survives a plain reset")
        self.control("POST", "reset", {"media": True})
        self.assertEqual(self.call("GET", path).status, 404)

    def test_fault_programming_is_validated_and_served_in_order(self):
        for bad in ({"provider": "nobody", "fault": "status", "status": 500}, {"provider": "deepgram", "fault": "refusal"}, {"provider": "openai", "fault": "status", "status": 200}, {"provider": "openai", "fault": "slow"}, {"provider": "openai", "fault": "status", "status": 500, "count": 0}):
            with self.subTest(bad=bad):
                self.assertEqual(self.call("POST", "/_standin/faults", bad).status, 400)
        self.control("POST", "faults", {"faults": [{"provider": "openai", "fault": "status", "status": 500}, {"provider": "openai", "fault": "refusal"}]})
        self.assertEqual(self.call("POST", "/v1/chat/completions", json.dumps(chat_body()).encode(), OA_AUTH).status, 500)
        self.assertIsNotNone(self.call("POST", "/v1/chat/completions", json.dumps(chat_body()).encode(), OA_AUTH).json()["choices"][0]["message"]["refusal"])
        self.assertTrue(all(f["remaining"] == 0 for f in self.control("GET", "faults")["faults"]))
        self.fault(provider="openai", fault="status", status=500, count=None)
        self.assertEqual({self.call("POST", "/v1/chat/completions", json.dumps(chat_body()).encode(), OA_AUTH).status for _ in range(4)}, {500})
        self.control("POST", "faults/clear", {"provider": "openai"})
        self.assertEqual(self.call("POST", "/v1/chat/completions", json.dumps(chat_body()).encode(), OA_AUTH).status, 200)

    def test_slow_fault_and_latency(self):
        body = json.dumps(chat_body()).encode()
        self.fault(provider="openai", fault="slow", seconds=0.3)
        started = time.monotonic()
        self.assertEqual(self.call("POST", "/v1/chat/completions", body, OA_AUTH).status, 200)
        self.assertGreaterEqual(time.monotonic() - started, 0.3)
        self.fault(provider="openai", fault="latency", seconds=0.2)
        self.assertEqual(self.control("GET", "stats")["openai"]["latency"], 0.2)
        started = time.monotonic()
        self.call("POST", "/v1/chat/completions", body, OA_AUTH)
        self.assertGreaterEqual(time.monotonic() - started, 0.2)
        self.control("POST", "latency", {"openai": 0})
        self.assertEqual(self.control("GET", "stats")["openai"]["latency"], 0)

    def test_outage_answers_503_until_it_ends(self):
        body = json.dumps(chat_body()).encode()
        self.fault(provider="openai", fault="outage", seconds=600)
        self.assertEqual([self.call("POST", "/v1/chat/completions", body, OA_AUTH).status for _ in range(3)], [503, 503, 503])
        self.assertEqual(self.control("GET", "faults")["faults"][0]["active"], True)
        self.control("POST", "faults/clear")
        self.assertEqual(self.call("POST", "/v1/chat/completions", body, OA_AUTH).status, 200)
        self.assertTrue(all(e["verdict"] == "fault" and e["fault"] == "outage" for e in self.requests() if e["status"] == 503))
        # and one that ends by itself: every answer inside its window is a 503
        programmed = time.time()
        self.fault(provider="openai", fault="outage", seconds=0.3)
        self.wait_for(lambda: self.call("POST", "/v1/chat/completions", body, OA_AUTH).status == 200, what="the outage to end")
        later = [e for e in self.requests() if e["time"] >= programmed]
        self.assertTrue(all(e["status"] == 503 for e in later if e["time"] < programmed + 0.3 - 0.05), later)
        self.assertGreaterEqual(later[-1]["time"], programmed + 0.3 - 0.05)

    def test_disconnect_without_answer(self):
        self.fault(provider="openai", fault="disconnect")
        with self.assertRaises((http.client.RemoteDisconnected, ConnectionResetError)):
            self.call("POST", "/v1/chat/completions", json.dumps(chat_body()).encode(), OA_AUTH)
        self.assertEqual(self.wait_for(lambda: self.requests(provider="openai"), what="the log entry")[0]["status"], 0)

    def _hold(self, n):
        """n Deepgram requests held open by a slow fault until `faults/release`."""
        self.fault(provider="deepgram", fault="slow", seconds=120, count=n)
        statuses = []
        body = audio.wav_bytes(1, 1)

        def send():
            statuses.append(self.call("POST", LISTEN + "&diarize=true", body, {**DG_AUTH, "Content-Type": "audio/wav"}, timeout=180).status)

        threads = [threading.Thread(target=send) for _ in range(n)]
        for t in threads:
            t.start()
        self.wait_for(lambda: self.control("GET", "stats")["deepgram"]["in_flight"] == n, timeout=60, what=f"{n} requests in flight")
        return threads, statuses

    def _release(self, threads):
        self.control("POST", "faults/release")
        for t in threads:
            t.join(timeout=60)

    def test_max_concurrency_is_recorded(self):
        threads, statuses = self._hold(4)
        self._release(threads)
        self.assertEqual(statuses, [200] * 4)
        # A response reaches the client just before its handler counts itself out.
        self.wait_for(lambda: self.control("GET", "stats")["deepgram"]["in_flight"] == 0, timeout=10,
                      what="no request in flight")
        stats = self.control("GET", "stats")["deepgram"]
        self.assertEqual((stats["max_concurrency"], stats["in_flight"], stats["requests"]), (4, 0, 4))

    def test_concurrency_cap_answers_429_with_retry_after(self):
        self.control("POST", "limits", {"provider": "deepgram", "max_concurrency": 1, "retry_after": 3})
        threads, statuses = self._hold(1)
        resp = self.call("POST", LISTEN + "&diarize=true", audio.wav_bytes(1, 1), {**DG_AUTH, "Content-Type": "audio/wav"})
        self.assertEqual((resp.status, resp.json()["err_code"], resp.header("Retry-After")), (429, "TOO_MANY_REQUESTS", "3"))
        self._release(threads)
        self.assertEqual(statuses, [200])
        entry = self.requests(provider="deepgram", verdict="rate_limited")
        self.assertEqual(len(entry), 1)
        self.assertEqual(self.control("GET", "stats")["deepgram"]["rate_limited"], 1)

    def test_rate_cap(self):
        self.control("POST", "limits", {"provider": "openai", "rate": 2, "per_seconds": 60, "retry_after": None})
        body = json.dumps(chat_body()).encode()
        statuses = [self.call("POST", "/v1/chat/completions", body, OA_AUTH) for _ in range(3)]
        self.assertEqual([r.status for r in statuses], [200, 200, 429])
        self.assertGreater(float(statuses[2].header("retry-after")), 50)

    def test_unknown_routes_are_violations(self):
        resp = self.call("POST", "/v1/completions", json.dumps(chat_body()).encode(), OA_AUTH)
        self.assertEqual(resp.status, 404)
        self.assertIn("error", resp.json())
        self.assert_violation("provider", "no POST /v1/completions")


class PipelineTests(StandInCase):
    """A call through all the stand-ins the way issue 13's pipeline will take it: a reference
    client for whoever builds Otto's, and proof the stand-ins fit together."""

    def test_a_recorded_call_fetched_streamed_transcribed_and_analysed(self):
        rec = self.control("POST", "recordings", {"duration": 95, "channels": 2, "basic_auth": True})
        self.assertTrue(rec["redirect"], "media behind HTTP auth redirects by default")
        # 1. fetch: Basic auth on the API host, then the short-lived URL without credentials
        media = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        media.request("GET", urllib.parse.urlsplit(rec["callback_params"]["RecordingUrl"]).path + ".wav", headers={"Authorization": basic(ACCOUNT, TOKEN)})
        first = media.getresponse()
        first.read()
        self.assertEqual(first.status, 302)
        media.request("GET", urllib.parse.urlsplit(first.getheader("Location")).path)
        audio_resp = media.getresponse()
        self.assertEqual(audio_resp.status, 200)
        # 2. stream it to Deepgram as it arrives (chunked), never holding the whole file
        dg = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        dg.putrequest("POST", "/v1/listen?model=nova-3&smart_format=true&utterances=true&multichannel=true")
        dg.putheader("Authorization", f"Token {DG_KEY}")
        dg.putheader("Content-Type", audio_resp.getheader("Content-Type"))
        dg.putheader("Transfer-Encoding", "chunked")
        dg.endheaders()
        while True:
            piece = audio_resp.read(32768)
            if not piece:
                break
            dg.send(b"%x\r\n%s\r\n" % (len(piece), piece))
        dg.send(b"0\r\n\r\n")
        transcript = json.loads(dg.getresponse().read())
        media.close()
        dg.close()
        utterances = sorted(transcript["results"]["utterances"], key=lambda u: u["start"])
        self.assertEqual(transcript["metadata"]["duration"], 95.0)
        self.assertEqual({u["channel"] for u in utterances}, {0, 1})
        # 3. talk time computed locally, the analysis asked for under a strict schema
        talk = {ch: sum(u["end"] - u["start"] for u in utterances if u["channel"] == ch) for ch in (0, 1)}
        self.assertTrue(all(v > 0 for v in talk.values()))
        lines = "\n".join(f"[{u['start']:.1f}s] {'agent' if u['channel'] == 0 else 'caller'}: {u['transcript']}" for u in utterances)
        resp = self.call("POST", "/v1/chat/completions", json.dumps(chat_body(transcript=lines)).encode(), OA_AUTH)
        analysis = json.loads(resp.json()["choices"][0]["message"]["content"])
        jsonschema.validate(analysis, ANALYSIS)
        # 4. what the stand-ins saw
        self.assertEqual(self.violations(), [])
        stats = self.control("GET", "stats")
        self.assertEqual((stats["twilio"]["requests"], stats["deepgram"]["requests"], stats["openai"]["requests"]), (2, 1, 1))
        self.assertEqual(stats["deepgram"]["audio_seconds"], 95.0)
        self.assertEqual(self.requests(provider="deepgram")[0]["media"], rec["sid"])


class KeyCheckTests(StandInCase):
    """The documented endpoints a `check-config --connect` can use to prove a key works."""

    def test_each_provider_answers_a_key_check(self):
        projects = self.call("GET", "/v1/projects", headers=DG_AUTH)
        self.assertEqual(projects.status, 200)
        self.assertEqual(set(projects.json()["projects"][0]), {"project_id", "name"})
        models = self.call("GET", "/v1/models", headers=OA_AUTH).json()
        self.assertEqual(models["object"], "list")
        self.assertIn("gpt-4o-2024-08-06", [m["id"] for m in models["data"]])
        self.assertEqual(self.call("GET", "/v1/models/gpt-4o", headers=OA_AUTH).json()["id"], "gpt-4o")
        account = self.call("GET", f"/2010-04-01/Accounts/{ACCOUNT}.json", headers={"Authorization": basic(ACCOUNT, TOKEN)}).json()
        self.assertEqual((account["sid"], account["status"]), (ACCOUNT, "active"))
        accounts = self.call("GET", "/v3/a.json", headers={"Authorization": f'Token token="{CR_KEY}"'}).json()
        self.assertEqual(accounts["accounts"][0]["id"], "ACC" + "0" * 32)
        self.assertEqual(self.violations(), [])

    def test_a_malformed_fault_applies_to_key_checks_too(self):
        self.fault(provider="deepgram", fault="malformed")
        resp = self.call("GET", "/v1/projects", headers=DG_AUTH)
        self.assertEqual(resp.status, 200)
        with self.assertRaises(ValueError):
            resp.json()

    def test_wrong_keys_are_refused(self):
        for method, path, headers in (
            ("GET", "/v1/projects", {"Authorization": "Token nope"}),
            ("GET", "/v1/models", {"Authorization": "Bearer nope"}),
            ("GET", f"/2010-04-01/Accounts/{ACCOUNT}.json", {"Authorization": basic(ACCOUNT, "nope")}),
            ("GET", "/v3/a.json", {"Authorization": 'Token token="nope"'}),
        ):
            with self.subTest(path=path):
                self.assertEqual(self.call(method, path, headers=headers).status, 401)
                self.assert_violation("provider", "wrong")


class ConnectionTests(StandInCase):
    def test_keep_alive_survives_answers_given_before_the_body_is_read(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            body = audio.wav_bytes(2, 1)
            conn.request("POST", LISTEN + "&diarize=true", body, {"Authorization": "Token wrong", "Content-Type": "audio/wav"})
            first = conn.getresponse()
            first.read()
            self.assertEqual(first.status, 401)
            conn.request("POST", LISTEN + "&diarize=true", body, {**DG_AUTH, "Content-Type": "audio/wav"})
            second = conn.getresponse()
            self.assertEqual(second.status, 200, second.read())
            conn.request("GET", "/_standin/health")
            self.assertEqual(conn.getresponse().status, 200)
        finally:
            conn.close()

    def test_a_large_body_is_read_before_an_early_answer(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            body = audio.wav_bytes(100, 2)
            conn.request("POST", LISTEN + "&diarize=true", body, {"Authorization": "Token wrong", "Content-Type": "audio/wav"})
            resp = conn.getresponse()
            resp.read()
            self.assertEqual(resp.status, 401)
            self.assertEqual(self.last("deepgram")["body_bytes"], len(body))
            conn.request("GET", "/_standin/health")
            self.assertEqual(conn.getresponse().status, 200, "the connection stays usable")
        finally:
            conn.close()

    def test_an_upload_over_the_limit_closes_the_connection(self):
        self.control("POST", "config", {"deepgram_max_bytes": 100_000})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.putrequest("POST", LISTEN + "&diarize=true")
            conn.putheader("Authorization", f"Token {DG_KEY}")
            conn.putheader("Content-Type", "audio/wav")
            conn.putheader("Transfer-Encoding", "chunked")
            conn.endheaders()
            piece = audio.wav_bytes(10, 1)
            conn.send(b"%x\r\n%s\r\n0\r\n\r\n" % (len(piece), piece))
            resp = conn.getresponse()
            self.assertEqual((resp.status, resp.getheader("Connection")), (413, "close"))
            self.assertEqual(json.loads(resp.read())["err_code"], "PAYLOAD_TOO_LARGE")
        finally:
            conn.close()


class CommandLineTests(unittest.TestCase):
    def test_starts_prints_ready_and_stops_on_sigterm(self):
        port = free_port()
        proc = subprocess.Popen([sys.executable, os.path.join(HERE, "providers.py"), "--port", str(port), "--latency", "deepgram=0.8,openai=1.5"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            self.assertEqual(proc.stdout.readline().strip(), f"ready {port}")
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/_standin/stats")
            stats = json.loads(conn.getresponse().read())
            conn.close()
            self.assertEqual((stats["deepgram"]["latency"], stats["openai"]["latency"], stats["twilio"]["latency"]), (0.8, 1.5, 0.0))
        finally:
            proc.terminate()
            self.assertEqual(proc.wait(timeout=10), 0)
            proc.stdout.close()
            proc.stderr.close()

    def test_bad_arguments_exit_2(self):
        for args in (["--port", "1", "--latency", "nobody=1"], ["--port", "1", "--latency", "openai=fast"], ["--latency", "openai=1"], ["--port", "1", "--config", '{"nope": 1}']):
            with self.subTest(args=args):
                result = subprocess.run([sys.executable, os.path.join(HERE, "providers.py"), *args], capture_output=True, text=True, timeout=30)
                self.assertEqual(result.returncode, 2, result.stderr)


if __name__ == "__main__":
    unittest.main()
