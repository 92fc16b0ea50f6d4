"""Alert settings, from environment variables only (no secret lives in the repository).

  SPI_SMTP_HOST, SPI_SMTP_PORT (25), SPI_SMTP_USER, SPI_SMTP_PASSWORD, SPI_SMTP_FROM,
  SPI_SMTP_STARTTLS (0/1), SPI_SMTP_TIMEOUT (seconds, 10)
  SPI_ALERT_WEBHOOK_URL          one JSON POST per owner message
  SPI_ALERT_REDIRECT_TO          send every owner's email to this address instead (staging)
  SPI_ALERT_ATTEMPTS (3), SPI_ALERT_BACKOFF_SECONDS (1.0, doubled after each failed attempt)
  SPI_ALERT_EXAMPLES (3)         example rows per failed expectation
  SPI_ALERT_BASE_URL             where the warehouse folder's data_docs/ and alerts/ are served
                                 (behind the council's sign-in): messages then link to the Data Docs
                                 page and the quarantined rows there instead of attaching them

Email is off when SPI_SMTP_HOST is unset; the webhook is off when its URL is unset.
"""
from __future__ import annotations

import os
from dataclasses import dataclass

from social_progress.redaction import host_of, url_secrets


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


@dataclass(frozen=True)
class AlertSettings:
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_from: str = "spi-alerts@localhost"
    smtp_starttls: bool = False
    smtp_timeout: float = 10.0
    webhook_url: str | None = None
    redirect_to: str | None = None
    attempts: int = 3
    backoff_seconds: float = 1.0
    examples: int = 3
    base_url: str | None = None

    @classmethod
    def from_env(cls, env: dict | None = None) -> "AlertSettings":
        env = os.environ if env is None else env
        return cls(
            smtp_host=env.get("SPI_SMTP_HOST") or None,
            smtp_port=int(env.get("SPI_SMTP_PORT") or 25),
            smtp_user=env.get("SPI_SMTP_USER") or None,
            smtp_password=env.get("SPI_SMTP_PASSWORD") or None,
            smtp_from=env.get("SPI_SMTP_FROM") or "spi-alerts@localhost",
            smtp_starttls=_flag(env.get("SPI_SMTP_STARTTLS")),
            smtp_timeout=float(env.get("SPI_SMTP_TIMEOUT") or 10),
            webhook_url=env.get("SPI_ALERT_WEBHOOK_URL") or None,
            redirect_to=env.get("SPI_ALERT_REDIRECT_TO") or None,
            attempts=max(1, int(env.get("SPI_ALERT_ATTEMPTS") or 3)),
            backoff_seconds=float(env.get("SPI_ALERT_BACKOFF_SECONDS") or 1.0),
            examples=max(0, int(env.get("SPI_ALERT_EXAMPLES") or 3)),
            base_url=(env.get("SPI_ALERT_BASE_URL") or "").strip().rstrip("/") or None,
        )

    def secrets(self) -> tuple[str, ...]:
        """Values never to print or log: the SMTP user and password, the webhook URL and its parts."""
        return tuple(s for s in (self.smtp_password, self.smtp_user, *url_secrets(self.webhook_url)) if s)

    def __repr__(self) -> str:  # never print the user, the password or the webhook's URL
        return (f"AlertSettings(smtp_host={self.smtp_host!r}, smtp_port={self.smtp_port}, "
                f"smtp_user={'set' if self.smtp_user else None}, smtp_password={'set' if self.smtp_password else None}, "
                f"webhook={host_of(self.webhook_url) if self.webhook_url else None}, attempts={self.attempts})")

    __str__ = __repr__
