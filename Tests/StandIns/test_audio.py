"""The WAV and MP3 the media stand-ins serve, and the parsers the Deepgram stand-in judges audio with."""

import io
import struct
import unittest
import wave

from standin import audio


class WavTests(unittest.TestCase):
    def test_header_round_trip_through_our_parser_and_the_stdlib_wave_module(self):
        for duration in (0, 0.5, 7.25, 61):
            for channels in (1, 2):
                with self.subTest(duration=duration, channels=channels):
                    data = audio.wav_bytes(duration, channels)
                    self.assertEqual(len(data), audio.wav_length(duration, channels))
                    info = audio.parse_wav(data[:65536], len(data))
                    self.assertEqual((info.container, info.channels, info.sample_rate), ("wav", channels, 8000))
                    self.assertAlmostEqual(info.duration, duration, places=6)
                    with wave.open(io.BytesIO(data)) as w:  # an independent reader of the RIFF header
                        self.assertEqual(w.getnchannels(), channels)
                        self.assertEqual(w.getframerate(), 8000)
                        self.assertEqual(w.getsampwidth(), 2)
                        self.assertEqual(w.getnframes(), round(duration * 8000))
                        self.assertEqual(len(w.readframes(w.getnframes())), round(duration * 8000) * channels * 2)

    def test_a_tagged_wav_names_its_media_and_stays_a_valid_wav(self):
        data = audio.wav_bytes(2.5, 2, tag="RE" + "a" * 32)
        self.assertEqual(len(data), audio.wav_length(2.5, 2, tag="RE" + "a" * 32))
        self.assertEqual(audio.media_tag(data[:4096]), "RE" + "a" * 32)
        self.assertAlmostEqual(audio.parse_wav(data[:4096], len(data)).duration, 2.5)
        with wave.open(io.BytesIO(data)) as w:
            self.assertEqual((w.getnchannels(), w.getnframes()), (2, 20000))
        self.assertIsNone(audio.media_tag(audio.wav_bytes(1, 1)))
        with self.assertRaises(ValueError):
            audio.wav_bytes(1, 1, tag="no spaces allowed")

    def test_stream_yields_exactly_the_announced_length(self):
        length, chunks = audio.wav_stream(123.4, 2, chunk_bytes=1000)
        sizes = [len(c) for c in chunks]
        self.assertEqual(sum(sizes), length)
        self.assertGreater(len(sizes), 10)

    def test_channels_carry_different_tones_and_are_not_silence(self):
        data = audio.wav_bytes(1, 2)
        samples = struct.unpack("<%dh" % ((len(data) - 44) // 2), data[44:])
        left, right = samples[0::2], samples[1::2]
        self.assertNotEqual(left, right)
        self.assertGreater(max(left), 500)
        self.assertGreater(max(right), 500)

    def test_truncated_body_is_refused(self):
        data = audio.wav_bytes(2, 1)
        with self.assertRaisesRegex(audio.AudioError, "truncated"):
            audio.parse_wav(data[:1000], 1000)

    def test_non_riff_and_broken_headers_are_refused(self):
        with self.assertRaises(audio.AudioError):
            audio.parse_wav(b"ID3\x04 not a wav file at all", 30)
        good = bytearray(audio.wav_bytes(1, 1))
        bad_align = bytearray(good)
        struct.pack_into("<H", bad_align, 32, 3)  # block align that fits neither channels nor sample size
        with self.assertRaisesRegex(audio.AudioError, "alignment"):
            audio.parse_wav(bytes(bad_align), len(bad_align))
        no_data = bytes(good[:36])
        with self.assertRaisesRegex(audio.AudioError, "no data chunk"):
            audio.parse_wav(no_data, len(no_data))

    def test_streaming_size_sentinel_counts_the_bytes_present(self):
        data = bytearray(audio.wav_bytes(3, 1))
        struct.pack_into("<I", data, 40, 0xFFFFFFFF)
        self.assertAlmostEqual(audio.parse_wav(bytes(data), len(data)).duration, 3.0)


class Mp3Tests(unittest.TestCase):
    def test_round_trip(self):
        for duration in (0.1, 7.25, 60):
            for channels in (1, 2):
                with self.subTest(duration=duration, channels=channels):
                    data = audio.mp3_bytes(duration, channels)
                    info = audio.parse_mp3(data)
                    self.assertEqual((info.container, info.channels, info.sample_rate), ("mp3", channels, 8000))
                    frames = audio.mp3_frames(duration)
                    self.assertAlmostEqual(info.duration, frames * 576 / 8000)
                    self.assertGreaterEqual(info.duration, duration)
                    self.assertLess(info.duration, duration + 576 / 8000)

    def test_a_tagged_mp3_names_its_media(self):
        data = audio.mp3_bytes(3, 1, tag="CAL" + "b" * 32)
        self.assertEqual(audio.media_tag(data[:4096]), "CAL" + "b" * 32)
        self.assertAlmostEqual(audio.parse_mp3(data).duration, audio.parse_mp3(audio.mp3_bytes(3, 1)).duration)

    def test_id3_tags_are_skipped(self):
        body = audio.mp3_bytes(2, 1)
        tagged = b"ID3\x04\x00\x00\x00\x00\x00\x05hello" + body + b"TAG" + bytes(125)
        self.assertAlmostEqual(audio.parse_mp3(tagged).duration, audio.parse_mp3(body).duration)

    def test_garbage_and_truncation_are_refused(self):
        for body in (b"", b"plain text, not audio", b"\xff\xfb" + bytes(10), audio.mp3_bytes(1, 1)[:-5], audio.mp3_bytes(1, 1) + b"junk!"):
            with self.subTest(body=body[:12]):
                with self.assertRaises(audio.AudioError):
                    audio.parse_mp3(body)

    def test_sniff(self):
        self.assertEqual(audio.sniff(audio.wav_bytes(1, 1)[:12]), "wav")
        self.assertEqual(audio.sniff(audio.mp3_bytes(1, 1)[:12]), "mp3")
        self.assertIsNone(audio.sniff(b"<html></html>"))


if __name__ == "__main__":
    unittest.main()
