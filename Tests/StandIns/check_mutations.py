#!/usr/bin/env python3
"""Break each contract check of the stand-ins in a scratch copy, one at a time, and run the
tests that guard it: each run must fail, or that test could not catch a wrong stand-in.

usage: python3 Tests/StandIns/check_mutations.py   (exits 1 if a mutation survives)
"""

import os
import shutil
import subprocess
import sys
import tempfile

SRC = os.path.dirname(os.path.abspath(__file__))
MUTATIONS = [
    ("strict: additionalProperties check removed", "standin/schema.py",
     'if node.get("additionalProperties") is not False:', 'if False:', "test_schema.StrictRulesTests test_providers.OpenAITests.test_non_strict_schemas_are_refused"),
    ("strict: required-every-key check removed", "standin/schema.py",
     '                if key not in required:\n', '                if False:\n', "test_schema.StrictRulesTests.test_every_property_must_be_required"),
    ("deepgram: Bearer accepted", "standin/deepgram.py",
     'if scheme.lower() != "token":', 'if scheme.lower() not in ("token", "bearer"):', "test_providers.DeepgramTests.test_authorization_checks"),
    ("deepgram: utterances not required", "standin/deepgram.py",
     'if not _flag(q, "utterances"):', 'if False:', "test_providers.DeepgramTests.test_query_checks"),
    ("deepgram: stereo without multichannel accepted", "standin/deepgram.py",
     'if info.channels >= 2 and not (multichannel or diarize):', 'if False:', "test_providers.DeepgramTests.test_party_separation_is_required"),
    ("deepgram: multichannel utterances sorted by start", "standin/deepgram.py",
     'utterances.sort(key=lambda u: (u["channel"], u["start"]))', 'utterances.sort(key=lambda u: u["start"])', "test_providers.DeepgramTests.test_stereo_multichannel_orders_utterances_by_channel"),
    ("wav: data size off by one frame", "standin/audio.py",
     '+ struct.pack("<I", data_bytes)\n    )', '+ struct.pack("<I", data_bytes + block_align)\n    )', "test_audio"),
    ("wav: truncation believed", "standin/audio.py",
     'if size > present:', 'if False:', "test_audio.WavTests.test_truncated_body_is_refused test_providers.DeepgramTests.test_body_checks"),
    ("mp3: trailing garbage accepted", "standin/audio.py",
     'raise AudioError(f"no MP3 frame sync at byte {offset}")', 'break', "test_audio.Mp3Tests.test_garbage_and_truncation_are_refused"),
    ("twilio: media auth not enforced", "standin/twilio.py",
     'needs_auth = rec.basic_auth or ext == ".json"', 'needs_auth = ext == ".json"', "test_providers.TwilioTests.test_media_auth"),
    ("twilio: signature over unsorted params", "standin/twilio.py",
     'for k, v in sorted(params.items())', 'for k, v in params.items() if k != "RecordingTrack"', "test_providers.TwilioTests.test_signed_callback_is_delivered_as_twilio_sends_it"),
    ("openai: Token scheme accepted", "standin/openai_api.py",
     'if scheme.lower() != "bearer":', 'if scheme.lower() not in ("bearer", "token"):', "test_providers.OpenAITests.test_authorization_checks"),
    ("openai: strict false accepted", "standin/openai_api.py",
     'if js.get("strict") is not True:', 'if False:', "test_providers.OpenAITests.test_request_checks"),
    ("openai: generated content ignores enums", "standin/schema.py",
     'return values[self._hash(path) % len(values)]', 'return "standin"', "test_schema.GeneratorTests test_providers.OpenAITests.test_completion_matches_the_schema"),
    ("faults: count never spent", "standin/state.py",
     'if fault.count is not None and fault.served >= fault.count:', 'if False:', "test_providers.OpenAITests.test_status_faults test_providers.ControlTests.test_fault_programming_is_validated_and_served_in_order"),
    ("log: Authorization logged in clear", "standin/server.py",
     'out[lower] = mask_authorization(value)', 'out[lower] = value', "test_providers.ControlTests.test_log_masks_secrets"),
    ("limits: concurrency cap ignored", "standin/state.py",
     'if lim.max_concurrency is not None and current > lim.max_concurrency:', 'if False:', "test_providers.ControlTests.test_concurrency_cap_answers_429_with_retry_after"),
    ("callrail: unquoted or any token accepted", "standin/callrail.py",
     '!= req.state.config["callrail_key"]:', '!= req.state.config["callrail_key"] and False:', "test_providers.CallRailTests.test_checks"),
    ("server: chunked bodies ignored", "standin/server.py",
     'return "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()', 'return False', "test_providers.DeepgramTests.test_chunked_upload"),
]


def main() -> int:
    results = []
    for name, path, old, new, tests in MUTATIONS:
        scratch = tempfile.mkdtemp(prefix="standin-mutation-")
        try:
            work = os.path.join(scratch, "copy")
            shutil.copytree(SRC, work, ignore=shutil.ignore_patterns("__pycache__"))
            target = os.path.join(work, path)
            with open(target) as f:
                text = f.read()
            if text.count(old) != 1:
                print(f"STALE   {name}: the code to mutate is not found once in {path}", flush=True)
                results.append(False)
                continue
            with open(target, "w") as f:
                f.write(text.replace(old, new))
            proc = subprocess.run([sys.executable, "-m", "unittest", *tests.split()], cwd=work, capture_output=True, text=True, timeout=300)
        finally:
            shutil.rmtree(scratch, ignore_errors=True)
        summary = " ".join(line for line in proc.stderr.splitlines() if line.startswith(("FAILED", "OK", "Ran")))
        results.append(proc.returncode != 0)
        print(f"{'CAUGHT' if proc.returncode else 'MISSED'}  {name}: {summary}", flush=True)
    print(f"{sum(results)} of {len(results)} mutations caught")
    return 0 if all(results) else 1


if __name__ == "__main__":
    sys.exit(main())
