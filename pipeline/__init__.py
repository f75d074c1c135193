"""newsevents: a Beam pipeline that turns a stream of news articles into structured events."""

__version__ = "0.1.0"
