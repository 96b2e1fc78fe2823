"""Test session set-up shared by every test module."""

from __future__ import annotations

import signal

# A shell starts background jobs with SIGINT ignored, and an ignored signal stays ignored across exec: the
# command-line processes the Ctrl-C tests start would then never see their SIGINT. Python's own handler here
# makes the disposition "caught", which exec resets to the default, so every child starts as from a terminal.
if signal.getsignal(signal.SIGINT) is signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)
