#!/usr/bin/python3
"""Mattermost emulator for the OpenTHC Chat Bridge tests.

  /usr/bin/python3 tests/emulator/mmemu.py --listen 127.0.0.1:PORT --dsn DSN \
      --site-url URL --admin-token-file FILE [--pbkdf2-iterations N] [--bcrypt-cost N] \
      [--config FILE.json] [--ready-file FILE] [--log-requests]

The implementation is the package beside this file (tests/emulator/mmemu/);
see tests/emulator/README.md.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from mmemu.main import main  # noqa: E402  (the package wins over this file's name)

if __name__ == "__main__":
    sys.exit(main())
