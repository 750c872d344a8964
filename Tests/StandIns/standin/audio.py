"""Real audio bytes for the media stand-ins, and the parsers the Deepgram stand-in judges them with.

WAV: RIFF/WAVE with a PCM `fmt ` chunk (8 kHz, 16-bit, 1 or 2 channels by default), the layout
Twilio serves for `.wav` recordings. Each channel carries a quiet tone of its own (400 Hz on
channel 0, 500 Hz on channel 1), so the file is not silence and the two channels differ.

MP3: MPEG-2.5 Layer III frames at 8 kHz (8 kbit/s mono, 16 kbit/s stereo) whose side information
and main data are all zero, which every decoder plays as silence. Generated because CallRail
documents its recordings as MP3 and Twilio serves `.mp3`; parsing walks the frame headers, so a
body that is not a sequence of valid frames is refused.

Both generators stream: they return the exact byte length first and then an iterator of chunks,
so an hour-long recording costs no memory.
"""

from __future__ import annotations

import math
import re
import struct
from dataclasses import dataclass
from typing import Iterator

WAV_RATE = 8000
WAV_BITS = 16
_TONES_HZ = (400, 500)  # whole periods at 8 kHz: 20 and 16 samples
_AMPLITUDE = 1200


@dataclass(frozen=True)
class AudioInfo:
    """What a parser learned from a body: its container, layout and length in seconds."""

    container: str  # "wav" or "mp3"
    channels: int
    sample_rate: int
    duration: float
    detail: str = ""


class AudioError(ValueError):
    """A body that is not audio the stand-in accepts (its message says why)."""


# ----------------------------------------------------------------------------- WAV


def wav_header(frames: int, channels: int, rate: int = WAV_RATE, bits: int = WAV_BITS) -> bytes:
    """The 44-byte canonical RIFF header of a PCM WAV holding `frames` sample frames."""
    block_align = channels * bits // 8
    data_bytes = frames * block_align
    return (
        b"RIFF"
        + struct.pack("<I", 36 + data_bytes)
        + b"WAVE"
        + b"fmt "
        + struct.pack("<IHHIIHH", 16, 1, channels, rate, rate * block_align, block_align, bits)
        + b"data"
        + struct.pack("<I", data_bytes)
    )


def wav_frames(duration: float, rate: int = WAV_RATE) -> int:
    """Sample frames for a duration in seconds (rounded to the nearest frame)."""
    if duration < 0:
        raise ValueError("duration must not be negative")
    return int(round(duration * rate))


def wav_length(duration: float, channels: int, rate: int = WAV_RATE, tag: str | None = None) -> int:
    """Byte length of the WAV `wav_stream` produces."""
    return 44 + (len(_info_chunk(tag)) if tag is not None else 0) + wav_frames(duration, rate) * channels * WAV_BITS // 8


def _tone_block(channels: int, rate: int) -> bytes:
    """One period of the interleaved tones, long enough to repeat without a seam (80 frames)."""
    period = 80  # lcm of 20 and 16 samples
    samples = []
    for i in range(period):
        for ch in range(channels):
            hz = _TONES_HZ[ch % len(_TONES_HZ)]
            samples.append(int(_AMPLITUDE * math.sin(2 * math.pi * hz * i / rate)))
    return struct.pack("<%dh" % len(samples), *samples)


MEDIA_TAG = re.compile(rb"standin-media:([A-Za-z0-9_-]{1,64})")


def _tag_text(tag: str) -> bytes:
    if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", tag):
        raise ValueError("a media tag is 1 to 64 letters, digits, _ or -")
    return b"standin-media:" + tag.encode()


def _info_chunk(tag: str) -> bytes:
    """A RIFF LIST/INFO chunk whose comment (ICMT) names the media, as any WAV may carry."""
    text = _tag_text(tag) + b"\0"
    if len(text) % 2:
        text += b"\0"
    icmt = b"ICMT" + struct.pack("<I", len(text)) + text
    body = b"INFO" + icmt
    return b"LIST" + struct.pack("<I", len(body)) + body


def media_tag(prefix: bytes) -> str | None:
    """The tag a stand-in wrote into its own media (None for anyone else's audio)."""
    m = MEDIA_TAG.search(prefix)
    return m.group(1).decode() if m else None


