"""Local stand-ins of the call-analysis providers (Deepgram, OpenAI, Twilio media, CallRail).

The package behind Tests/StandIns/providers.py. Standard library only. See
Tests/StandIns/README.md for what each stand-in implements and where its behaviour comes from.
"""
