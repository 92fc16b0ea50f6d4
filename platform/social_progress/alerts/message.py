"""One recipient's message for a run: subject, plain text, webhook payload, attachments.

Why plain words: the recipient is a data steward or the index owner, not a developer; each
problem is a sentence with its numbers, what to do, a few example rows (non-personal fields
only), and the expectation's name last, as a detail. Acknowledged problems are not repeated,
only listed at the end (with their reason and expiry) when something else is sent.
"""
from __future__ import annotations

import base64
from dataclasses import dataclass, field

from social_progress.alerts.attachments import Attachment
from social_progress.alerts.problems import Problem


@dataclass
class OwnerAlert:
    run_id: str
    owner_name: str
    owner_email: str
    problems: list[Problem] = field(default_factory=list)
    run_blocked: bool = False                   # an error-level problem stopped publication
    attachments: list[Attachment] = field(default_factory=list)

    @property
    def to_send(self) -> list[Problem]:
        return [p for p in self.problems if not p.known.silenced]

    @property
    def acknowledged(self) -> list[Problem]:
        return [p for p in self.problems if p.known.silenced]

    @property
    def blocking(self) -> bool:
        return any(p.severity == "error" for p in self.to_send)

    @property
    def n_failures(self) -> int:
        return len(self.to_send)

    # kept for callers of the earlier shape
    @property
    def failures(self) -> list[dict]:
        return [p.to_payload() for p in self.to_send]

    def subject(self, borough: str) -> str:
        what = "your data blocked the release" if self.blocking else (
            "the release was blocked" if self.run_blocked else "warnings only, your data did not block the release")
        return (f"[Social Progress Index] {self.n_failures} data problem(s): {what} - "
                f"{borough} refresh {self.run_id[:8]}")

    def payload(self, borough: str) -> dict:
        return {"run_id": self.run_id, "borough": borough, "owner": {"name": self.owner_name, "email": self.owner_email},
                "blocking": self.blocking, "release_blocked": self.run_blocked, "subject": self.subject(borough),
                "text": self.text(borough), "failures": [p.to_payload() for p in self.to_send],
                "acknowledged": [p.to_payload() for p in self.acknowledged],
                "attachments": [_attachment_payload(a) for a in self.attachments if a.url is None],
                "links": [{"name": a.name, "url": a.url, "content_type": a.content_type, "description": a.description}
                          for a in self.attachments if a.url is not None]}

    def text(self, borough: str, n_examples: int = 3) -> str:
        lines = [f"Hello {self.owner_name},", "",
                 f"The refresh of the Social Progress Index for {borough} (run {self.run_id[:8]}) found "
                 f"{self.n_failures} problem(s) in data you look after.", ""]
        if self.run_blocked:
            lines += ["OUTCOME: nothing was published in this run. The previous release is unchanged.",
                      "Problems marked [error] stop publication until they are fixed; [warning] ones do not."]
        else:
            lines += ["OUTCOME: the release went ahead. The problems below are warnings: please review them."]
        lines.append("")
        for n, p in enumerate(self.to_send, start=1):
            lines.append(f"{n}. [{p.severity}] {p.wording.title}.")
            where = _where(p)
            if where:
                lines.append(f"   {where}")
            lines.append(f"   What to do: {p.wording.action}")
            shown = [] if p.batch == "freshness" else p.examples[:n_examples]  # the title says it all
            if shown:
                lines.append("   Examples:")
                lines += [f"     - {_example(e)}" for e in shown]
            if p.known.status in ("expired", "changed"):
                lines.append(f"   Note: {p.known.label()}.")
            lines.append(f"   ({p.wording.detail})")
            lines.append("")
        attached = [a for a in self.attachments if a.url is None]
        linked = [a for a in self.attachments if a.url is not None]
        if attached:
            lines.append("Attached:")
            lines += [f"  - {a.name}: {a.description}" for a in attached]
            lines.append("")
        if linked:
            lines.append("To see more:")
            lines += [f"  - {a.description}: {a.url}" for a in linked]
            lines.append("")
        if self.acknowledged:
            lines.append("Known problems, acknowledged and not repeated:")
            lines += [f"  - {p.wording.title} ({p.known.label()})" for p in self.acknowledged]
            lines.append("")
        lines += ["-- Social Progress Index data platform (automatic message)"]
        return "\n".join(lines)


def _where(p: Problem) -> str:
    parts = []
    if p.source_id:
        parts.append(f"Data: source {p.source_id}")
    elif p.asset_key:
        parts.append(f"Data: {p.asset_key}")
    if p.unexpected_count is not None and p.element_count and p.element_count > 1:
        parts.append(f"{p.unexpected_count:,} of {p.element_count:,} checked")
    return "; ".join(parts) + ("." if parts else "")


def _example(e) -> str:
    if isinstance(e, dict):
        return ", ".join(f"{k}: {v}" for k, v in e.items())
    return str(e)


def _attachment_payload(a: Attachment) -> dict:
    item = {"name": a.name, "content_type": a.content_type, "size": a.size, "description": a.description}
    if a.content_type.startswith("text/csv"):
        item["text"] = a.data.decode("utf-8")
    else:
        item["content_base64"] = base64.b64encode(a.data).decode("ascii")
    return item