def wav_stream(duration: float, channels: int, rate: int = WAV_RATE, chunk_bytes: int = 256000, tag: str | None = None) -> tuple[int, Iterator[bytes]]:
    """(length, chunks) of a PCM WAV of `duration` seconds with `channels` channels; `tag`
    names the media in a LIST/INFO chunk before the samples (so the bytes differ per recording)."""
    if channels not in (1, 2):
        raise ValueError("channels must be 1 or 2")
    frames = wav_frames(duration, rate)
    header = wav_header(frames, channels, rate)
    if tag is not None:
        info = _info_chunk(tag)
        riff = struct.unpack("<I", header[4:8])[0] + len(info)
        header = header[:4] + struct.pack("<I", riff) + header[8:36] + info + header[36:]
    block = _tone_block(channels, rate)
    data_bytes = frames * channels * WAV_BITS // 8
    repeat = max(1, chunk_bytes // len(block))
    big = block * repeat

    def chunks() -> Iterator[bytes]:
        yield header
        left = data_bytes
        while left > 0:
            piece = big if left >= len(big) else big[:left]
            left -= len(piece)
            yield piece

    return len(header) + data_bytes, chunks()


def wav_bytes(duration: float, channels: int, rate: int = WAV_RATE, tag: str | None = None) -> bytes:
    """The whole WAV in memory (tests and small files)."""
    _, chunks = wav_stream(duration, channels, rate, tag=tag)
    return b"".join(chunks)


def parse_wav(prefix: bytes, total_length: int) -> AudioInfo:
    """Parse a WAV from its first bytes (header and chunk table) and the body's total length.

    The duration counts the data bytes actually present, so a header that promises more data
    than the body holds is refused as truncated rather than believed.
    """
    if len(prefix) < 12 or prefix[:4] != b"RIFF" or prefix[8:12] != b"WAVE":
        raise AudioError("not a RIFF/WAVE file")
    offset = 12
    fmt = None
    while offset + 8 <= len(prefix):
        chunk_id = prefix[offset:offset + 4]
        size = struct.unpack("<I", prefix[offset + 4:offset + 8])[0]
        body = offset + 8
        if chunk_id == b"fmt ":
            if size < 16 or body + 16 > len(prefix):
                raise AudioError("fmt chunk is too short")
            tag, channels, rate, byte_rate, block_align, bits = struct.unpack("<HHIIHH", prefix[body:body + 16])
            if tag not in (1, 3, 6, 7, 0xFFFE):
                raise AudioError(f"unsupported WAV format tag {tag}")
            if channels < 1 or rate < 1 or block_align < 1 or bits < 1:
                raise AudioError("fmt chunk has zero channels, rate, block size or sample size")
            if block_align != channels * ((bits + 7) // 8):
                raise AudioError("fmt chunk block alignment does not match channels and sample size")
            fmt = (channels, rate, block_align)
        elif chunk_id == b"data":
            if fmt is None:
                raise AudioError("data chunk before fmt chunk")
            channels, rate, block_align = fmt
            present = max(0, total_length - body)
            if size == 0xFFFFFFFF:  # streaming writers that never patched the size
                size = present
            if size > present:
                raise AudioError(f"truncated: the header declares {size} data bytes, the body holds {present}")
            if size % block_align:
                raise AudioError("data size is not a whole number of sample frames")
            return AudioInfo("wav", channels, rate, size / block_align / rate)
        offset = body + size + (size & 1)
    raise AudioError("no data chunk in the first bytes of the file")


# ----------------------------------------------------------------------------- MP3

_V1_L3_KBPS = (0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320)
_V2_L3_KBPS = (0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160)
_RATES = {3: (44100, 48000, 32000), 2: (22050, 24000, 16000), 0: (11025, 12000, 8000)}
MP3_RATE = 8000
_MP3_SAMPLES = 576  # per MPEG-2/2.5 Layer III frame


def _mp3_frame(channels: int) -> bytes:
    kbps_index = 1 if channels == 1 else 2  # 8 or 16 kbit/s in the MPEG-2/2.5 Layer III table
    mode = 0b11 if channels == 1 else 0b00
    header = bytes((0xFF, 0xE3, (kbps_index << 4) | (0b10 << 2), mode << 6))
    size = 72 * _V2_L3_KBPS[kbps_index] * 1000 // MP3_RATE
    return header + bytes(size - 4)


def mp3_frames(duration: float) -> int:
    """Frames needed to cover `duration` seconds."""
    return int(math.ceil(duration * MP3_RATE / _MP3_SAMPLES))


def _id3_tag(tag: str) -> bytes:
    """An ID3v2.3 tag with one TIT2 (title) frame naming the media."""
    text = b"\0" + _tag_text(tag)  # encoding byte 0: ISO-8859-1
    frame = b"TIT2" + struct.pack(">I", len(text)) + b"\0\0" + text
    size = len(frame)
    syncsafe = bytes(((size >> 21) & 0x7F, (size >> 14) & 0x7F, (size >> 7) & 0x7F, size & 0x7F))
    return b"ID3\x03\x00\x00" + syncsafe + frame


def mp3_stream(duration: float, channels: int, tag: str | None = None) -> tuple[int, Iterator[bytes]]:
    """(length, chunks) of a silent MP3 of about `duration` seconds (rounded up to a frame);
    `tag` names the media in an ID3v2 title."""
    if channels not in (1, 2):
        raise ValueError("channels must be 1 or 2")
    frame = _mp3_frame(channels)
    count = mp3_frames(duration)
    per_chunk = max(1, 256000 // len(frame))
    id3 = _id3_tag(tag) if tag is not None else b""

    def chunks() -> Iterator[bytes]:
        if id3:
            yield id3
        left = count
        while left > 0:
            n = min(left, per_chunk)
            left -= n
            yield frame * n

    return len(id3) + count * len(frame), chunks()


def mp3_bytes(duration: float, channels: int, tag: str | None = None) -> bytes:
    _, chunks = mp3_stream(duration, channels, tag)
    return b"".join(chunks)


def parse_mp3(data: bytes) -> AudioInfo:
    """Walk the Layer III frames of an MP3 (after an optional ID3v2 tag, before an optional ID3v1).

    Refuses bodies with no frame or with bytes that are not frames, and mixed layouts.
    """
    offset = 0
    if data[:3] == b"ID3" and len(data) >= 10:
        size = ((data[6] & 0x7F) << 21) | ((data[7] & 0x7F) << 14) | ((data[8] & 0x7F) << 7) | (data[9] & 0x7F)
        offset = 10 + size
    end = len(data)
    if end - offset >= 128 and data[end - 128:end - 125] == b"TAG":
        end -= 128
    samples = 0
    frames = 0
    layout = None
    while offset < end:
        if end - offset < 4:
            raise AudioError(f"{end - offset} stray bytes after the last MP3 frame")
        b0, b1, b2, b3 = data[offset:offset + 4]
        if b0 != 0xFF or (b1 & 0xE0) != 0xE0:
            raise AudioError(f"no MP3 frame sync at byte {offset}")
        version = (b1 >> 3) & 0b11
        layer = (b1 >> 1) & 0b11
        kbps_index = b2 >> 4
        rate_index = (b2 >> 2) & 0b11
        padding = (b2 >> 1) & 1
        channels = 1 if (b3 >> 6) == 0b11 else 2
        if version == 1 or layer != 0b01 or kbps_index in (0, 15) or rate_index == 3:
            raise AudioError(f"MP3 frame at byte {offset} is not a valid Layer III frame header")
        rate = _RATES[version][rate_index]
        if version == 3:
            size = 144 * _V1_L3_KBPS[kbps_index] * 1000 // rate + padding
            per_frame = 1152
        else:
            size = 72 * _V2_L3_KBPS[kbps_index] * 1000 // rate + padding
            per_frame = 576
        if layout is None:
            layout = (rate, channels)
        elif layout != (rate, channels):
            raise AudioError("MP3 frames change sample rate or channel layout mid-stream")
        if offset + size > end:
            raise AudioError(f"truncated MP3 frame at byte {offset}")
        offset += size
        samples += per_frame
        frames += 1
    if frames == 0 or layout is None:
        raise AudioError("no MP3 frames")
    rate, channels = layout
    return AudioInfo("mp3", channels, rate, samples / rate, detail=f"{frames} frames")


def sniff(prefix: bytes) -> str | None:
    """'wav', 'mp3' or None from the first bytes of a body."""
    if prefix[:4] == b"RIFF" and prefix[8:12] == b"WAVE":
        return "wav"
    if prefix[:3] == b"ID3" or (len(prefix) >= 2 and prefix[0] == 0xFF and (prefix[1] & 0xE0) == 0xE0):
        return "mp3"
    return None
