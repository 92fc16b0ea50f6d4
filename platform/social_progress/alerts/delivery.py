"""Send one message by SMTP or webhook, retrying with backoff; never raise, never log a secret.

Everything logged or returned is redacted (`social_progress.redaction`): a webhook is named by
its host, and an error message that repeats the URL, the SMTP user or password is masked.
"""
from __future__ import annotations

import json
import logging
import smtplib
import time
from email.message import EmailMessage
from typing import Callable

import requests

from social_progress.alerts.settings import AlertSettings
from social_progress.redaction import redact

log = logging.getLogger("social_progress.alerts")


class _RedactSecrets(logging.Filter):
    """urllib3 logs each request's path at DEBUG ("POST /services/T0/B0/<token>"): mask the
    secrets of the webhooks this process posts to in those records."""

    secrets: set[str] = set()

    def filter(self, record: logging.LogRecord) -> bool:
        if self.secrets:
            text = record.getMessage()
            masked = redact(text, self.secrets)
            if masked != text:
                record.msg, record.args = masked, ()
        return True


_FILTER = _RedactSecrets()
logging.getLogger("urllib3.connectionpool").addFilter(_FILTER)


def with_retries(send: Callable[[], None], settings: AlertSettings, what: str) -> tuple[bool, int, str | None]:
    """(delivered, attempts, last error, redacted). Waits backoff, 2x backoff, ... between attempts."""
    secrets = settings.secrets()
    what = redact(what, secrets)
    error = None
    for attempt in range(1, settings.attempts + 1):
        try:
            send()
            log.info("alert delivered: %s (attempt %d)", what, attempt)
            return True, attempt, None
        except Exception as exc:  # noqa: BLE001 - any failure is retried, then logged
            error = redact(f"{type(exc).__name__}: {exc}", secrets)
            log.warning("alert delivery failed: %s (attempt %d of %d): %s", what, attempt, settings.attempts, error)
            if attempt < settings.attempts:
                time.sleep(settings.backoff_seconds * (2 ** (attempt - 1)))
    log.error("alert not delivered after %d attempts: %s: %s", settings.attempts, what, error)
    return False, settings.attempts, error


def email_message(settings: AlertSettings, to: str, subject: str, body: str, attachments=()) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = to
    msg["Subject"] = subject
    msg.set_content(body)
    for a in attachments:
        if a.url is not None:   # linked in the body instead
            continue
        maintype, subtype = a.content_type.split("/", 1)
        msg.add_attachment(a.data, maintype=maintype, subtype=subtype, filename=a.name)
    return msg


def send_email(settings: AlertSettings, to: str, subject: str, body: str, attachments=()) -> None:
    msg = email_message(settings, to, subject, body, attachments)
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=settings.smtp_timeout) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user:
            smtp.login(settings.smtp_user, settings.smtp_password or "")
        smtp.send_message(msg)


def post_webhook(settings: AlertSettings, payload: dict) -> None:
    _FILTER.secrets.update(settings.secrets())
    try:
        response = requests.post(settings.webhook_url,
                                 data=json.dumps(payload, default=str, ensure_ascii=False).encode("utf-8"),
                                 headers={"Content-Type": "application/json"}, timeout=settings.smtp_timeout)
        response.raise_for_status()
    except requests.RequestException as exc:
        # requests repeats the URL (with its token) in its messages: keep the class and the status only
        status = getattr(getattr(exc, "response", None), "status_code", None)
        raise RuntimeError(f"{type(exc).__name__}" + (f": HTTP {status}" if status else f": {redact(exc)}")) from None
