"""enews-audio: a Chinese newspaper issue as per-page podcast episodes."""

__version__ = "0.1.0"
