"""Send one owner message by SMTP or webhook, retrying with backoff; never raise."""
from __future__ import annotations

import json
import logging
import smtplib
import time
from email.message import EmailMessage
from typing import Callable

import requests

from social_progress.alerts.settings import AlertSettings

log = logging.getLogger("social_progress.alerts")


def with_retries(send: Callable[[], None], settings: AlertSettings, what: str) -> tuple[bool, int, str | None]:
    """(delivered, attempts, last error). Waits backoff, 2x backoff, ... between attempts."""
    error = None
    for attempt in range(1, settings.attempts + 1):
        try:
            send()
            log.info("alert delivered: %s (attempt %d)", what, attempt)
            return True, attempt, None
        except Exception as exc:  # noqa: BLE001 - any failure is retried, then logged
            error = f"{type(exc).__name__}: {exc}"
            log.warning("alert delivery failed: %s (attempt %d of %d): %s", what, attempt, settings.attempts, error)
            if attempt < settings.attempts:
                time.sleep(settings.backoff_seconds * (2 ** (attempt - 1)))
    log.error("alert not delivered after %d attempts: %s: %s", settings.attempts, what, error)
    return False, settings.attempts, error


def send_email(settings: AlertSettings, to: str, subject: str, body: str) -> None:
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(msg)


def post_webhook(settings: AlertSettings, payload: dict) -> None:
    response = requests.post(settings.webhook_url, data=json.dumps(payload, default=str, ensure_ascii=False).encode("utf-8"),
                             headers={"Content-Type": "application/json"}, timeout=settings.smtp_timeout)
    response.raise_for_status()
