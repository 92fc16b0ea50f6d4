import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from receivers import SmtpReceiver, WebhookReceiver  # noqa: E402


@pytest.fixture
def smtp():
    server = SmtpReceiver().start()
    yield server
    server.stop()


@pytest.fixture
def webhook():
    server = WebhookReceiver().start()
    yield server
    server.stop()
